/**
 * The order of the test files in a mutation run (test/mutation/fast-first-sequencer.js): a killed
 * mutant's run stops at its first failing test, so the files that failed last come first, then the
 * fastest, then (without a recorded time) the smallest.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const FastFirstSequencer = require('./mutation/fast-first-sequencer');

interface FakeTest { path: string; duration?: number; context: { hasteFS: { getSize: (path: string) => number } } }

function sequencerWith(cache: Record<string, { failed: boolean; time?: number }>): any {
  const sequencer = Object.create(FastFirstSequencer.prototype);
  sequencer.hasFailed = (test: FakeTest) => cache[test.path]?.failed ?? false;
  sequencer.time = (test: FakeTest) => cache[test.path]?.time;
  return sequencer;
}

const sizes: Record<string, number> = { slow: 10, fast: 20, failed: 30, big: 900, small: 5 };
const testOf = (path: string): FakeTest => ({ path, context: { hasteFS: { getSize: (p) => sizes[p] } } });

test('the files that failed last come first, then the fastest, then those without a time by size, smallest first', () => {
  const sequencer = sequencerWith({
    slow: { failed: false, time: 30_000 },
    fast: { failed: false, time: 500 },
    failed: { failed: true, time: 40_000 },
  });

  const order = sequencer.sort(['big', 'slow', 'small', 'failed', 'fast'].map(testOf)).map((test: FakeTest) => test.path);

  // Jest's own order would be: failed, then the slowest first (slow, fast), then the largest first.
  expect(order).toEqual(['failed', 'fast', 'slow', 'small', 'big']);
});

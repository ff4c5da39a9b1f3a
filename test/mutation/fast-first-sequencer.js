// The order of the test files in a mutation run. A killed mutant's run stops at its first failing
// test (bail-environment.js), so the files that failed in the last run (the ones that killed the last
// mutant) come first, as in jest's own order, and then the fastest: jest's own order runs the slowest
// first, which makes every killed mutant pay for them. Files without a recorded time go by size, the
// smallest first. Which mutants die and which survive does not change.
const Sequencer = require('@jest/test-sequencer').default;

class FastFirstSequencer extends Sequencer {
  sort(tests) {
    const sizes = new Map();
    const size = (test) => {
      if (!sizes.has(test.path)) sizes.set(test.path, test.context.hasteFS.getSize(test.path) ?? 0);
      return sizes.get(test.path);
    };
    for (const test of tests) test.duration = this.time(test);
    return [...tests].sort((a, b) => {
      const failedA = this.hasFailed(a);
      const failedB = this.hasFailed(b);
      if (failedA !== failedB) return failedA ? -1 : 1;
      const timedA = a.duration != null;
      const timedB = b.duration != null;
      if (timedA !== timedB) return timedA ? -1 : 1;
      if (timedA && a.duration !== b.duration) return a.duration - b.duration;
      return size(a) - size(b);
    });
  }
}

module.exports = FastFirstSequencer;

import { attributeProfile, CpuProfile, GC_PHASE, jsonValues, PHASES, profileOf } from '../scripts/bench-profile';

// scripts/bench-profile.ts says where the benchmark's synth time goes. The mistakes: a sample counted for
// the outermost phase on its stack (all of synthesis as "the rest"), the profiler's own samples counted,
// garbage collection lost, the total not divided by the synths profiled, another function named resolve
// counted as aws-cdk-lib's resolver, containers left out of the JSON values.

const [BUILDING, ASPECTS, REFERENCES, TEMPLATE, TREE, REST] = PHASES.map(([name]) => name);

const frame = (functionName: string, url = 'file:///app/node_modules/aws-cdk-lib/core/lib/stage.js') => ({ functionName, url });
const RESOLVE_URL = 'file:///app/node_modules/aws-cdk-lib/core/lib/private/resolve.js';

/** A profile of one run of the benchmark: its building, its synthesis and what lies around them. */
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 20, 30] },
    { id: 2, callFrame: frame('measure', 'file:///app/scripts/bench.ts'), children: [3, 5] },
    { id: 3, callFrame: frame('buildSide', 'file:///app/scripts/bench.ts'), children: [4] },
    { id: 4, callFrame: frame('resolve', RESOLVE_URL) },
    { id: 5, callFrame: frame('synth'), children: [6, 8, 9, 10, 11] },
    { id: 6, callFrame: frame('prepareApp'), children: [7] },
    { id: 7, callFrame: frame('resolve', RESOLVE_URL) },
    { id: 8, callFrame: frame('_synthesizeTemplate'), children: [12] },
    { id: 9, callFrame: frame('_synthesizeTree') },
    { id: 10, callFrame: frame('invokeAspectsV2') },
    { id: 11, callFrame: frame('writeFileSync', 'node:fs') },
    { id: 12, callFrame: frame('resolve', 'file:///app/node_modules/aws-cdk-lib/core/lib/lazy.js') },
    { id: 20, callFrame: frame('(garbage collector)', '') },
    { id: 30, callFrame: frame('post', 'file:///app/scripts/bench-profile.ts') },
  ],
  // Building, its resolve, references, their resolve, template, a Lazy's resolve in it, tree, aspects, the rest, GC, the profiler.
  samples: [3, 4, 6, 7, 8, 12, 9, 10, 11, 20, 30],
  timeDeltas: [1000, 2000, 500, 1500, 600, 400, 800, 200, 3000, 4000, 9000],
};

describe('where the synth time goes', () => {
  const { phases, resolving } = attributeProfile(PROFILE, 2);

  test('each sample counts for the innermost phase on its stack, per synth', () => {
    expect(phases).toEqual({
      [BUILDING]: 1.5,
      [ASPECTS]: 0.1,
      [REFERENCES]: 1,
      [TEMPLATE]: 0.5,
      [TREE]: 0.4,
      [REST]: 1.5,
      [GC_PHASE]: 2,
    });
  });

  test('the profiler\'s own samples count for nothing', () => {
    const total = Object.values(phases).reduce((sum, ms) => sum + ms, 0);
    expect(total).toBeCloseTo((1000 + 2000 + 500 + 1500 + 600 + 400 + 800 + 200 + 3000 + 4000) / 1000 / 2);
  });

  test('resolving is the time under aws-cdk-lib\'s resolver in any phase, not under another resolve', () => {
    expect(resolving).toBeCloseTo((2000 + 1500) / 1000 / 2);
  });

  test('a profile of real work holds its function', () => {
    function busyWorkOfTheTest(): number {
      let sum = 0;
      const until = Date.now() + 60;
      while (Date.now() < until) sum += Math.sqrt(sum + 1);
      return sum;
    }
    const profile = profileOf(() => busyWorkOfTheTest());
    const node = profile.nodes.find((n) => n.callFrame.functionName === 'busyWorkOfTheTest');
    expect(node).toBeDefined();
    expect(profile.samples.filter((id) => id === node!.id).length).toBeGreaterThan(0);
  });
});

describe('JSON values', () => {
  test('objects, arrays and every scalar count once each; keys do not', () => {
    expect(jsonValues({ a: [1, 'x', { b: null }], c: true })).toBe(7);
    expect(jsonValues('x')).toBe(1);
    expect(jsonValues([])).toBe(1);
  });
});

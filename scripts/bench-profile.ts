/**
 * Where the synth time goes, for scripts/bench.ts: a sampling CPU profile of a piece of work in this
 * process, each sample counted for the innermost part of building or synthesizing an app on its stack,
 * and the JSON values of a template, which synthesis resolves one by one.
 */
import * as inspector from 'inspector';

/** The JSON values of a template (objects, arrays, strings, numbers, booleans): what synthesis resolves, value by value. */
export function jsonValues(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + jsonValues(item), 1);
  if (value !== null && typeof value === 'object') return Object.values(value).reduce((sum: number, item) => sum + jsonValues(item), 1);
  return 1;
}

/**
 * The parts of building and synthesizing an app, each named by the function of aws-cdk-lib (or of the
 * benchmark: `buildSide`) that runs it; a sample counts for the innermost of them on its stack. The
 * names are those of aws-cdk-lib's JavaScript.
 */
export const PHASES: ReadonlyArray<readonly [string, RegExp]> = [
  ['building the constructs (constructors)', /^buildSide$/],
  ['aspects', /^invokeAspects(V2)?$/],
  ['references between resources (prepareApp: every value resolved once)', /^prepareApp$/],
  ['the template (every value resolved again)', /^_synthesizeTemplate$/],
  ['tree metadata, tree.json (every L1 property resolved again)', /^_synthesizeTree$/],
  ['the rest of synthesis (artifacts, manifest, files)', /^synth$/],
];
/** V8 counts garbage collection apart from any stack, under a frame of this name. */
export const GC_PHASE = 'garbage collection';
const GC_FRAME = '(garbage collector)';
/** aws-cdk-lib's resolver, which every phase of synthesis calls on every value. */
const RESOLVE_FILE = /core[\\/]lib[\\/]private[\\/]resolve\.js$/;

/** A function on the stack of a sample, and the functions it called. */
export interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: number[];
}

/** The parts of a V8 CPU profile (`Profiler.stop`) read here. */
export interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>;
  readonly samples: number[];
  /** Microseconds before each sample. */
  readonly timeDeltas: number[];
}

export interface SynthProfile {
  /** CPU milliseconds per synth by phase (PHASES, and garbage collection). */
  readonly phases: Record<string, number>;
  /** CPU milliseconds per synth in aws-cdk-lib's resolve, whatever the phase. */
  readonly resolving: number;
}

/**
 * The milliseconds per synth of each phase in a profile of `synths` synths. A sample under none of the
 * phases (the profiler itself, reading the template back) is not counted.
 */
export function attributeProfile(profile: CpuProfile, synths: number): SynthProfile {
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const phases: Record<string, number> = Object.fromEntries([...PHASES.map(([name]) => [name, 0]), [GC_PHASE, 0]]);
  let resolving = 0;
  profile.samples.forEach((id, i) => {
    const ms = profile.timeDeltas[i] / 1000 / synths;
    let phase: string | undefined;
    let resolves = false;
    for (let node: number | undefined = id; node !== undefined; node = parent.get(node)) {
      const frame = byId.get(node)!.callFrame;
      phase ??= PHASES.find(([, name]) => name.test(frame.functionName))?.[0];
      resolves ||= frame.functionName === 'resolve' && RESOLVE_FILE.test(frame.url);
    }
    if (byId.get(id)!.callFrame.functionName === GC_FRAME) phases[GC_PHASE] += ms;
    else if (phase) phases[phase] += ms;
    if (resolves) resolving += ms;
  });
  return { phases, resolving };
}

/** A sampling CPU profile (every 200 microseconds) of `work`, run in this process. */
export function profileOf(work: () => void): CpuProfile {
  const session = new inspector.Session();
  session.connect();
  // In-process inspector sessions answer synchronously.
  const post = (method: string, params?: object): any => {
    let answer: any;
    session.post(method, params ?? {}, (error, result) => {
      if (error) throw error;
      answer = result;
    });
    return answer;
  };
  try {
    post('Profiler.enable');
    post('Profiler.setSamplingInterval', { interval: 200 });
    post('Profiler.start');
    work();
    return post('Profiler.stop').profile;
  } finally {
    session.disconnect();
  }
}

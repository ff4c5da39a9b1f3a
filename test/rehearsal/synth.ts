/**
 * Whole apps as CloudFormation sees them: every stack's template, its region, and the order in which
 * `cdk deploy --all` deploys the stacks (dependencies first, one after another).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';

/** The feature flags of an app: none at all, or those `cdk init` writes into cdk.json. */
export type FlagSet = 'none' | 'cdk-init';

/** Both flag sets: users have both, so the rehearsal runs under both. */
export const FLAG_SETS: FlagSet[] = ['none', 'cdk-init'];

/** A program, or one version of it: it adds stacks to the app. */
export type Build = (app: App) => void;

/** A CloudFormation template, as JSON. */
export type Template = { Resources?: Record<string, CfnResource>; Outputs?: Record<string, any>; Parameters?: Record<string, any> };

/** A resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly [key: string]: any;
}

/** One stack of a synthesized app. */
export interface StackTemplate {
  /** The artifact id (for a stack at the top of an app, its name). */
  readonly id: string;
  readonly stackName: string;
  /** The concrete region, undefined for an environment-agnostic stack. */
  readonly region?: string;
  readonly template: Template;
  /** The ids of the stacks this one depends on. */
  readonly dependencies: string[];
}

/** A synthesized app: every stack's template by artifact id. */
export interface SynthesizedApp {
  readonly stacks: Record<string, StackTemplate>;
  /** The artifact ids in the order `cdk deploy --all` deploys them. */
  readonly order: string[];
  /** The warnings of the synthesis (errors make `synthApp` throw, as the CLI refuses to deploy). */
  readonly warnings: string[];
  /**
   * In version 2 of an update, the resources (`stack/logicalId`) the update replaces: a reference to
   * one names the new resource, not the one version 1 referenced.
   */
  readonly replaced?: ReadonlySet<string>;
}

/** The context of a new app under a flag set. */
export function contextOf(flags: FlagSet): Record<string, unknown> {
  return flags === 'cdk-init' ? { ...cxapi.CURRENTLY_RECOMMENDED_FLAGS } : {};
}

/**
 * Builds the program in a new app with the flag set and synthesizes the whole assembly. Throws what
 * the construct throws, and an error naming each error annotation (the CLI deploys nothing then).
 */
export function synthApp(build: Build, flags: FlagSet): SynthesizedApp {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'rehearsal-'));
  try {
    const app = new App({ outdir, context: contextOf(flags) });
    build(app);
    const assembly = app.synth();
    const artifacts = assembly.stacksRecursively;
    const errors = artifacts.flatMap((a) => a.messages.filter((m) => m.level === 'error').map((m) => `[${m.id}] ${m.entry.data}`));
    if (errors.length > 0) throw new Error(errors.join('\n'));
    const ids = new Set(artifacts.map((a) => a.id));
    const stacks: Record<string, StackTemplate> = {};
    for (const artifact of artifacts) {
      const region = artifact.environment.region;
      stacks[artifact.id] = {
        id: artifact.id,
        stackName: artifact.stackName,
        region: region === cxapi.UNKNOWN_REGION ? undefined : region,
        template: artifact.template,
        dependencies: artifact.dependencies.map((d) => d.id).filter((id) => ids.has(id)),
      };
    }
    const warnings = artifacts.flatMap((a) => a.messages.filter((m) => m.level === 'warning').map((m) => `[${m.id}] ${m.entry.data}`));
    return { stacks, order: deployOrder(stacks, artifacts.map((a) => a.id)), warnings };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * An app made of hand-written templates, for the unit tests of the checkers. The stacks deploy in
 * the order given, after the stacks each depends on.
 */
export function appOf(templates: Record<string, Template>, dependencies: Record<string, string[]> = {}): SynthesizedApp {
  const stacks: Record<string, StackTemplate> = {};
  for (const [id, template] of Object.entries(templates)) {
    stacks[id] = { id, stackName: id, template, dependencies: dependencies[id] ?? [] };
  }
  return { stacks, order: deployOrder(stacks, Object.keys(templates)), warnings: [] };
}

/** Dependencies first; otherwise the assembly's order, as the CLI does. */
function deployOrder(stacks: Record<string, StackTemplate>, assemblyOrder: string[]): string[] {
  const order: string[] = [];
  const visit = (id: string, seen: string[]) => {
    if (order.includes(id) || seen.includes(id)) return;
    for (const dependency of stacks[id].dependencies) visit(dependency, [...seen, id]);
    order.push(id);
  };
  for (const id of assemblyOrder) visit(id, []);
  return order;
}

/**
 * Synthesis is the cost of the rehearsal: an app is synthesized once per program and flag set.
 * Programs are told apart by identity (the same function object), so rows that start from one
 * program share its synthesis. The result is read, never changed, so sharing it is safe.
 */
const cache = new Map<Build, Map<FlagSet, SynthesizedApp | Error>>();

/** `synthApp`, memoized per program and flag set; a thrown error is thrown again. */
export function cachedSynth(build: Build, flags: FlagSet): SynthesizedApp {
  const perFlags = cache.get(build) ?? new Map<FlagSet, SynthesizedApp | Error>();
  cache.set(build, perFlags);
  if (!perFlags.has(flags)) {
    try {
      perFlags.set(flags, synthApp(build, flags));
    } catch (error) {
      perFlags.set(flags, error as Error);
    }
  }
  const result = perFlags.get(flags)!;
  if (result instanceof Error) throw result;
  return result;
}

/**
 * The rehearsal of one change a user makes to a running app: version 1 and version 2 of the program,
 * what the change should do to the live stack, and every check of what AWS enforces.
 */
import { checkCertificates, checkCreate } from './keys';
import { checkRouting } from './routing';
import { Build, cachedSynth, FlagSet, SynthesizedApp } from './synth';
import { checkUpdate, Replacement, UpdateReport } from './update';

/**
 * What the change does to the live stack: an update in place, the replacement of these resource
 * types (short names, once per resource: `['TargetGroup', 'TargetGroup']`), or a refusal at synth
 * whose message matches (version 2 throws, naming the construct and a way out).
 */
export type Expectation = 'in place' | { readonly replaces: string[] } | { readonly refused: RegExp };

/** A known bug that makes the row fail today: the issue point, for every flag set or for some. */
export type Broken = string | Partial<Record<FlagSet, string>>;

/** One change users make. */
export interface Row {
  readonly name: string;
  readonly v1: Build;
  readonly v2: Build;
  readonly expect: Expectation;
  /** What users see happen, for the table of docs/updates.md. */
  readonly note?: string;
  /** The row fails today because of this issue point: it runs as `test.failing` until the fix lands. */
  readonly broken?: Broken;
  /**
   * What AWS does with the update when it is deployed after an odd-numbered deployment of ECS (all traffic on the
   * alternate target groups) and differs from an update made after an even one: the listener-rule function
   * refuses it (its message matches) and the stack rolls back.
   */
  readonly afterOddDeployment?: { readonly refused: RegExp };
  /** Deletes the cleanup pass skips, known and harmless (their reason matches), with why in `note`. */
  readonly skippedDeletes?: RegExp;
}

/** One app users create: every check of what AWS enforces at create. */
export interface CreateRow {
  readonly name: string;
  readonly app: Build;
  readonly broken?: Broken;
}

/** The issue point that breaks the row under this flag set, if any. */
export function brokenUnder(broken: Broken | undefined, flags: FlagSet): string | undefined {
  return typeof broken === 'string' ? broken : broken?.[flags];
}

/** The short name of a resource type: AWS::ElasticLoadBalancingV2::TargetGroup -> TargetGroup. */
export function shortType(type: string): string {
  return type.split('::').pop()!;
}

/** What a rehearsal found: every problem, one line each (none: the change does what the row says). */
export interface Rehearsal {
  readonly problems: string[];
  readonly update?: UpdateReport;
}

/** The problems of an app at create: unique keys held twice, two certificates for a name, requests routed elsewhere. */
export function createProblems(app: SynthesizedApp, label: string): string[] {
  return [...checkCreate(app), ...checkCertificates(app), ...checkRouting(app)].map((p) => `${label}: ${p}`);
}

/** Synthesizes both versions under the flag set and checks everything the row promises. */
export function rehearse(row: Row, flags: FlagSet): Rehearsal {
  const v1 = cachedSynth(row.v1, flags);
  let v2: SynthesizedApp;
  try {
    v2 = cachedSynth(row.v2, flags);
  } catch (error) {
    return { problems: refusalProblems(row.expect, (error as Error).message) };
  }
  if (typeof row.expect === 'object' && 'refused' in row.expect) {
    return { problems: [`v2 synthesizes, but the row expects it refused with ${row.expect.refused}`] };
  }
  const update = checkUpdate(v1, v2);
  const problems = [
    ...createProblems(v1, 'v1'),
    ...createProblems(v2, 'v2'),
    ...update.conflicts.map((p) => `update: ${p}`),
    ...update.removedSettings.map((p) => `update: ${p}`),
    ...update.exports.map((p) => `update: ${p}`),
    ...update.rewrittenWeights.map((p) => `update: ${p}`),
  ];
  const expected = row.expect === 'in place' ? [] : [...row.expect.replaces].sort();
  const replaced = update.replacements.map((r) => shortType(r.type)).sort();
  if (JSON.stringify(replaced) !== JSON.stringify(expected)) {
    problems.push(`update replaces [${replaced.join(', ')}], the row expects [${expected.join(', ')}]: ${describe(update.replacements)}` +
      ` (also replaced: ${describe(update.otherReplacements) || 'nothing'})`);
  }
  return { problems, update };
}

function describe(replacements: Replacement[]): string {
  return replacements.map((r) => `${r.stack}/${r.logicalId} ${r.impact}`).join(', ');
}

/** A refusal must be the expected one, name the construct (`[Stack/Path]`) and say what to do instead. */
function refusalProblems(expect: Expectation, message: string): string[] {
  if (!(typeof expect === 'object' && 'refused' in expect)) return [`v2 is refused at synth: ${message}`];
  const problems: string[] = [];
  if (!expect.refused.test(message)) problems.push(`v2 is refused with "${message}", not ${expect.refused}`);
  // aws-cdk-lib's ValidationError lists each refusal on a line of its own, at its construct's path.
  if (!/^ *\[[^\]]+\/[^\]]+\] /m.test(message)) problems.push(`the refusal does not name the construct path: ${message}`);
  if (!/\b(Give|Use|Remove|Set|Add|Move|Place|Pass|Leave|Create|Choose)\b/.test(message)) problems.push(`the refusal gives no way out: ${message}`);
  return problems;
}

/** The problems of an app at create, under the flag set. */
export function rehearseCreate(row: CreateRow, flags: FlagSet): string[] {
  return createProblems(cachedSynth(row.app, flags), 'app');
}

/** What a row says the change does, in words. */
export function describeExpectation(expect: Expectation): string {
  if (expect === 'in place') return 'in place';
  if ('refused' in expect) return 'refused at synth';
  const counts = new Map<string, number>();
  for (const type of expect.replaces) counts.set(type, (counts.get(type) ?? 0) + 1);
  const words = [...counts].map(([type, count]) => `${count > 1 ? `${count} ` : ''}${splitWords(type)}${count > 1 ? 's' : ''}`);
  return `replaces the ${words.join(', the ')}`;
}

/** TargetGroup -> target group. */
function splitWords(type: string): string {
  return type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/**
 * The rows as the table of "Changing a running service" (docs/updates.md): each change and what it does to a
 * live stack (what each passing row proves). A row that is broken today says so, with its issue.
 */
export function renderChangeTable(rows: Row[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const lines = ['| change | what it does to a running stack | if the update fails and rolls back |', '| --- | --- | --- |'];
  for (const row of rows) {
    const issues = typeof row.broken === 'string' ? [row.broken]
      : Object.entries(row.broken ?? {}).map(([flags, issue]) => `${issue} with the ${flags} flags`);
    const today = issues.length > 0 ? ` (broken today: ${issues.join(', ')})` : '';
    const note = row.note ? `: ${row.note}` : '';
    lines.push(`| ${escape(row.name)} | ${describeExpectation(row.expect)}${note}${today} | ${escape(describeRollback(row))} |`);
  }
  return lines.join('\n');
}

/** What a failed update of the row leaves, as the lifecycle rehearsal proves it. */
export function describeRollback(row: Row): string {
  if (typeof row.expect === 'object' && 'refused' in row.expect) return 'nothing deploys';
  const back = 'version 1 again: every rule on its listener, with the weights ECS set, forwarding to healthy targets; nothing left behind';
  if (row.afterOddDeployment) return `${back}. After an odd-numbered deployment the function refuses the update itself (see [the function never moves traffic onto a target group with no healthy target](deployments.md#the-function-never-moves-traffic-onto-a-target-group-with-no-healthy-target)), with the same result`;
  return back;
}

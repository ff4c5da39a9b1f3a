/**
 * What happens when version 2 of an app is deployed over version 1. The model (REFERENCE.md
 * section 9): `cdk deploy --all` updates the stacks one after another in dependency order; within a
 * stack, CloudFormation creates new and replacement resources (and updates the others) first, and
 * deletes old ones in the cleanup at the end of that stack's update. A stack that version 2 no
 * longer has is not deleted by a deploy: its resources stay.
 */
import { fullDiff, ResourceImpact } from '@aws-cdk/cloudformation-diff';
import { holderName, holdersByKey, AWS_KINDS, KEY_RULES, KeyHolder } from './keys';
import { exportsOf, importsOf } from './resolve';
import { SynthesizedApp } from './synth';

/** The resource types whose replacement takes a running service down or moves its traffic. */
export const WATCHED_TYPES = [
  'AWS::ECS::Service',
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::ElasticLoadBalancingV2::TargetGroup',
  'AWS::ElasticLoadBalancingV2::Listener',
];

/** A resource that the update replaces (per `@aws-cdk/cloudformation-diff`). */
export interface Replacement {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly impact: ResourceImpact;
}

/** What the update does that AWS refuses or keeps behind. */
export interface UpdateReport {
  /** A unique key taken by a new, replaced or moved resource while its old holder still holds it. */
  readonly conflicts: string[];
  /** Replacements of the watched types: a table row says which it expects. */
  readonly replacements: Replacement[];
  /** Replacements of other types, for the reader of a failure. */
  readonly otherReplacements: Replacement[];
  /** ECS service settings removed from the template: ECS keeps their old value. */
  readonly removedSettings: string[];
  /** Exports removed or changed while a stack still imports them: CloudFormation refuses. */
  readonly exports: string[];
  /** Production rules (weighted forward to two target groups) the update rewrites: the weights ECS set are lost. */
  readonly rewrittenWeights: string[];
}

const REPLACING: string[] = [ResourceImpact.WILL_REPLACE, ResourceImpact.MAY_REPLACE];

/** The change of every resource of every stack: `stack/logicalId` to its impact. */
export function impactsOf(v1: SynthesizedApp, v2: SynthesizedApp): Map<string, ResourceImpact> {
  const impacts = new Map<string, ResourceImpact>();
  for (const stackId of new Set([...Object.keys(v1.stacks), ...Object.keys(v2.stacks)])) {
    const before = v1.stacks[stackId]?.template ?? {};
    const after = v2.stacks[stackId]?.template;
    for (const logicalId of Object.keys(after?.Resources ?? {})) impacts.set(`${stackId}/${logicalId}`, ResourceImpact.NO_CHANGE);
    // A stack that version 2 no longer has is not deployed: nothing of it changes.
    if (!after) continue;
    fullDiff(before, after).resources.forEachDifference((logicalId, change) => {
      impacts.set(`${stackId}/${logicalId}`, change.changeImpact);
    });
  }
  return impacts;
}

/**
 * What deploying `v2` over `v1` does, stack after stack. Replacements are cfn-diff's: within a stack it
 * carries a replacement on to the resources whose replacing property references the replaced one.
 */
export function checkUpdate(v1: SynthesizedApp, v2: SynthesizedApp): UpdateReport {
  const impacts = impactsOf(v1, v2);
  const replacements: Replacement[] = [];
  for (const [name, impact] of impacts) {
    if (!REPLACING.includes(impact)) continue;
    const [stack, logicalId] = name.split('/');
    replacements.push({ stack, logicalId, type: v2.stacks[stack].template.Resources![logicalId].Type, impact });
  }
  // In version 2, a reference to a replaced resource names its replacement: a listener of a replaced
  // load balancer is on another load balancer, an export of a replaced resource has another value.
  const after = { ...v2, replaced: new Set(replacements.map(holderName)) };
  return {
    conflicts: keyConflicts(v1, after, impacts),
    replacements: replacements.filter((r) => WATCHED_TYPES.includes(r.type)),
    otherReplacements: replacements.filter((r) => !WATCHED_TYPES.includes(r.type)),
    removedSettings: removedServiceSettings(v1, v2, impacts),
    exports: exportsInUse(v1, after),
    rewrittenWeights: rewrittenProductionRules(v1, v2, impacts),
  };
}

/**
 * When a step of the deployment happens: the stack's place in version 2's deploy order, and the phase
 * within that stack's update (0: creates and updates; 1: the cleanup that deletes). Infinity: never.
 */
type Moment = [number, number];
const NEVER: Moment = [Infinity, 0];
const before = (a: Moment, b: Moment) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

function keyConflicts(v1: SynthesizedApp, v2: SynthesizedApp, impacts: Map<string, ResourceImpact>): string[] {
  const oldKeys = holdersByKey(v1, AWS_KINDS);
  const newKeys = holdersByKey(v2, AWS_KINDS);
  const heldIn = (keys: Map<string, KeyHolder[]>, key: string, name: string) => (keys.get(key) ?? []).some((h) => holderName(h) === name);
  const conflicts: string[] = [];
  for (const [key, holders] of newKeys) {
    for (const holder of holders) {
      const name = holderName(holder);
      const impact = impacts.get(name)!;
      const isReplaced = REPLACING.includes(impact);
      const taking = impact === ResourceImpact.WILL_CREATE ? 'is created on' : isReplaced ? 'is replaced on' : 'moves onto';
      // A resource that kept its key in place takes nothing.
      if (!isReplaced && impact !== ResourceImpact.WILL_CREATE && heldIn(oldKeys, key, name)) continue;
      const takenAt: Moment = [v2.order.indexOf(holder.stack), 0];
      for (const old of oldKeys.get(key) ?? []) {
        const oldName = holderName(old);
        // The same resource replaced: the replacement is created while the old one holds the key.
        if (oldName === name && !isReplaced) continue;
        const releasedAt = oldName === name ? [takenAt[0], 1] as Moment : releaseOf(old, v2, impacts, newKeys);
        if (before(releasedAt, takenAt)) continue;
        conflicts.push(`${KEY_RULES[holder.kind]}: ${name} ${taking} ${key} while ${oldName} still holds it (${whenReleased(releasedAt, takenAt)})`);
      }
    }
  }
  return conflicts;
}

/** When an old holder lets go of its key during the deployment of version 2. */
function releaseOf(old: KeyHolder, v2: SynthesizedApp, impacts: Map<string, ResourceImpact>, newKeys: Map<string, KeyHolder[]>): Moment {
  const place = v2.order.indexOf(old.stack);
  if (place < 0) return NEVER; // its stack is not deployed, so not changed
  const impact = impacts.get(holderName(old));
  // Removed or replaced: deleted in the cleanup of its stack. Retained (orphaned): never.
  if (impact === undefined || impact === ResourceImpact.WILL_DESTROY || REPLACING.includes(impact)) return [place, 1];
  if (impact === ResourceImpact.WILL_ORPHAN) return NEVER;
  // Still in version 2 on the same key: never. Moved to another key in place: during its stack's update.
  return (newKeys.get(old.key) ?? []).some((h) => holderName(h) === holderName(old)) ? NEVER : [place, 0];
}

function whenReleased(releasedAt: Moment, takenAt: Moment): string {
  if (releasedAt[0] === Infinity) return 'it is never removed: its stack is not deployed, or it is kept';
  if (releasedAt[0] > takenAt[0]) return 'its stack is deployed later';
  return releasedAt[1] === 1 ? 'it is deleted only in the cleanup, after the new one is created' : 'both change in one stack update, in no set order';
}

/**
 * Removals ECS treats as harmless, each with its reason. A path not here, present in version 1's
 * service and absent from version 2's, is reported: ECS keeps the last value it was given.
 */
const HARMLESS_REMOVALS: Record<string, (after: Record<string, any>) => boolean> = {
  // The library writes no desired count on purpose: ECS keeps the count autoscaling reached.
  'DesiredCount': () => true,
  // A strategy's own settings, when version 2 writes a strategy that does not read them.
  'DeploymentConfiguration.CanaryConfiguration': (after) => strategyOf(after) !== undefined && strategyOf(after) !== 'CANARY',
  'DeploymentConfiguration.LinearConfiguration': (after) => strategyOf(after) !== undefined && strategyOf(after) !== 'LINEAR',
  'DeploymentConfiguration.BakeTimeInMinutes': (after) => strategyOf(after) === 'ROLLING',
  // The switch from a launch type to capacity providers (when the service is not replaced).
  'LaunchType': (after) => after.CapacityProviderStrategy !== undefined,
};

function strategyOf(properties: Record<string, any>): string | undefined {
  return properties.DeploymentConfiguration?.Strategy;
}

/** The settings of a service: its top-level properties, and those of its deployment configuration. */
function settingPaths(properties: Record<string, any>): string[] {
  const paths = Object.keys(properties);
  const deployment = properties.DeploymentConfiguration;
  if (deployment && typeof deployment === 'object') paths.push(...Object.keys(deployment).map((key) => `DeploymentConfiguration.${key}`));
  return paths;
}

function removedServiceSettings(v1: SynthesizedApp, v2: SynthesizedApp, impacts: Map<string, ResourceImpact>): string[] {
  const removed: string[] = [];
  for (const [stackId, stack] of Object.entries(v1.stacks)) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      const after = v2.stacks[stackId]?.template.Resources?.[logicalId];
      const impact = impacts.get(`${stackId}/${logicalId}`);
      if (resource.Type !== 'AWS::ECS::Service' || after?.Type !== resource.Type || REPLACING.includes(impact!)) continue;
      const afterProperties = after.Properties ?? {};
      const kept = new Set(settingPaths(afterProperties));
      for (const path of settingPaths(resource.Properties ?? {})) {
        if (kept.has(path) || HARMLESS_REMOVALS[path]?.(afterProperties)) continue;
        removed.push(`${stackId}/${logicalId} removes ${path} instead of turning it off: ECS keeps ${JSON.stringify(valueAt(resource.Properties!, path))}`);
      }
    }
  }
  return removed;
}

function valueAt(properties: Record<string, any>, path: string): unknown {
  return path.split('.').reduce((value, key) => value?.[key], properties as any);
}

/**
 * An export that version 2 removes or changes while a stack still imports it. An importing stack lets
 * go of it only when it is deployed before the exporting one and no longer imports it.
 */
function exportsInUse(v1: SynthesizedApp, v2: SynthesizedApp): string[] {
  const refused: string[] = [];
  for (const exporter of Object.keys(v1.stacks)) {
    if (!v2.stacks[exporter]) continue;
    const after = exportsOf(v2, exporter);
    for (const [name, value] of exportsOf(v1, exporter)) {
      if (after.get(name) === value) continue;
      for (const importer of Object.keys(v1.stacks).filter((id) => importsOf(v1, id).has(name))) {
        const place = v2.order.indexOf(importer);
        const letsGo = place >= 0 && place < v2.order.indexOf(exporter) && !importsOf(v2, importer).has(name);
        if (letsGo) continue;
        refused.push(`${exporter} ${after.has(name) ? 'changes' : 'removes'} the export ${name} while ${importer} still imports it (Cannot ${after.has(name) ? 'update' : 'delete'} export ... as it is in use)`);
      }
    }
  }
  return refused;
}

/**
 * ELBv2 rules that forward to two or more target groups (a traffic-shifting production rule, whose
 * weights ECS moves) and that the update rewrites: CloudFormation writes the template's weights back
 * (issue 18.6). A rule whose template does not change, but names a replaced target group, is not
 * reported (cfn-diff calls it unchanged, as its forward updates in place): the replaced groups start
 * empty anyway (issue 18.7, documented downtime).
 */
function rewrittenProductionRules(v1: SynthesizedApp, v2: SynthesizedApp, impacts: Map<string, ResourceImpact>): string[] {
  const rewritten: string[] = [];
  for (const [stackId, stack] of Object.entries(v1.stacks)) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      if (resource.Type !== 'AWS::ElasticLoadBalancingV2::ListenerRule') continue;
      const groups = (resource.Properties?.Actions ?? []).flatMap((action: any) => action.ForwardConfig?.TargetGroups ?? []);
      const impact = impacts.get(`${stackId}/${logicalId}`);
      // Unchanged, or removed with its service (no loss), or in a stack that is not deployed.
      const untouched = impact === undefined || impact === ResourceImpact.NO_CHANGE || impact === ResourceImpact.WILL_DESTROY;
      if (groups.length < 2 || untouched || !v2.stacks[stackId]) continue;
      const how = impact === ResourceImpact.WILL_UPDATE ? 'rewrites' : 'replaces';
      rewritten.push(`${stackId}/${logicalId}: the update ${how} a production rule, so the weights ECS set are lost (CloudFormation writes the template's weights)`);
    }
  }
  return rewritten;
}

/**
 * A row of the rehearsal played through the model of AWS (test/aws): version 1 created, ECS's deployments
 * made, version 2 deployed in CloudFormation's passes (dependency order, then the cleanup pass with the
 * roles as the update left them), with the function's calls checked by IAM against the role's policy of
 * that moment, and ELB answering as its API reference shows. Once the update succeeds; once it fails at
 * its last resource and rolls back. After each, what users and operators see:
 *
 * - no stack stuck (`*_FAILED`), and no delete skipped by the cleanup pass;
 * - every rule of the stacks on the listener it belongs to, at the physical id CloudFormation holds;
 * - every forward that requests can reach sends them only to target groups with healthy targets;
 * - no rule, listener, target group or load balancer left that no stack owns.
 */
import { SynthesizedApp } from './synth';
import { AppDeployResult, CloudFormation, World } from '../aws/cloudformation';

/** The moment of ECS's life when version 2 is deployed. */
export type Moment = 'even' | 'odd';

/** What deploying version 2 after version 1 did. */
export interface LifecycleRun {
  /** The status of each stack of version 2's deploy, and the reason of a failed one. */
  readonly statuses: Record<string, string>;
  /** Problems found after it, one line each (none: the app serves as it should). */
  readonly problems: string[];
  /** Why the first stack that failed failed (its status reason). */
  readonly failure?: string;
  /** The stack a failure was injected in (none when the update creates and changes nothing). */
  readonly failStack?: string;
}

/**
 * Creates `v1`, makes one ECS deployment of every traffic-shifting service when `moment` is odd (all traffic
 * then on the alternate target groups), deploys `v2` (failing at its last resource when `rollback`), and
 * checks the world against the templates the stacks hold at the end.
 */
export async function playUpdate(v1: SynthesizedApp, v2: SynthesizedApp, moment: Moment, rollback: boolean): Promise<LifecycleRun> {
  const cf = new CloudFormation();
  const created = await cf.deployApp(v1);
  const createProblems = failedStacks(created).map((p) => `create of v1: ${p}`);
  if (createProblems.length > 0) return { statuses: statusesOf(created), problems: createProblems };
  if (moment === 'odd') {
    for (const service of [...cf.services.values()]) {
      if (service.loadBalancers.some((lb) => lb.AdvancedConfiguration)) await cf.ecsDeploy(service.stackName, service.logicalId);
    }
  }
  // The update fails at the last resource of the last stack where it creates or changes one (an update that only
  // removes resources has nothing to fail at before its cleanup pass).
  const changed = v2.order.filter((id) => Object.entries(v2.stacks[id].template.Resources ?? {})
    .some(([logicalId, resource]) => JSON.stringify(v1.stacks[id]?.template.Resources?.[logicalId]) !== JSON.stringify(resource)));
  const failStack = rollback ? changed[changed.length - 1] : undefined;
  const updated = await cf.deployApp(v2, failStack ? { failAt: 'last', failStack } : {});
  const statuses = statusesOf(updated);
  const failed = Object.values(updated.results).find((r) => !['CREATE_COMPLETE', 'UPDATE_COMPLETE'].includes(r.status));
  const problems = [
    ...Object.values(updated.results).filter((r) => /FAILED$/.test(r.status)).map((r) => `${r.stackName} is stuck in ${r.status}: ${r.statusReason ?? ''}`),
    ...Object.values(updated.results).flatMap((r) => r.skippedDeletes.map((d) => `${r.stackName}: the cleanup pass skipped the delete of ${d.logicalId} (${d.type} ${d.physicalId}): ${d.reason}`)),
    ...checkWorld(cf),
  ];
  return { statuses, problems, failure: failed?.statusReason, failStack };
}

/** Creates `app` in the model of AWS: the status of each stack, and the problems of the world then. */
export async function playCreate(app: SynthesizedApp): Promise<LifecycleRun> {
  const cf = new CloudFormation();
  const created = await cf.deployApp(app);
  return { statuses: statusesOf(created), problems: [...failedStacks(created), ...checkWorld(cf)] };
}

function statusesOf(result: AppDeployResult): Record<string, string> {
  return Object.fromEntries(Object.entries(result.results).map(([stack, r]) => [stack, r.status]));
}

function failedStacks(result: AppDeployResult): string[] {
  return Object.values(result.results).filter((r) => r.status !== 'CREATE_COMPLETE' && r.status !== 'UPDATE_COMPLETE')
    .map((r) => `${r.stackName} ${r.status}: ${r.statusReason ?? ''}`);
}

/** The world as the stacks' templates say it should be, one line per difference. */
export function checkWorld(cf: CloudFormation): string[] {
  const world = cf.world();
  const problems: string[] = [];
  const left = world.leftBehind;
  for (const [kind, arns] of Object.entries(left)) {
    for (const arn of arns) problems.push(`left behind, owned by no stack: ${kind.replace(/s$/, '')} ${arn}`);
  }
  problems.push(...rulesWhereTheyBelong(cf, world), ...forwardsToHealthyTargets(world));
  return problems;
}

/** Every listener rule a stack holds is on the listener its template names, under the physical id the stack holds. */
function rulesWhereTheyBelong(cf: CloudFormation, world: World): string[] {
  const problems: string[] = [];
  const ruleListener = new Map(world.listeners.flatMap((l) => l.rules.map((r) => [r.RuleArn, l.ListenerArn] as const)));
  for (const stack of cf.stacks.values()) {
    for (const resource of stack.resources.values()) {
      if (resource.type !== 'Custom::PrivateFargateListenerRule' && resource.type !== 'AWS::ElasticLoadBalancingV2::ListenerRule') continue;
      const on = ruleListener.get(resource.physicalId);
      if (on === undefined) problems.push(`${stack.name}/${resource.logicalId}: its rule ${resource.physicalId} does not exist`);
      else if (on !== resource.properties.ListenerArn) problems.push(`${stack.name}/${resource.logicalId}: its rule is on ${on}, its template names ${resource.properties.ListenerArn}`);
    }
  }
  return problems;
}

/**
 * Every forward that a request can reach sends it only to target groups with a healthy target: the rules'
 * forwards with a weight above 0, and the listener's default action unless a rule of the listener takes every
 * request (a path-pattern of `/*` alone, as a production rule is).
 */
function forwardsToHealthyTargets(world: World): string[] {
  const healthy = new Map(world.targetGroups.map((tg) => [tg.TargetGroupArn, tg.healthy.length]));
  const problems: string[] = [];
  for (const listener of world.listeners) {
    const catchAll = listener.rules.some((r) => r.Priority !== 'default' && takesEveryRequest(r.conditions));
    for (const rule of listener.rules) {
      if (rule.Priority === 'default' && catchAll) continue;
      for (const [group, weight] of Object.entries(rule.forwards)) {
        if (weight > 0 && !healthy.get(group)) {
          problems.push(`${listener.ListenerArn} (port ${listener.Port}) rule ${rule.Priority}: ${weight} of its requests go to ${group}, which has no healthy target`);
        }
      }
    }
  }
  return problems;
}

function takesEveryRequest(conditions: unknown[]): boolean {
  return conditions.length === 1 && JSON.stringify(conditions).includes('"/*"') && (conditions[0] as { Field?: string }).Field === 'path-pattern'
    && ((conditions[0] as any).PathPatternConfig?.Values ?? (conditions[0] as any).Values ?? []).length === 1;
}

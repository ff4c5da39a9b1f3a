/**
 * A small CloudFormation that deploys synthesized templates against the ELB and IAM models, in the passes
 * CloudFormation uses, and a small ECS that registers tasks and moves production traffic as ECS does.
 *
 * Sources:
 *  [Update]   CloudFormation User Guide, "Monitor the progress of a stack update" (new and replacement resources
 *             first, then UPDATE_COMPLETE_CLEANUP_IN_PROGRESS deletes the old ones) and "Update behaviors of stack
 *             resources" (no interruption / some interruption / replacement: "CloudFormation creates a new resource
 *             ... then deletes the old resource" in the cleanup).
 *  [Rollback] CloudFormation User Guide, "Monitor the progress of a stack update" (UPDATE_ROLLBACK_IN_PROGRESS,
 *             UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS, UPDATE_ROLLBACK_FAILED) and "Continue rolling back an update".
 *  [Ref10]    /work/shared/REFERENCE.md section 10: a DELETE that fails in the cleanup pass is skipped and the stack ends
 *             UPDATE_COMPLETE (aws-cdk-cli PR #1564); a rollback updates changed resources back under their current
 *             physical ids, then deletes what the update created; an Update returning a new PhysicalResourceId gets a
 *             Delete for the old one in the cleanup pass.
 *  [Custom]   CloudFormation User Guide, "Custom resources" / "Custom resource request objects" (RequestType,
 *             ResourceProperties, OldResourceProperties, PhysicalResourceId, StackId, RequestId, LogicalResourceId;
 *             property values arrive as strings) and "Custom resource response objects" (Data → Fn::GetAtt).
 *  [Intrinsic] CloudFormation User Guide, "Intrinsic function reference" and "Pseudo parameters reference".
 *  [Exports]  CloudFormation User Guide, "Get exported outputs from a deployed CloudFormation stack" ("You can't
 *             modify or remove an output value that is referenced by another stack").
 *  [ELBcfn]   CloudFormation template reference, AWS::ElasticLoadBalancingV2::LoadBalancer / Listener / ListenerRule /
 *             TargetGroup / ListenerCertificate (properties, Ref and Fn::GetAtt return values).
 *  [IAMcfn]   CloudFormation template reference, AWS::IAM::Role (Policies, ManagedPolicyArns; Ref: the name; Arn),
 *             AWS::IAM::Policy (Roles), AWS::IAM::ManagedPolicy, AWS::Lambda::Function (Role; Ref: the name; Arn).
 *  [ECS]      Amazon ECS Developer Guide, "Amazon ECS blue/green deployments", "canary deployments", "linear
 *             deployments" (new tasks in the alternate target group, production listener rule moved to it, old
 *             tasks stopped) and "Amazon ECS infrastructure IAM role for load balancers"; CreateService:
 *             "The target group ... does not have an associated load balancer" (InvalidParameterException).
 *  [Managed]  AWS Managed Policy Reference, AmazonECSInfrastructureRolePolicyForLoadBalancers, version v6 (default),
 *             edited February 12, 2026:
 *             https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSInfrastructureRolePolicyForLoadBalancers.html
 *             (document as mirrored by zoph-io/IAMTrail); AWSLambdaBasicExecutionRole.
 */
import { createHash } from 'crypto';
import * as path from 'path';
import { fullDiff } from '@aws-cdk/cloudformation-diff';
import { AwsError, ElbModel, targetGroupsOfActions } from './elb';
import { authorizedElb, evaluate, PolicyDocument } from './iam';
import type { SynthesizedApp } from '../rehearsal/synth';

/* ------------------------------------------------------------------------------------------------
 * Public shapes
 * ---------------------------------------------------------------------------------------------- */

export type Template = {
  Resources?: Record<string, any>;
  Outputs?: Record<string, any>;
  Parameters?: Record<string, any>;
  Conditions?: Record<string, any>;
  Mappings?: Record<string, any>;
};

export type StackStatus = 'CREATE_COMPLETE' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED' | 'UPDATE_COMPLETE' | 'UPDATE_ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_FAILED';

export interface StackEvent {
  readonly phase: 'create' | 'update' | 'cleanup' | 'rollback' | 'rollback-cleanup';
  readonly logicalId: string;
  readonly type: string;
  readonly status: string;
  readonly physicalId?: string;
  readonly reason?: string;
}

export interface SkippedDelete { readonly logicalId: string; readonly type: string; readonly physicalId: string; readonly reason: string }

export interface DeployResult {
  readonly stackName: string;
  readonly status: StackStatus;
  /** Why the stack rolled back, or why the rollback failed. */
  readonly statusReason?: string;
  /** Deletes that failed in the cleanup pass: skipped, the resource stays [Ref10]. */
  readonly skippedDeletes: SkippedDelete[];
  readonly events: StackEvent[];
}

export interface DeployOptions {
  /** `'last'`: the last resource the create/update pass changes fails; a logical id: that resource fails. */
  readonly failAt?: 'last' | string;
  readonly parameters?: Record<string, string>;
}

export interface AppDeployOptions {
  readonly failAt?: 'last' | string;
  /** The stack (artifact id) `failAt` applies to: by default the last one of the app's order. */
  readonly failStack?: string;
}

export interface AppDeployResult {
  /** By artifact id, the stacks deployed, in order. */
  readonly results: Record<string, DeployResult>;
  /** The stack whose failure stopped the deployment, as `cdk deploy --all` stops. */
  readonly stoppedAt?: string;
}

/** What the world looks like, for tests to compare with what a user expects. */
export interface World {
  readonly listeners: Array<{
    ListenerArn: string;
    LoadBalancerArn: string;
    Port: number;
    rules: Array<{ RuleArn: string; Priority: string; conditions: unknown[]; forwards: Record<string, number> }>;
  }>;
  readonly targetGroups: Array<{ TargetGroupArn: string; loadBalancers: string[]; healthy: string[]; targets: Record<string, string[]> }>;
  /** ELB resources that no stack's resources own any more. */
  readonly leftBehind: { loadBalancers: string[]; listeners: string[]; rules: string[]; targetGroups: string[] };
}

/** A resource as the stack holds it. */
export interface LiveResource {
  readonly logicalId: string;
  readonly type: string;
  physicalId: string;
  /** The properties as resolved at the resource's last create or update. */
  properties: Record<string, any>;
  attributes: Record<string, unknown>;
  readonly deletionPolicy?: string;
  readonly updateReplacePolicy?: string;
}

export interface StackState {
  readonly name: string;
  readonly id: string;
  template: Template;
  resources: Map<string, LiveResource>;
  outputs: Record<string, unknown>;
  exports: Map<string, string>;
  imports: Set<string>;
  status: StackStatus;
  statusReason?: string;
}

/** A custom resource function: gets the CloudFormation event and an ELB client with the function role's permissions. */
export type CustomHandler = (event: Record<string, any>, elb: ReturnType<typeof authorizedElb>)
=> Promise<{ PhysicalResourceId?: string; Data?: Record<string, unknown> }>;

export interface CloudFormationOptions {
  readonly elb?: ElbModel;
  /**
   * Which custom resource code a function runs: by default, a function whose inline code is the listener rule
   * handler (it names `Custom::PrivateFargateListenerRule`) runs `apply` of assets/listener-rule-handler/index.js.
   * Other functions' custom resources succeed without doing anything.
   */
  readonly handlerFor?: (functionProperties: Record<string, any>) => CustomHandler | undefined;
  /**
   * What a task answers a request the load balancer forwards to it, by the revision (task definition) it runs;
   * by default 200 "ok".
   */
  readonly answer?: (task: Task, request: AppRequest) => { status: number; body?: string };
}

/** A request as a task receives it. */
export interface AppRequest { method: string; url: string; path: string; headers: Record<string, string>; body?: string }

/** One call of a lifecycle hook, and the requests the function sent, each with where the load balancer routed it. */
export interface HookCall {
  readonly service: string;
  readonly stage: string;
  readonly status: string;
  readonly requests: Array<{ url: string; headers: Record<string, string>; rule: string; targetGroup?: string; target?: string; status: number }>;
}

/* ------------------------------------------------------------------------------------------------
 * IAM store
 * ---------------------------------------------------------------------------------------------- */

/** AmazonECSInfrastructureRolePolicyForLoadBalancers v6, the default version [Managed]. */
export const ECS_INFRASTRUCTURE_POLICY_FOR_LOAD_BALANCERS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'ELBReadOperations',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
      Resource: '*',
    },
    {
      Sid: 'TargetGroupOperations',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      Resource: 'arn:aws:elasticloadbalancing:*:*:targetgroup/*/*',
    },
    { Sid: 'ALBModifyListeners', Effect: 'Allow', Action: 'elasticloadbalancing:ModifyListener', Resource: ['arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*'] },
    { Sid: 'NLBModifyListeners', Effect: 'Allow', Action: 'elasticloadbalancing:ModifyListener', Resource: ['arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*'] },
    { Sid: 'ALBModifyRules', Effect: 'Allow', Action: 'elasticloadbalancing:ModifyRule', Resource: ['arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*/*'] },
  ],
};

/** AWSLambdaBasicExecutionRole (AWS Managed Policy Reference): CloudWatch Logs only. */
const LAMBDA_BASIC_EXECUTION: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
};

interface RoleState { name: string; arn: string; inline: Map<string, PolicyDocument>; managed: string[] }

/** Roles and their policies, as the IAM resources of the stacks leave them. */
export class IamStore {
  readonly roles = new Map<string, RoleState>();
  /** Policies attached by AWS::IAM::Policy resources: policy physical id → role names and document. */
  readonly attached = new Map<string, { roles: string[]; document: PolicyDocument }>();
  /** Managed policies by ARN: AWS managed ones known to the model, and the stacks' AWS::IAM::ManagedPolicy. */
  readonly managed = new Map<string, PolicyDocument>([
    ['arn:aws:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers', ECS_INFRASTRUCTURE_POLICY_FOR_LOAD_BALANCERS],
    ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole', LAMBDA_BASIC_EXECUTION],
  ]);
  /** Managed policy ARNs a role names that the model does not know: they grant nothing here. */
  readonly unknownManaged = new Set<string>();

  constructor(readonly account: string) {}

  /** The identity-based policies of a role (by ARN or name), as they are now. */
  policiesOf(role: string): PolicyDocument[] {
    const name = role.includes(':role/') ? role.slice(role.lastIndexOf('/') + 1) : role;
    const state = this.roles.get(name);
    if (!state) return [];
    const managed = state.managed.flatMap((arn) => {
      const document = this.managed.get(arn);
      if (!document) this.unknownManaged.add(arn);
      return document ? [document] : [];
    });
    const attached = [...this.attached.values()].filter((a) => a.roles.includes(name)).map((a) => a.document);
    return [...state.inline.values(), ...managed, ...attached];
  }
}

/* ------------------------------------------------------------------------------------------------
 * ECS store
 * ---------------------------------------------------------------------------------------------- */

/** A task: its address, and the revision (task definition) it runs. */
export interface Task { ip: string; revision?: string }
interface ServiceState {
  arn: string;
  name: string;
  stackName: string;
  logicalId: string;
  desired: number;
  tasks: Task[];
  /** The target group of each load balancer entry of the template (the primary). */
  loadBalancers: Array<{ TargetGroupArn: string; ContainerPort?: number; AdvancedConfiguration?: Record<string, string> }>;
  strategy: string;
  deployment: Record<string, any>;
  /** The group ECS believes serves production traffic (per load balancer entry). */
  serving: string[];
  taskDefinition?: string;
  /** The new tasks of a deployment under way, before they replace `tasks`. */
  starting?: Task[];
}

const BLUE_GREEN_STRATEGIES = ['BLUE_GREEN', 'CANARY', 'LINEAR'];
const REPLACING = ['WILL_REPLACE', 'MAY_REPLACE'];
const NO_VALUE = Symbol('AWS::NoValue');
const LISTENER_RULE_MARKER = 'Custom::PrivateFargateListenerRule';

class ResourceFailure extends Error {
  constructor(readonly logicalId: string, readonly cause: Error) {
    super(`${logicalId}: ${cause.name === 'Error' ? '' : `${cause.name}: `}${cause.message}`);
  }
}

/* ------------------------------------------------------------------------------------------------
 * CloudFormation
 * ---------------------------------------------------------------------------------------------- */

export class CloudFormation {
  readonly elb: ElbModel;
  readonly iam: IamStore;
  readonly region: string;
  readonly account: string;
  readonly stacks = new Map<string, StackState>();
  /** ECS services by ARN. */
  readonly services = new Map<string, ServiceState>();
  /** Every custom resource invocation: the event and the outcome. */
  readonly invocations: Array<{ event: Record<string, any>; outcome: string }> = [];
  /** Every call of a lifecycle hook. */
  readonly hookCalls: HookCall[] = [];
  private readonly answer: NonNullable<CloudFormationOptions['answer']>;
  /** The model's clock for the hooks (ms): ECS's waits between calls move it on. */
  private clock = Date.parse('2026-01-15T10:00:00Z');
  private readonly handlerFor: (functionProperties: Record<string, any>) => CustomHandler | undefined;
  private seq = 0;
  private ipSeq = 0;
  /** Resources of the stack being deployed, for look-ups across the pass (functions by ARN). */
  private pending: LiveResource[] = [];

  constructor(options: CloudFormationOptions = {}) {
    this.elb = options.elb ?? new ElbModel();
    this.region = this.elb.region;
    this.account = this.elb.account;
    this.iam = new IamStore(this.account);
    this.handlerFor = options.handlerFor ?? defaultHandlerFor;
    this.answer = options.answer ?? (() => ({ status: 200, body: 'ok' }));
  }

  /* ---------------------------------------------------------------------------------------------
   * Deploying
   * ------------------------------------------------------------------------------------------- */

  /** Creates the stack, or updates it, as `cdk deploy` of one stack does. */
  async deploy(stackName: string, template: Template, options: DeployOptions = {}): Promise<DeployResult> {
    const existing = this.stacks.get(stackName);
    // A stack in ROLLBACK_COMPLETE can only be deleted; the CLI deletes it and creates it again.
    if (!existing || existing.status === 'ROLLBACK_COMPLETE') return this.create(stackName, template, options);
    if (existing.status === 'UPDATE_ROLLBACK_FAILED' || existing.status === 'ROLLBACK_FAILED') {
      throw new Error(`Stack ${stackName} is in ${existing.status} state and can not be updated`);
    }
    return this.update(existing, template, options);
  }

  /** Deploys the stacks of an app in its order; the first failed stack stops the rest. Stacks the app no longer has stay. */
  async deployApp(app: SynthesizedApp, options: AppDeployOptions = {}): Promise<AppDeployResult> {
    const results: Record<string, DeployResult> = {};
    const failStack = options.failStack ?? app.order[app.order.length - 1];
    for (const id of app.order) {
      const stack = app.stacks[id];
      const result = await this.deploy(stack.stackName, stack.template as Template, { failAt: id === failStack ? options.failAt : undefined });
      results[id] = result;
      if (!['CREATE_COMPLETE', 'UPDATE_COMPLETE'].includes(result.status)) return { results, stoppedAt: id };
    }
    return { results };
  }

  private async create(stackName: string, template: Template, options: DeployOptions): Promise<DeployResult> {
    const stack: StackState = {
      name: stackName,
      id: `arn:aws:cloudformation:${this.region}:${this.account}:stack/${stackName}/${this.uuid()}`,
      template: {},
      resources: new Map(),
      outputs: {},
      exports: new Map(),
      imports: new Set(),
      status: 'CREATE_COMPLETE',
    };
    this.stacks.set(stackName, stack);
    const events: StackEvent[] = [];
    const ctx = this.context(stack, template, options, new Map());
    const order = this.order(template, ctx.conditions);
    const failing = options.failAt === 'last' ? order[order.length - 1] : options.failAt;
    const created: string[] = [];
    try {
      for (const logicalId of order) {
        const resource = template.Resources![logicalId];
        if (logicalId === failing) throw new ResourceFailure(logicalId, new Error('Resource creation failed (simulated by failAt)'));
        const properties = this.resolveProperties(ctx, resource);
        const live = await this.createResource(stack, logicalId, resource, properties);
        ctx.live.set(logicalId, live);
        created.push(logicalId);
        events.push({ phase: 'create', logicalId, type: resource.Type, status: 'CREATE_COMPLETE', physicalId: live.physicalId });
      }
      this.finishOutputs(stack, template, ctx);
    } catch (error) {
      const failure = asFailure(error);
      events.push({ phase: 'create', logicalId: failure.logicalId, type: template.Resources?.[failure.logicalId]?.Type ?? '', status: 'CREATE_FAILED', reason: failure.message });
      // A failed create rolls back by deleting what it made.
      let rollbackFailed: string | undefined;
      for (const logicalId of [...created].reverse()) {
        const live = ctx.live.get(logicalId)!;
        try {
          await this.deleteResource(stack, live);
          events.push({ phase: 'rollback', logicalId, type: live.type, status: 'DELETE_COMPLETE', physicalId: live.physicalId });
        } catch (e) {
          rollbackFailed ??= `${logicalId}: ${(e as Error).message}`;
          events.push({ phase: 'rollback', logicalId, type: live.type, status: 'DELETE_FAILED', physicalId: live.physicalId, reason: (e as Error).message });
        }
      }
      stack.template = {};
      stack.resources = rollbackFailed ? new Map([...ctx.live].filter(([, r]) => events.some((ev) => ev.logicalId === r.logicalId && ev.status === 'DELETE_FAILED'))) : new Map();
      stack.status = rollbackFailed ? 'ROLLBACK_FAILED' : 'ROLLBACK_COMPLETE';
      stack.statusReason = rollbackFailed ?? failure.message;
      return { stackName, status: stack.status, statusReason: stack.statusReason, skippedDeletes: [], events };
    }
    stack.template = clone(template);
    stack.resources = ctx.live;
    stack.status = 'CREATE_COMPLETE';
    stack.statusReason = undefined;
    return { stackName, status: stack.status, skippedDeletes: [], events };
  }

  private async update(stack: StackState, template: Template, options: DeployOptions): Promise<DeployResult> {
    const events: StackEvent[] = [];
    const before = new Map([...stack.resources].map(([id, r]) => [id, cloneLive(r)]));
    const old = stack.template;
    const ctx = this.context(stack, template, options, new Map([...stack.resources].map(([id, r]) => [id, cloneLive(r)])));
    const order = this.order(template, ctx.conditions);
    const impacts = templateImpacts(old, template);
    // 'last': the last resource the pass changes fails after its change was made (an ECS service that never becomes
    // stable, say), so that every change of the update is undone by the rollback.
    const failing = options.failAt === 'last' ? undefined : options.failAt;
    let lastChanged: string | undefined;

    /** Old physical resources to delete in the cleanup pass (replaced, or given up by a custom resource's Update). */
    const superseded: LiveResource[] = [];
    const created: string[] = [];
    const updated: string[] = [];

    const pass = async () => {
      for (const logicalId of order) {
        const resource = template.Resources![logicalId];
        if (logicalId === failing) throw new ResourceFailure(logicalId, new Error('Resource update failed (simulated by failAt)'));
        const properties = this.resolveProperties(ctx, resource);
        const previous = before.get(logicalId);
        if (!previous) {
          const live = await this.createResource(stack, logicalId, resource, properties);
          ctx.live.set(logicalId, live);
          created.push(logicalId);
          events.push({ phase: 'update', logicalId, type: resource.Type, status: 'CREATE_COMPLETE', physicalId: live.physicalId });
          continue;
        }
        const replace = previous.type !== resource.Type || REPLACING.includes(impacts.get(logicalId) ?? '')
          || (!sameJson(previous.properties, properties) && REPLACING.includes(resolvedImpact(resource.Type, previous.properties, properties)));
        if (replace) {
          // Replacement: the new resource now, the old one in the cleanup [Update].
          const live = await this.createResource(stack, logicalId, resource, properties);
          ctx.live.set(logicalId, live);
          created.push(logicalId);
          superseded.push(previous);
          events.push({ phase: 'update', logicalId, type: resource.Type, status: 'CREATE_COMPLETE (replacement)', physicalId: live.physicalId });
          continue;
        }
        if (sameJson(previous.properties, properties)) continue;
        const live = await this.updateResource(stack, previous, properties);
        ctx.live.set(logicalId, live);
        updated.push(logicalId);
        if (live.physicalId !== previous.physicalId) superseded.push(previous);
        events.push({ phase: 'update', logicalId, type: resource.Type, status: 'UPDATE_COMPLETE', physicalId: live.physicalId });
      }
      lastChanged = [...created, ...updated].sort((a, b) => order.indexOf(a) - order.indexOf(b)).pop();
      if (options.failAt === 'last' && lastChanged) throw new ResourceFailure(lastChanged, new Error('Resource update failed (simulated by failAt)'));
      // Outputs and exports, and the exports other stacks still import [Exports].
      this.finishOutputs(stack, template, ctx, true);
    };

    try {
      await pass();
    } catch (error) {
      const failure = asFailure(error);
      events.push({ phase: 'update', logicalId: failure.logicalId, type: template.Resources?.[failure.logicalId]?.Type ?? '', status: 'UPDATE_FAILED', reason: failure.message });
      return this.rollback(stack, old, before, ctx, { created, updated, superseded, failure, events, template });
    }

    // The cleanup pass: removed and replaced resources, in reverse dependency order of the old template, with
    // every role and policy as the update left them; a failed delete is skipped [Update; Ref10].
    const skippedDeletes: SkippedDelete[] = [];
    const removed = [...before.values()].filter((r) => !order.includes(r.logicalId));
    const oldOrder = this.order(old, this.conditionsOf(old, ctx.parameters, stack));
    const rank = (r: LiveResource) => { const i = oldOrder.indexOf(r.logicalId); return i < 0 ? Infinity : i; };
    const cleanup = [...removed.map((r) => ({ r, policy: r.deletionPolicy })), ...superseded.map((r) => ({ r, policy: r.updateReplacePolicy }))]
      .sort((a, b) => rank(b.r) - rank(a.r));
    for (const { r, policy } of cleanup) {
      if (policy === 'Retain' || policy === 'RetainExceptOnCreate') {
        events.push({ phase: 'cleanup', logicalId: r.logicalId, type: r.type, status: 'DELETE_SKIPPED', physicalId: r.physicalId });
        continue;
      }
      try {
        await this.deleteResource(stack, r);
        events.push({ phase: 'cleanup', logicalId: r.logicalId, type: r.type, status: 'DELETE_COMPLETE', physicalId: r.physicalId });
      } catch (error) {
        const reason = `${(error as Error).name}: ${(error as Error).message}`;
        skippedDeletes.push({ logicalId: r.logicalId, type: r.type, physicalId: r.physicalId, reason });
        events.push({ phase: 'cleanup', logicalId: r.logicalId, type: r.type, status: 'DELETE_FAILED', physicalId: r.physicalId, reason });
      }
    }
    stack.template = clone(template);
    stack.resources = new Map(order.map((id) => [id, ctx.live.get(id)!]));
    stack.status = 'UPDATE_COMPLETE';
    stack.statusReason = undefined;
    return { stackName: stack.name, status: stack.status, skippedDeletes, events };
  }

  /**
   * The rollback of a failed update [Rollback; Ref10]: resources the update changed are updated back to their old
   * properties under their current physical ids, in dependency order of the old template; then what the update
   * created is deleted, in reverse dependency order. A failure ends UPDATE_ROLLBACK_FAILED.
   */
  private async rollback(stack: StackState, old: Template, before: Map<string, LiveResource>, ctx: Context, run: {
    created: string[]; updated: string[]; superseded: LiveResource[]; failure: ResourceFailure; events: StackEvent[]; template: Template;
  }): Promise<DeployResult> {
    const { events } = run;
    const oldOrder = this.order(old, this.conditionsOf(old, ctx.parameters, stack));
    const restored = new Map(before);
    let failed: string | undefined;
    const toDelete: LiveResource[] = [];
    for (const logicalId of oldOrder.filter((id) => run.updated.includes(id))) {
      const current = ctx.live.get(logicalId)!;
      const previous = before.get(logicalId)!;
      try {
        const back = await this.updateResource(stack, current, previous.properties);
        restored.set(logicalId, { ...back, properties: previous.properties });
        if (back.physicalId !== current.physicalId) toDelete.push(current);
        events.push({ phase: 'rollback', logicalId, type: current.type, status: 'UPDATE_COMPLETE', physicalId: back.physicalId });
      } catch (error) {
        failed = `${logicalId}: ${(error as Error).name}: ${(error as Error).message}`;
        restored.set(logicalId, current);
        events.push({ phase: 'rollback', logicalId, type: current.type, status: 'UPDATE_FAILED', physicalId: current.physicalId, reason: failed });
        break;
      }
    }
    if (!failed) {
      const newOrder = this.order(run.template, ctx.conditions);
      const rank = (id: string) => newOrder.indexOf(id);
      toDelete.push(...run.created.map((id) => ctx.live.get(id)!));
      toDelete.sort((a, b) => rank(b.logicalId) - rank(a.logicalId));
      for (const r of toDelete) {
        try {
          await this.deleteResource(stack, r);
          events.push({ phase: 'rollback-cleanup', logicalId: r.logicalId, type: r.type, status: 'DELETE_COMPLETE', physicalId: r.physicalId });
        } catch (error) {
          failed ??= `${r.logicalId}: ${(error as Error).name}: ${(error as Error).message}`;
          events.push({ phase: 'rollback-cleanup', logicalId: r.logicalId, type: r.type, status: 'DELETE_FAILED', physicalId: r.physicalId, reason: (error as Error).message });
        }
      }
    }
    stack.resources = restored;
    stack.template = old;
    stack.status = failed ? 'UPDATE_ROLLBACK_FAILED' : 'UPDATE_ROLLBACK_COMPLETE';
    stack.statusReason = failed ?? run.failure.message;
    return { stackName: stack.name, status: stack.status, statusReason: failed ? `${run.failure.message}; rollback failed: ${failed}` : run.failure.message, skippedDeletes: [], events };
  }

  private finishOutputs(stack: StackState, template: Template, ctx: Context, checkImports = false): void {
    const outputs: Record<string, unknown> = {};
    const exports = new Map<string, string>();
    for (const [name, output] of Object.entries(template.Outputs ?? {})) {
      if (output.Condition && !ctx.conditions[output.Condition]) continue;
      const value = this.resolve(ctx, output.Value);
      outputs[name] = value;
      if (output.Export?.Name !== undefined) exports.set(String(this.resolve(ctx, output.Export.Name)), String(value));
    }
    if (checkImports) {
      for (const [name, value] of stack.exports) {
        const importers = [...this.stacks.values()].filter((s) => s !== stack && s.imports.has(name)).map((s) => s.name);
        if (importers.length === 0 || exports.get(name) === value) continue;
        const verb = exports.has(name) ? 'update' : 'delete';
        throw new ResourceFailure('Outputs', new Error(`Cannot ${verb} export ${name} as it is in use by ${importers.join(', ')}`));
      }
    }
    stack.outputs = outputs;
    stack.exports = exports;
    stack.imports = ctx.imports;
  }

  /* ---------------------------------------------------------------------------------------------
   * Resources
   * ------------------------------------------------------------------------------------------- */

  private async createResource(stack: StackState, logicalId: string, resource: any, properties: Record<string, any>): Promise<LiveResource> {
    try {
      const { physicalId, attributes } = await this.handle('create', stack, logicalId, resource.Type, properties);
      return {
        logicalId,
        type: resource.Type,
        physicalId,
        properties,
        attributes,
        deletionPolicy: resource.DeletionPolicy,
        updateReplacePolicy: resource.UpdateReplacePolicy,
      };
    } catch (error) {
      throw new ResourceFailure(logicalId, error as Error);
    }
  }

  private async updateResource(stack: StackState, live: LiveResource, properties: Record<string, any>): Promise<LiveResource> {
    try {
      const { physicalId, attributes } = await this.handle('update', stack, live.logicalId, live.type, properties, live);
      return { ...live, physicalId, properties, attributes };
    } catch (error) {
      throw new ResourceFailure(live.logicalId, error as Error);
    }
  }

  private async deleteResource(stack: StackState, live: LiveResource): Promise<void> {
    await this.handle('delete', stack, live.logicalId, live.type, live.properties, live);
  }

  private async handle(op: 'create' | 'update' | 'delete', stack: StackState, logicalId: string, type: string, props: Record<string, any>, live?: LiveResource):
  Promise<{ physicalId: string; attributes: Record<string, unknown> }> {
    const elb = this.elb;
    const same = () => ({ physicalId: live!.physicalId, attributes: live!.attributes });
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return this.custom(op, stack, logicalId, type, props, live);
    switch (type) {
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer': {
        if (op === 'delete') { await elb.deleteLoadBalancer({ LoadBalancerArn: live!.physicalId }); return same(); }
        if (op === 'update') return same();
        const { LoadBalancers: [lb] } = await elb.createLoadBalancer({
          Name: props.Name ?? this.generatedName(stack, logicalId, 32),
          Scheme: props.Scheme,
          Type: props.Type,
          IpAddressType: props.IpAddressType,
          Subnets: props.Subnets,
          SecurityGroups: props.SecurityGroups,
          Tags: props.Tags,
        });
        return {
          physicalId: lb.LoadBalancerArn,
          attributes: {
            LoadBalancerArn: lb.LoadBalancerArn,
            DNSName: lb.DNSName,
            CanonicalHostedZoneID: lb.CanonicalHostedZoneId,
            LoadBalancerFullName: lb.LoadBalancerArn.split(':loadbalancer/')[1],
            LoadBalancerName: lb.LoadBalancerName,
            SecurityGroups: props.SecurityGroups ?? [],
          },
        };
      }
      case 'AWS::ElasticLoadBalancingV2::Listener': {
        if (op === 'delete') { await ignoreNotFound(elb.deleteListener({ ListenerArn: live!.physicalId })); return same(); }
        const input = {
          Port: Number(props.Port),
          Protocol: props.Protocol,
          DefaultActions: numbersIn(props.DefaultActions),
          Certificates: props.Certificates,
          SslPolicy: props.SslPolicy,
        };
        if (op === 'update') {
          await elb.modifyListener({ ListenerArn: live!.physicalId, ...input });
          return same();
        }
        const { Listeners: [listener] } = await elb.createListener({ LoadBalancerArn: props.LoadBalancerArn, ...input });
        return { physicalId: listener.ListenerArn, attributes: { ListenerArn: listener.ListenerArn } };
      }
      case 'AWS::ElasticLoadBalancingV2::ListenerRule': {
        if (op === 'delete') { await ignoreNotFound(elb.deleteRule({ RuleArn: live!.physicalId })); return same(); }
        if (op === 'update') {
          if (Number(props.Priority) !== Number(live!.properties.Priority)) {
            await elb.setRulePriorities({ RulePriorities: [{ RuleArn: live!.physicalId, Priority: Number(props.Priority) }] });
          }
          await elb.modifyRule({ RuleArn: live!.physicalId, Conditions: props.Conditions, Actions: numbersIn(props.Actions) });
          return same();
        }
        const { Rules: [rule] } = await elb.createRule({
          ListenerArn: props.ListenerArn, Priority: Number(props.Priority), Conditions: props.Conditions, Actions: numbersIn(props.Actions),
        });
        return { physicalId: rule.RuleArn, attributes: { RuleArn: rule.RuleArn, IsDefault: 'false' } };
      }
      case 'AWS::ElasticLoadBalancingV2::TargetGroup': {
        if (op === 'delete') { await elb.deleteTargetGroup({ TargetGroupArn: live!.physicalId }); return same(); }
        const targets = (props.Targets ?? []).map((t: any) => ({ Id: t.Id, ...(t.Port !== undefined ? { Port: Number(t.Port) } : {}) }));
        if (op === 'update') {
          if (targets.length > 0) await elb.registerTargets({ TargetGroupArn: live!.physicalId, Targets: targets });
          return { physicalId: live!.physicalId, attributes: { ...live!.attributes, LoadBalancerArns: elb.loadBalancersOfTg(live!.physicalId) } };
        }
        const { TargetGroups: [tg] } = await elb.createTargetGroup({
          Name: props.Name ?? this.generatedName(stack, logicalId, 32),
          Protocol: props.Protocol,
          Port: props.Port === undefined ? undefined : Number(props.Port),
          VpcId: props.VpcId,
          TargetType: props.TargetType,
          HealthCheckPath: props.HealthCheckPath,
          Tags: props.Tags,
        });
        if (targets.length > 0) await elb.registerTargets({ TargetGroupArn: tg.TargetGroupArn, Targets: targets });
        return {
          physicalId: tg.TargetGroupArn,
          attributes: {
            TargetGroupArn: tg.TargetGroupArn,
            TargetGroupName: tg.TargetGroupName,
            TargetGroupFullName: tg.TargetGroupArn.split(':').slice(5).join(':'),
            LoadBalancerArns: tg.LoadBalancerArns,
          },
        };
      }
      case 'AWS::ElasticLoadBalancingV2::ListenerCertificate': {
        const certificates = (props.Certificates ?? []).map((c: any) => ({ CertificateArn: c.CertificateArn }));
        if (op === 'delete') {
          await ignoreNotFound(elb.removeListenerCertificates({ ListenerArn: live!.properties.ListenerArn, Certificates: certificates }));
          return same();
        }
        if (op === 'update') {
          const kept = (c: any) => certificates.some((n: any) => n.CertificateArn === c.CertificateArn);
          const gone = (live!.properties.Certificates ?? []).filter((c: any) => !kept(c));
          if (gone.length) await elb.removeListenerCertificates({ ListenerArn: props.ListenerArn, Certificates: gone });
        }
        await elb.addListenerCertificates({ ListenerArn: props.ListenerArn, Certificates: certificates });
        return { physicalId: live?.physicalId ?? `${props.ListenerArn}|certificates|${this.hex(8)}`, attributes: {} };
      }
      case 'AWS::IAM::Role': {
        const name = live?.physicalId ?? props.RoleName ?? this.generatedName(stack, logicalId, 64);
        if (op === 'delete') { this.iam.roles.delete(name); return same(); }
        const arn = `arn:aws:iam::${this.account}:role${props.Path ?? '/'}${name}`;
        this.iam.roles.set(name, {
          name,
          arn,
          inline: new Map((props.Policies ?? []).map((p: any) => [p.PolicyName, p.PolicyDocument])),
          managed: [...(props.ManagedPolicyArns ?? [])],
        });
        return { physicalId: name, attributes: { Arn: arn, RoleId: `AROA${this.hex(16).toUpperCase()}` } };
      }
      case 'AWS::IAM::Policy': {
        const id = live?.physicalId ?? this.generatedName(stack, logicalId, 128);
        if (op === 'delete') { this.iam.attached.delete(id); return same(); }
        this.iam.attached.set(id, { roles: [...(props.Roles ?? [])], document: props.PolicyDocument });
        return { physicalId: id, attributes: { Id: id } };
      }
      case 'AWS::IAM::ManagedPolicy': {
        const arn = live?.physicalId ?? `arn:aws:iam::${this.account}:policy/${props.ManagedPolicyName ?? this.generatedName(stack, logicalId, 128)}`;
        if (op === 'delete') { this.iam.managed.delete(arn); return same(); }
        this.iam.managed.set(arn, props.PolicyDocument);
        for (const role of this.iam.roles.values()) role.managed = role.managed.filter((m) => m !== arn);
        for (const roleName of props.Roles ?? []) this.iam.roles.get(roleName)?.managed.push(arn);
        return { physicalId: arn, attributes: { PolicyArn: arn } };
      }
      case 'AWS::Lambda::Function': {
        const name = live?.physicalId ?? props.FunctionName ?? this.generatedName(stack, logicalId, 64);
        return { physicalId: name, attributes: { Arn: `arn:aws:lambda:${this.region}:${this.account}:function:${name}` } };
      }
      case 'AWS::ECS::Service':
        return this.ecsService(op, stack, logicalId, props, live);
      default: {
        if (op !== 'create') return same();
        const physicalId = this.generatedName(stack, logicalId, 128);
        return { physicalId, attributes: {} };
      }
    }
  }

  /**
   * A custom resource: the function named by ServiceToken gets the event [Custom], with an ELB client holding the
   * permissions of the function's role at that moment; a thrown error is the resource's failure.
   */
  private async custom(op: 'create' | 'update' | 'delete', stack: StackState, logicalId: string, type: string, props: Record<string, any>, live?: LiveResource):
  Promise<{ physicalId: string; attributes: Record<string, unknown> }> {
    const token = String(props.ServiceToken ?? '');
    const fn = this.functionByArn(token);
    if (!fn) throw new Error(`ServiceToken ${token} is not a function of any stack`);
    const event: Record<string, any> = {
      RequestType: op === 'create' ? 'Create' : op === 'update' ? 'Update' : 'Delete',
      ServiceToken: token,
      ResponseURL: `https://cloudformation-custom-resource-response-${this.region.replace(/-/g, '')}.s3.amazonaws.com/${this.uuid()}`,
      StackId: stack.id,
      RequestId: this.uuid(),
      LogicalResourceId: logicalId,
      ResourceType: type,
      ResourceProperties: stringify(props),
      ...(op === 'update' ? { OldResourceProperties: stringify(live!.properties) } : {}),
      ...(op !== 'create' ? { PhysicalResourceId: live!.physicalId } : {}),
    };
    const handler = this.handlerFor(fn.properties);
    if (!handler) {
      this.invocations.push({ event, outcome: 'SUCCESS (not modelled)' });
      return { physicalId: live?.physicalId ?? `${stack.name}-${logicalId}-${this.hex(12)}`, attributes: live?.attributes ?? {} };
    }
    const roleArn = String(fn.properties.Role ?? '');
    // The function waits between retries in its own time: a virtual clock bounded by the function's Timeout.
    const timeoutMs = Number(fn.properties.Timeout ?? 3) * 1000;
    let elapsed = 0;
    const client = authorizedElb(this.elb, () => this.iam.policiesOf(roleArn), {
      principal: `arn:aws:sts::${this.account}:assumed-role/${roleArn.slice(roleArn.lastIndexOf('/') + 1)}/${fn.physicalId}`,
      wait: async (ms: number) => { elapsed += ms; },
    });
    try {
      const out = await handler(event, client);
      if (elapsed > timeoutMs) throw new Error(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`);
      this.invocations.push({ event, outcome: 'SUCCESS' });
      const physicalId = out?.PhysicalResourceId ?? live?.physicalId ?? event.RequestId;
      return { physicalId, attributes: { ...(out?.Data ?? {}) } };
    } catch (error) {
      this.invocations.push({ event, outcome: `FAILED: ${(error as Error).name}: ${(error as Error).message}` });
      throw error;
    }
  }

  private functionByArn(arn: string): LiveResource | undefined {
    for (const stack of this.stacks.values()) {
      for (const r of stack.resources.values()) if (r.type === 'AWS::Lambda::Function' && r.attributes.Arn === arn) return r;
    }
    // A function created earlier in the same pass is in the pass's working set, which `stacks` does not hold yet.
    return this.pending.find((r) => r.type === 'AWS::Lambda::Function' && r.attributes.Arn === arn);
  }

  /* ---------------------------------------------------------------------------------------------
   * ECS
   * ------------------------------------------------------------------------------------------- */

  private async ecsService(op: 'create' | 'update' | 'delete', stack: StackState, logicalId: string, props: Record<string, any>, live?: LiveResource):
  Promise<{ physicalId: string; attributes: Record<string, unknown> }> {
    if (op === 'delete') {
      const svc = this.services.get(live!.physicalId);
      if (svc) {
        await this.stopTasks(svc, svc.tasks, svc.serving);
        this.services.delete(svc.arn);
      }
      return { physicalId: live!.physicalId, attributes: live!.attributes };
    }
    const loadBalancers = (props.LoadBalancers ?? []).map((lb: any) => ({
      TargetGroupArn: lb.TargetGroupArn,
      ContainerPort: lb.ContainerPort === undefined ? undefined : Number(lb.ContainerPort),
      ...(lb.AdvancedConfiguration ? { AdvancedConfiguration: lb.AdvancedConfiguration } : {}),
    }));
    // "The target group ... does not have an associated load balancer" (CreateService, UpdateService) [ECS].
    for (const lb of loadBalancers) {
      if (this.elb.loadBalancersOfTg(lb.TargetGroupArn).length === 0) {
        throw new AwsError('InvalidParameterException', `The target group with targetGroupArn ${lb.TargetGroupArn} does not have an associated load balancer.`);
      }
      const production = lb.AdvancedConfiguration?.ProductionListenerRule;
      if (production) await this.elb.describeRules({ RuleArns: [production] });
      const test = lb.AdvancedConfiguration?.TestListenerRule;
      if (test) {
        // "You must use different listener rules for production and test traffic" [ECS troubleshooting].
        if (test === production) throw new AwsError('InvalidParameterException', `The following rules cannot be used as both production and test listener rules: ${test}`);
        await this.elb.describeRules({ RuleArns: [test] });
      }
    }
    if (op === 'create') {
      const name = props.ServiceName ?? this.generatedName(stack, logicalId, 255);
      const cluster = String(props.Cluster ?? 'default').split('/').pop();
      const svc: ServiceState = {
        arn: `arn:aws:ecs:${this.region}:${this.account}:service/${cluster}/${name}`,
        name,
        stackName: stack.name,
        logicalId,
        desired: props.DesiredCount === undefined ? 1 : Number(props.DesiredCount),
        tasks: [],
        loadBalancers,
        strategy: props.DeploymentConfiguration?.Strategy ?? 'ROLLING',
        deployment: props.DeploymentConfiguration ?? {},
        serving: loadBalancers.map((lb: { TargetGroupArn: string }) => lb.TargetGroupArn),
        taskDefinition: props.TaskDefinition,
      };
      this.services.set(svc.arn, svc);
      svc.tasks = await this.startTasks(svc, svc.desired, svc.serving);
      return { physicalId: svc.arn, attributes: { Name: name, ServiceArn: svc.arn } };
    }
    const svc = this.services.get(live!.physicalId);
    if (!svc) throw new AwsError('ServiceNotFoundException', `Service ${live!.physicalId} not found`);
    // ECS keeps a deployment setting removed from the template (REFERENCE.md section 9).
    const strategy = props.DeploymentConfiguration?.Strategy ?? svc.strategy;
    const lbChanged = !sameJson(loadBalancers, svc.loadBalancers);
    const strategyChanged = strategy !== svc.strategy;
    const taskChanged = props.TaskDefinition !== svc.taskDefinition;
    svc.deployment = { ...svc.deployment, ...(props.DeploymentConfiguration ?? {}), Strategy: strategy };
    svc.taskDefinition = props.TaskDefinition;
    if (props.DesiredCount !== undefined) svc.desired = Number(props.DesiredCount);
    // A traffic-shifting service whose target groups stay (a new production rule, say): the update is a deployment
    // with the service's strategy, shifting the production rule it now names ("Amazon ECS blue/green deployments":
    // a service update starts a new service deployment) [ECS]. An assumption: the guide does not say what ECS does
    // with the old rule, which it no longer names.
    const groups = (lbs: ServiceState['loadBalancers']) => JSON.stringify(lbs.map((lb) => [lb.TargetGroupArn, lb.AdvancedConfiguration?.AlternateTargetGroupArn]));
    const shifts = BLUE_GREEN_STRATEGIES.includes(strategy) && loadBalancers.some((lb: ServiceState['loadBalancers'][number]) => lb.AdvancedConfiguration);
    if (lbChanged && shifts && groups(loadBalancers) === groups(svc.loadBalancers)) {
      svc.loadBalancers = loadBalancers;
      svc.strategy = strategy;
      await this.deployService(svc);
    } else if (lbChanged || (strategyChanged && strategy === 'ROLLING')) {
      // New tasks in the template's target groups; the old ones stopped.
      svc.loadBalancers = loadBalancers;
      svc.strategy = strategy;
      const old = svc.tasks;
      const oldGroups = svc.serving;
      svc.serving = loadBalancers.map((lb: { TargetGroupArn: string }) => lb.TargetGroupArn);
      svc.tasks = await this.startTasks(svc, svc.desired, svc.serving);
      await this.stopTasks(svc, old, oldGroups);
    } else if (taskChanged || strategyChanged) {
      svc.strategy = strategy;
      await this.deployService(svc);
    }
    return { physicalId: svc.arn, attributes: { Name: svc.name, ServiceArn: svc.arn } };
  }

  /**
   * One ECS deployment of the service [ECS]: with CANARY, LINEAR or BLUE_GREEN, new tasks in the group ECS believes
   * serves no traffic, the production rule's weights moved (canary/linear steps first) with the permissions of the
   * infrastructure role of the load balancer entry, then the old tasks deregistered. ECS does not look at the weights
   * before it shifts (containers-roadmap #2853). With ROLLING: new tasks in the same group, old ones stopped.
   */
  async ecsDeploy(stackName: string, serviceLogicalId: string, options: { revision?: string } = {}):
  Promise<{ from: string[]; to: string[]; rolledBack?: boolean }> {
    const live = this.stacks.get(stackName)?.resources.get(serviceLogicalId);
    const svc = live && this.services.get(live.physicalId);
    if (!svc) throw new Error(`No ECS service ${serviceLogicalId} in stack ${stackName}`);
    const from = [...svc.serving];
    const rolledBack = await this.deployService(svc, options.revision);
    return { from, to: [...svc.serving], ...(rolledBack ? { rolledBack } : {}) };
  }

  /**
   * The lifecycle hooks of `stage` [ECS "Lambda hooks"]: ECS calls each hook's function with the hook's role (which
   * must allow lambda:InvokeFunction on it) and the stage's payload with the hook's details; IN_PROGRESS is called
   * again after callBackDelay seconds (30 by default) with the returned details merged; any answer but SUCCEEDED, or
   * an error, fails the stage. Returns whether every hook SUCCEEDED.
   */
  private async runHooks(svc: ServiceState, stage: string, revision: string): Promise<boolean> {
    for (const hook of (svc.deployment.LifecycleHooks ?? []) as Array<Record<string, any>>) {
      if (!(hook.LifecycleStages ?? []).includes(stage)) continue;
      const record = (status: string, requests: HookCall['requests'] = []) => this.hookCalls.push({ service: svc.logicalId, stage, status, requests });
      if (evaluate(this.iam.policiesOf(hook.RoleArn), { action: 'lambda:InvokeFunction', resource: hook.HookTargetArn }) !== 'allow') {
        record(`FAILED: ECS was unable to invoke ${hook.HookTargetArn} with ${hook.RoleArn}`);
        return false;
      }
      const fn = this.functionByArn(hook.HookTargetArn);
      if (!fn) throw new Error(`The hook's target ${hook.HookTargetArn} is not a function of any stack`);
      const module = hookModuleFor(fn.properties);
      if (!module) throw new Error(`The model runs only the listener-rule function as a hook, not ${hook.HookTargetArn}`);
      const roleArn = String(fn.properties.Role ?? '');
      const elb = authorizedElb(this.elb, () => this.iam.policiesOf(roleArn), { wait: async (ms: number) => { this.clock += ms; } });
      let details: Record<string, unknown> = typeof hook.HookDetails === 'string' ? JSON.parse(hook.HookDetails) : (hook.HookDetails ?? {});
      for (let call = 0; ; call++) {
        const requests: HookCall['requests'] = [];
        const send = async (url: string, request: { method: string; headers: Record<string, string>; body?: string }) => {
          const routed = this.elb.route({ url, headers: request.headers });
          const task = routed.target ? this.taskAt(routed.target) : undefined;
          const answer = routed.status !== undefined ? { status: routed.status } : this.answer(task ?? { ip: routed.target! }, {
            method: request.method, url, path: new URL(url).pathname + new URL(url).search, headers: request.headers, body: request.body,
          });
          requests.push({
            url, headers: { ...request.headers }, rule: routed.rule, targetGroup: routed.targetGroup, target: routed.target, status: answer.status,
          });
          return { status: answer.status, body: answer.body ?? '' };
        };
        const handler = module.createHandler({ elb, send, now: () => this.clock });
        const event = {
          executionId: this.uuid(),
          lifecycleStage: stage,
          resourceArn: `${svc.arn.replace(':service/', ':service-deployment/')}/${this.hex(20)}`,
          executionDetails: {
            serviceArn: svc.arn,
            targetServiceRevisionArn: `${svc.arn.replace(':service/', ':service-revision/')}/${revision}`,
            testTrafficWeights: {},
            productionTrafficWeights: {},
          },
          hookDetails: details,
        };
        let out: any;
        try {
          out = await handler(event, { logStreamName: 'model', getRemainingTimeInMillis: () => Number(fn.properties.Timeout ?? 3) * 1000 });
        } catch (error) {
          record(`FAILED: ${(error as Error).message}`, requests);
          return false;
        }
        record(String(out?.hookStatus), requests);
        if (out?.hookStatus === 'SUCCEEDED') break;
        // A stage lasts at most 24 hours [ECS "How blue/green works"].
        if (out?.hookStatus !== 'IN_PROGRESS' || call > 24 * 60 * 2) return false;
        this.clock += Number(out.callBackDelay ?? 30) * 1000;
        details = { ...details, ...(out.hookDetails ?? {}) };
      }
    }
    return true;
  }

  /** The task of any service at an address. */
  private taskAt(ip: string): Task | undefined {
    for (const svc of this.services.values()) {
      const task = svc.tasks.find((t) => t.ip === ip) ?? svc.starting?.find((t) => t.ip === ip);
      if (task) return task;
    }
    return undefined;
  }

  /** Returns true when the deployment rolled back (a hook failed). */
  private async deployService(svc: ServiceState, revision = svc.taskDefinition ?? 'revision'): Promise<boolean | void> {
    if (!BLUE_GREEN_STRATEGIES.includes(svc.strategy) || !svc.loadBalancers.some((lb) => lb.AdvancedConfiguration)) {
      const old = svc.tasks;
      svc.tasks = await this.startTasks(svc, svc.desired, svc.serving);
      await this.stopTasks(svc, old, svc.serving);
      return;
    }
    const old = svc.tasks;
    const next: string[] = [];
    const steps = this.shiftSteps(svc);
    const moves: Array<{ client: ReturnType<typeof authorizedElb>; rule: string; test?: string; from: string; to: string }> = [];
    for (const [i, lb] of svc.loadBalancers.entries()) {
      const advanced = lb.AdvancedConfiguration;
      if (!advanced) { next.push(svc.serving[i]); continue; }
      const roleArn = advanced.RoleArn;
      const client = authorizedElb(this.elb, () => this.iam.policiesOf(roleArn), {
        principal: `arn:aws:sts::${this.account}:assumed-role/${roleArn.slice(roleArn.lastIndexOf('/') + 1)}/ecs-service-scheduler`,
      });
      const serving = svc.serving[i];
      const idle = serving === lb.TargetGroupArn ? advanced.AlternateTargetGroupArn : lb.TargetGroupArn;
      await client.describeRules({ RuleArns: [advanced.ProductionListenerRule] });
      next.push(idle);
      if (advanced.TestListenerRule) await client.describeRules({ RuleArns: [advanced.TestListenerRule] });
      moves.push({ client, rule: advanced.ProductionListenerRule, test: advanced.TestListenerRule, from: serving, to: idle });
    }
    // New tasks, registered by ECS in the idle groups, and healthy before traffic moves.
    const tasks = Array.from({ length: svc.desired }, () => ({ ip: this.nextIp(), revision }));
    svc.starting = tasks;
    for (const move of moves) {
      await move.client.registerTargets({ TargetGroupArn: move.to, Targets: tasks.map((t) => ({ Id: t.ip })) });
      this.elb.settle(move.to);
    }
    // TEST_TRAFFIC_SHIFT: the test rule sends all test traffic to the new tasks; then the POST_TEST_TRAFFIC_SHIFT hooks.
    const shiftTest = async (toNew: boolean) => {
      for (const move of moves) {
        if (!move.test) continue;
        const { Rules: [rule] } = await move.client.describeRules({ RuleArns: [move.test] });
        const forward = rule.Actions.find((a: any) => a.Type === 'forward');
        const groups = (forward?.ForwardConfig?.TargetGroups ?? []).map((g: any) => ({
          TargetGroupArn: g.TargetGroupArn, Weight: g.TargetGroupArn === (toNew ? move.to : move.from) ? 100 : 0,
        }));
        await move.client.modifyRule({ RuleArn: move.test, Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: groups } }] });
      }
    };
    await shiftTest(true);
    if (!(await this.runHooks(svc, 'POST_TEST_TRAFFIC_SHIFT', revision))) {
      // The rollback: test traffic back to the serving tasks, the new ones stopped; production never moved.
      await shiftTest(false);
      for (const move of moves) {
        await move.client.deregisterTargets({ TargetGroupArn: move.to, Targets: tasks.map((t) => ({ Id: t.ip })) });
        this.elb.settle(move.to);
      }
      svc.starting = undefined;
      return true;
    }
    for (const percent of steps) {
      for (const move of moves) {
        const { Rules: [rule] } = await move.client.describeRules({ RuleArns: [move.rule] });
        const forward = rule.Actions.find((a: any) => a.Type === 'forward');
        const groups = (forward?.ForwardConfig?.TargetGroups ?? []).map((g: any) => ({
          TargetGroupArn: g.TargetGroupArn,
          Weight: g.TargetGroupArn === move.to ? percent : g.TargetGroupArn === move.from ? 100 - percent : g.Weight,
        }));
        await move.client.modifyRule({ RuleArn: move.rule, Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: groups } }] });
      }
    }
    for (const move of moves) {
      const ips = old.map((t) => ({ Id: t.ip }));
      if (ips.length > 0) await move.client.deregisterTargets({ TargetGroupArn: move.from, Targets: ips });
      this.elb.settle(move.from);
    }
    svc.tasks = tasks;
    svc.starting = undefined;
    svc.serving = next;
  }

  /** The traffic percentages of the new group, step by step (canary: its percent, then all; linear: its steps). */
  private shiftSteps(svc: ServiceState): number[] {
    const d = svc.deployment;
    if (svc.strategy === 'CANARY') {
      const pct = Math.round(Number(d.CanaryConfiguration?.CanaryPercent ?? 5));
      return pct > 0 && pct < 100 ? [pct, 100] : [100];
    }
    if (svc.strategy === 'LINEAR') {
      const step = Math.max(1, Math.round(Number(d.LinearConfiguration?.StepPercent ?? 10)));
      const out: number[] = [];
      for (let p = step; p < 100; p += step) out.push(p);
      return [...out, 100];
    }
    return [100];
  }

  private async startTasks(svc: ServiceState, count: number, groups: string[]): Promise<Task[]> {
    const tasks = Array.from({ length: count }, () => ({ ip: this.nextIp() }));
    for (const [i, tg] of groups.entries()) {
      const port = svc.loadBalancers[i]?.ContainerPort;
      await this.elb.registerTargets({ TargetGroupArn: tg, Targets: tasks.map((t) => ({ Id: t.ip, ...(port ? { Port: port } : {}) })) });
      // CloudFormation waits for the service to be stable: its tasks healthy in their groups.
      this.elb.settle(tg);
    }
    return tasks;
  }

  private async stopTasks(_svc: ServiceState, tasks: Task[], groups: string[]): Promise<void> {
    const ips = new Set(tasks.map((t) => t.ip));
    for (const tg of groups) {
      const health = await this.elb.describeTargetHealth({ TargetGroupArn: tg }).catch(() => ({ TargetHealthDescriptions: [] }));
      // The tasks as they were registered (their port then), not yet draining.
      const targets = health.TargetHealthDescriptions.filter((d) => d.TargetHealth.State !== 'draining' && ips.has(d.Target.Id)).map((d) => d.Target);
      if (targets.length > 0) await this.elb.deregisterTargets({ TargetGroupArn: tg, Targets: targets });
    }
  }

  private nextIp(): string {
    const n = ++this.ipSeq;
    return `10.0.${3 + Math.floor(n / 250)}.${(n % 250) + 4}`;
  }

  /* ---------------------------------------------------------------------------------------------
   * The world
   * ------------------------------------------------------------------------------------------- */

  /** Every listener's rules and where each forward sends its weight, healthy targets, and what no stack owns. */
  world(): World {
    const inventory = this.elb.inventory();
    const owned = new Set<string>();
    for (const stack of this.stacks.values()) for (const r of stack.resources.values()) owned.add(r.physicalId);
    const listeners = inventory.listeners.map((l) => ({
      ListenerArn: l.ListenerArn,
      LoadBalancerArn: l.LoadBalancerArn,
      Port: l.Port,
      rules: this.elb.rulesOf(l.ListenerArn).map((r) => ({
        RuleArn: r.RuleArn, Priority: r.Priority, conditions: r.Conditions, forwards: this.elb.weights(r.RuleArn),
      })),
    }));
    const targetGroups = inventory.targetGroups.map((tg) => {
      const targets = this.elb.targetsOf(tg.TargetGroupArn);
      return { TargetGroupArn: tg.TargetGroupArn, loadBalancers: tg.LoadBalancerArns, healthy: targets.healthy ?? [], targets };
    });
    const ownedListeners = inventory.listeners.filter((l) => owned.has(l.ListenerArn)).map((l) => l.ListenerArn);
    return {
      listeners,
      targetGroups,
      leftBehind: {
        loadBalancers: inventory.loadBalancers.filter((arn) => !owned.has(arn)),
        listeners: inventory.listeners.filter((l) => !owned.has(l.ListenerArn)).map((l) => l.ListenerArn),
        // A default rule belongs to its listener.
        rules: inventory.rules.filter((r) => !owned.has(r.RuleArn) && !(r.IsDefault && ownedListeners.includes(r.ListenerArn))).map((r) => r.RuleArn),
        targetGroups: inventory.targetGroups.filter((tg) => !owned.has(tg.TargetGroupArn)).map((tg) => tg.TargetGroupArn),
      },
    };
  }

  /** Target group ARN → weight of every forward of every rule that forwards to two or more groups. */
  productionWeights(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const rule of this.elb.inventory().rules) {
      if (targetGroupsOfActions(rule.Actions).length > 1) out[rule.RuleArn] = this.elb.weights(rule.RuleArn);
    }
    return out;
  }

  /** A resource of a stack, by logical id. */
  resource(stackName: string, logicalId: string): LiveResource | undefined {
    return this.stacks.get(stackName)?.resources.get(logicalId);
  }

  /* ---------------------------------------------------------------------------------------------
   * Templates: order, conditions, intrinsics
   * ------------------------------------------------------------------------------------------- */

  /** Resources in dependency order (Ref, Fn::GetAtt, Fn::Sub, DependsOn), template order among equals. */
  private order(template: Template, conditions: Record<string, boolean>): string[] {
    const resources = template.Resources ?? {};
    const ids = Object.keys(resources).filter((id) => !resources[id].Condition || conditions[resources[id].Condition]);
    const idSet = new Set(ids);
    const deps = new Map(ids.map((id) => [id, [...dependenciesOf(resources[id], idSet)].filter((d) => d !== id)]));
    const order: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (id: string, trail: string[]) => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') throw new Error(`Circular dependency between resources: ${[...trail, id].join(' -> ')}`);
      state.set(id, 'visiting');
      for (const d of deps.get(id)!) visit(d, [...trail, id]);
      state.set(id, 'done');
      order.push(id);
    };
    for (const id of ids) visit(id, []);
    return order;
  }

  private context(stack: StackState, template: Template, options: DeployOptions, live: Map<string, LiveResource>): Context {
    const parameters: Record<string, string> = {};
    for (const [name, p] of Object.entries(template.Parameters ?? {})) {
      const value = options.parameters?.[name] ?? p.Default;
      if (value === undefined) throw new Error(`Parameters: [${name}] must have values`);
      parameters[name] = String(value);
    }
    this.pending = [...live.values()];
    const ctx: Context = { stack, template, parameters, conditions: {}, live, imports: new Set() };
    ctx.conditions = this.conditionsOf(template, parameters, stack);
    const set = ctx.live.set.bind(ctx.live);
    ctx.live.set = (key: string, value: LiveResource) => {
      this.pending = [...this.pending.filter((r) => r.logicalId !== key), value];
      return set(key, value);
    };
    return ctx;
  }

  private conditionsOf(template: Template, parameters: Record<string, string>, stack: StackState): Record<string, boolean> {
    const out: Record<string, boolean> = {};
    const ctx: Context = { stack, template, parameters, conditions: out, live: new Map(), imports: new Set() };
    for (const name of Object.keys(template.Conditions ?? {})) out[name] = this.condition(ctx, name, []);
    return out;
  }

  private condition(ctx: Context, name: string, trail: string[]): boolean {
    if (name in ctx.conditions) return ctx.conditions[name];
    if (trail.includes(name)) throw new Error(`Circular condition ${[...trail, name].join(' -> ')}`);
    const definition = ctx.template.Conditions?.[name];
    if (definition === undefined) throw new Error(`Condition ${name} is not defined`);
    const value = Boolean(this.resolve(ctx, definition, [...trail, name]));
    ctx.conditions[name] = value;
    return value;
  }

  private resolveProperties(ctx: Context, resource: any): Record<string, any> {
    const out = this.resolve(ctx, resource.Properties ?? {});
    return out === NO_VALUE ? {} : out;
  }

  /** The intrinsic functions and pseudo parameters [Intrinsic]. */
  private resolve(ctx: Context, value: any, trail: string[] = []): any {
    if (Array.isArray(value)) return value.map((v) => this.resolve(ctx, v, trail)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition')) {
      const [fn] = keys;
      const arg = value[fn];
      const r = (v: any) => this.resolve(ctx, v, trail);
      switch (fn) {
        case 'Ref': return this.ref(ctx, arg);
        case 'Condition': return this.condition(ctx, arg, trail);
        case 'Fn::GetAtt': {
          const [logicalId, attribute] = typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : [arg[0], r(arg[1])];
          return this.getAtt(ctx, logicalId, attribute);
        }
        case 'Fn::Join': return (r(arg[1]) as any[]).map(String).join(arg[0]);
        case 'Fn::Split': return String(r(arg[1])).split(arg[0]);
        case 'Fn::Select': {
          const list = r(arg[1]);
          const index = Number(r(arg[0]));
          if (!Array.isArray(list) || index < 0 || index >= list.length) throw new Error(`Fn::Select index ${index} out of bounds`);
          return list[index];
        }
        case 'Fn::Sub': return this.sub(ctx, arg, trail);
        case 'Fn::If': {
          const [name, then, otherwise] = arg;
          return r(this.condition(ctx, name, trail) ? then : otherwise);
        }
        case 'Fn::Equals': return sameJson(stringify(r(arg[0])), stringify(r(arg[1])));
        case 'Fn::Not': return !r(arg[0]);
        case 'Fn::And': return arg.every((c: any) => r(c));
        case 'Fn::Or': return arg.some((c: any) => r(c));
        case 'Fn::ImportValue': {
          const name = String(r(arg));
          for (const stack of this.stacks.values()) {
            if (stack !== ctx.stack && stack.exports.has(name)) {
              ctx.imports.add(name);
              return stack.exports.get(name);
            }
          }
          throw new Error(`No export named ${name} found`);
        }
        case 'Fn::GetStackOutput': {
          // An output of another stack, read without an export ("Fn::GetStackOutput", CloudFormation template
          // reference): nothing locks it, so the producer may change or remove it.
          const { StackName: stackName, OutputName: outputName } = r(arg) as { StackName: string; OutputName: string };
          const producer = [...this.stacks.values()].find((stack) => stack.name === stackName);
          if (!producer || !(outputName in producer.outputs)) throw new Error(`Fn::GetStackOutput: stack ${stackName} has no output ${outputName}`);
          return producer.outputs[outputName];
        }
        case 'Fn::FindInMap': {
          const [map, top, second] = arg.map(r);
          const found = ctx.template.Mappings?.[map]?.[top]?.[second];
          if (found === undefined) throw new Error(`Fn::FindInMap: ${map}/${top}/${second} not found`);
          return found;
        }
        case 'Fn::Base64': return Buffer.from(String(r(arg))).toString('base64');
        case 'Fn::GetAZs': return ['a', 'b', 'c'].map((z) => `${this.region}${z}`);
        default: throw new Error(`Intrinsic function ${fn} is not modelled`);
      }
    }
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) {
      const resolved = this.resolve(ctx, v, trail);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }

  private ref(ctx: Context, name: string): any {
    switch (name) {
      case 'AWS::Region': return this.region;
      case 'AWS::AccountId': return this.account;
      case 'AWS::Partition': return 'aws';
      case 'AWS::StackId': return ctx.stack.id;
      case 'AWS::StackName': return ctx.stack.name;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::NoValue': return NO_VALUE;
      case 'AWS::NotificationARNs': return [];
      default:
    }
    if (name in ctx.parameters) {
      const type = String(ctx.template.Parameters?.[name]?.Type ?? '');
      return type.startsWith('List<') || type === 'CommaDelimitedList' ? ctx.parameters[name].split(',') : ctx.parameters[name];
    }
    const live = ctx.live.get(name);
    if (!live) throw new Error(`Ref to ${name}, which is not created yet or not in the template`);
    return live.physicalId;
  }

  private getAtt(ctx: Context, logicalId: string, attribute: string): any {
    const live = ctx.live.get(logicalId);
    if (!live) throw new Error(`Fn::GetAtt on ${logicalId}, which is not created yet or not in the template`);
    if (attribute in live.attributes) return live.attributes[attribute];
    if (live.type.startsWith('Custom::') || live.type === 'AWS::CloudFormation::CustomResource') {
      throw new Error(`CustomResource attribute error: Vendor response doesn't contain ${attribute} key in object ${ctx.stack.id}|${logicalId}`);
    }
    return `${live.physicalId}.${attribute}`;
  }

  private sub(ctx: Context, arg: any, trail: string[]): string {
    const [text, variables] = typeof arg === 'string' ? [arg, {}] : [arg[0], arg[1] ?? {}];
    const vars: Record<string, any> = {};
    for (const [k, v] of Object.entries(variables)) vars[k] = this.resolve(ctx, v, trail);
    return String(text).replace(/\$\{(!?)([^}]*)\}/g, (_m: string, bang: string, name: string) => {
      if (bang) return `\${${name}}`;
      if (name in vars) return String(vars[name]);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) return String(this.getAtt(ctx, name.slice(0, dot), name.slice(dot + 1)));
      return String(this.ref(ctx, name));
    });
  }

  private generatedName(stack: StackState, logicalId: string, max: number): string {
    const suffix = this.hex(12).toUpperCase();
    const room = Math.max(2, max - suffix.length - 2);
    const clean = (s: string) => s.replace(/[^A-Za-z0-9]/g, '');
    const stackPart = clean(stack.name).slice(0, Math.ceil(room / 2));
    const idPart = clean(logicalId).slice(0, room - stackPart.length);
    return `${stackPart}-${idPart}-${suffix}`.slice(0, max);
  }

  private hex(n: number): string {
    return createHash('sha256').update(`cfn/${++this.seq}`).digest('hex').slice(0, n);
  }

  private uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  }
}

interface Context {
  stack: StackState;
  template: Template;
  parameters: Record<string, string>;
  conditions: Record<string, boolean>;
  live: Map<string, LiveResource>;
  imports: Set<string>;
}

/* ------------------------------------------------------------------------------------------------
 * Helpers
 * ---------------------------------------------------------------------------------------------- */

/** The listener-rule function's module, as ECS runs it as a hook: for a function whose inline code is it. */
type HookModule = { createHandler: (deps: Record<string, unknown>) => (event: object, context: object) => Promise<any> };
function hookModuleFor(functionProperties: Record<string, any>): HookModule | undefined {
  const code = functionProperties.Code?.ZipFile;
  if (typeof code !== 'string' || !code.includes(LISTENER_RULE_MARKER)) return undefined;
  return jest.requireActual(path.join(__dirname, '..', '..', 'assets', 'listener-rule-handler', 'index.js'));
}

/** The listener rule handler for a function whose inline code is it; undefined for other functions. */
function defaultHandlerFor(functionProperties: Record<string, any>): CustomHandler | undefined {
  const code = functionProperties.Code?.ZipFile;
  if (typeof code !== 'string' || !code.includes(LISTENER_RULE_MARKER)) return undefined;
  const handlerModule = jest.requireActual(path.join(__dirname, '..', '..', 'assets', 'listener-rule-handler', 'index.js')) as { apply: CustomHandler };
  return (event, elb) => handlerModule.apply(event, elb);
}

/** The resources a resource refers to: Ref, Fn::GetAtt, Fn::Sub, DependsOn. */
export function dependenciesOf(resource: any, ids: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const d of [resource.DependsOn ?? []].flat()) if (ids.has(d)) out.add(d);
  const walk = (value: any, subVars: Set<string>) => {
    if (Array.isArray(value)) { value.forEach((v) => walk(v, subVars)); return; }
    if (value === null || typeof value !== 'object') return;
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string' && ids.has(v)) {out.add(v);} else if (k === 'Fn::GetAtt') {
        const id = typeof v === 'string' ? v.split('.')[0] : (v as any[])[0];
        if (ids.has(id)) out.add(id);
      } else if (k === 'Fn::Sub') {
        const [text, vars] = typeof v === 'string' ? [v, {}] : [(v as any[])[0], (v as any[])[1] ?? {}];
        for (const m of String(text).matchAll(/\$\{(?!!)([^}.]*)[^}]*\}/g)) if (ids.has(m[1]) && !(m[1] in vars)) out.add(m[1]);
        walk(vars, subVars);
      } else {walk(v, subVars);}
    }
  };
  walk(resource.Properties ?? {}, new Set());
  return out;
}

/** Template-level impact of each resource per `@aws-cdk/cloudformation-diff` (REFERENCE.md section 9). */
function templateImpacts(old: Template, next: Template): Map<string, string> {
  const impacts = new Map<string, string>();
  fullDiff(old, next).resources.forEachDifference((logicalId, change) => { impacts.set(logicalId, change.changeImpact); });
  return impacts;
}

/** The impact of a change of resolved values (a reference to a replaced resource changes them, not the template). */
function resolvedImpact(type: string, before: Record<string, any>, after: Record<string, any>): string {
  let impact = 'NO_CHANGE';
  fullDiff({ Resources: { R: { Type: type, Properties: before } } }, { Resources: { R: { Type: type, Properties: after } } })
    .resources.forEachDifference((_id, change) => { impact = change.changeImpact; });
  return impact;
}

/** "CloudFormation ... passes property values to the custom resource as strings" [Custom]. */
export function stringify(value: any): any {
  if (Array.isArray(value)) return value.map(stringify);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stringify(v)]));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value;
}

/** Numbers that arrive as strings where the ELB API takes numbers (Weight, Order, StatusCode stays a string). */
function numbersIn(actions: any[] | undefined): any[] {
  return (actions as any[]).map((a) => ({
    ...a,
    ...(a.Order !== undefined ? { Order: Number(a.Order) } : {}),
    ...(a.ForwardConfig ? {
      ForwardConfig: {
        ...a.ForwardConfig,
        ...(a.ForwardConfig.TargetGroups
          ? { TargetGroups: a.ForwardConfig.TargetGroups.map((g: any) => ({ ...g, ...(g.Weight !== undefined ? { Weight: +g.Weight } : {}) })) }
          : {}),
      },
    } : {}),
  }));
}

async function ignoreNotFound(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (!/NotFound/.test((error as Error).name)) throw error;
  }
}

function asFailure(error: unknown): ResourceFailure {
  return error instanceof ResourceFailure ? error : new ResourceFailure('(stack)', error as Error);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function cloneLive(r: LiveResource): LiveResource {
  return { ...r, properties: clone(r.properties), attributes: clone(r.attributes) };
}

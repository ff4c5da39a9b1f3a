import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { TrafficControl } from './listener-rule';
import { fail } from './validation';

/*
 * The lifecycle hooks of a service's deployments (ECS developer guide, "Lifecycle hooks for Amazon ECS service
 * deployments"): a smoke test's, and the app's own, a Lambda function or a pause, at the stages the app names. ECS
 * calls them in canary, linear and blue/green deployments. They are written whole, `[]` when there are none: ECS
 * keeps hooks a template stops naming, as it keeps any deployment setting removed from it.
 */

/** Options of `DeploymentHook.lambdaFunction()`. */
export interface LambdaDeploymentHookOptions {
  /** The stages of the deployment at which ECS calls the function. */
  readonly stages: ecs.DeploymentLifecycleStage[];

  /**
   * Values ECS passes to the function on each call (`hookDetails` of its event).
   *
   * @default - none
   */
  readonly details?: { [key: string]: string };
}

/** What a pause hook does when nobody continues the deployment in time. */
export enum PauseTimeoutAction {
  /** Roll the deployment back. */
  ROLLBACK = 'ROLLBACK',
  /** Go on with the deployment. */
  CONTINUE = 'CONTINUE',
}

/** Options of `DeploymentHook.pause()`. */
export interface PauseDeploymentHookOptions {
  /** The stages of the deployment at which ECS waits for `aws ecs continue-service-deployment`. */
  readonly stages: ecs.DeploymentLifecycleStage[];

  /**
   * How long ECS waits: whole minutes from 1 minute to 14 days.
   *
   * @default Duration.days(1)
   */
  readonly timeout?: Duration;

  /**
   * What ECS does when nobody continued the deployment within `timeout`.
   *
   * @default PauseTimeoutAction.ROLLBACK
   */
  readonly timeoutAction?: PauseTimeoutAction;
}

/**
 * A lifecycle hook of the service's deployments, for the checks only the app can write: a Lambda function ECS calls
 * (`DeploymentHook.lambdaFunction()`), or a pause until someone continues the deployment (`DeploymentHook.pause()`).
 */
export class DeploymentHook {
  /**
   * A Lambda function ECS calls at each of `stages`, with the stack's ECS role (which the construct lets invoke it).
   * It answers `{ hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS' }`; FAILED rolls the deployment back.
   */
  public static lambdaFunction(handler: lambda.IFunction, options: LambdaDeploymentHookOptions): DeploymentHook {
    return new DeploymentHook(options.stages, handler, options.details);
  }

  /** A pause at each of `stages`, until `aws ecs continue-service-deployment` continues or rolls back the deployment. */
  public static pause(options: PauseDeploymentHookOptions): DeploymentHook {
    const timeout = options.timeout ?? Duration.days(1);
    return new DeploymentHook(options.stages, undefined, undefined, timeout, options.timeoutAction ?? PauseTimeoutAction.ROLLBACK);
  }

  /** The stages at which the hook runs. */
  public readonly stages: ecs.DeploymentLifecycleStage[];
  /** The function of a Lambda hook; undefined for a pause. */
  public readonly handler?: lambda.IFunction;
  /** The values passed to a Lambda hook. */
  public readonly details?: { [key: string]: string };
  /** How long a pause waits; undefined for a Lambda hook. */
  public readonly timeout?: Duration;
  /** What a pause does at its timeout; undefined for a Lambda hook. */
  public readonly timeoutAction?: PauseTimeoutAction;

  private constructor(stages: ecs.DeploymentLifecycleStage[], handler?: lambda.IFunction, details?: { [key: string]: string },
    timeout?: Duration, timeoutAction?: PauseTimeoutAction) {
    this.stages = stages;
    this.handler = handler;
    this.details = details;
    this.timeout = timeout;
    this.timeoutAction = timeoutAction;
  }
}

/** The stages ECS runs hooks at (API DeploymentLifecycleHook, lifecycleStages). */
const STAGES = ['RECONCILE_SERVICE', 'PRE_SCALE_UP', 'POST_SCALE_UP', 'TEST_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT',
  'PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT'];
/** The longest pause ECS accepts (API DeploymentLifecycleHookTimeoutConfiguration: 1 to 20160 minutes). */
const MAX_PAUSE_MINUTES = 20160;

/** Refuses hooks ECS would not run or accept: with a rolling deployment, without a stage, or a pause out of its range. */
export function validateDeploymentHooks(scope: IConstruct, hooks: DeploymentHook[], shiftsTraffic: boolean): void {
  if (hooks.length > 0 && !shiftsTraffic) {
    fail(scope, 'deploymentHooks run in the stages of canary, linear and blue/green deployments; received deploymentHooks with deployment ' +
      'Deployment.rolling(). Give deployment: Deployment.canary() (the default), Deployment.linear() or Deployment.blueGreen(), or leave deploymentHooks out');
  }
  hooks.forEach((hook, i) => {
    const of = `deploymentHooks[${i}]`;
    if (hook.stages.length === 0) fail(scope, `${of} stages must name at least one stage; received none. Give stages such as [DeploymentLifecycleStage.POST_SCALE_UP]`);
    for (const stage of hook.stages) {
      if (!STAGES.includes(String(stage))) fail(scope, `${of} stages must be among ${STAGES.join(', ')}; received ${String(stage)}. Give one of them`);
    }
    if (hook.timeout !== undefined && !hook.timeout.isUnresolved()) {
      const minutes = hook.timeout.toMilliseconds() / 60_000;
      if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_PAUSE_MINUTES) {
        fail(scope, `${of} timeout must be whole minutes from 1 to ${MAX_PAUSE_MINUTES} (14 days); received ${hook.timeout.toHumanString()}. ` +
          'Give a Duration such as Duration.hours(4)');
      }
    }
  });
}

/** The smoke test's hook, as the service's first: its details, and how long ECS waits for its verdict. */
export interface SmokeTestHook {
  readonly details: object;
  readonly timeoutMinutes: number;
}

/**
 * Writes the service's lifecycle hooks, always, `[]` when it has none: ECS keeps hooks that a template stops naming,
 * and a hook left behind (by a removed smoke test, say) would roll every later deployment back. First those
 * aws-cdk-lib renders, in their order and with every field it writes (the smoke test's, with its details and a
 * timeout that rolls back, then any the app adds with `service.addLifecycleHook()`), then `hooks`, with the stack's
 * ECS role, which may invoke their functions.
 */
export function writeLifecycleHooks(service: ecs.FargateService, smokeTest: SmokeTestHook | undefined, hooks: DeploymentHook[]): void {
  const cfn = service.node.defaultChild as ecs.CfnService;
  const rendered = (cfn.deploymentConfiguration as ecs.CfnService.DeploymentConfigurationProperty | undefined)?.lifecycleHooks;
  const stack = Stack.of(service);
  const control = hooks.length > 0 ? TrafficControl.of(service) : undefined;
  for (const hook of hooks) if (hook.handler) control!.allowHooks(hook.handler.functionArn);
  const own = hooks.map((hook) => hook.handler
    ? {
      HookTargetArn: hook.handler.functionArn,
      RoleArn: control!.ecsRole.roleArn,
      LifecycleStages: hook.stages.map(String),
      ...(hook.details ? { HookDetails: stack.toJsonString(sorted(hook.details)) } : {}),
    }
    : {
      TargetType: 'PAUSE',
      LifecycleStages: hook.stages.map(String),
      TimeoutConfiguration: { TimeoutInMinutes: hook.timeout!.toMinutes(), Action: hook.timeoutAction },
    });
  cfn.addPropertyOverride('DeploymentConfiguration.LifecycleHooks', Lazy.any({
    produce: () => [
      ...((stack.resolve(rendered) ?? []) as Array<Record<string, unknown>>).map((hook, i) => ({
        ...pascalCase(hook),
        ...(i === 0 && smokeTest ? {
          HookDetails: stack.toJsonString(smokeTest.details),
          TimeoutConfiguration: { TimeoutInMinutes: smokeTest.timeoutMinutes, Action: PauseTimeoutAction.ROLLBACK },
        } : {}),
      })),
      ...own,
    ],
  }));
}

/** An L1 value as CloudFormation writes it: each key of each object with a capital first letter. */
function pascalCase(value: unknown): any {
  if (Array.isArray(value)) return value.map(pascalCase);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key.charAt(0).toUpperCase() + key.slice(1), pascalCase(v)]));
}

/** The map with its keys in order: the same template whatever the order the app gave them in. */
function sorted(map: { [key: string]: string }): { [key: string]: string } {
  return Object.fromEntries(Object.keys(map).sort().map((key) => [key, map[key]]));
}

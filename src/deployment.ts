import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { AlarmThresholds, deploymentAlarmsFor, validateAlarmThresholds } from './alarms';
import { DeploymentHook, validateDeploymentHooks, writeLifecycleHooks } from './deployment-hook';
import { ListenerRule, PRODUCTION_RULE_PRIORITY, RuleMatch, TrafficControl, TrafficFunctionProps, WeightedTargetGroup } from './listener-rule';
import { fullNameOf } from './load-balancer';
import { buildSmokeTest, BuiltSmokeTest, SmokeTest, SmokeTestProps, validateSmokeTest, validateSmokeTestReach } from './smoke-test';
import { buildTargetGroup } from './target-group';
import { fail } from './validation';

/** Options of `Deployment.canary()`. */
export interface CanaryDeploymentOptions {
  /**
   * The percentage of production traffic shifted to the new tasks first: a multiple of 0.1 from 0.1 to 100.
   *
   * @default 10
   */
  readonly trafficPercent?: number;

  /**
   * How long the new tasks serve `trafficPercent` before the rest of the traffic moves: whole minutes, 0 to 1440.
   *
   * @default Duration.minutes(5)
   */
  readonly stepBakeTime?: Duration;

  /**
   * How long the old tasks are kept after all traffic has moved, so that an alarm rolls back at once:
   * whole minutes, 0 to 1440.
   *
   * @default Duration.minutes(5)
   */
  readonly bakeTime?: Duration;
}

/** Options of `Deployment.linear()`. */
export interface LinearDeploymentOptions {
  /**
   * The percentage of production traffic shifted in each step: a multiple of 0.1 from 3 to 100.
   *
   * @default 25
   */
  readonly stepPercent?: number;

  /**
   * How long each step serves before the next one: whole minutes, 0 to 1440.
   *
   * @default Duration.minutes(3)
   */
  readonly stepBakeTime?: Duration;

  /**
   * How long the old tasks are kept after all traffic has moved: whole minutes, 0 to 1440.
   *
   * @default Duration.minutes(5)
   */
  readonly bakeTime?: Duration;
}

/** Options of `Deployment.blueGreen()`. */
export interface BlueGreenDeploymentOptions {
  /**
   * How long the old tasks are kept after all traffic has moved to the new ones: whole minutes, 0 to 1440.
   *
   * @default Duration.minutes(5)
   */
  readonly bakeTime?: Duration;
}

/**
 * How a new release of the service reaches production traffic. Made by `Deployment.rolling()`,
 * `Deployment.canary()`, `Deployment.linear()` or `Deployment.blueGreen()`.
 */
export class Deployment {
  /** Replace the tasks a few at a time, with the circuit breaker and the deployment alarms rolling back a bad release. */
  public static rolling(): Deployment {
    return new Deployment(ecs.DeploymentStrategy.ROLLING);
  }

  /**
   * Start a full set of new tasks, shift `trafficPercent` of production traffic to them, wait
   * `stepBakeTime`, shift the rest, and keep the old tasks for `bakeTime`.
   */
  public static canary(options: CanaryDeploymentOptions = {}): Deployment {
    return new Deployment(ecs.DeploymentStrategy.CANARY, options.bakeTime ?? Duration.minutes(5),
      options.trafficPercent ?? 10, options.stepBakeTime ?? Duration.minutes(5));
  }

  /**
   * Start a full set of new tasks and shift production traffic to them in equal steps of
   * `stepPercent`, waiting `stepBakeTime` between steps; keep the old tasks for `bakeTime`.
   */
  public static linear(options: LinearDeploymentOptions = {}): Deployment {
    return new Deployment(ecs.DeploymentStrategy.LINEAR, options.bakeTime ?? Duration.minutes(5),
      options.stepPercent ?? 25, options.stepBakeTime ?? Duration.minutes(3));
  }

  /** Start a full set of new tasks, shift all production traffic to them at once, and keep the old tasks for `bakeTime`. */
  public static blueGreen(options: BlueGreenDeploymentOptions = {}): Deployment {
    return new Deployment(ecs.DeploymentStrategy.BLUE_GREEN, options.bakeTime ?? Duration.minutes(5));
  }

  /** The ECS deployment strategy. */
  public readonly strategy: ecs.DeploymentStrategy;
  /** How long the old tasks are kept after all traffic has moved; undefined for a rolling deployment. */
  public readonly bakeTime?: Duration;
  /** The percentage of traffic shifted in the first step (canary) or in each step (linear); undefined otherwise. */
  public readonly stepPercent?: number;
  /** The wait between traffic steps (canary and linear); undefined otherwise. */
  public readonly stepBakeTime?: Duration;

  private constructor(strategy: ecs.DeploymentStrategy, bakeTime?: Duration, stepPercent?: number, stepBakeTime?: Duration) {
    this.strategy = strategy;
    this.bakeTime = bakeTime;
    this.stepPercent = stepPercent;
    this.stepBakeTime = stepBakeTime;
  }

  /** Whether ECS shifts traffic between two target groups (canary, linear, blue/green) rather than replacing tasks in one. */
  public get shiftsTraffic(): boolean {
    return this.strategy !== ecs.DeploymentStrategy.ROLLING;
  }
}

/** The most minutes CloudFormation accepts for a canary or linear deployment computed from its template (33 hours). */
export const CLOUDFORMATION_DEPLOYMENT_MINUTES = 33 * 60;
/** The longest bake time and step bake time ECS accepts (24 hours). */
const MAX_BAKE_MINUTES = 1440;

/** The smallest linear stepPercent whose steps fit CloudFormation's limit with these bake times; undefined when none does. */
function fewestStepsPercent(bake: number, step: number): number | undefined {
  for (let tenths = 30; tenths <= 1000; tenths++) {
    if (bake + step * linearSteps(tenths / 10) <= CLOUDFORMATION_DEPLOYMENT_MINUTES) return tenths / 10;
  }
  return undefined;
}

/** The number of steps CloudFormation counts for a linear deployment: the step bake time is not applied after the last shift. */
export function linearSteps(stepPercent: number): number {
  const tenths = Math.round(stepPercent * 10);
  return 1000 % tenths === 0 ? 1000 / tenths - 1 : Math.floor(1000 / tenths);
}

/** What the deployment reads from the construct's props, with what the stack's traffic function and the smoke test read. */
export interface DeploymentProps extends TrafficFunctionProps, SmokeTestProps {
  readonly smokeTest?: SmokeTest;
  readonly deploymentHooks?: DeploymentHook[];
  readonly taskSubnets?: ec2.SubnetSelection;
  readonly deployment?: Deployment;
  readonly deploymentAlarms?: boolean;
  readonly alarmThresholds?: AlarmThresholds;
  readonly alarmTopic?: sns.ITopic;
}

/** The deployment of the props (a canary by default), once validated with its alarms. */
export function deploymentOf(scope: IConstruct, props: DeploymentProps): Deployment {
  const deployment = props.deployment ?? Deployment.canary();
  validateDeployment(scope, deployment);
  if (props.deploymentAlarms === false) {
    for (const prop of ['alarmThresholds', 'alarmTopic'] as const) {
      if (props[prop] !== undefined) {
        fail(scope, `${prop} needs the deployment alarms; received ${prop} with deploymentAlarms false. Remove ${prop}, or leave deploymentAlarms at true`);
      }
    }
  }
  validateAlarmThresholds(scope, props.alarmThresholds ?? {});
  if (props.smokeTest) validateSmokeTest(scope, props.smokeTest, deployment.shiftsTraffic);
  validateDeploymentHooks(scope, props.deploymentHooks ?? [], deployment.shiftsTraffic);
  return deployment;
}

/** Refuses unless the deployment is one ECS and CloudFormation accept. */
function validateDeployment(scope: IConstruct, deployment: Deployment): void {
  // A rolling deployment has no bake time nor traffic step: no message names it.
  const names: Record<string, string> = {
    CANARY: 'canary',
    LINEAR: 'linear',
    BLUE_GREEN: 'blueGreen',
  };
  const name = names[deployment.strategy];
  const of = `deployment: Deployment.${name}`;
  // A token duration is NaN here, and a sum with NaN exceeds no limit.
  const bake = wholeMinutes(scope, `${of} bakeTime`, deployment.bakeTime) ?? NaN;
  const step = wholeMinutes(scope, `${of} stepBakeTime`, deployment.stepBakeTime) ?? NaN;
  const percent = deployment.stepPercent;
  if (percent === undefined || Token.isUnresolved(percent)) return;
  const [prop, min] = deployment.strategy === ecs.DeploymentStrategy.CANARY ? ['trafficPercent', 0.1] : ['stepPercent', 3];
  if (!(percent >= min && percent <= 100) || Number(percent.toFixed(1)) !== percent) {
    fail(scope, `${of} ${prop} must be a multiple of 0.1 from ${min} to 100; received ${percent}. Give a percentage such as ${min === 3 ? 25 : 10}`);
  }
  const steps = deployment.strategy === ecs.DeploymentStrategy.CANARY ? 1 : linearSteps(percent);
  const total = bake + step * steps;
  if (total > CLOUDFORMATION_DEPLOYMENT_MINUTES) {
    const sum = steps === 1 ? `bakeTime ${bake} + stepBakeTime ${step}` : `bakeTime ${bake} + stepBakeTime ${step} x ${steps} steps`;
    const fewer = steps === 1 ? undefined : fewestStepsPercent(bake, step);
    fail(scope,
      `${of} must last at most ${CLOUDFORMATION_DEPLOYMENT_MINUTES} minutes (33 hours), the most CloudFormation accepts; received ${sum} = ${total} minutes. ` +
      `Shorten bakeTime or stepBakeTime${fewer !== undefined ? `, or give a stepPercent of ${fewer} or more (fewer steps)` : ''}`);
  }
}

/** The whole minutes of a duration from 0 to 1440, throwing otherwise; undefined when absent or a token. */
function wholeMinutes(scope: IConstruct, prop: string, value: Duration | undefined): number | undefined {
  if (value === undefined || value.isUnresolved()) return undefined;
  const minutes = value.toMilliseconds() / 60_000;
  if (!Number.isInteger(minutes) || minutes > MAX_BAKE_MINUTES) { // a Duration is never negative
    const received = Number.isInteger(minutes) ? `${minutes} minutes` : value.toHumanString();
    fail(scope, `${prop} must be a whole number of minutes from 0 to ${MAX_BAKE_MINUTES}; received ${received}. Give a Duration in minutes, such as Duration.minutes(5)`);
  }
  return minutes;
}

/**
 * The FargateService props of a deployment. The strategy is always written, ROLLING too: ECS keeps a
 * strategy that disappears from the template. BakeTimeInMinutes is always written when traffic shifts.
 */
export function deploymentServiceOptions(deployment: Deployment): Pick<ecs.FargateServiceProps,
'deploymentStrategy' | 'bakeTime' | 'canaryConfiguration' | 'linearConfiguration'> {
  const shift = { stepPercent: deployment.stepPercent, stepBakeTime: deployment.stepBakeTime };
  return {
    deploymentStrategy: deployment.strategy,
    bakeTime: deployment.bakeTime,
    canaryConfiguration: deployment.strategy === ecs.DeploymentStrategy.CANARY ? shift : undefined,
    linearConfiguration: deployment.strategy === ecs.DeploymentStrategy.LINEAR ? shift : undefined,
  };
}


/** What the deployment works on: the service and the front door built before it. */
export interface DeploymentParts {
  readonly service: ecs.FargateService;
  readonly containerName: string;
  readonly port: number;
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  /** Every listener the service listens on (its own port-80 redirect besides its HTTPS listener). */
  readonly listeners: readonly elbv2.IApplicationListener[];
  /** On a shared HTTPS listener, what the service's rule matches. */
  readonly match?: RuleMatch;
  /** On the load balancer's own listener, the host names its production rule matches (none: any host). */
  readonly ownHosts?: string[];
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly targetGroupProps: elbv2.ApplicationTargetGroupProps;
  /** The names of the service's deployment alarms, which it reads when the app synthesizes: the alarms made here go there. */
  readonly alarmNames: string[];
  /** With a smoke test, the priority of its test rule on the listener. */
  readonly testPriority?: number;
}

/** The deployment built: the second target group of a traffic-shifting deployment, and the alarms. */
export interface DeploymentResources {
  readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  readonly alarms: cloudwatch.Alarm[];
}

/**
 * Registers the service in its target group and builds what its deployments need: for canary, linear
 * and blue/green, an alternate target group (a copy of the first) and the production rule that
 * forwards to both, whose weights ECS moves with the stack's ECS role; with a rolling deployment the
 * production rule forwards to the one target group; and the deployment alarms, or alarms written as off.
 */
export function buildDeployment(scope: Construct, props: DeploymentProps, deployment: Deployment, parts: DeploymentParts): DeploymentResources {
  const { service, listener, match, targetGroup } = parts;
  let alternateTargetGroup: elbv2.ApplicationTargetGroup | undefined;
  let alternateTarget: ecs.IAlternateTarget | undefined;
  // The stack's function writes the service's production rule; ECS moves its weights with the stack's ECS role.
  const control = TrafficControl.of(scope, props, service.cluster.vpc);
  // The service's production rule, whatever the strategy (on a shared listener, its host rule): switching strategies
  // changes it in place, before the service, so that the function can refuse a switch that would send the traffic to
  // a target group with no healthy target (after an odd-numbered deployment, `targetGroup` is empty).
  const productionRule = (targetGroups: WeightedTargetGroup[]) => {
    const rule = new ListenerRule(scope, match ? 'HostRule' : 'ProductionRule', listener,
      match ?? { hosts: parts.ownHosts, priority: PRODUCTION_RULE_PRIORITY }, targetGroups);
    // A rule that moves to another listener is disabled on its old one at once (see the function): the old
    // listener's own change (a redirect to HTTPS, say) comes first, so that its requests always have somewhere to go.
    for (const other of parts.listeners) if (other !== listener) rule.node.addDependency(other);
    // The target groups the rule forwards to are attached to its listener, as aws-cdk-lib knows a listener's own:
    // `targetGroup.metrics` and `scaleOnRequestCount` read the load balancer from there. (A listener whose default
    // forwards to the target group has attached it already.) The service then waits for the listener; it waits for the
    // rule already, by reference or by dependency.
    if (match || parts.ownHosts) targetGroup.registerListener(listener);
    alternateTargetGroup?.registerListener(listener);
    return rule;
  };
  if (props.smokeTest) validateSmokeTestReach(scope, props, parts.loadBalancer, service.cluster.vpc);
  let smoke: BuiltSmokeTest | undefined;
  if (deployment.shiftsTraffic) {
    alternateTargetGroup = buildTargetGroup(scope, parts.targetGroupProps, parts.loadBalancer, 'AlternateTargetGroup');
    const targetGroups = [{ targetGroup, weight: 100 }, { targetGroup: alternateTargetGroup, weight: 0 }];
    const rule = productionRule(targetGroups);
    // The smoke test's rule: the production rule's match and target groups, and the test header; ECS moves its weights too.
    smoke = props.smokeTest && buildSmokeTest(scope, props, props.smokeTest, {
      service,
      loadBalancer: parts.loadBalancer,
      listener,
      match: { ...match ?? { hosts: parts.ownHosts }, priority: parts.testPriority! },
      targetGroups,
    });
    const ecsRole = control.ecsRole;
    const alternate = alternateTargetGroup;
    alternateTarget = {
      bind: () => ({
        alternateTargetGroupArn: alternate.targetGroupArn,
        roleArn: ecsRole.roleArn,
        productionListenerRule: rule.ruleArn,
        testListenerRule: smoke?.testRuleArn,
      }),
    };
  } else {
    service.node.addDependency(productionRule([{ targetGroup, weight: 100 }]));
  }
  targetGroup.addTarget(service.loadBalancerTarget({ containerName: parts.containerName, containerPort: parts.port, alternateTarget }));
  writeLifecycleHooks(service, smoke?.hook, props.deploymentHooks ?? []);
  // A target group that only a rule of the custom resource forwards to (on a shared HTTPS listener) is attached
  // to no listener that aws-cdk-lib knows of: the load balancer is let through to the tasks here. Where a
  // listener's default action forwards to the group, aws-cdk-lib has made these same rules, which are added
  // once. Both rules are in the service's stack, which already depends on the load balancer's.
  for (const securityGroup of parts.loadBalancer.connections.securityGroups) {
    for (const tasks of service.connections.securityGroups) {
      securityGroup.addEgressRule(tasks, ec2.Port.tcp(parts.port), 'Load balancer to target', true);
      tasks.addIngressRule(securityGroup, ec2.Port.tcp(parts.port), 'Load balancer to target');
    }
  }

  if (!(props.deploymentAlarms ?? true)) return { alternateTargetGroup, alarms: [] };
  const targetGroups = alternateTargetGroup ? [targetGroup, alternateTargetGroup] : [targetGroup];
  const alarms = deploymentAlarmsFor(scope, fullNameOf(parts.loadBalancer), targetGroups, props.alarmThresholds ?? {}, props.alarmTopic);
  // The service reads these names when the app synthesizes (see buildService).
  parts.alarmNames.push(...alarms.map((alarm) => alarm.alarmName));
  return { alternateTargetGroup, alarms };
}

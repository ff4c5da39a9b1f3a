import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import type { HostRoute } from './front-door';
import type { PrivateFargateBehindAlbProps } from './private-fargate-behind-alb';
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

/** The number of steps CloudFormation counts for a linear deployment: the step bake time is not applied after the last shift. */
export function linearSteps(stepPercent: number): number {
  const tenths = Math.round(stepPercent * 10);
  return 1000 % tenths === 0 ? 1000 / tenths - 1 : Math.floor(1000 / tenths);
}

/** Throws unless the deployment and its alarms are ones ECS, CloudWatch and CloudFormation accept. */
export function validateDeploymentProps(scope: IConstruct, deployment: Deployment, props: PrivateFargateBehindAlbProps): void {
  validateDeployment(scope, deployment);
  if (props.deploymentAlarms === false) {
    for (const prop of ['alarmThresholds', 'alarmTopic'] as const) {
      if (props[prop] !== undefined) {
        fail(scope, `${prop} needs the deployment alarms; received ${prop} with deploymentAlarms false. Remove ${prop}, or leave deploymentAlarms at true`);
      }
    }
  }
  validateAlarmThresholds(scope, props.alarmThresholds ?? {});
}

/** Throws unless the deployment is one ECS and CloudFormation accept. */
function validateDeployment(scope: IConstruct, deployment: Deployment): void {
  const names: Record<string, string> = {
    // Stryker disable next-line StringLiteral: a rolling deployment has no bake time or traffic step, so no message names it.
    ROLLING: 'rolling',
    CANARY: 'canary',
    LINEAR: 'linear',
    BLUE_GREEN: 'blueGreen',
  };
  const name = names[deployment.strategy];
  const of = `deployment: Deployment.${name}`;
  const bake = wholeMinutes(scope, `${of} bakeTime`, deployment.bakeTime);
  const step = wholeMinutes(scope, `${of} stepBakeTime`, deployment.stepBakeTime);
  const percent = deployment.stepPercent;
  if (percent === undefined || Token.isUnresolved(percent)) return;
  const [prop, min] = deployment.strategy === ecs.DeploymentStrategy.CANARY ? ['trafficPercent', 0.1] : ['stepPercent', 3];
  if (!(percent >= min && percent <= 100) || Number(percent.toFixed(1)) !== percent) {
    fail(scope, `${of} ${prop} must be a multiple of 0.1 from ${min} to 100; received ${percent}. Give a percentage such as ${min === 3 ? 25 : 10}`);
  }
  // Stryker disable next-line LogicalOperator,ConditionalExpression: with a token duration the sum is NaN, and NaN exceeds no limit either.
  if (bake === undefined || step === undefined) return;
  const steps = deployment.strategy === ecs.DeploymentStrategy.CANARY ? 1 : linearSteps(percent);
  const total = bake + step * steps;
  if (total > CLOUDFORMATION_DEPLOYMENT_MINUTES) {
    const sum = steps === 1 ? `bakeTime ${bake} + stepBakeTime ${step}` : `bakeTime ${bake} + stepBakeTime ${step} x ${steps} steps`;
    fail(scope,
      `${of} must last at most ${CLOUDFORMATION_DEPLOYMENT_MINUTES} minutes (33 hours), the most CloudFormation accepts; received ${sum} = ${total} minutes. ` +
      `Shorten bakeTime or stepBakeTime${steps > 1 ? ', or give a larger stepPercent' : ''}`);
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

/** The FargateService props of a deployment. BakeTimeInMinutes is always written when traffic shifts. */
export function serviceOptionsOf(deployment: Deployment): Pick<ecs.FargateServiceProps,
'deploymentStrategy' | 'bakeTime' | 'canaryConfiguration' | 'linearConfiguration'> {
  if (!deployment.shiftsTraffic) return {};
  const shift = { stepPercent: deployment.stepPercent, stepBakeTime: deployment.stepBakeTime };
  return {
    deploymentStrategy: deployment.strategy,
    bakeTime: deployment.bakeTime,
    canaryConfiguration: deployment.strategy === ecs.DeploymentStrategy.CANARY ? shift : undefined,
    linearConfiguration: deployment.strategy === ecs.DeploymentStrategy.LINEAR ? shift : undefined,
  };
}

/** The priority of the production rule: the last a listener evaluates, so that rules users add come first. */
const PRODUCTION_RULE_PRIORITY = 50000;

/**
 * The alternate target group (a copy of `targetGroup`), the production listener rule that forwards
 * every request to both target groups (all to `targetGroup` until ECS changes the weights), and the
 * role ECS assumes to move traffic: it may change that rule and register targets in those two target
 * groups only. The rule's template stays the same across ordinary stack updates, so CloudFormation
 * never resets the weights ECS set.
 */
export function trafficShiftFor(scope: Construct, listener: elbv2.ApplicationListener,
  targetGroup: elbv2.ApplicationTargetGroup, targetGroupProps: elbv2.ApplicationTargetGroupProps, route?: HostRoute,
): { alternateTargetGroup: elbv2.ApplicationTargetGroup; alternateTarget: ecs.AlternateTarget; role: iam.Role } {
  const alternateTargetGroup = new elbv2.ApplicationTargetGroup(scope, 'AlternateTargetGroup', targetGroupProps);
  const rule = new elbv2.ApplicationListenerRule(scope, 'ProductionRule', {
    listener,
    // On a shared HTTPS listener, the service's host rule is its production rule.
    priority: route?.priority ?? PRODUCTION_RULE_PRIORITY,
    conditions: route?.conditions ?? [elbv2.ListenerCondition.pathPatterns(['/*'])],
    action: elbv2.ListenerAction.weightedForward([
      // On the service's own listener, by ARN: the service already waits for that listener, which
      // forwards to this target group, and references the rule, so the rule must not add itself to what
      // the service waits for (a redundant DependsOn). On a shared listener this rule is the only way
      // to the target group, which must be attached through it (its security group rules and metrics).
      { targetGroup: route ? targetGroup : importedTargetGroup(scope, targetGroup), weight: 100 },
      { targetGroup: alternateTargetGroup, weight: 0 },
    ]),
  });
  const role = new iam.Role(scope, 'TrafficShiftRole', {
    assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
    description: 'ECS moves production traffic between the service\'s two target groups',
    // Inline, so the permissions exist before the service that uses the role.
    inlinePolicies: {
      TrafficShift: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            actions: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules',
              'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
            resources: ['*'],
          }),
          new iam.PolicyStatement({
            actions: ['elasticloadbalancing:ModifyRule'],
            resources: [rule.listenerRuleArn],
          }),
          new iam.PolicyStatement({
            actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
            resources: [targetGroup.targetGroupArn, alternateTargetGroup.targetGroupArn],
          }),
        ],
      }),
    },
  });
  // Stryker disable next-line StringLiteral: the id of an AlternateTarget, which is not a construct, names nothing in the template.
  const alternateTarget = new ecs.AlternateTarget('AlternateTarget', {
    alternateTargetGroup,
    productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(rule),
    role,
  });
  return { alternateTargetGroup, alternateTarget, role };
}

/** The target group by ARN, for a rule that must not attach it again; the warning that it cannot be attached is that intent. */
function importedTargetGroup(scope: Construct, targetGroup: elbv2.ApplicationTargetGroup): elbv2.IApplicationTargetGroup {
  // aws-cdk-lib honours an acknowledgment for the descendants of a construct, so the import gets a parent of its own.
  const holder = new Construct(scope, 'ProductionTargetGroup');
  Annotations.of(holder).acknowledgeWarning('@aws-cdk/aws-elbv2:albTargetGroupCannotRegisterListener',
    // Stryker disable next-line StringLiteral: the reason is for people reading the code; no template or warning holds it.
    'The target group is attached through the listener\'s default action; the production rule only names it.');
  return elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(holder, 'Reference', { targetGroupArn: targetGroup.targetGroupArn });
}

/** The thresholds and timing of the deployment alarms. */
export interface AlarmThresholds {
  /**
   * The percentage of a target group's requests its targets answer with a 5xx status, above which
   * the alarm fires: greater than 0, at most 100.
   *
   * @default 5
   */
  readonly serverErrorPercent?: number;

  /**
   * The number of unhealthy targets in a target group at or above which the alarm fires: a whole number of at least 1.
   *
   * @default 1
   */
  readonly unhealthyTargets?: number;

  /**
   * The 95th percentile of the targets' response time above which the alarm fires: more than 0 and at most 1 hour.
   *
   * @default Duration.seconds(2)
   */
  readonly responseTime?: Duration;

  /**
   * The period over which each metric is evaluated: a whole number of minutes (load balancer metrics come every minute).
   *
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;

  /**
   * The number of consecutive periods that must breach before an alarm fires: a whole number of at
   * least 1, and `period` times this at most one day.
   *
   * @default 2
   */
  readonly evaluationPeriods?: number;
}

/** Throws unless the thresholds are ones CloudWatch accepts. */
function validateAlarmThresholds(scope: IConstruct, thresholds: AlarmThresholds): void {
  const { serverErrorPercent, unhealthyTargets, evaluationPeriods, responseTime, period } = thresholds;
  if (serverErrorPercent !== undefined && !Token.isUnresolved(serverErrorPercent) && !(serverErrorPercent > 0 && serverErrorPercent <= 100)) {
    fail(scope, `alarmThresholds serverErrorPercent must be greater than 0 and at most 100; received ${serverErrorPercent}`);
  }
  for (const [prop, value] of [['unhealthyTargets', unhealthyTargets], ['evaluationPeriods', evaluationPeriods]] as const) {
    if (value !== undefined && !Token.isUnresolved(value) && !(Number.isInteger(value) && value >= 1)) {
      fail(scope, `alarmThresholds ${prop} must be an integer of at least 1; received ${value}`);
    }
  }
  if (responseTime && !responseTime.isUnresolved()) {
    const ms = responseTime.toMilliseconds();
    if (!(ms > 0 && ms <= 3_600_000)) {
      fail(scope, `alarmThresholds responseTime must be more than 0 and at most 1 hour; received ${responseTime.toHumanString()}`);
    }
  }
  if (period && !period.isUnresolved()) {
    const minutes = period.toMilliseconds() / 60_000;
    if (!Number.isInteger(minutes) || minutes < 1) {
      fail(scope, `alarmThresholds period must be a whole number of minutes, at least 1; received ${period.toHumanString()}. Give a Duration in minutes, such as Duration.minutes(1)`);
    }
    const periods = evaluationPeriods ?? 2;
    if (!Token.isUnresolved(periods) && minutes * periods > 24 * 60) {
      fail(scope, `alarmThresholds period times evaluationPeriods must be at most one day (1440 minutes), the longest CloudWatch evaluates; received ${minutes} minutes x ${periods} = ${minutes * periods} minutes`);
    }
  }
}

/**
 * The deployment alarms of each target group: the share of 5xx answers, unhealthy targets and the
 * 95th percentile of the response time. Missing data (a target group without traffic) is not breaching.
 */
export function deploymentAlarmsFor(scope: Construct, targetGroups: Array<elbv2.ApplicationTargetGroup | undefined>,
  thresholds: AlarmThresholds, topic: sns.ITopic | undefined): cloudwatch.Alarm[] {
  const period = thresholds.period ?? Duration.minutes(1);
  const evaluationPeriods = thresholds.evaluationPeriods ?? 2;
  const serverErrorPercent = thresholds.serverErrorPercent ?? 5;
  const responseTime = thresholds.responseTime ?? Duration.seconds(2);
  const common = { evaluationPeriods, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING };
  const alarms: cloudwatch.Alarm[] = [];
  targetGroups.forEach((targetGroup, index) => {
    if (!targetGroup) return;
    const label = index === 0 ? '' : 'Alternate';
    const where = `the ${index === 0 ? 'primary' : 'alternate'} target group`;
    const metrics = targetGroup.metrics;
    alarms.push(new cloudwatch.Alarm(scope, `${label}ServerErrorsAlarm`, {
      ...common,
      alarmDescription: `More than ${serverErrorPercent} % of the requests to ${where} answered 5xx by the targets`,
      metric: new cloudwatch.MathExpression({
        expression: '100 * FILL(errors, 0) / requests',
        // Both are sums by default; the expression's period is theirs.
        usingMetrics: {
          errors: metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT),
          requests: metrics.requestCount(),
        },
        label: '5xx percent',
        period,
      }),
      threshold: serverErrorPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }));
    alarms.push(new cloudwatch.Alarm(scope, `${label}UnhealthyTargetsAlarm`, {
      ...common,
      alarmDescription: `Unhealthy targets in ${where}`,
      metric: metrics.unhealthyHostCount({ period, statistic: 'Maximum' }),
      threshold: thresholds.unhealthyTargets ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }));
    alarms.push(new cloudwatch.Alarm(scope, `${label}ResponseTimeAlarm`, {
      ...common,
      alarmDescription: `The 95th percentile of the response time of ${where} above ${responseTime.toHumanString()}`,
      metric: metrics.targetResponseTime({ period, statistic: 'p95' }),
      threshold: responseTime.toMilliseconds() / 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }));
  });
  if (topic) {
    for (const alarm of alarms) {
      alarm.addAlarmAction(new actions.SnsAction(topic));
      alarm.addOkAction(new actions.SnsAction(topic));
    }
  }
  return alarms;
}

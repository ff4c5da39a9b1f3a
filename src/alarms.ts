import { Duration, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { asReceived, fail } from './validation';

/*
 * The deployment alarms: the share of 5xx answers, unhealthy targets and the 95th percentile of the
 * response time. Each watches every target group the new tasks may land in (both, with canary, linear
 * and blue/green deployments, since ECS swaps their roles on each one), as the worst of the groups:
 * one alarm per signal, as sensitive as an alarm per group.
 */

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
   * least 1, and `period` times this at most one day (seven days with a `period` of one hour or more).
   *
   * @default 2
   */
  readonly evaluationPeriods?: number;
}

/** Refuses unless the thresholds are ones CloudWatch accepts. */
export function validateAlarmThresholds(scope: IConstruct, thresholds: AlarmThresholds): void {
  const { serverErrorPercent, unhealthyTargets, evaluationPeriods, responseTime, period } = thresholds;
  if (serverErrorPercent !== undefined && !Token.isUnresolved(serverErrorPercent) && (typeof serverErrorPercent !== 'number' || !(serverErrorPercent > 0 && serverErrorPercent <= 100))) {
    fail(scope, `alarmThresholds serverErrorPercent must be greater than 0 and at most 100; received ${asReceived(serverErrorPercent)}`);
  }
  for (const [prop, value] of [['unhealthyTargets', unhealthyTargets], ['evaluationPeriods', evaluationPeriods]] as const) {
    if (value !== undefined && !Token.isUnresolved(value) && !(Number.isInteger(value) && value >= 1)) {
      fail(scope, `alarmThresholds ${prop} must be an integer of at least 1; received ${asReceived(value)}`);
    }
  }
  if (responseTime && !responseTime.isUnresolved()) {
    const ms = responseTime.toMilliseconds();
    if (!(ms > 0 && ms <= 3_600_000)) {
      fail(scope, `alarmThresholds responseTime must be more than 0 and at most 1 hour; received ${responseTime.toHumanString()}`);
    }
  }
  // A token period (NaN) exceeds no limit; one left out is the alarms' default, one minute.
  let minutes = period ? NaN : 1;
  if (period && !period.isUnresolved()) {
    minutes = period.toMilliseconds() / 60_000;
    if (!Number.isInteger(minutes) || minutes < 1) {
      fail(scope, `alarmThresholds period must be a whole number of minutes, at least 1; received ${period.toHumanString()}. Give a Duration in minutes, such as Duration.minutes(1)`);
    }
  }
  const periods = evaluationPeriods ?? 2;
  // Stryker disable next-line ConditionalExpression: a token's number is a large negative double, which the check below passes too
  if (Token.isUnresolved(periods)) return;
  const longest = longestEvaluation(minutes);
  if (minutes * periods > longest.minutes) {
    const most = Math.floor(longest.minutes / minutes);
    fail(scope,
      `alarmThresholds period times evaluationPeriods must be at most ${longest.name} (${longest.minutes} minutes) with a period ${longest.periods}, ` +
      `the longest CloudWatch evaluates; received period ${minutes} minute${minutes === 1 ? '' : 's'}${period ? '' : ' (the default)'} x ` +
      `evaluationPeriods ${periods}${evaluationPeriods === undefined ? ' (the default)' : ''} = ${minutes * periods} minutes. ` +
      (most >= 1 ? `Give at most ${most} evaluationPeriods` : `Give a period of at most ${longest.minutes} minutes, with evaluationPeriods 1`));
  }
}

/**
 * The longest an alarm evaluates (period x evaluation periods), by its period in minutes. CloudWatch
 * API reference, PutMetricAlarm, `Period`
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html): "An
 * alarm's total current evaluation period can be no longer than seven days, so Period multiplied by
 * EvaluationPeriods can't be more than 604,800 seconds. For alarms with a period of less than one
 * hour (3,600 seconds), the total evaluation period can't be longer than one day (86,400 seconds)."
 */
function longestEvaluation(periodMinutes: number): { minutes: number; name: string; periods: string } {
  return periodMinutes < 60
    ? { minutes: 24 * 60, name: 'one day', periods: 'under one hour' }
    : { minutes: 7 * 24 * 60, name: 'seven days', periods: 'of one hour or more' };
}

/** A metric of a target group on its load balancer. */
function targetGroupMetric(metricName: string, targetGroup: elbv2.ITargetGroup, loadBalancerFullName: string,
  statistic: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/ApplicationELB',
    metricName,
    dimensionsMap: { LoadBalancer: loadBalancerFullName, TargetGroup: (targetGroup as elbv2.ApplicationTargetGroup).targetGroupFullName },
    statistic,
    period,
  });
}

/** The worst (the highest) of one signal over the target groups, from `metricOf` for each group. */
function worstOf(targetGroups: elbv2.ITargetGroup[], label: string, period: Duration,
  metricOf: (targetGroup: elbv2.ITargetGroup, index: number) => cloudwatch.IMetric): cloudwatch.IMetric {
  if (targetGroups.length === 1) return metricOf(targetGroups[0], 0);
  const perGroup = Object.fromEntries(targetGroups.map((targetGroup, index) => [`group${index}`, metricOf(targetGroup, index)]));
  return new cloudwatch.MathExpression({
    expression: `MAX([${Object.keys(perGroup).join(', ')}])`,
    usingMetrics: perGroup,
    label,
    period,
  });
}

/**
 * The deployment alarms of the target groups on the load balancer whose full name is given. Missing
 * data (a target group without traffic) is not breaching.
 */
export function deploymentAlarmsFor(scope: Construct, loadBalancerFullName: string, targetGroups: elbv2.ITargetGroup[],
  thresholds: AlarmThresholds, topic: sns.ITopic | undefined): cloudwatch.Alarm[] {
  const period = thresholds.period ?? Duration.minutes(1);
  const evaluationPeriods = thresholds.evaluationPeriods ?? 2;
  const serverErrorPercent = thresholds.serverErrorPercent ?? 5;
  const responseTime = thresholds.responseTime ?? Duration.seconds(2);
  const common = { evaluationPeriods, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING };
  const where = targetGroups.length === 1 ? 'the target group' : 'either target group';
  const metric = (name: string, targetGroup: elbv2.ITargetGroup, statistic: string) =>
    targetGroupMetric(name, targetGroup, loadBalancerFullName, statistic, period);
  const alarms = [
    new cloudwatch.Alarm(scope, 'ServerErrorsAlarm', {
      ...common,
      alarmDescription: `More than ${serverErrorPercent} % of the requests to ${where} answered 5xx by the targets`,
      metric: worstOf(targetGroups, '5xx percent', period, (targetGroup, index) => new cloudwatch.MathExpression({
        expression: `100 * FILL(errors${index}, 0) / requests${index}`,
        usingMetrics: {
          [`errors${index}`]: metric('HTTPCode_Target_5XX_Count', targetGroup, 'Sum'),
          [`requests${index}`]: metric('RequestCount', targetGroup, 'Sum'),
        },
        // A label only where the expression is the alarm's own: one inside the worst of two groups is never shown.
        label: targetGroups.length === 1 ? '5xx percent' : undefined,
        period,
      })),
      threshold: serverErrorPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }),
    new cloudwatch.Alarm(scope, 'UnhealthyTargetsAlarm', {
      ...common,
      alarmDescription: `Unhealthy targets in ${where}`,
      metric: worstOf(targetGroups, 'Unhealthy targets', period, (targetGroup) => metric('UnHealthyHostCount', targetGroup, 'Maximum')),
      threshold: thresholds.unhealthyTargets ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }),
    new cloudwatch.Alarm(scope, 'ResponseTimeAlarm', {
      ...common,
      alarmDescription: `The 95th percentile of the response time of ${where} above ${responseTime.toHumanString()}`,
      metric: worstOf(targetGroups, 'p95 response time', period, (targetGroup) => metric('TargetResponseTime', targetGroup, 'p95')),
      threshold: responseTime.toMilliseconds() / 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }),
  ];
  for (const alarm of alarms) {
    if (topic) {
      alarm.addAlarmAction(new actions.SnsAction(topic));
      alarm.addOkAction(new actions.SnsAction(topic));
    } else {
      // Without a topic the alarm acts through ECS, which cdk-nag does not see: a deployment alarm of the service.
      for (const pack of ['NIST.800.53.R5', 'HIPAA.Security']) {
        Validations.of(alarm).acknowledge({
          id: `${pack}-CloudWatchAlarmAction`,
          reason: 'The alarm is a deployment alarm of the ECS service, which rolls a deployment back when it goes into ALARM; ' +
            'it needs no alarm action of its own. Give alarmTopic to also be notified.',
        });
      }
    }
  }
  return alarms;
}

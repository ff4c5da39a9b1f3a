import { Duration, Token } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { IConstruct } from 'constructs';
import { asReceived, fail, validateIntegerAtLeast, validatePercent } from './validation';

/*
 * Autoscaling of the task count: CPU target tracking, and optionally memory and requests per task.
 * Application Auto Scaling uses its own service-linked role: no role is created here.
 */

/** What the scaling reads from the construct's props. */
export interface ScalingProps {
  readonly minCapacity?: number;
  readonly maxCapacity?: number;
  readonly targetCpuUtilizationPercent?: number;
  readonly targetMemoryUtilizationPercent?: number;
  readonly targetRequestsPerTarget?: number;
}

/** Refuses scaling props Application Auto Scaling would refuse at deploy. */
export function validateScalingProps(scope: IConstruct, props: ScalingProps): void {
  const minCapacity = props.minCapacity ?? 1;
  const maxCapacity = props.maxCapacity ?? 3;
  validateIntegerAtLeast(scope, 'minCapacity', minCapacity, 0);
  validateIntegerAtLeast(scope, 'maxCapacity', maxCapacity, 1);
  if (!Token.isUnresolved(minCapacity) && !Token.isUnresolved(maxCapacity) && minCapacity > maxCapacity) {
    fail(scope, `minCapacity must not exceed maxCapacity; received minCapacity ${minCapacity} and maxCapacity ${maxCapacity}. ` +
      `Give a maxCapacity of at least ${minCapacity}, or a minCapacity of at most ${maxCapacity}`);
  }
  validatePercent(scope, 'targetCpuUtilizationPercent', props.targetCpuUtilizationPercent ?? 50);
  validatePercent(scope, 'targetMemoryUtilizationPercent', props.targetMemoryUtilizationPercent);
  const requests = props.targetRequestsPerTarget;
  if (requests !== undefined && !Token.isUnresolved(requests) && (typeof requests !== 'number' || !(requests > 0))) {
    fail(scope, `targetRequestsPerTarget must be greater than 0 (requests per target per minute); received ${asReceived(requests)}`);
  }
}

/**
 * The scalable task count and its target-tracking policies. Request-count scaling counts the requests
 * of every target group the tasks may be in: after ECS swaps the two target groups of a canary, linear
 * or blue/green deployment, a policy on one group alone would have no data, and stop scaling out on
 * requests and block scaling in (a policy without data is not ready).
 */
export function buildScaling(service: ecs.FargateService, props: ScalingProps, loadBalancerFullName: string,
  targetGroups: elbv2.ApplicationTargetGroup[]): ecs.ScalableTaskCount {
  const scaling = service.autoScaleTaskCount({ minCapacity: props.minCapacity ?? 1, maxCapacity: props.maxCapacity ?? 3 });
  scaling.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: props.targetCpuUtilizationPercent ?? 50 });
  if (props.targetMemoryUtilizationPercent !== undefined) {
    scaling.scaleOnMemoryUtilization('MemoryScaling', { targetUtilizationPercent: props.targetMemoryUtilizationPercent });
  }
  if (props.targetRequestsPerTarget !== undefined) {
    if (targetGroups.length === 1) {
      scaleOnRequestsOfTheTargetGroup(scaling, props.targetRequestsPerTarget, loadBalancerFullName, targetGroups[0]);
    } else {
      scaleOnRequestsOfEveryTargetGroup(scaling, props.targetRequestsPerTarget, loadBalancerFullName, targetGroups);
    }
  }
  return scaling;
}

/**
 * Target tracking on ALBRequestCountPerTarget of the one target group, labelled with the load balancer the
 * service is on. (`scaleOnRequestCount` reads the load balancer from the group's first listener, and a group
 * that only the rule of the custom resource forwards to, on a shared HTTPS listener, has no listener
 * aws-cdk-lib knows of.) The policy is made where `scaleOnRequestCount` makes it: under the scalable target.
 */
function scaleOnRequestsOfTheTargetGroup(scaling: ecs.ScalableTaskCount, requestsPerTarget: number, loadBalancerFullName: string,
  targetGroup: elbv2.ApplicationTargetGroup): void {
  (scaling.node.findChild('Target') as appscaling.ScalableTarget).scaleToTrackMetric('RequestScaling', {
    predefinedMetric: appscaling.PredefinedMetric.ALB_REQUEST_COUNT_PER_TARGET,
    resourceLabel: `${loadBalancerFullName}/${targetGroup.targetGroupFullName}`,
    targetValue: requestsPerTarget,
  });
}

/**
 * Target tracking on the sum of the requests per target of the target groups, with metric math (as
 * AWS's blue/green autoscaling sample does): the group ECS has emptied adds nothing, and during a
 * deployment each group's requests per target add up to the service's.
 */
function scaleOnRequestsOfEveryTargetGroup(scaling: ecs.ScalableTaskCount, requestsPerTarget: number, loadBalancerFullName: string,
  targetGroups: elbv2.ApplicationTargetGroup[]): void {
  // The policy's own metric: its name, namespace and statistic are deleted below (the metric math
  // names them), so only its dimensions reach the template.
  const metric = (targetGroup: elbv2.ApplicationTargetGroup) => new cloudwatch.Metric({
    // Stryker disable next-line StringLiteral: deleted from the template below, with metricName and statistic
    namespace: 'AWS/ApplicationELB',
    // Stryker disable next-line StringLiteral: deleted from the template below
    metricName: 'RequestCountPerTarget',
    dimensionsMap: { LoadBalancer: loadBalancerFullName, TargetGroup: targetGroup.targetGroupFullName },
    // Stryker disable next-line StringLiteral: deleted from the template below
    statistic: 'Sum',
    period: Duration.minutes(1),
  });
  // aws-cdk-lib renders a custom metric from one metric only: the policy is written with the metric of
  // the first group, then its metric specification is replaced by the metric math over all of them.
  scaling.scaleToTrackCustomMetric('RequestScaling', { metric: metric(targetGroups[0]), targetValue: requestsPerTarget });
  const policy = scaling.node.findAll().find((node) => node instanceof appscaling.TargetTrackingScalingPolicy && node.node.id === 'RequestScaling')!
    .node.defaultChild as appscaling.CfnScalingPolicy;
  const path = 'TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification';
  for (const property of ['MetricName', 'Namespace', 'Dimensions', 'Statistic']) policy.addPropertyDeletionOverride(`${path}.${property}`);
  const ids = targetGroups.map((_, index) => `group${index}`);
  policy.addPropertyOverride(`${path}.Metrics`, [
    ...targetGroups.map((targetGroup, index) => ({
      Id: ids[index],
      MetricStat: {
        Metric: {
          Namespace: 'AWS/ApplicationELB',
          MetricName: 'RequestCountPerTarget',
          Dimensions: Object.entries(metric(targetGroup).dimensions!).map(([Name, Value]) => ({ Name, Value })),
        },
        Stat: 'Sum',
      },
      ReturnData: false,
    })),
    { Id: 'requestsPerTarget', Expression: ids.map((id) => `FILL(${id}, 0)`).join(' + '), Label: 'Requests per target', ReturnData: true },
  ]);
}

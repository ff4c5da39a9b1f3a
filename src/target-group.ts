import { createHash } from 'crypto';
import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct, IConstruct } from 'constructs';
import { ownerOf } from './load-balancer';
import { fail, toSeconds, validateIntegerInRange, validateSecondsInRange } from './validation';

/*
 * How the load balancer sees a task: a target group of type ip on the service's port, its health check
 * and how long a stopping task drains. Canary, linear and blue/green deployments make a second target
 * group from the same props. A target group belongs to one load balancer (ELB quotas: load balancers
 * per target group, 1), so the target groups follow theirs: see targetGroupId.
 */

/** What the target group reads from the construct's props. */
export interface TargetGroupOptions {
  readonly port?: number;
  readonly healthCheckPath?: string;
  readonly healthCheckInterval?: Duration;
  readonly healthCheckTimeout?: Duration;
  readonly healthyThresholdCount?: number;
  readonly unhealthyThresholdCount?: number;
  readonly deregistrationDelay?: Duration;
  readonly healthyHttpCodes?: string;
}

/** Validates the target group props and returns them, with the defaults, as the props of an ApplicationTargetGroup. */
export function targetGroupPropsFor(scope: IConstruct, props: TargetGroupOptions, vpc: ec2.IVpc): elbv2.ApplicationTargetGroupProps {
  const healthCheckPath = props.healthCheckPath ?? '/';
  const interval = props.healthCheckInterval ?? Duration.seconds(10);
  const timeout = props.healthCheckTimeout ?? Duration.seconds(5);
  const healthyThresholdCount = props.healthyThresholdCount ?? 2;
  const unhealthyThresholdCount = props.unhealthyThresholdCount ?? 2;
  const deregistrationDelay = props.deregistrationDelay ?? Duration.seconds(30);
  validateSecondsInRange(scope, 'healthCheckInterval', interval, 5, 300);
  validateSecondsInRange(scope, 'healthCheckTimeout', timeout, 2, 120);
  validateTimeoutBelowInterval(scope, timeout, interval);
  validateIntegerInRange(scope, 'healthyThresholdCount', healthyThresholdCount, 2, 10);
  validateIntegerInRange(scope, 'unhealthyThresholdCount', unhealthyThresholdCount, 2, 10);
  validateSecondsInRange(scope, 'deregistrationDelay', deregistrationDelay, 0, 3600);
  if (!Token.isUnresolved(healthCheckPath) && !healthCheckPath.startsWith('/')) {
    fail(scope, `healthCheckPath must start with "/"; received "${healthCheckPath}"`);
  }
  validateHealthyHttpCodes(scope, props.healthyHttpCodes);
  return {
    vpc,
    port: props.port ?? 80,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.IP,
    deregistrationDelay,
    healthCheck: {
      // The port is left at ELB's default, `traffic-port`: the port each target receives traffic on.
      path: healthCheckPath,
      interval,
      timeout,
      healthyThresholdCount,
      unhealthyThresholdCount,
      healthyHttpCodes: props.healthyHttpCodes ?? '200',
    },
  };
}

/** The service's target group on `loadBalancer` (`base` `AlternateTargetGroup` for the second one of a traffic-shifting deployment). */
export function buildTargetGroup(scope: Construct, props: elbv2.ApplicationTargetGroupProps,
  loadBalancer: elbv2.IApplicationLoadBalancer, base = 'TargetGroup'): elbv2.ApplicationTargetGroup {
  const targetGroup = new elbv2.ApplicationTargetGroup(scope, targetGroupId(scope, base, loadBalancer), props);
  // aws-cdk-lib writes ELB's default, stickiness off, which the construct never changes: the template leaves it out.
  targetGroup.setAttribute('stickiness.enabled', undefined);
  return targetGroup;
}

/**
 * The construct id of a target group of the service on `loadBalancer`: `base` on the service's own
 * internet-facing load balancer, else `base` and a hash of which load balancer it is (the service's own
 * internal one; a given one by its ARN or its path, and its scheme). When the service moves to another
 * load balancer, or its own is replaced (`internetFacing` changed), its target groups are new ones that
 * the new listeners claim, while the old load balancer keeps the old ones until the cleanup pass deletes
 * both: a listener of a second load balancer on the same target group fails (TargetGroupAssociationLimit).
 */
export function targetGroupId(scope: IConstruct, base: string, loadBalancer: elbv2.IApplicationLoadBalancer): string {
  const scheme = (loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer | undefined)?.scheme ?? 'unknown';
  const own = ownerOf(loadBalancer) === scope;
  if (own && scheme === 'internet-facing') return base;
  const arn = loadBalancer.loadBalancerArn;
  const which = own ? 'own' : Token.isUnresolved(arn) ? loadBalancer.node.path : arn;
  return `${base}${createHash('sha256').update(`${which} ${scheme}`).digest('hex').slice(0, 8).toUpperCase()}`;
}

/** Refuses unless the health check timeout is shorter than its interval (ELB refuses it at deploy otherwise). */
function validateTimeoutBelowInterval(scope: IConstruct, timeout: Duration, interval: Duration): void {
  // A token on either side is NaN here, which is never at least the other: nothing to check.
  if ((toSeconds(timeout) ?? NaN) >= (toSeconds(interval) ?? NaN)) {
    fail(scope,
      `healthCheckTimeout must be less than healthCheckInterval; received healthCheckTimeout ${timeout.toHumanString()} ` +
      `and healthCheckInterval ${interval.toHumanString()}. Give a healthCheckTimeout of at most ${toSeconds(interval)! - 1} seconds, ` +
      `or a healthCheckInterval of at least ${toSeconds(timeout)! + 1} seconds`,
    );
  }
}

/** Throws unless the codes are HTTP codes from 200 to 499, as a list or ranges. */
function validateHealthyHttpCodes(scope: IConstruct, healthyHttpCodes: string | undefined): void {
  if (healthyHttpCodes === undefined || Token.isUnresolved(healthyHttpCodes)) return;
  const codes = healthyHttpCodes.split(',').map((part) => part.split('-').map(Number));
  const valid = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(healthyHttpCodes) &&
    codes.every((bounds) => bounds.every((code) => code >= 200 && code <= 499) && (bounds.length === 1 || bounds[0] < bounds[1]));
  if (!valid) {
    fail(scope, `healthyHttpCodes must be HTTP codes from 200 to 499, as a list ("200,302") or a range ("200-299"); received "${healthyHttpCodes}"`);
  }
}

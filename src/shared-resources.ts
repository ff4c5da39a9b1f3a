import { Duration, Names, RemovalPolicy, Stack, Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { fail } from './validation';

/*
 * What services share instead of each making its own: a cluster per stack and VPC, an access-log
 * bucket per stack, and the listener ports of a shared load balancer. Each helper finds the shared
 * resource by its ID and creates it on first use.
 */

/** One cluster per stack and VPC, shared by the services that give no cluster (clusters cost nothing). */
export function defaultClusterFor(scope: Construct, vpc: ec2.IVpc): ecs.ICluster {
  const stack = Stack.of(scope);
  const id = `PrivateFargateCluster${Names.uniqueId(vpc)}`;
  const existing = stack.node.tryFindChild(id);
  if (existing instanceof ecs.Cluster) return existing;
  return new ecs.Cluster(stack, id, { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
}

/** How long each stack's access-log bucket keeps objects, as set by its first user. */
const logExpirations = new WeakMap<Stack, Duration>();

/**
 * One access-log bucket per stack: encrypted, SSL only, never public, retained, and its objects
 * (current and noncurrent) expire after `expiration` (90 days when the first service gives none).
 * A service that gives an expiration must agree with the bucket's; one that gives none takes it.
 */
export function accessLogsBucketOf(scope: Construct, requested: Duration | undefined): s3.IBucket {
  const stack = Stack.of(scope);
  const id = 'PrivateFargateAccessLogs';
  const agreed = logExpirations.get(stack);
  const expiration = requested ?? agreed ?? Duration.days(90);
  if (agreed && agreed.toDays() !== expiration.toDays()) {
    fail(scope,
      'accessLogsExpiration must be the same for every service of a stack, which share one access-log bucket; received ' +
      `${expiration.toHumanString()} where another service of the stack set ${agreed.toHumanString()}`);
  }
  const existing = stack.node.tryFindChild(id);
  if (existing instanceof s3.Bucket) return existing;
  logExpirations.set(stack, expiration);
  const bucket = new s3.Bucket(stack, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ id: 'ExpireAccessLogs', expiration, noncurrentVersionExpiration: expiration }],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    // Stryker disable next-line StringLiteral: the reason is for people reading the cdk-nag report; no template holds it.
    reason: 'This bucket holds the load balancers\' access logs; logging access to it would need yet another bucket.',
  });
  return bucket;
}

/** The listener ports claimed on each load balancer by this library's constructs. */
const claimedPorts = new WeakMap<elbv2.IApplicationLoadBalancer, Map<string, string>>();

export function claimListenerPort(scope: Construct, loadBalancer: elbv2.IApplicationLoadBalancer, port: number): void {
  const ports = claimedPorts.get(loadBalancer) ?? new Map<string, string>();
  claimedPorts.set(loadBalancer, ports);
  const key = Token.isUnresolved(port) ? Tokenization.stringifyNumber(port) : `${port}`;
  const holder = ports.get(key);
  if (holder !== undefined) {
    fail(scope, `port must be free on the shared loadBalancer; received ${key}, which ${holder} already listens on. Give each service on one load balancer its own port`);
  }
  ports.set(key, scope.node.path);
}

/** Whether no service of this library listens on `port` of the load balancer yet. */
export function listenerPortIsFree(loadBalancer: elbv2.IApplicationLoadBalancer, port: number): boolean {
  return !claimedPorts.get(loadBalancer)?.has(`${port}`);
}

import { Names, RemovalPolicy, Stack, Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

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

/** One access-log bucket per stack: encrypted, SSL only, never public, retained. */
export function accessLogsBucketOf(stack: Stack): s3.IBucket {
  const id = 'PrivateFargateAccessLogs';
  const existing = stack.node.tryFindChild(id);
  if (existing instanceof s3.Bucket) return existing;
  const bucket = new s3.Bucket(stack, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This bucket holds the load balancers\' access logs; logging access to it would need yet another bucket.',
  });
  return bucket;
}

/** The listener ports claimed on each load balancer by this library's constructs. */
const claimedPorts = new WeakMap<elbv2.IApplicationLoadBalancer, Map<string, string>>();

export function claimListenerPort(loadBalancer: elbv2.IApplicationLoadBalancer, port: number, claimant: string): void {
  const ports = claimedPorts.get(loadBalancer) ?? new Map<string, string>();
  claimedPorts.set(loadBalancer, ports);
  const key = Token.isUnresolved(port) ? Tokenization.stringifyNumber(port) : `${port}`;
  const holder = ports.get(key);
  if (holder !== undefined) {
    throw new Error(
      `port must be free on the shared loadBalancer; received ${key}, which ${holder} already listens on. Give each service on one load balancer its own port`,
    );
  }
  ports.set(key, claimant);
}

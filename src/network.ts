import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The VPCs this library created: only their network is the library's to narrow. */
const ownVpcs = new WeakSet<ec2.IVpc>();

/**
 * The default network: a VPC like the source design's, with no NAT gateway, and a flow log of
 * rejected traffic.
 */
export function newVpc(scope: Construct): ec2.Vpc {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  const flowLogs = new logs.LogGroup(scope, 'FlowLogs', {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  vpc.addFlowLog('FlowLog', {
    destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
    trafficType: ec2.FlowLogTrafficType.REJECT,
  });
  ownVpcs.add(vpc);
  return vpc;
}

/** Whether `vpc` was created by this library (and so holds no workload it does not know of). */
export function isOwnVpc(vpc: ec2.IVpc): boolean {
  return ownVpcs.has(vpc);
}

/**
 * The VPC's private subnets: isolated ones if it has any, else those with egress. (An interface
 * endpoint takes one of them per AZ by itself.)
 */
export function privateSubnetsOf(vpc: ec2.IVpc): ec2.SubnetSelection {
  const subnetType = vpc.isolatedSubnets.length > 0
    ? ec2.SubnetType.PRIVATE_ISOLATED
    : ec2.SubnetType.PRIVATE_WITH_EGRESS;
  return { subnetType };
}

/**
 * Whether every subnet of the selection (never empty: validation refuses that) routes to the
 * internet through a NAT (a private subnet with egress): the tasks then reach AWS without endpoints.
 */
export function subnetsHaveEgress(vpc: ec2.IVpc, selection: ec2.SubnetSelection): boolean {
  const withEgress = new Set(vpc.privateSubnets.map((subnet) => subnet.subnetId));
  const isolated = new Set(vpc.isolatedSubnets.map((subnet) => subnet.subnetId));
  const chosen = vpc.selectSubnets(selection).subnets;
  return chosen.every((subnet) => withEgress.has(subnet.subnetId) && !isolated.has(subnet.subnetId));
}

/** Whether two VPC objects are one VPC: the same object, or the same concrete VPC id. */
export function sameVpc(a: ec2.IVpc, b: ec2.IVpc): boolean {
  if (a === b) return true;
  return !Token.isUnresolved(a.vpcId) && a.vpcId === b.vpcId;
}

/** The VPC's CIDR, or undefined when an imported VPC was given without it. */
export function cidrOf(vpc: ec2.IVpc): string | undefined {
  // Vpc.fromVpcAttributes without vpcCidrBlock throws on read.
  // Stryker disable next-line BlockStatement: an empty catch returns undefined as well.
  try { return vpc.vpcCidrBlock; } catch { return undefined; }
}

/** Prefix lists (S3, DynamoDB) can be looked up only in a stack with a concrete account and region. */
export function prefixListsAreKnown(scope: Construct): boolean {
  const stack = Stack.of(scope);
  return !Token.isUnresolved(stack.region) && !Token.isUnresolved(stack.account);
}

/** The tasks' HTTPS to a gateway endpoint's service: by prefix list when it can be looked up, else by address. */
export function allowHttpsToGateway(scope: Construct, securityGroup: ec2.ISecurityGroup, service: 's3' | 'dynamodb'): void {
  if (prefixListsAreKnown(scope)) {
    const name = service === 's3' ? 'S3' : 'DynamoDB';
    const prefixList = ec2.PrefixList.fromLookup(scope, `${name}PrefixList`, { prefixListName: `com.amazonaws.${Stack.of(scope).region}.${service}` });
    securityGroup.addEgressRule(ec2.Peer.prefixList(prefixList.prefixListId), ec2.Port.tcp(443), `HTTPS to ${name} through the gateway endpoint`);
  } else {
    // A prefix list is looked up with the stack's account and region; without them, by address.
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to S3 and DynamoDB (gateway endpoints)');
  }
}

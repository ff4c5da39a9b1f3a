import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

/*
 * What the network, the VPC endpoints and the endpoints' needs know of a VPC: whether this library
 * made it, its private subnets, its CIDR, whether two VPC objects are one VPC, and how the tasks
 * reach a gateway endpoint's service.
 */

/** The VPCs this library created: only their network is the library's to narrow. */
export const ownVpcs = new WeakSet<ec2.IVpc>();

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

/** Whether two VPC objects are one VPC: the same object, or the same concrete VPC id. */
export function sameVpc(a: ec2.IVpc, b: ec2.IVpc): boolean {
  if (a === b) return true;
  return !Token.isUnresolved(a.vpcId) && a.vpcId === b.vpcId;
}

/** The VPC's CIDR, or undefined when an imported VPC was given without it. */
export function cidrOf(vpc: ec2.IVpc): string | undefined {
  let cidr: string | undefined;
  try {
    cidr = vpc.vpcCidrBlock;
  } catch {
    // Vpc.fromVpcAttributes without vpcCidrBlock throws on read: the CIDR is unknown.
  }
  return cidr;
}

/** The VPC as a message names it: by id when concrete, else by construct path. */
export function describeVpc(vpc: ec2.IVpc): string {
  return Token.isUnresolved(vpc.vpcId) ? `the VPC ${vpc.node.path}` : `the VPC ${vpc.vpcId}`;
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

import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

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
  return vpc;
}

/**
 * The VPC's private subnets, one per AZ: isolated ones if it has any, else those with egress.
 */
export function privateSubnetsOf(vpc: ec2.IVpc): ec2.SubnetSelection {
  const subnetType = vpc.isolatedSubnets.length > 0
    ? ec2.SubnetType.PRIVATE_ISOLATED
    : ec2.SubnetType.PRIVATE_WITH_EGRESS;
  return { subnetType, onePerAz: true };
}

/** The S3 prefix list can be looked up only in a stack with a concrete account and region. */
export function s3PrefixListIsKnown(scope: Construct): boolean {
  const stack = Stack.of(scope);
  return !Token.isUnresolved(stack.region) && !Token.isUnresolved(stack.account);
}

import * as ec2 from 'aws-cdk-lib/aws-ec2';

/**
 * The VPC's private subnets, one per AZ: isolated ones if it has any, else those with egress.
 */
export function privateSubnetsOf(vpc: ec2.IVpc): ec2.SubnetSelection {
  const subnetType = vpc.isolatedSubnets.length > 0
    ? ec2.SubnetType.PRIVATE_ISOLATED
    : ec2.SubnetType.PRIVATE_WITH_EGRESS;
  return { subnetType, onePerAz: true };
}

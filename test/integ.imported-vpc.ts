/**
 * Two stacks on one VPC the user already has, imported in each by its attributes: the brownfield app.
 *
 * It proves that one VPC id gets one set of endpoints in an app, with one home: a network stack makes
 * them (they admit the VPC's CIDR and the S3 endpoint keeps its default policy, since the VPC is not
 * this library's), and each service stack references them and admits its own tasks, so no deploy fails
 * on a second private-DNS endpoint or S3 route, and removing either service moves nothing. The second
 * service also takes a secret after construction, which adds the Secrets Manager endpoint to the
 * shared set at synth.
 *
 * Deploying it needs a real VPC: give its attributes in place of the placeholders below.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { FargateVpcEndpoints, PrivateFargateBehindAlb } from '../src';

const app = new App();
const env = { account: '123456789012', region: 'us-east-1' };
const existingVpc: ec2.VpcAttributes = {
  vpcId: 'vpc-0123456789abcdef0',
  vpcCidrBlock: '172.16.0.0/16',
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  publicSubnetIds: ['subnet-0public0000000001', 'subnet-0public0000000002'],
  publicSubnetRouteTableIds: ['rtb-0public000000001', 'rtb-0public000000001'],
  isolatedSubnetIds: ['subnet-0isolated00000001', 'subnet-0isolated00000002'],
  isolatedSubnetRouteTableIds: ['rtb-0isolated0000001', 'rtb-0isolated0000002'],
};

const networkStack = new Stack(app, 'ImportedVpcNetwork', { env });
new FargateVpcEndpoints(networkStack, 'Endpoints', { vpc: ec2.Vpc.fromVpcAttributes(networkStack, 'Vpc', existingVpc) });

const webStack = new Stack(app, 'ImportedVpcWeb', { env });
new PrivateFargateBehindAlb(webStack, 'Web', { vpc: ec2.Vpc.fromVpcAttributes(webStack, 'Vpc', existingVpc) });

const apiStack = new Stack(app, 'ImportedVpcApi', { env });
const api = new PrivateFargateBehindAlb(apiStack, 'Api', { vpc: ec2.Vpc.fromVpcAttributes(apiStack, 'Vpc', existingVpc), port: 8080 });
api.container.addSecret('DB_PASSWORD', ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(apiStack, 'DbPassword', 'prod/db-password')));

new IntegTest(app, 'ImportedVpcInteg', { testCases: [networkStack, webStack, apiStack] });

app.synth();

import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONCRETE_ENV, CONFIGURATIONS, Configuration } from './matrix';
import { Deployment, PrivateFargateBehindAlb } from '../src';

/** The AwsSolutions findings of an app, as "rule at construct path" lines. */
function nagFindings(app: App): string[] {
  const report = new AwsSolutionsChecks(app).validateScope(app);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`));
}

function build(configuration: Configuration, side: 'construct' | 'peer'): App {
  const app = new App();
  const stack = new Stack(app, 'Scan', configuration.concreteEnv ? { env: CONCRETE_ENV } : {});
  configuration[side](stack);
  return app;
}

describe('cdk-nag AwsSolutions', () => {
  test.each(CONFIGURATIONS.map((c) => [c.name, c]))('%s: the construct has no finding', (_, configuration) => {
    expect(nagFindings(build(configuration as Configuration, 'construct'))).toEqual([]);
  });

  test('the peer at its defaults has findings the construct fixes, so the check can fail', () => {
    const rules = nagFindings(build(CONFIGURATIONS[0], 'peer')).map((finding) => finding.split(' ')[0]);

    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-VPC7', 'AwsSolutions-ELB2', 'AwsSolutions-EC23', 'AwsSolutions-ECS4']));
  });

  test('the open-ingress acknowledgment covers only the load balancer\'s security group', () => {
    const app = new App();
    const web = new PrivateFargateBehindAlb(new Stack(app, 'Scan'), 'Web');

    web.connections.allowFromAnyIpv4(ec2.Port.tcp(22));

    expect(nagFindings(app)).toEqual(['AwsSolutions-EC23 at Scan/Web/ServiceSecurityGroup/Resource']);
  });

  test('with allowFrom the open-ingress acknowledgment is gone, so open ingress the user adds to the load balancer is reported', () => {
    const app = new App();
    const web = new PrivateFargateBehindAlb(new Stack(app, 'Scan'), 'Web', { allowFrom: [ec2.Peer.ipv4('203.0.113.0/24')] });

    expect(nagFindings(app)).toEqual([]);
    web.loadBalancer.connections.allowFromAnyIpv4(ec2.Port.tcp(8443));

    expect(nagFindings(app)).toEqual(['AwsSolutions-EC23 at Scan/Web/LoadBalancerSecurityGroup/Resource']);
  });

  test('the environment-variable acknowledgment is dropped when the user adds environment variables', () => {
    const app = new App();
    new PrivateFargateBehindAlb(new Stack(app, 'Scan'), 'Web', { environment: { STAGE: 'prod' } });

    expect(nagFindings(app)).toEqual(['AwsSolutions-ECS2 at Scan/Web/TaskDefinition/Resource']);
  });

  test('access logs go to an encrypted, SSL-only, versioned bucket that blocks public access when the region is concrete', () => {
    const app = new App();
    const stack = new Stack(app, 'Scan', { env: CONCRETE_ENV });
    new PrivateFargateBehindAlb(stack, 'Web');

    const template = app.synth().getStackByName('Scan').template;
    const bucket = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::S3::Bucket');
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
    });
    expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const policy = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy');
    expect(policy.Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]));
    const loadBalancer = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::ElasticLoadBalancingV2::LoadBalancer');
    expect(loadBalancer.Properties.LoadBalancerAttributes).toEqual(expect.arrayContaining([
      { Key: 'access_logs.s3.enabled', Value: 'true' },
    ]));
  });

  test('the access-log bucket\'s acknowledgment covers only that bucket, so a user bucket without access logs is still reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Scan', { env: CONCRETE_ENV });
    new PrivateFargateBehindAlb(stack, 'Web');

    new s3.Bucket(stack, 'UserData', { enforceSSL: true });

    expect(nagFindings(app)).toEqual(['AwsSolutions-S1 at Scan/UserData/Resource']);
  });

  test('the execution role\'s wildcard acknowledgment does not cover the task role, so a user grant on * is still reported', () => {
    const app = new App();
    const web = new PrivateFargateBehindAlb(new Stack(app, 'Scan'), 'Web');

    web.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }));

    expect(nagFindings(app)).toEqual(['AwsSolutions-IAM5[Resource::*] at Scan/Web/TaskRole/DefaultPolicy/Resource']);
  });

  test('the ECS Exec acknowledgment covers only the task role, so a wildcard grant elsewhere is still reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Scan');
    new PrivateFargateBehindAlb(stack, 'Web', { enableExecuteCommand: true });
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    other.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ssmmessages:OpenDataChannel'], resources: ['*'] }));

    expect(nagFindings(app)).toEqual(['AwsSolutions-IAM5[Resource::*] at Scan/Other/DefaultPolicy/Resource']);
  });

  test('the traffic-shift acknowledgment covers only the role ECS moves traffic with, so a wildcard grant elsewhere is still reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Scan');
    new PrivateFargateBehindAlb(stack, 'Web', { deployment: Deployment.linear() });
    const other = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com') });

    other.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeRules'], resources: ['*'] }));

    expect(nagFindings(app)).toEqual(['AwsSolutions-IAM5[Resource::*] at Scan/Other/DefaultPolicy/Resource']);
  });

  test('the traffic-shift acknowledgment is only there when traffic shifts', () => {
    const app = new App();
    const web = new PrivateFargateBehindAlb(new Stack(app, 'Scan'), 'Web', { deployment: Deployment.rolling() });

    web.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeRules'], resources: ['*'] }));

    expect(nagFindings(app)).toEqual(['AwsSolutions-IAM5[Resource::*] at Scan/Web/TaskRole/DefaultPolicy/Resource']);
  });
});

import { App, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { importedVpc } from './helpers';
import { CONCRETE_ENV, CONFIGURATIONS, Configuration, isTheUsers } from './matrix';
import { Deployment, FargateVpcEndpoints, PrivateFargateBehindAlb, SmokeTest } from '../src';

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

/** The findings of every pack regulated accounts run (and AwsSolutions), but those on what a configuration makes for the user. */
function regulatedFindings(app: App): string[] {
  const constructs = new Map(app.node.findAll().map((construct) => [construct.node.path, construct]));
  const packs: NagPack[] = [new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app)];
  return packs.flatMap((pack) => pack.validateScope(app).violations.flatMap((violation) => violation.violatingResources
    .filter((resource) => !isTheUsers(constructs.get(resource.constructPath!)!))
    .map((resource) => `${violation.ruleName} at ${resource.constructPath}`)));
}

/** The packs regulated accounts run. */
const REGULATED = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/** The regulated findings of these rules, sorted. */
function findingsOf(app: App, ...rules: string[]): string[] {
  return regulatedFindings(app).filter((finding) => rules.some((rule) => finding.split(' ')[0].endsWith(`-${rule}`))).sort();
}

describe('cdk-nag NIST 800-53 rev 5, HIPAA Security and PCI DSS 3.2.1', () => {
  test.each(CONFIGURATIONS.map((c) => [c.name, c]))('%s: the listener-rule function, its roles and log group have no finding in any pack', (_, configuration) => {
    const findings = regulatedFindings(build(configuration as Configuration, 'construct')).filter((finding) => finding.includes('/PrivateFargateTrafficControl/'));

    expect(findings).toEqual([]);
  });

  test.each(CONFIGURATIONS.map((c) => [c.name, c]))('%s: the construct has no finding in any pack', (_, configuration) => {
    expect(regulatedFindings(build(configuration as Configuration, 'construct'))).toEqual([]);
  });

  test('the listener-rule function\'s acknowledgments cover only it: a user\'s function, role with an inline policy and log group are reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Scan');
    new PrivateFargateBehindAlb(stack, 'Web');
    const role = new iam.Role(stack, 'UserRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: { Own: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] })] }) },
    });
    new lambda.CfnFunction(stack, 'UserFunction', { runtime: 'nodejs22.x', handler: 'index.handler', code: { zipFile: 'exports.handler = async () => {};' }, role: role.roleArn });
    new logs.CfnLogGroup(stack, 'UserLogGroup', { retentionInDays: 30 });

    const mine = regulatedFindings(app).filter((finding) => /Scan\/User/.test(finding)).map((finding) => finding.split(' ')[0]).sort();
    expect(mine).toEqual(expect.arrayContaining([
      'AwsSolutions-IAM5[Resource::*]', 'AwsSolutions-L1',
      ...['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].flatMap((pack) => [`${pack}-CloudWatchLogGroupEncrypted`, `${pack}-IAMNoInlinePolicy`, `${pack}-LambdaInsideVPC`]),
      ...['NIST.800.53.R5', 'HIPAA.Security'].flatMap((pack) => [`${pack}-LambdaConcurrency`, `${pack}-LambdaDLQ`]),
    ]));
  });

  test('ECS\'s role acknowledges an inline policy only with a smoke test, whose hook it calls: without one, an inline policy added to it is reported', () => {
    const withInlinePolicy = (smokeTest?: SmokeTest) => {
      const app = new App();
      new PrivateFargateBehindAlb(new Stack(app, 'Scan'), 'Web', { smokeTest });
      const role = app.node.findAll().find((c) => c.node.path === 'Scan/PrivateFargateTrafficControl/EcsRole/Resource') as iam.CfnRole;
      if (!smokeTest) role.policies = [{ policyName: 'Extra', policyDocument: { Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' }] } }];
      return findingsOf(app, 'IAMNoInlinePolicy');
    };
    expect(withInlinePolicy(SmokeTest.http({ path: '/' }))).toEqual([]);
    expect(withInlinePolicy()).toEqual(REGULATED.map((pack) => `${pack}-IAMNoInlinePolicy at Scan/PrivateFargateTrafficControl/EcsRole/Resource`).sort());
  });

  test('the deployment alarms\' acknowledgment covers only them: a user\'s alarm without an action is reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Scan');
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    new cloudwatch.Alarm(stack, 'UserAlarm', { metric: web.service.metricCpuUtilization(), threshold: 90, evaluationPeriods: 1 });

    expect(findingsOf(app, 'CloudWatchAlarmAction')).toEqual(['NIST.800.53.R5', 'HIPAA.Security'].map((pack) => `${pack}-CloudWatchAlarmAction at Scan/UserAlarm/Resource`).sort());
  });

  test('with alarmTopic the alarms act through it and are not acknowledged', () => {
    const app = new App();
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true });
    const stack = new Stack(app, 'Scan');
    new PrivateFargateBehindAlb(stack, 'Web', { alarmTopic: new sns.Topic(stack, 'Topic') });

    expect(findingsOf(app, 'CloudWatchAlarmAction')).toEqual([]);
    expect(writtenAcknowledgments(app, 'Scan').filter(([id]) => id.includes('Alarm'))).toEqual([]);
  });

  test('the HTTP listener\'s acknowledgment covers only it: a user\'s HTTP listener on the load balancer is reported', () => {
    const app = new App();
    const web = new PrivateFargateBehindAlb(new Stack(app, 'Scan'), 'Web');

    (web.loadBalancer as elbv2.ApplicationLoadBalancer).addListener('UserListener', {
      port: 8080, open: false, defaultAction: elbv2.ListenerAction.fixedResponse(200),
    });

    expect(findingsOf(app, 'ALBHttpToHttpsRedirection', 'ELBv2ACMCertificateRequired')).toEqual(REGULATED.flatMap((pack) => [
      `${pack}-ALBHttpToHttpsRedirection at Scan/Web/LoadBalancer/UserListener/Resource`,
      `${pack}-ELBv2ACMCertificateRequired at Scan/Web/LoadBalancer/UserListener/Resource`,
    ]).sort());
  });

  test('the load balancer\'s acknowledgments cover only it: a user\'s load balancer without a web ACL, deletion protection and logs is reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Scan');
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    new elbv2.ApplicationLoadBalancer(stack, 'UserAlb', { vpc: web.vpc });

    expect(findingsOf(app, 'ALBWAFEnabled', 'ELBDeletionProtectionEnabled', 'ELBLoggingEnabled').sort()).toEqual([
      ...['NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => `${pack}-ALBWAFEnabled at Scan/UserAlb/Resource`),
      ...['NIST.800.53.R5', 'HIPAA.Security'].map((pack) => `${pack}-ELBDeletionProtectionEnabled at Scan/UserAlb/Resource`),
      ...REGULATED.map((pack) => `${pack}-ELBLoggingEnabled at Scan/UserAlb/Resource`),
    ].sort());
  });

  test('with webAclArn the load balancer has its web ACL and no acknowledgment of one', () => {
    const app = new App();
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true });
    new PrivateFargateBehindAlb(new Stack(app, 'Scan'), 'Web', {
      webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/web/00000000-0000-0000-0000-000000000000',
    });

    expect(findingsOf(app, 'ALBWAFEnabled')).toEqual([]);
    const loadBalancer = writtenAcknowledgments(app, 'Scan').find(([id]) => /^WebLoadBalancer[0-9A-F]{8}$/.test(id))![1];
    expect(loadBalancer.filter((reason) => reason.includes('ALBWAFEnabled'))).toEqual([]);
  });

  test('the access-log bucket\'s acknowledgments cover only it: a user\'s bucket is reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Scan', { env: CONCRETE_ENV });
    new PrivateFargateBehindAlb(stack, 'Web');
    new s3.Bucket(stack, 'UserData', { enforceSSL: true, versioned: true });

    expect(findingsOf(app, 'S3BucketLoggingEnabled', 'S3DefaultEncryptionKMS', 'S3BucketReplicationEnabled')).toEqual(REGULATED.flatMap((pack) => [
      'S3BucketLoggingEnabled', 'S3BucketReplicationEnabled', 'S3DefaultEncryptionKMS',
    ].map((rule) => `${pack}-${rule} at Scan/UserData/Resource`)).sort());
  });

  test('the inline-policy acknowledgments cover only the roles the construct makes: a user\'s execution role, and a grant to the task role without ECS Exec, are reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Scan');
    const executionRole = new iam.Role(stack, 'UserExecutionRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    const web = new PrivateFargateBehindAlb(stack, 'Web', { executionRole });

    web.taskDefinition.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [web.vpc.vpcArn] }));

    expect(findingsOf(app, 'IAMNoInlinePolicy')).toEqual(REGULATED.flatMap((pack) => [
      `${pack}-IAMNoInlinePolicy at Scan/UserExecutionRole/DefaultPolicy/Resource`,
      `${pack}-IAMNoInlinePolicy at Scan/Web/TaskRole/DefaultPolicy/Resource`,
    ]).sort());
  });

  test('the VPC\'s acknowledgments cover only the VPC the construct makes, whose public subnets give no public IP on launch: a user\'s VPC is reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Scan');
    new PrivateFargateBehindAlb(stack, 'Web');
    const vpc = new ec2.Vpc(stack, 'UserVpc', { maxAzs: 2, natGateways: 0, restrictDefaultSecurityGroup: false });
    vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(stack, 'UserFlowLogs', { retention: logs.RetentionDays.ONE_MONTH })) });

    const rules = ['CloudWatchLogGroupEncrypted', 'VPCDefaultSecurityGroupClosed', 'VPCNoUnrestrictedRouteToIGW', 'VPCSubnetAutoAssignPublicIpDisabled'];
    expect(findingsOf(app, ...rules)).toEqual(REGULATED.flatMap((pack) => [
      `${pack}-CloudWatchLogGroupEncrypted at Scan/UserFlowLogs/Resource`,
      `${pack}-VPCDefaultSecurityGroupClosed at Scan/UserVpc/Resource`,
      `${pack}-VPCNoUnrestrictedRouteToIGW at Scan/UserVpc/PublicSubnet1/DefaultRoute`,
      `${pack}-VPCNoUnrestrictedRouteToIGW at Scan/UserVpc/PublicSubnet2/DefaultRoute`,
      `${pack}-VPCSubnetAutoAssignPublicIpDisabled at Scan/UserVpc/PublicSubnet1/Subnet`,
      `${pack}-VPCSubnetAutoAssignPublicIpDisabled at Scan/UserVpc/PublicSubnet2/Subnet`,
    ]).sort());
    const template = app.synth().getStackByName('Scan').template;
    const ownSubnets = Object.entries<any>(template.Resources).filter(([id, r]) => id.startsWith('WebVpcPublicSubnet') && r.Type === 'AWS::EC2::Subnet');
    expect(ownSubnets.map(([, r]) => r.Properties.MapPublicIpOnLaunch)).toEqual([false, false]);
  });

  // The mistake: acknowledging the common ports whatever the CIDR; cdk-nag checks a concrete CIDR itself.
  test('the endpoints of a VPC with a concrete CIDR are not acknowledged: SSH and RDP from anywhere added to them later are reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Scan', { env: CONCRETE_ENV });
    const vpc = importedVpc(stack, CONCRETE_ENV.region);
    new PrivateFargateBehindAlb(stack, 'Web', { vpc });

    expect(findingsOf(app, 'EC2RestrictedCommonPorts', 'EC2RestrictedSSH')).toEqual([]);
    FargateVpcEndpoints.of(vpc).securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'SSH from anywhere');
    FargateVpcEndpoints.of(vpc).securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(3389), 'RDP from anywhere');

    expect(findingsOf(app, 'EC2RestrictedCommonPorts', 'EC2RestrictedSSH')).toEqual(REGULATED.flatMap((pack) => [
      `${pack}-EC2RestrictedCommonPorts at Scan/Vpc/FargateVpcEndpoints/SecurityGroup/Resource`,
      `${pack}-EC2RestrictedSSH at Scan/Vpc/FargateVpcEndpoints/SecurityGroup/Resource`,
    ]).sort());
  });

  test('with the function in the VPC, LambdaInsideVPC passes and is not acknowledged: a user\'s function outside the VPC is still reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Scan');
    new PrivateFargateBehindAlb(stack, 'Web', { trafficFunctionInVpc: true });
    const role = new iam.Role(stack, 'UserRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new lambda.CfnFunction(stack, 'UserFunction', { runtime: 'nodejs22.x', handler: 'index.handler', code: { zipFile: 'exports.handler = async () => {};' }, role: role.roleArn });

    const inVpc = regulatedFindings(app).filter((finding) => finding.includes('LambdaInsideVPC'));
    expect(inVpc).toEqual(['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => `${pack}-LambdaInsideVPC at Scan/UserFunction`));
  });
});

/** The reasons of the construct's acknowledgments, as cdk-nag writes them: the rule, then the reason. */
const REASONS = {
  execPolicy: 'AwsSolutions-IAM5[Resource::*]: The ssmmessages actions ECS Exec needs (CreateControlChannel, CreateDataChannel, OpenControlChannel, OpenDataChannel) accept only the resource *.',
  pullPolicy: 'AwsSolutions-IAM5[Resource::*]: ecr:GetAuthorizationToken, which the execution role needs to pull from ECR, accepts only the resource *.',
  onlyPort: 'AwsSolutions-ECS2: The only environment variable is PORT, the port number the container listens on; it is not a secret.',
  internetFacing: 'AwsSolutions-EC23: An internet-facing load balancer admits its listener ports from anywhere (narrow it with allowFrom); the tasks admit only the load balancer.',
  internal: 'AwsSolutions-EC23: An internal load balancer is reachable only from the VPC and networks joined to it; narrow it with allowFrom.',
  noRegion: 'AwsSolutions-ELB2: Access logs are delivered by a principal of the stack\'s region; this stack is environment-agnostic. Give the stack a region to get them.',
  trafficEcsRole: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers]: ' +
    'AmazonECSInfrastructureRolePolicyForLoadBalancers is the policy the ECS developer guide documents for this role; AWS extends it as ECS needs, ' +
    'so a hand-written copy would break deployments when it does.',
  trafficRules: (region: string, account: string) => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:elasticloadbalancing:${region}:${account}:listener-rule/app/*]: ` +
    'The rules are named by a pattern under the stack\'s account and region and limited by a condition to those tagged with the stack\'s id ' +
    '(their ARNs are made when the function creates them).',
  trafficDescribe: 'AwsSolutions-IAM5[Resource::*]: The elasticloadbalancing Describe actions accept only the resource *.',
  trafficInline: ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => `${pack}-IAMNoInlinePolicy: ` +
    'The policy belongs to this one role and changes with the stack\'s listeners: inline, it is created and deleted with the role, before the ' +
    'function that uses it, and holds up to 10,240 characters (a managed policy 6,144), room for the ARN of every listener of the stack.'),
  trafficLogs: ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => `${pack}-CloudWatchLogGroupEncrypted: ` +
    'CloudWatch Logs encrypts every log group at rest; a customer-managed KMS key would add a key, its monthly cost and a key policy for the ' +
    'logs service to every stack. The function logs the rules it writes (listener and target group ARNs, host names, paths), no request data.'),
  trafficFunction: [
    'AwsSolutions-L1: The runtime is aws-cdk-lib\'s regional fact LATEST_NODE_RUNTIME, the newest Node.js runtime every region of the stack\'s ' +
      'partition offers; a newer aws-cdk-lib moves it on. The handler uses only the runtime\'s own AWS SDK.',
    ...['NIST.800.53.R5', 'HIPAA.Security'].map((pack) => `${pack}-LambdaConcurrency: ` +
      'The function runs only while CloudFormation creates, changes or deletes a listener rule of the stack. A reserved concurrency would take ' +
      'capacity from the account\'s other functions, and Lambda refuses one that leaves the account less than its minimum unreserved ' +
      'concurrency, which fails the deployment in accounts whose concurrency limit is low.'),
    ...['NIST.800.53.R5', 'HIPAA.Security'].map((pack) => `${pack}-LambdaDLQ: ` +
      'CloudFormation invokes the function asynchronously, and the function returns no error: it catches every failure, its own time-out ' +
      'included, and answers FAILED to CloudFormation, which shows the reason on the resource and rolls back. A dead-letter queue would ' +
      'receive only an invocation that crashed, which CloudFormation fails after its ServiceTimeout (5 minutes) anyway.'),
  ],
  outsideVpc: ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => `${pack}-LambdaInsideVPC: ` +
    'The function calls only the Elastic Load Balancing API and answers CloudFormation through a presigned S3 URL, so it runs outside the ' +
    'VPC: in subnets with no route to the internet it would need an endpoint for each. trafficFunctionInVpc places it in the tasks\' subnets ' +
    'with those endpoints, for accounts whose policies require functions in a VPC.'),
  inVpcWildcards: 'AwsSolutions-IAM5[Resource::*]: The elasticloadbalancing Describe actions accept only the resource *, and so do the EC2 actions ' +
    'Lambda documents for the network interfaces of a function in a VPC, which Lambda creates under ids unknown until then (the actions of the ' +
    'managed policy AWSLambdaVPCAccessExecutionRole, without its logs:* on *).',
  vpcCidr: 'AwsSolutions-EC23: The endpoints admit HTTPS from the VPC\'s own CIDR, a value known only at deploy time; never from the internet.',
  logBucket: 'AwsSolutions-S1: This bucket holds the load balancers\' access logs; logging access to it would need yet another bucket.',
  alarm: ['NIST.800.53.R5', 'HIPAA.Security'].map((pack) => `${pack}-CloudWatchAlarmAction: ` +
    'The alarm is a deployment alarm of the ECS service, which rolls a deployment back when it goes into ALARM; it needs no alarm action ' +
    'of its own. Give alarmTopic to also be notified.'),
  httpListener: ['ALBHttpToHttpsRedirection', 'ELBv2ACMCertificateRequired'].flatMap((rule) => REGULATED.map((pack) => `${pack}-${rule}: ` +
    'The service has no certificate or domainName, so its listener serves HTTP: a certificate needs a domain the construct cannot know. ' +
    'Give certificate or domainName to serve HTTPS on 443 and have this port redirect to it.')),
  redirectListener: REGULATED.map((pack) => `${pack}-ELBv2ACMCertificateRequired: ` +
    'This listener only redirects HTTP to HTTPS on 443 and serves nothing; the HTTPS listener on 443 holds the certificate.'),
  noWebAcl: ['NIST.800.53.R5', 'PCI.DSS.321'].map((pack) => `${pack}-ALBWAFEnabled: ` +
    'A web ACL\'s rules depend on the application and WAF bills per web ACL and rule, so the construct makes none; give webAclArn to associate yours.'),
  noDeletionProtection: ['NIST.800.53.R5', 'HIPAA.Security'].map((pack) => `${pack}-ELBDeletionProtectionEnabled: ` +
    'Deletion protection stops CloudFormation from deleting the load balancer: deleting the stack would fail, and replacing the load ' +
    'balancer (a change of internetFacing) would leave the old one behind. The load balancer holds no data; protect the stack with ' +
    'termination protection instead.'),
  noRegionLogging: REGULATED.map((pack) => `${pack}-ELBLoggingEnabled: ` +
    'Access logs are delivered by a principal of the stack\'s region; this stack is environment-agnostic. Give the stack a region to get them.'),
  logBucketRegulated: [
    ...REGULATED.map((pack) => `${pack}-S3BucketLoggingEnabled: ` +
      'This bucket holds the load balancers\' access logs; logging access to it would need yet another bucket.'),
    ...REGULATED.map((pack) => `${pack}-S3DefaultEncryptionKMS: ` +
      'Elastic Load Balancing delivers access logs only to a bucket encrypted with Amazon S3 managed keys (SSE-S3), which this bucket uses; ' +
      'it does not deliver to a bucket encrypted with KMS keys.'),
    ...REGULATED.map((pack) => `${pack}-S3BucketReplicationEnabled: ` +
      'The bucket holds the load balancers\' access logs until they expire (accessLogsExpiration); replicating them would need a second ' +
      'bucket, in another region, and a role for each stack. Give accessLogsBucket to deliver them to a bucket of your own.'),
  ],
  containerLogs: REGULATED.map((pack) => `${pack}-CloudWatchLogGroupEncrypted: ` +
    'CloudWatch Logs encrypts every log group at rest; a customer-managed KMS key would add a key, its monthly cost and a key policy for ' +
    'the logs service to every service.'),
  executionInline: REGULATED.map((pack) => `${pack}-IAMNoInlinePolicy: ` +
    'What the execution role is granted (pulling the image, writing the logs, reading the secrets and environment files) is in the role ' +
    'itself, an inline policy of this one role, so the role never exists without its rights when ECS starts a task.'),
  execInline: REGULATED.map((pack) => `${pack}-IAMNoInlinePolicy: ` +
    'aws-cdk-lib writes the ssmmessages actions ECS Exec needs into the task role\'s default policy (with what else is granted to ' +
    'the task role), a policy of this one role, created and deleted with it.'),
  flowLogs: REGULATED.map((pack) => `${pack}-CloudWatchLogGroupEncrypted: ` +
    'CloudWatch Logs encrypts every log group at rest; a customer-managed KMS key would add a key, its monthly cost and a key policy for ' +
    'the logs service to every stack. The flow log records rejected connections (addresses and ports), no payload.'),
  flowLogRole: REGULATED.map((pack) => `${pack}-IAMNoInlinePolicy: ` +
    'The flow log\'s role has its one policy inline, so that the flow log can write as soon as the role exists: a policy resource beside ' +
    'it is created after the role, and the flow log does not wait for it.'),
  defaultSecurityGroup: REGULATED.map((pack) => `${pack}-VPCDefaultSecurityGroupClosed: ` +
    'Nothing the construct makes uses the VPC\'s default security group: the load balancer, the tasks, the endpoints and the listener-rule ' +
    'function each have their own. Removing its rules takes aws-cdk-lib\'s restrictDefaultSecurityGroup, a custom resource with a Lambda ' +
    'function and a role of its own in every stack.'),
  routeToIgw: REGULATED.map((pack) => `${pack}-VPCNoUnrestrictedRouteToIGW: ` +
    'The public subnets are for an internet-facing load balancer, which answers its clients through this route; the construct puts ' +
    'nothing else in them, and the tasks are in isolated subnets, with no route to the internet.'),
  vpcCidrPorts: ['EC2RestrictedCommonPorts', 'EC2RestrictedSSH'].flatMap((rule) => REGULATED.map((pack) => `${pack}-${rule}: ` +
    'The endpoints admit only HTTPS (443), from the VPC\'s own CIDR, a value known only at deploy time; never from the internet.')),
};

/** The acknowledgments of the VPC a service makes, in services with these ids. */
function ownVpc(services: string): Array<[RegExp, string[]]> {
  return [
    [new RegExp(`^(${services})Vpc[0-9A-F]{8}$`), REASONS.defaultSecurityGroup],
    [new RegExp(`^(${services})VpcPublicSubnet[12]DefaultRoute`), REASONS.routeToIgw],
    [new RegExp(`^(${services})VpcFlowLogRole`), REASONS.flowLogRole],
    [new RegExp(`^(${services})FlowLogs`), REASONS.flowLogs],
  ];
}

/** The acknowledgments of the log group, HTTP listener and alarms of services with these ids. */
function httpService(services: string): Array<[RegExp, string[]]> {
  return [
    [new RegExp(`^(${services})LogGroup`), REASONS.containerLogs],
    [new RegExp(`^(${services})Listener[0-9A-F]{8}$`), REASONS.httpListener],
    [new RegExp(`^(${services})(ServerErrors|UnhealthyTargets|ResponseTime)Alarm`), REASONS.alarm],
  ];
}

/**
 * The acknowledgments cdk-nag writes into the template (writeSuppressionsToCloudFormation), the audit trail of a
 * suppressed finding: for each resource of the stack that has any, its logical id and "rule: reason" lines.
 * Newer aws-cdk-lib versions write acknowledgments of their own for cfn-lint (`CloudFormation-Validate::...`,
 * on every resource of a VPC, for example); those are not the construct's and are left out.
 */
function writtenAcknowledgments(app: App, stackName: string): Array<[string, string[]]> {
  const resources = app.synth().getStackByName(stackName).template.Resources as Record<string, any>;
  return Object.entries(resources)
    .map(([id, resource]): [string, string[]] => [id, (resource.Metadata?.cdk_nag?.rules_to_suppress ?? [])
      .filter((rule: any) => !String(rule.id).startsWith('CloudFormation-Validate::'))
      .map((rule: any) => `${rule.id}: ${rule.reason}`)])
    .filter(([, reasons]) => reasons.length > 0);
}

/** Checks that each resource with acknowledgments matches one expected pattern, with its reasons, and that every pattern matches. */
function expectAcknowledgments(actual: Array<[string, string[]]>, expected: Array<[RegExp, string[]]>): void {
  const unmatched = new Set(expected.map(([pattern]) => pattern));
  for (const [id, reasons] of actual) {
    const match = expected.find(([pattern]) => pattern.test(id));
    expect([id, match ? reasons : 'no expected pattern']).toEqual([id, match?.[1]]);
    unmatched.delete(match![0]);
  }
  expect([...unmatched]).toEqual([]);
}

/** The acknowledgments of the stack's traffic control with its function outside the VPC, in a stack of this region and account. */
function trafficControl(region: string, account: string): Array<[RegExp, string[]]> {
  return [
    [/^PrivateFargateTrafficControlEcsRole/, [REASONS.trafficEcsRole]],
    [/^PrivateFargateTrafficControlFunctionRole/, [REASONS.trafficRules(region, account), ...REASONS.trafficInline, REASONS.trafficDescribe]],
    [/^PrivateFargateTrafficControlLogGroup/, REASONS.trafficLogs],
    [/^PrivateFargateTrafficControlFunction[0-9A-F]{8}$/, [...REASONS.trafficFunction, ...REASONS.outsideVpc]],
  ];
}

describe('the reasons of the acknowledgments, written to the template for the audit trail', () => {
  // The mistakes: a reason left empty or wrong, or the reason of the other case: an internal load balancer (also one a
  // service joins) acknowledged as internet-facing, a VPC's endpoints acknowledged for a CIDR cdk-nag can check itself.
  test('in an environment-agnostic stack: ECS Exec, the execution role, PORT, internet-facing and internal load balancers, no region, the traffic role, a VPC CIDR known at deploy', () => {
    const app = new App();
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true });
    const stack = new Stack(app, 'Scan');
    new PrivateFargateBehindAlb(stack, 'Web', { enableExecuteCommand: true });
    const internal = new PrivateFargateBehindAlb(stack, 'Internal', { internetFacing: false });
    new PrivateFargateBehindAlb(stack, 'Joiner', { loadBalancer: internal.loadBalancer, port: 8080, environment: { STAGE: 'prod' } });
    new PrivateFargateBehindAlb(stack, 'Isolated', { vpc: new ec2.Vpc(stack, 'UserVpc', { maxAzs: 2, natGateways: 0 }) });

    expectAcknowledgments(writtenAcknowledgments(app, 'Scan'), [
      [/^WebTaskRole/, [REASONS.execPolicy, ...REASONS.execInline]],
      [/^(Web|Internal|Joiner|Isolated)ExecutionRole/, [REASONS.pullPolicy, ...REASONS.executionInline]],
      [/^(Web|Internal|Isolated)TaskDefinition/, [REASONS.onlyPort]],
      [/^(Web|Isolated)LoadBalancerSecurityGroup/, [REASONS.internetFacing]],
      [/^InternalLoadBalancerSecurityGroup/, [REASONS.internal]],
      [/^(Web|Internal|Isolated)LoadBalancer[0-9A-F]{8}$/, [...REASONS.noWebAcl, ...REASONS.noDeletionProtection, REASONS.noRegion, ...REASONS.noRegionLogging]],
      ...ownVpc('Web|Internal'),
      ...httpService('Web|Internal|Joiner|Isolated'),
      ...trafficControl('<AWS::Region>', '<AWS::AccountId>'),
      [/^UserVpcFargateVpcEndpointsSecurityGroup/, [REASONS.vpcCidr, ...REASONS.vpcCidrPorts]],
    ]);
  });

  test('in a stack with a region: the access-log bucket, and no acknowledgment of access logs', () => {
    const app = new App();
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true });
    new PrivateFargateBehindAlb(new Stack(app, 'Scan', { env: CONCRETE_ENV }), 'Web');

    expectAcknowledgments(writtenAcknowledgments(app, 'Scan'), [
      [/^WebExecutionRole/, [REASONS.pullPolicy, ...REASONS.executionInline]],
      [/^WebTaskDefinition/, [REASONS.onlyPort]],
      [/^WebLoadBalancerSecurityGroup/, [REASONS.internetFacing]],
      [/^WebLoadBalancer[0-9A-F]{8}$/, [...REASONS.noWebAcl, ...REASONS.noDeletionProtection]],
      [/^PrivateFargateAccessLogs/, [REASONS.logBucket, ...REASONS.logBucketRegulated]],
      ...ownVpc('Web'),
      ...httpService('Web'),
      ...trafficControl(CONCRETE_ENV.region, CONCRETE_ENV.account),
    ]);
  });

  // The mistake: the port-80 listener of an HTTPS service acknowledged as serving HTTP, or the HTTPS listener acknowledged at all.
  test('with a certificate: the port-80 listener only redirects, and the HTTPS listener has no acknowledgment', () => {
    const app = new App();
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true });
    const stack = new Stack(app, 'Scan');
    new PrivateFargateBehindAlb(stack, 'Web', {
      certificate: acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000'),
    });

    const listeners = writtenAcknowledgments(app, 'Scan').filter(([id]) => /Listener/.test(id) && !id.startsWith('PrivateFargateTrafficControl'));
    expect(listeners).toEqual([[expect.stringMatching(/^WebListener[0-9A-F]{8}$/), REASONS.redirectListener]]);
  });

  // The mistake: a function in the VPC still acknowledged as outside it, or its network-interface rights left unexplained.
  test('with the function in the VPC: no acknowledgment of a function outside the VPC, and the wildcards of the network interfaces', () => {
    const app = new App();
    new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true });
    new PrivateFargateBehindAlb(new Stack(app, 'Scan'), 'Web', { trafficFunctionInVpc: true });

    const written = new Map(writtenAcknowledgments(app, 'Scan').filter(([id]) => id.startsWith('PrivateFargateTrafficControl')));
    const byPrefix = (prefix: RegExp) => [...written.entries()].find(([id]) => prefix.test(id))?.[1];
    expect(byPrefix(/^PrivateFargateTrafficControlFunction[0-9A-F]{8}$/)).toEqual(REASONS.trafficFunction);
    expect(byPrefix(/^PrivateFargateTrafficControlFunctionRole/)).toEqual([
      REASONS.trafficRules('<AWS::Region>', '<AWS::AccountId>'), ...REASONS.trafficInline, REASONS.inVpcWildcards,
    ]);
    expect(byPrefix(/^PrivateFargateTrafficControlSecurityGroup/)).toBeUndefined();
  });

  // The mistake: acknowledging open ingress on the endpoints whatever the CIDR. cdk-nag checks a concrete CIDR itself,
  // and an acknowledgment would hide 0.0.0.0/0 added to the endpoints' group later.
  test('the endpoints of a VPC with a concrete CIDR are not acknowledged: open ingress added to them later is reported', () => {
    const app = new App();
    const stack = new Stack(app, 'Scan', { env: CONCRETE_ENV });
    const vpc = importedVpc(stack, CONCRETE_ENV.region);
    new PrivateFargateBehindAlb(stack, 'Web', { vpc });

    expect(nagFindings(app)).toEqual([]);
    FargateVpcEndpoints.of(vpc).securityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS from anywhere');

    expect(nagFindings(app)).toEqual(['AwsSolutions-EC23 at Scan/Vpc/FargateVpcEndpoints/SecurityGroup/Resource']);
  });
});

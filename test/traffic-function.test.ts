/**
 * The stack's listener-rule function in the VPC (`trafficFunctionInVpc`, issue 30 point 5): where organisations'
 * policies require Lambda functions in a VPC, it runs in the tasks' subnets and reaches the Elastic Load
 * Balancing API and CloudFormation's S3 response bucket through the VPC's endpoints or its NAT gateway.
 */
import { Annotations as CoreAnnotations, App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { newStack, refusalsOf, synth, synthesized, vpcWithBothPrivateKinds } from './helpers';
import { PrivateFargateBehindAlb, PrivateFargateBehindAlbProps } from '../src';

const CONCRETE = { account: '123456789012', region: 'eu-west-1' };
const FUNCTION_SG = 'The listener-rule function';

function functionOf(template: Template): any {
  const functions = Object.values(template.findResources('AWS::Lambda::Function'));
  expect(functions).toHaveLength(1);
  return functions[0].Properties;
}

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
function idOf(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** Every egress rule of a security group: inline, and as AWS::EC2::SecurityGroupEgress resources. */
function egressOf(template: Template, groupId: string): any[] {
  const inline = template.findResources('AWS::EC2::SecurityGroup')[groupId].Properties.SecurityGroupEgress ?? [];
  const separate = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress'))
    .map((rule) => rule.Properties)
    .filter((rule) => JSON.stringify(rule.GroupId) === JSON.stringify({ 'Fn::GetAtt': [groupId, 'GroupId'] }));
  return [...inline, ...separate];
}

function endpointsOf(template: Template, service: string): any[] {
  return Object.values(template.findResources('AWS::EC2::VPCEndpoint'))
    .filter((endpoint) => JSON.stringify(endpoint.Properties.ServiceName).includes(`.${service}`));
}

function functionRolePolicies(template: Template): any[] {
  const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith('PrivateFargateTrafficControlFunctionRole'));
  expect(roles).toHaveLength(1);
  return roles[0][1].Properties.Policies;
}

describe('the listener-rule function outside the VPC (the default)', () => {
  test('has no VPC configuration, no security group, no network-interface rights, and adds no endpoint', () => {
    const template = synth();

    expect(functionOf(template).VpcConfig).toBeUndefined();
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp(FUNCTION_SG) }, 0);
    expect(functionRolePolicies(template).map((policy) => policy.PolicyName)).toEqual(['ListenerRules']);
    expect(endpointsOf(template, 'elasticloadbalancing')).toEqual([]);
  });
});

describe('the listener-rule function in the VPC (trafficFunctionInVpc)', () => {
  test('runs in the tasks\' subnets, behind a security group of its own', () => {
    const template = synth({ trafficFunctionInVpc: true });

    const fn = functionOf(template);
    expect(fn.VpcConfig).toEqual({
      SubnetIds: [{ Ref: expect.stringMatching(/^WebVpcPrivateSubnet1Subnet/) }, { Ref: expect.stringMatching(/^WebVpcPrivateSubnet2Subnet/) }],
      SecurityGroupIds: [{ 'Fn::GetAtt': [idOf(template, 'AWS::EC2::SecurityGroup', 'PrivateFargateTrafficControlSecurityGroup'), 'GroupId'] }],
    });
    // The subnets are the tasks' own.
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0].Properties;
    expect(fn.VpcConfig.SubnetIds).toEqual(service.NetworkConfiguration.AwsvpcConfiguration.Subnets);
    // A description EC2 accepts (CreateSecurityGroup, GroupDescription: no apostrophe; cfn-lint E3031).
    const group = template.findResources('AWS::EC2::SecurityGroup')[idOf(template, 'AWS::EC2::SecurityGroup', 'PrivateFargateTrafficControlSecurityGroup')];
    expect(group.Properties.GroupDescription).toMatch(/^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/);
    expect(group.Properties.GroupDescription).toBe('The listener-rule function: HTTPS to the Elastic Load Balancing API and the CloudFormation response bucket only');
  });

  test.each([
    ['in an environment-agnostic stack', undefined, { CidrIp: '0.0.0.0/0' }],
    ['in a stack with an account and region', CONCRETE, { DestinationPrefixListId: expect.any(String) }],
  ])('%s its security group sends HTTPS only: to the endpoints\' group, and to S3', (_, env, s3) => {
    const template = synth({ trafficFunctionInVpc: true }, env);

    const group = idOf(template, 'AWS::EC2::SecurityGroup', 'PrivateFargateTrafficControlSecurityGroup');
    const endpointsGroup = idOf(template, 'AWS::EC2::SecurityGroup', 'WebVpcFargateVpcEndpointsSecurityGroup');
    const egress = egressOf(template, group);
    expect(egress).toEqual(expect.arrayContaining([
      expect.objectContaining({ DestinationSecurityGroupId: { 'Fn::GetAtt': [endpointsGroup, 'GroupId'] }, Description: 'HTTPS to the VPC endpoints' }),
      expect.objectContaining({ ...s3, Description: expect.stringMatching(/s3/i) }),
    ]));
    expect(egress).toHaveLength(2);
    for (const rule of egress) expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
    expect(template.findResources('AWS::EC2::SecurityGroup')[group].Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('the endpoints\' security group admits the function on 443', () => {
    const template = synth({ trafficFunctionInVpc: true });

    const group = idOf(template, 'AWS::EC2::SecurityGroup', 'PrivateFargateTrafficControlSecurityGroup');
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'VPC interface endpoints: HTTPS from the Fargate tasks only',
      SecurityGroupIngress: Match.arrayWith([
        Match.objectLike({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, SourceSecurityGroupId: { 'Fn::GetAtt': [group, 'GroupId'] } }),
      ]),
    });
  });

  test('an elasticloadbalancing interface endpoint with private DNS joins the VPC\'s endpoints, and the function waits for them', () => {
    const template = synth({ trafficFunctionInVpc: true });

    const [endpoint] = endpointsOf(template, 'elasticloadbalancing');
    expect(endpoint.Properties).toMatchObject({
      VpcEndpointType: 'Interface',
      PrivateDnsEnabled: true,
      SecurityGroupIds: [{ 'Fn::GetAtt': [idOf(template, 'AWS::EC2::SecurityGroup', 'WebVpcFargateVpcEndpointsSecurityGroup'), 'GroupId'] }],
    });
    const elb = idOf(template, 'AWS::EC2::VPCEndpoint', 'WebVpcFargateVpcEndpointsElasticloadbalancing');
    const s3 = idOf(template, 'AWS::EC2::VPCEndpoint', 'WebVpcFargateVpcEndpointsS3');
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    expect(fn.DependsOn).toEqual(expect.arrayContaining([elb, s3]));
    expect(fn.DependsOn).not.toContain(idOf(template, 'AWS::EC2::SecurityGroup', 'WebVpcFargateVpcEndpointsSecurityGroup'));
  });

  test('the endpoint is created once per VPC and shared, with the response bucket allowed once, by the functions of two stacks', () => {
    const app = new App();
    const webStack = new Stack(app, 'WebStack');
    const apiStack = new Stack(app, 'ApiStack');
    const web = new PrivateFargateBehindAlb(webStack, 'Web', { trafficFunctionInVpc: true });
    new PrivateFargateBehindAlb(webStack, 'Admin', { vpc: web.vpc, trafficFunctionInVpc: true });
    new PrivateFargateBehindAlb(apiStack, 'Api', { vpc: web.vpc, trafficFunctionInVpc: true });

    const [webTemplate, apiTemplate] = [webStack, apiStack].map((stack) => Template.fromStack(stack));
    expect([webTemplate, apiTemplate].map((template) => endpointsOf(template, 'elasticloadbalancing').length)).toEqual([1, 0]);
    expect([webTemplate, apiTemplate].map((template) => Object.keys(template.findResources('AWS::Lambda::Function')).length)).toEqual([1, 1]);
    expect(endpointsOf(webTemplate, 's3')[0].Properties.PolicyDocument.Statement.map((s: any) => s.Sid)).toEqual(['EcrImageLayers', 'CloudFormationResponses']);
    // The endpoints' group admits the other stack's function by a rule that stack holds.
    apiTemplate.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [idOf(apiTemplate, 'AWS::EC2::SecurityGroup', 'PrivateFargateTrafficControlSecurityGroup'), 'GroupId'] },
    });
  });

  test.each([
    ['in an environment-agnostic stack, with the region\'s dashes removed by CloudFormation', undefined,
      ['arn:', { Ref: 'AWS::Partition' }, ':s3:::cloudformation-custom-resource-response-', { 'Fn::Join': ['', { 'Fn::Split': ['-', { Ref: 'AWS::Region' }] }] }, '/*']],
    ['in eu-west-1', CONCRETE, ['arn:', { Ref: 'AWS::Partition' }, ':s3:::cloudformation-custom-resource-response-euwest1/*']],
  ])('the S3 endpoint of a VPC the construct made also allows PUTs to CloudFormation\'s response bucket: %s', (_, env, bucket) => {
    const template = synth({ trafficFunctionInVpc: true }, env);

    const [s3] = endpointsOf(template, 's3');
    expect(s3.Properties.PolicyDocument.Statement).toEqual([
      expect.objectContaining({ Sid: 'EcrImageLayers' }),
      { Sid: 'CloudFormationResponses', Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:PutObject', Resource: { 'Fn::Join': ['', bucket] } },
    ]);
  });

  test('the S3 endpoint keeps its policy without the function in the VPC, and one allowing all of S3 in a VPC the construct did not make', () => {
    const statements = (template: Template) => endpointsOf(template, 's3')[0].Properties.PolicyDocument?.Statement.map((s: any) => s.Sid);
    expect(statements(synth())).toEqual(['EcrImageLayers']);

    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'UserVpc', { maxAzs: 2, natGateways: 0 });
    new PrivateFargateBehindAlb(stack, 'Web', { vpc, trafficFunctionInVpc: true });
    const template = Template.fromStack(stack);
    expect(statements(template)).toBeUndefined();
    expect(endpointsOf(template, 'elasticloadbalancing')).toHaveLength(1);
  });

  test('its role may manage the network interfaces Lambda makes for it: the EC2 actions Lambda documents, in a second inline policy', () => {
    const policies = functionRolePolicies(synth({ trafficFunctionInVpc: true }));

    expect(policies.map((policy) => policy.PolicyName)).toEqual(['ListenerRules', 'NetworkInterfaces']);
    expect(policies[1].PolicyDocument.Statement).toEqual([{
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      Resource: '*',
    }]);
  });

  test('in subnets with a NAT gateway it sends HTTPS anywhere through it, and no endpoint is made', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'UserVpc', { maxAzs: 2, natGateways: 1 });
    new PrivateFargateBehindAlb(stack, 'Web', { vpc, trafficFunctionInVpc: true });
    const template = Template.fromStack(stack);

    expect(functionOf(template).VpcConfig.SubnetIds).toEqual([
      { Ref: expect.stringMatching(/^UserVpcPrivateSubnet1Subnet/) }, { Ref: expect.stringMatching(/^UserVpcPrivateSubnet2Subnet/) },
    ]);
    const group = idOf(template, 'AWS::EC2::SecurityGroup', 'PrivateFargateTrafficControlSecurityGroup');
    expect(egressOf(template, group)).toEqual([expect.objectContaining({
      CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'HTTPS to AWS APIs through the NAT gateway',
    })]);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  // The mistakes: the VPC's isolated subnets in place of the tasks' own, or the NAT taken for subnets of which only some have one.
  test('on a VPC with both kinds of private subnets it runs in the tasks\' subnets, through the NAT only when they all have one', () => {
    const build = (taskSubnets: (vpc: ec2.Vpc) => ec2.SubnetSelection) => {
      const stack = newStack();
      const vpc = vpcWithBothPrivateKinds(stack, 'UserVpc');
      new PrivateFargateBehindAlb(stack, 'Web', { vpc, taskSubnets: taskSubnets(vpc), trafficFunctionInVpc: true });
      return Template.fromStack(stack);
    };

    const egress = build(() => ({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }));
    expect(functionOf(egress).VpcConfig.SubnetIds).toEqual([
      { Ref: expect.stringMatching(/^UserVpcEgressSubnet1Subnet/) }, { Ref: expect.stringMatching(/^UserVpcEgressSubnet2Subnet/) },
    ]);
    const natGroup = idOf(egress, 'AWS::EC2::SecurityGroup', 'PrivateFargateTrafficControlSecurityGroup');
    expect(egressOf(egress, natGroup)).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', Description: 'HTTPS to AWS APIs through the NAT gateway' })]);

    const mixed = build((vpc) => ({ subnets: [vpc.privateSubnets[0], vpc.isolatedSubnets[1]] }));
    const mixedGroup = idOf(mixed, 'AWS::EC2::SecurityGroup', 'PrivateFargateTrafficControlSecurityGroup');
    expect(egressOf(mixed, mixedGroup).map((rule) => rule.Description)).not.toContain('HTTPS to AWS APIs through the NAT gateway');
    expect(endpointsOf(mixed, 'elasticloadbalancing')).toHaveLength(1);
  });

  test('with endpointSecurityGroup it sends HTTPS to that group, which admits it, and warns what the VPC\'s endpoints must serve', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'UserVpc', { maxAzs: 2, natGateways: 0 });
    const endpointSecurityGroup = new ec2.SecurityGroup(stack, 'Endpoints', { vpc, allowAllOutbound: false });
    new PrivateFargateBehindAlb(stack, 'Web', { vpc, endpointSecurityGroup, trafficFunctionInVpc: true });
    const template = Template.fromStack(stack);

    const group = idOf(template, 'AWS::EC2::SecurityGroup', 'PrivateFargateTrafficControlSecurityGroup');
    expect(egressOf(template, group)).toEqual(expect.arrayContaining([
      expect.objectContaining({ DestinationSecurityGroupId: { 'Fn::GetAtt': [idOf(template, 'AWS::EC2::SecurityGroup', 'Endpoints'), 'GroupId'] }, FromPort: 443 }),
    ]));
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 443,
      ToPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [group, 'GroupId'] },
      Description: 'HTTPS to the VPC endpoints from the listener-rule function',
    });
    expect(egressOf(template, group)).toEqual(expect.arrayContaining([expect.objectContaining({ Description: 'HTTPS to the VPC endpoints' })]));
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    Annotations.fromStack(stack).hasWarning('/TestStack/Web',
      'trafficFunctionInVpc: the listener-rule function uses endpoints the VPC has already (endpointSecurityGroup), which this app cannot see. ' +
      'Check that the VPC has an elasticloadbalancing interface endpoint with private DNS, and an S3 gateway endpoint on the function\'s ' +
      'subnets whose policy allows s3:PutObject to CloudFormation\'s response bucket (cloudformation-custom-resource-response- and the region ' +
      'without dashes) [ack: private-fargate-behind-alb:trafficFunctionEndpoints]');

  });

  test('once the VPC\'s endpoints are checked, that warning is acknowledged by its id', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'UserVpc', { maxAzs: 2, natGateways: 0 });
    const endpointSecurityGroup = new ec2.SecurityGroup(stack, 'Endpoints', { vpc, allowAllOutbound: false });
    new PrivateFargateBehindAlb(stack, 'Web', { vpc, endpointSecurityGroup, trafficFunctionInVpc: true });
    CoreAnnotations.of(stack).acknowledgeWarning('private-fargate-behind-alb:trafficFunctionEndpoints');
    CoreAnnotations.of(stack).acknowledgeWarning('private-fargate-behind-alb:vpcEndpointsOfTheVpc');

    Annotations.fromStack(stack).hasNoWarning('/TestStack/Web', Match.anyValue());
  });
});

describe('trafficFunctionInVpc is refused where it cannot work, with a way out that synthesizes', () => {
  test('services of one stack that use the function must give the same value; leaving it out is false', () => {
    const build = (api: PrivateFargateBehindAlbProps) => () => {
      const stack = newStack();
      const web = new PrivateFargateBehindAlb(stack, 'Web', { trafficFunctionInVpc: true });
      new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, port: 8080, ...api });
      return Template.fromStack(stack);
    };

    expect(build({})).toThrow(
      '[TestStack/Api] trafficFunctionInVpc must be the same for every service of a stack whose listener rules its one function writes; ' +
      'received none (false), and TestStack/Web gives true. ' +
      'Give trafficFunctionInVpc: true to this service too, or put it in a stack of its own');
    expect(Object.keys(build({ trafficFunctionInVpc: true })().findResources('AWS::Lambda::Function'))).toHaveLength(1);
    // The other way out: Api in a stack of its own, whose function stays out of the VPC.
    const app = new App();
    const web = new PrivateFargateBehindAlb(new Stack(app, 'One'), 'Web', { trafficFunctionInVpc: true });
    const api = new PrivateFargateBehindAlb(new Stack(app, 'Two'), 'Api', { loadBalancer: web.loadBalancer, port: 8080 });
    expect(refusalsOf(api)).toEqual([]);
    Template.fromStack(Stack.of(api)).hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.absent() });
  });

  test('the other way round: a service that leaves it out, then one that gives true', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');

    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, port: 8080, trafficFunctionInVpc: true }))).toThrow(
      /^ {2}\[TestStack\/Api\] trafficFunctionInVpc must be the same .*; received true, and TestStack\/Web leaves it out \(false\)\. Give trafficFunctionInVpc: false to this service too/m);
  });

  test('the services of a stack with the function in the VPC must be in one VPC', () => {
    const build = (sameVpc: boolean) => () => {
      const stack = newStack();
      const web = new PrivateFargateBehindAlb(stack, 'Web', { trafficFunctionInVpc: true });
      new PrivateFargateBehindAlb(stack, 'Api', { vpc: sameVpc ? web.vpc : undefined, trafficFunctionInVpc: true });
      return Template.fromStack(stack);
    };

    expect(build(false)).toThrow(
      '[TestStack/Api] trafficFunctionInVpc places the stack\'s one listener-rule function in the VPC of its services; received a service in ' +
      'the VPC TestStack/Api/Vpc, and TestStack/Web is in the VPC TestStack/Web/Vpc. Put the stack\'s services in one VPC, or this service in a stack of its own');
    expect(Object.keys(build(true)().findResources('AWS::Lambda::Function'))).toHaveLength(1);
    // The other way out: Api in a stack of its own, with a function of its own in its VPC.
    const app = new App();
    new PrivateFargateBehindAlb(new Stack(app, 'One'), 'Web', { trafficFunctionInVpc: true });
    const api = new PrivateFargateBehindAlb(new Stack(app, 'Two'), 'Api', { trafficFunctionInVpc: true });
    expect(refusalsOf(api)).toEqual([]);
    Template.fromStack(Stack.of(api)).hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }) });
  });

  test('vpcEndpoints false in subnets without internet, without endpointSecurityGroup: the function could reach neither the API nor S3', () => {
    const build = (props: PrivateFargateBehindAlbProps) => () => {
      const stack = newStack();
      const vpc = new ec2.Vpc(stack, 'UserVpc', { maxAzs: 2, natGateways: 0 });
      new PrivateFargateBehindAlb(stack, 'Web', { vpc, trafficFunctionInVpc: true, ...props });
      return Template.fromStack(stack);
    };

    expect(build({ vpcEndpoints: false })).toThrow(
      '[TestStack/Web] trafficFunctionInVpc needs endpoints for the Elastic Load Balancing API and S3 in subnets with no route to the internet; ' +
      'received vpcEndpoints false without endpointSecurityGroup, so the function could reach neither. Replace vpcEndpoints: false with endpointSecurityGroup (the group ' +
      'of the VPC\'s endpoints, which must include elasticloadbalancing and an S3 gateway endpoint allowing CloudFormation\'s response bucket), ' +
      'or leave vpcEndpoints at true, or leave trafficFunctionInVpc at false');
    expect(build({})).not.toThrow();
    expect(build({ vpcEndpoints: false, trafficFunctionInVpc: false })).not.toThrow();
  });
});

describe('cdk-nag packs with the function in the VPC', () => {
  test.each([
    ['a VPC the construct made', undefined],
    ['a stack with an account and region', CONCRETE],
  ])('in %s the function, its roles, log group and security group, and the endpoints have no finding in any pack', (_, env) => {
    const app = new App();
    const stack = new Stack(app, 'Scan', { env });
    new PrivateFargateBehindAlb(stack, 'Web', { trafficFunctionInVpc: true });

    const findings = [new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new HIPAASecurityChecks(app), new PCIDSS321Checks(app)]
      .flatMap((pack) => pack.validateScope(app).violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`)))
      .filter((finding) => /PrivateFargateTrafficControl|FargateVpcEndpoints/.test(finding));
    expect(findings).toEqual([]);
  });
});

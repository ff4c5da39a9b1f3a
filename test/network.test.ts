/** The network helpers' behaviour, seen through the templates the construct writes. */
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { newStack, synth, synthesized } from './helpers';
import { PrivateFargateBehindAlb } from '../src';

const ENV = { account: '123456789012', region: 'us-east-1' };

describe('the default VPC', () => {
  test('its flow log group keeps rejected traffic one month and is retained on stack deletion', () => {
    const template = synth();

    // The flow log's group, found through the flow log, not any group with these properties.
    const [flowLog] = Object.values(template.findResources('AWS::EC2::FlowLog'));
    const groupName = flowLog.Properties.LogGroupName.Ref as string;
    const group = template.toJSON().Resources[groupName];
    expect(groupName).toMatch(/^WebFlowLogs/);
    expect(group).toEqual(expect.objectContaining({
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    }));
  });
});

describe('the flow log', () => {
  // The mistakes: the policy as a resource of its own, which the flow log does not wait for; a role other
  // services could assume; a policy on every log group, or on the containers' group instead of the flow log's.
  test('writes to its own group with a role that only the flow log service assumes and whose policy is in the role', () => {
    const template = synth();

    const [flowLog] = Object.values(template.findResources('AWS::EC2::FlowLog'));
    const roleId = flowLog.Properties.DeliverLogsPermissionArn['Fn::GetAtt'][0] as string;
    const role = template.toJSON().Resources[roleId];
    expect(role.Type).toBe('AWS::IAM::Role');
    // IAM refuses a document without the current version or a policy without a name at deploy.
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(role.Properties.Policies).toEqual([{
      PolicyName: 'WriteFlowLogs',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: { 'Fn::GetAtt': [flowLog.Properties.LogGroupName.Ref, 'Arn'] },
        }],
      },
    }]);
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain(roleId);
    expect(flowLog.Properties.ResourceId).toEqual({ Ref: expect.stringMatching(/^WebVpc[0-9A-F]{8}$/) });
  });
});

describe('the subnets of the endpoints', () => {
  test('a VPC with two isolated subnet groups gets each interface endpoint in one subnet per AZ, and S3 on every isolated route table', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'App', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });

    new PrivateFargateBehindAlb(stack, 'Web', { vpc });

    const template = Template.fromStack(stack);
    const interfaces = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }));
    for (const endpoint of interfaces) {
      expect(endpoint.Properties.SubnetIds).toEqual([{ Ref: expect.stringMatching(/^VpcAppSubnet1/) }, { Ref: expect.stringMatching(/^VpcAppSubnet2/) }]);
    }
    const [gateway] = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }));
    expect(gateway.Properties.RouteTableIds).toHaveLength(4);
  });
});

// The mistake: a selection that takes two subnets (or two AZs), as every other test's VPC has.
describe('a VPC over three AZs', () => {
  test('the tasks, the load balancer and every endpoint are in all three', () => {
    const stack = newStack(ENV);
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 3,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });

    new PrivateFargateBehindAlb(stack, 'Web', { vpc });

    expect(vpc.availabilityZones).toHaveLength(3);
    const template = Template.fromStack(stack);
    const subnets = (kind: string) => [1, 2, 3].map((n) => ({ Ref: expect.stringMatching(new RegExp(`^Vpc${kind}Subnet${n}Subnet`)) }));
    const [service] = Object.values(template.findResources('AWS::ECS::Service'));
    expect(service.Properties.NetworkConfiguration.AwsvpcConfiguration.Subnets).toEqual(subnets('Private'));
    const [loadBalancer] = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'));
    expect(loadBalancer.Properties.Subnets).toEqual(subnets('Public'));
    const interfaces = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }));
    expect(interfaces).toHaveLength(3);
    for (const endpoint of interfaces) expect(endpoint.Properties.SubnetIds).toEqual(subnets('Private'));
    const [gateway] = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Gateway' } }));
    expect(gateway.Properties.RouteTableIds).toEqual([1, 2, 3].map((n) => ({ Ref: expect.stringMatching(new RegExp(`^VpcPrivateSubnet${n}RouteTable`)) })));
  });
});

describe('egress of the task subnets', () => {
  const attributes: ec2.VpcAttributes = {
    vpcId: 'vpc-0mixed',
    vpcCidrBlock: '172.18.0.0/16',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    publicSubnetIds: ['subnet-pub1', 'subnet-pub2'],
    privateSubnetIds: ['subnet-priv1', 'subnet-priv2'],
    privateSubnetRouteTableIds: ['rtb-priv1', 'rtb-priv2'],
    isolatedSubnetIds: ['subnet-iso1', 'subnet-iso2'],
    isolatedSubnetRouteTableIds: ['rtb-iso1', 'rtb-iso2'],
  };

  test('task subnets mixing one with egress and one isolated need the endpoints', () => {
    const stack = newStack(ENV);
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', attributes);
    const [withEgress] = vpc.privateSubnets;
    const [isolated] = vpc.isolatedSubnets;

    new PrivateFargateBehindAlb(stack, 'Web', { vpc, taskSubnets: { subnets: [withEgress, isolated] } });

    Template.fromStack(stack).resourceCountIs('AWS::EC2::VPCEndpoint', 4);
  });

  test('a VPC with both kinds and no taskSubnets is refused, naming what each choice does; both choices synthesize', () => {
    const build = (taskSubnets?: ec2.SubnetSelection) => {
      const stack = newStack(ENV);
      new PrivateFargateBehindAlb(stack, 'Web', { vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', attributes), taskSubnets });
      return Template.fromStack(stack);
    };

    // Not chosen silently: isolated subnets are often the database tier, and their endpoints change DNS for every workload of the VPC.
    expect(() => build()).toThrow('[TestStack/Web] taskSubnets must be given for the VPC vpc-0mixed, which has both isolated subnets and private subnets ' +
      'with egress; received none. Give taskSubnets: { subnetType: PRIVATE_WITH_EGRESS } to run the tasks behind the NAT (no VPC endpoint is added), ' +
      'or taskSubnets: { subnetType: PRIVATE_ISOLATED } to run them with no route to the internet (interface endpoints with private DNS are added ' +
      'to the VPC, and its other workloads then reach those AWS services through them)');
    const isolated = build({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
    isolated.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ Subnets: ['subnet-iso1', 'subnet-iso2'] }) },
    });
    isolated.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
    const withEgress = build({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
    withEgress.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ Subnets: ['subnet-priv1', 'subnet-priv2'] }) },
    });
    withEgress.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  // The mistake: the default subnet selection of aws-cdk-lib, which takes the subnets with egress first.
  test('with isolated task subnets on a VPC with both kinds, the interface endpoints and an internal load balancer are in the isolated subnets', () => {
    const stack = newStack(ENV);
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', attributes);
    new PrivateFargateBehindAlb(stack, 'Web', { vpc, taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, internetFacing: false });
    const template = Template.fromStack(stack);

    const interfaces = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }));
    expect(interfaces.length).toBeGreaterThanOrEqual(3);
    for (const endpoint of interfaces) expect(endpoint.Properties.SubnetIds).toEqual(['subnet-iso1', 'subnet-iso2']);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal', Subnets: ['subnet-iso1', 'subnet-iso2'] });
  });

  test('task subnets all with egress need none', () => {
    const stack = newStack(ENV);
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', attributes);

    new PrivateFargateBehindAlb(stack, 'Web', { vpc, taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ Subnets: ['subnet-priv1', 'subnet-priv2'] }) },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Fargate tasks'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, Description: 'HTTPS to AWS APIs' })],
    });
  });
});

describe('one VPC, compared by object or by concrete id', () => {
  test('the shared load balancer\'s own VPC object is accepted as vpc, and the service joins that load balancer in that VPC', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');

    const api = new PrivateFargateBehindAlb(stack, 'Api', { vpc: web.vpc, loadBalancer: web.loadBalancer, port: 8080 });

    expect(api.vpc).toBe(web.vpc);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 8080,
      LoadBalancerArn: { Ref: Match.stringLikeRegexp('^WebLoadBalancer') },
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^ApiTargetGroup') } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080, VpcId: { Ref: Match.stringLikeRegexp('^WebVpc') } });
  });

  test('two imported VPCs with different concrete ids are two VPCs', () => {
    const stack = newStack(ENV);
    const vpc = (id: string, vpcId: string) => ec2.Vpc.fromVpcAttributes(stack, id, {
      vpcId,
      vpcCidrBlock: '172.16.0.0/16',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      publicSubnetIds: [`${vpcId}-pub1`, `${vpcId}-pub2`],
      isolatedSubnetIds: [`${vpcId}-iso1`, `${vpcId}-iso2`],
      isolatedSubnetRouteTableIds: [`${vpcId}-rtb1`, `${vpcId}-rtb2`],
    });
    const web = new PrivateFargateBehindAlb(stack, 'Web', { vpc: vpc('One', 'vpc-0one') });

    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Api', { vpc: vpc('Two', 'vpc-0two'), loadBalancer: web.loadBalancer, port: 8080 })))
      .toThrow('[TestStack/Api] vpc must be the loadBalancer\'s VPC; received the VPC vpc-0two and a load balancer in the VPC vpc-0one');
  });
});

describe('prefix lists need both account and region', () => {
  test('a stack with a region but no account sends S3 traffic by address, with no lookup', () => {
    const app = new App();
    const stack = new Stack(app, 'TestStack', { env: { region: 'us-east-1' } });

    new PrivateFargateBehindAlb(stack, 'Web');

    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Fargate tasks'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443 })],
    });
    expect(app.synth().manifest.missing).toBeUndefined();
  });
});

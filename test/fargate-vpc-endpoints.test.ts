import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { newStack, securityGroupProperties } from './helpers';
import { FargateVpcEndpoints, PrivateFargateBehindAlb } from '../src';


function endpointServices(template: Template): string[] {
  return Object.values(template.findResources('AWS::EC2::VPCEndpoint'))
    .map((endpoint) => endpoint.Properties.ServiceName['Fn::Join'][1][2] as string)
    .sort();
}

describe('the VPC endpoints', () => {
  test('a service gets ECR API, ECR Docker and Logs as private-DNS interface endpoints in the private subnets', () => {
    const stack = newStack();
    new PrivateFargateBehindAlb(stack, 'Web');

    const template = Template.fromStack(stack);
    expect(endpointServices(template)).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3']);
    for (const service of ['.ecr.api', '.ecr.dkr', '.logs']) {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, service]] },
        PrivateDnsEnabled: true,
        SubnetIds: [{ Ref: Match.stringLikeRegexp('PrivateSubnet1') }, { Ref: Match.stringLikeRegexp('PrivateSubnet2') }],
      });
    }
  });

  test('S3 is a gateway endpoint on the private route tables that allows only reading the ECR layer bucket', () => {
    const stack = newStack();
    new PrivateFargateBehindAlb(stack, 'Web');

    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      RouteTableIds: [
        { Ref: Match.stringLikeRegexp('PrivateSubnet1RouteTable') },
        { Ref: Match.stringLikeRegexp('PrivateSubnet2RouteTable') },
      ],
      PolicyDocument: {
        Statement: [{
          Sid: 'EcrImageLayers',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 's3:GetObject',
          Resource: {
            'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::prod-', { Ref: 'AWS::Region' }, '-starport-layer-bucket/*']],
          },
        }],
        Version: '2012-10-17',
      },
    });
  });

  test('the endpoints admit HTTPS only from the tasks, not from the whole VPC', () => {
    const stack = newStack();
    new PrivateFargateBehindAlb(stack, 'Web');

    const template = Template.fromStack(stack);
    expect(securityGroupProperties(template, 'VPC interface endpoints').SecurityGroupIngress).toEqual([{
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      Description: 'HTTPS to the VPC endpoints',
      SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^WebServiceSecurityGroup/), 'GroupId'] },
    }]);
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', { FromPort: 443 }, 0);
  });

  test('two services on one VPC share exactly four endpoints and both reach them', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    new PrivateFargateBehindAlb(stack, 'Api', { vpc: web.vpc, port: 8080 });

    const template = Template.fromStack(stack);
    expect(endpointServices(template)).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3']);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('VPC interface endpoints'),
      SecurityGroupIngress: ['Web', 'Api'].map((service) => Match.objectLike({
        FromPort: 443,
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp(`${service}ServiceSecurityGroup`), 'GroupId'] },
      })),
    });
  });

  test('services in two stacks on one VPC share the endpoints of the VPC\'s stack', () => {
    const app = new App();
    const network = new Stack(app, 'Network');
    const vpc = new ec2.Vpc(network, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const one = new Stack(app, 'One');
    const two = new Stack(app, 'Two');

    new PrivateFargateBehindAlb(one, 'Web', { vpc });
    new PrivateFargateBehindAlb(two, 'Web', { vpc });

    Template.fromStack(network).resourceCountIs('AWS::EC2::VPCEndpoint', 4);
    // Each service's stack holds the endpoints' ingress rule from its own tasks.
    for (const stack of [one, two]) {
      Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        GroupId: { 'Fn::ImportValue': Match.stringLikeRegexp('^Network:ExportsOutputFnGetAttVpcFargateVpcEndpointsSecurityGroup') },
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebServiceSecurityGroup'), 'GroupId'] },
        FromPort: 443,
        ToPort: 443,
        Description: 'HTTPS to the VPC endpoints',
      });
    }
    Template.fromStack(one).resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    Template.fromStack(two).resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });

  test('vpcEndpoints false creates no endpoint: the tasks send HTTPS to the VPC\'s own endpoints, which a warning lists', () => {
    const stack = newStack();
    new PrivateFargateBehindAlb(stack, 'Web', { vpcEndpoints: false });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('VPC interface endpoints') }, 0);
    // The service still runs in the private subnets, and its tasks reach AWS on 443 wherever the VPC's endpoints are.
    template.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ Subnets: [{ Ref: Match.stringLikeRegexp('PrivateSubnet1') }, { Ref: Match.stringLikeRegexp('PrivateSubnet2') }] }) },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Fargate tasks'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443, Description: 'HTTPS to AWS APIs' })],
    });
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Web', Match.stringLikeRegexp('use endpoints the VPC has already'));
    expect(warnings.map((w) => w.entry.data)).toEqual([expect.stringContaining('they need an endpoint for each of ecr.api, ecr.dkr, logs, s3.')]);
  });

  test('FargateVpcEndpoints.of returns the same endpoints for the same VPC', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });

    expect(FargateVpcEndpoints.of(vpc)).toBe(FargateVpcEndpoints.of(vpc));
    expect(FargateVpcEndpoints.of(vpc).node.scope).toBe(vpc);
  });
});

import { App, Aspects, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
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

/*
 * What the app adds after the constructors (grants, environment files) is read when the app synthesizes,
 * by one aspect on the VPC's endpoints for all the services on them. The mistakes: an aspect on each
 * service, which without stabilized aspects (no feature flags) adds the endpoints of a VPC made before
 * the service after the app's aspects have passed that VPC, so its tags never reach them; an aspect on
 * a construct visited after the VPC, which does the same to the construct's own VPC; only one service
 * of the VPC completed (the first, or the last); a service's refusal reported on another.
 */
describe('the endpoints completed at synth, for every service on the VPC', () => {
  const ENV = { account: '123456789012', region: 'us-east-1' };
  const sqsEndpoint = (template: Template) => Object.entries(template.findResources('AWS::EC2::VPCEndpoint'))
    .filter(([, endpoint]) => JSON.stringify(endpoint.Properties.ServiceName).includes('.sqs'));

  test.each([
    ['without feature flags', 'the construct\'s VPC', false],
    ['without feature flags', 'a VPC the app made before the service', false],
    ['with stabilized aspects', 'the construct\'s VPC', true],
    ['with stabilized aspects', 'a VPC the app made before the service', true],
  ])('%s, an endpoint a grant adds to %s gets the app\'s tags and the VPC\'s name', (_, where, stabilized) => {
    const app = new App({ context: { '@aws-cdk/core:aspectStabilization': stabilized } });
    const stack = new Stack(app, 'TestStack', { env: ENV });
    Tags.of(app).add('CostCenter', 'web-42');
    const vpc = where === 'the construct\'s VPC' ? undefined : new ec2.Vpc(stack, 'Network', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });
    const web = new PrivateFargateBehindAlb(stack, 'Web', { vpc });
    new sqs.Queue(stack, 'Jobs').grantSendMessages(web.taskDefinition.taskRole);

    const endpoints = sqsEndpoint(Template.fromStack(stack));
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0][1].Properties.Tags).toEqual([
      { Key: 'CostCenter', Value: 'web-42' },
      { Key: 'Name', Value: vpc ? 'TestStack/Network' : 'TestStack/Web/Vpc' },
    ]);
  });

  test('each service on one VPC gets what it was granted after every constructor, the environment file of its own execution role included', () => {
    const stack = newStack(ENV);
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    const executionRole = new iam.Role(stack, 'ApiExecution', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    const api = new PrivateFargateBehindAlb(stack, 'Api', { vpc: web.vpc, port: 8080, executionRole });
    // The given role has no policy yet: reading the environment files gives it its default policy at synth.
    api.taskDefinition.addContainer('sidecar', {
      image: ecs.ContainerImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/sidecar:1'),
      environmentFiles: [ecs.EnvironmentFile.fromBucket(s3.Bucket.fromBucketName(stack, 'Config', 'api-config'), 'api.env')],
    });
    new sqs.Queue(stack, 'Jobs').grantSendMessages(web.taskDefinition.taskRole);
    new sns.Topic(stack, 'Events').grantPublish(api.taskDefinition.taskRole);

    const template = Template.fromStack(stack);
    // With a concrete region the interface endpoints name it; the gateway endpoints name it by a token.
    const services = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).map(({ Properties: { ServiceName: name } }) =>
      (typeof name === 'string' ? name.replace('com.amazonaws.us-east-1.', '') : name['Fn::Join'][1][2].replace('.', '')));
    expect(services.sort()).toEqual(['ecr.api', 'ecr.dkr', 'logs', 's3', 'sns', 'sqs']);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 's3:GetObject',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::api-config/api.env']] },
        })]),
      },
    });
  });

  // The mistake: an aspect per service (on the endpoints or on the service), which reads every policy of the app once per service.
  test('the services on one VPC share one aspect, on its endpoints', () => {
    const stack = newStack(ENV);
    const services = [new PrivateFargateBehindAlb(stack, 'Web')];
    services.push(new PrivateFargateBehindAlb(stack, 'Api', { vpc: services[0].vpc, port: 8080 }));
    services.push(new PrivateFargateBehindAlb(stack, 'Admin', { vpc: services[0].vpc, port: 8081 }));

    expect(Aspects.of(FargateVpcEndpoints.of(services[0].vpc)).applied).toHaveLength(1);
    expect(services.map((service) => Aspects.of(service).applied)).toEqual([[], [], []]);
  });

  test('a service that cannot reach what it is granted is refused under its own path, the other service on the VPC is not', () => {
    const app = new App();
    const stack = new Stack(app, 'TestStack', { env: ENV });
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    const api = new PrivateFargateBehindAlb(stack, 'Api', { vpc: web.vpc, port: 8080, endpointsForGrantedServices: false });
    new sqs.Queue(stack, 'Jobs').grantSendMessages(web.taskDefinition.taskRole);
    new sns.Topic(stack, 'Events').grantPublish(api.taskDefinition.taskRole);

    expect(() => app.synth()).toThrow(/\[TestStack\/Api\] the task role is granted sns, which the tasks cannot reach/);
    expect(() => app.synth()).not.toThrow(/\[TestStack\/Web\]/);
  });
});

import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { newStack, securityGroupProperties, synth } from './helpers';
import { findPortPlaces } from '../scripts/summarize';
import { Deployment, PrivateFargateBehindAlb } from '../src';


/**
 * Listener, target group, container port, host port, PORT, service mapping, load balancer ingress,
 * load balancer egress to the tasks, tasks' ingress from the load balancer.
 */
// With the default canary deployment the alternate target group is a place too.
const PORT_PLACES = 10;

/**
 * Every port place of the template except the tasks' HTTPS to AWS: the endpoints' own resources and
 * the rules whose description says they carry HTTPS to the endpoints, S3 or AWS APIs. Rules are left
 * out by what they are, never by their value, so a port wrongly set to 443 still shows.
 */
function servicePortValues(template: Template): string[] {
  const toAws = (rule: any) => typeof rule?.Description === 'string' && /^HTTPS (to|from) /.test(rule.Description);
  return Object.entries(template.toJSON().Resources as Record<string, any>)
    .filter(([id, resource]) => !id.includes('FargateVpcEndpoints') && !toAws(resource.Properties))
    .map(([id, resource]) => {
      const properties = { ...resource.Properties };
      if (Array.isArray(properties.SecurityGroupEgress)) {
        properties.SecurityGroupEgress = properties.SecurityGroupEgress.filter((rule: any) => !toAws(rule));
      }
      return findPortPlaces(id, resource.Type, properties);
    })
    .flat()
    .map((place) => place.value);
}

describe('the port', () => {
  test('port 8080 is the value of the listener, target group, port mapping, service mapping, security groups and PORT', () => {
    // WHEN
    const template = synth({ port: 8080 });

    // THEN
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8080, Protocol: 'HTTP' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Port: 8080 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({
        PortMappings: [{ ContainerPort: 8080, HostPort: 8080, Protocol: 'tcp' }],
        Environment: Match.arrayWith([{ Name: 'PORT', Value: '8080' }]),
      })],
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [Match.objectLike({ ContainerPort: 8080 })],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 8080, ToPort: 8080 })],
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebServiceSecurityGroup'), 'GroupId'] },
      FromPort: 8080,
      ToPort: 8080,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('LoadBalancerSecurityGroup'), 'GroupId'] },
    });
  });

  test('with port 8080 no port place holds 80', () => {
    const values = servicePortValues(synth({ port: 8080 }));

    expect(values).toHaveLength(PORT_PLACES);
    expect(new Set(values)).toEqual(new Set(['8080']));
  });

  test('the default port is 80 everywhere', () => {
    const values = servicePortValues(synth());

    expect(values).toHaveLength(PORT_PLACES);
    expect(new Set(values)).toEqual(new Set(['80']));
  });

  test('a CfnParameter port synthesizes with every use a Ref to the parameter', () => {
    // GIVEN
    const stack = newStack();
    const port = new CfnParameter(stack, 'HTTPPort', { type: 'Number', default: 80 });

    // WHEN
    new PrivateFargateBehindAlb(stack, 'Web', { port: port.valueAsNumber });

    // THEN
    const template = Template.fromStack(stack);
    const ref = { Ref: 'HTTPPort' };
    const values = servicePortValues(template);
    expect(values).toHaveLength(PORT_PLACES);
    expect(new Set(values)).toEqual(new Set([JSON.stringify(ref)]));
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: ref });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [Match.objectLike({ Environment: [{ Name: 'PORT', Value: ref }] })],
    });
    template.hasOutput('*', { Value: { 'Fn::Join': ['', ['http://', Match.anyValue(), ':', ref]] } });
  });

  test('the URL output leaves out port 80 and names any other port', () => {
    synth().hasOutput('*', {
      Value: { 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [Match.stringLikeRegexp('WebLoadBalancer'), 'DNSName'] }]] },
      Description: 'The URL of the service',
    });
    synth({ port: 8080 }).hasOutput('*', {
      Value: { 'Fn::Join': ['', ['http://', Match.anyValue(), ':8080']] },
    });
  });
});

describe('the load balancer and target group', () => {
  test('the load balancer is internet-facing in the public subnets and drops invalid header fields', () => {
    synth().hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Subnets: [{ Ref: Match.stringLikeRegexp('PublicSubnet1') }, { Ref: Match.stringLikeRegexp('PublicSubnet2') }],
      LoadBalancerAttributes: Match.arrayWith([{ Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' }]),
    });
  });

  test('the template leaves out ELB\'s defaults the construct never changes: deletion protection, the health check port, stickiness', () => {
    const template = synth({ deployment: Deployment.canary() });
    const [loadBalancer] = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::LoadBalancer'));
    expect(loadBalancer.Properties.LoadBalancerAttributes.map((attribute: { Key: string }) => attribute.Key))
      .toEqual(expect.not.arrayContaining(['deletion_protection.enabled']));
    const targetGroups = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
    expect(targetGroups).toHaveLength(2);
    for (const targetGroup of targetGroups) {
      expect(targetGroup.Properties.HealthCheckPort).toBeUndefined();
      expect(targetGroup.Properties.TargetGroupAttributes).toEqual([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]);
    }
  });

  test('the target group is HTTP, type ip, and checks health fast (on the traffic port, ELB\'s default)', () => {
    synth().hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Protocol: 'HTTP',
      TargetType: 'ip',
      HealthCheckPath: '/',
      HealthCheckIntervalSeconds: 10,
      HealthCheckTimeoutSeconds: 5,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
      Matcher: { HttpCode: '200' },
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
    });
  });

  test('health check and draining props reach the target group', () => {
    synth({
      healthCheckPath: '/healthz',
      healthCheckInterval: Duration.seconds(20),
      healthCheckTimeout: Duration.seconds(6),
      healthyThresholdCount: 3,
      unhealthyThresholdCount: 4,
      deregistrationDelay: Duration.seconds(5),
    }).hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/healthz',
      HealthCheckIntervalSeconds: 20,
      HealthCheckTimeoutSeconds: 6,
      HealthyThresholdCount: 3,
      UnhealthyThresholdCount: 4,
      TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '5' }]),
    });
  });
});

describe('the task and the service', () => {
  test('the task is Fargate 512 CPU / 1024 MiB with the default image logging to its own log group', () => {
    const template = synth();

    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '512',
      Memory: '1024',
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      ContainerDefinitions: [Match.objectLike({
        Name: 'web',
        Image: { 'Fn::Sub': Match.stringLikeRegexp('cdk-hnb659fds-container-assets') },
        LogConfiguration: {
          LogDriver: 'awslogs',
          Options: Match.objectLike({ 'awslogs-group': { Ref: Match.stringLikeRegexp('WebLogGroup') } }),
        },
      })],
    });
  });

  test('the default image is built for linux/amd64 from a Dockerfile in the package whose nginx listens on $PORT', () => {
    const app = new App();
    new PrivateFargateBehindAlb(new Stack(app, 'TestStack'), 'Web');

    const assembly = app.synth();
    const manifest = assembly.artifacts.find((a): a is cxapi.AssetManifestArtifact => a instanceof cxapi.AssetManifestArtifact)!;
    const images = Object.values(manifest.contents.dockerImages ?? {});
    expect(images).toHaveLength(1);
    expect(images[0].source.platform).toBe('linux/amd64');
    const staged = path.join(assembly.directory, images[0].source.directory!);
    expect(fs.readFileSync(path.join(staged, 'Dockerfile'), 'utf-8')).toMatch(/^FROM \S*nginx/m);
    expect(fs.readFileSync(path.join(staged, 'default.conf.template'), 'utf-8')).toContain('listen ${PORT};');
  });

  test('cpu, memory, container name, image and environment are the user\'s', () => {
    synth({
      cpu: 1024,
      memoryLimitMiB: 4096,
      containerName: 'api',
      image: ecs.ContainerImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.0'),
      environment: { STAGE: 'prod' },
    }).hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '1024',
      Memory: '4096',
      ContainerDefinitions: [Match.objectLike({
        Name: 'api',
        Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.0',
        Environment: [{ Name: 'PORT', Value: '80' }, { Name: 'STAGE', Value: 'prod' }],
      })],
    });
  });

  test('the container\'s log group keeps logs one month and is retained when the stack is deleted', () => {
    const serviceLogGroup = (template: Template) => {
      const [taskDefinition] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
      const id = taskDefinition.Properties.ContainerDefinitions[0].LogConfiguration.Options['awslogs-group'].Ref;
      return template.toJSON().Resources[id];
    };

    expect(serviceLogGroup(synth())).toEqual(expect.objectContaining({
      Properties: { RetentionInDays: 30 },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    }));
    expect(serviceLogGroup(synth({ logRetention: logs.RetentionDays.ONE_YEAR })).Properties).toEqual({ RetentionInDays: 365 });
  });

  test('the service runs in the private subnets with no public IP, deploys safely and sets no desired count', () => {
    synth({ minCapacity: 2, maxCapacity: 4 }).hasResourceProperties('AWS::ECS::Service', {
      // A capacity provider strategy, not a launch type: adding Spot later is then an update in place.
      LaunchType: Match.absent(),
      CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }],
      EnableExecuteCommand: false,
      // A desired count in the template would reset the autoscaled count on every deployment.
      DesiredCount: Match.absent(),
      HealthCheckGracePeriodSeconds: 60,
      DeploymentConfiguration: Match.objectLike({
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          AssignPublicIp: 'DISABLED',
          Subnets: [{ Ref: Match.stringLikeRegexp('PrivateSubnet1') }, { Ref: Match.stringLikeRegexp('PrivateSubnet2') }],
        }),
      },
    });
  });

  test('healthCheckGracePeriod reaches the service', () => {
    synth({ healthCheckGracePeriod: Duration.seconds(120) })
      .hasResourceProperties('AWS::ECS::Service', { HealthCheckGracePeriodSeconds: 120 });
  });

  test('autoscaling tracks 50 % CPU between 1 and 3 tasks through the service-linked role, with no role of its own', () => {
    const template = synth();

    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 1,
      MaxCapacity: 3,
      ScalableDimension: 'ecs:service:DesiredCount',
      RoleARN: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('AWSServiceRoleForApplicationAutoScaling_ECSService')])] },
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 50,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      }),
    });
    // The roles are the task's, the execution role and the flow log's: none for scaling.
    const principals = Object.values(template.findResources('AWS::IAM::Role'))
      .flatMap((role) => role.Properties.AssumeRolePolicyDocument.Statement.map((statement: any) => statement.Principal.Service))
      .sort();
    // Task and execution roles, the flow log's role and the stack's traffic role (ECS moves canary traffic with it,
    // and the function that writes the listener rules runs with it): none for scaling.
    expect(principals).toEqual(['ecs-tasks.amazonaws.com', 'ecs-tasks.amazonaws.com', 'ecs.amazonaws.com', 'lambda.amazonaws.com', 'vpc-flow-logs.amazonaws.com']);
  });

  test('scaling bounds and CPU target are the user\'s, and scaling takes more policies', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web', { minCapacity: 2, maxCapacity: 6, targetCpuUtilizationPercent: 70 });

    web.scaling.scaleOnMemoryUtilization('Memory', { targetUtilizationPercent: 80 });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: 6 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 70 }),
    });
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 2);
  });
});

describe('the network', () => {
  test('the default VPC is 10.0.0.0/16 over two AZs with no NAT gateway and no internet route from the private subnets', () => {
    const template = synth();

    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16', EnableDnsSupport: true, EnableDnsHostnames: true });
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const routes = Object.values(template.findResources('AWS::EC2::Route'));
    expect(routes).toHaveLength(2);
    for (const route of routes) {
      expect(route.Properties.GatewayId).toBeDefined();
      expect(route.Properties.RouteTableId.Ref).toMatch(/PublicSubnet/);
    }
  });

  test('the load balancer admits the port from anywhere and sends only to the tasks on the port', () => {
    const template = synth({ port: 8080 });

    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Internet-facing load balancer'),
      SecurityGroupIngress: [{ CidrIp: '0.0.0.0/0', Description: Match.anyValue(), FromPort: 8080, IpProtocol: 'tcp', ToPort: 8080 }],
      SecurityGroupEgress: Match.absent(),
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebLoadBalancerSecurityGroup'), 'GroupId'] },
      DestinationSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebServiceSecurityGroup'), 'GroupId'] },
      FromPort: 8080,
      ToPort: 8080,
    });
  });

  test('the tasks admit traffic only from the load balancer\'s security group', () => {
    const template = synth();

    expect(securityGroupProperties(template, '^Fargate tasks').SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress', {
      Properties: { GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebServiceSecurityGroup'), 'GroupId'] } },
    }));
    expect(ingress.map((rule) => rule.Properties)).toEqual([{
      IpProtocol: 'tcp',
      FromPort: 80,
      ToPort: 80,
      Description: 'Load balancer to target',
      GroupId: { 'Fn::GetAtt': [expect.stringMatching(/^WebServiceSecurityGroup/), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^WebLoadBalancerSecurityGroup/), 'GroupId'] },
    }]);
  });

  test('the tasks\' connections open a path to a database in one line', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    const database = new ec2.SecurityGroup(stack, 'Database', { vpc: web.vpc });

    web.connections.allowTo(database, ec2.Port.tcp(5432));

    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('Database'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebServiceSecurityGroup'), 'GroupId'] },
      FromPort: 5432,
    });
  });

  test('a user VPC with private subnets that have egress places the tasks there', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });

    new PrivateFargateBehindAlb(stack, 'Web', { vpc });

    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          Subnets: [{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('VpcPrivateSubnet2') }],
        }),
      },
    });
  });

  test('taskSubnets chooses the tasks\' subnets', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
        { name: 'Data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        { name: 'App', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      ],
    });

    new PrivateFargateBehindAlb(stack, 'Web', { vpc, taskSubnets: { subnetGroupName: 'App' } });

    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: {
        AwsvpcConfiguration: Match.objectLike({
          Subnets: [{ Ref: Match.stringLikeRegexp('VpcAppSubnet1') }, { Ref: Match.stringLikeRegexp('VpcAppSubnet2') }],
        }),
      },
    });
  });

  test('a given cluster is used and no cluster is created', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const cluster = new ecs.Cluster(stack, 'MyCluster', { vpc });

    const web = new PrivateFargateBehindAlb(stack, 'Web', { cluster });

    expect(web.vpc).toBe(vpc);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::Service', { Cluster: { Ref: Match.stringLikeRegexp('MyCluster') } });
  });

  // The mistake: one default cluster per stack, whatever the VPC: the second VPC's service would run in a cluster of the first VPC.
  test('two services on two VPCs of one stack get a cluster each, on their own VPC', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    const api = new PrivateFargateBehindAlb(stack, 'Api');

    expect(web.cluster.vpc).toBe(web.vpc);
    expect(api.cluster.vpc).toBe(api.vpc);
    expect(api.vpc).not.toBe(web.vpc);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ECS::Cluster', 2);
    const clusters = Object.values(template.findResources('AWS::ECS::Service')).map((service) => service.Properties.Cluster.Ref);
    expect(new Set(clusters).size).toBe(2);
  });

  test('services on one VPC in two stacks get a cluster in each stack', () => {
    const app = new App();
    const one = new Stack(app, 'One');
    const web = new PrivateFargateBehindAlb(one, 'Web');
    const two = new Stack(app, 'Two');

    const api = new PrivateFargateBehindAlb(two, 'Api', { vpc: web.vpc });

    expect(api.cluster).not.toBe(web.cluster);
    expect(api.cluster.vpc).toBe(web.vpc);
    Template.fromStack(two).resourceCountIs('AWS::ECS::Cluster', 1);
  });

  test('services on one VPC share one cluster with Container Insights', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    new PrivateFargateBehindAlb(stack, 'Api', { vpc: web.vpc, port: 8080 });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });
});

describe('the stack output of the URL', () => {
  const outputs = (props: { urlOutput?: boolean; port?: number } = {}) => {
    const stack = newStack();
    new PrivateFargateBehindAlb(stack, 'Web', props);
    new PrivateFargateBehindAlb(stack, 'Api', { port: 8080, vpc: (stack.node.findChild('Web') as PrivateFargateBehindAlb).vpc });
    return Template.fromStack(stack).toJSON().Outputs ?? {};
  };

  test('each service gives one output, Url, with its own URL, by default and when asked', () => {
    for (const props of [{}, { urlOutput: true }]) {
      const found = outputs(props);
      const web = Object.entries<any>(found).filter(([id]) => id.startsWith('WebUrl'));
      const api = Object.entries<any>(found).filter(([id]) => id.startsWith('ApiUrl'));
      expect([web.length, api.length]).toEqual([1, 1]);
      expect(web[0][1].Description).toBe('The URL of the service');
      expect(web[0][1].Value).toEqual({ 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [expect.stringMatching(/^WebLoadBalancer/), 'DNSName'] }]] });
      expect(JSON.stringify(api[0][1].Value)).toContain(':8080');
    }
  });

  test('urlOutput false leaves out that service\'s output, and only its', () => {
    const found = outputs({ urlOutput: false });
    expect(Object.keys(found).filter((id) => id.startsWith('WebUrl'))).toEqual([]);
    expect(Object.keys(found).filter((id) => id.startsWith('ApiUrl'))).toHaveLength(1);
  });
});

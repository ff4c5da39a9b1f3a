import * as path from 'path';
import { App, CfnParameter, Duration, Errors, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { PrivateFargateBehindAlb, PrivateFargateBehindAlbProps } from '../src';
import { refusalsOf, synthesized } from './helpers';

function build(props: PrivateFargateBehindAlbProps, stack = new Stack(new App(), 'TestStack')): Stack {
  new PrivateFargateBehindAlb(stack, 'Web', props);
  return stack;
}

describe('bad input is refused at synth with the prop, the value and what is allowed', () => {
  test.each([
    ['port: 0', { port: 0 }, 'port must be an integer from 1 to 65535; received 0', { port: 1 }],
    ['port: 65536', { port: 65536 }, 'port must be an integer from 1 to 65535; received 65536', { port: 65535 }],
    ['port: 80.5', { port: 80.5 }, 'port must be an integer from 1 to 65535; received 80.5', { port: 80 }],
    // From JavaScript, or past a type check: the message quotes the string it received.
    ['port: "3000" (a string)', { port: '3000' }, 'port must be an integer from 1 to 65535; received "3000"', { port: 3000 }],
    ['targetCpuUtilizationPercent: "50" (a string)', { targetCpuUtilizationPercent: '50' }, 'targetCpuUtilizationPercent must be greater than 0 and at most 100; received "50"', { targetCpuUtilizationPercent: 50 }],
    ['targetRequestsPerTarget: "100" (a string)', { targetRequestsPerTarget: '100' }, 'targetRequestsPerTarget must be greater than 0 (requests per target per minute); received "100"', { targetRequestsPerTarget: 100 }],
    ['alarmThresholds serverErrorPercent: "5" (a string)', { alarmThresholds: { serverErrorPercent: '5' } }, 'alarmThresholds serverErrorPercent must be greater than 0 and at most 100; received "5"', { alarmThresholds: { serverErrorPercent: 5 } }],
    ['alarmThresholds evaluationPeriods: "2" (a string)', { alarmThresholds: { evaluationPeriods: '2' } }, 'alarmThresholds evaluationPeriods must be an integer of at least 1; received "2"', { alarmThresholds: { evaluationPeriods: 2 } }],
    ['minCapacity: 4 with the default maxCapacity 3', { minCapacity: 4 }, 'minCapacity must not exceed maxCapacity; received minCapacity 4 and maxCapacity 3. Give a maxCapacity of at least 4, or a minCapacity of at most 3', { minCapacity: 4, maxCapacity: 4 }],
    ['cpu: 300', { cpu: 300 }, 'cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384; received 300', { cpu: 256 }],
    ['cpu: 512, memoryLimitMiB: 512', { cpu: 512, memoryLimitMiB: 512 }, 'memoryLimitMiB must be one of 1024 to 4096 in steps of 1024 when cpu is 512; received 512', { cpu: 512, memoryLimitMiB: 1024 }],
    ['cpu: 256, memoryLimitMiB: 4096', { cpu: 256, memoryLimitMiB: 4096 }, 'memoryLimitMiB must be one of 512, 1024, 2048 when cpu is 256; received 4096', { cpu: 256, memoryLimitMiB: 2048 }],
    ['minCapacity: 4, maxCapacity: 3', { minCapacity: 4, maxCapacity: 3 }, 'minCapacity must not exceed maxCapacity; received minCapacity 4 and maxCapacity 3. Give a maxCapacity of at least 4, or a minCapacity of at most 3', { minCapacity: 3, maxCapacity: 3 }],
    ['minCapacity: -1', { minCapacity: -1 }, 'minCapacity must be an integer of at least 0; received -1', { minCapacity: 0 }],
    ['maxCapacity: 0, minCapacity: 0', { maxCapacity: 0, minCapacity: 0 }, 'maxCapacity must be an integer of at least 1; received 0', { maxCapacity: 1, minCapacity: 0 }],
    ['targetCpuUtilizationPercent: 0', { targetCpuUtilizationPercent: 0 }, 'targetCpuUtilizationPercent must be greater than 0 and at most 100; received 0', { targetCpuUtilizationPercent: 0.1 }],
    ['targetCpuUtilizationPercent: 101', { targetCpuUtilizationPercent: 101 }, 'targetCpuUtilizationPercent must be greater than 0 and at most 100; received 101', { targetCpuUtilizationPercent: 100 }],
    ['healthCheckInterval: 4 seconds', { healthCheckInterval: Duration.seconds(4) }, 'healthCheckInterval must be a whole number of seconds from 5 to 300; received 4 seconds', { healthCheckInterval: Duration.seconds(5), healthCheckTimeout: Duration.seconds(4) }],
    ['healthCheckInterval: 6 minutes', { healthCheckInterval: Duration.minutes(6) }, 'healthCheckInterval must be a whole number of seconds from 5 to 300; received 360 seconds', { healthCheckInterval: Duration.minutes(5) }],
    ['healthCheckTimeout: 1 second', { healthCheckTimeout: Duration.seconds(1) }, 'healthCheckTimeout must be a whole number of seconds from 2 to 120; received 1 second', { healthCheckTimeout: Duration.seconds(2) }],
    [
      'healthCheckTimeout equal to healthCheckInterval',
      { healthCheckInterval: Duration.seconds(10), healthCheckTimeout: Duration.seconds(10) },
      'healthCheckTimeout must be less than healthCheckInterval; received healthCheckTimeout 10 seconds and healthCheckInterval 10 seconds. ' +
        'Give a healthCheckTimeout of at most 9 seconds, or a healthCheckInterval of at least 11 seconds',
      { healthCheckInterval: Duration.seconds(10), healthCheckTimeout: Duration.seconds(9) },
    ],
    ['healthyThresholdCount: 1', { healthyThresholdCount: 1 }, 'healthyThresholdCount must be an integer from 2 to 10; received 1', { healthyThresholdCount: 2 }],
    ['unhealthyThresholdCount: 11', { unhealthyThresholdCount: 11 }, 'unhealthyThresholdCount must be an integer from 2 to 10; received 11', { unhealthyThresholdCount: 10 }],
    ['deregistrationDelay: 3601 seconds', { deregistrationDelay: Duration.seconds(3601) }, 'deregistrationDelay must be a whole number of seconds from 0 to 3600; received 3601 seconds', { deregistrationDelay: Duration.seconds(3600) }],
    ['healthCheckPath: health', { healthCheckPath: 'health' }, 'healthCheckPath must start with "/"; received "health"', { healthCheckPath: '/health' }],
    ['environment PORT', { environment: { PORT: '9000' } }, 'environment must not set PORT (the construct sets it from port); received PORT=9000. Leave PORT out of environment, and give the port the container listens on as port', { port: 9000, environment: { GREETING: 'hello' } }],
  ])('%s is refused, naming the construct path; what the message allows synthesizes', (_, props, message, wayOut) => {
    // The refusal alone: nothing the construct made before it adds a message of its own.
    expect(refusalsOf(build(props as PrivateFargateBehindAlbProps))).toEqual([`[TestStack/Web] ${message}`]);
    expect(refusalsOf(build(wayOut as PrivateFargateBehindAlbProps))).toEqual([]);
  });

  const targetGroup = (properties: object) => ['AWS::ElasticLoadBalancingV2::TargetGroup', properties];
  const drain = (seconds: string) => targetGroup({ TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: seconds }]) });
  test.each([
    ['port: 1', { port: 1 }, ['AWS::ElasticLoadBalancingV2::Listener', { Port: 1 }]],
    ['port: 65535', { port: 65535 }, ['AWS::ElasticLoadBalancingV2::Listener', { Port: 65535 }]],
    ['minCapacity equal to maxCapacity', { minCapacity: 3, maxCapacity: 3 }, ['AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 3, MaxCapacity: 3 }]],
    ['minCapacity: 0', { minCapacity: 0 }, ['AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 0, MaxCapacity: 3 }]],
    ['targetCpuUtilizationPercent: 100', { targetCpuUtilizationPercent: 100 }, ['AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 100, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } },
    }]],
    ['healthCheckInterval: 5 and timeout 2 seconds', { healthCheckInterval: Duration.seconds(5), healthCheckTimeout: Duration.seconds(2) },
      targetGroup({ HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2 })],
    ['healthCheckInterval: 300 and timeout 120 seconds', { healthCheckInterval: Duration.seconds(300), healthCheckTimeout: Duration.seconds(120) },
      targetGroup({ HealthCheckIntervalSeconds: 300, HealthCheckTimeoutSeconds: 120 })],
    ['thresholds of 10', { healthyThresholdCount: 10, unhealthyThresholdCount: 10 }, targetGroup({ HealthyThresholdCount: 10, UnhealthyThresholdCount: 10 })],
    ['deregistrationDelay: 0 seconds', { deregistrationDelay: Duration.seconds(0) }, drain('0')],
    ['deregistrationDelay: 3600 seconds', { deregistrationDelay: Duration.seconds(3600) }, drain('3600')],
    ['cpu: 16384, memoryLimitMiB: 122880', { cpu: 16384, memoryLimitMiB: 122880 }, ['AWS::ECS::TaskDefinition', { Cpu: '16384', Memory: '122880' }]],
  ])('the boundary value %s is accepted and reaches the template', (_, props, [type, properties]) => {
    Template.fromStack(build(props as PrivateFargateBehindAlbProps)).hasResourceProperties(type as string, properties);
  });

  test('task subnets that select public subnets are refused', () => {
    expect(refusalsOf(build({ taskSubnets: { subnetType: ec2.SubnetType.PUBLIC } })))
      .toEqual(['[TestStack/Web] taskSubnets must select only private subnets; received a selection with public subnets: TestStack/Web/Vpc/PublicSubnet1, TestStack/Web/Vpc/PublicSubnet2. Give taskSubnets: { subnetType: PRIVATE_ISOLATED }']);
  });

  test('a public subnet of an imported VPC, selected by its id, is refused', () => {
    const stack = new Stack(new App(), 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-0123456789abcdef0',
      vpcCidrBlock: '172.16.0.0/16',
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      publicSubnetIds: ['subnet-pub1', 'subnet-pub2'],
      isolatedSubnetIds: ['subnet-iso1', 'subnet-iso2'],
    });
    const subnet = ec2.Subnet.fromSubnetAttributes(stack, 'Chosen', { subnetId: 'subnet-pub1', availabilityZone: 'us-east-1a' });

    expect(() => synthesized(build({ vpc, taskSubnets: { subnets: [subnet] } }, stack)))
      .toThrow('[TestStack/Web] taskSubnets must select only private subnets; received a selection with public subnets: TestStack/Chosen');
  });

  test('task subnets that select no subnet are refused', () => {
    expect(() => synthesized(build({ taskSubnets: { subnets: [] } })))
      .toThrow('[TestStack/Web] taskSubnets must select at least one private subnet (ECS refuses a service without subnets); received a selection with none');
  });

  test('a VPC with no private subnets is refused', () => {
    const stack = new Stack(new App(), 'TestStack');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, subnetConfiguration: [{ name: 'Public', subnetType: ec2.SubnetType.PUBLIC }] });

    expect(() => synthesized(build({ vpc }, stack)))
      .toThrow('[TestStack/Web] vpc must have private subnets (isolated or with egress) for the tasks; received the VPC TestStack/Vpc with none. Give a VPC with a private subnet in each of two availability zones');
  });

  test('a VPC with public subnets in one AZ is refused', () => {
    const stack = new Stack(new App(), 'TestStack');
    const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
      vpcId: 'vpc-1234',
      availabilityZones: ['eu-west-1a'],
      publicSubnetIds: ['subnet-public'],
      isolatedSubnetIds: ['subnet-isolated'],
    });

    expect(() => synthesized(build({ vpc }, stack))).toThrow(
      '[TestStack/Web] vpc must have public subnets in at least 2 availability zones for the internet-facing load balancer; received the VPC vpc-1234 ' +
      'with public subnets in 1. Give a VPC with a public subnet (one whose route table sends 0.0.0.0/0 to an internet gateway) in each of two availability zones, ' +
      'or internetFacing: false for an internal load balancer in the private subnets',
    );
  });

  test('a VPC with isolated subnets only is refused with the way out that works, internetFacing: false, which synthesizes an internal load balancer', () => {
    const vpcOf = (stack: Stack) => new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const refused = new Stack(new App(), 'TestStack');
    expect(() => synthesized(build({ vpc: vpcOf(refused) }, refused))).toThrow(
      '[TestStack/Web] vpc must have public subnets in at least 2 availability zones for the internet-facing load balancer; received the VPC TestStack/Vpc ' +
      'with public subnets in 0. Give a VPC with a public subnet (one whose route table sends 0.0.0.0/0 to an internet gateway) in each of two availability zones, ' +
      'or internetFacing: false for an internal load balancer in the private subnets',
    );

    const wayOut = new Stack(new App(), 'TestStack');
    const template = Template.fromStack(build({ vpc: vpcOf(wayOut), internetFacing: false }, wayOut));
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
  });

  test('a number given as a string is refused, and the number synthesizes', () => {
    const template = Template.fromStack(build({ port: 3000, targetCpuUtilizationPercent: 50 }));
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 3000 });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: 50 }),
    });
  });

  test('giving both vpc and cluster is refused', () => {
    const stack = new Stack(new App(), 'TestStack');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });

    expect(() => synthesized(build({ vpc, cluster }, stack))).toThrow('You can only specify either vpc or cluster');
  });
});

// The mistakes: a wrong bound or step in the table of one size (8 and 16 vCPU step by 4 and 8 GiB), or a size left out.
describe('refusals read as aws-cdk-lib\'s own: reported by the app\'s synthesis, at the construct path, with no frame of this library', () => {
  const SOURCE = path.join(__dirname, '..', 'src');
  const caught = (run: () => unknown): Error => {
    try {
      run();
    } catch (error) {
      return error as Error;
    }
    throw new Error('nothing was thrown');
  };

  test('constructing does not throw; the synthesis throws aws-cdk-lib\'s ValidationError, listing the refusal at the construct\'s path', () => {
    const stack = new Stack(new App(), 'MyService');
    // The mistake: a refusal thrown at construction, which reaches the user as a crash in this library's code.
    const web = new PrivateFargateBehindAlb(stack, 'Web', { port: 70000 });

    const error = caught(() => synthesized(web));
    expect(Errors.isValidationError(error)).toBe(true);
    expect(error.message).toBe('Validation failed with the following errors:\n  [MyService/Web] port must be an integer from 1 to 65535; received 70000');
    expect(error.stack).not.toContain(SOURCE);
  });

  test('a property of a refused construct, read before the synthesis, throws the refusal, its stack starting in the app', () => {
    const web = new PrivateFargateBehindAlb(new Stack(new App(), 'MyService'), 'Web', { port: 70000 });

    // The mistake: properties left undefined, so that the app fails on its own line with a TypeError that says nothing of the port.
    for (const read of [() => web.service, () => web.connections, () => web.loadBalancer, () => web.url, () => web.alternateTargetGroup]) {
      const error = caught(read);
      expect(error.message).toBe('[MyService/Web] port must be an integer from 1 to 65535; received 70000');
      expect(error.stack).not.toContain(SOURCE);
      expect(error.stack).toContain(__filename);
    }
  });

  test('a refused service reports its refusal alone, though what it made before would have been refused too', () => {
    // The image, from a public registry, is refused by a validation the task added before the front door refused port 443.
    const web = new PrivateFargateBehindAlb(new Stack(new App(), 'MyService'), 'Web', { port: 443, image: ecs.ContainerImage.fromRegistry('nginx') });

    expect(refusalsOf(web)).toEqual([expect.stringMatching(/^\[MyService\/Web\] port must not be 443 over HTTP; /)]);
    // The same image with a port it accepts: the image's refusal is the app's.
    const accepted = new PrivateFargateBehindAlb(new Stack(new App(), 'MyService'), 'Web', { port: 8443, image: ecs.ContainerImage.fromRegistry('nginx') });
    expect(refusalsOf(accepted)).toEqual([expect.stringMatching(/^\[MyService\/Web\] image must be pullable without internet access; received "nginx"/)]);
  });

  test('the refusals of two services are listed together, each at its path', () => {
    const stack = new Stack(new App(), 'MyService');
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    new PrivateFargateBehindAlb(stack, 'Api', { vpc: web.vpc, port: 0 });
    new PrivateFargateBehindAlb(stack, 'Admin', { vpc: web.vpc, port: 8080, cpu: 300 });

    expect(refusalsOf(stack)).toEqual([
      '[MyService/Api] port must be an integer from 1 to 65535; received 0',
      '[MyService/Admin] cpu must be one of 256, 512, 1024, 2048, 4096, 8192, 16384; received 300',
    ]);
  });
});

describe('refusals name props as the app\'s language writes them (jsii tells it in JSII_AGENT)', () => {
  const refusalIn = (agent: string | undefined, props: PrivateFargateBehindAlbProps, id = 'Web') => {
    const before = process.env.JSII_AGENT;
    if (agent === undefined) delete process.env.JSII_AGENT;
    else process.env.JSII_AGENT = agent;
    try {
      return refusalsOf(new PrivateFargateBehindAlb(new Stack(new App(), 'MyService'), id, props));
    } finally {
      if (before === undefined) delete process.env.JSII_AGENT;
      else process.env.JSII_AGENT = before;
    }
  };
  const timeout = { healthCheckInterval: Duration.seconds(10), healthCheckTimeout: Duration.seconds(10) };

  test.each([
    [undefined, 'healthCheckTimeout must be less than healthCheckInterval; received healthCheckTimeout 10 seconds and healthCheckInterval 10 seconds. ' +
      'Give a healthCheckTimeout of at most 9 seconds, or a healthCheckInterval of at least 11 seconds'],
    ['Java/17.0.13', 'healthCheckTimeout must be less than healthCheckInterval; received healthCheckTimeout 10 seconds and healthCheckInterval 10 seconds. ' +
      'Give a healthCheckTimeout of at most 9 seconds, or a healthCheckInterval of at least 11 seconds'],
    ['Python/3.11.9', 'health_check_timeout must be less than health_check_interval; received health_check_timeout 10 seconds and health_check_interval 10 seconds. ' +
      'Give a health_check_timeout of at most 9 seconds, or a health_check_interval of at least 11 seconds'],
    ['go1.26.0/linux/amd64', 'HealthCheckTimeout must be less than HealthCheckInterval; received HealthCheckTimeout 10 seconds and HealthCheckInterval 10 seconds. ' +
      'Give a HealthCheckTimeout of at most 9 seconds, or a HealthCheckInterval of at least 11 seconds'],
  ])('JSII_AGENT %s', (agent, message) => {
    expect(refusalIn(agent, timeout)).toEqual([`[MyService/Web] ${message}`]);
  });

  test('in Python, KiB, MiB and GiB are one word, as jsii writes them; quoted values and construct paths stay as the app wrote them', () => {
    expect(refusalIn('Python/3.11.9', { cpu: 256, memoryLimitMiB: 4096 }, 'myWeb')).toEqual(['[MyService/myWeb] memory_limit_mib must be one of 512, 1024, 2048 when cpu is 256; received 4096']);
    expect(refusalIn('Python/3.11.9', { healthCheckPath: 'healthCheck' })).toEqual(['[MyService/Web] health_check_path must start with "/"; received "healthCheck"']);
  });
});

describe('the Fargate task sizes, from 0.25 to 16 vCPU', () => {
  test.each([
    // cpu, the smallest and largest memory, the sizes as the message names them, sizes just outside or between
    [256, 512, 2048, 'one of 512, 1024, 2048', [256, 1536, 3072]],
    [512, 1024, 4096, 'one of 1024 to 4096 in steps of 1024', [512, 1536, 5120]],
    [1024, 2048, 8192, 'one of 2048 to 8192 in steps of 1024', [1024, 2560, 9216]],
    [2048, 4096, 16384, 'one of 4096 to 16384 in steps of 1024', [3072, 4608, 17408]],
    [4096, 8192, 30720, 'one of 8192 to 30720 in steps of 1024', [7168, 8704, 31744]],
    [8192, 16384, 61440, 'one of 16384 to 61440 in steps of 4096', [12288, 17408, 18432, 65536]],
    [16384, 32768, 122880, 'one of 32768 to 122880 in steps of 8192', [24576, 36864, 131072]],
  ])('cpu %i takes memory from %i to %i MiB in its steps, and nothing else', (cpu, min, max, sizes, refused) => {
    const template = (memoryLimitMiB: number) => Template.fromStack(build({ cpu, memoryLimitMiB }));
    for (const memory of [min, max]) {
      template(memory).hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: `${cpu}`, Memory: `${memory}` });
    }
    for (const memory of refused) {
      expect(() => template(memory)).toThrow(`[TestStack/Web] memoryLimitMiB must be ${sizes} when cpu is ${cpu}; received ${memory}`);
    }
  });

  test('a step inside the range of 8 and 16 vCPU is accepted', () => {
    Template.fromStack(build({ cpu: 8192, memoryLimitMiB: 20480 })).hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '8192', Memory: '20480' });
    Template.fromStack(build({ cpu: 16384, memoryLimitMiB: 40960 })).hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '16384', Memory: '40960' });
  });
});

describe('tokens are accepted and left unchecked', () => {
  test('CfnParameter values for port, capacities, CPU target and durations synthesize as Refs', () => {
    const stack = new Stack(new App(), 'TestStack');
    const number = (id: string) => new CfnParameter(stack, id, { type: 'Number' }).valueAsNumber;

    build({
      port: number('Port'),
      minCapacity: number('Min'),
      maxCapacity: number('Max'),
      targetCpuUtilizationPercent: number('CpuTarget'),
      healthyThresholdCount: number('Healthy'),
      deregistrationDelay: Duration.seconds(number('Drain')),
    }, stack);

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: { Ref: 'Min' }, MaxCapacity: { Ref: 'Max' } });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: { Ref: 'Port' },
      HealthyThresholdCount: { Ref: 'Healthy' },
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      TargetGroupAttributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: { Ref: 'Drain' } }],
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({ TargetValue: { Ref: 'CpuTarget' } }),
    });
  });

  test('a token on one side leaves the other concrete value unchecked against it: cpu and memory, capacities', () => {
    const stack = new Stack(new App(), 'TestStack');
    const number = (id: string) => new CfnParameter(stack, id, { type: 'Number' }).valueAsNumber;

    build({ cpu: number('Cpu'), memoryLimitMiB: 512, minCapacity: 2, maxCapacity: number('Max') }, stack);
    new PrivateFargateBehindAlb(stack, 'Api', { port: 8080, cpu: 256, memoryLimitMiB: number('Memory') });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: { Ref: 'Cpu' }, Memory: '512' });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '256', Memory: { Ref: 'Memory' } });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: 2, MaxCapacity: { Ref: 'Max' } });
  });

  test('a refused duration of one second reads in the singular', () => {
    expect(() => synthesized(build({ healthCheckTimeout: Duration.seconds(1) }))).toThrow(/received 1 second$/);
  });
});

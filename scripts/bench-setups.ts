/**
 * The setups the benchmark compares, shared by scripts/bench.ts (in process) and scripts/bench-app.ts
 * (the app the cdk CLI synthesizes): N services of PrivateFargateBehindAlb on one VPC, and the
 * aws-ecs-patterns peer set up to do the same job.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as library from '../src';

// A private ECR image (tasks without internet access can pull nothing else); a plain name keeps
// asset hashing out of the synth times.
export const image = ecs.ContainerImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/nginx:1.27-alpine');

/** How the construct's services are built: on a load balancer each or one shared, with which deployment. */
export interface ConstructSetup {
  readonly shareLoadBalancer?: boolean;
  /** `rolling` for `Deployment.rolling()`; the default (a canary) otherwise. */
  readonly rolling?: boolean;
  /** false for `deploymentAlarms: false`. */
  readonly alarms?: boolean;
  /** true for a smoke test of one request on every service (`SmokeTest.http({ path: '/health' })`). */
  readonly smokeTest?: boolean;
}

/** N services of the construct on one VPC: the first makes the VPC (and the load balancer, when shared). */
export function buildConstruct(lib: typeof library, stack: Stack, count: number, setup: ConstructSetup = {}): void {
  const deployment = setup.rolling ? lib.Deployment.rolling() : undefined;
  const deploymentAlarms = setup.alarms;
  const smokeTest = setup.smokeTest ? lib.SmokeTest.http({ path: '/health' }) : undefined;
  const first = new lib.PrivateFargateBehindAlb(stack, 'Service0', { image, deployment, deploymentAlarms, smokeTest });
  for (let i = 1; i < count; i++) {
    new lib.PrivateFargateBehindAlb(stack, `Service${i}`, {
      image,
      deployment,
      deploymentAlarms,
      smokeTest,
      port: 8000 + i,
      ...(setup.shareLoadBalancer ? { loadBalancer: first.loadBalancer } : { vpc: first.vpc }),
    });
  }
}

/**
 * What a user writes with aws-ecs-patterns for the same job: isolated subnets, the four endpoints
 * added by hand, CPU autoscaling 1 to 3 and, when `alarms`, the construct's three deployment alarms
 * (the share of 5xx answers, unhealthy targets, the 95th percentile of the response time, with the
 * construct's default thresholds) rolling a deployment back; when `canary`, the canary the construct
 * deploys with by default, added by hand (see addPeerCanary), and the alarms reading both of its target
 * groups (see addPeerAlarms).
 */
export function buildPeer(stack: Stack, count: number, alarms: boolean, canary = false): void {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const endpointSecurityGroup = new ec2.SecurityGroup(stack, 'EndpointSecurityGroup', { vpc, allowAllOutbound: false });
  for (const [id, service] of [
    ['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR],
    ['EcrDkr', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
    ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
  ] as const) {
    vpc.addInterfaceEndpoint(id, { service, securityGroups: [endpointSecurityGroup], open: false });
  }
  const s3 = vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  s3.addToPolicy(new iam.PolicyStatement({
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:GetObject'],
    resources: [`arn:aws:s3:::prod-${stack.region}-starport-layer-bucket/*`],
  }));
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  for (let i = 0; i < count; i++) {
    const port = i === 0 ? 80 : 8000 + i;
    const service = new ecsPatterns.ApplicationLoadBalancedFargateService(stack, `Service${i}`, {
      cluster,
      taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      listenerPort: port,
      taskImageOptions: { image, containerPort: port },
      minHealthyPercent: 100,
    });
    endpointSecurityGroup.connections.allowFrom(service.service, ec2.Port.tcp(443));
    service.service.autoScaleTaskCount({ minCapacity: 1, maxCapacity: 3 }).scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 50 });
    const alternate = canary ? addPeerCanary(service, port, ecsRole(stack)) : undefined;
    if (alarms) addPeerAlarms(service, alternate);
  }
}

/**
 * The role ECS moves a service's traffic with, one per stack, as AWS documents it: the managed policy
 * AmazonECSInfrastructureRolePolicyForLoadBalancers, assumed by ECS.
 */
function ecsRole(stack: Stack): iam.IRole {
  const existing = stack.node.tryFindChild('EcsLoadBalancersRole') as iam.IRole | undefined;
  return existing ?? new iam.Role(stack, 'EcsLoadBalancersRole', {
    assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonECSInfrastructureRolePolicyForLoadBalancers')],
  });
}

/**
 * What a user adds by hand to the peer for the construct's default deployment, a canary with rollback:
 * an alternate target group, a production rule forwarding to both with weights ECS moves, and the
 * canary settings and the load balancer's advanced configuration through escape hatches (the pattern
 * exposes neither).
 */
function addPeerCanary(service: ecsPatterns.ApplicationLoadBalancedFargateService, port: number, role: iam.IRole): elbv2.ApplicationTargetGroup {
  const alternate = new elbv2.ApplicationTargetGroup(service, 'AlternateTargetGroup', {
    vpc: service.cluster.vpc,
    port,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.IP,
  });
  const rule = new elbv2.ApplicationListenerRule(service, 'ProductionRule', {
    listener: service.listener,
    priority: 1,
    conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
    action: elbv2.ListenerAction.weightedForward([{ targetGroup: service.targetGroup, weight: 100 }, { targetGroup: alternate, weight: 0 }]),
  });
  const resource = service.service.node.defaultChild as ecs.CfnService;
  resource.addPropertyOverride('DeploymentConfiguration.Strategy', 'CANARY');
  resource.addPropertyOverride('DeploymentConfiguration.BakeTimeInMinutes', 5);
  resource.addPropertyOverride('DeploymentConfiguration.CanaryConfiguration', { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 });
  resource.addPropertyOverride('LoadBalancers.0.AdvancedConfiguration', {
    AlternateTargetGroupArn: alternate.targetGroupArn,
    ProductionListenerRule: rule.listenerRuleArn,
    RoleArn: role.roleArn,
  });
  return alternate;
}

/**
 * The construct's three alarms, written by hand for the peer: the load balancer's and the target
 * groups' full names from their attributes (the leanest template; `targetGroup.metrics` would derive
 * the load balancer's from the listener's ARN), and the service's deployment alarms rolling back.
 * With a canary, each alarm reads both target groups, as the worst of the two: ECS swaps the groups'
 * roles on each deployment, so the new revision's tasks are in one group on one deployment and in the
 * other on the next, and an alarm on one group would miss the canary every other time, and with it the
 * rollback the canary is for. The rolling peer has one group, and its alarms read it.
 */
function addPeerAlarms(service: ecsPatterns.ApplicationLoadBalancedFargateService, alternate?: elbv2.ApplicationTargetGroup): void {
  const period = Duration.minutes(1);
  const groups = alternate ? [service.targetGroup, alternate] : [service.targetGroup];
  const metric = (metricName: string, statistic: string, group: elbv2.ApplicationTargetGroup) => new cloudwatch.Metric({
    namespace: 'AWS/ApplicationELB',
    metricName,
    dimensionsMap: { LoadBalancer: service.loadBalancer.loadBalancerFullName, TargetGroup: group.targetGroupFullName },
    statistic,
    period,
  });
  /** One group's signal, or the worst of both groups' as one metric. */
  const worst = (label: string, ofGroup: (group: elbv2.ApplicationTargetGroup, suffix: string) => cloudwatch.IMetric): cloudwatch.IMetric =>
    groups.length === 1 ? ofGroup(groups[0], '') : new cloudwatch.MathExpression({
      expression: `MAX([${groups.map((_, i) => `group${i}`).join(', ')}])`,
      usingMetrics: Object.fromEntries(groups.map((group, i) => [`group${i}`, ofGroup(group, String(i))])),
      label,
      period,
    });
  const where = groups.length === 1 ? 'the target group' : 'either target group';
  const common = { evaluationPeriods: 2, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING };
  const alarms = [
    new cloudwatch.Alarm(service, 'ServerErrorsAlarm', {
      ...common,
      alarmDescription: `More than 5 % of the requests to ${where} answered 5xx by the targets`,
      metric: worst('5xx percent', (group, suffix) => new cloudwatch.MathExpression({
        expression: `100 * FILL(errors${suffix}, 0) / requests${suffix}`,
        usingMetrics: {
          [`errors${suffix}`]: metric('HTTPCode_Target_5XX_Count', 'Sum', group),
          [`requests${suffix}`]: metric('RequestCount', 'Sum', group),
        },
        ...(groups.length === 1 ? { label: '5xx percent' } : {}),
        period,
      })),
      threshold: 5,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }),
    new cloudwatch.Alarm(service, 'UnhealthyTargetsAlarm', {
      ...common,
      alarmDescription: `Unhealthy targets in ${where}`,
      metric: worst('Unhealthy targets', (group) => metric('UnHealthyHostCount', 'Maximum', group)),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    }),
    new cloudwatch.Alarm(service, 'ResponseTimeAlarm', {
      ...common,
      alarmDescription: `The 95th percentile of the response time of ${where} above 2 seconds`,
      metric: worst('p95 response time', (group) => metric('TargetResponseTime', 'p95', group)),
      threshold: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    }),
  ];
  service.service.enableDeploymentAlarms(alarms.map((alarm) => alarm.alarmName), { behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM });
}

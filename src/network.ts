import { RemovalPolicy, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { completeEndpointsAtSynth } from './endpoint-needs';
import { endpointsOf, FargateVpcEndpoints, homeIsStableFor } from './fargate-vpc-endpoints';
import { fail } from './validation';
import { allowHttpsToGateway, describeVpc, ownVpcs, privateSubnetsOf, sameVpc } from './vpc';

/*
 * The network of a service: the VPC (a new one with no NAT, or the user's), the private subnets of
 * the tasks, the VPC endpoints they need there (one set per VPC in the app, with one stable home),
 * and the tasks' security group with its egress.
 */

/** What the network reads from the construct's props. */
export interface NetworkProps {
  readonly vpc?: ec2.IVpc;
  readonly cluster?: ecs.ICluster;
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  readonly taskSubnets?: ec2.SubnetSelection;
  readonly vpcEndpoints?: boolean;
  readonly endpointSecurityGroup?: ec2.ISecurityGroup;
  readonly endpointsForGrantedServices?: boolean;
  readonly allowAllOutbound?: boolean;
  readonly internetFacing?: boolean;
  readonly enableExecuteCommand?: boolean;
}

/** The network built for one service. */
export interface Network {
  readonly vpc: ec2.IVpc;
  readonly taskSubnets: ec2.SubnetSelection;
  /** Whether the task subnets route to the internet through a NAT: then no endpoint is needed. */
  readonly tasksHaveEgress: boolean;
  /** The VPC's endpoints, where the construct manages them. */
  readonly endpoints?: FargateVpcEndpoints;
  readonly tasksSecurityGroup: ec2.SecurityGroup;
}

/** Validates the network props and builds the VPC (when none is given), the tasks' security group and its egress. */
export function buildNetwork(scope: Construct, props: NetworkProps): Network {
  validateExclusiveNetworkProps(scope, props);
  const vpc = props.cluster?.vpc ?? props.vpc ?? props.loadBalancer?.vpc ?? newVpc(scope);
  validateVpcShape(scope, vpc, (props.internetFacing ?? true) && !props.loadBalancer);
  const taskSubnets = props.taskSubnets ?? defaultTaskSubnets(scope, vpc);
  validateTaskSubnetsArePrivate(scope, vpc, taskSubnets);
  const tasksHaveEgress = subnetsHaveEgress(vpc, taskSubnets);
  const endpoints = (props.vpcEndpoints ?? true) && !props.endpointSecurityGroup && !tasksHaveEgress
    ? FargateVpcEndpoints.of(vpc)
    : undefined;
  if (endpoints) {
    validateEndpointsReachable(scope, endpoints);
    validateEndpointsHome(scope, endpoints, vpc);
  }

  const tasksSecurityGroup = new ec2.SecurityGroup(scope, 'ServiceSecurityGroup', {
    vpc,
    description: 'Fargate tasks: the service port from the load balancer only',
    allowAllOutbound: props.allowAllOutbound ?? false,
  });
  const endpointSecurityGroup = props.endpointSecurityGroup ?? endpoints?.securityGroup;
  if (endpointSecurityGroup) {
    tasksSecurityGroup.addEgressRule(endpointSecurityGroup, ec2.Port.tcp(443), 'HTTPS to the VPC endpoints');
    allowHttpsToGateway(scope, tasksSecurityGroup, 's3');
  } else {
    // Through a NAT gateway, or to endpoints whose security group the construct does not know.
    tasksSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs');
  }
  if (props.endpointSecurityGroup) {
    props.endpointSecurityGroup.addIngressRule(tasksSecurityGroup, ec2.Port.tcp(443), 'HTTPS to the VPC endpoints from the Fargate tasks');
  }
  return { vpc, taskSubnets, tasksHaveEgress, endpoints, tasksSecurityGroup };
}

/**
 * Lets the service's tasks into the VPC's endpoints, orders the service after them, and completes
 * them when the app synthesizes from what the task definition ended up using.
 */
export function connectToEndpoints(scope: Construct, network: Network, service: ecs.FargateService, props: NetworkProps): void {
  const { endpoints } = network;
  if (endpoints) {
    endpoints.allowFrom(service);
    // Every endpoint the tasks need exists before the first task starts. The service resource alone
    // waits: its scaling follows it by reference, and a dependency of the whole construct would be
    // written again on each of its scalable target and policies.
    (service.node.defaultChild as ecs.CfnService).node.addDependency(endpointsOf(endpoints));
  }
  completeEndpointsAtSynth(scope, {
    taskDefinition: service.taskDefinition,
    cluster: service.cluster,
    tasksSecurityGroup: network.tasksSecurityGroup,
    endpoints,
    forTaskRole: props.endpointsForGrantedServices ?? true,
    executeCommand: props.enableExecuteCommand ?? false,
    tasksHaveEgress: network.tasksHaveEgress,
  });
}

/**
 * The default network: a VPC like the source design's, with no NAT gateway, and a flow log of
 * rejected traffic.
 */
function newVpc(scope: Construct): ec2.Vpc {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      // The load balancer has addresses of its own: nothing in these subnets is given a public IP by launching.
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  const flowLogs = new logs.LogGroup(scope, 'FlowLogs', {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  // The flow log as two resources: a role whose only policy is inline, so that the flow log can write
  // as soon as the role exists (aws-cdk-lib's FlowLog writes the policy as a third resource, which the
  // flow log does not wait for).
  const role = new iam.CfnRole(vpc, 'FlowLogRole', {
    assumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'vpc-flow-logs.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    },
    policies: [{
      policyName: 'WriteFlowLogs',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: flowLogs.logGroupArn,
        }],
      },
    }],
  });
  new ec2.CfnFlowLog(vpc, 'FlowLog', {
    resourceId: vpc.vpcId,
    resourceType: 'VPC',
    trafficType: 'REJECT',
    logDestinationType: 'cloud-watch-logs',
    logGroupName: flowLogs.logGroupName,
    deliverLogsPermissionArn: role.attrArn,
  });
  acknowledgeInPacks(flowLogs, 'CloudWatchLogGroupEncrypted',
    'CloudWatch Logs encrypts every log group at rest; a customer-managed KMS key would add a key, its monthly cost and a key policy for ' +
    'the logs service to every stack. The flow log records rejected connections (addresses and ports), no payload.');
  acknowledgeInPacks(role, 'IAMNoInlinePolicy',
    'The flow log\'s role has its one policy inline, so that the flow log can write as soon as the role exists: a policy resource beside ' +
    'it is created after the role, and the flow log does not wait for it.');
  acknowledgeInPacks(vpc.node.defaultChild!, 'VPCDefaultSecurityGroupClosed',
    'Nothing the construct makes uses the VPC\'s default security group: the load balancer, the tasks, the endpoints and the listener-rule ' +
    'function each have their own. Removing its rules takes aws-cdk-lib\'s restrictDefaultSecurityGroup, a custom resource with a Lambda ' +
    'function and a role of its own in every stack.');
  for (const subnet of vpc.publicSubnets) {
    acknowledgeInPacks(subnet.node.findChild('DefaultRoute'), 'VPCNoUnrestrictedRouteToIGW',
      'The public subnets are for an internet-facing load balancer, which answers its clients through this route; the construct puts ' +
      'nothing else in them, and the tasks are in isolated subnets, with no route to the internet.');
  }
  ownVpcs.add(vpc);
  return vpc;
}

/**
 * The task subnets when none are given: the VPC's private subnets. A VPC with both isolated subnets
 * and subnets with egress is refused: which one the tasks use decides whether endpoints with private
 * DNS are added to the VPC, which changes DNS for every workload in it.
 */
function defaultTaskSubnets(scope: IConstruct, vpc: ec2.IVpc): ec2.SubnetSelection {
  // While a Vpc.fromLookup is pending, aws-cdk-lib gives a placeholder VPC with every kind of subnet; the
  // CLI then looks the VPC up and synthesizes again, and the real VPC is checked on that pass.
  const pendingLookup = vpc.vpcId === 'vpc-12345';
  if (vpc.isolatedSubnets.length > 0 && vpc.privateSubnets.length > 0 && !pendingLookup) {
    fail(scope,
      `taskSubnets must be given for ${describeVpc(vpc)}, which has both isolated subnets and private subnets with egress; received none. ` +
      'Give taskSubnets: { subnetType: PRIVATE_WITH_EGRESS } to run the tasks behind the NAT (no VPC endpoint is added), or ' +
      'taskSubnets: { subnetType: PRIVATE_ISOLATED } to run them with no route to the internet (interface endpoints with private DNS ' +
      'are added to the VPC, and its other workloads then reach those AWS services through them)');
  }
  return privateSubnetsOf(vpc);
}

/**
 * Whether every subnet of the selection (never empty: validation refuses that) routes to the
 * internet through a NAT (a private subnet with egress): the tasks then reach AWS without endpoints.
 */
function subnetsHaveEgress(vpc: ec2.IVpc, selection: ec2.SubnetSelection): boolean {
  const withEgress = new Set(vpc.privateSubnets.map((subnet) => subnet.subnetId));
  const isolated = new Set(vpc.isolatedSubnets.map((subnet) => subnet.subnetId));
  const chosen = vpc.selectSubnets(selection).subnets;
  return chosen.every((subnet) => withEgress.has(subnet.subnetId) && !isolated.has(subnet.subnetId));
}

/** Refuses props that exclude each other given together, or that disagree on the VPC. */
function validateExclusiveNetworkProps(scope: IConstruct, props: NetworkProps): void {
  if (props.vpc && props.cluster) {
    fail(scope, 'You can only specify either vpc or cluster. Alternatively, you can leave both blank');
  }
  if (props.loadBalancer && !props.loadBalancer.vpc) {
    fail(scope, 'loadBalancer must be an Application Load Balancer with a known VPC; received one whose vpc is undefined. Import it with its VPC');
  }
  const vpc = props.vpc ?? props.cluster?.vpc;
  if (props.loadBalancer?.vpc && vpc && !sameVpc(props.loadBalancer.vpc, vpc)) {
    fail(scope, `${props.vpc ? 'vpc must be' : 'cluster must be in'} the loadBalancer's VPC; received ${describeVpc(vpc)} and a load balancer in ` +
      `${describeVpc(props.loadBalancer.vpc)}. ${props.vpc ? 'Leave vpc out (the service then runs in the loadBalancer\'s VPC), or give that VPC' : 'Give a cluster of that VPC, or leave cluster out'}`);
  }
  if (props.endpointSecurityGroup && props.vpcEndpoints !== undefined) {
    fail(scope, 'You can only specify either endpointSecurityGroup or vpcEndpoints: with endpointSecurityGroup the construct uses the VPC\'s endpoints and creates none');
  }
}

/** Refuses unless the VPC has private subnets and, for an internet-facing load balancer, public subnets in two AZs or more. */
function validateVpcShape(scope: IConstruct, vpc: ec2.IVpc, internetFacing: boolean): void {
  const privateCount = vpc.isolatedSubnets.length + vpc.privateSubnets.length;
  if (privateCount === 0) {
    fail(scope, `vpc must have private subnets (isolated or with egress) for the tasks; received ${describeVpc(vpc)} with none. Give a VPC with a private subnet in each of two availability zones`);
  }
  const publicAzs = new Set(vpc.publicSubnets.map((subnet) => subnet.availabilityZone));
  const privateAzs = new Set([...vpc.isolatedSubnets, ...vpc.privateSubnets].map((subnet) => subnet.availabilityZone));
  if (!internetFacing && privateAzs.size < 2) {
    fail(scope,
      `vpc must have private subnets in at least 2 availability zones for the internal load balancer; received ${describeVpc(vpc)} ` +
      `with private subnets in ${privateAzs.size}. Give a VPC with a private subnet in each of two availability zones`,
    );
  }
  if (internetFacing && publicAzs.size < 2) {
    fail(scope,
      `vpc must have public subnets in at least 2 availability zones for the internet-facing load balancer; received ${describeVpc(vpc)} ` +
      `with public subnets in ${publicAzs.size}. Give a VPC with a public subnet (one whose route table sends 0.0.0.0/0 to an internet gateway) in each of two availability zones, ` +
      'or internetFacing: false for an internal load balancer in the private subnets',
    );
  }
}

/** The task subnets that select the VPC's private subnets, as a refusal suggests them. */
function privateSelectionsOf(vpc: ec2.IVpc): string {
  const types = [vpc.isolatedSubnets.length > 0 ? 'PRIVATE_ISOLATED' : undefined, vpc.privateSubnets.length > 0 ? 'PRIVATE_WITH_EGRESS' : undefined];
  return types.filter((type) => type !== undefined).map((type) => `taskSubnets: { subnetType: ${type} }`).join(', or ');
}

/** Refuses task subnets that are none or include a public subnet. */
function validateTaskSubnetsArePrivate(scope: IConstruct, vpc: ec2.IVpc, taskSubnets: ec2.SubnetSelection): void {
  const chosen = vpc.selectSubnets(taskSubnets).subnets;
  if (chosen.length === 0) {
    fail(scope, 'taskSubnets must select at least one private subnet (ECS refuses a service without subnets); received a selection with none. ' +
      `Give ${privateSelectionsOf(vpc)}`);
  }
  const publicIds = new Set(vpc.publicSubnets.map((subnet) => subnet.subnetId));
  const chosenPublic = chosen.filter(
    (subnet) => vpc.publicSubnets.includes(subnet) || publicIds.has(subnet.subnetId),
  );
  if (chosenPublic.length > 0) {
    const names = chosenPublic.map((subnet) => subnet.node.path).join(', ');
    fail(scope, `taskSubnets must select only private subnets; received a selection with public subnets: ${names}. Give ${privateSelectionsOf(vpc)}`);
  }
}

/**
 * Refuses when the VPC's endpoints have no stable home: the set `FargateVpcEndpoints.of()` made lives
 * under the VPC object of the first service, and this service uses another object of the same VPC id
 * (another import of it). When the first one goes, the set would be created again under this one
 * while the old set still holds the private DNS names, which fails at deploy.
 */
function validateEndpointsHome(scope: IConstruct, endpoints: FargateVpcEndpoints, vpc: ec2.IVpc): void {
  if (homeIsStableFor(endpoints, vpc)) return;
  fail(scope,
    `vpc: ${describeVpc(vpc)} is imported more than once (${endpoints.vpc.node.path} and ${vpc.node.path}), and its endpoints, made for the first ` +
    `import in the stack ${Stack.of(endpoints).stackName}, would move to another stack when the services of that import go: a second set of ` +
    'endpoints fails at deploy, since private DNS names are unique in a VPC. Give the set one home that outlives the services: ' +
    'a FargateVpcEndpoints made for the VPC in the stack that owns the network, before the services (each service on that VPC id then uses it), or import the ' +
    'VPC once and give that object to every service, or give endpointSecurityGroup (endpoints made outside this app)');
}

/**
 * Refuses when this construct's stack cannot reference the VPC's endpoints, created by another stack of
 * the app for the same VPC: a stack of another stage or environment cannot import their security group.
 */
function validateEndpointsReachable(scope: IConstruct, endpoints: FargateVpcEndpoints): void {
  const ours = Stack.of(scope);
  const theirs = Stack.of(endpoints);
  if (Stage.of(ours) === Stage.of(theirs) && ours.environment === theirs.environment) return;
  fail(scope,
    `vpcEndpoints: ${describeVpc(endpoints.vpc)} already has its endpoints in the stack ${theirs.stackName} (${endpoints.node.path}), ` +
    `which the stack ${ours.stackName} cannot reference (another stage or environment), and a second set fails at deploy. ` +
    'Set endpointSecurityGroup to the security group of those endpoints (imported by id), or create these services in one stage and environment, ' +
    'with one VPC object',
  );
}

/** Acknowledges one rule of the NIST 800-53 rev 5, HIPAA Security and PCI DSS 3.2.1 packs on exactly `construct`, with its reason. */
function acknowledgeInPacks(construct: IConstruct, rule: string, reason: string): void {
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) Validations.of(construct).acknowledge({ id: `${pack}-${rule}`, reason });
}

/**
 * The configurations the scanners check, each built with PrivateFargateBehindAlb and with the
 * aws-ecs-patterns peer set up the same way. Shared by the cdk-nag tests and `npx projen scan`.
 */
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { IConstruct } from 'constructs';
import { Deployment, FargateVpcEndpoints, PrivateFargateBehindAlb, SmokeTest } from '../src';

export interface Configuration {
  /** A short name, used in file names and tables. */
  readonly name: string;
  /** Whether the stack has a concrete account and region. */
  readonly concreteEnv?: boolean;
  /** Builds the configuration with PrivateFargateBehindAlb. */
  readonly construct: (stack: Stack) => void;
  /** Builds the same configuration with ApplicationLoadBalancedFargateService. */
  readonly peer: (stack: Stack) => void;
}

const image = () => ecs.ContainerImage.fromAsset(path.join(__dirname, '..', 'assets', 'default-image'));

/** What the configurations make for the user (a VPC, roles): their own findings count for neither side. */
const madeForTheUser = new WeakSet<IConstruct>();

/**
 * Whether a construct is part of what a configuration makes for the user rather than of the construct or the peer:
 * the user's VPC (but not the endpoints the construct adds to it) and the roles given to the construct.
 */
export function isTheUsers(construct: IConstruct): boolean {
  const scopes = construct.node.scopes;
  return scopes.some((scope) => madeForTheUser.has(scope)) && !scopes.some((scope) => scope instanceof FargateVpcEndpoints);
}

/** A user's VPC, with a flow log so that its own findings do not count against either side. */
function userVpc(stack: Stack, subnetType: ec2.SubnetType): ec2.Vpc {
  const vpc = new ec2.Vpc(stack, 'UserVpc', {
    maxAzs: 2,
    natGateways: subnetType === ec2.SubnetType.PRIVATE_WITH_EGRESS ? 1 : 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType },
    ],
  });
  vpc.addFlowLog('FlowLog');
  madeForTheUser.add(vpc);
  return vpc;
}

function secrets(stack: Stack): Record<string, ecs.Secret> {
  return {
    DB_PASSWORD: ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(stack, 'DbPassword', 'prod/db-password')),
    API_KEY: ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(stack, 'ApiKey', { parameterName: '/prod/api-key' })),
  };
}

function certificate(stack: Stack): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000');
}

/** ARM64 with one task on demand and the rest on Spot, and every container option. */
const SPOT_WITH_ONE_ON_DEMAND: ecs.CapacityProviderStrategy[] = [
  { capacityProvider: 'FARGATE', base: 1, weight: 0 },
  { capacityProvider: 'FARGATE_SPOT', weight: 1 },
];
const CONTAINER_HEALTH_CHECK: ecs.HealthCheck = {
  command: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost:$PORT/ || exit 1'],
  interval: Duration.seconds(15),
  startPeriod: Duration.seconds(10),
};
const taskRoles = (stack: Stack) => {
  const assumedBy = new iam.ServicePrincipal('ecs-tasks.amazonaws.com');
  const roles = { taskRole: new iam.Role(stack, 'TaskRole', { assumedBy }), executionRole: new iam.Role(stack, 'ExecutionRole', { assumedBy }) };
  madeForTheUser.add(roles.taskRole).add(roles.executionRole);
  return roles;
};

type PeerProps = ecsPatterns.ApplicationLoadBalancedFargateServiceProps;
const peer = (stack: Stack, id: string, props: Omit<PeerProps, 'taskImageOptions'> & { containerPort?: number; secrets?: Record<string, ecs.Secret> } = {}) => {
  const { containerPort, secrets: peerSecrets, ...rest } = props;
  return new ecsPatterns.ApplicationLoadBalancedFargateService(stack, id, {
    ...rest,
    taskImageOptions: { image: image(), containerPort, secrets: peerSecrets },
  });
};

export const CONFIGURATIONS: Configuration[] = [
  {
    name: 'defaults',
    construct: (stack) => { new PrivateFargateBehindAlb(stack, 'Web'); },
    peer: (stack) => { peer(stack, 'Web'); },
  },
  {
    name: 'port-8080',
    construct: (stack) => { new PrivateFargateBehindAlb(stack, 'Web', { port: 8080 }); },
    peer: (stack) => { peer(stack, 'Web', { listenerPort: 8080, containerPort: 8080 }); },
  },
  {
    name: 'concrete-region',
    concreteEnv: true,
    construct: (stack) => { new PrivateFargateBehindAlb(stack, 'Web'); },
    peer: (stack) => { peer(stack, 'Web'); },
  },
  {
    name: 'user-vpc-with-egress',
    construct: (stack) => { new PrivateFargateBehindAlb(stack, 'Web', { vpc: userVpc(stack, ec2.SubnetType.PRIVATE_WITH_EGRESS) }); },
    peer: (stack) => { peer(stack, 'Web', { vpc: userVpc(stack, ec2.SubnetType.PRIVATE_WITH_EGRESS) }); },
  },
  {
    name: 'user-vpc-without-endpoints',
    construct: (stack) => {
      new PrivateFargateBehindAlb(stack, 'Web', { vpc: userVpc(stack, ec2.SubnetType.PRIVATE_ISOLATED), vpcEndpoints: false });
    },
    peer: (stack) => {
      peer(stack, 'Web', { vpc: userVpc(stack, ec2.SubnetType.PRIVATE_ISOLATED), taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    },
  },
  {
    name: 'user-vpc-isolated',
    construct: (stack) => { new PrivateFargateBehindAlb(stack, 'Web', { vpc: userVpc(stack, ec2.SubnetType.PRIVATE_ISOLATED) }); },
    peer: (stack) => {
      peer(stack, 'Web', { vpc: userVpc(stack, ec2.SubnetType.PRIVATE_ISOLATED), taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } });
    },
  },
  {
    name: 'https',
    construct: (stack) => { new PrivateFargateBehindAlb(stack, 'Web', { certificate: certificate(stack) }); },
    peer: (stack) => {
      peer(stack, 'Web', {
        certificate: certificate(stack),
        protocol: elbv2.ApplicationProtocol.HTTPS,
        redirectHTTP: true,
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      });
    },
  },
  {
    name: 'two-services',
    construct: (stack) => {
      const web = new PrivateFargateBehindAlb(stack, 'Web');
      new PrivateFargateBehindAlb(stack, 'Api', { vpc: web.vpc, port: 8080 });
    },
    peer: (stack) => {
      const web = peer(stack, 'Web');
      peer(stack, 'Api', { vpc: web.cluster.vpc, listenerPort: 8080, containerPort: 8080 });
    },
  },
  {
    name: 'secrets',
    construct: (stack) => { new PrivateFargateBehindAlb(stack, 'Web', { secrets: secrets(stack) }); },
    peer: (stack) => { peer(stack, 'Web', { secrets: secrets(stack) }); },
  },
  // The default deployment is a canary; the other strategies, and traffic shifting on a shared load
  // balancer. aws-ecs-patterns offers no traffic shifting ready-made: its side is its rolling default.
  {
    name: 'rolling',
    construct: (stack) => { new PrivateFargateBehindAlb(stack, 'Web', { deployment: Deployment.rolling() }); },
    peer: (stack) => { peer(stack, 'Web'); },
  },
  {
    name: 'linear',
    construct: (stack) => { new PrivateFargateBehindAlb(stack, 'Web', { deployment: Deployment.linear() }); },
    peer: (stack) => { peer(stack, 'Web'); },
  },
  {
    name: 'blue-green',
    construct: (stack) => { new PrivateFargateBehindAlb(stack, 'Web', { deployment: Deployment.blueGreen({ bakeTime: Duration.minutes(15) }) }); },
    peer: (stack) => { peer(stack, 'Web'); },
  },
  {
    name: 'shared-alb-canary-and-linear',
    construct: (stack) => {
      const web = new PrivateFargateBehindAlb(stack, 'Web');
      new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, port: 8080, deployment: Deployment.linear() });
    },
    peer: (stack) => {
      const web = peer(stack, 'Web');
      peer(stack, 'Api', { vpc: web.cluster.vpc, listenerPort: 8080, containerPort: 8080 });
    },
  },
  {
    name: 'arm64-spot-container-options',
    construct: (stack) => {
      new PrivateFargateBehindAlb(stack, 'Web', {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        capacityProviderStrategies: SPOT_WITH_ONE_ON_DEMAND,
        entryPoint: ['/docker-entrypoint.sh'],
        command: ['nginx', '-g', 'daemon off;'],
        containerHealthCheck: CONTAINER_HEALTH_CHECK,
        ephemeralStorageGiB: 30,
        readonlyRootFilesystem: true,
        targetRequestsPerTarget: 500,
        targetMemoryUtilizationPercent: 75,
        ...taskRoles(stack),
      });
    },
    peer: (stack) => {
      const service = new ecsPatterns.ApplicationLoadBalancedFargateService(stack, 'Web', {
        cluster: new ecs.Cluster(stack, 'Cluster', { enableFargateCapacityProviders: true }),
        runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
        capacityProviderStrategies: SPOT_WITH_ONE_ON_DEMAND,
        healthCheck: CONTAINER_HEALTH_CHECK,
        ephemeralStorageGiB: 30,
        taskImageOptions: {
          image: image(),
          entryPoint: ['/docker-entrypoint.sh'],
          command: ['nginx', '-g', 'daemon off;'],
          ...taskRoles(stack),
        },
      });
      const scaling = service.service.autoScaleTaskCount({ maxCapacity: 3 });
      scaling.scaleOnRequestCount('Requests', { requestsPerTarget: 500, targetGroup: service.targetGroup });
      scaling.scaleOnMemoryUtilization('Memory', { targetUtilizationPercent: 75 });
    },
  },
  {
    name: 'domain',
    concreteEnv: true,
    construct: (stack) => { new PrivateFargateBehindAlb(stack, 'Web', { domainName: 'shop.example.com', hostedZone: hostedZone(stack) }); },
    peer: (stack) => {
      peer(stack, 'Web', {
        domainName: 'shop.example.com',
        domainZone: hostedZone(stack),
        protocol: elbv2.ApplicationProtocol.HTTPS,
        redirectHTTP: true,
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
      });
    },
  },
  {
    name: 'three-https-services-one-alb',
    concreteEnv: true,
    construct: (stack) => {
      const zone = hostedZone(stack);
      const shop = new PrivateFargateBehindAlb(stack, 'Shop', { domainName: 'shop.example.com', hostedZone: zone });
      new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: shop.loadBalancer, domainName: 'api.example.com', hostedZone: zone, port: 8080 });
      new PrivateFargateBehindAlb(stack, 'Admin', {
        loadBalancer: shop.loadBalancer, domainName: 'shop.example.com', pathPatterns: ['/admin/*'], hostedZone: zone, port: 8081,
      });
    },
    peer: (stack) => {
      const zone = hostedZone(stack);
      const https = { protocol: elbv2.ApplicationProtocol.HTTPS, redirectHTTP: true, sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS, domainZone: zone };
      const shop = peer(stack, 'Shop', { ...https, domainName: 'shop.example.com' });
      peer(stack, 'Api', { ...https, domainName: 'api.example.com', cluster: shop.cluster });
      peer(stack, 'Admin', { ...https, domainName: 'admin.example.com', cluster: shop.cluster });
    },
  },
  {
    name: 'internal-allow-from',
    construct: (stack) => {
      new PrivateFargateBehindAlb(stack, 'Web', { internetFacing: false, allowFrom: [ec2.Peer.ipv4('10.20.0.0/16')] });
    },
    peer: (stack) => {
      const service = peer(stack, 'Web', { publicLoadBalancer: false, openListener: false });
      service.loadBalancer.connections.allowFrom(ec2.Peer.ipv4('10.20.0.0/16'), ec2.Port.tcp(80));
    },
  },
  // For accounts whose policies require Lambda functions in a VPC; aws-ecs-patterns has no such function: its side is its defaults.
  {
    name: 'traffic-function-in-vpc',
    construct: (stack) => { new PrivateFargateBehindAlb(stack, 'Web', { trafficFunctionInVpc: true }); },
    peer: (stack) => { peer(stack, 'Web'); },
  },
  // A verified release: the test rule, the hook and the ECS role's policy to call the function; aws-ecs-patterns has no such
  // test: its side is its defaults.
  {
    name: 'smoke-test',
    construct: (stack) => { new PrivateFargateBehindAlb(stack, 'Web', { smokeTest: SmokeTest.http({ path: '/health' }) }); },
    peer: (stack) => { peer(stack, 'Web'); },
  },
  {
    name: 'smoke-test-internal',
    construct: (stack) => {
      new PrivateFargateBehindAlb(stack, 'Web', { internetFacing: false, trafficFunctionInVpc: true, smokeTest: SmokeTest.http({ path: '/health' }) });
    },
    peer: (stack) => { peer(stack, 'Web', { publicLoadBalancer: false }); },
  },
  {
    name: 'ecs-exec',
    construct: (stack) => { new PrivateFargateBehindAlb(stack, 'Web', { enableExecuteCommand: true }); },
    peer: (stack) => { peer(stack, 'Web', { enableExecuteCommand: true }); },
  },
];

function hostedZone(stack: Stack): route53.IHostedZone {
  return route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
}

/** The environment of the configurations with a concrete one. */
export const CONCRETE_ENV = { account: '123456789012', region: 'eu-west-1' };

import { CfnOutput, Duration, Lazy, Names, RemovalPolicy, Stack, Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { AlarmThresholds, Deployment, deploymentAlarmsFor, serviceOptionsOf, trafficShiftFor, validateDeploymentProps } from './deployment';
import { completeEndpointsAtSynth, GrantRecordingRole } from './endpoint-needs';
import { FargateVpcEndpoints } from './fargate-vpc-endpoints';
import { addFrontDoor, addHostRule } from './front-door';
import { allowHttpsToGateway, newVpc, privateSubnetsOf, subnetsHaveEgress } from './network';
import { accessLogsBucketOf, defaultClusterFor } from './shared-resources';
import {
  addContainerForArchitecture,
  architectureOf,
  defaultImage,
  mountDefaultImageWritablePaths,
  useCapacityProviders,
  validateTaskOptions,
} from './task-options';
import {
  validateCapacity,
  validateFargateSize,
  validateIntegerInRange,
  validatePercent,
  validateSecondsInRange,
  validateTaskSubnetsArePrivate,
  validateTimeoutBelowInterval,
  validateVpcShape,
  validateFrontDoor,
  validateHealthCheckPath,
  validateEnvironment,
  validateExclusiveProps,
  validateEndpointsReachable,
  fail,
} from './validation';

/**
 * Props of `PrivateFargateBehindAlb`. All are optional: the defaults build a working service.
 */
export interface PrivateFargateBehindAlbProps {
  /**
   * The one port of the service: the listener, the target group, the container's port mapping
   * (container and host port), the service's load balancer mapping, the load balancer's ingress and
   * the tasks' ingress from it. The container also gets it as the environment variable `PORT`, so
   * the process inside must listen on `$PORT`. A token (a `CfnParameter`) is accepted.
   *
   * @default 80
   */
  readonly port?: number;

  /**
   * The VPC. It needs public subnets in at least two AZs (for the load balancer) and private subnets
   * (for the tasks). Give either `vpc` or `cluster`, not both.
   *
   * @default - the VPC of `cluster` or `loadBalancer` when given, else a new VPC: 10.0.0.0/16, two
   * AZs, public subnets and isolated private subnets, no NAT gateway, a flow log of rejected traffic
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of the tasks. They must be private.
   *
   * @default - the VPC's isolated subnets, or its private subnets with egress when it has no isolated ones
   */
  readonly taskSubnets?: ec2.SubnetSelection;

  /**
   * An existing ECS cluster to run the service in. Give either `vpc` or `cluster`, not both.
   *
   * @default - a cluster with Container Insights, created once per stack and VPC and shared
   */
  readonly cluster?: ecs.ICluster;

  /**
   * Whether to make sure the VPC has the endpoints the tasks need without internet access: ECR API,
   * ECR Docker, CloudWatch Logs (interface, private DNS), S3 (gateway), and what the task definition
   * uses when the app synthesizes (see `endpointsForGrantedServices`). They are created once per VPC
   * in an app and shared by every `PrivateFargateBehindAlb` on it, also across stacks. In a VPC this
   * construct did not create, they admit the VPC's CIDR and the S3 endpoint allows all of S3, so other
   * workloads keep working. Where the task subnets have egress (a NAT gateway) none is created: the
   * tasks reach AWS through the NAT and the VPC's traffic stays as it is. Set `false` for a VPC that
   * has them already, or give `endpointSecurityGroup`.
   *
   * @default true
   */
  readonly vpcEndpoints?: boolean;

  /**
   * The security group of the interface endpoints the VPC already has. The construct then creates no
   * endpoint, admits the tasks to this group on 443 and lets the tasks send HTTPS to it (and to S3).
   * Give either `endpointSecurityGroup` or `vpcEndpoints`, not both.
   *
   * @default - the endpoints of `vpcEndpoints`
   */
  readonly endpointSecurityGroup?: ec2.ISecurityGroup;

  /**
   * Whether the VPC gets an interface endpoint for each AWS service the task role is granted when the
   * app synthesizes (SQS, SNS, Step Functions, ...), each $0.01 per AZ-hour. Gateways (S3, DynamoDB)
   * cost nothing and are always added, as are the endpoints the task definition itself needs (Secrets
   * Manager and SSM for secrets, SSM Messages for ECS Exec). When false, a task role granted a service
   * the VPC's endpoints do not serve is refused at synth, naming the services.
   *
   * @default true
   */
  readonly endpointsForGrantedServices?: boolean;

  /**
   * The container image. It must serve HTTP on `$PORT` and answer the health check.
   *
   * An image asset built here must be built for `cpuArchitecture` (its `platform`): one built for
   * another platform is refused at synth, and one without a platform gets a warning (it is built for the machine
   * that builds it). The architecture of an image from a registry cannot be known at synth.
   *
   * @default - nginx serving a static page on `$PORT`, built from a Dockerfile shipped in this package for `cpuArchitecture`
   */
  readonly image?: ecs.ContainerImage;

  /**
   * The name of the container.
   *
   * @default 'web'
   */
  readonly containerName?: string;

  /**
   * Environment variables of the container. `PORT` is set by the construct and cannot be given here.
   *
   * @default - only `PORT`
   */
  readonly environment?: { [key: string]: string };

  /**
   * The task's CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384.
   *
   * @default 512
   */
  readonly cpu?: number;

  /**
   * The task's memory in MiB; it must be a size Fargate offers for `cpu`.
   *
   * @default 1024
   */
  readonly memoryLimitMiB?: number;

  /**
   * The CPU architecture of the tasks: X86_64, or ARM64 (Graviton, 20 % cheaper for the same size).
   *
   * @default - X86_64 (the template sets no runtime platform, which Fargate runs as Linux X86_64)
   */
  readonly cpuArchitecture?: ecs.CpuArchitecture;

  /**
   * How the tasks are spread over FARGATE and FARGATE_SPOT (interruptible, up to 70 % cheaper). Each
   * weight is 0 to 1000 and at least one is above 0; each base is 0 to 100000 and only one provider
   * has a base above 0. The cluster this construct creates gets both providers; a `cluster` you give
   * must have those the strategy names.
   *
   * @default - every task on FARGATE (launch type, no strategy)
   */
  readonly capacityProviderStrategies?: ecs.CapacityProviderStrategy[];

  /**
   * The command of the container (Docker CMD).
   *
   * @default - the image's CMD
   */
  readonly command?: string[];

  /**
   * The entry point of the container (Docker ENTRYPOINT).
   *
   * @default - the image's ENTRYPOINT
   */
  readonly entryPoint?: string[];

  /**
   * A health check ECS runs inside the container (interval 5 to 300 s, timeout 2 to 60 s and at most the
   * interval, retries 1 to 10, start period 0 to 300 s), beside the load balancer's.
   *
   * @default - none
   */
  readonly containerHealthCheck?: ecs.HealthCheck;

  /**
   * The task's ephemeral storage in GiB, 21 to 200.
   *
   * @default - 20 GiB, what Fargate gives without the setting
   */
  readonly ephemeralStorageGiB?: number;

  /**
   * Whether the container's root file system is read-only. With the default image the construct mounts
   * task volumes where nginx writes (/etc/nginx/conf.d, /tmp, /var/cache/nginx, /var/run); with your
   * image, add the volumes it needs (`taskDefinition.addVolume`, `container.addMountPoints`).
   *
   * @default false
   */
  readonly readonlyRootFilesystem?: boolean;

  /**
   * The role of the tasks. The construct adds to it what it needs (ECS Exec). The VPC's endpoints follow
   * the statements of the policies this app attaches to it; what its managed policies or policies made
   * outside the app allow is not read: add those endpoints with `FargateVpcEndpoints.of(vpc).addInterfaceEndpoint(...)`.
   *
   * @default - a role for the tasks, with no policy until you grant it one
   */
  readonly taskRole?: iam.IRole;

  /**
   * The role ECS starts the tasks with. The construct grants it what it needs (pulling the image, writing
   * the logs, reading the secrets and environment files), so an imported role must be mutable or allow
   * these already. Its endpoints follow the policies this app attaches to it, as for `taskRole`.
   *
   * @default - a role that may pull the image, write the log group and read the secrets
   */
  readonly executionRole?: iam.IRole;

  /**
   * How long the container's logs are kept. The log group is retained when the stack is deleted.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * The fewest tasks. The first deployment starts this many; the template sets no desired count, so
   * later deployments keep the count autoscaling has reached.
   *
   * @default 1
   */
  readonly minCapacity?: number;

  /**
   * The most tasks autoscaling may run.
   *
   * @default 3
   */
  readonly maxCapacity?: number;

  /**
   * The average CPU utilization (percent, above 0 and at most 100) autoscaling keeps the tasks at.
   *
   * @default 50
   */
  readonly targetCpuUtilizationPercent?: number;

  /**
   * The load balancer requests per task per minute autoscaling keeps the tasks at (a second
   * target-tracking policy, beside CPU), above 0.
   *
   * @default - no request-count scaling
   */
  readonly targetRequestsPerTarget?: number;

  /**
   * The average memory utilization (percent, above 0 and at most 100) autoscaling keeps the tasks at (a
   * target-tracking policy beside CPU).
   *
   * @default - no memory scaling
   */
  readonly targetMemoryUtilizationPercent?: number;

  /**
   * The path the load balancer's health check requests; it must answer 200.
   *
   * @default '/'
   */
  readonly healthCheckPath?: string;

  /**
   * The time between health checks of a task, 5 to 300 seconds.
   *
   * @default Duration.seconds(10)
   */
  readonly healthCheckInterval?: Duration;

  /**
   * How long a health check may take before it fails, 2 to 120 seconds and less than the interval.
   *
   * @default Duration.seconds(5)
   */
  readonly healthCheckTimeout?: Duration;

  /**
   * Consecutive successful health checks before a task counts healthy, 2 to 10.
   *
   * @default 2
   */
  readonly healthyThresholdCount?: number;

  /**
   * Consecutive failed health checks before a task counts unhealthy, 2 to 10.
   *
   * @default 2
   */
  readonly unhealthyThresholdCount?: number;

  /**
   * How long the load balancer lets a stopping task finish its requests, 0 to 3600 seconds.
   *
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;

  /**
   * How long ECS ignores failed load balancer health checks of a newly started task.
   *
   * @default Duration.seconds(60)
   */
  readonly healthCheckGracePeriod?: Duration;

  /**
   * An existing Application Load Balancer to serve this service on, so that services in one VPC
   * share one load balancer. Over HTTP each service has its own listener port (`listenerPort`, else
   * `port`); with `domainName` the service joins the load balancer's one HTTPS listener on 443, reached
   * by its host name (and `pathPatterns`). Two services on one port, or on one host and path, are
   * refused at synth.
   *
   * @default - a new load balancer in the VPC's public subnets (private subnets when `internetFacing` is false)
   */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;

  /**
   * A certificate for HTTPS. With it the load balancer listens on 443 (recommended TLS policy) and
   * forwards to the tasks on `port`, and its listener on 80 redirects to HTTPS.
   *
   * @default - a DNS-validated certificate for `domainName` when `hostedZone` is given, else HTTP
   */
  readonly certificate?: acm.ICertificate;

  /**
   * The DNS name of the service, such as `api.example.com`. With `hostedZone` the construct requests
   * a DNS-validated certificate for it (unless `certificate` is given) and creates an alias record to
   * the load balancer; the service then answers HTTPS on 443, 80 redirects to it, and `url` is
   * `https://` and this name.
   *
   * @default - no name: the load balancer's DNS name
   */
  readonly domainName?: string;

  /**
   * The Route 53 zone of `domainName`, for the certificate's validation and the alias record.
   *
   * @default - no record; give `certificate` for HTTPS
   */
  readonly hostedZone?: route53.IHostedZone;

  /**
   * Paths (up to 4) that, with the host name, route to this service on a shared load balancer's HTTPS
   * listener, such as `/api/*`. Needs `loadBalancer` and `domainName`.
   *
   * @default - every path of `domainName`
   */
  readonly pathPatterns?: string[];

  /**
   * The public HTTP port of the listener when there is no certificate and no domain. Everything
   * inside (target group, container, service mapping, tasks' ingress) keeps `port`.
   *
   * @default - `port`
   */
  readonly listenerPort?: number;

  /**
   * Who may reach the load balancer's listener ports, such as `ec2.Peer.ipv4('203.0.113.0/24')` or
   * the prefix list of CloudFront's origin-facing servers. With it no rule admits `0.0.0.0/0`.
   *
   * @default - any IPv4 address
   */
  readonly allowFrom?: ec2.IPeer[];

  /**
   * Whether the load balancer this construct creates is internet-facing. When false it is internal,
   * in the VPC's private subnets, and the VPC needs no public subnets.
   *
   * @default true
   */
  readonly internetFacing?: boolean;

  /**
   * How long the load balancer this construct creates keeps an idle connection open, 1 to 4000 seconds.
   *
   * @default Duration.seconds(60)
   */
  readonly idleTimeout?: Duration;

  /**
   * The HTTP codes of a healthy answer to the health check: codes from 200 to 499, as a list
   * (`'200,302'`) or a range (`'200-299'`).
   *
   * @default '200'
   */
  readonly healthyHttpCodes?: string;

  /**
   * The ARN of a regional WAFv2 web ACL to associate with the load balancer this construct creates.
   *
   * @default - no web ACL
   */
  readonly webAclArn?: string;

  /**
   * The bucket for the load balancer's access logs. Access logging needs a stack with a concrete region.
   *
   * @default - when the stack's region is concrete, an encrypted, SSL-only bucket created once per
   * stack; when it is not, no access logs
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * How long the objects of the access-log bucket this construct creates are kept (current and
   * noncurrent versions). Every service of one stack shares that bucket: services that give a value
   * must give the same one, and a service that gives none takes the bucket's.
   *
   * @default Duration.days(90)
   */
  readonly accessLogsExpiration?: Duration;

  /**
   * Secrets handed to the container as environment variables. The execution role may read these
   * secrets only. The VPC gets the Secrets Manager and/or SSM endpoint, as it does for secrets added
   * later with `container.addSecret` or by a sidecar.
   *
   * @default - no secrets
   */
  readonly secrets?: { [key: string]: ecs.Secret };

  /**
   * Whether ECS Exec is enabled. It adds the SSM Messages endpoint to the VPC (once per VPC).
   *
   * @default false
   */
  readonly enableExecuteCommand?: boolean;

  /**
   * Whether the tasks may send traffic anywhere. When false they may send only HTTPS to the VPC
   * endpoints and S3 (and whatever is opened through `connections`).
   *
   * @default false
   */
  readonly allowAllOutbound?: boolean;

  /**
   * How a new release reaches production traffic: `Deployment.rolling()`, `Deployment.canary()`,
   * `Deployment.linear()` or `Deployment.blueGreen()`.
   *
   * @default Deployment.canary(): 10 % of the traffic for 5 minutes, then all of it, the old tasks kept 5 minutes
   */
  readonly deployment?: Deployment;

  /**
   * Whether the service has deployment alarms (5xx answers, unhealthy targets and response time of each
   * target group) that roll a release back when one fires. When false, only the circuit breaker rolls
   * back, and only releases whose tasks fail to start or fail their health checks.
   *
   * @default true
   */
  readonly deploymentAlarms?: boolean;

  /**
   * The thresholds, period and evaluation periods of the deployment alarms.
   *
   * @default - the defaults of each `AlarmThresholds` member
   */
  readonly alarmThresholds?: AlarmThresholds;

  /**
   * An SNS topic notified when a deployment alarm fires and when it clears.
   *
   * @default - no notifications
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * A Fargate service in private subnets with no route to the internet, served to the world through
 * an internet-facing Application Load Balancer, wired from one port value.
 *
 * It creates (or uses) the VPC, the VPC endpoints the tasks need (shared per VPC), the load
 * balancer, listener and target group (type ip), the task definition, the service, the security
 * groups between them and CPU autoscaling.
 */
export class PrivateFargateBehindAlb extends Construct implements ec2.IConnectable {
  /** The VPC of the service. */
  public readonly vpc: ec2.IVpc;
  /** The ECS cluster of the service. */
  public readonly cluster: ecs.ICluster;
  /** The internet-facing load balancer (the one given in `loadBalancer`, or a new one). */
  public readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The listener that forwards to the tasks: on `listenerPort` (or `port`), or on 443 with HTTPS (shared by every service with a domain on a shared load balancer). */
  public readonly listener: elbv2.ApplicationListener;
  /** The target group (type ip) the tasks register in. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** The second target group of a canary, linear or blue/green deployment (ECS swaps the roles of the two on each deployment). */
  public readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  /** The deployment alarms (empty when `deploymentAlarms` is false): add actions to them. */
  public readonly alarms: cloudwatch.Alarm[];
  /** The task definition. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The container, listening on `port`. */
  public readonly container: ecs.ContainerDefinition;
  /** The Fargate service. */
  public readonly service: ecs.FargateService;
  /** The scalable task count; add scaling policies to it. */
  public readonly scaling: ecs.ScalableTaskCount;
  /** The log group of the container. */
  public readonly logGroup: logs.ILogGroup;
  /** The URL of the service: `https://` and `domainName` (or the load balancer's DNS name) with HTTPS, else `http://`, the DNS name and the listener port unless it is 80. */
  public readonly url: string;
  /** The tasks' connections: open a path from the tasks to a database with `connections.allowTo(db, port)`. */
  public readonly connections: ec2.Connections;

  private readonly tasksSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: PrivateFargateBehindAlbProps = {}) {
    super(scope, id);

    const port = props.port ?? 80;
    const cpu = props.cpu ?? 512;
    const memoryLimitMiB = props.memoryLimitMiB ?? 1024;
    const minCapacity = props.minCapacity ?? 1;
    const maxCapacity = props.maxCapacity ?? 3;
    const targetCpuUtilizationPercent = props.targetCpuUtilizationPercent ?? 50;
    const containerName = props.containerName ?? 'web';
    const healthCheckPath = props.healthCheckPath ?? '/';
    const healthCheckInterval = props.healthCheckInterval ?? Duration.seconds(10);
    const healthCheckTimeout = props.healthCheckTimeout ?? Duration.seconds(5);
    const healthyThresholdCount = props.healthyThresholdCount ?? 2;
    const unhealthyThresholdCount = props.unhealthyThresholdCount ?? 2;
    const deregistrationDelay = props.deregistrationDelay ?? Duration.seconds(30);

    validateIntegerInRange(this, 'port', port, 1, 65535);
    validateFargateSize(this, cpu, memoryLimitMiB);
    validateCapacity(this, minCapacity, maxCapacity);
    validatePercent(this, 'targetCpuUtilizationPercent', targetCpuUtilizationPercent);
    validateSecondsInRange(this, 'healthCheckInterval', healthCheckInterval, 5, 300);
    validateSecondsInRange(this, 'healthCheckTimeout', healthCheckTimeout, 2, 120);
    validateTimeoutBelowInterval(this, healthCheckTimeout, healthCheckInterval);
    validateIntegerInRange(this, 'healthyThresholdCount', healthyThresholdCount, 2, 10);
    validateIntegerInRange(this, 'unhealthyThresholdCount', unhealthyThresholdCount, 2, 10);
    validateSecondsInRange(this, 'deregistrationDelay', deregistrationDelay, 0, 3600);
    validateHealthCheckPath(this, healthCheckPath);
    validateEnvironment(this, props.environment);
    validateExclusiveProps(this, props);
    validateFrontDoor(this, props);
    validateTaskOptions(this, props);
    const internetFacing = props.internetFacing ?? true;
    const deployment = props.deployment ?? Deployment.canary();
    validateDeploymentProps(this, deployment, props);

    // The network: a VPC with no NAT, the tasks in its private subnets, the endpoints they need.
    this.vpc = props.cluster?.vpc ?? props.vpc ?? props.loadBalancer?.vpc ?? newVpc(this);
    validateVpcShape(this, this.vpc, internetFacing && !props.loadBalancer);
    const taskSubnets = props.taskSubnets ?? privateSubnetsOf(this.vpc);
    validateTaskSubnetsArePrivate(this, this.vpc, taskSubnets);
    const tasksHaveEgress = subnetsHaveEgress(this.vpc, taskSubnets);
    const endpoints = (props.vpcEndpoints ?? true) && !props.endpointSecurityGroup && !tasksHaveEgress
      ? FargateVpcEndpoints.of(this.vpc)
      : undefined;
    if (endpoints) validateEndpointsReachable(this, endpoints);
    const endpointSecurityGroup = props.endpointSecurityGroup ?? endpoints?.securityGroup;

    this.tasksSecurityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', {
      vpc: this.vpc,
      description: 'Fargate tasks: the service port from the load balancer only',
      allowAllOutbound: props.allowAllOutbound ?? false,
    });
    if (endpointSecurityGroup) {
      this.tasksSecurityGroup.addEgressRule(endpointSecurityGroup, ec2.Port.tcp(443), 'HTTPS to the VPC endpoints');
      allowHttpsToGateway(this, this.tasksSecurityGroup, 's3');
    } else {
      // Through a NAT gateway, or to endpoints whose security group the construct does not know.
      this.tasksSecurityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs');
    }

    // The task: one container listening on the port. Its roles record what they are granted.
    this.cluster = props.cluster ?? defaultClusterFor(this, this.vpc);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const ecsTasks = new iam.ServicePrincipal('ecs-tasks.amazonaws.com');
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', {
      cpu,
      memoryLimitMiB,
      runtimePlatform: props.cpuArchitecture && { cpuArchitecture: props.cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      ephemeralStorageGiB: props.ephemeralStorageGiB,
      taskRole: props.taskRole ?? new GrantRecordingRole(this, 'TaskRole', { assumedBy: ecsTasks }),
      executionRole: props.executionRole ?? new GrantRecordingRole(this, 'ExecutionRole', { assumedBy: ecsTasks }),
    });
    const architecture = architectureOf(this, this.taskDefinition);
    this.container = addContainerForArchitecture(this, this.taskDefinition, architecture, {
      containerName,
      image: props.image ?? defaultImage(this, architecture),
      command: props.command,
      entryPoint: props.entryPoint,
      healthCheck: props.containerHealthCheck,
      readonlyRootFilesystem: props.readonlyRootFilesystem,
      // Sorted: a map's key order (Java's Map.of is random per run) must not change the template.
      environment: sortedByKey({ ...props.environment, PORT: Tokenization.stringifyNumber(port) }),
      secrets: props.secrets && sortedByKey(props.secrets),
      portMappings: [{ containerPort: port, hostPort: port, protocol: ecs.Protocol.TCP }],
      logging: ecs.LogDrivers.awsLogs({ logGroup: this.logGroup, streamPrefix: containerName }),
    });
    if (props.readonlyRootFilesystem && !props.image) mountDefaultImageWritablePaths(this.container);

    // No desired count: a deployment must not reset the count autoscaling reached. CloudFormation
    // starts one task, and the scalable target's minimum raises it to minCapacity.
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      assignPublicIp: false,
      vpcSubnets: taskSubnets,
      securityGroups: [this.tasksSecurityGroup],
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: props.healthCheckGracePeriod ?? Duration.seconds(60),
      enableExecuteCommand: props.enableExecuteCommand,
      capacityProviderStrategies: props.capacityProviderStrategies,
      ...serviceOptionsOf(deployment),
      // The alarms watch the target groups, created below; their names are read at synth.
      deploymentAlarms: (props.deploymentAlarms ?? true) ? {
        // A constructor refused after this point leaves no alarms; no template of such an app deploys.
        // Stryker disable next-line ArrayDeclaration: only that half-built service reads the fallback.
        alarmNames: Lazy.list({ produce: () => (this.alarms ?? []).map((alarm) => alarm.alarmName) }),
        behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
      } : undefined,
    });
    if (props.capacityProviderStrategies) useCapacityProviders(this.service, this.cluster, !props.cluster);
    this.connections = this.service.connections;
    if (props.endpointSecurityGroup) {
      props.endpointSecurityGroup.addIngressRule(this.tasksSecurityGroup, ec2.Port.tcp(443), 'HTTPS to the VPC endpoints from the Fargate tasks');
    }
    if (endpoints) {
      endpoints.allowFrom(this.service);
      // Every endpoint the tasks need exists before the first task starts.
      this.service.node.addDependency(endpoints);
    }
    completeEndpointsAtSynth(this, {
      taskDefinition: this.taskDefinition,
      cluster: this.cluster,
      tasksSecurityGroup: this.tasksSecurityGroup,
      endpoints,
      forTaskRole: props.endpointsForGrantedServices ?? true,
      executeCommand: props.enableExecuteCommand ?? false,
      tasksHaveEgress,
    });

    // The front: a load balancer forwarding to the tasks' IPs on the port, under the service's name.
    this.loadBalancer = props.loadBalancer ?? this.newLoadBalancer(props, internetFacing);
    const targetGroupProps: elbv2.ApplicationTargetGroupProps = {
      vpc: this.vpc,
      port,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      deregistrationDelay,
      healthCheck: {
        path: healthCheckPath,
        port: 'traffic-port',
        interval: healthCheckInterval,
        timeout: healthCheckTimeout,
        healthyThresholdCount,
        unhealthyThresholdCount,
        healthyHttpCodes: props.healthyHttpCodes ?? '200',
      },
    };
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'TargetGroup', targetGroupProps);
    const front = addFrontDoor(this, {
      loadBalancer: this.loadBalancer,
      targetGroup: this.targetGroup,
      shared: props.loadBalancer !== undefined,
      listenerPort: props.listenerPort ?? port,
      certificate: props.certificate,
      domainName: props.domainName,
      hostedZone: props.hostedZone,
      pathPatterns: props.pathPatterns,
      allowFrom: props.allowFrom,
      // Stryker disable next-line BooleanLiteral: only the reason of the cdk-nag acknowledgment reads it.
      internetFacing: props.loadBalancer ? true : internetFacing,
    });
    this.listener = front.listener;
    this.url = front.url;

    // Deployments: canary, linear and blue/green move production traffic between two target groups
    // through a listener rule; the alarms watch every target group the new tasks may land in.
    const shift = deployment.shiftsTraffic ? trafficShiftFor(this, this.listener, this.targetGroup, targetGroupProps, front.route) : undefined;
    if (!shift && front.route) addHostRule(this, this.listener, front.route, this.targetGroup);
    this.alternateTargetGroup = shift?.alternateTargetGroup;
    this.targetGroup.addTarget(this.service.loadBalancerTarget({ containerName, containerPort: port, alternateTarget: shift?.alternateTarget }));
    this.alarms = (props.deploymentAlarms ?? true)
      ? deploymentAlarmsFor(this, [this.targetGroup, shift?.alternateTargetGroup], props.alarmThresholds ?? {}, props.alarmTopic)
      : [];

    // Application Auto Scaling uses its own service-linked role: no role is created here.
    this.scaling = this.service.autoScaleTaskCount({ minCapacity, maxCapacity });
    this.scaling.scaleOnCpuUtilization('CpuScaling', { targetUtilizationPercent: targetCpuUtilizationPercent });
    if (props.targetMemoryUtilizationPercent !== undefined) {
      this.scaling.scaleOnMemoryUtilization('MemoryScaling', { targetUtilizationPercent: props.targetMemoryUtilizationPercent });
    }
    if (props.targetRequestsPerTarget !== undefined) {
      this.scaling.scaleOnRequestCount('RequestScaling', { requestsPerTarget: props.targetRequestsPerTarget, targetGroup: this.targetGroup });
    }

    new CfnOutput(this, 'Url', { value: this.url, description: 'The URL of the service' });

    if (Object.keys(props.environment ?? {}).length === 0) {
      Validations.of(this.taskDefinition).acknowledge({
        id: 'AwsSolutions-ECS2',
        // Stryker disable next-line StringLiteral: the reason is for people reading the cdk-nag report; no template holds it.
        reason: 'The only environment variable is PORT, the port number the container listens on; it is not a secret.',
      });
    }
    Validations.of(this.taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      // Stryker disable next-line StringLiteral: the reason is for people reading the cdk-nag report; no template holds it.
      reason: 'ecr:GetAuthorizationToken, which the execution role needs to pull from ECR, accepts only the resource *.',
    });
    if (shift) {
      Validations.of(shift.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        // Stryker disable next-line StringLiteral: the reason is for people reading the cdk-nag report; no template holds it.
        reason: 'The elasticloadbalancing Describe actions ECS reads the listener and target groups with (DescribeListeners, DescribeRules, DescribeTargetGroups, DescribeTargetHealth) accept only the resource *.',
      });
    }
    if (props.enableExecuteCommand) {
      Validations.of(this.taskDefinition.taskRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        // Stryker disable next-line StringLiteral: the reason is for people reading the cdk-nag report; no template holds it.
        reason: 'The ssmmessages actions ECS Exec needs (CreateControlChannel, CreateDataChannel, OpenControlChannel, OpenDataChannel) accept only the resource *.',
      });
    }
  }

  private newLoadBalancer(props: PrivateFargateBehindAlbProps, internetFacing: boolean): elbv2.ApplicationLoadBalancer {
    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing,
      vpcSubnets: internetFacing ? { subnetType: ec2.SubnetType.PUBLIC } : privateSubnetsOf(this.vpc),
      dropInvalidHeaderFields: true,
      idleTimeout: props.idleTimeout,
      securityGroup: new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
        vpc: this.vpc,
        description: `${internetFacing ? 'Internet-facing' : 'Internal'} load balancer: listener ports from ${props.allowFrom ? 'allowFrom' : 'anywhere'}, to the tasks only`,
        allowAllOutbound: false,
      }),
    });
    if (props.webAclArn) {
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: loadBalancer.loadBalancerArn, webAclArn: props.webAclArn });
    }
    // ELB access logs are delivered by a per-region principal, so they need a concrete region.
    if (!Token.isUnresolved(Stack.of(this).region)) {
      const bucket = props.accessLogsBucket ?? accessLogsBucketOf(this, props.accessLogsExpiration);
      loadBalancer.logAccessLogs(bucket, Names.uniqueId(this));
    } else if (props.accessLogsBucket) {
      fail(this, 'accessLogsBucket needs a stack with a concrete region; received an environment-agnostic stack. Give the stack an environment with a region');
    } else {
      Validations.of(loadBalancer).acknowledge({
        id: 'AwsSolutions-ELB2',
        // Stryker disable next-line StringLiteral: the reason is for people reading the cdk-nag report; no template holds it.
        reason: 'Access logs are delivered by a principal of the stack\'s region; this stack is environment-agnostic. Give the stack a region to get them.',
      });
    }
    return loadBalancer;
  }
}

/** A copy of the map with its keys in sorted order. */
function sortedByKey<T>(map: { [key: string]: T }): { [key: string]: T } {
  return Object.fromEntries(Object.keys(map).sort().map((key) => [key, map[key]]));
}

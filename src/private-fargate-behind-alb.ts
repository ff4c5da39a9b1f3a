import { CfnOutput, Duration } from 'aws-cdk-lib';
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
import { Construct } from 'constructs';
import { AlarmThresholds } from './alarms';
import { buildDeployment, Deployment, deploymentOf } from './deployment';
import { DeploymentHook } from './deployment-hook';
import { buildFrontDoor } from './front-door';
import { fullNameOf, loadBalancerFor } from './load-balancer';
import { buildNetwork } from './network';
import { recordLoadBalancerUse } from './quotas';
import { buildScaling, validateScalingProps } from './scaling';
import { buildService } from './service';
import { SmokeTest } from './smoke-test';
import { buildTargetGroup, targetGroupPropsFor } from './target-group';
import { buildTask } from './task';
import { buildOrRefuse, partsOf } from './validation';

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
   * Changing it on a running service replaces its target groups (their port cannot change in place):
   * the load balancer sends no request to the service until the new tasks are healthy in the new
   * groups, and the public port moves with it unless `listenerPort` or a domain fixes it.
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
   * The template always names a strategy (not a launch type), so changing it is an update in place.
   *
   * @default - every task on FARGATE: FARGATE with weight 1
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
   * image, add the volumes it needs (`taskDefinition.addVolume`, `container.addMountPoints`). With
   * `enableExecuteCommand`, the paths the ECS Exec agent writes to (/managed-agents, /var/lib/amazon/ssm,
   * /var/log/amazon/ssm) get task volumes too.
   *
   * @default false
   */
  readonly readonlyRootFilesystem?: boolean;

  /**
   * The role of the tasks. The construct adds to it what it needs (ECS Exec). The VPC's endpoints follow
   * the statements of the policies this app attaches to it (inline, IAM or managed policies); what AWS managed
   * policies or policies made outside the app allow is not read: add those endpoints with `FargateVpcEndpoints.of(vpc).addInterfaceEndpoint(...)`.
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
   * by its host name (and `pathPatterns`). That listener, and the certificate and DNS record of each
   * name, live with the load balancer (with the service that made it, or under a load balancer you
   * made), so services come and go without moving them. On a load balancer you made, port 80 is yours:
   * the construct adds no redirect to HTTPS there. Two services on one port, or on one host and path,
   * are refused at synth.
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
   * Paths (up to 3) that, with the host name, route to this service on a shared load balancer's HTTPS
   * listener, such as `/api/*`. Needs `loadBalancer` and `domainName`.
   *
   * @default - every path of `domainName`
   */
  readonly pathPatterns?: string[];

  /**
   * The priority of this service's rule on a shared load balancer's HTTPS listener, 1 to 49999 (the
   * load balancer evaluates the lowest number first). Needs `loadBalancer` and `domainName`.
   *
   * @default - derived from the host and paths alone, so that adding or removing another service moves
   * no rule, and so that more specific rules come first: host and paths before the host alone, longer
   * paths before shorter ones, exact hosts before wildcards
   */
  readonly rulePriority?: number;

  /**
   * The public HTTP port of the listener when there is no certificate and no domain. 443 is refused:
   * it is the HTTPS port. Everything
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
   * How long the access logs in the bucket this construct creates are kept: an object expires after
   * this long, and the bucket (versioned) deletes its noncurrent copy one day later. Every service of
   * one stack shares that bucket: services that give a value must give the same one, and a service that
   * gives none takes the bucket's.
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
   * Requests each new revision must answer as expected before any production traffic reaches it: on every canary,
   * linear and blue/green deployment, once ECS has started the new tasks and pointed the test rule at them, the
   * stack's traffic function sends them through the load balancer, and ECS rolls back when one is not answered as
   * expected. The test rule matches only requests that carry a header whose value the rule alone holds. With an
   * internal load balancer, give `trafficFunctionInVpc: true`. Not with `Deployment.rolling()`, which sends no test traffic.
   *
   * @default - no smoke test: a bad release meets the first share of production traffic, and the deployment alarms roll it back
   */
  readonly smokeTest?: SmokeTest;

  /**
   * Lifecycle hooks of the app's own, for checks only it can write: `DeploymentHook.lambdaFunction(fn, { stages })`, a
   * function ECS calls with the stack's ECS role (which the construct lets invoke it), or `DeploymentHook.pause({
   * stages })`, a pause until `aws ecs continue-service-deployment`. They run after the smoke test's hook, in canary,
   * linear and blue/green deployments; not with `Deployment.rolling()`.
   *
   * @default - none
   */
  readonly deploymentHooks?: DeploymentHook[];

  /**
   * Whether the service has deployment alarms (5xx answers, unhealthy targets and response time, each
   * watching every target group the tasks may be in) that roll a release back when one fires. When
   * false, the template says the service's alarms are off (not merely absent, which ECS would ignore),
   * and only the circuit breaker rolls back, only releases whose tasks fail to start or fail their
   * health checks.
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

  /**
   * How long the logs of the stack's listener-rule function are kept. The function writes the rules of
   * every service of the stack with a canary, linear or blue/green deployment or a rule on a shared
   * listener; its log group belongs to the stack and is deleted with it. Services of one stack that give
   * a value must give the same one.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly trafficFunctionLogRetention?: logs.RetentionDays;

  /**
   * Whether the stack's listener-rule function runs in the VPC, for accounts whose service control policies
   * require Lambda functions in a VPC (the `lambda:VpcIds` condition key). The function then runs in the
   * task subnets, with a security group that sends only HTTPS, and reaches the Elastic Load Balancing API and
   * CloudFormation's S3 response bucket through the NAT gateway of subnets with egress, else through the VPC's
   * endpoints: an `elasticloadbalancing` interface endpoint joins them (once per VPC), and the S3 gateway endpoint
   * of a VPC this construct created also allows the response bucket. With `endpointSecurityGroup` the VPC's own
   * endpoints must serve both. Every service of a stack whose listener rules the function writes must give the
   * same value (leaving it out is false), and be in one VPC.
   *
   * @default false
   */
  readonly trafficFunctionInVpc?: boolean;

  /**
   * Whether the stack gets an output with the service's URL: the `CfnOutput` `Url` of this construct,
   * whose value `cdk deploy` prints and `aws cloudformation describe-stacks` lists. Leave it out
   * (false) when the app makes its own output of `url`, or has no use for it.
   *
   * @default true
   */
  readonly urlOutput?: boolean;
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
  /** What the constructor made; undefined when a refused prop stopped it (the app's synthesis reports the refusal). */
  private readonly parts?: Parts;

  constructor(scope: Construct, id: string, props: PrivateFargateBehindAlbProps = {}) {
    super(scope, id);
    this.parts = buildOrRefuse(this, () => build(this, props));
  }

  /** The VPC of the service. */
  public get vpc(): ec2.IVpc {
    return partsOf(this, this.parts).vpc;
  }

  /** The ECS cluster of the service. */
  public get cluster(): ecs.ICluster {
    return partsOf(this, this.parts).service.cluster;
  }

  /** The internet-facing load balancer (the one given in `loadBalancer`, or a new one). */
  public get loadBalancer(): elbv2.IApplicationLoadBalancer {
    return partsOf(this, this.parts).loadBalancer;
  }

  /** The listener that forwards to the tasks: on `listenerPort` (or `port`), or on 443 with HTTPS (shared by every service with a domain on a shared load balancer). */
  public get listener(): elbv2.ApplicationListener {
    return partsOf(this, this.parts).listener;
  }

  /** The target group (type ip) the tasks register in. */
  public get targetGroup(): elbv2.ApplicationTargetGroup {
    return partsOf(this, this.parts).targetGroup;
  }

  /** The second target group of a canary, linear or blue/green deployment (ECS swaps the roles of the two on each deployment). */
  public get alternateTargetGroup(): elbv2.ApplicationTargetGroup | undefined {
    return partsOf(this, this.parts).alternateTargetGroup;
  }

  /** The deployment alarms (empty when `deploymentAlarms` is false): add actions to them. */
  public get alarms(): cloudwatch.Alarm[] {
    return partsOf(this, this.parts).alarms;
  }

  /** The task definition. */
  public get taskDefinition(): ecs.FargateTaskDefinition {
    return partsOf(this, this.parts).taskDefinition;
  }

  /** The container, listening on `port`. */
  public get container(): ecs.ContainerDefinition {
    return partsOf(this, this.parts).container;
  }

  /** The Fargate service. */
  public get service(): ecs.FargateService {
    return partsOf(this, this.parts).service;
  }

  /** The scalable task count; add scaling policies to it. */
  public get scaling(): ecs.ScalableTaskCount {
    return partsOf(this, this.parts).scaling;
  }

  /** The log group of the container. */
  public get logGroup(): logs.ILogGroup {
    return partsOf(this, this.parts).logGroup;
  }

  /** The URL of the service: `https://` and `domainName` (or the load balancer's DNS name) with HTTPS, else `http://`, the DNS name and the listener port unless it is 80. */
  public get url(): string {
    return partsOf(this, this.parts).url;
  }

  /** The tasks' connections: open a path from the tasks to a database with `connections.allowTo(db, port)`. */
  public get connections(): ec2.Connections {
    return partsOf(this, this.parts).service.connections;
  }
}

/** What the construct makes, and offers as its properties. */
interface Parts {
  readonly vpc: ec2.IVpc;
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly alternateTargetGroup?: elbv2.ApplicationTargetGroup;
  readonly alarms: cloudwatch.Alarm[];
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly service: ecs.FargateService;
  readonly scaling: ecs.ScalableTaskCount;
  readonly logGroup: logs.ILogGroup;
  readonly url: string;
}

/** The story of one service: each part validates its props and builds itself, in the order they depend on each other. */
function build(scope: PrivateFargateBehindAlb, props: PrivateFargateBehindAlbProps): Parts {
  const port = props.port ?? 80;
  const deployment = deploymentOf(scope, props);
  validateScalingProps(scope, props);

  // The network: a VPC with no NAT, the tasks in its private subnets, the endpoints they need.
  const network = buildNetwork(scope, props);
  const vpc = network.vpc;

  // The task: one container listening on the port, from an image built for the tasks' architecture.
  const task = buildTask(scope, props);

  // The service: in the private subnets, no public IP, on Fargate capacity, deployed by `deployment`.
  const alarmNames: string[] = [];
  const service = buildService(scope, props, network, task, deployment, alarmNames);

  // The front door: a load balancer forwarding to the tasks' IPs on the port, under the service's name.
  const loadBalancer = loadBalancerFor(scope, props, vpc);
  const targetGroupProps = targetGroupPropsFor(scope, props, vpc);
  const targetGroup = buildTargetGroup(scope, targetGroupProps, loadBalancer);
  const front = buildFrontDoor(scope, props, loadBalancer, targetGroup);

  // Deployments: the target groups the tasks register in, the rule that moves traffic between them, the alarms.
  const deployed = buildDeployment(scope, props, deployment, {
    service,
    containerName: task.container.containerName,
    port,
    loadBalancer,
    listener: front.listener,
    listeners: front.placed.listeners,
    match: front.match,
    ownHosts: front.ownHosts,
    targetGroup,
    targetGroupProps,
    alarmNames,
    testPriority: front.testPriority,
  });
  recordLoadBalancerUse(scope, loadBalancer, { ...front.placed, targetGroups: [targetGroup, deployed.alternateTargetGroup] });

  // Scaling: CPU target tracking, and memory and requests when asked.
  const scaling = buildScaling(service, props, fullNameOf(loadBalancer),
    deployed.alternateTargetGroup ? [targetGroup, deployed.alternateTargetGroup] : [targetGroup]);

  // The URL among the stack's outputs, unless the app makes its own.
  if (props.urlOutput ?? true) new CfnOutput(scope, 'Url', { value: front.url, description: 'The URL of the service' });

  return {
    vpc,
    loadBalancer,
    listener: front.listener,
    targetGroup,
    alternateTargetGroup: deployed.alternateTargetGroup,
    alarms: deployed.alarms,
    taskDefinition: task.taskDefinition,
    container: task.container,
    service,
    scaling,
    logGroup: task.logGroup,
    url: front.url,
  };
}

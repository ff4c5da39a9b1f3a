import * as fs from 'fs';
import * as path from 'path';
import { CustomResource, Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { FactName } from 'aws-cdk-lib/region-info';
import { Construct, IConstruct } from 'constructs';
import { allowCustomResourceResponses, endpointsOf, FargateVpcEndpoints } from './fargate-vpc-endpoints';
import { fail, warn } from './validation';
import { allowHttpsToGateway, describeVpc, privateSubnetsOf, sameVpc } from './vpc';

/*
 * The listener rules that send a service its requests. ECS moves the weights of a service's production
 * rule on every canary, linear or blue/green deployment, and after an odd one all traffic is on the
 * alternate target group. A rule CloudFormation owns gets the template's weights back on any update
 * that rewrites it (aws-cdk #36649), sending every request to an empty target group. So the rules are
 * a custom resource whose function keeps the weights ECS set (assets/listener-rule-handler).
 *
 * Two roles per stack, one per principal: ECS moves traffic with the role AWS documents for it (the
 * managed policy AmazonECSInfrastructureRolePolicyForLoadBalancers, which AWS extends as ECS needs),
 * and the function runs with a role of its own that may create rules on the stack's listeners, and
 * change or delete only the rules it created for this stack (tagged with the stack's id), wherever they
 * are: a rule the cleanup pass or a rollback deletes is still its own after its listener left the stack.
 */

/** What a rule matches: the host names and the paths of its conditions (none: any). */
export interface RuleMatch {
  readonly hosts?: string[];
  readonly paths?: string[];
  /** The rule's priority on its listener: 1 to 50000, unique per listener. */
  readonly priority: number;
}

/** The priority of the production rule on a service's own listener: the last it evaluates, so that rules users add come first. */
export const PRODUCTION_RULE_PRIORITY = 50000;

/** A target group a rule forwards to, and its weight in the template (ECS changes it later). */
export interface WeightedTargetGroup {
  readonly targetGroup: elbv2.ITargetGroup;
  readonly weight: number;
}

/** The tag the function puts on every rule it creates: the id of the stack whose rule it is. */
export const STACK_TAG = 'private-fargate-behind-alb:stack-id';

/** How a rule is written beyond its match and target groups. */
export interface ListenerRuleOptions {
  /**
   * A test rule's header: the rule also matches this header, with a value the function draws when it creates the
   * rule and keeps on every update. No template shows it; the smoke test reads it from the rule.
   */
  readonly secretHeader?: string;
}

/** A listener rule owned by the custom resource `Custom::PrivateFargateListenerRule`. */
export class ListenerRule extends Construct {
  /** The rule's ARN (its physical id). */
  public readonly ruleArn: string;

  constructor(scope: Construct, id: string, listener: elbv2.IApplicationListener, match: RuleMatch, targetGroups: WeightedTargetGroup[],
    options: ListenerRuleOptions = {}) {
    super(scope, id);
    const control = TrafficControl.of(this);
    control.allowRulesOn(listener);
    const conditions: object[] = [];
    if (match.hosts) conditions.push({ Field: 'host-header', HostHeaderConfig: { Values: match.hosts } });
    conditions.push({ Field: 'path-pattern', PathPatternConfig: { Values: match.paths ?? ['/*'] } });
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: control.serviceToken,
      resourceType: 'Custom::PrivateFargateListenerRule',
      // The function answers within its own timeout; a lost answer costs this long, not CloudFormation's hour.
      serviceTimeout: SERVICE_TIMEOUT,
      properties: {
        ListenerArn: listener.listenerArn,
        Priority: match.priority,
        Conditions: conditions,
        TargetGroups: targetGroups.map(({ targetGroup, weight }) => ({ TargetGroupArn: targetGroup.targetGroupArn, Weight: weight })),
        ...(options.secretHeader !== undefined ? { SecretHeader: options.secretHeader } : {}),
      },
    });
    this.ruleArn = resource.ref;
  }
}

/** What the stack's traffic function reads from the construct's props. */
export interface TrafficFunctionProps {
  readonly trafficFunctionLogRetention?: logs.RetentionDays;
  readonly trafficFunctionInVpc?: boolean;
  /** Read with trafficFunctionInVpc: the function runs where the service's tasks do, and reaches AWS as they do. */
  readonly taskSubnets?: ec2.SubnetSelection;
  readonly vpcEndpoints?: boolean;
  readonly endpointSecurityGroup?: ec2.ISecurityGroup;
}

/**
 * One per stack: the function behind the listener rules with its role and log group, and the role ECS
 * moves traffic with (an ECS infrastructure role for load balancers).
 */
export class TrafficControl extends Construct {
  /**
   * The stack's traffic control, made on first use. `props` and `vpc` are a service's, checked against the other
   * services': the first service that gives them places the function.
   */
  public static of(scope: Construct, props?: TrafficFunctionProps, vpc?: ec2.IVpc): TrafficControl {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(ID);
    const control = existing instanceof TrafficControl ? existing : new TrafficControl(stack, ID);
    if (props) {
      control.useRetention(scope, props.trafficFunctionLogRetention);
      control.usePlacement(scope, props, vpc);
    }
    return control;
  }

  private ownEcsRole?: iam.Role;
  /** The role of the function that writes the rules. */
  public readonly functionRole: iam.Role;
  public readonly serviceToken: string;
  private readonly logGroup: logs.CfnLogGroup;
  private readonly handler: lambda.CfnFunction;
  private readonly listeners = new Set<elbv2.IApplicationListener>();
  /** The listeners the function may create rules on, read when the app synthesizes (services come after the first). */
  private readonly listenerArns: string[] = [];
  private retention?: { value: logs.RetentionDays; holder: string };
  private placement?: { given?: boolean; vpc?: ec2.IVpc; holder: string };
  private hooks = false;
  /** Whether the stack's function is a hook (a smoke test), and the functions of the app's own hooks. */
  private ownHook = false;
  private readonly hookFunctions: string[] = [];
  private inVpcSecurityGroup?: ec2.SecurityGroup;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    // The stack's own log group, deleted with it; a service may set its retention (see useRetention).
    this.logGroup = new logs.CfnLogGroup(this, 'LogGroup', {
      retentionInDays: Lazy.number({ produce: () => this.retention?.value ?? DEFAULT_RETENTION }),
    });
    this.logGroup.applyRemovalPolicy(RemovalPolicy.DESTROY);
    acknowledge(this.logGroup, inPacks('CloudWatchLogGroupEncrypted', REGULATED),
      'CloudWatch Logs encrypts every log group at rest; a customer-managed KMS key would add a key, its monthly cost and a key policy for the ' +
      'logs service to every stack. The function logs the rules it writes (listener and target group ARNs, host names, paths), no request data.');

    const rule = `arn:${stack.partition}:elasticloadbalancing:${stack.region}:${stack.account}:listener-rule/app/*`;
    const ownRules = { StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: stack.stackId } };
    const tagged = { StringEquals: { [`aws:RequestTag/${STACK_TAG}`]: stack.stackId } };
    const createRules = new iam.PolicyStatement({
      actions: ['elasticloadbalancing:CreateRule'],
      resources: Lazy.list({ produce: () => this.listenerArns }),
      conditions: tagged,
    });
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetHealth'], resources: ['*'] }),
        // Rules are created on the stack's listeners only, each tagged with the stack's id ...
        createRules,
        new iam.PolicyStatement({
          actions: ['elasticloadbalancing:AddTags'],
          resources: [rule],
          conditions: { StringEquals: { ...tagged.StringEquals, 'elasticloadbalancing:CreateAction': 'CreateRule' } },
        }),
        // ... and only rules with that tag are changed or deleted, on whichever listener they are.
        new iam.PolicyStatement({
          actions: ['elasticloadbalancing:ModifyRule', 'elasticloadbalancing:DeleteRule', 'elasticloadbalancing:SetRulePriorities'],
          resources: [rule],
          conditions: ownRules,
        }),
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.attrArn],
        }),
      ],
    });
    this.functionRole = new iam.Role(this, 'FunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Runs the function that writes the listener rules of the stack\'s services',
      // Inline, so the permissions exist before the function that uses them.
      inlinePolicies: { ListenerRules: policy },
    });
    acknowledge(this.functionRole, [`AwsSolutions-IAM5[Resource::${asNagShows(this, rule)}]`],
      'The rules are named by a pattern under the stack\'s account and region and limited by a condition to those tagged with the stack\'s id ' +
      '(their ARNs are made when the function creates them).');
    acknowledge(this.functionRole, inPacks('IAMNoInlinePolicy', REGULATED),
      'The policy belongs to this one role and changes with the stack\'s listeners: inline, it is created and deleted with the role, before the ' +
      'function that uses it, and holds up to 10,240 characters (a managed policy 6,144), room for the ARN of every listener of the stack.');

    // The function as one resource: it follows its role by its ARN, with no DependsOn and nothing the
    // feature flags of aws-cdk-lib add to a Function construct. Its code is inline: no asset to stage
    // at synth, nothing to upload at deploy.
    this.handler = new lambda.CfnFunction(this, 'Function', {
      runtime: nodeRuntime(this),
      handler: 'index.handler',
      code: { zipFile: handlerSource() },
      role: this.functionRole.roleArn,
      timeout: FUNCTION_TIMEOUT.toSeconds(),
      loggingConfig: { logGroup: this.logGroup.ref },
      description: 'Writes the listener rules of PrivateFargateBehindAlb services, keeping the weights ECS set',
    });
    this.serviceToken = this.handler.attrArn;
    acknowledge(this.handler, ['AwsSolutions-L1'],
      'The runtime is aws-cdk-lib\'s regional fact LATEST_NODE_RUNTIME, the newest Node.js runtime every region of the stack\'s partition offers; ' +
      'a newer aws-cdk-lib moves it on. The handler uses only the runtime\'s own AWS SDK.');
    acknowledge(this.handler, inPacks('LambdaConcurrency', ['NIST.800.53.R5', 'HIPAA.Security']),
      'The function runs only while CloudFormation creates, changes or deletes a listener rule of the stack. A reserved concurrency would take ' +
      'capacity from the account\'s other functions, and Lambda refuses one that leaves the account less than its minimum unreserved ' +
      'concurrency, which fails the deployment in accounts whose concurrency limit is low.');
    acknowledge(this.handler, inPacks('LambdaDLQ', ['NIST.800.53.R5', 'HIPAA.Security']),
      'CloudFormation invokes the function asynchronously, and the function returns no error: it catches every failure, its own time-out ' +
      'included, and answers FAILED to CloudFormation, which shows the reason on the resource and rolls back. A dead-letter queue would ' +
      'receive only an invocation that crashed, which CloudFormation fails after its ServiceTimeout (5 minutes) anyway.');
  }

  /**
   * The role ECS moves the production traffic with, and calls lifecycle hooks with: made when the first service that
   * shifts traffic or has hooks asks for it, so that a stack whose services all deploy rolling has no such role.
   */
  public get ecsRole(): iam.Role {
    if (this.ownEcsRole) return this.ownEcsRole;
    const trafficPolicy = iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonECSInfrastructureRolePolicyForLoadBalancers');
    const role = new iam.Role(this, 'EcsRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: 'Moves the production traffic of the stack\'s services between their target groups (ECS infrastructure role for load balancers)',
      managedPolicies: [trafficPolicy],
    });
    acknowledge(role, [`AwsSolutions-IAM4[Policy::${asNagShows(this, trafficPolicy.managedPolicyArn)}]`],
      'AmazonECSInfrastructureRolePolicyForLoadBalancers is the policy the ECS developer guide documents for this role; AWS extends it as ECS needs, so a hand-written copy would break deployments when it does.');
    this.ownEcsRole = role;
    return role;
  }

  /** The function's security group when it runs in the VPC (`trafficFunctionInVpc`). */
  public get securityGroup(): ec2.SecurityGroup | undefined {
    return this.inVpcSecurityGroup;
  }

  /**
   * Lets ECS call functions as lifecycle hooks of the stack's services, with the stack's ECS role: the stack's own
   * function (a smoke test) and `functionArn` (a hook of the app's). An inline policy of that role, so that it exists
   * before the services that name the role; it names each function once.
   */
  public allowHooks(functionArn?: string): void {
    if (functionArn !== undefined && !this.hookFunctions.includes(functionArn)) this.hookFunctions.push(functionArn);
    if (functionArn === undefined) this.ownHook = true;
    if (this.hooks) return;
    this.hooks = true;
    const role = this.ecsRole.node.defaultChild as iam.CfnRole;
    role.policies = [...(role.policies as iam.CfnRole.PolicyProperty[] | undefined) ?? [], {
      policyName: 'LifecycleHooks',
      policyDocument: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: Lazy.list({ produce: () => [...(this.ownHook ? [this.handler.attrArn] : []), ...this.hookFunctions] }),
        })],
      }),
    }];
    acknowledge(this.ecsRole, inPacks('IAMNoInlinePolicy', REGULATED),
      'The policy lets ECS call the lifecycle hooks of the stack\'s services (the stack\'s traffic function for smoke tests, and the functions ' +
      'of deploymentHooks), each by its ARN, and belongs to this one role: inline, it is created with the role, before the services that name ' +
      'it, and deleted with it.');
  }

  /** Lets the function create rules on `listener`. */
  public allowRulesOn(listener: elbv2.IApplicationListener): void {
    if (this.listeners.has(listener)) return;
    this.listeners.add(listener);
    this.listenerArns.push(listener.listenerArn);
  }

  /** One retention for the stack's one log group: services that give one must give the same. */
  private useRetention(scope: IConstruct, value: logs.RetentionDays | undefined): void {
    if (value === undefined) return;
    if (this.retention && this.retention.value !== value) {
      fail(scope, `trafficFunctionLogRetention must be the same for every service of a stack, which share one traffic function; received ${value} days, ` +
        `and ${this.retention.holder} gives ${this.retention.value} days. Give the same value, or leave it out on all but one service`);
    }
    this.retention ??= { value, holder: scope.node.path };
  }

  /**
   * One place for the stack's one function: in the VPC (`trafficFunctionInVpc`) or outside. Every service that uses
   * it must say the same (leaving it out is false), and in the VPC they must be in one VPC: the first places it.
   */
  private usePlacement(scope: IConstruct, props: TrafficFunctionProps, vpc: ec2.IVpc | undefined): void {
    const given = props.trafficFunctionInVpc;
    const placed = this.placement;
    if (placed) {
      const said = (value: boolean | undefined) => (value === undefined ? 'leaves it out (false)' : `gives ${value}`);
      if ((placed.given ?? false) !== (given ?? false)) {
        fail(scope, 'trafficFunctionInVpc must be the same for every service of a stack whose listener rules its one function writes; ' +
          `received ${given ?? 'none (false)'}, and ${placed.holder} ${said(placed.given)}. ` +
          `Give trafficFunctionInVpc: ${placed.given ?? false} to this service too, or put it in a stack of its own`);
      }
      if (placed.vpc && vpc && !sameVpc(placed.vpc, vpc)) {
        fail(scope, 'trafficFunctionInVpc places the stack\'s one listener-rule function in the VPC of its services; received a service in ' +
          `${describeVpc(vpc)}, and ${placed.holder} is in ${describeVpc(placed.vpc)}. Put the stack's services in one VPC, or this service ` +
          'in a stack of its own');
      }
      return;
    }
    this.placement = { given, vpc: given ? vpc : undefined, holder: scope.node.path };
    const wildcards = 'The elasticloadbalancing Describe actions accept only the resource *';
    if (!given || !vpc) {
      acknowledge(this.functionRole, ['AwsSolutions-IAM5[Resource::*]'], `${wildcards}.`);
      acknowledge(this.handler, inPacks('LambdaInsideVPC', REGULATED),
        'The function calls only the Elastic Load Balancing API and answers CloudFormation through a presigned S3 URL, so it runs outside the ' +
        'VPC: in subnets with no route to the internet it would need an endpoint for each. trafficFunctionInVpc places it in the tasks\' subnets ' +
        'with those endpoints, for accounts whose policies require functions in a VPC.');
      return;
    }
    acknowledge(this.functionRole, ['AwsSolutions-IAM5[Resource::*]'],
      `${wildcards}, and so do the EC2 actions Lambda documents for the network interfaces of a function in a VPC, which Lambda creates ` +
      'under ids unknown until then (the actions of the managed policy AWSLambdaVPCAccessExecutionRole, without its logs:* on *).');
    this.placeInVpc(scope, props, vpc);
  }

  /**
   * Runs the function in the service's task subnets, with a security group that sends only HTTPS: through the NAT
   * gateway of subnets with egress, else to the VPC's endpoints (elasticloadbalancing, and S3 for CloudFormation's
   * response bucket). Lambda creates the function's network interfaces with the function's role.
   */
  private placeInVpc(scope: IConstruct, props: TrafficFunctionProps, vpc: ec2.IVpc): void {
    const subnets = vpc.selectSubnets(props.taskSubnets ?? privateSubnetsOf(vpc));
    const securityGroup = this.inVpcSecurityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      // EC2 accepts no apostrophe in a group's description.
      description: 'The listener-rule function: HTTPS to the Elastic Load Balancing API and the CloudFormation response bucket only',
      allowAllOutbound: false,
    });
    // With smoke tests the function also requests the load balancers (a changed description replaces the group, which
    // Lambda swaps in place).
    (securityGroup.node.defaultChild as ec2.CfnSecurityGroup).groupDescription = Lazy.string({
      produce: () => (this.ownHook
        ? 'The listener-rule function: HTTPS to the Elastic Load Balancing API and the CloudFormation response bucket, and the smoke tests to the load balancers'
        : 'The listener-rule function: HTTPS to the Elastic Load Balancing API and the CloudFormation response bucket only'),
    });
    const egress = new Set(vpc.privateSubnets.map((subnet) => subnet.subnetId));
    if (subnets.subnets.every((subnet) => egress.has(subnet.subnetId))) {
      securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS APIs through the NAT gateway');
    } else if (props.endpointSecurityGroup) {
      securityGroup.addEgressRule(props.endpointSecurityGroup, ec2.Port.tcp(443), 'HTTPS to the VPC endpoints');
      props.endpointSecurityGroup.addIngressRule(securityGroup, ec2.Port.tcp(443), 'HTTPS to the VPC endpoints from the listener-rule function');
      allowHttpsToGateway(this, securityGroup, 's3');
      warn(scope, 'private-fargate-behind-alb:trafficFunctionEndpoints',
        'trafficFunctionInVpc: the listener-rule function uses endpoints the VPC has already (endpointSecurityGroup), which this app cannot see. ' +
        'Check that the VPC has an elasticloadbalancing interface endpoint with private DNS, and an S3 gateway endpoint on the function\'s ' +
        'subnets whose policy allows s3:PutObject to CloudFormation\'s response bucket (cloudformation-custom-resource-response- and the region ' +
        'without dashes)');
    } else if (props.vpcEndpoints === false) {
      fail(scope, 'trafficFunctionInVpc needs endpoints for the Elastic Load Balancing API and S3 in subnets with no route to the internet; ' +
        'received vpcEndpoints false without endpointSecurityGroup, so the function could reach neither. Replace vpcEndpoints: false with endpointSecurityGroup (the group ' +
        'of the VPC\'s endpoints, which must include elasticloadbalancing and an S3 gateway endpoint allowing CloudFormation\'s response bucket), ' +
        'or leave vpcEndpoints at true, or leave trafficFunctionInVpc at false');
    } else {
      // The service's network made the set already: its tasks use these subnets.
      const endpoints = FargateVpcEndpoints.of(vpc);
      endpoints.addInterfaceEndpoint(ec2.InterfaceVpcEndpointAwsService.ELASTIC_LOAD_BALANCING);
      allowCustomResourceResponses(endpoints);
      endpoints.allowFrom(securityGroup);
      securityGroup.addEgressRule(endpoints.securityGroup, ec2.Port.tcp(443), 'HTTPS to the VPC endpoints');
      allowHttpsToGateway(this, securityGroup, 's3');
      // No rule is written before the function can reach the API and answer.
      this.handler.node.addDependency(endpointsOf(endpoints));
    }
    this.handler.vpcConfig = { subnetIds: subnets.subnetIds, securityGroupIds: [securityGroup.securityGroupId] };
    // The role's second inline policy: Lambda checks at CreateFunction that the role may manage network interfaces.
    const role = this.functionRole.node.defaultChild as iam.CfnRole;
    role.policies = [...(role.policies as iam.CfnRole.PolicyProperty[]), {
      policyName: 'NetworkInterfaces',
      policyDocument: new iam.PolicyDocument({
        statements: [new iam.PolicyStatement({ actions: NETWORK_INTERFACE_ACTIONS, resources: ['*'] })],
      }),
    }];
  }
}

/** The EC2 actions Lambda uses with a function's role to manage its network interfaces in a VPC (Lambda developer guide, "Giving Lambda functions access to resources in an Amazon VPC"). */
const NETWORK_INTERFACE_ACTIONS = [
  'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets',
  'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
];

/** The cdk-nag packs beyond AwsSolutions that regulated accounts run. */
const REGULATED = ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'];

/** The ids of one rule in several cdk-nag packs. */
function inPacks(rule: string, packs: string[]): string[] {
  return packs.map((pack) => `${pack}-${rule}`);
}

/**
 * Acknowledges cdk-nag findings on exactly `construct`, with their reason, as `Validations.acknowledge()` records
 * them: under the metadata key cdk-nag reads. That method itself refuses, on aws-cdk-lib 2.257, an id with more than
 * one `::` (cdklabs/cdk-nag#2351), which cdk-nag gives to findings that name an ARN
 * (`AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/...]`).
 */
function acknowledge(construct: IConstruct, ids: string[], reason: string): void {
  for (const id of ids) construct.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
}

/** A value as cdk-nag writes it in a finding's id: references as `<AWS::Region>`, joins joined (its flattenCfnReference). */
function asNagShows(scope: IConstruct, value: string): string {
  const flat = (node: any): string => {
    if (typeof node === 'string') return node;
    if (node['Fn::Join']) return node['Fn::Join'][1].map(flat).join(node['Fn::Join'][0]);
    // Stryker disable next-line ConditionalExpression: the ARNs it flattens hold only joins and references (to the partition, region and account)
    if (node.Ref) return `<${node.Ref}>`;
    return JSON.stringify(node);
  };
  return flat(Stack.of(scope).resolve(value));
}

const ID = 'PrivateFargateTrafficControl';

/** How long the function's logs are kept unless a service says otherwise. */
const DEFAULT_RETENTION = logs.RetentionDays.ONE_MONTH;
/** The function's timeout; it answers FAILED a few seconds before it. */
const FUNCTION_TIMEOUT = Duration.minutes(2);
/** How long CloudFormation waits for the function's answer: its timeout and a margin for retries of the invocation. */
export const SERVICE_TIMEOUT = Duration.minutes(5);

/**
 * The newest Node.js runtime that every region of the stack's partition offers, as aws-cdk-lib records it
 * (the regional fact of `determineLatestNodeRuntime`, without the runtime it adds to `Runtime.ALL`): the
 * handler is plain JavaScript that uses only the runtime's own AWS SDK. A newer aws-cdk-lib may move it
 * on; nothing a construct of the app declares does.
 */
function nodeRuntime(scope: IConstruct): string {
  return Stack.of(scope).regionalFact(FactName.LATEST_NODE_RUNTIME, lambda.Runtime.NODEJS_22_X.name);
}

let source: string | undefined;

/**
 * The handler's source, read once per process. CloudFormation writes inline code to index.js, a
 * CommonJS module, as the handler is; its limit (a 4 MB zip) is far above the handler's size.
 */
function handlerSource(): string {
  source ??= fs.readFileSync(path.join(__dirname, '..', 'assets', 'listener-rule-handler', 'index.js'), 'utf-8');
  return source;
}

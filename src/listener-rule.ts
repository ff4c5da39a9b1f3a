import * as fs from 'fs';
import * as path from 'path';
import { CustomResource, Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { FactName } from 'aws-cdk-lib/region-info';
import { Construct, IConstruct } from 'constructs';
import { fail } from './validation';

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

/** A target group a rule forwards to, and its weight in the template (ECS changes it later). */
export interface WeightedTargetGroup {
  readonly targetGroup: elbv2.ITargetGroup;
  readonly weight: number;
}

/** The tag the function puts on every rule it creates: the id of the stack whose rule it is. */
export const STACK_TAG = 'private-fargate-behind-alb:stack-id';

/** A listener rule owned by the custom resource `Custom::PrivateFargateListenerRule`. */
export class ListenerRule extends Construct {
  /** The rule's ARN (its physical id). */
  public readonly ruleArn: string;

  constructor(scope: Construct, id: string, listener: elbv2.IApplicationListener, match: RuleMatch, targetGroups: WeightedTargetGroup[]) {
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
      },
    });
    this.ruleArn = resource.ref;
  }
}

/** What the stack's traffic function reads from the construct's props. */
export interface TrafficFunctionProps {
  readonly trafficFunctionLogRetention?: logs.RetentionDays;
}

/**
 * One per stack: the function behind the listener rules with its role and log group, and the role ECS
 * moves traffic with (an ECS infrastructure role for load balancers).
 */
export class TrafficControl extends Construct {
  /** The stack's traffic control, made on first use; `props` are a service's, checked against the other services'. */
  public static of(scope: Construct, props: TrafficFunctionProps = {}): TrafficControl {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(ID);
    const control = existing instanceof TrafficControl ? existing : new TrafficControl(stack, ID);
    control.useRetention(scope, props.trafficFunctionLogRetention);
    return control;
  }

  /** The role ECS modifies the production rules with. */
  public readonly ecsRole: iam.Role;
  /** The role of the function that writes the rules. */
  public readonly functionRole: iam.Role;
  public readonly serviceToken: string;
  private readonly logGroup: logs.CfnLogGroup;
  private readonly listeners = new Set<elbv2.IApplicationListener>();
  private readonly createRules: iam.PolicyStatement;
  private retention?: { value: logs.RetentionDays; holder: string };

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.ecsRole = new iam.Role(this, 'EcsRole', {
      assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
      description: 'Moves the production traffic of the stack\'s services between their target groups (ECS infrastructure role for load balancers)',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonECSInfrastructureRolePolicyForLoadBalancers')],
    });
    Validations.of(this.ecsRole).acknowledge({
      id: 'AwsSolutions-IAM4',
      reason: 'AmazonECSInfrastructureRolePolicyForLoadBalancers is the policy the ECS developer guide documents for this role; AWS extends it as ECS needs, so a hand-written copy would break deployments when it does.',
    });

    // The stack's own log group, deleted with it; a service may set its retention (see useRetention).
    this.logGroup = new logs.CfnLogGroup(this, 'LogGroup', {
      retentionInDays: Lazy.number({ produce: () => this.retention?.value ?? DEFAULT_RETENTION }),
    });
    this.logGroup.applyRemovalPolicy(RemovalPolicy.DESTROY);

    const rule = `arn:${stack.partition}:elasticloadbalancing:${stack.region}:${stack.account}:listener-rule/app/*`;
    const ownRules = { StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: stack.stackId } };
    const tagged = { StringEquals: { [`aws:RequestTag/${STACK_TAG}`]: stack.stackId } };
    this.createRules = new iam.PolicyStatement({ actions: ['elasticloadbalancing:CreateRule'], conditions: tagged });
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetHealth'], resources: ['*'] }),
        // Rules are created on the stack's listeners only, each tagged with the stack's id ...
        this.createRules,
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
    Validations.of(this.functionRole).acknowledge({
      id: 'AwsSolutions-IAM5',
      reason: 'The elasticloadbalancing Describe actions accept only the resource *; the rules are named by a pattern under the stack\'s account and region ' +
        'and limited by a condition to those tagged with the stack\'s id (their ARNs are made when the function creates them).',
    });

    // The function as one resource: it follows its role by its ARN, with no DependsOn and nothing the
    // feature flags of aws-cdk-lib add to a Function construct. Its code is inline: no asset to stage
    // at synth, nothing to upload at deploy.
    const handler = new lambda.CfnFunction(this, 'Function', {
      runtime: nodeRuntime(this),
      handler: 'index.handler',
      code: { zipFile: handlerSource() },
      role: this.functionRole.roleArn,
      timeout: FUNCTION_TIMEOUT.toSeconds(),
      loggingConfig: { logGroup: this.logGroup.ref },
      description: 'Writes the listener rules of PrivateFargateBehindAlb services, keeping the weights ECS set',
    });
    this.serviceToken = handler.attrArn;
  }

  /** Lets the function create rules on `listener`. */
  public allowRulesOn(listener: elbv2.IApplicationListener): void {
    if (this.listeners.has(listener)) return;
    this.listeners.add(listener);
    this.createRules.addResources(listener.listenerArn);
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

import * as fs from 'fs';
import * as path from 'path';
import { CustomResource, Duration, Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/*
 * The listener rules that send a service its requests. ECS moves the weights of a service's production
 * rule on every canary, linear or blue/green deployment, and after an odd one all traffic is on the
 * alternate target group. A rule CloudFormation owns gets the template's weights back on any update
 * that rewrites it (aws-cdk #36649), sending every request to an empty target group. So the rules are
 * a custom resource whose function keeps the weights ECS set (assets/listener-rule-handler), and one
 * role per stack both runs that function and is the role ECS moves traffic with.
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

/**
 * One per stack: the function behind the listener rules, and the role it runs with, which is also the
 * role ECS moves traffic with (an ECS infrastructure role). The role may change the rules of the
 * stack's listeners and register targets in the stack's traffic-shifting target groups, nothing else.
 */
export class TrafficControl extends Construct {
  /** The stack's traffic control, made on first use. */
  public static of(scope: Construct): TrafficControl {
    const stack = Stack.of(scope);
    const existing = stack.node.tryFindChild(ID);
    return existing instanceof TrafficControl ? existing : new TrafficControl(stack, ID);
  }

  public readonly role: iam.Role;
  public readonly serviceToken: string;
  private readonly policy = new iam.PolicyDocument();
  private readonly listeners = new Set<elbv2.IApplicationListener>();
  /*
   * One statement per right, each listing the listeners, rules or target groups of every service: the
   * role's inline policy grows by the names of a service's resources only (IAM limits a role's inline
   * policies to 10,240 characters).
   */
  private writeRules?: iam.PolicyStatement;
  private registerTargets?: iam.PolicyStatement;
  private targetGroupCount = 0;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.CompositePrincipal(new iam.ServicePrincipal('ecs.amazonaws.com'), new iam.ServicePrincipal('lambda.amazonaws.com')),
      description: 'Writes the listener rules of the stack\'s services and moves their production traffic between target groups',
      // Inline, so the permissions exist before the function and the services that use the role.
      inlinePolicies: { TrafficControl: this.policy },
    });
    this.policy.addStatements(
      new iam.PolicyStatement({
        actions: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules',
          'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:/aws/lambda/*`],
      }),
    );
    // The function as one resource: it follows the role by its ARN, with no DependsOn and nothing the
    // feature flags of aws-cdk-lib add to a Function construct. Its code is inline: no asset to stage
    // at synth, nothing to upload at deploy.
    const handler = new lambda.CfnFunction(this, 'Function', {
      runtime: newestNodeRuntime(),
      handler: 'index.handler',
      code: { zipFile: handlerSource() },
      role: this.role.roleArn,
      timeout: Duration.minutes(2).toSeconds(),
      description: 'Writes the listener rules of PrivateFargateBehindAlb services, keeping the weights ECS set',
    });
    this.serviceToken = handler.attrArn;
    this.node.addValidation({ validate: () => this.validatePolicySize() });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5',
      reason: 'Three wildcards, each as narrow as IAM allows: the elasticloadbalancing Describe actions accept only the resource *; each of ' +
        'the stack\'s listeners and its rules are named by one pattern (the rules\' ARNs are made when the rules are, by the function that needs ' +
        'the role first); the function\'s log group is named after the function, whose name is generated (naming it would make the role depend on the function).',
    });
  }

  /** Lets the role write the rules of `listener`: create them on it, change, reorder and delete them. */
  public allowRulesOn(listener: elbv2.IApplicationListener): void {
    if (this.listeners.has(listener)) return;
    this.listeners.add(listener);
    this.writeRules = this.allow(this.writeRules, ['elasticloadbalancing:CreateRule', 'elasticloadbalancing:ModifyRule',
      'elasticloadbalancing:DeleteRule', 'elasticloadbalancing:SetRulePriorities'], [listenerAndRulesOf(listener)]);
  }

  /** Lets the role (as ECS) register and deregister the tasks in the target groups. */
  public allowTargetsIn(...targetGroups: elbv2.ITargetGroup[]): void {
    this.targetGroupCount += targetGroups.length;
    this.registerTargets = this.allow(this.registerTargets, ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      targetGroups.map((targetGroup) => targetGroup.targetGroupArn));
  }

  /**
   * IAM holds at most 10,240 characters of inline policy per role. The role's policy is the fixed
   * statements and one name per listener and target group; each name is counted at the longest it can
   * resolve to (names of 32 characters; the partition and region of the stack, or the longest there are).
   */
  private validatePolicySize(): string[] {
    const stack = Stack.of(this);
    const partition = Token.isUnresolved(stack.partition) ? 'aws-us-gov'.length : stack.partition.length;
    const region = Token.isUnresolved(stack.region) ? 'ap-southeast-5'.length : stack.region.length;
    // arn:PARTITION:elasticloadbalancing:REGION:ACCOUNT: and the quotes and comma around a name in a list.
    const arn = 'arn:'.length + partition + ':elasticloadbalancing:'.length + region + ':123456789012:'.length + 3;
    const listener = arn + 'listener*/app/'.length + 32 + 1 + 16 + 1 + 16 + 1;
    const targetGroup = arn + 'targetgroup/'.length + 32 + 1 + 16;
    const size = POLICY_FIXED_CHARACTERS + this.listeners.size * listener + this.targetGroupCount * targetGroup;
    if (size <= ROLE_POLICY_LIMIT) return [];
    return [
      `deployment: the stack ${stack.stackName} has ${this.listeners.size} listeners and ${this.targetGroupCount} target groups that shift traffic, ` +
      `whose names can take ${size} characters of the stack's traffic role's policy, more than the ${ROLE_POLICY_LIMIT} IAM allows a role: the ` +
      'deploy would fail. Put some of the services with a canary, linear or blue/green deployment in another stack, or give them Deployment.rolling()',
    ];
  }

  /** The statement of a right with the resources added: the one given, or a new one with the actions, added to the policy. */
  private allow(statement: iam.PolicyStatement | undefined, actions: string[], resources: string[]): iam.PolicyStatement {
    if (statement) {
      statement.addResources(...resources);
      return statement;
    }
    const created = new iam.PolicyStatement({ actions, resources });
    this.policy.addStatements(created);
    return created;
  }
}

const ID = 'PrivateFargateTrafficControl';

/** IAM's limit on the inline policies of a role, in characters without whitespace. */
const ROLE_POLICY_LIMIT = 10_240;
/** The traffic role's policy without its listeners and target groups, at the longest partition and region (measured: about 750). */
const POLICY_FIXED_CHARACTERS = 800;

/**
 * The newest Node.js runtime of the aws-cdk-lib the app is built with (the handler is plain JavaScript
 * that uses only the runtime's own AWS SDK), so the function does not age on a runtime Lambda retires.
 */
function newestNodeRuntime(): string {
  const version = (runtime: lambda.Runtime) => Number(/^nodejs(\d+)\.x$/.exec(runtime.name)?.[1] ?? 0);
  return lambda.Runtime.ALL.reduce((newest, runtime) => (version(runtime) > version(newest) ? runtime : newest)).name;
}

/**
 * A listener and its rules in one name: `...:listener*\/app/NAME/ID/LISTENER*` matches the listener
 * (`...:listener/app/NAME/ID/LISTENER`, which CreateRule names) and its rules
 * (`...:listener-rule/app/NAME/ID/LISTENER/RULE`), and nothing else: listener ids have a fixed length.
 */
function listenerAndRulesOf(listener: elbv2.IApplicationListener): string {
  const arn = listener.listenerArn;
  if (!Token.isUnresolved(arn)) return `${arn.replace(':listener/', ':listener*/')}*`;
  return Fn.join('', [Fn.join(':listener*/', Fn.split(':listener/', arn)), '*']);
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

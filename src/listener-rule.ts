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
    const handler = new lambda.Function(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(__dirname, '..', 'assets', 'listener-rule-handler')),
      role: this.role,
      timeout: Duration.minutes(2),
      description: 'Writes the listener rules of PrivateFargateBehindAlb services, keeping the weights ECS set',
    });
    this.serviceToken = handler.functionArn;
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5',
      reason: 'Three wildcards, each as narrow as IAM allows: the elasticloadbalancing Describe actions accept only the resource *; the rules of ' +
        'the stack\'s listeners are named by listener (their ARNs are made when the rules are, by the function that needs the role first); the ' +
        'function\'s log group is named after the function, whose name is generated (naming it would make the role depend on the function).',
    });
  }

  /** Lets the role write the rules of `listener`: create them on it, change, reorder and delete them. */
  public allowRulesOn(listener: elbv2.IApplicationListener): void {
    if (this.listeners.has(listener)) return;
    this.listeners.add(listener);
    this.policy.addStatements(
      new iam.PolicyStatement({ actions: ['elasticloadbalancing:CreateRule'], resources: [listener.listenerArn] }),
      new iam.PolicyStatement({
        actions: ['elasticloadbalancing:ModifyRule', 'elasticloadbalancing:DeleteRule', 'elasticloadbalancing:SetRulePriorities'],
        resources: [rulesOf(listener)],
      }),
    );
  }

  /** Lets the role (as ECS) register and deregister the tasks in the target groups. */
  public allowTargetsIn(...targetGroups: elbv2.ITargetGroup[]): void {
    this.policy.addStatements(new iam.PolicyStatement({
      actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      resources: targetGroups.map((targetGroup) => targetGroup.targetGroupArn),
    }));
  }
}

const ID = 'PrivateFargateTrafficControl';

/** The ARNs of a listener's rules: `...:listener-rule/app/NAME/ID/LISTENER/*` for `...:listener/app/NAME/ID/LISTENER`. */
function rulesOf(listener: elbv2.IApplicationListener): string {
  const arn = listener.listenerArn;
  if (!Token.isUnresolved(arn)) return `${arn.replace(':listener/', ':listener-rule/')}/*`;
  return Fn.join('', [Fn.join(':listener-rule/', Fn.split(':listener/', arn)), '/*']);
}

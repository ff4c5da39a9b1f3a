/** What the unit tests share: a fresh stack, a synthesized construct, one security group's properties. */
import { App, Environment, Errors, Stack, Stage } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct, IConstruct } from 'constructs';
import { PrivateFargateBehindAlb, PrivateFargateBehindAlbProps } from '../src';

/**
 * An existing VPC imported by its attributes: public and isolated subnets in two AZs of `region`, with the isolated
 * subnets' route tables and a CIDR known at synth.
 */
export function importedVpc(scope: Construct, region = 'us-east-1'): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(scope, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidrBlock: '172.16.0.0/16',
    availabilityZones: [`${region}a`, `${region}b`],
    publicSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
    isolatedSubnetIds: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'],
    isolatedSubnetRouteTableIds: ['rtb-0bbbbbbbbbbbbbbb1', 'rtb-0bbbbbbbbbbbbbbb2'],
  });
}

/** A VPC with both kinds of private subnets, `Egress` (behind one NAT gateway) and `Isolated`, and `Public`, in 2 AZs. */
export function vpcWithBothPrivateKinds(scope: Construct, id = 'Vpc'): ec2.Vpc {
  return new ec2.Vpc(scope, id, {
    maxAzs: 2,
    natGateways: 1,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Egress', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      { name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
}

/**
 * Synthesizes the app of `made` as `cdk synth` does, and returns `made`: a refusal throws here, as
 * aws-cdk-lib's ValidationError that lists each message at its construct's path.
 */
export function synthesized<T extends IConstruct>(made: T): T {
  (made.node.root as Stage).synth({ force: true });
  return made;
}

/**
 * What `cdk synth` refuses in the app of `made`: each message at its construct's path, as aws-cdk-lib's
 * ValidationError lists them; empty when the app synthesizes.
 */
export function refusalsOf(made: IConstruct): string[] {
  try {
    synthesized(made);
    return [];
  } catch (error) {
    if (!Errors.isValidationError(error)) throw error;
    return (error as Error).message.split('\n').slice(1).map((line) => line.trim());
  }
}

/** A stack in a new app, environment-agnostic unless `env` is given. */
export function newStack(env?: Environment): Stack {
  return new Stack(new App(), 'TestStack', { env });
}

/** The template of a stack holding one PrivateFargateBehindAlb named Web. */
export function synth(props?: PrivateFargateBehindAlbProps, env?: Environment): Template {
  const stack = newStack(env);
  new PrivateFargateBehindAlb(stack, 'Web', props);
  return Template.fromStack(stack);
}

/** The properties of the one security group whose description matches `pattern`. */
export function securityGroupProperties(template: Template, pattern: string): any {
  const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup', {
    Properties: { GroupDescription: Match.stringLikeRegexp(pattern) },
  }));
  if (groups.length !== 1) throw new Error(`expected one security group matching ${pattern}; found ${groups.length}`);
  return groups[0].Properties;
}

/** A listener rule of the library's custom resource, as a test reads it. */
export interface RuleView {
  readonly id: string;
  readonly listener: unknown;
  readonly priority: number;
  readonly hosts?: string[];
  readonly paths?: string[];
  /** Each target group's logical id (for a Ref) and weight. */
  readonly targetGroups: Array<[string, number]>;
}

/** The listener rules (Custom::PrivateFargateListenerRule) of a template. */
export function listenerRules(template: Template): RuleView[] {
  return Object.entries(template.findResources('Custom::PrivateFargateListenerRule')).map(([id, rule]) => {
    const conditions: any[] = rule.Properties.Conditions;
    return {
      id,
      listener: rule.Properties.ListenerArn,
      priority: rule.Properties.Priority,
      hosts: conditions.find((c) => c.Field === 'host-header')?.HostHeaderConfig.Values,
      paths: conditions.find((c) => c.Field === 'path-pattern')?.PathPatternConfig.Values,
      targetGroups: rule.Properties.TargetGroups.map((tg: any) => [tg.TargetGroupArn.Ref ?? tg.TargetGroupArn, tg.Weight]),
    };
  });
}

/** The statements the execution role the construct makes holds in itself (its inline policy `Granted`). */
export function executionRoleStatements(template: Template, service = 'Web'): any[] {
  const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([id]) => id.startsWith(`${service}ExecutionRole`));
  if (roles.length !== 1) throw new Error(`expected one execution role of ${service}; found ${roles.length}`);
  return roles[0][1].Properties.Policies.find((policy: any) => policy.PolicyName === 'Granted').PolicyDocument.Statement;
}

import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Fact, FactName } from 'aws-cdk-lib/region-info';
import { importedVpc, listenerRules, newStack, refusalsOf, synth, synthesized } from './helpers';
import { Deployment, FargateVpcEndpoints, PrivateFargateBehindAlb, PrivateFargateBehindAlbProps } from '../src';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1';

/** The DeploymentConfiguration of the one service of the template. */
function deploymentConfiguration(template: Template): any {
  const services = Object.values(template.findResources('AWS::ECS::Service'));
  expect(services).toHaveLength(1);
  return services[0].Properties.DeploymentConfiguration;
}

/** The logical IDs of the target groups each alarm of the template watches, by alarm id (without its hash). */
function watchedTargetGroups(template: Template): Record<string, string[]> {
  return Object.fromEntries(Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, alarm]) => {
    const dimensions: any[][] = alarm.Properties.Metrics?.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.Dimensions)
      ?? [alarm.Properties.Dimensions];
    const groups = dimensions.map((d) => d.find((dimension: any) => dimension.Name === 'TargetGroup').Value['Fn::GetAtt'][0]);
    return [id.replace(/[0-9A-F]{8}$/, ''), [...new Set(groups)].sort()];
  }));
}

/** The metric math of the one alarm whose id starts with `prefix`: its expressions and metrics by id. */
function alarmMetrics(template: Template, prefix: string): Record<string, any> {
  const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith(prefix));
  expect(alarms).toHaveLength(1);
  return Object.fromEntries(alarms[0][1].Properties.Metrics.map((m: any) => [m.Id, m]));
}

const circuitBreaker = { Enable: true, Rollback: true };
const alarmsWithRollback = (count: number) => ({
  AlarmNames: Array.from({ length: count }, () => ({ Ref: expect.stringMatching(/Alarm/) })),
  Enable: true,
  Rollback: true,
});

describe('each strategy reaches the service', () => {
  test('the default is a canary: 10 % of the traffic for 5 minutes, then the rest, the old tasks kept 5 minutes, alarms rolling back', () => {
    const template = synth();

    expect(deploymentConfiguration(template)).toEqual({
      Strategy: 'CANARY',
      CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 },
      BakeTimeInMinutes: 5,
      Alarms: alarmsWithRollback(3),
      DeploymentCircuitBreaker: circuitBreaker,
      // Written without hooks too: ECS keeps hooks a template stops naming.
      LifecycleHooks: [],
      MaximumPercent: 200,
      MinimumHealthyPercent: 100,
    });
  });

  test('Deployment.rolling() replaces tasks in one target group, with the circuit breaker and the alarms of that target group rolling back', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web', { deployment: Deployment.rolling() });

    const template = Template.fromStack(stack);
    // ROLLING is written: a strategy that disappears from the template is kept by ECS.
    expect(deploymentConfiguration(template)).toEqual({
      Strategy: 'ROLLING',
      Alarms: alarmsWithRollback(3),
      DeploymentCircuitBreaker: circuitBreaker,
      // Written without hooks too: ECS keeps hooks a template stops naming.
      LifecycleHooks: [],
      MaximumPercent: 200,
      MinimumHealthyPercent: 100,
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
    template.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [Match.objectLike({ AdvancedConfiguration: Match.absent() })] });
    expect(web.alternateTargetGroup).toBeUndefined();
    // Its production rule forwards to the one target group: the same resource as a canary's, so that a switch is a
    // change of the rule the function can refuse, made before the service's (the service waits for it).
    expect(listenerRules(template)).toEqual([{
      id: expect.stringMatching(/^WebProductionRule/),
      listener: { Ref: expect.stringMatching(/^WebListener/) },
      priority: 50000,
      paths: ['/*'],
      targetGroups: [[expect.stringMatching(/^WebTargetGroup/), 100]],
    }]);
    const [service] = Object.values(template.findResources('AWS::ECS::Service'));
    expect(service.DependsOn).toContainEqual(expect.stringMatching(/^WebProductionRule/));
  });

  // The mistakes: no dependency (the rule would move off the port-80 listener before that listener redirects), or one on
  // its own listener only. The rule waits for the service's other listeners, and only those.
  test('the production rule of a service with a domain depends on its port-80 listener, and on no other', () => {
    const stack = newStack({ account: '123456789012', region: 'us-east-1' });
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    new PrivateFargateBehindAlb(stack, 'Web', { domainName: 'shop.example.com', hostedZone });
    const template = Template.fromStack(stack);

    const listeners = template.findResources('AWS::ElasticLoadBalancingV2::Listener');
    const redirect = Object.keys(listeners).filter((id) => listeners[id].Properties.Port === 80);
    expect(redirect).toHaveLength(1);
    const rules = Object.values(template.findResources('Custom::PrivateFargateListenerRule'));
    expect(rules).toHaveLength(1);
    expect(rules[0].DependsOn).toEqual(redirect);
  });

  // The mistake: a production rule of another id for rolling (a replacement, not an update, of the rule on a switch).
  test('canary and rolling give the production rule the same logical id', () => {
    const ruleIds = (deployment?: Deployment) => Object.keys(synth({ deployment }).findResources('Custom::PrivateFargateListenerRule'));

    expect(ruleIds(Deployment.rolling())).toEqual(ruleIds());
    expect(ruleIds(Deployment.rolling())).toHaveLength(1);
  });

  test('Deployment.canary() takes its traffic percent, step bake time and bake time', () => {
    const template = synth({
      deployment: Deployment.canary({ trafficPercent: 2.5, stepBakeTime: Duration.minutes(15), bakeTime: Duration.minutes(30) }),
    });

    expect(deploymentConfiguration(template)).toMatchObject({
      Strategy: 'CANARY',
      CanaryConfiguration: { CanaryPercent: 2.5, CanaryBakeTimeInMinutes: 15 },
      BakeTimeInMinutes: 30,
    });
  });

  test('Deployment.linear() shifts 25 % every 3 minutes by default, the old tasks kept 5 minutes', () => {
    expect(deploymentConfiguration(synth({ deployment: Deployment.linear() }))).toEqual({
      Strategy: 'LINEAR',
      LinearConfiguration: { StepPercent: 25, StepBakeTimeInMinutes: 3 },
      BakeTimeInMinutes: 5,
      Alarms: alarmsWithRollback(3),
      DeploymentCircuitBreaker: circuitBreaker,
      // Written without hooks too: ECS keeps hooks a template stops naming.
      LifecycleHooks: [],
      MaximumPercent: 200,
      MinimumHealthyPercent: 100,
    });
  });

  test('Deployment.linear() takes its step percent, step bake time and bake time', () => {
    const template = synth({ deployment: Deployment.linear({ stepPercent: 10, stepBakeTime: Duration.minutes(1), bakeTime: Duration.minutes(20) }) });

    expect(deploymentConfiguration(template)).toMatchObject({
      Strategy: 'LINEAR',
      LinearConfiguration: { StepPercent: 10, StepBakeTimeInMinutes: 1 },
      BakeTimeInMinutes: 20,
    });
  });

  test('Deployment.blueGreen() moves all traffic at once and keeps the old tasks 5 minutes by default', () => {
    expect(deploymentConfiguration(synth({ deployment: Deployment.blueGreen() }))).toEqual({
      Strategy: 'BLUE_GREEN',
      BakeTimeInMinutes: 5,
      Alarms: alarmsWithRollback(3),
      DeploymentCircuitBreaker: circuitBreaker,
      // Written without hooks too: ECS keeps hooks a template stops naming.
      LifecycleHooks: [],
      MaximumPercent: 200,
      MinimumHealthyPercent: 100,
    });
  });

  test.each([
    ['canary', Deployment.canary({ bakeTime: Duration.minutes(0), stepBakeTime: Duration.minutes(0) })],
    ['linear', Deployment.linear({ bakeTime: Duration.minutes(0), stepBakeTime: Duration.minutes(0) })],
    ['blueGreen', Deployment.blueGreen({ bakeTime: Duration.minutes(0) })],
  ])('a %s deployment writes a bake time of 0 minutes, so ECS does not wait its own default', (_, deployment) => {
    const configuration = deploymentConfiguration(synth({ deployment }));

    expect(configuration.BakeTimeInMinutes).toBe(0);
  });
});

describe('the traffic-shifting strategies', () => {
  /** The logical ids of the roles in `stack` that ECS assumes. */
  const ecsRoles = (stack: Stack) => Object.keys(Template.fromStack(stack).findResources('AWS::IAM::Role', {
    Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] } },
  }));

  test('the alternate target group is a copy of the target group, and a production rule forwards every request to both', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web', { port: 8080 });

    const template = Template.fromStack(stack);
    const groups = Object.entries(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup'));
    expect(groups.map(([id]) => id).sort()).toEqual(['WebAlternateTargetGroupB211FDA6', 'WebTargetGroupFE6444AE']);
    expect(groups[0][1].Properties).toEqual(groups[1][1].Properties);
    expect(stack.resolve(web.alternateTargetGroup!.targetGroupArn)).toEqual({ Ref: 'WebAlternateTargetGroupB211FDA6' });
    expect(listenerRules(template)).toEqual([{
      id: expect.stringMatching(/^WebProductionRule/),
      listener: { Ref: 'WebListenerAEEC7462' },
      priority: 50000,
      hosts: undefined,
      paths: ['/*'],
      targetGroups: [['WebTargetGroupFE6444AE', 100], ['WebAlternateTargetGroupB211FDA6', 0]],
    }]);
    // The listener's default action stays a forward to the target group.
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 8080,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'WebTargetGroupFE6444AE' } }],
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [{
        ContainerName: 'web',
        ContainerPort: 8080,
        TargetGroupArn: { Ref: 'WebTargetGroupFE6444AE' },
        AdvancedConfiguration: {
          AlternateTargetGroupArn: { Ref: 'WebAlternateTargetGroupB211FDA6' },
          ProductionListenerRule: { Ref: Match.stringLikeRegexp('^WebProductionRule') },
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PrivateFargateTrafficControlEcsRole'), 'Arn'] },
        },
      }],
    });
  });

  // The mistakes: one role for two principals (whoever passes it to a function rewrites every rule ECS may), and ECS's
  // rights written by hand (AWS extends the managed policy as ECS needs; a copy breaks deployments when it does).
  test('ECS moves traffic with a role of its own: trusted by ecs.amazonaws.com only, with the managed policy AWS documents for it and nothing else', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web', { deployment: Deployment.linear() });
    new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, port: 8080 });

    const template = Template.fromStack(stack);
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('ECS infrastructure role') } });
    expect(Object.keys(roles)).toEqual([expect.stringMatching(/^PrivateFargateTrafficControlEcsRole/)]);
    const [role] = Object.values(roles);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' } },
    ]);
    expect(role.Properties.ManagedPolicyArns).toEqual([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers']] },
    ]);
    expect(role.Properties.Policies).toBeUndefined();
    expect(Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('TrafficControlEcsRole'))).toEqual([]);
    // Both services' ECS configurations name it.
    const roleArns = Object.values(template.findResources('AWS::ECS::Service')).map((s) => s.Properties.LoadBalancers[0].AdvancedConfiguration.RoleArn);
    expect(roleArns).toEqual([{ 'Fn::GetAtt': [Object.keys(roles)[0], 'Arn'] }, { 'Fn::GetAtt': [Object.keys(roles)[0], 'Arn'] }]);
  });

  // A role with ELB's rule rights that nothing uses is a role too many: rolling services never hand it to ECS.
  test('ECS\'s role exists only in a stack with a service that shifts traffic: none when every service deploys rolling', () => {
    const rolling = newStack();
    const web = new PrivateFargateBehindAlb(rolling, 'Web', { deployment: Deployment.rolling() });
    new PrivateFargateBehindAlb(rolling, 'Api', { vpc: web.vpc, deployment: Deployment.rolling() });
    expect(ecsRoles(rolling)).toEqual([]);
    // The rules' function is there all the same: the rolling services' production rules are its.
    expect(Object.keys(Template.fromStack(rolling).findResources('Custom::PrivateFargateListenerRule'))).toHaveLength(2);

    const mixed = newStack();
    const first = new PrivateFargateBehindAlb(mixed, 'Web', { deployment: Deployment.rolling() });
    new PrivateFargateBehindAlb(mixed, 'Api', { vpc: first.vpc, deployment: Deployment.blueGreen() });
    new PrivateFargateBehindAlb(mixed, 'Admin', { vpc: first.vpc });
    const [role] = ecsRoles(mixed);
    expect(ecsRoles(mixed)).toEqual([expect.stringMatching(/^PrivateFargateTrafficControlEcsRole/)]);
    const roleArns = Object.values(Template.fromStack(mixed).findResources('AWS::ECS::Service'))
      .map((s) => s.Properties.LoadBalancers[0].AdvancedConfiguration?.RoleArn);
    expect(roleArns).toEqual([undefined, { 'Fn::GetAtt': [role, 'Arn'] }, { 'Fn::GetAtt': [role, 'Arn'] }]);
  });
  // The role is a stack's own, made on its first service that shifts traffic. The mistakes: one role per app (a stack
  // of rolling services given the role another stack asked for, or a service naming a role of another stack).
  test('ECS\'s role is per stack: of two stacks on one imported VPC (its endpoints in a third), the rolling one has none and the canary one its own', () => {
    const app = new App();
    const network = new Stack(app, 'Network');
    new FargateVpcEndpoints(network, 'Endpoints', { vpc: importedVpc(network) });
    const rolling = new Stack(app, 'Rolling');
    const canary = new Stack(app, 'Canary');
    new PrivateFargateBehindAlb(rolling, 'Web', { vpc: importedVpc(rolling), deployment: Deployment.rolling() });
    new PrivateFargateBehindAlb(canary, 'Api', { vpc: importedVpc(canary) });
    expect(refusalsOf(canary)).toEqual([]);

    const loadBalancersOf = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::ECS::Service'))
      .map((service) => service.Properties.LoadBalancers[0]);
    expect(ecsRoles(rolling)).toEqual([]);
    expect(loadBalancersOf(rolling).map((lb) => lb.AdvancedConfiguration)).toEqual([undefined]);
    const [role] = ecsRoles(canary);
    expect(ecsRoles(canary)).toEqual([expect.stringMatching(/^PrivateFargateTrafficControlEcsRole/)]);
    expect(loadBalancersOf(canary).map((lb) => lb.AdvancedConfiguration.RoleArn)).toEqual([{ 'Fn::GetAtt': [role, 'Arn'] }]);
  });

  // The mistakes: rights named by listener (a rule the cleanup pass deletes after its listener left the stack is denied and
  // stays, serving), rights on every rule of a shared listener (another stack's rules), a role that creates untagged rules.
  test('the function\'s role creates rules on the stack\'s listeners only, tagged with the stack\'s id, and changes or deletes only the rules with that tag, wherever they are', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web', { deployment: Deployment.linear() });
    new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, port: 8080 });

    const template = Template.fromStack(stack);
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('Runs the function') } });
    expect(Object.keys(roles)).toEqual([expect.stringMatching(/^PrivateFargateTrafficControlFunctionRole/)]);
    const [role] = Object.values(roles);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const rules = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':elasticloadbalancing:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':listener-rule/app/*']] };
    const stackTag = { 'aws:RequestTag/private-fargate-behind-alb:stack-id': { Ref: 'AWS::StackId' } };
    const [logGroup] = Object.keys(template.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Delete' }))
      .filter((id) => id.startsWith('PrivateFargateTrafficControl'));
    expect(role.Properties.Policies).toEqual([{
      PolicyName: 'ListenerRules',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetHealth'], Resource: '*' },
          {
            Effect: 'Allow',
            Action: 'elasticloadbalancing:CreateRule',
            Condition: { StringEquals: stackTag },
            Resource: [{ Ref: expect.stringMatching(/^WebListener/) }, { Ref: expect.stringMatching(/^ApiListener/) }],
          },
          {
            Effect: 'Allow',
            Action: 'elasticloadbalancing:AddTags',
            Condition: { StringEquals: { ...stackTag, 'elasticloadbalancing:CreateAction': 'CreateRule' } },
            Resource: rules,
          },
          {
            Effect: 'Allow',
            Action: ['elasticloadbalancing:ModifyRule', 'elasticloadbalancing:DeleteRule', 'elasticloadbalancing:SetRulePriorities'],
            Condition: { StringEquals: { 'aws:ResourceTag/private-fargate-behind-alb:stack-id': { Ref: 'AWS::StackId' } } },
            Resource: rules,
          },
          { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroup, 'Arn'] } },
        ],
      },
    }]);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Role: { 'Fn::GetAtt': [Object.keys(roles)[0], 'Arn'] },
      LoggingConfig: { LogGroup: { Ref: logGroup } },
    });
    // The tag the policy reads is the one the function writes.
    const handlerSource = fs.readFileSync(path.join(__dirname, '..', 'assets', 'listener-rule-handler', 'index.js'), 'utf-8');
    expect(handlerSource).toContain('const STACK_TAG = \'private-fargate-behind-alb:stack-id\';');
  });

  // The mistake: a policy that lists every service's target groups, which refused a stack's 24th canary service (IAM's
  // 10,240 characters of inline policy per role) long before CloudFormation's 500 resources.
  test('the function\'s policy does not grow with the services of a shared listener, and names one listener per service with a listener of its own', () => {
    const policyOf = (services: number, shared: boolean) => {
      const stack = newStack();
      const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
      const web = new PrivateFargateBehindAlb(stack, 'Web', { deploymentAlarms: false, image: ecs.ContainerImage.fromRegistry(IMAGE), ...(shared ? { certificate, domainName: 'web.example.com' } : {}) });
      for (let i = 1; i < services; i++) {
        new PrivateFargateBehindAlb(stack, `Service${i}`, {
          loadBalancer: web.loadBalancer,
          deploymentAlarms: false,
          image: ecs.ContainerImage.fromRegistry(IMAGE),
          port: 8080 + i,
          ...(shared ? { certificate, domainName: `s${i}.example.com` } : {}),
        });
      }
      const [role] = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('Runs the function') } }));
      return role.Properties.Policies[0].PolicyDocument;
    };

    expect(policyOf(4, true)).toEqual(policyOf(2, true));
    expect([policyOf(2, false), policyOf(3, false)].map((policy) => [policy.Statement[1].Resource].flat().length)).toEqual([2, 3]);
  });

  test('as many canary services as CloudFormation\'s 500 resources allow, each with its own load balancer, fit one stack: the role\'s policy is not the bound', () => {
    const build = (services: number) => {
      const stack = newStack();
      const vpc = new PrivateFargateBehindAlb(stack, 'Service0', { image: ecs.ContainerImage.fromRegistry(IMAGE) }).vpc;
      for (let i = 1; i < services; i++) new PrivateFargateBehindAlb(stack, `Service${i}`, { vpc, image: ecs.ContainerImage.fromRegistry(IMAGE) });
      return Template.fromStack(stack).toJSON();
    };
    const template = build(23);
    const count = Object.keys(template.Resources).length;
    const perService = count - Object.keys(build(22).Resources).length;

    // One more service would pass CloudFormation's 500 resources.
    expect(count).toBeLessThanOrEqual(500);
    expect(count + perService).toBeGreaterThan(500);
    const [role] = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::IAM::Role' && /Runs the function/.test(r.Properties.Description));
    // Each name at the longest it can resolve to (a listener ARN in aws-us-gov and the longest region name is under 150 characters).
    const longest = JSON.stringify(role.Properties.Policies).replace(/\{"Ref":"[^"]+"\}/g, `"${'x'.repeat(150)}"`).replace(/\{"Fn::[^{}]*\}/g, '"x"');
    expect(longest.length).toBeLessThan(10_240);
  });

  // The mistake: logs in a group Lambda makes itself, which never expires and outlives the stack.
  test('the function logs to a log group of the stack: kept a month by default, deleted with the stack, and the retention a service gives', () => {
    const logGroupOf = (template: Template) => Object.entries(template.findResources('AWS::Logs::LogGroup'))
      .filter(([id]) => id.startsWith('PrivateFargateTrafficControlLogGroup')).map(([, group]) => group);

    expect(logGroupOf(synth())).toEqual([{ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 }, DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' }]);
    expect(logGroupOf(synth({ trafficFunctionLogRetention: logs.RetentionDays.ONE_WEEK }))[0].Properties).toEqual({ RetentionInDays: 7 });
  });

  test('services of one stack that give different retentions for the one function are refused; the same value, or one service giving it, synthesizes', () => {
    const build = (api: logs.RetentionDays | undefined) => () => {
      const stack = newStack();
      const web = new PrivateFargateBehindAlb(stack, 'Web', { trafficFunctionLogRetention: logs.RetentionDays.ONE_WEEK });
      new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, port: 8080, trafficFunctionLogRetention: api });
      return Template.fromStack(stack);
    };

    expect(build(logs.RetentionDays.ONE_YEAR)).toThrow(
      '[TestStack/Api] trafficFunctionLogRetention must be the same for every service of a stack, which share one traffic function; received 365 days, ' +
      'and TestStack/Web gives 7 days. Give the same value, or leave it out on all but one service');
    for (const api of [logs.RetentionDays.ONE_WEEK, undefined]) {
      const groups = Object.entries(build(api)().findResources('AWS::Logs::LogGroup')).filter(([id]) => id.startsWith('PrivateFargateTrafficControl'));
      expect(groups.map(([, group]) => group.Properties.RetentionInDays)).toEqual([7]);
    }
  });

  // The mistake: a custom resource without ServiceTimeout, which leaves CloudFormation waiting an hour for a lost answer.
  test('CloudFormation waits at most 5 minutes for the function\'s answer, more than the function\'s own 2-minute timeout', () => {
    const template = synth();

    template.hasResourceProperties('Custom::PrivateFargateListenerRule', { ServiceTimeout: '300' });
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Timeout: 120 });
  });

  // The mistakes: the code as a file asset (an upload to the bootstrap bucket on every deploy, and a bucket the app must
  // have), or another file than the handler the tests run.
  test('the function\'s code is the handler itself, inline in the template: the deployment uploads no file for it', () => {
    const stack = newStack();
    new PrivateFargateBehindAlb(stack, 'Web', { image: ecs.ContainerImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1') });

    const [handler] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
    const source = fs.readFileSync(path.join(__dirname, '..', 'assets', 'listener-rule-handler', 'index.js'), 'utf-8');
    expect(handler.Properties.Code).toEqual({ ZipFile: source });
    // CloudFormation writes inline code to index.js, a CommonJS module.
    expect(source).toMatch(/^module\.exports = \{ handler,/m);
    const assembly = stack.node.root as App;
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.synth().directory, `${stack.stackName}.assets.json`), 'utf-8'));
    // The one file of the deployment is the template.
    expect(Object.values<any>(manifest.files).map((file) => file.source.path)).toEqual([`${stack.stackName}.template.json`]);
  });

  test('an ordinary update (a new environment variable) leaves the listener rule and the target groups as they were, so the weights ECS set stay', () => {
    const before = synth({ environment: { RELEASE: '1' } }).toJSON().Resources;
    const after = synth({ environment: { RELEASE: '2' } }).toJSON().Resources;

    const of = (resources: Record<string, any>, type: string) =>
      Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type === type));
    expect(Object.keys(of(after, 'Custom::PrivateFargateListenerRule'))).toHaveLength(1);
    expect(of(after, 'Custom::PrivateFargateListenerRule')).toEqual(of(before, 'Custom::PrivateFargateListenerRule'));
    expect(of(after, 'AWS::ElasticLoadBalancingV2::TargetGroup')).toEqual(of(before, 'AWS::ElasticLoadBalancingV2::TargetGroup'));
    // The update itself did reach the template.
    expect(of(after, 'AWS::ECS::TaskDefinition')).not.toEqual(of(before, 'AWS::ECS::TaskDefinition'));
  });

  // The mistakes: the highest nodejsNN.x of lambda.Runtime.ALL, which any construct of the app extends and which lists
  // runtimes before every region has them (nodejs24.x deployed where the regional fact says nodejs22.x).
  test('the function runs on aws-cdk-lib\'s newest Node.js runtime for the stack\'s region, whatever runtime another construct of the app declares', () => {
    const runtimeIn = (region: string | undefined) => {
      const app = new App();
      new lambda.Runtime('nodejs99.x', lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true });
      const stack = new Stack(app, 'Stack', { env: region ? { account: '123456789012', region } : undefined });
      new PrivateFargateBehindAlb(stack, 'Web');
      const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
      return stack.resolve(fn.Properties.Runtime);
    };
    const fact = (region: string) => Fact.find(region, FactName.LATEST_NODE_RUNTIME) ?? lambda.Runtime.NODEJS_22_X.name;

    for (const region of ['cn-north-1', 'us-gov-west-1', 'eu-west-1']) expect(runtimeIn(region)).toBe(fact(region));
    expect(lambda.Runtime.ALL.map((r) => r.name)).toContain('nodejs99.x');
    expect(runtimeIn('cn-north-1')).toMatch(/^nodejs\d+\.x$/);
    // In a stack of no region, the one runtime every region has (or a lookup by region, when they differ).
    const agnostic = runtimeIn(undefined);
    expect(typeof agnostic === 'string' ? agnostic : agnostic['Fn::FindInMap'][0]).toMatch(/^(nodejs\d+\.x|LatestNodeRuntimeMap)$/);
  });

  test('no CloudFormation listener rule holds weights: the rule is the custom resource whose function keeps the weights ECS set', () => {
    const template = synth();

    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    template.hasResource('Custom::PrivateFargateListenerRule', {
      Properties: { ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PrivateFargateTrafficControlFunction'), 'Arn'] } },
    });
  });

  test('with a certificate the production rule is on the HTTPS listener, and the redirect listener has no rule', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Certificate', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    new PrivateFargateBehindAlb(stack, 'Web', { certificate, deployment: Deployment.blueGreen() });

    const template = Template.fromStack(stack);
    const listeners = template.findResources('AWS::ElasticLoadBalancingV2::Listener');
    const https = Object.keys(listeners).find((id) => listeners[id].Properties.Port === 443);
    expect(listenerRules(template).map((rule) => rule.listener)).toEqual([{ Ref: https }]);
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'BLUE_GREEN' }),
      LoadBalancers: [Match.objectLike({ AdvancedConfiguration: Match.objectLike({ ProductionListenerRule: { Ref: Match.anyValue() } }) })],
    });
  });

  test('on a shared load balancer each service shifts traffic on its own listener, with its own target groups and the stack\'s role', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, port: 8080, deployment: Deployment.linear() });

    const template = Template.fromStack(stack);
    const rules = listenerRules(template);
    expect(rules.map((rule) => (rule.listener as any).Ref).sort()).toEqual([
      expect.stringMatching(/^ApiListener/), expect.stringMatching(/^WebListener/),
    ]);
    for (const rule of rules) {
      const service = (rule.listener as any).Ref.startsWith('Api') ? 'Api' : 'Web';
      expect(rule.targetGroups.map(([group]) => group)).toEqual([
        expect.stringMatching(new RegExp(`^${service}TargetGroup`)), expect.stringMatching(new RegExp(`^${service}AlternateTargetGroup`)),
      ]);
    }
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    expect(Object.keys(template.findResources('AWS::IAM::Role', {
      Properties: { Description: Match.stringLikeRegexp('ECS infrastructure role') },
    }))).toHaveLength(1);
  });
});

describe('deployment alarms', () => {
  test('with rolling they watch the target group: 5xx share, unhealthy targets and response time', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web', { deployment: Deployment.rolling() });

    const template = Template.fromStack(stack);
    expect(watchedTargetGroups(template)).toEqual({
      WebServerErrorsAlarm: ['WebTargetGroupFE6444AE'],
      WebUnhealthyTargetsAlarm: ['WebTargetGroupFE6444AE'],
      WebResponseTimeAlarm: ['WebTargetGroupFE6444AE'],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: '100 * FILL(errors0, 0) / requests0', Label: '5xx percent' }),
        Match.objectLike({ Id: 'errors0', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'HTTPCode_Target_5XX_Count' }), Stat: 'Sum', Period: 60 }) }),
        Match.objectLike({ Id: 'requests0', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'RequestCount' }), Stat: 'Sum', Period: 60 }) }),
      ]),
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 2,
      TreatMissingData: 'notBreaching',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'UnHealthyHostCount',
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Period: 60,
      EvaluationPeriods: 2,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p95',
      Threshold: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      Period: 60,
    });
    // The attribute holds the alarms the service rolls back on.
    expect(web.alarms.map((alarm) => stack.resolve(alarm.alarmName)))
      .toEqual(deploymentConfiguration(template).Alarms.AlarmNames);
  });

  test.each([
    ['canary', Deployment.canary()],
    ['linear', Deployment.linear()],
    ['blueGreen', Deployment.blueGreen()],
  ])('with %s each of the three alarms watches both target groups, since the new tasks land in either', (_, deployment) => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web', { deployment });

    const both = ['WebAlternateTargetGroupB211FDA6', 'WebTargetGroupFE6444AE'];
    expect(watchedTargetGroups(Template.fromStack(stack)))
      .toEqual({ WebServerErrorsAlarm: both, WebUnhealthyTargetsAlarm: both, WebResponseTimeAlarm: both });
    expect(web.alarms).toHaveLength(3);
  });

  test('every metric an alarm reads is the load balancer\'s (AWS/ApplicationELB), and the math an alarm fires on is labelled with what it is', () => {
    const template = synth();
    const labels: Record<string, string | undefined> = {};
    for (const prefix of ['WebServerErrorsAlarm', 'WebUnhealthyTargetsAlarm', 'WebResponseTimeAlarm']) {
      const metrics = Object.values(alarmMetrics(template, prefix));
      const namespaces = metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric.Namespace);
      expect(namespaces.length).toBeGreaterThanOrEqual(2);
      expect(new Set(namespaces)).toEqual(new Set(['AWS/ApplicationELB']));
      labels[prefix] = metrics.find((m: any) => m.ReturnData !== false).Label;
    }
    expect(labels).toEqual({ WebServerErrorsAlarm: '5xx percent', WebUnhealthyTargetsAlarm: 'Unhealthy targets', WebResponseTimeAlarm: 'p95 response time' });
  });

  test('with two target groups, only the math the alarm fires on has a label: the rate of each group inside it is never shown', () => {
    const metrics = Object.values(alarmMetrics(synth(), 'WebServerErrorsAlarm')) as any[];
    const expressions = metrics.filter((metric) => metric.Expression);
    expect(expressions.map((metric) => [metric.Expression, metric.Label])).toEqual([
      ['MAX([group0, group1])', '5xx percent'],
      ['100 * FILL(errors0, 0) / requests0', undefined],
      ['100 * FILL(errors1, 0) / requests1', undefined],
    ]);
  });

  test('the 5xx alarm takes the worse of the two groups\' rates, each of its own group: a canary whose 10 % fails at 30 % still alarms', () => {
    const metrics = alarmMetrics(synth(), 'WebServerErrorsAlarm');

    expect(metrics.expr_1?.Expression ?? Object.values(metrics).find((m: any) => m.ReturnData !== false).Expression).toBe('MAX([group0, group1])');
    const group = (tg: string, errors: string, requests: string) => [errors, requests].map((id) => metrics[id].MetricStat.Metric.Dimensions
      .find((d: any) => d.Name === 'TargetGroup').Value['Fn::GetAtt'][0]).concat(tg);
    expect(metrics.group0.Expression).toBe('100 * FILL(errors0, 0) / requests0');
    expect(metrics.group1.Expression).toBe('100 * FILL(errors1, 0) / requests1');
    expect(group('WebTargetGroupFE6444AE', 'errors0', 'requests0')).toEqual(['WebTargetGroupFE6444AE', 'WebTargetGroupFE6444AE', 'WebTargetGroupFE6444AE']);
    expect(group('WebAlternateTargetGroupB211FDA6', 'errors1', 'requests1'))
      .toEqual(['WebAlternateTargetGroupB211FDA6', 'WebAlternateTargetGroupB211FDA6', 'WebAlternateTargetGroupB211FDA6']);
  });

  test('the alarms name the load balancer by its full-name attribute, not a join of the listener\'s ARN', () => {
    const metrics = alarmMetrics(synth(), 'WebUnhealthyTargetsAlarm');

    expect(metrics.group0.MetricStat.Metric.Dimensions.find((d: any) => d.Name === 'LoadBalancer').Value)
      .toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebLoadBalancer/), 'LoadBalancerFullName'] });
  });

  test('each alarm\'s description says which target groups it watches', () => {
    const descriptions = (deployment: Deployment) => Object.values(synth({ deployment }).findResources('AWS::CloudWatch::Alarm'))
      .map((alarm) => alarm.Properties.AlarmDescription).sort();

    expect(descriptions(Deployment.canary())).toEqual([
      'More than 5 % of the requests to either target group answered 5xx by the targets',
      'The 95th percentile of the response time of either target group above 2 seconds',
      'Unhealthy targets in either target group',
    ]);
    expect(descriptions(Deployment.rolling())).toEqual([
      'More than 5 % of the requests to the target group answered 5xx by the targets',
      'The 95th percentile of the response time of the target group above 2 seconds',
      'Unhealthy targets in the target group',
    ]);
  });

  test('alarmThresholds set the thresholds, period and evaluation periods', () => {
    const template = synth({
      deployment: Deployment.rolling(),
      alarmThresholds: {
        serverErrorPercent: 1,
        unhealthyTargets: 2,
        responseTime: Duration.millis(500),
        period: Duration.minutes(5),
        evaluationPeriods: 3,
      },
    });

    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ Id: 'errors0', MetricStat: Match.objectLike({ Period: 300 }) })]),
      Threshold: 1,
      EvaluationPeriods: 3,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount', Threshold: 2, Period: 300, EvaluationPeriods: 3 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TargetResponseTime', Threshold: 0.5, Period: 300, EvaluationPeriods: 3 });
  });

  test('alarmTopic is told when an alarm fires and when it clears', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic');
    new PrivateFargateBehindAlb(stack, 'Web', { alarmTopic: topic });

    const alarms = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(3);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Topic/) }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/^Topic/) }]);
    }
  });

  test('users can add actions to the alarms', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web', { deployment: Deployment.rolling() });
    const topic = new sns.Topic(stack, 'Pager');

    web.alarms[0].addAlarmAction({ bind: () => ({ alarmActionArn: topic.topicArn }) });

    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('^Pager') }] });
  });

  test('deploymentAlarms false leaves the circuit breaker alone to roll back, with no alarm', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web', { deploymentAlarms: false });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(web.alarms).toEqual([]);
    const configuration = deploymentConfiguration(template);
    expect(configuration.DeploymentCircuitBreaker).toEqual(circuitBreaker);
    // Written as off, not left out: ECS keeps alarms that disappear from the template.
    expect(configuration.Alarms).toEqual({ AlarmNames: [], Enable: false, Rollback: false });
    expect(configuration.Strategy).toBe('CANARY');
  });
});

describe('values refused at synth, and the boundaries accepted', () => {
  const refuses = (props: PrivateFargateBehindAlbProps, message: RegExp) =>
    expect(() => synth(props)).toThrow(message);

  test.each([
    [0, /^ {2}\[TestStack\/Web\] deployment: Deployment\.canary trafficPercent must be a multiple of 0\.1 from 0\.1 to 100; received 0\. Give a percentage such as 10$/m],
    [0.05, /trafficPercent must be a multiple of 0\.1 from 0\.1 to 100; received 0\.05/],
    [10.05, /trafficPercent must be a multiple of 0\.1 from 0\.1 to 100; received 10\.05/],
    [100.1, /trafficPercent must be a multiple of 0\.1 from 0\.1 to 100; received 100\.1/],
  ])('a canary trafficPercent of %s is refused', (trafficPercent, message) => {
    refuses({ deployment: Deployment.canary({ trafficPercent }) }, message);
  });

  test.each([0.1, 0.3, 33.3, 100])('a canary trafficPercent of %s is accepted', (trafficPercent) => {
    const configuration = deploymentConfiguration(synth({ deployment: Deployment.canary({ trafficPercent }) }));

    expect(configuration.CanaryConfiguration.CanaryPercent).toBe(trafficPercent);
  });

  test.each([2.9, 100.5, 12.34])('a linear stepPercent of %s is refused', (stepPercent) => {
    refuses({ deployment: Deployment.linear({ stepPercent }) },
      new RegExp(`deployment: Deployment\\.linear stepPercent must be a multiple of 0\\.1 from 3 to 100; received ${stepPercent}\\. Give a percentage such as 25`));
  });

  test.each([3, 100])('a linear stepPercent of %s is accepted', (stepPercent) => {
    const configuration = deploymentConfiguration(synth({ deployment: Deployment.linear({ stepPercent, stepBakeTime: Duration.minutes(1) }) }));

    expect(configuration.LinearConfiguration.StepPercent).toBe(stepPercent);
  });

  test.each([
    ['a step bake time in seconds', Deployment.canary({ stepBakeTime: Duration.seconds(90) }), /deployment: Deployment\.canary stepBakeTime must be a whole number of minutes from 0 to 1440; received 1 minute 30 seconds\. Give a Duration in minutes, such as Duration\.minutes\(5\)/],
    ['a step bake time over a day', Deployment.linear({ stepBakeTime: Duration.minutes(1441) }), /deployment: Deployment\.linear stepBakeTime must be a whole number of minutes from 0 to 1440; received 1441 minutes/],
    ['a bake time in seconds', Deployment.blueGreen({ bakeTime: Duration.seconds(30) }), /deployment: Deployment\.blueGreen bakeTime must be a whole number of minutes from 0 to 1440; received 30 seconds/],
    ['a bake time over a day', Deployment.canary({ bakeTime: Duration.hours(25) }), /deployment: Deployment\.canary bakeTime must be a whole number of minutes from 0 to 1440; received 1500 minutes/],
  ])('%s is refused', (_, deployment, message) => {
    refuses({ deployment }, message);
  });

  test('bake times of 0 and of 1440 minutes are accepted', () => {
    const configuration = deploymentConfiguration(synth({ deployment: Deployment.blueGreen({ bakeTime: Duration.days(1) }) }));
    expect(configuration.BakeTimeInMinutes).toBe(1440);
    const canary = deploymentConfiguration(synth({ deployment: Deployment.canary({ stepBakeTime: Duration.minutes(0) }) }));
    expect(canary.CanaryConfiguration.CanaryBakeTimeInMinutes).toBe(0);
  });

  test('a canary longer than the 33 hours CloudFormation accepts is refused, and one of exactly 33 hours accepted', () => {
    refuses({ deployment: Deployment.canary({ bakeTime: Duration.minutes(1440), stepBakeTime: Duration.minutes(541) }) },
      /^ {2}\[TestStack\/Web\] deployment: Deployment\.canary must last at most 1980 minutes \(33 hours\), the most CloudFormation accepts; received bakeTime 1440 \+ stepBakeTime 541 = 1981 minutes\. Shorten bakeTime or stepBakeTime$/m);

    const longest = Deployment.canary({ bakeTime: Duration.minutes(1440), stepBakeTime: Duration.minutes(540) });
    const configuration = deploymentConfiguration(synth({ deployment: longest }));
    expect(configuration.BakeTimeInMinutes + configuration.CanaryConfiguration.CanaryBakeTimeInMinutes).toBe(1980);
  });

  test('a linear deployment counts the steps as CloudFormation does: 100 / stepPercent - 1 when it divides evenly, else the floor', () => {
    // 10 %: 9 steps. 180 + 9 x 200 = 1980 is accepted, 180 + 9 x 201 refused.
    synth({ deployment: Deployment.linear({ stepPercent: 10, stepBakeTime: Duration.minutes(200), bakeTime: Duration.minutes(180) }) });
    refuses({ deployment: Deployment.linear({ stepPercent: 10, stepBakeTime: Duration.minutes(201), bakeTime: Duration.minutes(180) }) },
      /Deployment\.linear must last at most 1980 minutes \(33 hours\), the most CloudFormation accepts; received bakeTime 180 \+ stepBakeTime 201 x 9 steps = 1989 minutes\. Shorten bakeTime or stepBakeTime, or give a stepPercent of 11\.2 or more \(fewer steps\)$/m);
    // The way out the message names: 11.2 %, floor(100 / 11.2) = 8 steps, 180 + 8 x 201 = 1788 minutes.
    synth({ deployment: Deployment.linear({ stepPercent: 11.2, stepBakeTime: Duration.minutes(201), bakeTime: Duration.minutes(180) }) });
    // 11 %: floor(100 / 11) = 9 steps as well.
    refuses({ deployment: Deployment.linear({ stepPercent: 11, stepBakeTime: Duration.minutes(201), bakeTime: Duration.minutes(180) }) }, /x 9 steps = 1989 minutes/);
    // 3 %: 33 steps.
    refuses({ deployment: Deployment.linear({ stepPercent: 3, stepBakeTime: Duration.minutes(60) }) }, /bakeTime 5 \+ stepBakeTime 60 x 33 steps = 1985 minutes/);
  });

  test.each([
    [{ serverErrorPercent: 0 }, /^ {2}\[TestStack\/Web\] alarmThresholds serverErrorPercent must be greater than 0 and at most 100; received 0$/m],
    [{ serverErrorPercent: 101 }, /alarmThresholds serverErrorPercent must be greater than 0 and at most 100; received 101/],
    [{ unhealthyTargets: 0 }, /alarmThresholds unhealthyTargets must be an integer of at least 1; received 0/],
    [{ unhealthyTargets: 1.5 }, /alarmThresholds unhealthyTargets must be an integer of at least 1; received 1\.5/],
    [{ evaluationPeriods: 0 }, /alarmThresholds evaluationPeriods must be an integer of at least 1; received 0/],
    [{ responseTime: Duration.seconds(0) }, /alarmThresholds responseTime must be more than 0 and at most 1 hour; received 0 seconds/],
    [{ responseTime: Duration.seconds(3601) }, /alarmThresholds responseTime must be more than 0 and at most 1 hour; received 1 hour 1 second/],
    [{ period: Duration.seconds(30) }, /alarmThresholds period must be a whole number of minutes, at least 1; received 30 seconds\. Give a Duration in minutes, such as Duration\.minutes\(1\)/],
    [{ period: Duration.seconds(90) }, /alarmThresholds period must be a whole number of minutes, at least 1; received 1 minute 30 seconds\./],
    [{ period: Duration.minutes(0) }, /alarmThresholds period must be a whole number of minutes, at least 1; received 0 minutes\./],
    [{ period: Duration.minutes(59), evaluationPeriods: 25 }, /^ {2}\[TestStack\/Web\] alarmThresholds period times evaluationPeriods must be at most one day \(1440 minutes\) with a period under one hour, the longest CloudWatch evaluates; received period 59 minutes x evaluationPeriods 25 = 1475 minutes\. Give at most 24 evaluationPeriods$/m],
    [{ period: Duration.hours(1), evaluationPeriods: 169 }, /^ {2}\[TestStack\/Web\] alarmThresholds period times evaluationPeriods must be at most seven days \(10080 minutes\) with a period of one hour or more, the longest CloudWatch evaluates; received period 60 minutes x evaluationPeriods 169 = 10140 minutes\. Give at most 168 evaluationPeriods$/m],
    [{ period: Duration.days(8), evaluationPeriods: 1 }, /received period 11520 minutes x evaluationPeriods 1 = 11520 minutes\. Give a period of at most 10080 minutes, with evaluationPeriods 1$/],
  ])('alarmThresholds %j are refused', (alarmThresholds, message) => {
    refuses({ alarmThresholds }, message);
  });

  test('the boundary alarm thresholds are accepted', () => {
    const template = synth({
      deployment: Deployment.rolling(),
      alarmThresholds: {
        serverErrorPercent: 100, unhealthyTargets: 1, evaluationPeriods: 24, period: Duration.hours(1), responseTime: Duration.hours(1),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TargetResponseTime', Threshold: 3600, Period: 3600, EvaluationPeriods: 24 });
    // The way out of a period over seven days: seven days, with one evaluation period.
    synth({ deployment: Deployment.rolling(), alarmThresholds: { period: Duration.minutes(10080), evaluationPeriods: 1 } })
      .hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'TargetResponseTime', Period: 604800, EvaluationPeriods: 1 });
  });

  // The mistake: checking period x evaluationPeriods only when evaluationPeriods is given, or with another default than the alarms' 2.
  test('an alarm period is checked against the seven-day limit with the default two evaluation periods', () => {
    refuses({ alarmThresholds: { period: Duration.minutes(5041) } },
      /^ {2}\[TestStack\/Web\] alarmThresholds period times evaluationPeriods must be at most seven days \(10080 minutes\) with a period of one hour or more, the longest CloudWatch evaluates; received period 5041 minutes x evaluationPeriods 2 \(the default\) = 10082 minutes\. Give at most 1 evaluationPeriods$/m);

    const alarms = Object.values(synth({ alarmThresholds: { period: Duration.minutes(5040) } }).findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(3);
    for (const alarm of alarms) {
      const periods = alarm.Properties.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Period);
      expect([alarm.Properties.EvaluationPeriods, new Set(periods)]).toEqual([2, new Set([302400])]);
    }
  });

  // The mistake: checking period x evaluationPeriods only when period is given: with the default period of one minute,
  // evaluationPeriods 1441 synthesized and CloudWatch refused the alarm at deploy.
  test('evaluationPeriods is checked against the one-day limit with the default period of one minute: 1440 accepted, 1441 refused', () => {
    refuses({ alarmThresholds: { evaluationPeriods: 1441 } },
      /^ {2}\[TestStack\/Web\] alarmThresholds period times evaluationPeriods must be at most one day \(1440 minutes\) with a period under one hour, the longest CloudWatch evaluates; received period 1 minute \(the default\) x evaluationPeriods 1441 = 1441 minutes\. Give at most 1440 evaluationPeriods$/m);

    synth({ deployment: Deployment.rolling(), alarmThresholds: { evaluationPeriods: 1440 } })
      .hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount', Period: 60, EvaluationPeriods: 1440 });
  });

  // The mistake: one day for every period (CloudWatch allows seven days from a period of one hour), or seven days for every period.
  test('the limit is one day below a period of one hour and seven days from it: 59 minutes x 24 and 60 minutes x 168 are accepted', () => {
    synth({ deployment: Deployment.rolling(), alarmThresholds: { period: Duration.minutes(59), evaluationPeriods: 24 } })
      .hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount', Period: 3540, EvaluationPeriods: 24 });
    synth({ deployment: Deployment.rolling(), alarmThresholds: { period: Duration.hours(1), evaluationPeriods: 168 } })
      .hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount', Period: 3600, EvaluationPeriods: 168 });
  });

  test('the shortest alarm period, one minute, is accepted', () => {
    synth({ deployment: Deployment.rolling(), alarmThresholds: { period: Duration.minutes(1) } })
      .hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnHealthyHostCount', Period: 60 });
  });

  test.each([
    ['alarmTopic', (props: PrivateFargateBehindAlbProps, stack: any) => ({ ...props, alarmTopic: new sns.Topic(stack, 'Topic') })],
    ['alarmThresholds', (props: PrivateFargateBehindAlbProps) => ({ ...props, alarmThresholds: { serverErrorPercent: 1 } })],
  ])('%s without the deployment alarms is refused', (prop, withProp) => {
    const stack = newStack();
    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Web', withProp({ deploymentAlarms: false }, stack))))
      .toThrow(`[TestStack/Web] ${prop} needs the deployment alarms; received ${prop} with deploymentAlarms false. Remove ${prop}, or leave deploymentAlarms at true`);
  });

  test('a deployment strategy is the ECS one of its factory', () => {
    const deployments = [Deployment.rolling(), Deployment.canary(), Deployment.linear(), Deployment.blueGreen()];

    expect(deployments.map((d) => [d.strategy, d.shiftsTraffic])).toEqual([
      [ecs.DeploymentStrategy.ROLLING, false],
      [ecs.DeploymentStrategy.CANARY, true],
      [ecs.DeploymentStrategy.LINEAR, true],
      [ecs.DeploymentStrategy.BLUE_GREEN, true],
    ]);
  });
});

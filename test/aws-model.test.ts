/**
 * Pins each rule of the AWS models (test/aws) against its documented behaviour: each test would fail if the
 * model were kinder than AWS.
 */
import { App, Stack } from 'aws-cdk-lib';
import { PrivateFargateBehindAlb } from '../src';
import { CloudFormation, Template } from './aws/cloudformation';
import { ElbModel } from './aws/elb';
import { authorizedElb, evaluate, PolicyDocument } from './aws/iam';
import { synthApp } from './rehearsal/synth';

const VPC = 'vpc-0123456789abcdef0';

// The listener rule function logs every call; the tests read the models instead.
beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

async function albWithListener(elb: ElbModel, name = 'web', port = 80) {
  const { LoadBalancers: [lb] } = await elb.createLoadBalancer({ Name: name, Scheme: 'internet-facing' });
  const { TargetGroups: [blue] } = await elb.createTargetGroup({ Name: `${name}-blue`, Protocol: 'HTTP', Port: 80, VpcId: VPC, TargetType: 'ip' });
  const { TargetGroups: [green] } = await elb.createTargetGroup({ Name: `${name}-green`, Protocol: 'HTTP', Port: 80, VpcId: VPC, TargetType: 'ip' });
  const { Listeners: [listener] } = await elb.createListener({
    LoadBalancerArn: lb.LoadBalancerArn, Port: port, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: blue.TargetGroupArn }],
  });
  return { lb, blue, green, listener };
}

const forward = (...groups: Array<[string, number]>) => [{ Type: 'forward', ForwardConfig: { TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })) } }];

describe('ELB model (API reference, quotas page)', () => {
  test('ARNs look like AWS ones', async () => {
    const elb = new ElbModel();
    const { lb, blue, listener } = await albWithListener(elb);
    expect(lb.LoadBalancerArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer\/app\/web\/[0-9a-f]{16}$/);
    expect(listener.ListenerArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:listener\/app\/web\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    expect(blue.TargetGroupArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup\/web-blue\/[0-9a-f]{16}$/);
    const { Rules: [rule] } = await elb.createRule({ ListenerArn: listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/*'] }], Actions: forward([blue.TargetGroupArn, 1]) });
    expect(rule.RuleArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule\/app\/web\/[0-9a-f]{16}\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    expect(rule.RuleArn.startsWith(listener.ListenerArn.replace(':listener/', ':listener-rule/'))).toBe(true);
  });

  test('DescribeRules answers with Priority as a string, Values beside HostHeaderConfig, ForwardConfig with stickiness, Order, and the default rule last', async () => {
    const elb = new ElbModel();
    const { blue, green, listener } = await albWithListener(elb);
    await elb.createRule({
      ListenerArn: listener.ListenerArn,
      Priority: 10,
      Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['a.example.com'] } }],
      Actions: forward([blue.TargetGroupArn, 100], [green.TargetGroupArn, 0]),
    });
    await elb.createRule({ ListenerArn: listener.ListenerArn, Priority: 5, Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }], Actions: [{ Type: 'forward', TargetGroupArn: green.TargetGroupArn }] });
    const { Rules: rules } = await elb.describeRules({ ListenerArn: listener.ListenerArn });
    expect(rules.map((r) => r.Priority)).toEqual(['5', '10', 'default']);
    expect(rules[2].IsDefault).toBe(true);
    expect(rules[1].Conditions).toEqual([{ Field: 'host-header', Values: ['a.example.com'], HostHeaderConfig: { Values: ['a.example.com'] } }]);
    expect(rules[0].Conditions).toEqual([{ Field: 'path-pattern', Values: ['/api/*'], PathPatternConfig: { Values: ['/api/*'] } }]);
    expect(rules[1].Actions).toEqual([{
      Type: 'forward',
      Order: 1,
      ForwardConfig: {
        TargetGroups: [{ TargetGroupArn: blue.TargetGroupArn, Weight: 100 }, { TargetGroupArn: green.TargetGroupArn, Weight: 0 }],
        TargetGroupStickinessConfig: { Enabled: false },
      },
    }]);
    // A single-group forward carries TargetGroupArn besides ForwardConfig.
    expect(rules[0].Actions[0]).toEqual({
      Type: 'forward',
      TargetGroupArn: green.TargetGroupArn,
      Order: 1,
      ForwardConfig: { TargetGroups: [{ TargetGroupArn: green.TargetGroupArn, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } },
    });
  });

  test('DescribeRules pages with PageSize and NextMarker, up to 400, and needs a listener or rules', async () => {
    const elb = new ElbModel();
    const { blue, listener } = await albWithListener(elb);
    for (let p = 1; p <= 4; p++) {
      await elb.createRule({ ListenerArn: listener.ListenerArn, Priority: p, Conditions: [{ Field: 'path-pattern', Values: [`/${p}`] }], Actions: forward([blue.TargetGroupArn, 1]) });
    }
    const first = await elb.describeRules({ ListenerArn: listener.ListenerArn, PageSize: 2 });
    expect(first.Rules.map((r) => r.Priority)).toEqual(['1', '2']);
    expect(first.NextMarker).toBeDefined();
    const second = await elb.describeRules({ ListenerArn: listener.ListenerArn, PageSize: 2, Marker: first.NextMarker });
    expect(second.Rules.map((r) => r.Priority)).toEqual(['3', '4']);
    const third = await elb.describeRules({ ListenerArn: listener.ListenerArn, PageSize: 2, Marker: second.NextMarker });
    expect(third.Rules.map((r) => r.Priority)).toEqual(['default']);
    expect(third.NextMarker).toBeUndefined();
    await expect(elb.describeRules({ ListenerArn: listener.ListenerArn, PageSize: 401 })).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(elb.describeRules({})).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(elb.describeRules({ RuleArns: [`${listener.ListenerArn.replace(':listener/', ':listener-rule/')}/0000000000000000`] })).rejects.toMatchObject({ name: 'RuleNotFoundException' });
    await expect(elb.describeRules({ ListenerArn: `${listener.ListenerArn}0` })).rejects.toMatchObject({ name: 'ListenerNotFoundException' });
  });

  test('priorities are 1 to 50000 and unique per listener; SetRulePriorities checks the final order', async () => {
    const elb = new ElbModel();
    const { blue, listener } = await albWithListener(elb);
    const make = (Priority: number) => elb.createRule({ ListenerArn: listener.ListenerArn, Priority, Conditions: [{ Field: 'path-pattern', Values: [`/${Priority}`] }], Actions: forward([blue.TargetGroupArn, 1]) });
    const { Rules: [one] } = await make(1);
    const { Rules: [two] } = await make(2);
    await expect(make(1)).rejects.toMatchObject({ name: 'PriorityInUseException' });
    await expect(make(0)).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(make(50001)).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(elb.setRulePriorities({ RulePriorities: [{ RuleArn: one.RuleArn, Priority: 2 }] })).rejects.toMatchObject({ name: 'PriorityInUseException' });
    await elb.setRulePriorities({ RulePriorities: [{ RuleArn: one.RuleArn, Priority: 2 }, { RuleArn: two.RuleArn, Priority: 1 }] });
    expect(elb.rulesOf(listener.ListenerArn).map((r) => r.RuleArn)).toEqual([two.RuleArn, one.RuleArn, expect.any(String)]);
  });

  test('the default rule can be neither deleted, nor modified with ModifyRule, nor moved', async () => {
    const elb = new ElbModel();
    const { blue, listener } = await albWithListener(elb);
    const defaultRule = elb.rulesOf(listener.ListenerArn)[0];
    expect(defaultRule.IsDefault).toBe(true);
    await expect(elb.deleteRule({ RuleArn: defaultRule.RuleArn })).rejects.toMatchObject({ name: 'OperationNotPermittedException' });
    await expect(elb.modifyRule({ RuleArn: defaultRule.RuleArn, Actions: forward([blue.TargetGroupArn, 1]) })).rejects.toMatchObject({ name: 'OperationNotPermittedException' });
    await expect(elb.setRulePriorities({ RulePriorities: [{ RuleArn: defaultRule.RuleArn, Priority: 7 }] })).rejects.toMatchObject({ name: 'OperationNotPermittedException' });
  });

  test('conditions: Values or config, one host-header per rule, 5 condition values per rule', async () => {
    const elb = new ElbModel();
    const { blue, listener } = await albWithListener(elb);
    const make = (Conditions: any[]) =>
      elb.createRule({ ListenerArn: listener.ListenerArn, Priority: 1, Conditions, Actions: forward([blue.TargetGroupArn, 1]) });
    await expect(make([])).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(make([{ Field: 'host-header', Values: ['a'], HostHeaderConfig: { Values: ['a'] } }])).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(make([{ Field: 'host-header', Values: ['a'] }, { Field: 'host-header', Values: ['b'] }])).rejects.toMatchObject({ name: 'ValidationError' });
    // 3 host names and 3 paths are 6 values: over the quota although each condition has fewer than 5.
    await expect(make([
      { Field: 'host-header', HostHeaderConfig: { Values: ['a.example.com', 'b.example.com', 'c.example.com'] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/a', '/b', '/c'] } },
    ])).rejects.toMatchObject({ name: 'ValidationError' });
    await make([
      { Field: 'host-header', HostHeaderConfig: { Values: ['a.example.com', 'b.example.com'] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/a', '/b', '/c'] } },
    ]);
  });

  test('forward actions: 1 to 5 groups, weights 0 to 999, not all 0, groups that exist', async () => {
    const elb = new ElbModel();
    const { blue, green, listener } = await albWithListener(elb);
    const make = (Actions: any[]) => elb.createRule({ ListenerArn: listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/'] }], Actions });
    await expect(make(forward([blue.TargetGroupArn, 0], [green.TargetGroupArn, 0]))).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(make(forward([blue.TargetGroupArn, 1000]))).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(make(forward([blue.TargetGroupArn, -1], [green.TargetGroupArn, 1]))).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(make(forward([blue.TargetGroupArn.replace(/[0-9a-f]{16}$/, '0000000000000000'), 1]))).rejects.toMatchObject({ name: 'TargetGroupNotFoundException' });
    const six = [];
    for (let i = 0; i < 6; i++) {
      const { TargetGroups: [tg] } = await elb.createTargetGroup({ Name: `g${i}`, Protocol: 'HTTP', Port: 80, VpcId: VPC, TargetType: 'ip' });
      six.push(tg.TargetGroupArn);
    }
    await expect(make(forward(...six.map((arn): [string, number] => [arn, 1])))).rejects.toMatchObject({ name: 'ValidationError' });
    await make(forward(...six.slice(0, 5).map((arn): [string, number] => [arn, 1])));
  });

  test('a target group belongs to at most one load balancer: TargetGroupAssociationLimit', async () => {
    const elb = new ElbModel();
    const first = await albWithListener(elb, 'first');
    const { LoadBalancers: [second] } = await elb.createLoadBalancer({ Name: 'second' });
    await expect(elb.createListener({
      LoadBalancerArn: second.LoadBalancerArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: first.blue.TargetGroupArn }],
    })).rejects.toMatchObject({ name: 'TargetGroupAssociationLimitException' });
    const { TargetGroups: [own] } = await elb.createTargetGroup({ Name: 'own', Protocol: 'HTTP', Port: 80, VpcId: VPC, TargetType: 'ip' });
    const { Listeners: [listener] } = await elb.createListener({ LoadBalancerArn: second.LoadBalancerArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: own.TargetGroupArn }] });
    await expect(elb.createRule({ ListenerArn: listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/'] }], Actions: forward([first.blue.TargetGroupArn, 1]) }))
      .rejects.toMatchObject({ name: 'TargetGroupAssociationLimitException' });
    // The green group is not used yet by the first load balancer: the second can take it, and then the first cannot.
    await elb.createRule({ ListenerArn: listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/'] }], Actions: forward([first.green.TargetGroupArn, 1]) });
    expect(elb.targetGroupsOf(second.LoadBalancerArn).sort()).toEqual([own.TargetGroupArn, first.green.TargetGroupArn].sort());
    await expect(elb.createRule({ ListenerArn: first.listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/'] }], Actions: forward([first.green.TargetGroupArn, 1]) }))
      .rejects.toMatchObject({ name: 'TargetGroupAssociationLimitException' });
  });

  test('listener ports are unique per load balancer; CreateListener with the same settings is idempotent', async () => {
    const elb = new ElbModel();
    const { lb, blue, green, listener } = await albWithListener(elb);
    const again = await elb.createListener({ LoadBalancerArn: lb.LoadBalancerArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: blue.TargetGroupArn }] });
    expect(again.Listeners[0].ListenerArn).toBe(listener.ListenerArn);
    await expect(elb.createListener({ LoadBalancerArn: lb.LoadBalancerArn, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: green.TargetGroupArn }] }))
      .rejects.toMatchObject({ name: 'DuplicateListenerException' });
    const { Listeners: [other] } = await elb.createListener({ LoadBalancerArn: lb.LoadBalancerArn, Port: 8080, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: green.TargetGroupArn }] });
    await expect(elb.modifyListener({ ListenerArn: other.ListenerArn, Port: 80 })).rejects.toMatchObject({ name: 'DuplicateListenerException' });
  });

  test('quotas per ALB: 50 listeners, 100 rules, 100 unique target groups, 25 certificates besides the default', async () => {
    const elb = new ElbModel({
      quotas: { listenersPerLoadBalancer: 2, rulesPerLoadBalancer: 2, targetGroupsPerLoadBalancer: 2, certificatesPerLoadBalancer: 1 },
    });
    expect(new ElbModel().quotas).toMatchObject({
      listenersPerLoadBalancer: 50, rulesPerLoadBalancer: 100, targetGroupsPerLoadBalancer: 100, certificatesPerLoadBalancer: 25,
    });
    const { lb, blue, green, listener } = await albWithListener(elb);
    const rule = (Priority: number, tg = blue.TargetGroupArn, ListenerArn = listener.ListenerArn) =>
      elb.createRule({ ListenerArn, Priority, Conditions: [{ Field: 'path-pattern', Values: [`/${Priority}`] }], Actions: forward([tg, 1]) });
    await rule(1, green.TargetGroupArn);
    const { TargetGroups: [third] } = await elb.createTargetGroup({ Name: 'third', Protocol: 'HTTP', Port: 80, VpcId: VPC, TargetType: 'ip' });
    // blue and green are the 2 unique groups; a third is over, whichever listener or rule uses it.
    await expect(rule(2, third.TargetGroupArn)).rejects.toMatchObject({ name: 'TooManyUniqueTargetGroupsPerLoadBalancerException' });
    const { Listeners: [https] } = await elb.createListener({
      LoadBalancerArn: lb.LoadBalancerArn,
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/a' }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: blue.TargetGroupArn }],
    });
    await expect(elb.createListener({ LoadBalancerArn: lb.LoadBalancerArn, Port: 81, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: blue.TargetGroupArn }] }))
      .rejects.toMatchObject({ name: 'TooManyListenersException' });
    // Rules count across the listeners of the load balancer, default rules excluded.
    await rule(1, blue.TargetGroupArn, https.ListenerArn);
    await expect(rule(2)).rejects.toMatchObject({ name: 'TooManyRulesException' });
    await elb.addListenerCertificates({ ListenerArn: https.ListenerArn, Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/b' }] });
    await expect(elb.addListenerCertificates({ ListenerArn: https.ListenerArn, Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/c' }] }))
      .rejects.toMatchObject({ name: 'TooManyCertificatesException' });
    await expect(elb.removeListenerCertificates({ ListenerArn: https.ListenerArn, Certificates: [{ CertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/a' }] }))
      .rejects.toMatchObject({ name: 'OperationNotPermittedException' });
  });

  test('DeleteTargetGroup refuses a group a listener or rule forwards to; deleting a load balancer takes its listeners and rules', async () => {
    const elb = new ElbModel();
    const { lb, blue, green, listener } = await albWithListener(elb);
    const { Rules: [rule] } = await elb.createRule({ ListenerArn: listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/'] }], Actions: forward([blue.TargetGroupArn, 1], [green.TargetGroupArn, 0]) });
    await expect(elb.deleteTargetGroup({ TargetGroupArn: green.TargetGroupArn })).rejects.toMatchObject({ name: 'ResourceInUseException' });
    await expect(elb.deleteTargetGroup({ TargetGroupArn: blue.TargetGroupArn })).rejects.toMatchObject({ name: 'ResourceInUseException' });
    await elb.deleteLoadBalancer({ LoadBalancerArn: lb.LoadBalancerArn });
    await expect(elb.describeRules({ RuleArns: [rule.RuleArn] })).rejects.toMatchObject({ name: 'RuleNotFoundException' });
    await expect(elb.describeListeners({ ListenerArns: [listener.ListenerArn] })).rejects.toMatchObject({ name: 'ListenerNotFoundException' });
    await elb.deleteTargetGroup({ TargetGroupArn: green.TargetGroupArn });
    expect(elb.inventory().targetGroups.map((tg) => tg.TargetGroupArn)).toEqual([blue.TargetGroupArn]);
  });

  test('targets: initial until health checks pass, unused while no load balancer uses the group, draining then gone', async () => {
    const elb = new ElbModel();
    const { green } = await albWithListener(elb);
    await elb.registerTargets({ TargetGroupArn: green.TargetGroupArn, Targets: [{ Id: '10.0.3.10' }] });
    const state = async (tg: string) => (await elb.describeTargetHealth({ TargetGroupArn: tg }))
      .TargetHealthDescriptions.map((d) => [d.Target.Id, d.TargetHealth.State, d.TargetHealth.Reason]);
    expect(await state(green.TargetGroupArn)).toEqual([['10.0.3.10', 'unused', 'Target.NotInUse']]);
    await expect(elb.registerTargets({ TargetGroupArn: green.TargetGroupArn, Targets: [{ Id: 'i-0abc' }] })).rejects.toMatchObject({ name: 'InvalidTargetException' });
    const used = await albWithListener(elb, 'used');
    await elb.registerTargets({ TargetGroupArn: used.blue.TargetGroupArn, Targets: [{ Id: '10.0.3.11' }] });
    expect(await state(used.blue.TargetGroupArn)).toEqual([['10.0.3.11', 'initial', 'Elb.RegistrationInProgress']]);
    elb.settle();
    expect(await state(used.blue.TargetGroupArn)).toEqual([['10.0.3.11', 'healthy', undefined]]);
    expect((await elb.describeTargetHealth({ TargetGroupArn: used.blue.TargetGroupArn })).TargetHealthDescriptions[0].Target).toEqual({ Id: '10.0.3.11', Port: 80 });
    await elb.deregisterTargets({ TargetGroupArn: used.blue.TargetGroupArn, Targets: [{ Id: '10.0.3.11' }] });
    expect(await state(used.blue.TargetGroupArn)).toEqual([['10.0.3.11', 'draining', 'Target.DeregistrationInProgress']]);
    await expect(elb.deregisterTargets({ TargetGroupArn: used.blue.TargetGroupArn, Targets: [{ Id: '10.0.3.99' }] })).rejects.toMatchObject({ name: 'InvalidTargetException' });
    elb.settle();
    expect(await state(used.blue.TargetGroupArn)).toEqual([]);
    const quick = new ElbModel({ healthyOnRegister: true });
    const q = await albWithListener(quick);
    await quick.registerTargets({ TargetGroupArn: q.blue.TargetGroupArn, Targets: [{ Id: '10.0.3.12' }] });
    expect((await quick.describeTargetHealth({ TargetGroupArn: q.blue.TargetGroupArn })).TargetHealthDescriptions[0].TargetHealth.State).toBe('healthy');
  });

  test('an aborted call rejects with AbortError and changes nothing; tags are kept, described and removed', async () => {
    const elb = new ElbModel();
    const { blue, listener } = await albWithListener(elb);
    const controller = new AbortController();
    controller.abort();
    await expect(elb.createRule({ ListenerArn: listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/'] }], Actions: forward([blue.TargetGroupArn, 1]) },
      { abortSignal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(elb.rulesOf(listener.ListenerArn)).toHaveLength(1);
    const { Rules: [rule] } = await elb.createRule({ ListenerArn: listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/'] }], Actions: forward([blue.TargetGroupArn, 1]), Tags: [{ Key: 'owner', Value: 'a' }] });
    await elb.addTags({ ResourceArns: [rule.RuleArn], Tags: [{ Key: 'owner', Value: 'b' }, { Key: 'team', Value: 'c' }] });
    expect((await elb.describeTags({ ResourceArns: [rule.RuleArn] })).TagDescriptions[0].Tags).toEqual([{ Key: 'owner', Value: 'b' }, { Key: 'team', Value: 'c' }]);
    await expect(elb.addTags({ ResourceArns: [rule.RuleArn], Tags: [{ Key: 'x', Value: '1' }, { Key: 'x', Value: '2' }] })).rejects.toMatchObject({ name: 'DuplicateTagKeysException' });
    await elb.removeTags({ ResourceArns: [rule.RuleArn], TagKeys: ['owner'] });
    expect((await elb.describeTags({ ResourceArns: [rule.RuleArn] })).TagDescriptions[0].Tags).toEqual([{ Key: 'team', Value: 'c' }]);
    expect(elb.calls.filter((c) => c.method === 'createRule').map((c) => c.error)).toEqual(['AbortError', undefined]);
  });

  test('helpers: ecsShifts rewrites weights, weights reads them, deleteOutOfBand removes a rule', async () => {
    const elb = new ElbModel();
    const { blue, green, listener } = await albWithListener(elb);
    const { Rules: [rule] } = await elb.createRule({ ListenerArn: listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/'] }], Actions: forward([blue.TargetGroupArn, 100], [green.TargetGroupArn, 0]) });
    elb.ecsShifts(rule.RuleArn, { [blue.TargetGroupArn]: 0, [green.TargetGroupArn]: 100 });
    expect(elb.weights(rule.RuleArn)).toEqual({ [blue.TargetGroupArn]: 0, [green.TargetGroupArn]: 100 });
    elb.deleteOutOfBand(rule.RuleArn);
    await expect(elb.modifyRule({ RuleArn: rule.RuleArn, Actions: forward([blue.TargetGroupArn, 1]) })).rejects.toMatchObject({ name: 'RuleNotFoundException' });
  });
});

describe('IAM policy evaluation (IAM User Guide)', () => {
  const allow = (Action: any, Resource: any, Condition?: any): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) }] });
  const deny = (Action: any, Resource: any, Condition?: any): PolicyDocument => ({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action, Resource, ...(Condition ? { Condition } : {}) }] });
  const RULE = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee';

  test('nothing allows: implicit deny; an explicit deny wins over an allow', () => {
    expect(evaluate([], { action: 'elasticloadbalancing:DeleteRule', resource: RULE })).toBe('implicit-deny');
    expect(evaluate([allow('elasticloadbalancing:*', '*')], { action: 'elasticloadbalancing:DeleteRule', resource: RULE })).toBe('allow');
    expect(evaluate([allow('elasticloadbalancing:*', '*'), deny('elasticloadbalancing:Delete*', RULE)], { action: 'elasticloadbalancing:DeleteRule', resource: RULE })).toBe('explicit-deny');
  });

  test('actions: case-insensitive with * and ?; NotAction', () => {
    expect(evaluate([allow('ElasticLoadBalancing:deleterule', '*')], { action: 'elasticloadbalancing:DeleteRule', resource: RULE })).toBe('allow');
    expect(evaluate([allow('elasticloadbalancing:?eleteRule', '*')], { action: 'elasticloadbalancing:DeleteRule', resource: RULE })).toBe('allow');
    expect(evaluate([allow('elasticloadbalancing:Describe*', '*')], { action: 'elasticloadbalancing:DeleteRule', resource: RULE })).toBe('implicit-deny');
    const notAction: PolicyDocument = { Statement: [{ Effect: 'Allow', NotAction: 'elasticloadbalancing:DeleteRule', Resource: '*' }] };
    expect(evaluate([notAction], { action: 'elasticloadbalancing:DeleteRule', resource: RULE })).toBe('implicit-deny');
    expect(evaluate([notAction], { action: 'elasticloadbalancing:ModifyRule', resource: RULE })).toBe('allow');
  });

  test('resources: case-sensitive, wildcards per ARN segment; NotResource', () => {
    const req = { action: 'elasticloadbalancing:DeleteRule', resource: RULE };
    expect(evaluate([allow('*', 'arn:aws:elasticloadbalancing:*:*:listener-rule/app/*/*/*/*')], req)).toBe('allow');
    expect(evaluate([allow('*', 'arn:aws:elasticloadbalancing:*:*:listener-rule/app/WEB/*')], req)).toBe('implicit-deny');
    // The library's own pattern: the listener's ARN with `listener*/`, covering the listener and its rules.
    expect(evaluate([allow('*', 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener*/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2*')], req)).toBe('allow');
    expect(evaluate([allow('*', 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener*/app/web/50dc6c495c0c9188/0000000000000000*')], req)).toBe('implicit-deny');
    // A * inside a segment does not cross a colon.
    expect(evaluate([allow('*', 'arn:aws:elastic*balancing:us-east-1:123456789012:*')], req)).toBe('allow');
    expect(evaluate([allow('*', 'arn:aws:elasticloadbalancing:us-east-1*2:listener-rule/*')], req)).toBe('implicit-deny');
    const notResource: PolicyDocument = { Statement: [{ Effect: 'Allow', Action: '*', NotResource: 'arn:aws:elasticloadbalancing:*:*:targetgroup/*' }] };
    expect(evaluate([notResource], req)).toBe('allow');
  });

  test('conditions: operators AND, values OR, a missing key fails a positive operator, IfExists, Null, Bool', () => {
    const req = (context: Record<string, string | string[]>) => ({ action: 'elasticloadbalancing:DeleteRule', resource: RULE, context });
    const owner = allow('*', '*', { StringEquals: { 'aws:ResourceTag/owner': ['a', 'b'] } });
    expect(evaluate([owner], req({ 'aws:ResourceTag/owner': 'b' }))).toBe('allow');
    expect(evaluate([owner], req({ 'aws:ResourceTag/owner': 'c' }))).toBe('implicit-deny');
    expect(evaluate([owner], req({}))).toBe('implicit-deny');
    expect(evaluate([owner], req({ 'AWS:resourcetag/owner': 'a' }))).toBe('allow');
    const both = allow('*', '*', { StringEquals: { 'aws:ResourceTag/owner': 'a' }, StringLike: { 'aws:ResourceTag/team': 'web-*' } });
    expect(evaluate([both], req({ 'aws:ResourceTag/owner': 'a', 'aws:ResourceTag/team': 'web-1' }))).toBe('allow');
    expect(evaluate([both], req({ 'aws:ResourceTag/owner': 'a', 'aws:ResourceTag/team': 'api-1' }))).toBe('implicit-deny');
    expect(evaluate([allow('*', '*', { StringNotEquals: { 'aws:ResourceTag/owner': 'x' } })], req({}))).toBe('allow');
    expect(evaluate([allow('*', '*', { StringNotLike: { 'aws:ResourceTag/owner': 'x*' } })], req({ 'aws:ResourceTag/owner': 'xy' }))).toBe('implicit-deny');
    expect(evaluate([allow('*', '*', { StringEqualsIfExists: { 'aws:ResourceTag/owner': 'a' } })], req({}))).toBe('allow');
    expect(evaluate([allow('*', '*', { StringEqualsIfExists: { 'aws:ResourceTag/owner': 'a' } })], req({ 'aws:ResourceTag/owner': 'b' }))).toBe('implicit-deny');
    expect(evaluate([allow('*', '*', { Null: { 'aws:RequestTag/owner': 'false' } })], req({}))).toBe('implicit-deny');
    expect(evaluate([allow('*', '*', { Null: { 'aws:RequestTag/owner': 'true' } })], req({}))).toBe('allow');
    expect(evaluate([allow('*', '*', { Bool: { 'aws:SecureTransport': 'true' } })], req({ 'aws:SecureTransport': 'true' }))).toBe('allow');
    expect(evaluate([allow('*', '*', { Bool: { 'aws:SecureTransport': true } })], req({ 'aws:SecureTransport': 'false' }))).toBe('implicit-deny');
    expect(evaluate([allow('*', '*', { ArnLike: { 'aws:SourceArn': 'arn:aws:ecs:*:123456789012:service/*' } })], req({ 'aws:SourceArn': 'arn:aws:ecs:us-east-1:123456789012:service/c/s' }))).toBe('allow');
    expect(evaluate([allow('*', '*', { ArnEquals: { 'aws:SourceArn': 'arn:aws:ecs:*:999999999999:service/*' } })], req({ 'aws:SourceArn': 'arn:aws:ecs:us-east-1:123456789012:service/c/s' }))).toBe('implicit-deny');
  });

  test('multivalued keys: ForAllValues is true with no key, ForAnyValue is false', () => {
    const req = (context: Record<string, string | string[]>) => ({ action: 'elasticloadbalancing:AddTags', resource: RULE, context });
    const onlyOwner = allow('*', '*', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['owner', 'team'] } });
    expect(evaluate([onlyOwner], req({ 'aws:TagKeys': ['owner'] }))).toBe('allow');
    expect(evaluate([onlyOwner], req({ 'aws:TagKeys': ['owner', 'cost'] }))).toBe('implicit-deny');
    expect(evaluate([onlyOwner], req({}))).toBe('allow');
    const anyOwner = allow('*', '*', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'owner' } });
    expect(evaluate([anyOwner], req({ 'aws:TagKeys': ['cost', 'owner'] }))).toBe('allow');
    expect(evaluate([anyOwner], req({}))).toBe('implicit-deny');
  });
});

describe('authorizedElb (Service Authorization Reference for ELB v2, tagging on creation)', () => {
  async function setup() {
    const elb = new ElbModel();
    const world = await albWithListener(elb);
    let policies: PolicyDocument[] = [];
    const client = authorizedElb(elb, () => policies, { principal: 'arn:aws:sts::123456789012:assumed-role/fn-role/fn' });
    return { elb, ...world, client, set: (p: PolicyDocument[]) => { policies = p; } };
  }
  const statement = (Action: any, Resource: any, Condition?: any) => ({ Effect: 'Allow' as const, Action, Resource, ...(Condition ? { Condition } : {}) });

  test('CreateRule is authorized on the listener; ModifyRule and DeleteRule on the rule with its tags; Describe* on *', async () => {
    const { client, set, listener, blue, elb } = await setup();
    const listenerRules = listener.ListenerArn.replace(':listener/', ':listener-rule/');
    set([{ Statement: [statement('elasticloadbalancing:CreateRule', listener.ListenerArn)] }]);
    const { Rules: [rule] } = await client.createRule({ ListenerArn: listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/'] }], Actions: forward([blue.TargetGroupArn, 1]) });
    await expect(client.describeRules({ RuleArns: [rule.RuleArn] })).rejects.toMatchObject({
      name: 'AccessDenied',
      message: 'User: arn:aws:sts::123456789012:assumed-role/fn-role/fn is not authorized to perform: elasticloadbalancing:DescribeRules on resource: * because no identity-based policy allows the elasticloadbalancing:DescribeRules action',
    });
    set([{ Statement: [statement('elasticloadbalancing:DeleteRule', `${listenerRules}/*`, { StringEquals: { 'aws:ResourceTag/owner': 'me' } })] }]);
    await expect(client.deleteRule({ RuleArn: rule.RuleArn })).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringContaining(`DeleteRule on resource: ${rule.RuleArn}`) });
    // The same policy once the rule carries the tag: the rule's current tags are in the request context.
    await elb.addTags({ ResourceArns: [rule.RuleArn], Tags: [{ Key: 'owner', Value: 'me' }] });
    await client.deleteRule({ RuleArn: rule.RuleArn });
    expect(elb.rulesOf(listener.ListenerArn)).toHaveLength(1);
  });

  test('a create with Tags also needs AddTags with elasticloadbalancing:CreateAction; refused, nothing is created', async () => {
    const { client, set, listener, blue, elb } = await setup();
    const input = { ListenerArn: listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/'] }], Actions: forward([blue.TargetGroupArn, 1]), Tags: [{ Key: 'owner', Value: 'me' }] };
    set([{ Statement: [statement('elasticloadbalancing:CreateRule', '*')] }]);
    await expect(client.createRule(input)).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringContaining('elasticloadbalancing:AddTags on resource: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/web/') });
    expect(elb.rulesOf(listener.ListenerArn)).toHaveLength(1);
    // AddTags allowed only for another creating action: still refused.
    set([{ Statement: [statement('elasticloadbalancing:CreateRule', '*'), statement('elasticloadbalancing:AddTags', '*', { StringEquals: { 'elasticloadbalancing:CreateAction': 'CreateTargetGroup' } })] }]);
    await expect(client.createRule(input)).rejects.toMatchObject({ name: 'AccessDenied' });
    set([{ Statement: [statement('elasticloadbalancing:CreateRule', '*'), statement('elasticloadbalancing:AddTags', '*', { StringEquals: { 'elasticloadbalancing:CreateAction': 'CreateRule' } })] }]);
    const { Rules: [rule] } = await client.createRule(input);
    expect((await elb.describeTags({ ResourceArns: [rule.RuleArn] })).TagDescriptions[0].Tags).toEqual([{ Key: 'owner', Value: 'me' }]);
    // The same policy does not let the caller tag an existing resource.
    await expect(client.addTags({ ResourceArns: [rule.RuleArn], Tags: [{ Key: 'x', Value: 'y' }] })).rejects.toMatchObject({ name: 'AccessDenied' });
    // Request tags are in the context of the create itself.
    set([{ Statement: [statement('elasticloadbalancing:CreateRule', '*', { StringEquals: { 'aws:RequestTag/owner': 'you' } }), statement('elasticloadbalancing:AddTags', '*')] }]);
    await expect(client.createRule({ ...input, Priority: 2 })).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringContaining('CreateRule on resource: ' + listener.ListenerArn) });
  });

  test('targets are authorized on the target group, ModifyListener on the listener; an explicit deny says so; policies are read at each call', async () => {
    const { client, set, listener, blue, green } = await setup();
    set([{ Statement: [statement(['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'], blue.TargetGroupArn)] }]);
    await client.registerTargets({ TargetGroupArn: blue.TargetGroupArn, Targets: [{ Id: '10.0.3.4' }] });
    await expect(client.registerTargets({ TargetGroupArn: green.TargetGroupArn, Targets: [{ Id: '10.0.3.4' }] })).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(client.modifyListener({ ListenerArn: listener.ListenerArn, DefaultActions: forward([green.TargetGroupArn, 1]) })).rejects.toMatchObject({ name: 'AccessDenied' });
    set([{ Statement: [statement('elasticloadbalancing:ModifyListener', 'arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*')] },
      { Statement: [{ Effect: 'Deny', Action: 'elasticloadbalancing:DeregisterTargets', Resource: '*' }] }]);
    await client.modifyListener({ ListenerArn: listener.ListenerArn, DefaultActions: forward([green.TargetGroupArn, 1]) });
    await expect(client.deregisterTargets({ TargetGroupArn: blue.TargetGroupArn, Targets: [{ Id: '10.0.3.4' }] })).rejects.toMatchObject({
      name: 'AccessDenied', message: expect.stringContaining('with an explicit deny in an identity-based policy'),
    });
    expect(client.decisions.map((d) => d.decision)).toEqual(['allow', 'implicit-deny', 'implicit-deny', 'allow', 'explicit-deny']);
  });
});

/* ------------------------------------------------------------------------------------------------
 * CloudFormation
 * ---------------------------------------------------------------------------------------------- */

const RULE_ACTIONS = ['elasticloadbalancing:CreateRule', 'elasticloadbalancing:ModifyRule', 'elasticloadbalancing:DeleteRule', 'elasticloadbalancing:SetRulePriorities'];

/** A small stack: an ALB, two target groups, a listener, and the library's rule function owning a production rule. */
interface RuleStackOptions { ruleId?: string; priority?: number; ruleActions?: string[]; extra?: Record<string, any>; greenName?: string }

function ruleStack(options: RuleStackOptions = {}): Template {
  const listenerRules = { 'Fn::Join': ['', [{ 'Fn::Join': [':listener*/', { 'Fn::Split': [':listener/', { Ref: 'Listener' }] }] }, '*']] };
  return {
    Resources: {
      FnRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
          Policies: [{
            PolicyName: 'Rules',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: ['elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetHealth'], Resource: '*' },
                { Effect: 'Allow', Action: options.ruleActions ?? RULE_ACTIONS, Resource: listenerRules },
                // Tagging on creation: the function tags the rules it creates.
                { Effect: 'Allow', Action: 'elasticloadbalancing:AddTags', Resource: listenerRules, Condition: { StringEquals: { 'elasticloadbalancing:CreateAction': 'CreateRule' } } },
              ],
            },
          }],
        },
      },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: { Code: { ZipFile: '// The Lambda behind Custom::PrivateFargateListenerRule' }, Handler: 'index.handler', Runtime: 'nodejs22.x', Timeout: 120, Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] } },
      },
      Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internet-facing', Subnets: ['subnet-1', 'subnet-2'] } },
      Blue: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: 80, Protocol: 'HTTP', TargetType: 'ip', VpcId: VPC } },
      Green: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: 80, Protocol: 'HTTP', TargetType: 'ip', VpcId: VPC, ...(options.greenName ? { Name: options.greenName } : {}) } },
      Listener: {
        Type: 'AWS::ElasticLoadBalancingV2::Listener',
        Properties: { LoadBalancerArn: { Ref: 'Alb' }, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'Blue' } }] },
      },
      [options.ruleId ?? 'Prod']: {
        Type: 'Custom::PrivateFargateListenerRule',
        Properties: {
          ServiceToken: { 'Fn::GetAtt': ['Fn', 'Arn'] },
          ListenerArn: { Ref: 'Listener' },
          Priority: options.priority ?? 10,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
          TargetGroups: [{ TargetGroupArn: { Ref: 'Blue' }, Weight: 100 }, { TargetGroupArn: { Ref: 'Green' }, Weight: 0 }],
        },
      },
      ...options.extra,
    },
    Outputs: { ListenerArn: { Value: { Ref: 'Listener' } } },
  };
}

describe('CloudFormation model (stack updates in passes, rollback)', () => {
  test('create: resources in dependency order, the custom resource called with string properties, under its role', async () => {
    const cfn = new CloudFormation();
    const result = await cfn.deploy('Rules', ruleStack());
    expect(result.status).toBe('CREATE_COMPLETE');
    const order = result.events.map((e) => e.logicalId);
    expect(order.indexOf('Listener')).toBeGreaterThan(order.indexOf('Alb'));
    expect(order.indexOf('Prod')).toBeGreaterThan(order.indexOf('Fn'));
    const [invocation] = cfn.invocations;
    expect(invocation.event).toMatchObject({
      RequestType: 'Create',
      LogicalResourceId: 'Prod',
      ResourceType: 'Custom::PrivateFargateListenerRule',
      StackId: expect.stringMatching(/^arn:aws:cloudformation:us-east-1:123456789012:stack\/Rules\//),
      ResourceProperties: { Priority: '10', TargetGroups: [{ Weight: '100' }, { Weight: '0' }] },
    });
    const rule = cfn.resource('Rules', 'Prod')!.physicalId;
    const blue = cfn.resource('Rules', 'Blue')!.physicalId;
    const green = cfn.resource('Rules', 'Green')!.physicalId;
    expect(cfn.elb.weights(rule)).toEqual({ [blue]: 100, [green]: 0 });
    expect(cfn.world().leftBehind).toEqual({ loadBalancers: [], listeners: [], rules: [], targetGroups: [] });
    expect(cfn.stacks.get('Rules')!.outputs.ListenerArn).toBe(cfn.resource('Rules', 'Listener')!.physicalId);
  });

  test('the cleanup pass runs with the policies the update left: a denied delete is skipped, the stack ends UPDATE_COMPLETE, the rule stays behind', async () => {
    const cfn = new CloudFormation();
    await cfn.deploy('Rules', ruleStack());
    const oldRule = cfn.resource('Rules', 'Prod')!.physicalId;
    // Version 2 moves the rule to another logical id and priority, and its role loses DeleteRule.
    const result = await cfn.deploy('Rules', ruleStack({ ruleId: 'Prod2', priority: 20, ruleActions: ['elasticloadbalancing:CreateRule', 'elasticloadbalancing:ModifyRule'] }));
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(result.skippedDeletes).toEqual([expect.objectContaining({ logicalId: 'Prod', physicalId: oldRule, reason: expect.stringContaining('AccessDenied') })]);
    const phases = result.events.map((e) => `${e.phase}:${e.logicalId}:${e.status}`);
    expect(phases.indexOf('update:FnRole:UPDATE_COMPLETE')).toBeLessThan(phases.indexOf('update:Prod2:CREATE_COMPLETE'));
    expect(phases[phases.length - 1]).toBe('cleanup:Prod:DELETE_FAILED');
    expect(cfn.world().leftBehind.rules).toEqual([oldRule]);
    // The function tried again on AccessDenied, then gave up.
    expect(cfn.elb.calls.filter((c) => c.method === 'deleteRule')).toHaveLength(0);
  });

  test('a delete that AWS refuses in the cleanup (ResourceInUse) is skipped and the resource stays', async () => {
    const cfn = new CloudFormation();
    await cfn.deploy('Rules', ruleStack({ extra: { Other: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: 80, Protocol: 'HTTP', TargetType: 'ip', VpcId: VPC } } } }));
    const other = cfn.resource('Rules', 'Other')!.physicalId;
    const listener = cfn.resource('Rules', 'Listener')!.physicalId;
    await cfn.elb.createRule({ ListenerArn: listener, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/x'] }], Actions: forward([other, 1]) });
    const result = await cfn.deploy('Rules', ruleStack());
    expect(result.status).toBe('UPDATE_COMPLETE');
    expect(result.skippedDeletes).toEqual([expect.objectContaining({ logicalId: 'Other', reason: expect.stringContaining('ResourceInUseException') })]);
    expect(cfn.world().leftBehind.targetGroups).toEqual([other]);
  });

  test('a replacement is created in the update pass and the old resource deleted in the cleanup', async () => {
    const cfn = new CloudFormation();
    await cfn.deploy('Rules', ruleStack({ greenName: 'green-one' }));
    const oldGreen = cfn.resource('Rules', 'Green')!.physicalId;
    cfn.elb.calls.length = 0;
    const result = await cfn.deploy('Rules', ruleStack({ greenName: 'green-two' }));
    expect(result.status).toBe('UPDATE_COMPLETE');
    const newGreen = cfn.resource('Rules', 'Green')!.physicalId;
    expect(newGreen).not.toBe(oldGreen);
    const calls = cfn.elb.calls.map((c) => c.method);
    // New group, the rule rewritten to it (the custom resource is updated: its resolved properties changed), then the old group deleted.
    expect(calls.indexOf('createTargetGroup')).toBeLessThan(calls.indexOf('modifyRule'));
    expect(calls.indexOf('modifyRule')).toBeLessThan(calls.indexOf('deleteTargetGroup'));
    expect(cfn.elb.calls.find((c) => c.method === 'deleteTargetGroup')!.input).toEqual({ TargetGroupArn: oldGreen });
    expect(Object.keys(cfn.elb.weights(cfn.resource('Rules', 'Prod')!.physicalId))).toContain(newGreen);
    expect(cfn.world().leftBehind.targetGroups).toEqual([]);
  });

  test('failAt last: the rollback updates changed resources back, then deletes what the update created', async () => {
    const cfn = new CloudFormation();
    await cfn.deploy('Rules', ruleStack());
    const rule = cfn.resource('Rules', 'Prod')!.physicalId;
    const v2 = ruleStack({ priority: 20, extra: { Extra: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: 80, Protocol: 'HTTP', TargetType: 'ip', VpcId: VPC } }, Last: { Type: 'AWS::SNS::Topic', DependsOn: 'Prod' } } });
    const result = await cfn.deploy('Rules', v2, { failAt: 'last' });
    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.statusReason).toContain('Last');
    const steps = result.events.map((e) => `${e.phase}:${e.logicalId}:${e.status}`);
    expect(steps).toEqual([
      'update:Prod:UPDATE_COMPLETE',
      'update:Extra:CREATE_COMPLETE',
      // The last resource the update changes fails once its change is made: the rollback undoes it too.
      'update:Last:CREATE_COMPLETE',
      'update:Last:UPDATE_FAILED',
      'rollback:Prod:UPDATE_COMPLETE',
      'rollback-cleanup:Last:DELETE_COMPLETE',
      'rollback-cleanup:Extra:DELETE_COMPLETE',
    ]);
    expect(cfn.elb.rulesOf(cfn.resource('Rules', 'Listener')!.physicalId).find((r) => r.RuleArn === rule)!.Priority).toBe('10');
    expect(cfn.resource('Rules', 'Prod')!.properties.Priority).toBe(10);
    expect(cfn.world().leftBehind.targetGroups).toEqual([]);
    // The update event of the rollback carries the old properties as ResourceProperties.
    const back = cfn.invocations[cfn.invocations.length - 1].event;
    expect(back).toMatchObject({ RequestType: 'Update', PhysicalResourceId: rule, ResourceProperties: { Priority: '10' }, OldResourceProperties: { Priority: '20' } });
  });

  test('a handler failure during the update rolls back; a failure during the rollback ends UPDATE_ROLLBACK_FAILED', async () => {
    const cfn = new CloudFormation();
    await cfn.deploy('Rules', ruleStack());
    // A priority out of range: the function's call fails and the update rolls back.
    const failed = await cfn.deploy('Rules', ruleStack({ priority: 50001 }));
    expect(failed.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(failed.statusReason).toMatch(/^Prod: .*ValidationError|Prod: .*50000/);
    // An update of the rule's priority fails at its last resource, and ELB throttles the call that would set it back.
    const cfn2 = new CloudFormation();
    await cfn2.deploy('Rules', ruleStack());
    const v2 = ruleStack({ priority: 20, extra: { Last: { Type: 'AWS::SNS::Topic', DependsOn: 'Prod' } } });
    const rollbackBreaks = await (async () => {
      const original = cfn2.elb.setRulePriorities.bind(cfn2.elb);
      let n = 0;
      cfn2.elb.setRulePriorities = async (input, options) => {
        if (++n === 2) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
        return original(input, options);
      };
      return cfn2.deploy('Rules', v2, { failAt: 'last' });
    })();
    expect(rollbackBreaks.status).toBe('UPDATE_ROLLBACK_FAILED');
    await expect(cfn2.deploy('Rules', v2)).rejects.toThrow(/UPDATE_ROLLBACK_FAILED/);
  });

  test('a create whose last resource fails rolls back to ROLLBACK_COMPLETE and leaves nothing', async () => {
    const cfn = new CloudFormation();
    const result = await cfn.deploy('Rules', ruleStack(), { failAt: 'last' });
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(cfn.elb.inventory()).toEqual({ loadBalancers: [], listeners: [], rules: [], targetGroups: [] });
    expect(cfn.iam.roles.size).toBe(0);
    expect((await cfn.deploy('Rules', ruleStack())).status).toBe('CREATE_COMPLETE');
  });

  test('a second load balancer whose listener forwards to the first one\'s target group: TargetGroupAssociationLimit', async () => {
    const cfn = new CloudFormation();
    const template = ruleStack({
      extra: {
        Alb2: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internal' } },
        Listener2: {
          Type: 'AWS::ElasticLoadBalancingV2::Listener',
          DependsOn: 'Listener',
          Properties: { LoadBalancerArn: { Ref: 'Alb2' }, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'Blue' } }] },
        },
      },
    });
    const result = await cfn.deploy('Rules', template);
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.statusReason).toContain('TargetGroupAssociationLimitException');
  });

  test('intrinsics, conditions, pseudo parameters; exports and Fn::ImportValue across stacks; an export in use cannot change', async () => {
    const events: any[] = [];
    const cfn = new CloudFormation({ handlerFor: () => async (event) => { events.push(event); return { PhysicalResourceId: 'custom-1', Data: { Answer: 42 } }; } });
    const producer: Template = {
      Parameters: { Env: { Type: 'String', Default: 'prod' } },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] } },
      Resources: {
        Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::Sub': '${AWS::StackName}-${Env}-${AWS::Region}' } } },
        OnlyDev: { Type: 'AWS::SNS::Topic', Condition: 'NotProd' },
      },
      Outputs: {
        Name: { Value: { 'Fn::Select': [1, { 'Fn::Split': ['-', { 'Fn::Join': ['-', ['a', { Ref: 'AWS::AccountId' }, { 'Fn::If': ['IsProd', 'p', 'd'] }]] }] }] }, Export: { Name: 'shared-account' } },
      },
    };
    expect((await cfn.deploy('Producer', producer)).status).toBe('CREATE_COMPLETE');
    expect(cfn.resource('Producer', 'OnlyDev')).toBeUndefined();
    expect(cfn.stacks.get('Producer')!.exports.get('shared-account')).toBe('123456789012');
    const consumer: Template = {
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function', Properties: { Code: { ZipFile: 'x' }, Role: 'arn:aws:iam::123456789012:role/r' } },
        Custom: {
          Type: 'AWS::CloudFormation::CustomResource',
          Properties: { ServiceToken: { 'Fn::GetAtt': ['Fn', 'Arn'] }, Account: { 'Fn::ImportValue': 'shared-account' }, Flag: true, Gone: { Ref: 'AWS::NoValue' }, List: [1, { Ref: 'AWS::NoValue' }] },
        },
        User: { Type: 'AWS::SNS::Topic', Properties: { DisplayName: { 'Fn::GetAtt': ['Custom', 'Answer'] }, Partition: { 'Fn::Sub': '${AWS::Partition}.${AWS::URLSuffix}.${Custom.Answer}' } } },
      },
    };
    expect((await cfn.deploy('Consumer', consumer)).status).toBe('CREATE_COMPLETE');
    expect(events[0].ResourceProperties).toEqual({ ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:' + cfn.resource('Consumer', 'Fn')!.physicalId, Account: '123456789012', Flag: 'true', List: ['1'] });
    expect(cfn.resource('Consumer', 'User')!.properties).toEqual({ DisplayName: 42, Partition: 'aws.amazonaws.com.42' });
    const changed = { ...producer, Outputs: { Name: { Value: 'other', Export: { Name: 'shared-account' } } } };
    const refused = await cfn.deploy('Producer', changed);
    expect(refused.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(refused.statusReason).toContain('Cannot update export shared-account as it is in use by Consumer');
  });
});

/** An ECS service behind a CloudFormation-owned production rule, with ECS's infrastructure role. */
function serviceStack(options: { strategy?: string; advanced?: boolean; managedPolicy?: boolean } = {}): Template {
  const advanced = options.advanced ?? true;
  return {
    Resources: {
      EcsRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
          ManagedPolicyArns: options.managedPolicy ?? true ? [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers' }] : [],
        },
      },
      Alb: { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: { Scheme: 'internet-facing' } },
      Blue: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: 80, Protocol: 'HTTP', TargetType: 'ip', VpcId: VPC } },
      Green: { Type: 'AWS::ElasticLoadBalancingV2::TargetGroup', Properties: { Port: 80, Protocol: 'HTTP', TargetType: 'ip', VpcId: VPC } },
      Listener: {
        Type: 'AWS::ElasticLoadBalancingV2::Listener',
        Properties: { LoadBalancerArn: { Ref: 'Alb' }, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }] },
      },
      Prod: {
        Type: 'AWS::ElasticLoadBalancingV2::ListenerRule',
        Properties: {
          ListenerArn: { Ref: 'Listener' },
          Priority: 1,
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
          Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: { Ref: 'Blue' }, Weight: 100 }, { TargetGroupArn: { Ref: 'Green' }, Weight: 0 }] } }],
        },
      },
      Service: {
        Type: 'AWS::ECS::Service',
        DependsOn: ['Prod'],
        Properties: {
          Cluster: 'cluster',
          TaskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1',
          DesiredCount: 2,
          DeploymentConfiguration: { Strategy: options.strategy ?? 'CANARY', CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 1 } },
          LoadBalancers: [{
            ContainerName: 'web',
            ContainerPort: 80,
            TargetGroupArn: { Ref: 'Blue' },
            ...(advanced ? { AdvancedConfiguration: { AlternateTargetGroupArn: { Ref: 'Green' }, ProductionListenerRule: { Ref: 'Prod' }, RoleArn: { 'Fn::GetAtt': ['EcsRole', 'Arn'] } } } : {}),
          }],
        },
      },
    },
  };
}

describe('ECS in the CloudFormation model (ECS developer guide)', () => {
  test('a deployment starts tasks in the idle group, moves the weights with the infrastructure role (managed policy), stops the old tasks', async () => {
    const cfn = new CloudFormation();
    expect((await cfn.deploy('Svc', serviceStack())).status).toBe('CREATE_COMPLETE');
    const [blue, green, rule] = ['Blue', 'Green', 'Prod'].map((id) => cfn.resource('Svc', id)!.physicalId);
    const healthy = () => Object.fromEntries(cfn.world().targetGroups.map((tg) => [tg.TargetGroupArn, tg.healthy.length]));
    expect(healthy()).toEqual({ [blue]: 2, [green]: 0 });
    cfn.elb.calls.length = 0;
    expect(await cfn.ecsDeploy('Svc', 'Service')).toEqual({ from: [blue], to: [green] });
    expect(cfn.elb.weights(rule)).toEqual({ [blue]: 0, [green]: 100 });
    expect(healthy()).toEqual({ [blue]: 0, [green]: 2 });
    // The canary step (10 %) then all of it.
    expect(cfn.elb.calls.filter((c) => c.method === 'modifyRule').map((c) => (c.input as any).Actions[0].ForwardConfig.TargetGroups.map((g: any) => g.Weight)))
      .toEqual([[90, 10], [0, 100]]);
    await cfn.ecsDeploy('Svc', 'Service');
    expect(cfn.elb.weights(rule)).toEqual({ [blue]: 100, [green]: 0 });
  });

  test('ECS does not look at the weights: after the rule was rewritten, it still deploys to the group it believes idle', async () => {
    const cfn = new CloudFormation();
    await cfn.deploy('Svc', serviceStack());
    const [blue, green, rule] = ['Blue', 'Green', 'Prod'].map((id) => cfn.resource('Svc', id)!.physicalId);
    await cfn.ecsDeploy('Svc', 'Service');
    cfn.elb.ecsShifts(rule, { [blue]: 100, [green]: 0 });
    await cfn.ecsDeploy('Svc', 'Service');
    expect(cfn.elb.weights(rule)).toEqual({ [blue]: 100, [green]: 0 });
  });

  test('without the managed policy the infrastructure role cannot move the weights: AccessDenied', async () => {
    const cfn = new CloudFormation();
    await cfn.deploy('Svc', serviceStack({ managedPolicy: false }));
    await expect(cfn.ecsDeploy('Svc', 'Service')).rejects.toMatchObject({ name: 'AccessDenied', message: expect.stringContaining('elasticloadbalancing:DescribeRules') });
  });

  test('an update to ROLLING without the alternate group puts new tasks in the template\'s group and stops the old ones; the rule keeps ECS\'s weights', async () => {
    const cfn = new CloudFormation();
    await cfn.deploy('Svc', serviceStack());
    const [blue, green, rule] = ['Blue', 'Green', 'Prod'].map((id) => cfn.resource('Svc', id)!.physicalId);
    await cfn.ecsDeploy('Svc', 'Service');
    const result = await cfn.deploy('Svc', serviceStack({ strategy: 'ROLLING', advanced: false }));
    expect(result.status).toBe('UPDATE_COMPLETE');
    cfn.elb.settle();
    const world = cfn.world();
    expect(Object.fromEntries(world.targetGroups.map((tg) => [tg.TargetGroupArn, tg.healthy.length]))).toEqual({ [blue]: 2, [green]: 0 });
    // The template's rule did not change, so CloudFormation leaves ECS's weights: every request goes to the empty group.
    expect(cfn.elb.weights(rule)).toEqual({ [blue]: 0, [green]: 100 });
  });

  test('a service whose target group no load balancer uses is refused (InvalidParameterException)', async () => {
    const cfn = new CloudFormation();
    const template = serviceStack({ advanced: false });
    delete template.Resources!.Prod;
    template.Resources!.Service.DependsOn = [];
    const result = await cfn.deploy('Svc', template);
    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.statusReason).toContain('does not have an associated load balancer');
  });
});

describe('CloudFormation model with a template synthesized from src', () => {
  const build = (props: Record<string, unknown> = {}) => (app: App) => {
    const stack = new Stack(app, 'App');
    new PrivateFargateBehindAlb(stack, 'Web', props);
  };
  const productionRule = (cfn: CloudFormation) => {
    const [id] = Object.entries(cfn.stacks.get('App')!.template.Resources!).find(([, r]) => r.Type === 'Custom::PrivateFargateListenerRule')!;
    return cfn.resource('App', id)!.physicalId;
  };
  const groups = (cfn: CloudFormation) => {
    const service = [...cfn.stacks.get('App')!.resources.values()].find((r) => r.type === 'AWS::ECS::Service')!;
    const lb = service.properties.LoadBalancers[0];
    const alternate: string = lb.AdvancedConfiguration.AlternateTargetGroupArn;
    return { primary: lb.TargetGroupArn as string, alternate, service: service.logicalId };
  };
  const healthy = (cfn: CloudFormation) => Object.fromEntries(cfn.world().targetGroups.map((tg) => [tg.TargetGroupArn, tg.healthy.length]));

  test('create, an ECS deployment, then an update: traffic stays where ECS put it, nothing is left behind', async () => {
    const cfn = new CloudFormation();
    const created = await cfn.deployApp(synthApp(build(), 'none'));
    expect(created.results.App.status).toBe('CREATE_COMPLETE');
    const { primary, alternate, service } = groups(cfn);
    const rule = productionRule(cfn);
    expect(cfn.elb.weights(rule)).toEqual({ [primary]: 100, [alternate]: 0 });
    expect(healthy(cfn)).toEqual({ [primary]: 1, [alternate]: 0 });
    await cfn.ecsDeploy('App', service);
    expect(cfn.elb.weights(rule)).toEqual({ [primary]: 0, [alternate]: 100 });
    // Version 2 changes the task size and the port: new target groups (replaced), the rule rewritten to them, the service moved.
    const updated = await cfn.deployApp(synthApp(build({ cpu: 1024, memoryLimitMiB: 2048, port: 8080 }), 'none'));
    expect(updated.results.App.statusReason).toBeUndefined();
    expect(updated.results.App.status).toBe('UPDATE_COMPLETE');
    expect(updated.results.App.skippedDeletes).toEqual([]);
    const weights = cfn.elb.weights(rule);
    const serving = Object.keys(weights).find((arn) => weights[arn] > 0)!;
    expect(healthy(cfn)[serving]).toBeGreaterThan(0);
    expect(cfn.world().leftBehind).toEqual({ loadBalancers: [], listeners: [], rules: [], targetGroups: [] });
  });

  test('an update whose last resource fails rolls back: the rule and its groups as before, the weighted group serves', async () => {
    const cfn = new CloudFormation();
    await cfn.deployApp(synthApp(build(), 'none'));
    const { service } = groups(cfn);
    await cfn.ecsDeploy('App', service);
    const rule = productionRule(cfn);
    const before = { weights: cfn.elb.weights(rule), rules: cfn.world().listeners.map((l) => l.rules.map((r) => [r.Priority, r.conditions])) };
    const result = await cfn.deployApp(synthApp(build({ port: 8080 }), 'none'), { failAt: 'last' });
    expect(result.results.App.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.stoppedAt).toBe('App');
    // The rule forwards to the old groups again, and whichever has the weight has the tasks (the rollback of the
    // service's load balancers put new tasks in the template's primary group, and the rule's rollback weighted it).
    const weights = cfn.elb.weights(productionRule(cfn));
    expect(Object.keys(weights).sort()).toEqual(Object.keys(before.weights).sort());
    for (const [arn, weight] of Object.entries(weights)) expect(weight > 0).toBe(healthy(cfn)[arn] > 0);
    expect(cfn.world().listeners.map((l) => l.rules.map((r) => [r.Priority, r.conditions]))).toEqual(before.rules);
    expect(cfn.world().leftBehind).toEqual({ loadBalancers: [], listeners: [], rules: [], targetGroups: [] });
  });
});

/**
 * Pins each rule of the AWS models (test/aws) against its documented behaviour: each test would fail if the
 * model were kinder than AWS.
 */
import { ElbModel } from './aws/elb';

const VPC = 'vpc-0123456789abcdef0';

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

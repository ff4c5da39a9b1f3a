/**
 * Each checker of the rehearsal, shown failing on hand-made templates that break what it checks
 * (and passing on their fixed twins): a checker that cannot fail proves nothing.
 */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  appOf, checkCertificates, checkCreate, checkRouting, checkUpdate, DRAWN_VALUE, identity, listenersOf, rehearse, renderChangeTable, route, samplesOf,
  synthApp, Template,
} from './rehearsal/index';

const LB_ARN = { Ref: 'Lb' };
const lb = { Type: 'AWS::ElasticLoadBalancingV2::LoadBalancer', Properties: {} };
const fixed404 = [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }];
const listener = (loadBalancerArn: unknown, port: unknown, defaultActions: unknown[] = fixed404) =>
  ({ Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { LoadBalancerArn: loadBalancerArn, Port: port, DefaultActions: defaultActions } });
const hosts = (...values: string[]) => ({ Field: 'host-header', HostHeaderConfig: { Values: values } });
const paths = (...values: string[]) => ({ Field: 'path-pattern', PathPatternConfig: { Values: values } });
const forward = (...groups: string[]) => [{ Type: 'forward', ForwardConfig: { TargetGroups: groups.map((g, i) => ({ TargetGroupArn: { Ref: g }, Weight: i === 0 ? 100 : 0 })) } }];
const rule = (priority: unknown, conditions: unknown[], actions: unknown[], listenerArn: unknown = { Ref: 'Listener' }) =>
  ({ Type: 'AWS::ElasticLoadBalancingV2::ListenerRule', Properties: { ListenerArn: listenerArn, Priority: priority, Conditions: conditions, Actions: actions } });
const record = (name: string, type = 'A') => ({ Type: 'AWS::Route53::RecordSet', Properties: { HostedZoneId: 'Z1', Name: name, Type: type } });
const exported = (name: string, value: unknown) => ({ Value: value, Export: { Name: name } });
const service = (properties: Record<string, unknown>) => ({ Type: 'AWS::ECS::Service', Properties: { Cluster: 'c', TaskDefinition: 't', ...properties } });
const canary = { Strategy: 'CANARY', BakeTimeInMinutes: 5, CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 } };

describe('the resolver', () => {
  const app = appOf({
    Net: { Resources: { Lb: lb }, Outputs: { LbArn: exported('Net:LbArn', { Ref: 'Lb' }) } },
    Web: { Resources: {} },
  });
  test('names a reference by stack and logical id, an import by what it imports, a literal by itself', () => {
    expect(identity(app, 'Net', { Ref: 'Lb' })).toBe('Net/Lb');
    expect(identity(app, 'Net', { 'Fn::GetAtt': ['Lb', 'DNSName'] })).toBe('Net/Lb.DNSName');
    expect(identity(app, 'Web', { 'Fn::ImportValue': 'Net:LbArn' })).toBe('Net/Lb');
    expect(identity(app, 'Web', { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] })).toBe('com.amazonaws.${AWS::Region}.s3');
    expect(identity(app, 'Web', 80)).toBe('80');
  });
});

describe('checkCreate', () => {
  test('two listeners on port 80 of one load balancer, in two stacks, are one too many', () => {
    const app = appOf({
      Net: { Resources: { Lb: lb, Http: listener(LB_ARN, 80) }, Outputs: { LbArn: exported('Net:LbArn', LB_ARN) } },
      Web: { Resources: { Http: listener({ 'Fn::ImportValue': 'Net:LbArn' }, '80'), Other: listener({ 'Fn::ImportValue': 'Net:LbArn' }, 8080) } },
    });
    expect(checkCreate(app)).toEqual(['one listener per (load balancer, port) (DuplicateListener): listener Net/Lb | port 80 is held by Net/Http and Web/Http']);
  });

  test('a priority written as a string is the same priority', () => {
    const app = appOf({ A: { Resources: { Listener: listener(LB_ARN, 443), One: rule(10, [hosts('a.example.com')], fixed404), Two: rule('10', [hosts('b.example.com')], fixed404) } } });
    expect(checkCreate(app)).toEqual([expect.stringMatching(/^one rule per \(listener, priority\).*A\/Listener \| priority 10 is held by A\/One and A\/Two$/)]);
  });

  test('DNS names are compared in lower case with the trailing dot; another type is another record', () => {
    expect(checkCreate(appOf({ A: { Resources: { One: record('App.Example.com') } }, B: { Resources: { Two: record('app.example.com.') } } })))
      .toEqual(['one DNS record per (hosted zone, name, type) (record already exists): record zone Z1 | app.example.com. | A is held by A/One and B/Two']);
    expect(checkCreate(appOf({ A: { Resources: { One: record('app.example.com'), Two: record('app.example.com', 'AAAA') } } }))).toEqual([]);
  });

  test('two private-DNS endpoints of one service in one VPC, one gateway route per route table', () => {
    const endpoint = (serviceName: unknown, more: object) => ({ Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcId: 'vpc-1', ServiceName: serviceName, ...more } });
    const joined = { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.logs']] };
    const interfaceEndpoint = { VpcEndpointType: 'Interface', PrivateDnsEnabled: true };
    const app = appOf({
      A: { Resources: { Logs: endpoint(joined, interfaceEndpoint), S3: endpoint('com.amazonaws.us-east-1.s3', { RouteTableIds: ['rtb-1'] }) } },
      B: { Resources: { Logs: endpoint('com.amazonaws.us-east-1.logs', interfaceEndpoint), S3: endpoint('com.amazonaws.us-east-1.s3', { VpcEndpointType: 'Gateway', RouteTableIds: ['rtb-2', 'rtb-1'] }) } },
    });
    // Stack A has no region: make it us-east-1, as a stack with a concrete environment is.
    const regional = { ...app, stacks: { ...app.stacks, A: { ...app.stacks.A, region: 'us-east-1' } } };
    expect(checkCreate(regional)).toEqual([
      'one interface endpoint with private DNS per (VPC, service) (conflicting DNS domain): private-dns vpc-1 | com.amazonaws.us-east-1.logs is held by A/Logs and B/Logs',
      'one gateway endpoint per (route table, service) (route already exists): gateway-route rtb-1 | com.amazonaws.us-east-1.s3 is held by A/S3 and B/S3',
    ]);
  });

  test('checkCertificates: two certificates for one domain name', () => {
    const certificate = (domainName: string) => ({ Type: 'AWS::CertificateManager::Certificate', Properties: { DomainName: domainName } });
    const app = appOf({ A: { Resources: { One: certificate('app.example.com'), Two: certificate('APP.example.com'), Three: certificate('api.example.com') } } });
    expect(checkCertificates(app)).toEqual([expect.stringMatching(/certificate app.example.com is held by A\/One and A\/Two$/)]);
    expect(checkCreate(app)).toEqual([]);
  });
});

describe('checkUpdate', () => {
  const zoneA = (records: Record<string, unknown>): Template => ({ Resources: { Topic: { Type: 'AWS::SNS::Topic' }, ...records } as any });

  test('a record created in stack B while stack A, deployed later, still holds it', () => {
    const v1 = appOf({ A: zoneA({ Record: record('app.example.com') }), B: zoneA({}) });
    const v2 = appOf({ B: zoneA({ Record: record('app.example.com') }), A: zoneA({}) });
    expect(checkUpdate(v1, v2).conflicts).toEqual([expect.stringMatching(/^one DNS record .*: B\/Record is created on record .* while A\/Record still holds it \(its stack is deployed later\)$/)]);
    // A deployed first deletes its record in its own cleanup, before B creates one.
    expect(checkUpdate(v1, appOf({ A: zoneA({}), B: zoneA({ Record: record('app.example.com') }) })).conflicts).toEqual([]);
    // B depends on A: A deploys first whatever the order of the assembly.
    expect(checkUpdate(v1, appOf({ B: zoneA({ Record: record('app.example.com') }), A: zoneA({}) }, { B: ['A'] })).conflicts).toEqual([]);
    // A stack that version 2 no longer has is not deployed, so keeps its record; so does a retained record.
    expect(checkUpdate(v1, appOf({ B: zoneA({ Record: record('app.example.com') }) })).conflicts).toEqual([expect.stringMatching(/never removed/)]);
    const retained = appOf({ A: zoneA({ Record: { ...record('app.example.com'), DeletionPolicy: 'Retain' } }), B: zoneA({}) });
    expect(checkUpdate(retained, appOf({ A: zoneA({}), B: zoneA({ Record: record('app.example.com') }) })).conflicts).toEqual([expect.stringMatching(/never removed/)]);
  });

  test('a new listener in the stack whose old listener moves off the port in the same update; a replacement on its own key', () => {
    const v1 = appOf({ A: { Resources: { Lb: lb, Listener: listener(LB_ARN, 80) } } });
    const moved = appOf({ A: { Resources: { Lb: lb, Listener: listener(LB_ARN, 443), Redirect: listener(LB_ARN, 80) } } });
    expect(checkUpdate(v1, moved).conflicts).toEqual([expect.stringMatching(/A\/Redirect is created on listener A\/Lb \| port 80 while A\/Listener still holds it \(both change in one stack update/)]);
    // The same load balancer written another way: CloudFormation replaces the listener, whose replacement comes first.
    const literal = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/x/1';
    const before = appOf({ A: { Resources: { Listener: listener(literal, 80) } } });
    const after = appOf({ A: { Resources: { Listener: listener({ 'Fn::Join': ['', [literal]] }, 80) } } });
    const report = checkUpdate(before, after);
    expect(report.conflicts).toEqual([expect.stringMatching(/A\/Listener is replaced on .* while A\/Listener still holds it/)]);
    expect(report.replacements.map((r) => r.type)).toEqual(['AWS::ElasticLoadBalancingV2::Listener']);
  });

  test('a replaced load balancer takes its listeners along: no conflict on the new one', () => {
    const v1 = appOf({ A: { Resources: { Lb: { ...lb, Properties: { Scheme: 'internet-facing' } }, Listener: listener(LB_ARN, 80) } } });
    const v2 = appOf({ A: { Resources: { Lb: { ...lb, Properties: { Scheme: 'internal' } }, Listener: listener(LB_ARN, 80) } } });
    const report = checkUpdate(v1, v2);
    expect(report.conflicts).toEqual([]);
    expect(report.replacements.map((r) => r.logicalId).sort()).toEqual(['Lb', 'Listener']);
  });

  test('a deployment setting removed instead of turned off; harmless removals are not reported', () => {
    const appWith = (properties: Record<string, unknown>) => appOf({ A: { Resources: { Service: service(properties) } } });
    const update = (before: Record<string, unknown>, after: Record<string, unknown>) => checkUpdate(appWith(before), appWith(after)).removedSettings;
    const alarms = { Alarms: { Enable: true, Rollback: true, AlarmNames: ['a'] } };
    expect(update({ DeploymentConfiguration: { ...canary, ...alarms } }, { DeploymentConfiguration: {} })).toEqual([
      'A/Service removes DeploymentConfiguration.Strategy instead of turning it off: ECS keeps "CANARY"',
      'A/Service removes DeploymentConfiguration.BakeTimeInMinutes instead of turning it off: ECS keeps 5',
      'A/Service removes DeploymentConfiguration.CanaryConfiguration instead of turning it off: ECS keeps {"CanaryPercent":10,"CanaryBakeTimeInMinutes":5}',
      'A/Service removes DeploymentConfiguration.Alarms instead of turning it off: ECS keeps {"Enable":true,"Rollback":true,"AlarmNames":["a"]}',
    ]);
    expect(update({ DeploymentConfiguration: canary, DesiredCount: 1, EnableExecuteCommand: true }, { DeploymentConfiguration: { Strategy: 'ROLLING' } }))
      .toEqual(['A/Service removes EnableExecuteCommand instead of turning it off: ECS keeps true']);
    // A replaced service starts from its template: nothing is kept.
    expect(update({ LaunchType: 'FARGATE', DeploymentConfiguration: canary }, { CapacityProviderStrategy: [] })).toEqual([]);
  });

  test('an export removed while another stack still imports it', () => {
    const net = (outputs: object): Template => ({ Resources: { Lb: lb }, Outputs: outputs as any });
    const web = (imports: boolean): Template => ({ Resources: { Listener: listener(imports ? { 'Fn::ImportValue': 'Net:LbArn' } : 'arn:lb', 80) } });
    const v1 = appOf({ Net: net({ LbArn: exported('Net:LbArn', LB_ARN) }), Web: web(true) }, { Web: ['Net'] });
    expect(checkUpdate(v1, appOf({ Net: net({}), Web: web(true) })).exports).toEqual([expect.stringMatching(/^Net removes the export Net:LbArn while Web still imports it/)]);
    // Web, no longer importing it, deployed first: the export can go.
    expect(checkUpdate(v1, appOf({ Web: web(false), Net: net({}) })).exports).toEqual([]);
    // Net deployed first: Web still imports it as deployed.
    expect(checkUpdate(v1, appOf({ Net: net({}), Web: web(false) })).exports).toHaveLength(1);
    // The export of a replaced load balancer changes: refused as well.
    const replacedLb = { Resources: { Lb: { ...lb, Properties: { Scheme: 'internal' } } }, Outputs: { LbArn: exported('Net:LbArn', LB_ARN) } };
    expect(checkUpdate(v1, appOf({ Net: replacedLb, Web: web(true) })).exports).toEqual([expect.stringMatching(/^Net changes the export Net:LbArn while Web still imports it/)]);
  });

  test('a production rule rewritten by an update loses the weights ECS set', () => {
    const v1 = appOf({ A: { Resources: { Rule: rule(10, [paths('/v1/*')], forward('Blue', 'Green')) } } });
    const v2 = appOf({ A: { Resources: { Rule: rule(10, [paths('/v2/*')], forward('Blue', 'Green')) } } });
    expect(checkUpdate(v1, v2).rewrittenWeights).toEqual([expect.stringMatching(/^A\/Rule: the update rewrites a production rule/)]);
    expect(checkUpdate(v1, v1).rewrittenWeights).toEqual([]);
  });
});

describe('the routing model', () => {
  const listenerWith = (rules: Record<string, unknown>): Template => ({ Resources: { Listener: listener(LB_ARN, 443), ...rules } as any });

  test('an /admin rule numbered after a host-only rule of the same host never gets a request', () => {
    const wrong = appOf({ A: listenerWith({ App: rule(1, [hosts('app.example.com')], forward('AppTg')), Admin: rule(2, [hosts('app.example.com'), paths('/admin/*')], forward('AdminTg')) }) });
    expect(checkRouting(wrong)).toEqual([
      'A/Listener: a request for app.example.com/admin/x/y meant for A/Admin (priority 2, forward to A/AdminTg (100)) is taken by A/App (priority 1): forward to A/AppTg (100)',
    ]);
    const right = appOf({ A: listenerWith({ App: rule(2, [hosts('app.example.com')], forward('AppTg')), Admin: rule(1, [hosts('app.example.com'), paths('/admin/*')], forward('AdminTg')) }) });
    expect(checkRouting(right)).toEqual([]);
  });

  test('hosts match in any case with wildcards, paths in their case; no match, the default action', () => {
    const custom = {
      Type: 'Custom::PrivateFargateListenerRule',
      Properties: { ListenerArn: { Ref: 'Listener' }, Priority: '2', Conditions: [hosts('shop.example.com')], TargetGroups: [{ TargetGroupArn: { Ref: 'Shop' }, Weight: 1 }] },
    };
    const app = appOf({ A: listenerWith({ Wild: rule(1, [hosts('*.example.com'), paths('/API/?/*')], forward('Blue', 'Green')), Custom: custom }) });
    expect(route(app, 'A/Listener', 'API.Example.COM', '/API/v/users')).toEqual({
      via: 'A/Wild', action: { type: 'forward', targetGroups: [{ key: 'A/Blue', weight: 100 }, { key: 'A/Green', weight: 0 }] },
    });
    expect(route(app, 'A/Listener', 'shop.example.com', '/api/v/users')).toEqual({ via: 'A/Custom', action: { type: 'forward', targetGroups: [{ key: 'A/Shop', weight: 1 }] } });
    expect(route(app, 'A/Listener', 'example.org', '/')).toEqual({ via: 'default', action: { type: 'fixed-response', config: { StatusCode: '404' } } });
    // `?` is one character, no more; the path's case counts.
    expect(route(app, 'A/Listener', 'api.example.com', '/API/vv/users').via).toBe('default');
    expect(route(app, 'A/Listener', 'api.example.com', '/api/v/users').via).toBe('default');
    expect(checkRouting(app)).toEqual([]);
  });

  test('a test rule matches only requests with its header, whose value the function draws: a user\'s request goes to the production rule', () => {
    const custom = (priority: string, secret?: string) => ({
      Type: 'Custom::PrivateFargateListenerRule',
      Properties: {
        ListenerArn: { Ref: 'Listener' },
        Priority: priority,
        Conditions: [paths('/*')],
        ...(secret ? { SecretHeader: secret } : {}),
        TargetGroups: [{ TargetGroupArn: { Ref: 'Blue' }, Weight: 100 }, { TargetGroupArn: { Ref: 'Green' }, Weight: 0 }],
      },
    });
    // The service names its test rule: only the smoke test's requests may reach it.
    const ecsService = { Type: 'AWS::ECS::Service', Properties: { LoadBalancers: [{ AdvancedConfiguration: { ProductionListenerRule: { Ref: 'Production' }, TestListenerRule: { Ref: 'Test' } } }] } };
    const app = appOf({ A: listenerWith({ Production: custom('50000'), Test: custom('49999', 'x-smoke'), Service: ecsService }) });
    expect(route(app, 'A/Listener', 'shop.example.com', '/health').via).toBe('A/Production');
    expect(route(app, 'A/Listener', 'shop.example.com', '/health', { 'x-smoke': 'guess' }).via).toBe('A/Production');
    expect(route(app, 'A/Listener', 'shop.example.com', '/health', { 'x-smoke': DRAWN_VALUE.toUpperCase() }).via).toBe('A/Test');
    expect(samplesOf(listenersOf(app).get('A/Listener')!.rules[0])).toEqual([{ host: 'any-host.example', path: '/x/y', headers: { 'x-smoke': DRAWN_VALUE } }]);
    expect(checkRouting(app)).toEqual([]);
    // The mistake: a test rule written without its header takes every user's request, though it forwards alike.
    const open = appOf({ A: listenerWith({ Production: custom('50000'), Test: custom('49999'), Service: ecsService }) });
    expect(checkRouting(open)).toEqual([
      'A/Listener: a user\'s request for any-host.example/x/y, meant for A/Test, reaches the test rule A/Test',
      'A/Listener: a user\'s request for any-host.example/x/y, meant for A/Production, reaches the test rule A/Test',
    ]);
  });

  test('the requests of a rule: its hosts and paths with the wildcards filled in', () => {
    const app = appOf({ A: listenerWith({ R: rule(1, [hosts('*.example.com', 'w?w.example.com'), paths('/api/*', '/v?')], fixed404) }) });
    expect(samplesOf(listenersOf(app).get('A/Listener')!.rules[0])).toEqual([
      { host: 'a.example.com', path: '/api/x/y', headers: {} }, { host: 'a.example.com', path: '/vx', headers: {} },
      { host: 'waw.example.com', path: '/api/x/y', headers: {} }, { host: 'waw.example.com', path: '/vx', headers: {} },
    ]);
  });

  test('a condition the model does not know is reported, not guessed', () => {
    const app = appOf({ A: listenerWith({ Ip: rule(1, [{ Field: 'source-ip', SourceIpConfig: { Values: ['10.0.0.0/8'] } }], fixed404) }) });
    expect(checkRouting(app)).toEqual(['A/Ip: the routing model does not know the condition source-ip']);
  });
});

describe('synthesis and the table', () => {
  test('the cdk-init flags change what aws-cdk-lib writes: no Alarms on a service without alarms', () => {
    const build = (app: any) => {
      const stack = new Stack(app, 'S');
      const cluster = new ecs.Cluster(stack, 'Cluster', { vpc: new ec2.Vpc(stack, 'Vpc', { natGateways: 0 }) });
      const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
      taskDefinition.addContainer('web', { image: ecs.ContainerImage.fromRegistry('nginx') });
      new ecs.FargateService(stack, 'Service', { cluster, taskDefinition, minHealthyPercent: 100, circuitBreaker: { rollback: true } });
    };
    const alarmsOf = (flags: 'none' | 'cdk-init') => Object.values(synthApp(build, flags).stacks.S.template.Resources!)
      .find((r) => r.Type === 'AWS::ECS::Service')!.Properties!.DeploymentConfiguration?.Alarms;
    expect(alarmsOf('none')).toEqual({ AlarmNames: [], Enable: false, Rollback: false });
    expect(alarmsOf('cdk-init')).toBeUndefined();
  });

  test('a refusal must be the one expected, name the construct path and give a way out', () => {
    const ok = () => undefined;
    const refusing = (message: string) => () => { throw new Error(message); };
    const row = (message: string) => ({ name: 'r', v1: ok, v2: refusing(message), expect: { refused: /must be free/ } });
    expect(rehearse(row('[App/Api] port must be free; received 80. Give each service its own port'), 'none').problems).toEqual([]);
    expect(rehearse(row('port must be free'), 'none').problems).toEqual([
      'the refusal does not name the construct path: port must be free',
      'the refusal gives no way out: port must be free',
    ]);
    expect(rehearse({ ...row('[App/Api] other. Give x'), expect: 'in place' }, 'none').problems).toEqual(['v2 is refused at synth: [App/Api] other. Give x']);
  });

  test('renderChangeTable writes one line per row, with the issue of a row broken today and what a rollback leaves', () => {
    const BACK = 'version 1 again: every rule on its listener, with the weights ECS set, forwarding to healthy targets; nothing left behind';
    const ok = () => undefined;
    expect(renderChangeTable([
      { name: 'change `port`', v1: ok, v2: ok, expect: { replaces: ['TargetGroup', 'TargetGroup', 'LoadBalancer'] } },
      { name: 'add a | b', v1: ok, v2: ok, expect: 'in place', broken: { 'cdk-init': 'issue 18.4' } },
      { name: 'two on one port', v1: ok, v2: ok, expect: { refused: /x/ } },
      { name: 'switch', v1: ok, v2: ok, expect: 'in place', afterOddDeployment: { refused: /y/ } },
    ])).toBe([
      '| change | what it does to a running stack | if the update fails and rolls back |',
      '| --- | --- | --- |',
      `| change \`port\` | replaces the 2 target groups, the load balancer | ${BACK} |`,
      `| add a \\| b | in place (broken today: issue 18.4 with the cdk-init flags) | ${BACK} |`,
      '| two on one port | refused at synth | nothing deploys |',
      `| switch | in place | ${BACK}. After an odd-numbered deployment the function refuses the update itself (see [the function never moves traffic onto a ` +
      'target group with no healthy target](deployments.md#the-function-never-moves-traffic-onto-a-target-group-with-no-healthy-target)), with the same result |',
    ].join('\n'));
  });
});

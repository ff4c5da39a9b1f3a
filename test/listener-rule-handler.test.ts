/**
 * The Lambda of Custom::PrivateFargateListenerRule (assets/listener-rule-handler/index.js), against an
 * in-memory ELBv2 that enforces what AWS enforces, and answering CloudFormation through a local server.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { PrivateFargateBehindAlb } from '../src';
import { AwsError, ElbModel, RuleCondition as Condition } from './aws/elb';
import { authorizedElb, ELB_METHODS } from './aws/iam';

type Elb = Record<string, any>;

// ---------------------------------------------------------------------------------------------------
// The ELBv2 API shapes the handler takes and returns (as the SDK v3 commands do).

interface Properties {
  ServiceToken?: string;
  SecretHeader?: string;
  ListenerArn: string;
  Priority: string;
  Conditions: Condition[];
  TargetGroups: Array<{ TargetGroupArn: string; Weight: string }>;
}
interface CfnEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  ResourceType: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: Properties;
  OldResourceProperties?: Properties;
}
interface LambdaContext { logStreamName: string; getRemainingTimeInMillis: () => number }
interface ResponseBody {
  Status: 'SUCCESS' | 'FAILED';
  Reason: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  Data: Record<string, string>;
}
interface HandlerModule {
  STACK_TAG: string;
  apply(event: CfnEvent, elb: Elb): Promise<{ PhysicalResourceId: string; Data: Record<string, string> }>;
  createHandler(deps: { elb: Elb; request?: typeof http.request; now?: () => number; send?: unknown }):
  (event: any, context: LambdaContext) => Promise<any>;
  sendResponse(url: string, body: object, request?: typeof http.request): Promise<number>;
  sdkClient(): Elb;
  sameConditions(a: unknown[], b: unknown[]): boolean;
  handler(event: CfnEvent, context: LambdaContext): Promise<void>;
}

// The Lambda runtime's SDK, which this repository does not install: a stand-in recording each command.
const mockSent: Array<{ command: string; input: unknown; options?: unknown }> = [];
const mockConfigs: unknown[] = [];
let mockSdkLoads = 0;
jest.mock('@aws-sdk/client-elastic-load-balancing-v2', () => {
  mockSdkLoads++;
  const command = (name: string) => class {
    readonly name = name;
    constructor(readonly input: unknown) {}
  };
  return {
    ElasticLoadBalancingV2Client: class {
      constructor(readonly config: unknown) {
        mockConfigs.push(config);
      }
      async send(c: { name: string; input: unknown }, options?: unknown) {
        mockSent.push({ command: c.name, input: c.input, ...(options ? { options } : {}) });
        return { Rules: [] };
      }
    },
    CreateRuleCommand: command('CreateRuleCommand'),
    DescribeRulesCommand: command('DescribeRulesCommand'),
    ModifyRuleCommand: command('ModifyRuleCommand'),
    SetRulePrioritiesCommand: command('SetRulePrioritiesCommand'),
    DeleteRuleCommand: command('DeleteRuleCommand'),
    DescribeTargetHealthCommand: command('DescribeTargetHealthCommand'),
  };
}, { virtual: true });

const ruleHandler = jest.requireActual<HandlerModule>('../assets/listener-rule-handler/index.js');


// ---------------------------------------------------------------------------------------------------
// AWS as the API references describe it (test/aws): an ELB whose DescribeRules answers in its own shapes, and every
// call authorized against the function role's policy as the construct synthesizes it, resolved for this world.

const REGION = 'eu-west-1';
const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1';
const ACCOUNT = '123456789012';
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Shop/5b2f0e60-f1a2-11ee-9c5a-0a1b2c3d4e5f`;
const OTHER_STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Other/0c4e2a1b-0000-4000-8000-0a1b2c3d4e5f`;

/** The function role's inline policy of a stack of Web and Api (two listeners), by the logical ids of its listeners. */
function synthesizedPolicy(): { document: any; listeners: { web: string; api: string }; logGroup: string } {
  const stack = new Stack(new App(), 'Shop');
  const web = new PrivateFargateBehindAlb(stack, 'Web', { image: ecs.ContainerImage.fromRegistry(IMAGE) });
  new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, port: 8080, image: ecs.ContainerImage.fromRegistry(IMAGE) });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
  const [role] = Object.values(resources).filter((r) => r.Type === 'AWS::IAM::Role' && /Runs the function/.test(r.Properties.Description));
  const id = (prefix: string, type: string) => Object.keys(resources).find((key) => key.startsWith(prefix) && resources[key].Type === type)!;
  return {
    document: role.Properties.Policies[0].PolicyDocument,
    listeners: { web: id('WebListener', 'AWS::ElasticLoadBalancingV2::Listener'), api: id('ApiListener', 'AWS::ElasticLoadBalancingV2::Listener') },
    logGroup: id('PrivateFargateTrafficControlLogGroup', 'AWS::Logs::LogGroup'),
  };
}
const SYNTHESIZED = synthesizedPolicy();

/** A template value with its references replaced: pseudo parameters, Refs and GetAtts by `refs`, joins joined. */
function resolveRefs(value: unknown, refs: Record<string, string>): any {
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, refs));
  if (!value || typeof value !== 'object') return value;
  const object = value as Record<string, any>;
  if ('Ref' in object) return refs[object.Ref] ?? (() => { throw new Error(`no value for Ref ${object.Ref}`); })();
  if ('Fn::GetAtt' in object) return refs[object['Fn::GetAtt'].join('.')] ?? `${object['Fn::GetAtt'].join('.')}`;
  if ('Fn::Join' in object) return (resolveRefs(object['Fn::Join'][1], refs) as string[]).join(object['Fn::Join'][0]);
  return Object.fromEntries(Object.entries(object).map(([key, v]) => [key, resolveRefs(v, refs)]));
}

interface World {
  readonly model: ElbModel;
  readonly listener: string;
  readonly otherListener: string;
  readonly primary: string;
  readonly alternate: string;
  /** The function role's policy in force; a test changes it as a stack update does. */
  policy: any;
  /** The policy with only these listeners of the stack (the others left the stack in an update). */
  policyWith(listeners: string[]): any;
}

/** A test client: the model's API behind IAM, each call logged, and the model's test helpers. */
type Client = Record<string, any> & {
  calls: Array<{ method: string; input: unknown }>;
  wait: () => Promise<void>;
  rulesOf(listener: string): any[];
  weights(rule: string): Record<string, number>;
  ecsShifts(rule: string, weights: Record<string, number>): void;
  deleteOutOfBand(rule: string): void;
};

let world: World;
let LISTENER = '';
let OTHER_LISTENER = '';
let PRIMARY = '';
let ALTERNATE = '';

async function newWorld(options: ConstructorParameters<typeof ElbModel>[0] = {}): Promise<World> {
  const model = new ElbModel({ region: REGION, account: ACCOUNT, healthyOnRegister: true, ...options });
  const { LoadBalancers: [lb] } = await model.createLoadBalancer({ Name: 'shop', Scheme: 'internet-facing', Subnets: ['subnet-1', 'subnet-2'], SecurityGroups: ['sg-1'] });
  const group = async (Name: string) => (await model.createTargetGroup({ Name, Port: 80, Protocol: 'HTTP', TargetType: 'ip', VpcId: 'vpc-1' })).TargetGroups[0].TargetGroupArn;
  const primary = await group('primary');
  const alternate = await group('alternate');
  const listenerOn = async (Port: number) => (await model.createListener({
    LoadBalancerArn: lb.LoadBalancerArn, Port, Protocol: 'HTTP', DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
  })).Listeners[0].ListenerArn;
  const listener = await listenerOn(80);
  const otherListener = await listenerOn(8080);
  // The service's tasks: healthy in the primary group.
  await model.registerTargets({ TargetGroupArn: primary, Targets: [{ Id: '10.0.3.10', Port: 80 }] });
  const refsWith = (listeners: string[]) => ({
    'AWS::Partition': 'aws',
    'AWS::Region': REGION,
    'AWS::AccountId': ACCOUNT,
    'AWS::StackId': STACK_ID,
    [SYNTHESIZED.listeners.web]: listener,
    [SYNTHESIZED.listeners.api]: otherListener,
    [`${SYNTHESIZED.logGroup}.Arn`]: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:Shop-LogGroup:*`,
    ...Object.fromEntries([listener, otherListener].filter((arn) => !listeners.includes(arn)).map((arn) => [arn, arn])),
  });
  const policyWith = (listeners: string[]) => {
    const document = resolveRefs(SYNTHESIZED.document, refsWith(listeners));
    // The CreateRule statement names only the listeners still in the stack.
    for (const statement of document.Statement) {
      if (statement.Action === 'elasticloadbalancing:CreateRule') statement.Resource = [statement.Resource].flat().filter((arn: string) => listeners.includes(arn));
    }
    return document;
  };
  return { model, listener, otherListener, primary, alternate, policy: policyWith([listener, otherListener]), policyWith };
}

/** The client the handler gets in the Lambda: the model behind IAM with the world's policy at each call. */
function newElb(): Client {
  const authorized = authorizedElb(world.model, () => [world.policy]);
  const calls: Client['calls'] = [];
  const client: Record<string, any> = { calls, wait: async () => undefined };
  for (const method of ELB_METHODS) {
    client[method] = (input: unknown, options?: object) => {
      calls.push({ method, input: JSON.parse(JSON.stringify(input)) });
      return authorized[method](input, options);
    };
  }
  for (const helper of ['rulesOf', 'weights', 'ecsShifts', 'deleteOutOfBand'] as const) {
    client[helper] = (world.model[helper] as (...args: any[]) => any).bind(world.model);
  }
  return client as Client;
}

/** An odd-numbered ECS deployment: the tasks now in the alternate group, all traffic there, the primary empty. */
async function swapped(elb: Client, rule: string): Promise<void> {
  await world.model.registerTargets({ TargetGroupArn: ALTERNATE, Targets: [{ Id: '10.0.4.20', Port: 80 }] });
  elb.ecsShifts(rule, { [PRIMARY]: 0, [ALTERNATE]: 100 });
  await world.model.deregisterTargets({ TargetGroupArn: PRIMARY, Targets: [{ Id: '10.0.3.10', Port: 80 }] });
  world.model.settle();
}

/** The rules of a listener other than its default rule. */
const rulesOn = (elb: Client, listener: string) => elb.rulesOf(listener).filter((r: any) => !r.IsDefault);

beforeEach(async () => {
  world = await newWorld();
  ({ listener: LISTENER, otherListener: OTHER_LISTENER, primary: PRIMARY, alternate: ALTERNATE } = world);
});

// ---------------------------------------------------------------------------------------------------
// CloudFormation's events.

const HOST = { Field: 'host-header', HostHeaderConfig: { Values: ['shop.example.com'] } };
const PATH = { Field: 'path-pattern', PathPatternConfig: { Values: ['/admin/*'] } };
const LOG_STREAM = '2026/01/15/[$LATEST]0123456789abcdef0123456789abcdef';

function props(overrides: Partial<Properties> = {}): Properties {
  return {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:ListenerRuleHandler',
    ListenerArn: LISTENER,
    Priority: '10',
    Conditions: [HOST, PATH],
    TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: '100' }, { TargetGroupArn: ALTERNATE, Weight: '0' }],
    ...overrides,
  };
}

function event(RequestType: CfnEvent['RequestType'], extra: Partial<CfnEvent> = {}): CfnEvent {
  return {
    RequestType,
    ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/response?X-Amz-Signature=abc',
    StackId: STACK_ID,
    RequestId: 'c3d4e5f6-0000-4000-8000-000000000001',
    ResourceType: 'Custom::PrivateFargateListenerRule',
    LogicalResourceId: 'ServiceListenerRule',
    ResourceProperties: props(),
    ...extra,
  };
}

const create = (p = props()) => event('Create', { ResourceProperties: p });
const update = (id: string, p: Properties, old = props()) =>
  event('Update', { PhysicalResourceId: id, ResourceProperties: p, OldResourceProperties: old });
const remove = (id: string | undefined, p = props()) => event('Delete', { PhysicalResourceId: id, ResourceProperties: p });

/** Creates the rule and returns its physical id. */
async function created(elb: Client, p = props()): Promise<string> {
  return (await ruleHandler.apply(create(p), elb)).PhysicalResourceId;
}

const methodsCalled = (elb: Client) => elb.calls.map((c) => c.method);

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

// ---------------------------------------------------------------------------------------------------

describe('create', () => {
  test('creates the rule on the listener at its priority with its conditions, forwarding 100 / 0, and answers its ARN', async () => {
    const elb = newElb();

    const result = await ruleHandler.apply(create(), elb);

    const rules = rulesOn(elb, LISTENER);
    expect(rules).toHaveLength(1);
    expect(result).toEqual({ PhysicalResourceId: rules[0].RuleArn, Data: { RuleArn: rules[0].RuleArn } });
    expect(result.PhysicalResourceId).toMatch(/:listener-rule\/app\/shop\//);
    expect(rules[0]).toMatchObject({ Priority: '10', Conditions: [HOST, PATH] });
    expect(elb.weights(rules[0].RuleArn)).toEqual({ [PRIMARY]: 100, [ALTERNATE]: 0 });
  });

  test('CloudFormation\'s strings become numbers: Priority "36962", weights "100" and "0"', async () => {
    const elb = newElb();

    await ruleHandler.apply(create(props({ Priority: '36962' })), elb);

    expect(elb.calls[0].input).toMatchObject({
      Priority: 36962,
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: 100 }, { TargetGroupArn: ALTERNATE, Weight: 0 }] } }],
    });
    expect(rulesOn(elb, LISTENER)[0].Priority).toBe('36962');
  });

  test.each([
    ['a priority that is no number', props({ Priority: 'ten' }), /Priority must be a whole number, got "ten"/],
    ['an empty priority', props({ Priority: '' }), /Priority must be a whole number/],
    ['a fractional weight', props({ TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: '7.5' }] }), /TargetGroups\[0\]\.Weight must be a whole number, got "7.5"/],
  ])('%s fails before any API call', async (_, p, message) => {
    const elb = newElb();

    await expect(ruleHandler.apply(create(p), elb)).rejects.toThrow(message);
    expect(elb.calls).toEqual([]);
  });

  test('a priority another rule of the listener holds fails the create', async () => {
    const elb = newElb();
    await created(elb);

    await expect(ruleHandler.apply(create(props({ Conditions: [HOST] })), elb)).rejects.toThrow(/Priority '10' is currently in use/);
  });
});

describe('an update keeps the weights ECS set (the swap)', () => {
  test.each([
    ['the path patterns', { Conditions: [HOST, { Field: 'path-pattern', PathPatternConfig: { Values: ['/shop/*', '/cart/*'] } }] }],
    ['the host', { Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['www.example.com'] } }, PATH] }],
    ['the priority', { Priority: '20' }],
  ])('ECS swapped to primary 0 / alternate 100; an update of %s keeps 0 / 100 and applies the change', async (_, change) => {
    const elb = newElb();
    const id = await created(elb);
    elb.ecsShifts(id, { [PRIMARY]: 0, [ALTERNATE]: 100 });
    const next = props(change);

    const result = await ruleHandler.apply(update(id, next), elb);

    expect(result).toEqual({ PhysicalResourceId: id, Data: { RuleArn: id } });
    expect(rulesOn(elb, LISTENER)).toHaveLength(1);
    expect(elb.weights(id)).toEqual({ [PRIMARY]: 0, [ALTERNATE]: 100 });
    expect(rulesOn(elb, LISTENER)[0]).toMatchObject({ RuleArn: id, Priority: next.Priority, Conditions: next.Conditions });
  });

  test('the properties\' target groups in the other order: each weight follows its target group, not its position', async () => {
    const elb = newElb();
    const id = await created(elb);
    elb.ecsShifts(id, { [PRIMARY]: 0, [ALTERNATE]: 100 });
    const reordered = props({
      Conditions: [HOST],
      TargetGroups: [{ TargetGroupArn: ALTERNATE, Weight: '0' }, { TargetGroupArn: PRIMARY, Weight: '100' }],
    });

    await ruleHandler.apply(update(id, reordered), elb);

    expect(elb.weights(id)).toEqual({ [PRIMARY]: 0, [ALTERNATE]: 100 });
    expect(ruleHandler.sameConditions(rulesOn(elb, LISTENER)[0].Conditions, [HOST])).toBe(true);
  });

  test('a split in the middle of a canary (90 / 10) is kept as it is', async () => {
    const elb = newElb();
    const id = await created(elb);
    elb.ecsShifts(id, { [PRIMARY]: 90, [ALTERNATE]: 10 });

    await ruleHandler.apply(update(id, props({ Priority: '11' })), elb);

    expect(elb.weights(id)).toEqual({ [PRIMARY]: 90, [ALTERNATE]: 10 });
  });
});

describe('target groups added or removed by an update', () => {
  test('canary → rolling after an even-numbered deployment: the primary serves and keeps its 100; the alternate leaves the rule', async () => {
    const elb = newElb();
    const id = await created(elb);

    await ruleHandler.apply(update(id, props({ TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: '100' }] })), elb);

    expect(elb.weights(id)).toEqual({ [PRIMARY]: 100 });
  });

  // The mistake: the template's 100 for the primary when the live weights forward nothing any more, as the function did:
  // after an odd-numbered deployment the primary group is empty, and every request of the rule got a 503.
  test('canary → rolling after an odd-numbered deployment is refused: traffic stays on the alternate group, which has the tasks, and the message says what to do', async () => {
    const elb = newElb();
    const id = await created(elb);
    await swapped(elb, id);
    elb.calls.length = 0;

    await expect(ruleHandler.apply(update(id, props({ TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: '100' }] })), elb)).rejects.toThrow(
      `Refused: this update would send requests of the rule ${id} to ${PRIMARY}, which has no healthy target, away from ${ALTERNATE}, which serves them now ` +
      '(after an odd number of canary, linear or blue/green deployments ECS serves from the alternate target group). Nothing was changed; the stack ' +
      'rolls back. Deploy the service once more as it is (aws ecs update-service --force-new-deployment), which moves the traffic back to its ' +
      'primary target group, then apply this change again');
    expect(elb.weights(id)).toEqual({ [PRIMARY]: 0, [ALTERNATE]: 100 });
    expect(methodsCalled(elb)).toEqual(['describeRules', 'describeTargetHealth', 'describeTargetHealth']);

    // CloudFormation's rollback sends the old properties back: the rule stays as it is.
    await ruleHandler.apply(update(id, props(), props({ TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: '100' }] })), elb);
    expect(elb.weights(id)).toEqual({ [PRIMARY]: 0, [ALTERNATE]: 100 });
  });

  test('the way out: one more deployment moves the traffic and the tasks back to the primary group, and the switch then goes through', async () => {
    const elb = newElb();
    const id = await created(elb);
    await swapped(elb, id);
    // The even-numbered deployment.
    await world.model.registerTargets({ TargetGroupArn: PRIMARY, Targets: [{ Id: '10.0.3.11', Port: 80 }] });
    elb.ecsShifts(id, { [PRIMARY]: 100, [ALTERNATE]: 0 });
    world.model.settle();

    await ruleHandler.apply(update(id, props({ TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: '100' }] })), elb);

    expect(elb.weights(id)).toEqual({ [PRIMARY]: 100 });
  });

  test('when no group that serves has a healthy target either, nothing is lost: the template\'s weights are written', async () => {
    const elb = newElb();
    const id = await created(elb);
    elb.ecsShifts(id, { [PRIMARY]: 0, [ALTERNATE]: 100 });
    await world.model.deregisterTargets({ TargetGroupArn: PRIMARY, Targets: [{ Id: '10.0.3.10', Port: 80 }] });
    world.model.settle();

    await ruleHandler.apply(update(id, props({ TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: '100' }] })), elb);

    expect(elb.weights(id)).toEqual({ [PRIMARY]: 100 });
  });

  // The mistake: a target group new to the rule taking 0 (or the weight of the group it replaces) instead of its template weight.
  test('a target group new to a kept rule gets its template weight, not 0', async () => {
    const elb = newElb();
    const id = await created(elb);
    const replacement = (await world.model.createTargetGroup({ Name: 'primary2', Port: 80, Protocol: 'HTTP', TargetType: 'ip', VpcId: 'vpc-1' })).TargetGroups[0].TargetGroupArn;

    await ruleHandler.apply(update(id, props({ TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: '100' }, { TargetGroupArn: replacement, Weight: '100' }] })), elb);

    expect(elb.weights(id)).toEqual({ [PRIMARY]: 100, [replacement]: 100 });
  });

  test('rolling → canary: the added alternate gets its template weight 0, the primary keeps its live weight', async () => {
    const elb = newElb();
    const rolling = props({ TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: '100' }] });
    const id = await created(elb, rolling);
    elb.ecsShifts(id, { [PRIMARY]: 5 });

    await ruleHandler.apply(update(id, props(), rolling), elb);

    expect(elb.weights(id)).toEqual({ [PRIMARY]: 5, [ALTERNATE]: 0 });
  });

  test('a replaced alternate target group: the rule forwards to the new one, not the old one', async () => {
    const elb = newElb();
    const id = await created(elb);
    const newAlternate = (await world.model.createTargetGroup({ Name: 'alternate2', Port: 80, Protocol: 'HTTP', TargetType: 'ip', VpcId: 'vpc-1' })).TargetGroups[0].TargetGroupArn;

    await ruleHandler.apply(update(id, props({
      TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: '100' }, { TargetGroupArn: newAlternate, Weight: '0' }],
    })), elb);

    expect(elb.weights(id)).toEqual({ [PRIMARY]: 100, [newAlternate]: 0 });
  });
});

describe('an update to another listener', () => {
  // The mistake: leaving the old rule matching until CloudFormation's cleanup pass. ECS moves the new rule's weights and
  // stops the old tasks during the same update, and until the cleanup the old rule sends its listener's requests to the
  // emptied group.
  test('creates a rule on the new listener with the live 0 / 100, disables the old one at once (it matches nothing), and answers the new ARN', async () => {
    const elb = newElb();
    const id = await created(elb);
    elb.ecsShifts(id, { [PRIMARY]: 0, [ALTERNATE]: 100 });

    const result = await ruleHandler.apply(update(id, props({ ListenerArn: OTHER_LISTENER })), elb);

    const [moved] = rulesOn(elb, OTHER_LISTENER);
    expect(result).toEqual({ PhysicalResourceId: moved.RuleArn, Data: { RuleArn: moved.RuleArn } });
    expect(moved.RuleArn).not.toBe(id);
    expect(elb.weights(moved.RuleArn)).toEqual({ [PRIMARY]: 0, [ALTERNATE]: 100 });
    expect(ruleHandler.sameConditions(moved.Conditions, [HOST, PATH])).toBe(true);
    // The old rule keeps its priority and conditions, and a condition no request meets.
    const [old] = rulesOn(elb, LISTENER);
    expect(old.RuleArn).toBe(id);
    expect(ruleHandler.sameConditions(old.Conditions, [HOST, PATH, { Field: 'source-ip', SourceIpConfig: { Values: ['255.255.255.255/32'] } }])).toBe(true);

    // CloudFormation's cleanup: the Delete of the old physical id.
    await ruleHandler.apply(remove(id), elb);
    expect(rulesOn(elb, LISTENER)).toEqual([]);
    expect(rulesOn(elb, OTHER_LISTENER).map((r) => r.RuleArn)).toEqual([moved.RuleArn]);
  });

  test('when the old rule cannot be disabled, the new one goes and the update fails with nothing changed', async () => {
    const elb = newElb();
    const id = await created(elb);
    jest.spyOn(elb, 'modifyRule').mockImplementationOnce(async () => {
      throw new AwsError('Throttling', 'Rate exceeded for ModifyRule');
    });

    await expect(ruleHandler.apply(update(id, props({ ListenerArn: OTHER_LISTENER })), elb)).rejects.toThrow(/Rate exceeded/);

    expect(rulesOn(elb, OTHER_LISTENER)).toEqual([]);
    expect(rulesOn(elb, LISTENER).map((r) => r.RuleArn)).toEqual([id]);
    expect(ruleHandler.sameConditions(rulesOn(elb, LISTENER)[0].Conditions, [HOST, PATH])).toBe(true);
  });
});

describe('the rollback of an update to another listener', () => {
  // The mistake: a new rule on the old listener. The service CloudFormation rolls back names the old rule's ARN.
  test('enables the old rule again, under its ARN, with the weights the moved rule has now; the moved one is left to the rollback\'s cleanup', async () => {
    const elb = newElb();
    const id = await created(elb);
    const moved = (await ruleHandler.apply(update(id, props({ ListenerArn: OTHER_LISTENER })), elb)).PhysicalResourceId;
    // ECS's deployment in the same update moved the new rule's traffic.
    await swapped(elb, moved);

    // The stack update fails later: CloudFormation sends an update back to the old properties.
    const result = await ruleHandler.apply(update(moved, props(), props({ ListenerArn: OTHER_LISTENER })), elb);

    expect(result.PhysicalResourceId).toBe(id);
    const [restored] = rulesOn(elb, LISTENER);
    expect(restored.RuleArn).toBe(id);
    expect(ruleHandler.sameConditions(restored.Conditions, [HOST, PATH])).toBe(true);
    expect(elb.weights(id)).toEqual({ [PRIMARY]: 0, [ALTERNATE]: 100 });
    await ruleHandler.apply(remove(moved, props({ ListenerArn: OTHER_LISTENER })), elb);
    expect(rulesOn(elb, OTHER_LISTENER)).toEqual([]);
  });

  test('after an update that failed in the middle of a move, restores the rule that still holds its priority instead of failing with PriorityInUse', async () => {
    const elb = newElb();
    const id = await created(elb);
    elb.ecsShifts(id, { [PRIMARY]: 0, [ALTERNATE]: 100 });

    // CloudFormation kept the old physical id (the update failed) and sends the old properties back.
    const result = await ruleHandler.apply(update(id, props(), props({ ListenerArn: OTHER_LISTENER })), elb);

    expect(result.PhysicalResourceId).toBe(id);
    expect(rulesOn(elb, LISTENER).map((r) => r.RuleArn)).toEqual([id]);
    expect(elb.weights(id)).toEqual({ [PRIMARY]: 0, [ALTERNATE]: 100 });
  });

  test('a priority held by another rule of that listener still fails', async () => {
    const elb = newElb();
    await created(elb, props({ Conditions: [HOST] }));
    const id = await created(elb, props({ ListenerArn: OTHER_LISTENER }));

    await expect(ruleHandler.apply(update(id, props(), props({ ListenerArn: OTHER_LISTENER })), elb)).rejects.toThrow(/in use/);
  });
});

describe('a call refused while IAM applies the role\'s new policy', () => {
  test('is tried again until it is allowed', async () => {
    const elb = newElb();
    // The stack update that adds the listener to the role runs just before: IAM applies it after two waits.
    const full = world.policy;
    world.policy = world.policyWith([]);
    let waits = 0;
    elb.wait = async () => {
      if (++waits === 2) world.policy = full;
    };

    const result = await ruleHandler.apply(create(), elb);

    expect(rulesOn(elb, LISTENER).map((r) => r.RuleArn)).toEqual([result.PhysicalResourceId]);
    expect(elb.calls.map((c) => c.method)).toEqual(['createRule', 'createRule', 'createRule']);
  });

  test('fails once the retries are spent, naming the action and the resource IAM refused', async () => {
    const elb = newElb();
    world.policy = world.policyWith([]);

    await expect(ruleHandler.apply(create(), elb)).rejects.toThrow(new RegExp(`not authorized to perform: elasticloadbalancing:CreateRule on resource: ${LISTENER}`));
    expect(elb.calls).toHaveLength(7);
  });
});

describe('an update of the priority', () => {
  test('calls SetRulePriorities with the number, and makes no new rule', async () => {
    const elb = newElb();
    const id = await created(elb);
    elb.calls.length = 0;

    const result = await ruleHandler.apply(update(id, props({ Priority: '42' })), elb);

    expect(result.PhysicalResourceId).toBe(id);
    expect(elb.calls).toContainEqual({ method: 'setRulePriorities', input: { RulePriorities: [{ RuleArn: id, Priority: 42 }] } });
    expect(methodsCalled(elb)).not.toContain('createRule');
    expect(methodsCalled(elb)).not.toContain('deleteRule');
    expect(rulesOn(elb, LISTENER).map((r) => [r.RuleArn, r.Priority])).toEqual([[id, '42']]);
  });

  test('an update that keeps the priority leaves it alone', async () => {
    const elb = newElb();
    const id = await created(elb);

    await ruleHandler.apply(update(id, props({ Conditions: [PATH] })), elb);

    expect(methodsCalled(elb)).not.toContain('setRulePriorities');
  });
});

describe('a rule deleted out of band', () => {
  test('an update creates it again, with the template\'s weights and the new properties, and answers the new ARN', async () => {
    const elb = newElb();
    const id = await created(elb);
    elb.deleteOutOfBand(id);

    const result = await ruleHandler.apply(update(id, props({ Conditions: [PATH] })), elb);

    const [again] = rulesOn(elb, LISTENER);
    expect(result.PhysicalResourceId).toBe(again.RuleArn);
    expect(again.RuleArn).not.toBe(id);
    expect(ruleHandler.sameConditions(again.Conditions, [PATH])).toBe(true);
    expect(elb.weights(again.RuleArn)).toEqual({ [PRIMARY]: 100, [ALTERNATE]: 0 });
  });

  test('any other error reading the live rule fails the update, without a new rule', async () => {
    const elb = newElb();
    const id = await created(elb);
    jest.spyOn(elb, 'describeRules').mockRejectedValue(new AwsError('ThrottlingException', 'Rate exceeded for DescribeRules'));

    await expect(ruleHandler.apply(update(id, props({ Conditions: [PATH] })), elb)).rejects.toThrow(/Rate exceeded/);
    expect(methodsCalled(elb).filter((m) => m === 'createRule')).toHaveLength(1);
  });
});

describe('delete', () => {
  test('deletes the rule', async () => {
    const elb = newElb();
    const id = await created(elb);

    expect(await ruleHandler.apply(remove(id), elb)).toEqual({ PhysicalResourceId: id, Data: {} });
    expect(rulesOn(elb, LISTENER)).toEqual([]);
  });

  // The mistake: DeleteRule first, expecting RuleNotFound. IAM refuses it (the rule's tag, which the policy reads, is gone
  // with it), and the Delete of a stack whose rule someone removed by hand fails after the retries.
  test('a rule already gone (RuleNotFound) is deleted: it is looked up, not deleted, as IAM would refuse DeleteRule on it', async () => {
    const elb = newElb();
    const id = await created(elb);
    elb.deleteOutOfBand(id);
    elb.calls.length = 0;

    await expect(ruleHandler.apply(remove(id), elb)).resolves.toEqual({ PhysicalResourceId: id, Data: {} });
    expect(methodsCalled(elb)).toEqual(['describeRules']);
    await expect(elb.deleteRule({ RuleArn: id })).rejects.toThrow(/not authorized to perform: elasticloadbalancing:DeleteRule/);
  });

  test('a rule whose listener is gone (with its rules) is deleted', async () => {
    const elb = newElb();
    const id = await created(elb);
    await world.model.deleteListener({ ListenerArn: LISTENER });

    await expect(ruleHandler.apply(remove(id), elb)).resolves.toEqual({ PhysicalResourceId: id, Data: {} });
  });

  test('any other error fails the delete', async () => {
    const elb = newElb();
    const id = await created(elb);
    jest.spyOn(elb, 'deleteRule').mockRejectedValue(new AwsError('ThrottlingException', 'Rate exceeded for DeleteRule'));

    await expect(ruleHandler.apply(remove(id), elb)).rejects.toThrow(/Rate exceeded/);
  });

  test.each([
    ['the log stream name', LOG_STREAM],
    ['nothing', undefined],
  ])('the physical id of a failed create (%s) succeeds without calling ELB', async (_, id) => {
    const elb = newElb();

    await expect(ruleHandler.apply(remove(id), elb)).resolves.toEqual({ PhysicalResourceId: id, Data: {} });
    expect(elb.calls).toEqual([]);
  });
});

test('each API call\'s input is logged', async () => {
  const elb = newElb();
  const id = await created(elb);
  const log = jest.mocked(console.log);
  log.mockClear();

  await ruleHandler.apply(update(id, props({ Priority: '12' })), elb);

  const logged = log.mock.calls.map(([line]) => JSON.parse(String(line)) as { call: string; input: unknown });
  expect(logged).toEqual([
    { call: 'describeRules', input: { RuleArns: [id] }, attempt: 0 },
    { call: 'setRulePriorities', input: { RulePriorities: [{ RuleArn: id, Priority: 12 }] }, attempt: 0 },
    { call: 'modifyRule', input: expect.objectContaining({ RuleArn: id, Conditions: [HOST, PATH] }), attempt: 0 },
  ]);
});

// ---------------------------------------------------------------------------------------------------

describe('the handler answers CloudFormation', () => {
  interface Received { method?: string; url?: string; headers: http.IncomingHttpHeaders; raw: string; body: ResponseBody }
  let server: http.Server;
  let received: Received[];
  let responseUrl: string;
  const context: LambdaContext = { logStreamName: LOG_STREAM, getRemainingTimeInMillis: () => 60_000 };

  beforeEach(async () => {
    received = [];
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body = {} as ResponseBody;
        try {
          body = JSON.parse(raw) as ResponseBody;
        } catch {
          // A body cut short by a wrong Content-Length: the assertions on it fail.
        }
        received.push({ method: req.method, url: req.url, headers: req.headers, raw, body });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/arn%3Aaws%3Acloudformation/response?X-Amz-Signature=abc&X-Amz-Expires=7200`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const handlerOn = (elb: Elb) => ruleHandler.createHandler({ elb, request: http.request });

  test('SUCCESS with the rule ARN: a PUT of the JSON body to the presigned URL, its query kept, Content-Type empty, Content-Length set', async () => {
    const elb = newElb();

    await handlerOn(elb)(event('Create', { ResponseURL: responseUrl }), context);

    const [id] = rulesOn(elb, LISTENER).map((r) => r.RuleArn);
    expect(received).toHaveLength(1);
    const [{ method, url, headers, raw, body }] = received;
    expect(method).toBe('PUT');
    expect(url).toBe('/arn%3Aaws%3Acloudformation/response?X-Amz-Signature=abc&X-Amz-Expires=7200');
    expect(headers['content-type']).toBe('');
    expect(headers['content-length']).toBe(String(Buffer.byteLength(raw)));
    expect(body).toEqual({
      Status: 'SUCCESS',
      Reason: expect.stringContaining(LOG_STREAM),
      PhysicalResourceId: id,
      StackId: event('Create').StackId,
      RequestId: event('Create').RequestId,
      LogicalResourceId: 'ServiceListenerRule',
      Data: { RuleArn: id },
    });
  });

  test('FAILED with the API\'s message and the log stream when the API throws; the Delete of that failed create then succeeds without ELB', async () => {
    const elb = newElb();
    await created(elb, props({ Conditions: [HOST] }));
    elb.calls.length = 0;

    await handlerOn(elb)(event('Create', { ResponseURL: responseUrl }), context);
    const failed = received[0].body;

    expect(failed).toMatchObject({ Status: 'FAILED', LogicalResourceId: 'ServiceListenerRule', RequestId: event('Create').RequestId });
    expect(failed.Reason).toMatch(/Priority '10' is currently in use/);
    expect(failed.Reason).toContain(LOG_STREAM);
    expect(failed.PhysicalResourceId).toBe(LOG_STREAM);

    await handlerOn(elb)(event('Delete', { ResponseURL: responseUrl, PhysicalResourceId: failed.PhysicalResourceId }), context);

    expect(received[1].body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: LOG_STREAM });
    expect(methodsCalled(elb)).toEqual(['createRule']);
  });

  test('a property that is no number answers FAILED too, its Content-Length counting bytes, not characters', async () => {
    await handlerOn(newElb())(event('Create', { ResponseURL: responseUrl, ResourceProperties: props({ Priority: 'zwölf' }) }), context);

    expect(received[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^Priority must be a whole number, got "zwölf"/) });
    expect(received[0].headers['content-length']).toBe(String(Buffer.byteLength(received[0].raw)));
  });

  test('a failed update answers FAILED with the rule\'s physical id, not a new one', async () => {
    const elb = newElb();
    const id = await created(elb);
    jest.spyOn(elb, 'describeRules').mockRejectedValue(new AwsError('Throttling', 'Rate exceeded'));

    await handlerOn(elb)(event('Update', {
      ResponseURL: responseUrl, PhysicalResourceId: id, ResourceProperties: props({ Priority: '11' }), OldResourceProperties: props(),
    }), context);

    expect(received[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id, Reason: expect.stringMatching(/Rate exceeded/) });
  });

  test('an API that hangs answers FAILED before the Lambda times out', async () => {
    const elb = newElb();
    jest.spyOn(elb, 'createRule').mockReturnValue(new Promise(() => undefined));

    await handlerOn(elb)(event('Create', { ResponseURL: responseUrl }), { logStreamName: LOG_STREAM, getRemainingTimeInMillis: () => 5_050 });

    expect(received[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/Timed out/) });
  });

  // The mistake: answering FAILED and leaving the call under way to finish: a rule nothing tracks, whose priority then
  // blocks CloudFormation's retry.
  test('on its timeout the call under way is aborted: the rule it was creating never appears, and no call starts after the answer', async () => {
    const elb = newElb();
    let signal: AbortSignal | undefined;
    let finish: () => void = () => undefined;
    const createRule = elb.createRule;
    elb.createRule = (input: unknown, options: { abortSignal?: AbortSignal }) => {
      signal = options?.abortSignal;
      // ELB answers late: the call completes only if it was not aborted (the SDK drops an aborted request).
      return new Promise((resolve, reject) => {
        finish = () => (signal?.aborted ? reject(Object.assign(new Error('aborted'), { name: 'AbortError' })) : resolve(createRule(input, options)));
      });
    };

    await handlerOn(elb)(event('Create', { ResponseURL: responseUrl }), { logStreamName: LOG_STREAM, getRemainingTimeInMillis: () => 5_050 });
    finish();
    await new Promise((resolve) => setTimeout(resolve, 10));

    expect(received[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/Timed out before the work finished; the ELB calls under way were aborted/) });
    expect(signal?.aborted).toBe(true);
    expect(rulesOn(elb, LISTENER)).toEqual([]);
  });

  test('an update whose first call times out makes no second call', async () => {
    const elb = newElb();
    const id = await created(elb);
    const describeRules = elb.describeRules;
    elb.describeRules = (input: unknown, options: { abortSignal?: AbortSignal }) =>
      new Promise((resolve) => setTimeout(() => resolve(describeRules(input, options)), 120));
    elb.calls.length = 0;

    await handlerOn(elb)(event('Update', {
      ResponseURL: responseUrl, PhysicalResourceId: id, ResourceProperties: props({ Priority: '11' }), OldResourceProperties: props(),
    }), { logStreamName: LOG_STREAM, getRemainingTimeInMillis: () => 5_050 });
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(received[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id });
    expect(methodsCalled(elb)).toEqual(['describeRules']);
    expect(rulesOn(elb, LISTENER)[0].Priority).toBe('10');
  });

  test('the presigned URL is not logged', async () => {
    await handlerOn(newElb())(event('Create', { ResponseURL: responseUrl }), context);

    const logged = jest.mocked(console.log).mock.calls.map(([line]) => String(line)).join('\n');
    expect(logged).toContain('ServiceListenerRule');
    expect(logged).not.toContain('X-Amz-Signature');
  });

  test('a response URL that cannot be reached is logged, the handler does not throw', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    await expect(handlerOn(newElb())(event('Create', { ResponseURL: `http://127.0.0.1:${port}/response` }), context)).resolves.toBeUndefined();
    expect(console.error).toHaveBeenCalledWith('Could not send the response to CloudFormation', expect.anything());
  });

  test('sendResponse resolves with the status code of the PUT', async () => {
    await expect(ruleHandler.sendResponse(responseUrl, { Status: 'SUCCESS' }, http.request)).resolves.toBe(200);
    expect(received[0].body).toEqual({ Status: 'SUCCESS' });
  });
});

describe('the Lambda\'s ELBv2 client', () => {
  test('loads the SDK on first use only, and sends each method as its SDK command with the abort signal', async () => {
    // Loading the module built the handler's client without loading the SDK.
    expect(typeof ruleHandler.handler).toBe('function');
    expect(mockSdkLoads).toBe(0);

    const elb = ruleHandler.sdkClient();
    expect(mockSdkLoads).toBe(0);
    const abortSignal = new AbortController().signal;
    await elb.describeRules({ RuleArns: ['r'] }, { abortSignal });
    await elb.createRule({ ListenerArn: LISTENER, Priority: 1, Conditions: [PATH], Actions: [] });
    await elb.modifyRule({ RuleArn: 'r' });
    await elb.setRulePriorities({ RulePriorities: [{ RuleArn: 'r', Priority: 2 }] });
    await elb.deleteRule({ RuleArn: 'r' });
    await elb.describeTargetHealth({ TargetGroupArn: 'tg' }, { abortSignal });

    expect(mockSdkLoads).toBe(1);
    expect(mockSent).toEqual([
      { command: 'DescribeRulesCommand', input: { RuleArns: ['r'] }, options: { abortSignal } },
      { command: 'CreateRuleCommand', input: { ListenerArn: LISTENER, Priority: 1, Conditions: [PATH], Actions: [] } },
      { command: 'ModifyRuleCommand', input: { RuleArn: 'r' } },
      { command: 'SetRulePrioritiesCommand', input: { RulePriorities: [{ RuleArn: 'r', Priority: 2 }] } },
      { command: 'DeleteRuleCommand', input: { RuleArn: 'r' } },
      { command: 'DescribeTargetHealthCommand', input: { TargetGroupArn: 'tg' }, options: { abortSignal } },
    ]);
  });

  // The mistake: the SDK's standard retries, which give up on the account's ELB throttling the function shares with every client.
  test('retries throttled calls the way the SDK\'s adaptive mode does', () => {
    expect(mockConfigs).toEqual([{ retryMode: 'adaptive', maxAttempts: 8 }]);
  });
});

describe('AWS as it behaves: tags, IAM and the API\'s own shapes', () => {
  test('a rule is created with the stack\'s id as a tag; the role refuses a rule without it and a listener not of the stack', async () => {
    const elb = newElb();

    const id = await created(elb);

    const { TagDescriptions } = await world.model.describeTags({ ResourceArns: [id] });
    expect(TagDescriptions[0].Tags).toEqual([{ Key: ruleHandler.STACK_TAG, Value: STACK_ID }]);
    const rule = { Priority: 77, Conditions: [PATH], Actions: [{ Type: 'forward', TargetGroupArn: PRIMARY }] };
    await expect(elb.createRule({ ListenerArn: LISTENER, ...rule })).rejects.toThrow(/not authorized to perform: elasticloadbalancing:CreateRule/);
    world.policy = world.policyWith([LISTENER]);
    await expect(elb.createRule({ ListenerArn: OTHER_LISTENER, ...rule, Tags: [{ Key: ruleHandler.STACK_TAG, Value: STACK_ID }] }))
      .rejects.toThrow(/not authorized to perform: elasticloadbalancing:CreateRule/);
  });

  // The mistake: rights named by listener. The update moved the rule (a domain was added, or the service went rolling) and the
  // role no longer names its old listener: the cleanup pass's DeleteRule was denied, skipped, and the old rule kept serving.
  test('the cleanup pass deletes a rule whose listener left the stack\'s policy: the rule\'s tag, not its listener, gives the right', async () => {
    const elb = newElb();
    const id = await created(elb, props({ ListenerArn: OTHER_LISTENER }));
    world.policy = world.policyWith([LISTENER]);

    await ruleHandler.apply(remove(id, props({ ListenerArn: OTHER_LISTENER })), elb);

    expect(rulesOn(elb, OTHER_LISTENER)).toEqual([]);
  });

  test('a rule of another stack on a shared listener can be neither changed nor deleted by this stack\'s function', async () => {
    const elb = newElb();
    const { Rules: [theirs] } = await world.model.createRule({
      ListenerArn: LISTENER,
      Priority: 5,
      Conditions: [HOST],
      Actions: [{ Type: 'forward', TargetGroupArn: PRIMARY }],
      Tags: [{ Key: ruleHandler.STACK_TAG, Value: OTHER_STACK_ID }],
    });

    await expect(ruleHandler.apply(remove(theirs.RuleArn), elb)).rejects.toThrow(/not authorized to perform: elasticloadbalancing:DeleteRule/);
    await expect(ruleHandler.apply(update(theirs.RuleArn, props({ Priority: '5', Conditions: [HOST] }), props({ Priority: '5', Conditions: [HOST] })), elb))
      .rejects.toThrow(/not authorized to perform: elasticloadbalancing:ModifyRule/);
    expect(rulesOn(elb, LISTENER).map((r: any) => r.RuleArn)).toEqual([theirs.RuleArn]);
  });

  // The mistake: comparing conditions as JSON text. DescribeRules answers each condition with the legacy Values beside
  // HostHeaderConfig / PathPatternConfig, so nothing matched, the rollback failed and the stack was UPDATE_ROLLBACK_FAILED.
  test('the rollback of a failed listener move finds the old rule by meaning, reading DescribeRules page by page past 400 rules', async () => {
    world = await newWorld({ quotas: { rulesPerLoadBalancer: 1000 } });
    ({ listener: LISTENER, otherListener: OTHER_LISTENER, primary: PRIMARY, alternate: ALTERNATE } = world);
    const elb = newElb();
    for (let priority = 1; priority <= 450; priority++) {
      await world.model.createRule({
        ListenerArn: LISTENER,
        Priority: priority,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: [`/p${priority}/*`] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: PRIMARY }],
      });
    }
    const old = props({ Priority: '460' });
    const id = await created(elb, old);
    await swapped(elb, id);
    elb.calls.length = 0;

    // The update failed in the middle of the move: CloudFormation kept the old physical id and sends the old properties back.
    const result = await ruleHandler.apply(update(id, old, props({ Priority: '460', ListenerArn: OTHER_LISTENER })), elb);

    expect(result.PhysicalResourceId).toBe(id);
    expect(elb.weights(id)).toEqual({ [PRIMARY]: 0, [ALTERNATE]: 100 });
    const pages = elb.calls.filter((c) => c.method === 'describeRules' && (c.input as any).ListenerArn === LISTENER);
    expect(pages.map((c) => (c.input as any).Marker === undefined)).toEqual([true, false]);
  });

  test.each([
    ['the legacy Values beside the Config', [{ Field: 'host-header', Values: ['shop.example.com'], HostHeaderConfig: { Values: ['shop.example.com'] } }], [HOST], true],
    ['only the legacy Values', [{ Field: 'path-pattern', Values: ['/admin/*'] }], [PATH], true],
    ['another order of conditions', [PATH, HOST], [HOST, PATH], true],
    ['a host in capitals (host names match case-insensitively)', [{ Field: 'host-header', HostHeaderConfig: { Values: ['SHOP.example.com'] } }], [HOST], true],
    ['a path in capitals (paths match case-sensitively)', [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/ADMIN/*'] } }], [PATH], false],
    ['another value', [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/admin/*', '/x'] } }], [PATH], false],
    ['a condition less', [HOST], [HOST, PATH], false],
  ])('conditions compared by meaning: %s', (_, live, desired, same) => {
    expect(ruleHandler.sameConditions(live, desired)).toBe(same);
  });
});

// ---------------------------------------------------------------------------------------------------
// A smoke test's rule (SecretHeader) and the smoke test itself, which ECS runs as a lifecycle hook.

const HEADER = 'x-private-fargate-smoke-test';
/** The value of the rule's test header, as DescribeRules answers it. */
const secretOf = (elb: Client, listener: string, rule: string) => rulesOn(elb, listener).find((r: any) => r.RuleArn === rule)
  ?.Conditions.find((c: any) => c.Field === 'http-header' && c.HttpHeaderConfig.HttpHeaderName === HEADER)?.HttpHeaderConfig.Values[0];
const logged = () => [console.log, console.error].flatMap((f) => (f as jest.Mock).mock.calls.map((call) => call.map(String).join(' '))).join('\n');

describe('a test rule: the template\'s conditions and a header whose value only the rule holds', () => {
  const testProps = (overrides: Partial<Properties> = {}) => props({ Priority: '9', SecretHeader: HEADER, ...overrides });

  test('create: the template\'s conditions and the header, valued with 64 random hex digits that no log shows; two rules, two values', async () => {
    const elb = newElb();
    const first = await created(elb, testProps());
    const second = await created(elb, testProps({ Priority: '8' }));
    const rule = rulesOn(elb, LISTENER).find((r: any) => r.RuleArn === first);
    expect(rule.Conditions.filter((c: any) => c.Field !== 'http-header')).toEqual([
      { Field: 'host-header', Values: ['shop.example.com'], HostHeaderConfig: { Values: ['shop.example.com'] } },
      { Field: 'path-pattern', Values: ['/admin/*'], PathPatternConfig: { Values: ['/admin/*'] } },
    ]);
    const value = secretOf(elb, LISTENER, first);
    expect(value).toMatch(/^[0-9a-f]{64}$/);
    expect(secretOf(elb, LISTENER, second)).toMatch(/^[0-9a-f]{64}$/);
    expect(secretOf(elb, LISTENER, second)).not.toBe(value);
    expect(logged()).toContain('(hidden)');
    expect(logged()).not.toContain(value);
  });

  test('a rule without SecretHeader has no header condition (the production rule)', async () => {
    const elb = newElb();
    const rule = await created(elb, props());
    expect(rulesOn(elb, LISTENER).find((r: any) => r.RuleArn === rule).Conditions.map((c: any) => c.Field)).toEqual(['host-header', 'path-pattern']);
  });

  test('an update in place (another priority, other paths) keeps the value, and the weights ECS set', async () => {
    const elb = newElb();
    const id = await created(elb, testProps());
    const value = secretOf(elb, LISTENER, id);
    elb.ecsShifts(id, { [PRIMARY]: 0, [ALTERNATE]: 100 });
    await world.model.registerTargets({ TargetGroupArn: ALTERNATE, Targets: [{ Id: '10.0.4.20', Port: 80 }] });
    const moved = testProps({ Priority: '7', Conditions: [HOST, { Field: 'path-pattern', PathPatternConfig: { Values: ['/shop/*'] } }] });
    const out = await ruleHandler.apply(update(id, moved, testProps()), elb);
    expect(out.PhysicalResourceId).toBe(id);
    expect(secretOf(elb, LISTENER, id)).toBe(value);
    expect(elb.weights(id)).toEqual({ [PRIMARY]: 0, [ALTERNATE]: 100 });
    expect(rulesOn(elb, LISTENER).find((r: any) => r.RuleArn === id).Priority).toBe('7');
  });

  test('a move to another listener: the new rule has the same value; the old one is disabled', async () => {
    const elb = newElb();
    const id = await created(elb, testProps());
    const value = secretOf(elb, LISTENER, id);
    const out = await ruleHandler.apply(update(id, testProps({ ListenerArn: OTHER_LISTENER }), testProps()), elb);
    expect(out.PhysicalResourceId).not.toBe(id);
    expect(secretOf(elb, OTHER_LISTENER, out.PhysicalResourceId)).toBe(value);
    expect(rulesOn(elb, LISTENER).find((r: any) => r.RuleArn === id).Conditions.map((c: any) => c.Field)).toContain('source-ip');
  });

  test('with three paths, the disabled rule stays within ELB\'s five condition values: the header goes, the never-matching condition comes', async () => {
    const elb = newElb();
    const paths = { Field: 'path-pattern', PathPatternConfig: { Values: ['/a/*', '/b/*', '/c/*'] } };
    const id = await created(elb, testProps({ Conditions: [HOST, paths] }));
    const old = testProps({ Conditions: [HOST, paths] });
    await ruleHandler.apply(update(id, testProps({ ListenerArn: OTHER_LISTENER, Conditions: [HOST, paths] }), old), elb);
    expect(rulesOn(elb, LISTENER).find((r: any) => r.RuleArn === id).Conditions.map((c: any) => c.Field)).toEqual(['host-header', 'path-pattern', 'source-ip']);
  });

  test('the rollback of a move finds the disabled rule by its template conditions and enables it with a header again (a new value, which the smoke test reads from the rule)', async () => {
    const elb = newElb();
    const id = await created(elb, testProps());
    const moved = (await ruleHandler.apply(update(id, testProps({ ListenerArn: OTHER_LISTENER }), testProps()), elb)).PhysicalResourceId;
    // The rollback: back to the first listener, from the moved rule.
    const back = await ruleHandler.apply(update(moved, testProps(), testProps({ ListenerArn: OTHER_LISTENER })), elb);
    expect(back.PhysicalResourceId).toBe(id);
    const conditions = rulesOn(elb, LISTENER).find((r: any) => r.RuleArn === id).Conditions;
    expect(conditions.map((c: any) => c.Field).sort()).toEqual(['host-header', 'http-header', 'path-pattern']);
    expect(secretOf(elb, LISTENER, id)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the smoke test: ECS calls the function as its POST_TEST_TRAFFIC_SHIFT hook', () => {
  interface Seen { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }
  let server: http.Server;
  let seen: Seen[];
  /** What the new revision answers: a status and a body, or nothing at all. */
  let answer: (request: Seen) => { status: number; body?: string } | undefined;
  let base: string;
  let rule: string;
  let value: string;
  const context: LambdaContext = { logStreamName: LOG_STREAM, getRemainingTimeInMillis: () => 60_000 };

  beforeEach(async () => {
    seen = [];
    answer = () => ({ status: 200, body: 'ok' });
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        seen.push(request);
        const reply = answer(request);
        if (reply) res.writeHead(reply.status).end(reply.body ?? '');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const elb = newElb();
    rule = await created(elb, props({ Priority: '9', SecretHeader: HEADER }));
    value = secretOf(elb, LISTENER, rule);
  });
  afterEach(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));

  /** ECS's event (ECS developer guide, "Lambda hooks": the POST_TEST_TRAFFIC_SHIFT payload), with the template's hookDetails, a JSON string. */
  const hookEvent = (smoke: Record<string, unknown> = {}, stage = 'POST_TEST_TRAFFIC_SHIFT', extra: Record<string, unknown> = {}) => ({
    executionId: '3a0345ba-b029-404b-890d-7da2a4b266aa',
    lifecycleStage: stage,
    resourceArn: 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/shop/web/EZe5RNVLH6PPzHXINuP28',
    executionDetails: {
      serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/shop/web',
      targetServiceRevisionArn: 'arn:aws:ecs:eu-west-1:123456789012:service-revision/shop/web/9313423515462893900',
      testTrafficWeights: {},
      productionTrafficWeights: {},
    },
    hookDetails: JSON.stringify({
      SmokeTest: {
        TestRule: rule, Header: HEADER, Url: base, Requests: [{ Path: '/health', ExpectStatus: 200 }], Count: 3, DeadlineSeconds: 300, ...smoke,
      },
    }),
    ...extra,
  });
  const hook = (hookEventIn: object, now = () => Date.parse('2026-12-07T10:00:00Z')) => ruleHandler.createHandler({ elb: newElb(), now })(hookEventIn, context);

  test('every answer as expected: SUCCEEDED, after each request sent requestCount times with the header\'s value, drawn anew for this test', async () => {
    expect(await hook(hookEvent())).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /health', 'GET /health', 'GET /health']);
    const drawn = secretOf(newElb(), LISTENER, rule);
    expect(drawn).toMatch(/^[0-9a-f]{64}$/);
    expect(drawn).not.toBe(value);
    expect(seen.every((r) => r.headers[HEADER] === drawn)).toBe(true);
    expect(logged()).not.toContain(drawn);
    // The rule kept its other conditions and its weights.
    const live = rulesOn(newElb(), LISTENER).find((r: any) => r.RuleArn === rule);
    expect(live.Conditions.map((c: any) => c.Field).sort()).toEqual(['host-header', 'http-header', 'path-pattern']);
    expect(newElb().weights(rule)).toEqual({ [PRIMARY]: 100, [ALTERNATE]: 0 });
  });

  test('a call of ECS again (IN_PROGRESS) sends the value drawn at the first call, and only the requests not yet answered as expected', async () => {
    let remaining = [60_000, 60_000, 10_000];
    const timed: LambdaContext = { logStreamName: LOG_STREAM, getRemainingTimeInMillis: () => remaining.shift() ?? 60_000 };
    const start = Date.parse('2026-12-07T10:00:00Z');
    const first = await ruleHandler.createHandler({ elb: newElb(), now: () => start })(hookEvent(), timed);
    expect(first).toMatchObject({ hookStatus: 'IN_PROGRESS', callBackDelay: 1, hookDetails: { StartedAt: start, Done: 2 } });
    expect(seen).toHaveLength(2);
    remaining = [];
    const again = hookEvent({}, 'POST_TEST_TRAFFIC_SHIFT', { hookDetails: { ...JSON.parse(hookEvent().hookDetails), ...first.hookDetails } });
    expect(await ruleHandler.createHandler({ elb: newElb(), now: () => start + 2_000 })(again, timed)).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((r) => r.headers[HEADER]))).toEqual(new Set([secretOf(newElb(), LISTENER, rule)]));
  });

  test('several requests, each with its method, headers, body and expectations, in order; the host name of a domain is sent as Host', async () => {
    answer = (r) => (r.method === 'POST' ? { status: 201, body: '{"id":1}' } : { status: 200, body: 'ready' });
    const requests = [
      { Path: '/ready?full=1', ExpectStatus: 200, ExpectBodyContains: 'ready' },
      { Path: '/orders', Method: 'POST', Headers: { 'content-type': 'application/json' }, Body: '{"item":"tea"}', ExpectStatus: 201 },
    ];
    expect(await hook(hookEvent({ Requests: requests, Count: 1, Host: 'shop.example.com' }))).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(seen.map((r) => [r.method, r.url, r.headers.host, r.body])).toEqual([
      ['GET', '/ready?full=1', 'shop.example.com', ''],
      ['POST', '/orders', 'shop.example.com', '{"item":"tea"}'],
    ]);
    expect(seen[1].headers['content-type']).toBe('application/json');
  });

  test('a wrong status: FAILED at once (ECS rolls back), with no further request', async () => {
    answer = () => ({ status: 500, body: 'boom' });
    expect(await hook(hookEvent())).toEqual({ hookStatus: 'FAILED' });
    expect(seen).toHaveLength(1);
    expect(logged()).toContain('answered 500, expected 200');
  });

  test('the second answer wrong after a first right one: FAILED', async () => {
    let n = 0;
    answer = () => ({ status: n++ === 0 ? 200 : 404 });
    expect(await hook(hookEvent())).toEqual({ hookStatus: 'FAILED' });
    expect(seen).toHaveLength(2);
  });

  test('a body without the expected text: FAILED', async () => {
    answer = () => ({ status: 200, body: 'starting' });
    expect(await hook(hookEvent({ Requests: [{ Path: '/health', ExpectStatus: 200, ExpectBodyContains: 'ready' }] }))).toEqual({ hookStatus: 'FAILED' });
    expect(logged()).toMatch(/answered 200 without .*ready.* in its body/);
  });

  test('the load balancer\'s 503 (no healthy target yet): IN_PROGRESS, called again in 15 seconds with the first try\'s time; FAILED once the deadline has passed', async () => {
    answer = () => ({ status: 503 });
    const start = Date.parse('2026-12-07T10:00:00Z');
    const first = await hook(hookEvent(), () => start);
    expect(first).toMatchObject({ hookStatus: 'IN_PROGRESS', callBackDelay: 15 });
    expect(first.hookDetails.StartedAt).toBe(start);
    expect(seen).toHaveLength(1);
    // ECS merges the returned hookDetails with the template's and passes them back.
    const again = hookEvent({}, 'POST_TEST_TRAFFIC_SHIFT', { hookDetails: { ...JSON.parse(hookEvent().hookDetails), ...first.hookDetails } });
    expect(await hook(again, () => start + 120_000)).toMatchObject({ hookStatus: 'IN_PROGRESS' });
    expect(await hook(again, () => start + 300_000)).toEqual({ hookStatus: 'FAILED' });
    expect(logged()).toContain('no answer as expected within 300 seconds');
  });

  test('near the deadline, ECS is called back at the deadline, not later', async () => {
    answer = () => ({ status: 502 });
    const start = Date.parse('2026-12-07T10:00:00Z');
    const details = { ...JSON.parse(hookEvent().hookDetails), StartedAt: start };
    const out = await hook(hookEvent({}, 'POST_TEST_TRAFFIC_SHIFT', { hookDetails: details }), () => start + 296_000);
    expect(out).toMatchObject({ hookStatus: 'IN_PROGRESS', callBackDelay: 4 });
  });

  test('a revision that expects 503 passes on 503: the expected status decides first', async () => {
    answer = () => ({ status: 503 });
    expect(await hook(hookEvent({ Requests: [{ Path: '/maintenance', ExpectStatus: 503 }], Count: 1 }))).toEqual({ hookStatus: 'SUCCEEDED' });
  });

  test('no answer within 5 seconds: IN_PROGRESS until the deadline', async () => {
    answer = () => undefined;
    expect(await hook(hookEvent({ Count: 1 }))).toMatchObject({ hookStatus: 'IN_PROGRESS' });
    expect(logged()).toContain('no answer within 5 seconds');
  }, 15_000);

  test('nothing listening: IN_PROGRESS until the deadline', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await hook(hookEvent({ Url: `http://127.0.0.1:${port}` }))).toMatchObject({ hookStatus: 'IN_PROGRESS' });
    expect(logged()).toMatch(/no answer: .*ECONNREFUSED/);
  });

  test('another stage (a hook ECS calls again on rollback): SUCCEEDED with no request', async () => {
    expect(await hook(hookEvent({}, 'TEST_TRAFFIC_SHIFT'))).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(seen).toHaveLength(0);
  });

  test('a rule without the header: FAILED, with no request that the rule would not mark', async () => {
    const plain = await created(newElb(), props({ Priority: '8' }));
    expect(await hook(hookEvent({ TestRule: plain }))).toEqual({ hookStatus: 'FAILED' });
    expect(seen).toHaveLength(0);
  });

  test('a test rule that is gone: SUCCEEDED with no request (a hook ECS kept after the smoke test left the template)', async () => {
    world.model.deleteOutOfBand(rule);
    expect(await hook(hookEvent())).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(seen).toHaveLength(0);
    expect(logged()).toContain('is gone: this hook is one ECS kept after the smoke test left the template');
  });

  test('requests stop when the function\'s time runs short: IN_PROGRESS in a second, the rest tried on the next call', async () => {
    const short: LambdaContext = { logStreamName: LOG_STREAM, getRemainingTimeInMillis: () => 10_000 };
    const out = await ruleHandler.createHandler({ elb: newElb(), now: () => Date.parse('2026-12-07T10:00:00Z') })(hookEvent(), short);
    expect(out).toMatchObject({ hookStatus: 'IN_PROGRESS', callBackDelay: 1, hookDetails: { Done: 0 } });
    expect(seen).toHaveLength(0);
  });

  test('the test rule unreadable (an ELB error): IN_PROGRESS until the deadline, not a rollback at once', async () => {
    const failing = { ...newElb(), describeRules: async () => { throw Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }); } };
    const out = await ruleHandler.createHandler({ elb: failing, now: () => Date.parse('2026-12-07T10:00:00Z') })(hookEvent(), context);
    expect(out).toMatchObject({ hookStatus: 'IN_PROGRESS' });
    expect(seen).toHaveLength(0);
  });

  test('a certificate the function refuses: FAILED at once (a wrong certificate is an answer, not a delay)', async () => {
    const send = async () => { throw Object.assign(new Error('Hostname/IP does not match certificate\'s altnames'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }); };
    const out = await ruleHandler.createHandler({ elb: newElb(), send, now: () => Date.parse('2026-12-07T10:00:00Z') })(hookEvent(), context);
    expect(out).toEqual({ hookStatus: 'FAILED' });
  });

  test('a body read to 1 MiB at most: text past it is not seen, and the answer comes without the rest', async () => {
    answer = () => ({ status: 200, body: `${'x'.repeat(2 * 1024 * 1024)}ready` });
    expect(await hook(hookEvent({ Requests: [{ Path: '/big', ExpectStatus: 200, ExpectBodyContains: 'ready' }], Count: 1 }))).toEqual({ hookStatus: 'FAILED' });
  });
});

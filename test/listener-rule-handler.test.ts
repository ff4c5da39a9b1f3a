/**
 * The Lambda of Custom::PrivateFargateListenerRule (assets/listener-rule-handler/index.js), against an
 * in-memory ELBv2 that enforces what AWS enforces, and answering CloudFormation through a local server.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { AwsError, Condition, Elb, FakeElb } from './fake-elb';

// ---------------------------------------------------------------------------------------------------
// The ELBv2 API shapes the handler takes and returns (as the SDK v3 commands do).

interface Properties {
  ServiceToken?: string;
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
  apply(event: CfnEvent, elb: Elb): Promise<{ PhysicalResourceId: string; Data: Record<string, string> }>;
  createHandler(deps: { elb: Elb; request?: typeof http.request }): (event: CfnEvent, context: LambdaContext) => Promise<void>;
  sendResponse(url: string, body: object, request?: typeof http.request): Promise<number>;
  sdkClient(): Elb;
  handler(event: CfnEvent, context: LambdaContext): Promise<void>;
}

// The Lambda runtime's SDK, which this repository does not install: a stand-in recording each command.
const mockSent: Array<{ command: string; input: unknown }> = [];
let mockSdkLoads = 0;
jest.mock('@aws-sdk/client-elastic-load-balancing-v2', () => {
  mockSdkLoads++;
  const command = (name: string) => class {
    readonly name = name;
    constructor(readonly input: unknown) {}
  };
  return {
    ElasticLoadBalancingV2Client: class {
      async send(c: { name: string; input: unknown }) {
        mockSent.push({ command: c.name, input: c.input });
        return { Rules: [] };
      }
    },
    CreateRuleCommand: command('CreateRuleCommand'),
    DescribeRulesCommand: command('DescribeRulesCommand'),
    ModifyRuleCommand: command('ModifyRuleCommand'),
    SetRulePrioritiesCommand: command('SetRulePrioritiesCommand'),
    DeleteRuleCommand: command('DeleteRuleCommand'),
  };
}, { virtual: true });

const ruleHandler = jest.requireActual<HandlerModule>('../assets/listener-rule-handler/index.js');

// ---------------------------------------------------------------------------------------------------
// An in-memory ELBv2: listeners with rules, enforcing what AWS enforces.

// ---------------------------------------------------------------------------------------------------
// CloudFormation's events.

const ARN = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012';
const LISTENER = `${ARN}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2`;
const OTHER_LISTENER = `${ARN}:listener/app/shop/50dc6c495c0c9188/0c4e2a1b9d3f7e65`;
const PRIMARY = `${ARN}:targetgroup/primary/73e2d6bc24d8a067`;
const ALTERNATE = `${ARN}:targetgroup/alternate/2453ed029918f21f`;
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
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Shop/5b2f0e60-f1a2-11ee-9c5a-0a1b2c3d4e5f',
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
async function created(elb: FakeElb, p = props()): Promise<string> {
  return (await ruleHandler.apply(create(p), elb)).PhysicalResourceId;
}

const methodsCalled = (elb: FakeElb) => elb.calls.map((c) => c.method);

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

// ---------------------------------------------------------------------------------------------------

describe('create', () => {
  test('creates the rule on the listener at its priority with its conditions, forwarding 100 / 0, and answers its ARN', async () => {
    const elb = new FakeElb(LISTENER);

    const result = await ruleHandler.apply(create(), elb);

    const rules = elb.rulesOf(LISTENER);
    expect(rules).toHaveLength(1);
    expect(result).toEqual({ PhysicalResourceId: rules[0].RuleArn, Data: { RuleArn: rules[0].RuleArn } });
    expect(result.PhysicalResourceId).toMatch(/:listener-rule\/app\/shop\//);
    expect(rules[0]).toMatchObject({ Priority: '10', Conditions: [HOST, PATH] });
    expect(elb.weights(rules[0].RuleArn)).toEqual({ [PRIMARY]: 100, [ALTERNATE]: 0 });
  });

  test('CloudFormation\'s strings become numbers: Priority "36962", weights "100" and "0"', async () => {
    const elb = new FakeElb(LISTENER);

    await ruleHandler.apply(create(props({ Priority: '36962' })), elb);

    expect(elb.calls[0].input).toMatchObject({
      Priority: 36962,
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: 100 }, { TargetGroupArn: ALTERNATE, Weight: 0 }] } }],
    });
    expect(elb.rulesOf(LISTENER)[0].Priority).toBe('36962');
  });

  test.each([
    ['a priority that is no number', props({ Priority: 'ten' }), /Priority must be a whole number, got "ten"/],
    ['an empty priority', props({ Priority: '' }), /Priority must be a whole number/],
    ['a fractional weight', props({ TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: '7.5' }] }), /TargetGroups\[0\]\.Weight must be a whole number, got "7.5"/],
  ])('%s fails before any API call', async (_, p, message) => {
    const elb = new FakeElb(LISTENER);

    await expect(ruleHandler.apply(create(p), elb)).rejects.toThrow(message);
    expect(elb.calls).toEqual([]);
  });

  test('a priority another rule of the listener holds fails the create', async () => {
    const elb = new FakeElb(LISTENER);
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
    const elb = new FakeElb(LISTENER);
    const id = await created(elb);
    elb.ecsShifts(id, { [PRIMARY]: 0, [ALTERNATE]: 100 });
    const next = props(change);

    const result = await ruleHandler.apply(update(id, next), elb);

    expect(result).toEqual({ PhysicalResourceId: id, Data: { RuleArn: id } });
    expect(elb.rulesOf(LISTENER)).toHaveLength(1);
    expect(elb.weights(id)).toEqual({ [PRIMARY]: 0, [ALTERNATE]: 100 });
    expect(elb.rulesOf(LISTENER)[0]).toMatchObject({ RuleArn: id, Priority: next.Priority, Conditions: next.Conditions });
  });

  test('the properties\' target groups in the other order: each weight follows its target group, not its position', async () => {
    const elb = new FakeElb(LISTENER);
    const id = await created(elb);
    elb.ecsShifts(id, { [PRIMARY]: 0, [ALTERNATE]: 100 });
    const reordered = props({
      Conditions: [HOST],
      TargetGroups: [{ TargetGroupArn: ALTERNATE, Weight: '0' }, { TargetGroupArn: PRIMARY, Weight: '100' }],
    });

    await ruleHandler.apply(update(id, reordered), elb);

    expect(elb.weights(id)).toEqual({ [PRIMARY]: 0, [ALTERNATE]: 100 });
    expect(elb.rulesOf(LISTENER)[0].Conditions).toEqual([HOST]);
  });

  test('a split in the middle of a canary (90 / 10) is kept as it is', async () => {
    const elb = new FakeElb(LISTENER);
    const id = await created(elb);
    elb.ecsShifts(id, { [PRIMARY]: 90, [ALTERNATE]: 10 });

    await ruleHandler.apply(update(id, props({ Priority: '11' })), elb);

    expect(elb.weights(id)).toEqual({ [PRIMARY]: 90, [ALTERNATE]: 10 });
  });
});

describe('target groups added or removed by an update', () => {
  test('canary → rolling after a swap: the live alternate (100) leaves, the primary\'s live 0 would forward nothing: the template\'s 100', async () => {
    const elb = new FakeElb(LISTENER);
    const id = await created(elb);
    elb.ecsShifts(id, { [PRIMARY]: 0, [ALTERNATE]: 100 });

    await ruleHandler.apply(update(id, props({ TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: '100' }] })), elb);

    expect(elb.weights(id)).toEqual({ [PRIMARY]: 100 });
  });

  test('rolling → canary: the added alternate gets its template weight 0, the primary keeps its live weight', async () => {
    const elb = new FakeElb(LISTENER);
    const rolling = props({ TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: '100' }] });
    const id = await created(elb, rolling);
    elb.ecsShifts(id, { [PRIMARY]: 5 });

    await ruleHandler.apply(update(id, props(), rolling), elb);

    expect(elb.weights(id)).toEqual({ [PRIMARY]: 5, [ALTERNATE]: 0 });
  });

  test('a replaced alternate target group: the rule forwards to the new one, not the old one', async () => {
    const elb = new FakeElb(LISTENER);
    const id = await created(elb);
    const newAlternate = `${ARN}:targetgroup/alternate2/9a8b7c6d5e4f3a2b`;

    await ruleHandler.apply(update(id, props({
      TargetGroups: [{ TargetGroupArn: PRIMARY, Weight: '100' }, { TargetGroupArn: newAlternate, Weight: '0' }],
    })), elb);

    expect(elb.weights(id)).toEqual({ [PRIMARY]: 100, [newAlternate]: 0 });
  });
});

describe('an update to another listener', () => {
  test('creates a rule on the new listener with the live 0 / 100 and answers its new ARN; the old rule is left to CloudFormation\'s Delete', async () => {
    const elb = new FakeElb(LISTENER, OTHER_LISTENER);
    const id = await created(elb);
    elb.ecsShifts(id, { [PRIMARY]: 0, [ALTERNATE]: 100 });

    const result = await ruleHandler.apply(update(id, props({ ListenerArn: OTHER_LISTENER })), elb);

    const [moved] = elb.rulesOf(OTHER_LISTENER);
    expect(result).toEqual({ PhysicalResourceId: moved.RuleArn, Data: { RuleArn: moved.RuleArn } });
    expect(moved.RuleArn).not.toBe(id);
    expect(elb.weights(moved.RuleArn)).toEqual({ [PRIMARY]: 0, [ALTERNATE]: 100 });
    expect(moved).toMatchObject({ Priority: '10', Conditions: [HOST, PATH] });
    // Until the update completes, the old rule serves as it was.
    expect(elb.rulesOf(LISTENER).map((r) => r.RuleArn)).toEqual([id]);
    expect(methodsCalled(elb)).not.toContain('modifyRule');
    expect(methodsCalled(elb)).not.toContain('deleteRule');

    // CloudFormation's clean-up: the Delete of the old physical id.
    await ruleHandler.apply(remove(id), elb);
    expect(elb.rulesOf(LISTENER)).toEqual([]);
    expect(elb.rulesOf(OTHER_LISTENER).map((r) => r.RuleArn)).toEqual([moved.RuleArn]);
  });
});

describe('the rollback of an update to another listener', () => {
  test('restores the rule that still holds its priority on the old listener instead of failing with PriorityInUse', async () => {
    const elb = new FakeElb(LISTENER, OTHER_LISTENER);
    const id = await created(elb);
    elb.ecsShifts(id, { [PRIMARY]: 0, [ALTERNATE]: 100 });
    const moved = (await ruleHandler.apply(update(id, props({ ListenerArn: OTHER_LISTENER })), elb)).PhysicalResourceId;

    // The stack update fails later: CloudFormation sends an update back to the old properties.
    const result = await ruleHandler.apply(update(moved, props(), props({ ListenerArn: OTHER_LISTENER })), elb);

    expect(result.PhysicalResourceId).toBe(id);
    expect(elb.rulesOf(LISTENER).map((r) => r.RuleArn)).toEqual([id]);
    expect(elb.weights(id)).toEqual({ [PRIMARY]: 0, [ALTERNATE]: 100 });
  });

  test('a priority held by another rule of that listener still fails', async () => {
    const elb = new FakeElb(LISTENER, OTHER_LISTENER);
    await created(elb, props({ Conditions: [HOST] }));
    const id = await created(elb, props({ ListenerArn: OTHER_LISTENER }));

    await expect(ruleHandler.apply(update(id, props(), props({ ListenerArn: OTHER_LISTENER })), elb)).rejects.toThrow(/in use/);
  });
});

describe('a call refused while IAM applies the role\'s new policy', () => {
  test('is tried again until it is allowed', async () => {
    const elb = Object.assign(new FakeElb(LISTENER), { wait: async () => undefined });
    const createRule = elb.createRule.bind(elb);
    let refusals = 2;
    elb.createRule = async (input) => {
      if (refusals-- > 0) throw new AwsError('AccessDeniedException', 'not authorized to perform: elasticloadbalancing:CreateRule');
      return createRule(input);
    };

    const result = await ruleHandler.apply(create(), elb);

    expect(elb.rulesOf(LISTENER).map((r) => r.RuleArn)).toEqual([result.PhysicalResourceId]);
  });

  test('fails once the retries are spent', async () => {
    const elb = Object.assign(new FakeElb(LISTENER), { wait: async () => undefined });
    let attempts = 0;
    elb.createRule = async () => {
      attempts++;
      throw new AwsError('AccessDeniedException', 'not authorized');
    };

    await expect(ruleHandler.apply(create(), elb)).rejects.toThrow('not authorized');
    expect(attempts).toBe(7);
  });
});

describe('an update of the priority', () => {
  test('calls SetRulePriorities with the number, and makes no new rule', async () => {
    const elb = new FakeElb(LISTENER);
    const id = await created(elb);
    elb.calls.length = 0;

    const result = await ruleHandler.apply(update(id, props({ Priority: '42' })), elb);

    expect(result.PhysicalResourceId).toBe(id);
    expect(elb.calls).toContainEqual({ method: 'setRulePriorities', input: { RulePriorities: [{ RuleArn: id, Priority: 42 }] } });
    expect(methodsCalled(elb)).not.toContain('createRule');
    expect(methodsCalled(elb)).not.toContain('deleteRule');
    expect(elb.rulesOf(LISTENER).map((r) => [r.RuleArn, r.Priority])).toEqual([[id, '42']]);
  });

  test('an update that keeps the priority leaves it alone', async () => {
    const elb = new FakeElb(LISTENER);
    const id = await created(elb);

    await ruleHandler.apply(update(id, props({ Conditions: [PATH] })), elb);

    expect(methodsCalled(elb)).not.toContain('setRulePriorities');
  });
});

describe('a rule deleted out of band', () => {
  test('an update creates it again, with the template\'s weights and the new properties, and answers the new ARN', async () => {
    const elb = new FakeElb(LISTENER);
    const id = await created(elb);
    elb.deleteOutOfBand(id);

    const result = await ruleHandler.apply(update(id, props({ Conditions: [PATH] })), elb);

    const [again] = elb.rulesOf(LISTENER);
    expect(result.PhysicalResourceId).toBe(again.RuleArn);
    expect(again.RuleArn).not.toBe(id);
    expect(again.Conditions).toEqual([PATH]);
    expect(elb.weights(again.RuleArn)).toEqual({ [PRIMARY]: 100, [ALTERNATE]: 0 });
  });

  test('any other error reading the live rule fails the update, without a new rule', async () => {
    const elb = new FakeElb(LISTENER);
    const id = await created(elb);
    jest.spyOn(elb, 'describeRules').mockRejectedValue(new AwsError('ThrottlingException', 'Rate exceeded for DescribeRules'));

    await expect(ruleHandler.apply(update(id, props({ Conditions: [PATH] })), elb)).rejects.toThrow(/Rate exceeded/);
    expect(methodsCalled(elb).filter((m) => m === 'createRule')).toHaveLength(1);
  });
});

describe('delete', () => {
  test('deletes the rule', async () => {
    const elb = new FakeElb(LISTENER);
    const id = await created(elb);

    expect(await ruleHandler.apply(remove(id), elb)).toEqual({ PhysicalResourceId: id, Data: {} });
    expect(elb.rulesOf(LISTENER)).toEqual([]);
  });

  test('a rule already gone (RuleNotFound) is deleted', async () => {
    const elb = new FakeElb(LISTENER);
    const id = await created(elb);
    elb.deleteOutOfBand(id);

    await expect(ruleHandler.apply(remove(id), elb)).resolves.toEqual({ PhysicalResourceId: id, Data: {} });
    expect(methodsCalled(elb)).toContain('deleteRule');
  });

  test('a rule whose listener is gone (ListenerNotFound) is deleted', async () => {
    const elb = new FakeElb(LISTENER);
    const id = await created(elb);
    jest.spyOn(elb, 'deleteRule').mockRejectedValue(new AwsError('ListenerNotFoundException', 'One or more listeners not found'));

    await expect(ruleHandler.apply(remove(id), elb)).resolves.toEqual({ PhysicalResourceId: id, Data: {} });
  });

  test('any other error fails the delete', async () => {
    const elb = new FakeElb(LISTENER);
    const id = await created(elb);
    jest.spyOn(elb, 'deleteRule').mockRejectedValue(new AwsError('ThrottlingException', 'Rate exceeded for DeleteRule'));

    await expect(ruleHandler.apply(remove(id), elb)).rejects.toThrow(/Rate exceeded/);
  });

  test.each([
    ['the log stream name', LOG_STREAM],
    ['nothing', undefined],
  ])('the physical id of a failed create (%s) succeeds without calling ELB', async (_, id) => {
    const elb = new FakeElb(LISTENER);

    await expect(ruleHandler.apply(remove(id), elb)).resolves.toEqual({ PhysicalResourceId: id, Data: {} });
    expect(elb.calls).toEqual([]);
  });
});

test('each API call\'s input is logged', async () => {
  const elb = new FakeElb(LISTENER);
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
    const elb = new FakeElb(LISTENER);

    await handlerOn(elb)(event('Create', { ResponseURL: responseUrl }), context);

    const [id] = elb.rulesOf(LISTENER).map((r) => r.RuleArn);
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
    const elb = new FakeElb(LISTENER);
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
    await handlerOn(new FakeElb(LISTENER))(event('Create', { ResponseURL: responseUrl, ResourceProperties: props({ Priority: 'zwölf' }) }), context);

    expect(received[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^Priority must be a whole number, got "zwölf"/) });
    expect(received[0].headers['content-length']).toBe(String(Buffer.byteLength(received[0].raw)));
  });

  test('a failed update answers FAILED with the rule\'s physical id, not a new one', async () => {
    const elb = new FakeElb(LISTENER);
    const id = await created(elb);
    jest.spyOn(elb, 'describeRules').mockRejectedValue(new AwsError('Throttling', 'Rate exceeded'));

    await handlerOn(elb)(event('Update', {
      ResponseURL: responseUrl, PhysicalResourceId: id, ResourceProperties: props({ Priority: '11' }), OldResourceProperties: props(),
    }), context);

    expect(received[0].body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: id, Reason: expect.stringMatching(/Rate exceeded/) });
  });

  test('an API that hangs answers FAILED before the Lambda times out', async () => {
    const elb = new FakeElb(LISTENER);
    jest.spyOn(elb, 'createRule').mockReturnValue(new Promise(() => undefined));

    await handlerOn(elb)(event('Create', { ResponseURL: responseUrl }), { logStreamName: LOG_STREAM, getRemainingTimeInMillis: () => 5_050 });

    expect(received[0].body).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/Timed out/) });
  });

  test('the presigned URL is not logged', async () => {
    await handlerOn(new FakeElb(LISTENER))(event('Create', { ResponseURL: responseUrl }), context);

    const logged = jest.mocked(console.log).mock.calls.map(([line]) => String(line)).join('\n');
    expect(logged).toContain('ServiceListenerRule');
    expect(logged).not.toContain('X-Amz-Signature');
  });

  test('a response URL that cannot be reached is logged, the handler does not throw', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    await expect(handlerOn(new FakeElb(LISTENER))(event('Create', { ResponseURL: `http://127.0.0.1:${port}/response` }), context)).resolves.toBeUndefined();
    expect(console.error).toHaveBeenCalledWith('Could not send the response to CloudFormation', expect.anything());
  });

  test('sendResponse resolves with the status code of the PUT', async () => {
    await expect(ruleHandler.sendResponse(responseUrl, { Status: 'SUCCESS' }, http.request)).resolves.toBe(200);
    expect(received[0].body).toEqual({ Status: 'SUCCESS' });
  });
});

describe('the Lambda\'s ELBv2 client', () => {
  test('loads the SDK on first use only, and sends each method as its SDK command', async () => {
    // Loading the module built the handler's client without loading the SDK.
    expect(typeof ruleHandler.handler).toBe('function');
    expect(mockSdkLoads).toBe(0);

    const elb = ruleHandler.sdkClient();
    expect(mockSdkLoads).toBe(0);
    await elb.describeRules({ RuleArns: ['r'] });
    await elb.createRule({ ListenerArn: LISTENER, Priority: 1, Conditions: [PATH], Actions: [] });
    await elb.modifyRule({ RuleArn: 'r' });
    await elb.setRulePriorities({ RulePriorities: [{ RuleArn: 'r', Priority: 2 }] });
    await elb.deleteRule({ RuleArn: 'r' });

    expect(mockSdkLoads).toBe(1);
    expect(mockSent).toEqual([
      { command: 'DescribeRulesCommand', input: { RuleArns: ['r'] } },
      { command: 'CreateRuleCommand', input: { ListenerArn: LISTENER, Priority: 1, Conditions: [PATH], Actions: [] } },
      { command: 'ModifyRuleCommand', input: { RuleArn: 'r' } },
      { command: 'SetRulePrioritiesCommand', input: { RulePriorities: [{ RuleArn: 'r', Priority: 2 }] } },
      { command: 'DeleteRuleCommand', input: { RuleArn: 'r' } },
    ]);
  });
});

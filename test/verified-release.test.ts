/**
 * A verified release, through the model of AWS (test/aws): CloudFormation creates the app, then ECS deploys a new
 * revision. It registers the new tasks, points the test rule at them, and calls the stack's function as the
 * POST_TEST_TRAFFIC_SHIFT hook with the ECS role. The function sends the smoke test's requests to the load
 * balancer's address, and the ELB model routes each by the listener's live rules. A revision that answers as
 * expected gets the production traffic; one that does not is rolled back before any user request reaches it.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Deployment, PrivateFargateBehindAlb, PrivateFargateBehindAlbProps, SmokeTest } from '../src';
import { AppRequest, CloudFormation, Task } from './aws/cloudformation';
import { synthApp } from './rehearsal/synth';

const SMOKE = SmokeTest.requests([{ path: '/health', expectBodyContains: 'ok' }, { path: '/orders?limit=1' }], { requestCount: 2 });

function build(props: PrivateFargateBehindAlbProps, shared = false) {
  return (app: App) => {
    const stack = new Stack(app, 'App');
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    const web = new PrivateFargateBehindAlb(stack, 'Web', shared ? { domainName: 'shop.example.com', hostedZone } : props);
    if (shared) new PrivateFargateBehindAlb(stack, 'Api', { loadBalancer: web.loadBalancer, domainName: 'api.example.com', hostedZone, port: 8080, ...props });
  };
}

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
function idOf(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** The app deployed; `answer` is what a task of each revision answers. */
type Answer = (task: Task, request: AppRequest) => { status: number; body?: string };
async function deployed(props: PrivateFargateBehindAlbProps, answer: Answer, shared = false) {
  const app = synthApp(build(props, shared), 'none');
  const template = Template.fromJSON(app.stacks.App.template);
  const name = shared ? 'Api' : 'Web';
  const cf = new CloudFormation({ answer });
  const { results } = await cf.deployApp(app);
  expect(results.App.status).toBe('CREATE_COMPLETE');
  const physical = (logicalId: string) => cf.resource('App', logicalId)!.physicalId;
  return {
    cf,
    service: idOf(template, 'AWS::ECS::Service', `${name}Service`),
    production: physical(idOf(template, 'Custom::PrivateFargateListenerRule', shared ? 'ApiHostRule' : 'WebProductionRule')),
    test: physical(idOf(template, 'Custom::PrivateFargateListenerRule', `${name}TestRule`)),
    primary: physical(idOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup', `${name}TargetGroup`)),
    alternate: physical(idOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup', `${name}AlternateTargetGroup`)),
  };
}

/** The new revision `v2` answers with `v2`; every other with 200 ok. */
const revisions = (v2: (request: AppRequest) => { status: number; body?: string }) =>
  (task: Task, request: AppRequest) => (task.revision === 'v2' ? v2(request) : { status: 200, body: 'ok' });

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe.each([
  ['its own listener', false],
  ['a shared HTTPS listener', true],
])('a service on %s', (_name, shared) => {
  test('a revision that answers as expected: the smoke test reaches only the new tasks, through the test rule, and production moves', async () => {
    const world = await deployed({ smokeTest: SMOKE }, revisions(() => ({ status: 200, body: 'ok' })), shared);
    const { cf } = world;
    expect(await cf.ecsDeploy('App', world.service, { revision: 'v2' })).toEqual({ from: [world.primary], to: [world.alternate] });
    expect(cf.hookCalls.map((c) => [c.stage, c.status])).toEqual([['POST_TEST_TRAFFIC_SHIFT', 'SUCCEEDED']]);
    const requests = cf.hookCalls[0].requests;
    expect(requests.map((r) => new URL(r.url).pathname + new URL(r.url).search)).toEqual(['/health', '/health', '/orders?limit=1', '/orders?limit=1']);
    expect(new Set(requests.map((r) => `${r.rule} ${r.targetGroup} ${r.status}`))).toEqual(new Set([`${world.test} ${world.alternate} 200`]));
    expect(cf.elb.weights(world.production)).toEqual({ [world.primary]: 0, [world.alternate]: 100 });
  });

  test('a revision that answers 500: FAILED, ECS rolls back; production never moved and every user request went to the old tasks', async () => {
    let userRequestsDuringTest: Array<ReturnType<CloudFormation['elb']['route']>> = [];
    const world = await deployed({ smokeTest: SMOKE }, (task, request) => {
      if (task.revision !== 'v2') return { status: 200, body: 'ok' };
      // While the new revision is under test, a user's request (no test header) for the same URL: where does it go?
      const { Host } = request.headers;
      userRequestsDuringTest = [cf.elb.route({ url: request.url, headers: Host ? { Host } : {} })];
      return { status: 500, body: 'boom' };
    }, shared);
    const { cf } = world;
    const weightsBefore = cf.elb.weights(world.production);
    expect(await cf.ecsDeploy('App', world.service, { revision: 'v2' })).toEqual({ from: [world.primary], to: [world.primary], rolledBack: true });
    expect(cf.hookCalls.map((c) => c.status)).toEqual(['FAILED']);
    expect(cf.hookCalls[0].requests).toHaveLength(1);
    expect(cf.elb.weights(world.production)).toEqual(weightsBefore);
    expect(cf.elb.weights(world.test)).toEqual({ [world.primary]: 100, [world.alternate]: 0 });
    expect(cf.elb.targetsOf(world.alternate).healthy ?? []).toEqual([]);
    expect(userRequestsDuringTest).toHaveLength(1);
    expect(userRequestsDuringTest[0]).toMatchObject({ rule: world.production, targetGroup: world.primary });
  });

  test('a revision that is not ready yet (503 from the load balancer) gets ECS\'s calls until it answers, then production moves', async () => {
    let calls = 0;
    const world = await deployed({ smokeTest: SMOKE }, revisions(() => (++calls <= 2 ? { status: 503 } : { status: 200, body: 'ok' })), shared);
    const { cf } = world;
    expect((await cf.ecsDeploy('App', world.service, { revision: 'v2' })).to).toEqual([world.alternate]);
    expect(cf.hookCalls.map((c) => c.status)).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'SUCCEEDED']);
  });

  test('a revision that never answers as expected fails at the deadline: ECS rolls back', async () => {
    const world = await deployed({ smokeTest: SMOKE }, revisions(() => ({ status: 503 })), shared);
    const { cf } = world;
    expect((await cf.ecsDeploy('App', world.service, { revision: 'v2' })).rolledBack).toBe(true);
    // Five minutes, called every 15 seconds: 20 calls answered IN_PROGRESS, then FAILED.
    expect(cf.hookCalls.filter((c) => c.status === 'IN_PROGRESS')).toHaveLength(20);
    expect(cf.hookCalls[cf.hookCalls.length - 1].status).toBe('FAILED');
  });

  test('after a verified release, the next one is tested on the other target group: the test rule follows the tasks', async () => {
    const world = await deployed({ smokeTest: SMOKE, deployment: Deployment.blueGreen() }, revisions(() => ({ status: 200, body: 'ok' })), shared);
    const { cf } = world;
    await cf.ecsDeploy('App', world.service, { revision: 'v2' });
    await cf.ecsDeploy('App', world.service, { revision: 'v3' });
    expect(cf.hookCalls.map((c) => [c.status, c.requests[0].targetGroup])).toEqual([['SUCCEEDED', world.alternate], ['SUCCEEDED', world.primary]]);
    expect(cf.elb.weights(world.production)).toEqual({ [world.primary]: 100, [world.alternate]: 0 });
  });
});

test('without the ECS role\'s permission to invoke the function, the hook fails and ECS rolls back (the policy the construct writes is what allows it)', async () => {
  const world = await deployed({ smokeTest: SMOKE }, revisions(() => ({ status: 200, body: 'ok' })));
  const { cf } = world;
  for (const role of cf.iam.roles.values()) role.inline.delete('LifecycleHooks');
  expect((await cf.ecsDeploy('App', world.service, { revision: 'v2' })).rolledBack).toBe(true);
  expect(cf.hookCalls[0].status).toMatch(/^FAILED: ECS was unable to invoke/);
});

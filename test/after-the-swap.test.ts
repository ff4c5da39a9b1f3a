/**
 * The state after ECS has swapped the target groups: an odd-numbered canary, linear or blue/green
 * deployment left all production traffic on the alternate target group and the primary empty. An
 * update of the app that rewrites the service's rule must keep the traffic there, and the alarms and
 * the request scaling must still watch the group that serves.
 *
 * The service's rule is taken from the synthesized templates of version 1 and version 2 of an app and
 * played through the rule's function (assets/listener-rule-handler) against an in-memory ELBv2.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { FakeElb } from './fake-elb';
import { PrivateFargateBehindAlb } from '../src';

interface RuleHandler {
  apply(event: object, elb: FakeElb): Promise<{ PhysicalResourceId: string }>;
}
const ruleHandler = jest.requireActual<RuleHandler>('../assets/listener-rule-handler/index.js');

const ARN = 'arn:aws:elasticloadbalancing:us-east-1:123456789012';

/** Version `paths` of an app: `Shop` on its own load balancer, `Api` on its HTTPS listener under `paths`. */
function app(paths: string[]): Template {
  const stack = new Stack(new App(), 'App');
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
  const shop = new PrivateFargateBehindAlb(stack, 'Shop', { domainName: 'shop.example.com', hostedZone });
  new PrivateFargateBehindAlb(stack, 'Api', {
    loadBalancer: shop.loadBalancer, domainName: 'shop.example.com', pathPatterns: paths, hostedZone, port: 8080, targetRequestsPerTarget: 100,
  });
  return Template.fromStack(stack);
}

/** A template value with its references made ARNs: a listener's or a target group's, by logical id. */
function resolved(value: unknown): any {
  if (Array.isArray(value)) return value.map(resolved);
  if (value && typeof value === 'object') {
    const ref = (value as { Ref?: string }).Ref;
    if (ref) return /Listener/.test(ref) ? `${ARN}:listener/app/shop/50dc6c495c0c9188/${ref}` : `${ARN}:targetgroup/${ref}/73e2d6bc24d8a067`;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolved(item)]));
  }
  return typeof value === 'number' ? String(value) : value;
}

/** The properties of Api's rule, as CloudFormation sends them to the function. */
function apiRule(template: Template): Record<string, any> {
  const rules = template.findResources('Custom::PrivateFargateListenerRule');
  const [, rule] = Object.entries(rules).find(([id]) => id.startsWith('ApiHostRule'))!;
  return resolved(rule.Properties);
}

test('a rule-changing update keeps the traffic on the alternate target group ECS moved it to, and the alarms and scaling watch that group', async () => {
  const v1 = app(['/v1/*']);
  const v2 = app(['/v2/*']);
  const before = apiRule(v1);
  const after = apiRule(v2);
  const [primary, alternate] = after.TargetGroups.map((tg: { TargetGroupArn: string }) => tg.TargetGroupArn);
  expect([primary, alternate]).toEqual([expect.stringContaining('ApiTargetGroup'), expect.stringContaining('ApiAlternateTargetGroup')]);
  // The update does rewrite the rule: its conditions change.
  expect(after.Conditions).not.toEqual(before.Conditions);

  const elb = new FakeElb(before.ListenerArn);
  const event = { StackId: 'stack', RequestId: 'request', LogicalResourceId: 'ApiHostRule', ResponseURL: 'https://example.com/response' };
  const { PhysicalResourceId: rule } = await ruleHandler.apply({ ...event, RequestType: 'Create', ResourceProperties: before }, elb);
  expect(elb.weights(rule)).toEqual({ [primary]: 100, [alternate]: 0 });
  // An odd-numbered deployment: ECS moved every request to the alternate group and emptied the primary.
  elb.ecsShifts(rule, { [primary]: 0, [alternate]: 100 });

  await ruleHandler.apply({ ...event, RequestType: 'Update', PhysicalResourceId: rule, ResourceProperties: after, OldResourceProperties: before }, elb);

  expect(elb.weights(rule)).toEqual({ [primary]: 0, [alternate]: 100 });
  expect(elb.rulesOf(before.ListenerArn).find((r) => r.RuleArn === rule)!.Conditions).toEqual(after.Conditions);

  // Every deployment alarm of Api watches the alternate group too, and so does its request scaling.
  const watches = (resource: any) => JSON.stringify(resource).includes('ApiAlternateTargetGroup');
  const alarms = Object.entries(v2.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('Api'));
  expect(alarms).toHaveLength(3);
  expect(alarms.filter(([, alarm]) => watches(alarm))).toHaveLength(3);
  const scaling = Object.entries(v2.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')).filter(([id]) => /^ApiServiceTaskCountTargetRequestScaling/.test(id));
  expect(scaling).toHaveLength(1);
  expect(watches(scaling[0][1])).toBe(true);
});

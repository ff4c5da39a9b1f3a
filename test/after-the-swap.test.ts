/**
 * The state after ECS has swapped the target groups: an odd-numbered canary, linear or blue/green
 * deployment left all production traffic on the alternate target group and the primary empty. An
 * update of the app that rewrites the service's rule must keep the traffic there, and the alarms and
 * the request scaling must still watch the group that serves.
 *
 * Both versions of the app are deployed through the model of AWS (test/aws): CloudFormation in passes,
 * the rule's function (assets/listener-rule-handler) behind IAM with its role's policy, ELB answering as
 * its API reference shows, and ECS moving the weights with its own role.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { PrivateFargateBehindAlb } from '../src';
import { CloudFormation } from './aws/cloudformation';
import { synthApp } from './rehearsal/synth';

/** Version `paths` of an app: `Shop` on its own load balancer, `Api` on its HTTPS listener under `paths`. */
function build(paths: string[]) {
  return (app: App) => {
    const stack = new Stack(app, 'App');
    const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
    const shop = new PrivateFargateBehindAlb(stack, 'Shop', { domainName: 'shop.example.com', hostedZone });
    new PrivateFargateBehindAlb(stack, 'Api', {
      loadBalancer: shop.loadBalancer, domainName: 'shop.example.com', pathPatterns: paths, hostedZone, port: 8080, targetRequestsPerTarget: 100,
    });
  };
}

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
function idOf(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

test('a rule-changing update keeps the traffic on the alternate target group ECS moved it to, and the alarms and scaling watch that group', async () => {
  const v1 = synthApp(build(['/v1/*']), 'none');
  const v2 = synthApp(build(['/v2/*']), 'none');
  const template = Template.fromJSON(v2.stacks.App.template);
  const rule = idOf(template, 'Custom::PrivateFargateListenerRule', 'ApiHostRule');
  const service = idOf(template, 'AWS::ECS::Service', 'ApiService');
  const cf = new CloudFormation();

  await cf.deployApp(v1);
  const physical = (logicalId: string) => cf.resource('App', logicalId)!.physicalId;
  const [primary, alternate] = [idOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'ApiTargetGroup'),
    idOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup', 'ApiAlternateTargetGroup')].map(physical);
  const ruleArn = physical(rule);
  expect(cf.elb.weights(ruleArn)).toEqual({ [primary]: 100, [alternate]: 0 });
  // An odd-numbered deployment: ECS moved every request to the alternate group and emptied the primary.
  await cf.ecsDeploy('App', service);
  expect(cf.elb.weights(ruleArn)).toEqual({ [primary]: 0, [alternate]: 100 });

  const { results } = await cf.deployApp(v2);

  expect(results.App.status).toBe('UPDATE_COMPLETE');
  // The update did rewrite the rule (its paths), under the same ARN, and kept the weights ECS set.
  expect(physical(rule)).toBe(ruleArn);
  expect(cf.elb.weights(ruleArn)).toEqual({ [primary]: 0, [alternate]: 100 });
  const live = cf.world().listeners.flatMap((l) => l.rules).find((r) => r.RuleArn === ruleArn)!;
  expect(JSON.stringify(live.conditions)).toContain('/v2/*');
  expect(cf.world().targetGroups.find((tg) => tg.TargetGroupArn === alternate)!.healthy).toHaveLength(1);

  // Every deployment alarm of Api watches the alternate group too, and so does its request scaling.
  const watches = (resource: any) => JSON.stringify(resource).includes('ApiAlternateTargetGroup');
  const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => id.startsWith('Api'));
  expect(alarms).toHaveLength(3);
  expect(alarms.filter(([, alarm]) => watches(alarm))).toHaveLength(3);
  const scaling = Object.entries(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy')).filter(([id]) => /^ApiServiceTaskCountTargetRequestScaling/.test(id));
  expect(scaling).toHaveLength(1);
  expect(watches(scaling[0][1])).toBe(true);
});

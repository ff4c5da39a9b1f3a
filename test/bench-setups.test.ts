import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildPeer } from '../scripts/bench-setups';

// scripts/bench-setups.ts builds the peers the benchmark measures the construct against. The mistakes: the
// peer with a canary whose alarms read only its first target group (ECS swaps the groups' roles on each
// deployment, so such alarms miss the canary every other time, and the peer does not do the same job), and
// a rolling peer given a second group to read.

/** For each alarm of the peer's service, the target groups its metrics read, by logical id. */
function groupsReadByAlarms(canary: boolean): string[][] {
  const stack = new Stack(new App(), 'Bench');
  buildPeer(stack, 1, true, canary);
  const template = Template.fromStack(stack);
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
  expect(alarms).toHaveLength(3);
  return alarms.map((alarm) => [...new Set(JSON.stringify(alarm.Properties).match(/"TargetGroup","Value":\{"Fn::GetAtt":\["[^"]+/g)
    ?.map((dimension) => dimension.split('["')[1]) ?? [])].sort());
}

test('the peer with a canary reads both of its target groups in each of its three alarms; the rolling peer its one', () => {
  const canary = groupsReadByAlarms(true);
  const [primary, alternate] = [...new Set(canary.flat())].sort((a, b) => (a.includes('Alternate') ? 1 : 0) - (b.includes('Alternate') ? 1 : 0));
  expect(alternate).toMatch(/AlternateTargetGroup/);
  expect(canary).toEqual([[alternate, primary].sort(), [alternate, primary].sort(), [alternate, primary].sort()]);
  const rolling = groupsReadByAlarms(false);
  expect(rolling).toEqual([[primary], [primary], [primary]]);
});

/**
 * The Lambda behind Custom::PrivateFargateListenerRule: an ALB listener rule that forwards to one or two
 * target groups, owned by this function instead of AWS::ElasticLoadBalancingV2::ListenerRule.
 *
 * Why: ECS canary, linear and blue/green deployments move traffic by rewriting the weights of this rule.
 * After an odd-numbered deployment all traffic goes to the alternate target group and the primary one is
 * empty. A CloudFormation-owned rule writes the template's weights (primary 100, alternate 0) back on any
 * update that touches the rule, sending every request to the empty group (aws-cdk issue #36649). This
 * handler creates the rule with the template's weights, and on update keeps the live weights ECS set.
 *
 * It is the custom resource's service token itself, so it sends the CloudFormation response itself,
 * FAILED included: CloudFormation would otherwise wait an hour for it.
 */
'use strict';

const https = require('https');

/** A rule ARN; anything else in PhysicalResourceId is what a failed create answered. */
const RULE_ARN = /^arn:[\w-]+:elasticloadbalancing:[^:]*:[^:]*:listener-rule\//;
/** A little time kept to answer FAILED before the Lambda times out. */
const TIMEOUT_MARGIN_MS = 5000;
/**
 * How often and how long a call refused with AccessDenied is tried again: the role's policy may have
 * changed in the same stack update, and IAM takes a few seconds to apply it everywhere.
 */
const ACCESS_DENIED_RETRIES = 6;
const ACCESS_DENIED_WAIT_MS = 5000;

/** A whole number from a CloudFormation property, which arrives as a string. */
function whole(value, name) {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (!Number.isInteger(number)) {
    throw new Error(`${name} must be a whole number, got ${JSON.stringify(value)}`);
  }
  return number;
}

/** The rule as the ELBv2 API takes it, from ResourceProperties. */
function desired(props) {
  return {
    listenerArn: props.ListenerArn,
    priority: whole(props.Priority, 'Priority'),
    conditions: props.Conditions,
    targetGroups: (props.TargetGroups ?? []).map((tg, i) => ({
      TargetGroupArn: tg.TargetGroupArn,
      Weight: whole(tg.Weight, `TargetGroups[${i}].Weight`),
    })),
  };
}

const forward = (targetGroups) => [{ Type: 'forward', ForwardConfig: { TargetGroups: targetGroups } }];

/** The target group ARN → weight of the live rule's forward action. */
function liveWeights(rule) {
  const action = (rule?.Actions ?? []).find((a) => a.Type === 'forward');
  return new Map((action?.ForwardConfig?.TargetGroups ?? []).map((tg) => [tg.TargetGroupArn, tg.Weight]));
}

/**
 * The new rule's target groups: each one the live rule forwards to keeps its live weight, a new one gets
 * its template weight; if that forwards nothing (the live group left the rule), the template's weights.
 */
function keepWeights(targetGroups, liveRule) {
  const live = liveWeights(liveRule);
  const kept = targetGroups.map((tg) => (live.has(tg.TargetGroupArn) ? { ...tg, Weight: live.get(tg.TargetGroupArn) } : tg));
  return kept.reduce((sum, tg) => sum + tg.Weight, 0) > 0 ? kept : targetGroups;
}

const isNotFound = (error) => /^(RuleNotFound|ListenerNotFound)(Exception)?$/.test(error?.name);
const isAccessDenied = (error) => /^AccessDenied(Exception)?$/.test(error?.name);
const isPriorityInUse = (error) => /^PriorityInUse(Exception)?$/.test(error?.name);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls one ELBv2 API, logging its input; AccessDenied is tried again a few times (see ACCESS_DENIED_RETRIES). */
async function call(elb, method, input) {
  for (let attempt = 0; ; attempt++) {
    console.log(JSON.stringify({ call: method, input, attempt }));
    try {
      return await elb[method](input);
    } catch (error) {
      if (!isAccessDenied(error) || attempt >= ACCESS_DENIED_RETRIES) throw error;
      await (elb.wait ?? sleep)(ACCESS_DENIED_WAIT_MS);
    }
  }
}

async function createRule(elb, rule, targetGroups) {
  const out = await call(elb, 'createRule', {
    ListenerArn: rule.listenerArn,
    Priority: rule.priority,
    Conditions: rule.conditions,
    Actions: forward(targetGroups),
  });
  return out.Rules[0].RuleArn;
}

/** The live rule, or undefined when it is gone. */
async function describeRule(elb, ruleArn) {
  try {
    return (await call(elb, 'describeRules', { RuleArns: [ruleArn] })).Rules[0];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The rule of the listener at the rule's priority with the same conditions, if there is one. */
async function sameRuleAt(elb, rule) {
  const { Rules: rules } = await call(elb, 'describeRules', { ListenerArn: rule.listenerArn });
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  return rules.find((r) => String(r.Priority) === String(rule.priority) && same(r.Conditions, rule.conditions));
}

/**
 * Does what the CloudFormation event asks with an ELBv2 client of async methods taking and returning the
 * API's shapes (createRule, describeRules, modifyRule, setRulePriorities, deleteRule).
 * @returns {Promise<{ PhysicalResourceId: string, Data: object }>}
 */
async function apply(event, elb) {
  const id = event.PhysicalResourceId;
  const done = (ruleArn) => ({ PhysicalResourceId: ruleArn, Data: { RuleArn: ruleArn } });

  if (event.RequestType === 'Delete') {
    if (!RULE_ARN.test(id ?? '')) return { PhysicalResourceId: id, Data: {} };
    try {
      await call(elb, 'deleteRule', { RuleArn: id });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return { PhysicalResourceId: id, Data: {} };
  }

  const rule = desired(event.ResourceProperties);
  if (event.RequestType === 'Create') return done(await createRule(elb, rule, rule.targetGroups));
  if (event.RequestType !== 'Update') throw new Error(`Unknown RequestType ${event.RequestType}`);

  const live = await describeRule(elb, id);
  const targetGroups = keepWeights(rule.targetGroups, live);
  // A rule cannot move to another listener: a new one there; CloudFormation then deletes the old one.
  if (!live || rule.listenerArn !== event.OldResourceProperties?.ListenerArn) {
    try {
      return done(await createRule(elb, rule, targetGroups));
    } catch (error) {
      // The rollback of a move: the rule being restored still holds its priority on its listener.
      const held = isPriorityInUse(error) && await sameRuleAt(elb, rule);
      if (!held) throw error;
      await call(elb, 'modifyRule', { RuleArn: held.RuleArn, Conditions: rule.conditions, Actions: forward(keepWeights(rule.targetGroups, held)) });
      return done(held.RuleArn);
    }
  }
  if (String(live.Priority) !== String(rule.priority)) {
    await call(elb, 'setRulePriorities', { RulePriorities: [{ RuleArn: id, Priority: rule.priority }] });
  }
  await call(elb, 'modifyRule', { RuleArn: id, Conditions: rule.conditions, Actions: forward(targetGroups) });
  return done(id);
}

/** PUTs a response body to CloudFormation's presigned URL, as cfn-response does. */
function sendResponse(url, body, request = https.request) {
  const json = JSON.stringify(body);
  console.log(JSON.stringify({ response: body }));
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'PUT',
      headers: { 'Content-Type': '', 'Content-Length': Buffer.byteLength(json) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(json);
  });
}

/** A Lambda handler doing the work with `elb` and answering through `request` (https.request in Lambda). */
function createHandler({ elb, request = https.request }) {
  return async (event, context) => {
    const { ResponseURL: _url, ...logged } = event;
    console.log(JSON.stringify({ event: logged }));
    let timer;
    const timeout = new Promise((_resolve, reject) => {
      const ms = Math.max(context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS, 0);
      timer = setTimeout(() => reject(new Error('Timed out before the work finished')), ms);
    });
    let outcome;
    try {
      outcome = { Status: 'SUCCESS', ...(await Promise.race([apply(event, elb), timeout])) };
    } catch (error) {
      console.error(error);
      outcome = {
        Status: 'FAILED',
        Reason: `${String(error?.message ?? error).slice(0, 1000)} (CloudWatch log stream ${context.logStreamName})`,
        PhysicalResourceId: event.PhysicalResourceId || context.logStreamName,
        Data: {},
      };
    } finally {
      clearTimeout(timer);
    }
    const body = {
      Status: outcome.Status,
      Reason: outcome.Reason || `See CloudWatch log stream ${context.logStreamName}`,
      PhysicalResourceId: outcome.PhysicalResourceId,
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
      Data: outcome.Data,
    };
    try {
      await sendResponse(event.ResponseURL, body, request);
    } catch (error) {
      console.error('Could not send the response to CloudFormation', error);
    }
  };
}

/** The ELBv2 client of the Lambda runtime's SDK, loaded on first use. */
function sdkClient() {
  let sdk;
  const send = (command, input) => {
    if (!sdk) {
      const commands = require('@aws-sdk/client-elastic-load-balancing-v2');
      sdk = { commands, client: new commands.ElasticLoadBalancingV2Client({}) };
    }
    return sdk.client.send(new sdk.commands[command](input));
  };
  return {
    createRule: (input) => send('CreateRuleCommand', input),
    describeRules: (input) => send('DescribeRulesCommand', input),
    modifyRule: (input) => send('ModifyRuleCommand', input),
    setRulePriorities: (input) => send('SetRulePrioritiesCommand', input),
    deleteRule: (input) => send('DeleteRuleCommand', input),
  };
}

const handler = createHandler({ elb: sdkClient() });

module.exports = { handler, apply, createHandler, sendResponse, sdkClient };

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
 * FAILED included: CloudFormation would otherwise wait for the custom resource's ServiceTimeout.
 *
 * Every rule it creates carries the tag STACK_TAG with the stack's id: its role may change and delete
 * only those, on whichever listener they are, so a rule that the cleanup pass or a rollback deletes
 * after its listener left the stack is still its own. It never moves traffic onto a target group that
 * has no healthy target: it fails the update instead, and CloudFormation rolls back.
 */
'use strict';

const crypto = require('crypto');
const http = require('http');
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
/** The tag of the rules this function creates, valued with the stack's id (the role's policy reads it). */
const STACK_TAG = 'private-fargate-behind-alb:stack-id';
/** DescribeRules answers at most this many rules per page (ELB API reference, DescribeRules PageSize). */
const PAGE_SIZE = 400;

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
    // A test rule's header, matched with a value only the rule holds (see withSecret).
    secretHeader: props.SecretHeader,
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

/** Whether `condition` is the http-header condition on `name` (header names match in any case). */
const isSecret = (condition, name) => name !== undefined && condition.Field === 'http-header'
  && String(condition.HttpHeaderConfig?.HttpHeaderName ?? '').toLowerCase() === name.toLowerCase();

/** The value a live rule matches in its header `name`, or undefined. */
function secretOf(rule, name) {
  const condition = (rule?.Conditions ?? []).find((c) => isSecret(c, name));
  return condition?.HttpHeaderConfig?.Values?.[0];
}

/**
 * The conditions to write: the template's, and for a test rule its header, with the value the live rule holds or,
 * for a new rule, a new random one. The value is in no template and no log: only the rule holds it, and the smoke
 * test reads it from there.
 */
function withSecret(rule, live) {
  if (!rule.secretHeader) return rule.conditions;
  const value = secretOf(live, rule.secretHeader) ?? crypto.randomBytes(32).toString('hex');
  return [...(rule.conditions ?? []), { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: rule.secretHeader, Values: [value] } }];
}

/** A copy of an API input whose header values are hidden: a test rule's value is logged nowhere. */
function redacted(input) {
  const hide = (condition) => (condition?.Field === 'http-header'
    ? { ...condition, HttpHeaderConfig: { ...condition.HttpHeaderConfig, Values: ['(hidden)'] } } : condition);
  return Array.isArray(input?.Conditions) ? { ...input, Conditions: input.Conditions.map(hide) } : input;
}

/** A condition by its meaning: the field and its values, from the `...Config` shape or the legacy `Values`. */
function conditionKey(condition) {
  const config = condition.HostHeaderConfig ?? condition.PathPatternConfig ?? condition.HttpRequestMethodConfig ??
    condition.SourceIpConfig ?? condition.HttpHeaderConfig ?? condition.QueryStringConfig;
  const values = (config?.Values ?? condition.Values ?? []).map((value) => (typeof value === 'string' ? value : JSON.stringify(value)));
  const field = condition.Field === 'host-header' ? values.map((v) => v.toLowerCase()) : values;
  return `${condition.Field}${condition.HttpHeaderConfig ? `:${condition.HttpHeaderConfig.HttpHeaderName}` : ''}=${JSON.stringify([...new Set(field)].sort())}`;
}

/** Whether two lists of conditions mean the same (DescribeRules adds the legacy `Values` and may reorder). */
function sameConditions(a, b) {
  const keys = (conditions) => JSON.stringify((conditions ?? []).map(conditionKey).sort());
  return keys(a) === keys(b);
}

const isNotFound = (error) => /^(RuleNotFound|ListenerNotFound)(Exception)?$/.test(error?.name);
const isAccessDenied = (error) => /^AccessDenied(Exception)?$/.test(error?.name);
const isPriorityInUse = (error) => /^PriorityInUse(Exception)?$/.test(error?.name);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls one ELBv2 API, logging its input; AccessDenied is tried again a few times (see
 * ACCESS_DENIED_RETRIES). Once `signal` is aborted (the function is about to answer FAILED), no call
 * starts and the one under way is abandoned by the SDK, so nothing completes after the answer.
 */
async function call(elb, method, input, signal) {
  for (let attempt = 0; ; attempt++) {
    signal?.throwIfAborted();
    console.log(JSON.stringify({ call: method, input: redacted(input), attempt }));
    try {
      return await elb[method](input, { abortSignal: signal });
    } catch (error) {
      if (!isAccessDenied(error) || attempt >= ACCESS_DENIED_RETRIES) throw error;
      await (elb.wait ?? sleep)(ACCESS_DENIED_WAIT_MS);
    }
  }
}

async function createRule(elb, rule, targetGroups, stackId, signal, live) {
  const out = await call(elb, 'createRule', {
    ListenerArn: rule.listenerArn,
    Priority: rule.priority,
    Conditions: withSecret(rule, live),
    Actions: forward(targetGroups),
    Tags: [{ Key: STACK_TAG, Value: stackId }],
  }, signal);
  return out.Rules[0].RuleArn;
}

/** The live rule, or undefined when it is gone. */
async function describeRule(elb, ruleArn, signal) {
  try {
    return (await call(elb, 'describeRules', { RuleArns: [ruleArn] }, signal)).Rules[0];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** The rule of the listener at the rule's priority with the same conditions (by meaning), read page by page. */
async function sameRuleAt(elb, rule, signal) {
  let marker;
  do {
    const page = await call(elb, 'describeRules', { ListenerArn: rule.listenerArn, PageSize: PAGE_SIZE, ...(marker ? { Marker: marker } : {}) }, signal);
    const held = (page.Rules ?? []).find((r) => String(r.Priority) === String(rule.priority)
      && sameConditions((r.Conditions ?? []).filter((c) => !isNever(c) && !isSecret(c, rule.secretHeader)), rule.conditions));
    if (held) return held;
    marker = page.NextMarker;
  } while (marker);
  return undefined;
}

/**
 * Refuses weights that move traffic onto a target group with no healthy target: a group the live rule
 * gave no weight that would get some (after an odd number of traffic-shifting deployments, the
 * template's primary group is empty). Allowed when no group that serves today has a healthy target
 * either: nothing is lost then.
 */
async function checkHealthyTargets(elb, liveRule, targetGroups, signal) {
  const live = liveWeights(liveRule);
  const gaining = targetGroups.filter((tg) => tg.Weight > 0 && live.get(tg.TargetGroupArn) === 0);
  if (gaining.length === 0) return;
  const healthy = async (arn) => {
    const out = await call(elb, 'describeTargetHealth', { TargetGroupArn: arn }, signal);
    return (out.TargetHealthDescriptions ?? []).some((d) => d.TargetHealth?.State === 'healthy');
  };
  const empty = [];
  for (const tg of gaining) if (!(await healthy(tg.TargetGroupArn))) empty.push(tg.TargetGroupArn);
  if (empty.length === 0) return;
  const serving = [...live].filter(([, weight]) => weight > 0).map(([arn]) => arn);
  let servingHealthy = false;
  for (const arn of serving) if (await healthy(arn)) servingHealthy = true;
  if (!servingHealthy) return;
  throw new Error(`Refused: this update would send requests of the rule ${liveRule.RuleArn} to ${empty.join(', ')}, which has no healthy target, ` +
    `away from ${serving.join(', ')}, which serves them now (after an odd number of canary, linear or blue/green deployments ECS serves from ` +
    'the alternate target group). Nothing was changed; the stack rolls back. Deploy the service once more as it is (aws ecs update-service ' +
    '--force-new-deployment), which moves the traffic back to its primary target group, then apply this change again');
}

/**
 * A condition no request meets: no client connects from 255.255.255.255 (the limited broadcast address). A rule
 * with it matches nothing; without it, it is the rule it was.
 */
const NEVER = { Field: 'source-ip', SourceIpConfig: { Values: ['255.255.255.255/32'] } };
const isNever = (condition) => condition.Field === 'source-ip' && JSON.stringify(condition.SourceIpConfig?.Values ?? condition.Values) === JSON.stringify(NEVER.SourceIpConfig.Values);

/**
 * Disables the rule a move replaced: it keeps its conditions and priority, and matches nothing, until the cleanup
 * pass deletes it or a rollback enables it again. If that fails, the new rule goes, so that the update fails with
 * nothing changed (CloudFormation keeps the old physical id when an update fails).
 */
async function disable(elb, oldRuleArn, oldConditions, newRuleArn, signal) {
  try {
    await call(elb, 'modifyRule', { RuleArn: oldRuleArn, Conditions: [...(oldConditions ?? []), NEVER] }, signal);
  } catch (error) {
    if (isNotFound(error)) return;
    await call(elb, 'deleteRule', { RuleArn: newRuleArn }).catch((cleanup) => console.error('Could not delete the new rule', cleanup));
    throw error;
  }
}

/**
 * Does what the CloudFormation event asks with an ELBv2 client of async methods taking and returning the
 * API's shapes (createRule, describeRules, modifyRule, setRulePriorities, deleteRule).
 * @returns {Promise<{ PhysicalResourceId: string, Data: object }>}
 */
async function apply(event, elb, signal) {
  const id = event.PhysicalResourceId;
  const done = (ruleArn) => ({ PhysicalResourceId: ruleArn, Data: { RuleArn: ruleArn } });

  if (event.RequestType === 'Delete') {
    // A rule already gone is deleted. It is looked up first: IAM refuses DeleteRule on a rule that does not exist
    // (its tag, which the role's policy reads, is missing) before ELB could answer RuleNotFound.
    if (RULE_ARN.test(id ?? '') && await describeRule(elb, id, signal)) {
      try {
        await call(elb, 'deleteRule', { RuleArn: id }, signal);
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return { PhysicalResourceId: id, Data: {} };
  }

  const rule = desired(event.ResourceProperties);
  if (event.RequestType === 'Create') return done(await createRule(elb, rule, rule.targetGroups, event.StackId, signal));
  if (event.RequestType !== 'Update') throw new Error(`Unknown RequestType ${event.RequestType}`);

  const live = await describeRule(elb, id, signal);
  const targetGroups = keepWeights(rule.targetGroups, live);
  // A rule cannot move to another listener: a new one there, with the live weights; the old one is disabled at
  // once and deleted by CloudFormation's cleanup pass. Left matching until then, it would keep its weights while ECS
  // moves the new rule's, and send its listener's requests to a group whose tasks ECS has stopped.
  if (!live || rule.listenerArn !== event.OldResourceProperties?.ListenerArn) {
    let created;
    try {
      created = await createRule(elb, rule, targetGroups, event.StackId, signal, live);
    } catch (error) {
      // The rollback of a move: the rule being restored still holds its priority on its listener, disabled. It
      // comes back as it was, with the weights of the rule CloudFormation holds now (ECS may have moved them).
      const held = isPriorityInUse(error) && await sameRuleAt(elb, rule, signal);
      if (!held) throw error;
      const current = live ?? held;
      const heldGroups = keepWeights(rule.targetGroups, current);
      await checkHealthyTargets(elb, current, heldGroups, signal);
      await call(elb, 'modifyRule', { RuleArn: held.RuleArn, Conditions: withSecret(rule, held), Actions: forward(heldGroups) }, signal);
      return done(held.RuleArn);
    }
    // A test rule's header goes with the rest: the disabled rule keeps within ELB's five condition values, and a rollback
    // that enables it again draws a new value, which the smoke test reads from the rule.
    if (live) await disable(elb, id, event.OldResourceProperties.Conditions, created, signal);
    return done(created);
  }
  await checkHealthyTargets(elb, live, targetGroups, signal);
  if (String(live.Priority) !== String(rule.priority)) {
    await call(elb, 'setRulePriorities', { RulePriorities: [{ RuleArn: id, Priority: rule.priority }] }, signal);
  }
  await call(elb, 'modifyRule', { RuleArn: id, Conditions: withSecret(rule, live), Actions: forward(targetGroups) }, signal);
  return done(id);
}

// ---------------------------------------------------------------------------------------------------
// The smoke test: ECS calls this function as a lifecycle hook at POST_TEST_TRAFFIC_SHIFT, once the test rule sends
// its requests to the new revision (ECS developer guide, "Lambda hooks for Amazon ECS service deployments").

/** An ECS lifecycle hook's event (it has a lifecycleStage and the deployment's executionDetails), not CloudFormation's. */
const isHookEvent = (event) => event?.RequestType === undefined && (event?.lifecycleStage !== undefined || event?.executionDetails !== undefined);

/** Statuses a load balancer answers when no target answers: the new tasks may not serve yet. */
const NOT_YET = new Set([502, 503, 504]);
/** How long one request may take in all, and how much of a response body is read. */
const REQUEST_TIMEOUT_MS = 5000;
const MAX_BODY_BYTES = 1024 * 1024;
/** The time kept for the answer to ECS: requests stop when less than this is left of the function's time. */
const HOOK_MARGIN_MS = 15000;
/** How long ECS waits before it calls again after IN_PROGRESS (seconds). */
const CALL_BACK_DELAY_S = 15;

/** hookDetails as the template gives them (a JSON string) or as ECS passes them back (an object). */
function detailsOf(event) {
  const details = event.hookDetails;
  return typeof details === 'string' ? JSON.parse(details) : (details ?? {});
}

/** Errors of TLS verification: a definite answer (the wrong certificate), not "not ready yet". */
const TLS_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/;

/**
 * Sends one request and reads up to MAX_BODY_BYTES of its answer: { status, body }, or throws on no answer. The whole
 * request, its body read included, takes at most REQUEST_TIMEOUT_MS; the rest of a longer body is not read.
 */
function sendRequest(url, { method, headers, body, servername, verify }) {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(target, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : {}) },
      ...(target.protocol === 'https:' ? { servername, rejectUnauthorized: verify } : {}),
    }, (res) => {
      const chunks = [];
      let size = 0;
      const done = () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode, body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf-8') });
      };
      res.on('data', (chunk) => {
        chunks.push(chunk);
        size += chunk.length;
        if (size >= MAX_BODY_BYTES) {
          done();
          res.destroy();
        }
      });
      res.on('end', done);
      res.on('error', (error) => { clearTimeout(timer); reject(error); });
    });
    const timer = setTimeout(() => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} seconds`)), REQUEST_TIMEOUT_MS);
    req.on('error', (error) => { clearTimeout(timer); reject(error); });
    req.end(body);
  });
}

/**
 * One request of the smoke test, judged: `pass` when it answers as expected, `fail` when the new revision answers
 * otherwise (or its certificate is refused), `wait` when nothing answered yet (no connection, no answer in time, or
 * the load balancer's 502, 503 or 504).
 */
async function judge(send, smoke, request, token) {
  const expected = request.ExpectStatus ?? 200;
  const headers = { ...(request.Headers ?? {}), [smoke.Header]: token };
  if (smoke.Host) headers.Host = smoke.Host;
  const label = `${request.Method ?? 'GET'} ${request.Path}`;
  let answer;
  try {
    answer = await send(`${smoke.Url}${request.Path}`, {
      method: request.Method ?? 'GET', headers, body: request.Body, servername: smoke.Host, verify: smoke.Host !== undefined,
    });
  } catch (error) {
    const outcome = TLS_ERRORS.test(String(error?.code ?? '')) ? 'fail' : 'wait';
    return { outcome, request: label, detail: `no answer: ${error?.message ?? error}` };
  }
  if (answer.status !== expected) {
    const outcome = NOT_YET.has(answer.status) ? 'wait' : 'fail';
    return { outcome, request: label, detail: `answered ${answer.status}, expected ${expected}` };
  }
  if (request.ExpectBodyContains !== undefined && !answer.body.includes(request.ExpectBodyContains)) {
    return { outcome: 'fail', request: label, detail: `answered ${answer.status} without ${JSON.stringify(request.ExpectBodyContains)} in its body` };
  }
  return { outcome: 'pass', request: label, detail: `answered ${answer.status}` };
}

/** The live rule's conditions as ModifyRule takes them: host and path in their `...Config` shape only (DescribeRules adds `Values`). */
function writableConditions(rule) {
  return (rule.Conditions ?? []).map(({ Values, ...condition }) => (Object.keys(condition).some((key) => key.endsWith('Config')) ? condition : { ...condition, Values }));
}

/**
 * Draws a new value for the test rule's header at the start of each test: a value seen anywhere (a log of the
 * application, a request sent over HTTP) matches nothing after the next deployment's test.
 */
async function rotateSecret(elb, rule, header) {
  const token = crypto.randomBytes(32).toString('hex');
  const conditions = writableConditions(rule).map((c) => (isSecret(c, header) ? { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: header, Values: [token] } } : c));
  await call(elb, 'modifyRule', { RuleArn: rule.RuleArn, Conditions: conditions });
  return token;
}

/**
 * Runs the smoke test of hookDetails.SmokeTest: sends each request Count times through the load balancer with the
 * test rule's header, and answers ECS: SUCCEEDED when every answer is as expected, FAILED (ECS rolls back) when one is
 * not, IN_PROGRESS (ECS calls again) while one has no answer yet, until the deadline, or when the function's time runs
 * short. hookDetails carry the first call's time (StartedAt) and the requests answered as expected so far (Done).
 * A test rule that is gone answers SUCCEEDED: the hook is one ECS kept after the smoke test left the template.
 */
async function runHook(event, elb, context, send = sendRequest, now = Date.now) {
  console.log(JSON.stringify({ hook: { lifecycleStage: event.lifecycleStage, executionDetails: event.executionDetails } }));
  const details = detailsOf(event);
  const smoke = details.SmokeTest;
  if (event.lifecycleStage !== undefined && event.lifecycleStage !== 'POST_TEST_TRAFFIC_SHIFT') {
    return { hookStatus: 'SUCCEEDED' };
  }
  if (!smoke) throw new Error('The hook has no SmokeTest in its hookDetails');
  const first = details.StartedAt === undefined;
  const startedAt = Number(details.StartedAt ?? now());
  const deadline = Number(smoke.DeadlineSeconds);
  const elapsed = () => (now() - startedAt) / 1000;
  const later = (done, delay) => ({ hookStatus: 'IN_PROGRESS', callBackDelay: delay, hookDetails: { ...details, StartedAt: startedAt, Done: done } });
  const wait = (done) => {
    if (elapsed() >= deadline) {
      console.log(JSON.stringify({ deadline: `no answer as expected within ${deadline} seconds` }));
      return { hookStatus: 'FAILED' };
    }
    return later(done, Math.max(1, Math.min(CALL_BACK_DELAY_S, Math.ceil(deadline - elapsed()))));
  };
  let rule;
  try {
    rule = await describeRule(elb, smoke.TestRule);
  } catch (error) {
    console.error('Could not read the test rule', error);
    return wait(Number(details.Done ?? 0));
  }
  if (!rule) {
    console.log(JSON.stringify({ skipped: `the test rule ${smoke.TestRule} is gone: this hook is one ECS kept after the smoke test left the template` }));
    return { hookStatus: 'SUCCEEDED' };
  }
  if (secretOf(rule, smoke.Header) === undefined) throw new Error(`The test rule ${smoke.TestRule} has no ${smoke.Header} condition`);
  const token = first ? await rotateSecret(elb, rule, smoke.Header) : secretOf(rule, smoke.Header);
  const sends = smoke.Requests.flatMap((request) => Array.from({ length: Number(smoke.Count ?? 1) }, () => request));
  for (let done = Number(details.Done ?? 0); done < sends.length; done++) {
    if (context.getRemainingTimeInMillis() < HOOK_MARGIN_MS) return later(done, 1);
    const result = await judge(send, smoke, sends[done], token);
    console.log(JSON.stringify(result));
    if (result.outcome === 'fail') return { hookStatus: 'FAILED' };
    if (result.outcome === 'wait') return wait(done);
  }
  return { hookStatus: 'SUCCEEDED' };
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

/**
 * A Lambda handler doing the work with `elb` and answering CloudFormation through `request` (https.request in
 * Lambda); called by ECS as a lifecycle hook, it runs the smoke test with `send` and answers ECS.
 */
function createHandler({ elb, request = https.request, send = sendRequest, now = Date.now }) {
  return async (event, context) => {
    if (isHookEvent(event)) {
      try {
        return await runHook(event, elb, context, send, now);
      } catch (error) {
        console.error(error);
        return { hookStatus: 'FAILED' };
      }
    }
    const { ResponseURL: _url, ...logged } = event;
    console.log(JSON.stringify({ event: logged }));
    let timer;
    // On time out the calls under way are aborted: none completes after the FAILED answer.
    const controller = new AbortController();
    const timeout = new Promise((_resolve, reject) => {
      const ms = Math.max(context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS, 0);
      timer = setTimeout(() => {
        const error = new Error('Timed out before the work finished; the ELB calls under way were aborted');
        controller.abort(error);
        reject(error);
      }, ms);
    });
    let outcome;
    try {
      outcome = { Status: 'SUCCESS', ...(await Promise.race([apply(event, elb, controller.signal), timeout])) };
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

/**
 * The SDK's client settings: the function spends the account's own ELB API budget, shared with every
 * other client, so throttled calls are retried the way the SDK's adaptive mode does (backing off and
 * pacing the client's own rate), a few more times than the default.
 */
const CLIENT_CONFIG = { retryMode: 'adaptive', maxAttempts: 8 };

/** The ELBv2 client of the Lambda runtime's SDK (or of `load()`), loaded on first use. */
function sdkClient(load = () => require('@aws-sdk/client-elastic-load-balancing-v2')) {
  let sdk;
  const send = (command, input, options) => {
    if (!sdk) {
      const commands = load();
      sdk = { commands, client: new commands.ElasticLoadBalancingV2Client(CLIENT_CONFIG) };
    }
    return sdk.client.send(new sdk.commands[command](input), options);
  };
  return {
    createRule: (input, options) => send('CreateRuleCommand', input, options),
    describeRules: (input, options) => send('DescribeRulesCommand', input, options),
    modifyRule: (input, options) => send('ModifyRuleCommand', input, options),
    setRulePriorities: (input, options) => send('SetRulePrioritiesCommand', input, options),
    deleteRule: (input, options) => send('DeleteRuleCommand', input, options),
    describeTargetHealth: (input, options) => send('DescribeTargetHealthCommand', input, options),
  };
}

const handler = createHandler({ elb: sdkClient() });

module.exports = { handler, apply, createHandler, sendResponse, sendRequest, sdkClient, sameConditions, STACK_TAG };

/**
 * IAM policy evaluation for the identity-based policies of one principal (no SCPs, no permissions boundaries,
 * no session policies, no resource-based policies), and an ELBv2 client whose every call is authorized first.
 *
 * Sources:
 *  [Logic]     IAM User Guide, "Policy evaluation logic" and "Determining whether a request is allowed or denied
 *              within an account": https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 *  [Action]    IAM User Guide, "IAM JSON policy elements: Action" / "NotAction" (action names are not case sensitive;
 *              `*` and `?` wildcards).
 *  [Resource]  IAM User Guide, "IAM JSON policy elements: Resource" / "NotResource" ("You can use wildcard characters
 *              (* and ?) within any ARN segment ... If the * wildcard is the last character of a resource ARN segment,
 *              it can expand to match beyond the colon boundaries"; ARNs are case sensitive).
 *  [Cond]      IAM User Guide, "IAM JSON policy elements: Condition operators" (String*, Arn*, Bool, Null, ...IfExists;
 *              "If the key that you specify in a policy condition is not present in the request context, the values
 *              do not match"; negated operators then match) and "Condition element" (several operators and keys are
 *              ANDed, several values of a key ORed; condition key names are not case sensitive).
 *  [Multi]     IAM User Guide, "Single-valued vs. multivalued context keys" (ForAllValues / ForAnyValue; ForAllValues
 *              is true when the key is missing or empty, ForAnyValue is false then).
 *  [SAR]       Service Authorization Reference, "Actions, resources, and condition keys for Elastic Load Balancing V2":
 *              https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
 *              (resource types and condition keys of each action; read from the iam-dataset mirror of that page).
 *  [TagCreate] ELB User Guide, "ELB API permissions to tag resources during creation":
 *              https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/tagging-resources-during-creation.html
 *              ("If tags are specified in the resource-creating action, additional authorization is required on the
 *              elasticloadbalancing:AddTags action"; condition key elasticloadbalancing:CreateAction).
 *  [Denied]    IAM User Guide, "Troubleshoot access denied error messages" (the message's form).
 */
import { AwsError, CallOptions, ElbModel, Tag } from './elb';

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean | number | Array<string | boolean | number>>>;
}
export interface PolicyDocument { Version?: string; Statement: PolicyStatement | PolicyStatement[] }

export type ContextValue = string | string[];
export interface AuthorizationRequest {
  action: string;
  resource: string;
  context?: Record<string, ContextValue>;
}
export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

const list = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** A glob with `*` (any run of characters) and `?` (one character). */
function globToRegex(pattern: string, flags = ''): RegExp {
  const body = pattern.split('').map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, flags);
}

/** Action names are not case sensitive [Action]. */
export function actionMatches(pattern: string, action: string): boolean {
  return globToRegex(pattern, 'i').test(action);
}

/**
 * A resource pattern against an ARN, case sensitive [Resource]: `*` alone matches everything; otherwise the six
 * colon-delimited segments are matched one by one, and a `*` that ends a segment may run beyond its colons.
 */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  const segments = pattern.split(':');
  let body = '';
  segments.forEach((segment, i) => {
    if (i > 0) body += ':';
    segment.split('').forEach((ch, j) => {
      if (ch === '*') body += j === segment.length - 1 ? '.*' : '[^:]*';
      else if (ch === '?') body += '[^:]';
      else body += ch.replace(/[.+^${}()|[\]\\/]/g, '\\$&');
    });
  });
  return new RegExp(`^${body}$`).test(resource);
}

/** ArnEquals / ArnLike: "Each of the six colon-delimited components of the ARN is checked separately" [Cond]. */
function arnLike(pattern: string, value: string): boolean {
  const p = pattern.split(':');
  const v = value.split(':');
  if (p.length < 6 || v.length < 6) return false;
  const pp = [...p.slice(0, 5), p.slice(5).join(':')];
  const vv = [...v.slice(0, 5), v.slice(5).join(':')];
  return pp.every((segment, i) => globToRegex(segment).test(vv[i]));
}

type Matcher = (policyValue: string, contextValue: string) => boolean;
const OPERATORS: Record<string, { match: Matcher; negated: boolean }> = {
  StringEquals: { match: (p, c) => p === c, negated: false },
  StringNotEquals: { match: (p, c) => p === c, negated: true },
  StringEqualsIgnoreCase: { match: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { match: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: true },
  StringLike: { match: (p, c) => globToRegex(p).test(c), negated: false },
  StringNotLike: { match: (p, c) => globToRegex(p).test(c), negated: true },
  ArnEquals: { match: arnLike, negated: false },
  ArnLike: { match: arnLike, negated: false },
  ArnNotEquals: { match: arnLike, negated: true },
  ArnNotLike: { match: arnLike, negated: true },
  Bool: { match: (p, c) => p.toLowerCase() === c.toLowerCase(), negated: false },
};

function lookup(context: Record<string, ContextValue>, key: string): string[] | undefined {
  // "Condition key names are not case sensitive" [Cond].
  const found = Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : list(context[found]);
}

/** One operator block entry: `operator` (with qualifiers) on `key` with the policy's values. */
function conditionHolds(operatorName: string, key: string, policyValues: string[], context: Record<string, ContextValue>): boolean {
  let name = operatorName;
  let set: 'ForAllValues' | 'ForAnyValue' | undefined;
  const qualifier = /^(ForAllValues|ForAnyValue):(.+)$/.exec(name);
  if (qualifier) {
    set = qualifier[1] as 'ForAllValues' | 'ForAnyValue';
    name = qualifier[2];
  }
  const ifExists = name.endsWith('IfExists');
  if (ifExists) name = name.slice(0, -'IfExists'.length);
  const values = lookup(context, key);
  if (name === 'Null') {
    // Null: "true" when the key is absent, "false" when present [Cond].
    const absent = values === undefined || values.length === 0;
    return policyValues.some((p) => (p.toLowerCase() === 'true') === absent);
  }
  const operator = OPERATORS[name];
  if (!operator) throw new Error(`Condition operator ${operatorName} is not modelled`);
  if (values === undefined) {
    // ...IfExists: "If the policy key is present in the context of the request, process the key as specified in the
    // policy. If the key is not present, evaluate the condition element as true" [Cond].
    if (ifExists) return true;
    if (set === 'ForAllValues') return true;
    if (set === 'ForAnyValue') return false;
    return operator.negated;
  }
  const one = (c: string) => {
    const any = policyValues.some((p) => operator.match(p, c));
    return operator.negated ? !any : any;
  };
  if (set === 'ForAllValues') return values.every(one);
  if (set === 'ForAnyValue') return values.some(one);
  // A single-valued operator on a key: the key's value must satisfy it (several context values: any of them).
  return operator.negated ? values.every(one) : values.some(one);
}

function statementApplies(statement: PolicyStatement, request: AuthorizationRequest): boolean {
  const actionOk = statement.Action !== undefined
    ? list(statement.Action).some((p) => actionMatches(p, request.action))
    : !list(statement.NotAction).some((p) => actionMatches(p, request.action));
  if (!actionOk) return false;
  const resourceOk = statement.Resource !== undefined
    ? list(statement.Resource).some((p) => resourceMatches(p, request.resource))
    : statement.NotResource !== undefined ? !list(statement.NotResource).some((p) => resourceMatches(p, request.resource)) : false;
  if (!resourceOk) return false;
  const context = request.context ?? {};
  // "If your policy has multiple condition operators or multiple keys attached to a single condition operator, the
  // conditions are evaluated using a logical AND ... If a single condition operator includes multiple values for one
  // key, that condition operator is evaluated using a logical OR" [Cond].
  return Object.entries(statement.Condition ?? {}).every(([operator, keys]) =>
    Object.entries(keys).every(([key, values]) => conditionHolds(operator, key, list(values as any).map(String), context)));
}

/**
 * The decision for one request [Logic]: an explicit deny in any statement wins; else an allow; else the implicit deny.
 */
export function evaluate(policies: PolicyDocument[], request: AuthorizationRequest): Decision {
  const statements = policies.flatMap((p) => list(p.Statement));
  if (statements.some((s) => s.Effect === 'Deny' && statementApplies(s, request))) return 'explicit-deny';
  if (statements.some((s) => s.Effect === 'Allow' && statementApplies(s, request))) return 'allow';
  return 'implicit-deny';
}

/* ------------------------------------------------------------------------------------------------
 * ELBv2 authorization
 * ---------------------------------------------------------------------------------------------- */

export interface AuthorizedElbOptions {
  /** Who calls, for the AccessDenied message: the assumed-role session ARN. */
  principal?: string;
  /** Called instead of sleeping when the caller waits between retries (the handler's `elb.wait`). */
  wait?: (ms: number) => Promise<void>;
}

/** The ELB client a test hands to code under test: the model's methods, each authorized first. */
export type AuthorizedElb = {
  [K in ElbMethod]: (input: any, options?: CallOptions) => Promise<any>;
} & { wait?: (ms: number) => Promise<void>; readonly decisions: Array<{ action: string; resource: string; decision: Decision }> };

export const ELB_METHODS = [
  'createLoadBalancer', 'describeLoadBalancers', 'deleteLoadBalancer', 'createListener', 'modifyListener', 'deleteListener',
  'describeListeners', 'addListenerCertificates', 'removeListenerCertificates', 'createTargetGroup', 'describeTargetGroups',
  'deleteTargetGroup', 'registerTargets', 'deregisterTargets', 'describeTargetHealth', 'createRule', 'modifyRule', 'deleteRule',
  'setRulePriorities', 'describeRules', 'addTags', 'removeTags', 'describeTags',
] as const;
export type ElbMethod = typeof ELB_METHODS[number];

interface Check { action: string; resource: string; context: Record<string, ContextValue> }

const operationOf = (method: string) => method[0].toUpperCase() + method.slice(1);

/** `aws:RequestTag/KEY` for each tag and `aws:TagKeys` [SAR, condition keys]. */
function requestTagContext(tags: Tag[] | undefined): Record<string, ContextValue> {
  if (!tags || tags.length === 0) return {};
  const context: Record<string, ContextValue> = { 'aws:TagKeys': tags.map((t) => t.Key) };
  for (const tag of tags) context[`aws:RequestTag/${tag.Key}`] = tag.Value ?? '';
  return context;
}

/**
 * A client with the model's methods whose every call is authorized first against `policies()` (read at each call,
 * so a test can change them between calls, as a stack update does). The resources and keys of each action are the
 * Service Authorization Reference's [SAR]:
 *  - Describe* → `*` (no resource types);
 *  - CreateRule → the listener; CreateListener, CreateLoadBalancer → the load balancer; CreateTargetGroup → the new
 *    target group; ModifyListener, DeleteListener, Add/RemoveListenerCertificates → the listener;
 *  - ModifyRule, DeleteRule, SetRulePriorities → each rule, with `aws:ResourceTag/KEY` (and
 *    `elasticloadbalancing:ResourceTag/KEY`) from its current tags; Register/DeregisterTargets, DeleteTargetGroup →
 *    the target group; DeleteLoadBalancer → the load balancer; AddTags / RemoveTags → each resource;
 *  - a create with `Tags` also needs `elasticloadbalancing:AddTags` on the new resource with
 *    `elasticloadbalancing:CreateAction` = the operation [TagCreate]; the new resource's ARN is known once the model
 *    made it, so that check runs then, and a denial undoes the creation (nothing is created, as in AWS).
 */
export function authorizedElb(elb: ElbModel, policies: () => PolicyDocument[], options: AuthorizedElbOptions = {}): AuthorizedElb {
  const principal = options.principal ?? `arn:aws:sts::${elb.account}:assumed-role/model-role/model-session`;
  const decisions: AuthorizedElb['decisions'] = [];

  const resourceTags = async (arn: string): Promise<Record<string, ContextValue>> => {
    try {
      const { TagDescriptions } = await elb.describeTags({ ResourceArns: [arn] });
      const context: Record<string, ContextValue> = {};
      for (const tag of TagDescriptions[0]?.Tags ?? []) {
        context[`aws:ResourceTag/${tag.Key}`] = tag.Value ?? '';
        context[`elasticloadbalancing:ResourceTag/${tag.Key}`] = tag.Value ?? '';
      }
      return context;
    } catch {
      return {};
    }
  };

  const authorize = (checks: Check[]) => {
    for (const check of checks) {
      const decision = evaluate(policies(), { action: check.action, resource: check.resource, context: check.context });
      decisions.push({ action: check.action, resource: check.resource, decision });
      if (decision !== 'allow') {
        const why = decision === 'explicit-deny'
          ? 'with an explicit deny in an identity-based policy'
          : `because no identity-based policy allows the ${check.action} action`;
        throw new AwsError('AccessDenied', `User: ${principal} is not authorized to perform: ${check.action} on resource: ${check.resource} ${why}`);
      }
    }
  };

  const checksFor = async (method: ElbMethod, input: any): Promise<Check[]> => {
    const action = `elasticloadbalancing:${operationOf(method)}`;
    const onEach = async (arns: string[], extra: Record<string, ContextValue> = {}) =>
      Promise.all(arns.map(async (resource) => ({ action, resource, context: { ...(await resourceTags(resource)), ...extra } })));
    switch (method) {
      case 'describeLoadBalancers': case 'describeListeners': case 'describeTargetGroups': case 'describeTargetHealth':
      case 'describeRules': case 'describeTags':
        return [{ action, resource: '*', context: {} }];
      case 'createRule': case 'modifyListener': case 'deleteListener': case 'addListenerCertificates': case 'removeListenerCertificates':
        return onEach([input?.ListenerArn], method === 'createRule' ? requestTagContext(input?.Tags) : {});
      case 'createListener':
        return onEach([input?.LoadBalancerArn], requestTagContext(input?.Tags));
      case 'modifyRule': case 'deleteRule':
        return onEach([input?.RuleArn]);
      case 'setRulePriorities':
        return onEach((input?.RulePriorities ?? []).map((p: { RuleArn: string }) => p.RuleArn));
      case 'registerTargets': case 'deregisterTargets': case 'deleteTargetGroup':
        return onEach([input?.TargetGroupArn]);
      case 'deleteLoadBalancer':
        return onEach([input?.LoadBalancerArn]);
      case 'addTags':
        return onEach(input?.ResourceArns ?? [], requestTagContext(input?.Tags));
      case 'removeTags':
        return onEach(input?.ResourceArns ?? [], { 'aws:TagKeys': input?.TagKeys ?? [] });
      case 'createLoadBalancer':
        return [{ action, resource: `arn:aws:elasticloadbalancing:${elb.region}:${elb.account}:loadbalancer/app/${input?.Name}/*`, context: requestTagContext(input?.Tags) }];
      case 'createTargetGroup':
        return [{ action, resource: `arn:aws:elasticloadbalancing:${elb.region}:${elb.account}:targetgroup/${input?.Name}/*`, context: requestTagContext(input?.Tags) }];
      default:
        return [{ action, resource: '*', context: {} }];
    }
  };

  /** The ARN a create made, for the AddTags check of tagging on creation. */
  const createdArn = (method: ElbMethod, out: any): string | undefined => {
    if (method === 'createRule') return out?.Rules?.[0]?.RuleArn;
    if (method === 'createListener') return out?.Listeners?.[0]?.ListenerArn;
    if (method === 'createTargetGroup') return out?.TargetGroups?.[0]?.TargetGroupArn;
    if (method === 'createLoadBalancer') return out?.LoadBalancers?.[0]?.LoadBalancerArn;
    return undefined;
  };
  const client: Record<string, unknown> = { decisions };
  for (const method of ELB_METHODS) {
    client[method] = async (input: any, callOptions?: CallOptions) => {
      if (callOptions?.abortSignal?.aborted) {
        const error = new Error('Request aborted');
        error.name = 'AbortError';
        throw error;
      }
      authorize(await checksFor(method, input));
      const out = await (elb as any)[method](input, callOptions);
      const arn = createdArn(method, out);
      if (arn && Array.isArray(input?.Tags) && input.Tags.length > 0) {
        try {
          authorize([{ action: 'elasticloadbalancing:AddTags', resource: arn, context: { ...requestTagContext(input.Tags), 'elasticloadbalancing:CreateAction': operationOf(method) } }]);
        } catch (error) {
          // AWS refuses the whole create: the model's resource is taken back without a call.
          elb.discard(arn);
          throw error;
        }
      }
      return out;
    };
  }
  if (options.wait) client.wait = options.wait;
  return client as AuthorizedElb;
}

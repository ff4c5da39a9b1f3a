/**
 * A small model of how an Application Load Balancer routes a request (ELB guide, "Listener rules"):
 * the rules of the listener are evaluated from the lowest priority up and the first match wins; a
 * rule matches when every one of its conditions does, and a condition when any of its values does;
 * host-header values match case-insensitively, path-pattern values case-sensitively, both with the
 * wildcards `*` (any characters) and `?` (one character); an http-header condition by the header's name
 * and value, in any case; no rule matching, the default action. A test rule (`SecretHeader`) also matches
 * its header, whose value the function draws: only a request carrying it (the smoke test's) matches.
 */
import { holderName } from './keys';
import { identity, numberOf } from './resolve';
import { SynthesizedApp } from './synth';

/** Where a request ends: target groups (by identity) with their weights, or a redirect or fixed response. */
export type Action =
  | { readonly type: 'forward'; readonly targetGroups: Array<{ readonly key: string; readonly weight: number }> }
  | { readonly type: string; readonly config: unknown };

/** A condition of a rule: the field and the values any of which must match (an http-header condition: of its header). */
export interface Condition {
  readonly field: string;
  readonly values: string[];
  readonly header?: string;
}

/** The value of a test rule's header in the model: the function draws a random one, which no template shows. */
export const DRAWN_VALUE = 'value-drawn-by-the-function';

export interface RuleModel {
  /** `stack/logicalId` of the rule. */
  readonly name: string;
  /** Whether an ECS service of the app names it as its test listener rule: only the smoke test's requests may reach it. */
  readonly test?: boolean;
  readonly priority: number;
  readonly conditions: Condition[];
  readonly action: Action;
}

export interface ListenerModel {
  /** The identity of the listener (`stack/logicalId`, or its ARN when it is not in the app). */
  readonly key: string;
  /** Undefined for a listener outside the app. */
  readonly defaultAction?: Action;
  /** Lowest priority first. */
  readonly rules: RuleModel[];
}

/** Every listener of the app that has a default action or a rule, by identity. */
export function listenersOf(app: SynthesizedApp): Map<string, ListenerModel> {
  const listeners = new Map<string, { key: string; defaultAction?: Action; rules: RuleModel[] }>();
  const listener = (key: string) => listeners.get(key) ?? listeners.set(key, { key, rules: [] }).get(key)!;
  const testRules = new Set<string>();
  for (const stackId of app.order) {
    for (const resource of Object.values(app.stacks[stackId].template.Resources ?? {})) {
      if (resource.Type !== 'AWS::ECS::Service') continue;
      for (const lb of resource.Properties?.LoadBalancers ?? []) {
        const test = lb.AdvancedConfiguration?.TestListenerRule;
        if (test !== undefined) testRules.add(identity(app, stackId, test));
      }
    }
  }
  for (const stackId of app.order) {
    const id = (value: unknown) => identity(app, stackId, value);
    for (const [logicalId, resource] of Object.entries(app.stacks[stackId].template.Resources ?? {})) {
      const p = resource.Properties ?? {};
      const name = holderName({ stack: stackId, logicalId });
      if (resource.Type === 'AWS::ElasticLoadBalancingV2::Listener') {
        listener(name).defaultAction = actionOf(id, p.DefaultActions ?? []);
      } else if (resource.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule' || resource.Type === 'Custom::PrivateFargateListenerRule') {
        // The custom resource names its target groups beside the conditions, as the ELBv2 API does.
        const action = resource.Type === 'Custom::PrivateFargateListenerRule'
          ? forwardTo(id, p.TargetGroups ?? [])
          : actionOf(id, p.Actions ?? []);
        listener(id(p.ListenerArn)).rules.push({
          name,
          test: testRules.has(id({ Ref: logicalId })),
          priority: numberOf(app, stackId, p.Priority),
          conditions: [
            ...(p.Conditions ?? []).map((c: any) => conditionOf(id, c)),
            ...(p.SecretHeader ? [{ field: 'http-header', header: id(p.SecretHeader), values: [DRAWN_VALUE] }] : []),
          ],
          action,
        });
      }
    }
  }
  for (const model of listeners.values()) model.rules.sort((a, b) => a.priority - b.priority);
  return listeners;
}

/** The values of a condition, in the `...Config` shape or the older `Values` one. */
function conditionOf(id: (value: unknown) => string, condition: any): Condition {
  const config = condition.HostHeaderConfig ?? condition.PathPatternConfig ?? condition.HttpHeaderConfig ?? {};
  const values: unknown[] = config.Values ?? condition.Values ?? [];
  return { field: id(condition.Field), values: values.map(id), ...(config.HttpHeaderName ? { header: id(config.HttpHeaderName) } : {}) };
}

/** The action that ends a request: the last one by `Order` (authentication actions come before it). */
function actionOf(id: (value: unknown) => string, actions: any[]): Action {
  const last = [...actions].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0)).pop();
  if (!last) return { type: 'none', config: undefined };
  const type = id(last.Type);
  if (type !== 'forward') return { type, config: last.RedirectConfig ?? last.FixedResponseConfig ?? last };
  if (last.ForwardConfig) return forwardTo(id, last.ForwardConfig.TargetGroups);
  return forwardTo(id, [{ TargetGroupArn: last.TargetGroupArn, Weight: 1 }]);
}

function forwardTo(id: (value: unknown) => string, groups: any[]): Action {
  return { type: 'forward', targetGroups: groups.map((g) => ({ key: id(g.TargetGroupArn), weight: Number(id(g.Weight ?? 1)) })) };
}

/** `*` any characters, `?` one. */
function wildcard(pattern: string, flags: string): RegExp {
  const body = pattern.split('').map((c) => c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('');
  return new RegExp(`^${body}$`, flags);
}

/** A request's headers beside its host, by name in lower case. */
export type Headers = Record<string, string>;

/** Whether a condition matches; undefined for a field the model does not know. */
function matches(condition: Condition, host: string, path: string, headers: Headers = {}): boolean | undefined {
  if (condition.field === 'host-header') return condition.values.some((v) => wildcard(v, 'i').test(host));
  if (condition.field === 'path-pattern') return condition.values.some((v) => wildcard(v, '').test(path));
  if (condition.field === 'http-header') {
    const value = headers[condition.header!.toLowerCase()];
    return value !== undefined && condition.values.some((v) => wildcard(v, 'i').test(value));
  }
  return undefined;
}

/** Where a request ends, and which rule (or `default`) sent it there. */
export interface Routed {
  readonly via: string;
  readonly action: Action;
}

/** Where the listener sends a request for `host` and `path` (with `headers`, names in lower case). */
export function route(app: SynthesizedApp, listenerKey: string, host: string, path: string, headers: Headers = {}): Routed {
  const listener = listenersOf(app).get(listenerKey);
  if (!listener) throw new Error(`no listener ${listenerKey} in the app; it has ${[...listenersOf(app).keys()].join(', ')}`);
  return routeIn(listener, host, path, headers);
}

function routeIn(listener: ListenerModel, host: string, path: string, headers: Headers = {}): Routed {
  for (const rule of listener.rules) {
    if (rule.conditions.every((c) => matches(c, host, path, headers) === true)) return { via: rule.name, action: rule.action };
  }
  return { via: 'default', action: listener.defaultAction ?? { type: 'unknown', config: 'a listener outside the app' } };
}

/** Requests a rule is written for: its hosts and paths with the wildcards filled in, and the header of its http-header conditions. */
export function samplesOf(rule: RuleModel): Array<{ host: string; path: string; headers: Headers }> {
  const values = (field: string) => rule.conditions.find((c) => c.field === field)?.values;
  const hosts = (values('host-header') ?? ['any-host.example']).map((h) => h.replace(/[*?]/g, 'a'));
  const paths = (values('path-pattern') ?? ['/']).map((p) => p.replace(/\*/g, 'x/y').replace(/\?/g, 'x'));
  const headers = Object.fromEntries(rule.conditions.filter((c) => c.field === 'http-header')
    .map((c) => [c.header!.toLowerCase(), c.values[0].replace(/[*?]/g, 'a')]));
  return hosts.flatMap((host) => paths.map((path) => ({ host, path, headers })));
}

/** A short text of an action, for messages. */
export function describeAction(action: Action): string {
  if ('targetGroups' in action) return `forward to ${action.targetGroups.map((g) => `${g.key} (${g.weight})`).join(', ')}`;
  return `${action.type} ${JSON.stringify(action.config)}`;
}

/**
 * For every rule of every listener, the requests written for it (its own hosts and paths) must end
 * where the rule sends them, not at another rule's target groups. One line per request that does not.
 */
export function checkRouting(app: SynthesizedApp): string[] {
  const violations: string[] = [];
  for (const listener of listenersOf(app).values()) {
    for (const rule of listener.rules) {
      const unknown = rule.conditions.filter((c) => !['host-header', 'path-pattern', 'http-header'].includes(c.field));
      if (unknown.length > 0) {
        violations.push(`${rule.name}: the routing model does not know the condition ${unknown.map((c) => c.field).join(', ')}`);
        continue;
      }
      for (const { host, path, headers } of samplesOf(rule)) {
        const routed = routeIn(listener, host, path, headers);
        // A user's request (without the smoke test's header) must never reach a test rule, even one that forwards alike.
        const test = listener.rules.find((r) => r.name === routed.via && r.test);
        if (test && Object.keys(headers).length === 0) {
          violations.push(`${listener.key}: a user's request for ${host}${path}, meant for ${rule.name}, reaches the test rule ${test.name}`);
          continue;
        }
        if (routed.via === rule.name || describeAction(routed.action) === describeAction(rule.action)) continue;
        const other = listener.rules.find((r) => r.name === routed.via);
        violations.push(`${listener.key}: a request for ${host}${path} meant for ${rule.name} (priority ${rule.priority}, ` +
          `${describeAction(rule.action)}) is taken by ${routed.via}${other ? ` (priority ${other.priority})` : ''}: ${describeAction(routed.action)}`);
      }
    }
  }
  return violations;
}

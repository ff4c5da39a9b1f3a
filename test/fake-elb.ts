/**
 * An in-memory ELBv2 that enforces what AWS enforces for listener rules (unique priority per listener,
 * RuleNotFound, weights from 0 to 999 with one above 0), and lets a test play ECS moving the weights.
 * Used by the tests of the listener rule function and of the state after ECS swaps the target groups.
 */

export interface TargetGroupTuple { TargetGroupArn: string; Weight?: number }
export interface Action {
  Type: string;
  TargetGroupArn?: string;
  ForwardConfig?: { TargetGroups?: TargetGroupTuple[]; TargetGroupStickinessConfig?: { Enabled: boolean } };
}
export interface Condition { Field: string; [config: string]: unknown }
export interface Rule { RuleArn: string; Priority: string; Conditions: Condition[]; Actions: Action[]; IsDefault: boolean }
export interface CreateRuleInput { ListenerArn: string; Priority: number; Conditions: Condition[]; Actions: Action[] }
export interface ModifyRuleInput { RuleArn: string; Conditions?: Condition[]; Actions?: Action[] }
export interface SetRulePrioritiesInput { RulePriorities: Array<{ RuleArn: string; Priority: number }> }
export interface Elb {
  createRule(input: CreateRuleInput): Promise<{ Rules: Rule[] }>;
  describeRules(input: { RuleArns?: string[]; ListenerArn?: string }): Promise<{ Rules: Rule[] }>;
  modifyRule(input: ModifyRuleInput): Promise<{ Rules: Rule[] }>;
  setRulePriorities(input: SetRulePrioritiesInput): Promise<{ Rules: Rule[] }>;
  deleteRule(input: { RuleArn: string }): Promise<object>;
}

export class AwsError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class FakeElb implements Elb {
  readonly calls: Array<{ method: keyof Elb; input: unknown }> = [];
  private readonly listeners = new Map<string, Map<string, Rule>>();
  private nextRule = 1;

  constructor(...listenerArns: string[]) {
    for (const arn of listenerArns) this.listeners.set(arn, new Map());
  }

  /** The rules of a listener, as DescribeRules shows them. */
  rulesOf(listenerArn: string): Rule[] {
    return [...(this.listeners.get(listenerArn)?.values() ?? [])].map(clone);
  }

  /** Target group ARN → weight of a rule's forward action. */
  weights(ruleArn: string): Record<string, number | undefined> {
    const [, rule] = this.find(ruleArn);
    const targetGroups = rule.Actions[0].ForwardConfig?.TargetGroups ?? [];
    return Object.fromEntries(targetGroups.map((tg) => [tg.TargetGroupArn, tg.Weight]));
  }

  /** What ECS does during a deployment: rewrites the weights, nothing else. */
  ecsShifts(ruleArn: string, weights: Record<string, number>): void {
    const [, rule] = this.find(ruleArn);
    rule.Actions = this.forward(Object.entries(weights).map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })));
  }

  /** Someone deletes the rule in the console. */
  deleteOutOfBand(ruleArn: string): void {
    const [listener] = this.find(ruleArn);
    listener.delete(ruleArn);
  }

  async createRule(input: CreateRuleInput): Promise<{ Rules: Rule[] }> {
    this.calls.push({ method: 'createRule', input: clone(input) });
    const listener = this.listeners.get(input.ListenerArn);
    if (!listener) throw new AwsError('ListenerNotFoundException', 'One or more listeners not found');
    this.checkPriority(listener, input.Priority);
    this.checkConditions(input.Conditions);
    this.checkActions(input.Actions);
    const rule: Rule = {
      RuleArn: `${input.ListenerArn.replace(':listener/', ':listener-rule/')}/${(this.nextRule++).toString(16).padStart(16, '0')}`,
      Priority: String(input.Priority),
      Conditions: clone(input.Conditions),
      Actions: this.forward(input.Actions[0].ForwardConfig?.TargetGroups ?? []),
      IsDefault: false,
    };
    listener.set(rule.RuleArn, rule);
    return { Rules: [clone(rule)] };
  }

  async describeRules(input: { RuleArns?: string[]; ListenerArn?: string }): Promise<{ Rules: Rule[] }> {
    this.calls.push({ method: 'describeRules', input: clone(input) });
    if (input.ListenerArn) {
      if (!this.listeners.has(input.ListenerArn)) throw new AwsError('ListenerNotFoundException', 'One or more listeners not found');
      return { Rules: this.rulesOf(input.ListenerArn) };
    }
    return { Rules: (input.RuleArns ?? []).map((arn) => clone(this.find(arn)[1])) };
  }

  async modifyRule(input: ModifyRuleInput): Promise<{ Rules: Rule[] }> {
    this.calls.push({ method: 'modifyRule', input: clone(input) });
    const [, rule] = this.find(input.RuleArn);
    if (input.Conditions) this.checkConditions(input.Conditions);
    if (input.Actions) this.checkActions(input.Actions);
    if (input.Conditions) rule.Conditions = clone(input.Conditions);
    if (input.Actions) rule.Actions = this.forward(input.Actions[0].ForwardConfig?.TargetGroups ?? []);
    return { Rules: [clone(rule)] };
  }

  async setRulePriorities(input: SetRulePrioritiesInput): Promise<{ Rules: Rule[] }> {
    this.calls.push({ method: 'setRulePriorities', input: clone(input) });
    return {
      Rules: input.RulePriorities.map(({ RuleArn, Priority }) => {
        const [listener, rule] = this.find(RuleArn);
        this.checkPriority(listener, Priority, RuleArn);
        rule.Priority = String(Priority);
        return clone(rule);
      }),
    };
  }

  async deleteRule(input: { RuleArn: string }): Promise<object> {
    this.calls.push({ method: 'deleteRule', input: clone(input) });
    const [listener] = this.find(input.RuleArn);
    listener.delete(input.RuleArn);
    return {};
  }

  private find(ruleArn: string): [Map<string, Rule>, Rule] {
    for (const listener of this.listeners.values()) {
      const rule = listener.get(ruleArn);
      if (rule) return [listener, rule];
    }
    throw new AwsError('RuleNotFoundException', 'One or more rules not found');
  }

  private checkPriority(listener: Map<string, Rule>, priority: unknown, self?: string): void {
    if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 1 || priority > 50000) {
      throw new AwsError('ValidationError', `Priority must be an integer from 1 to 50000, got ${JSON.stringify(priority)}`);
    }
    if ([...listener.values()].some((r) => r.RuleArn !== self && r.Priority === String(priority))) {
      throw new AwsError('PriorityInUseException', `Priority '${priority}' is currently in use`);
    }
  }

  private checkConditions(conditions: Condition[]): void {
    if (!Array.isArray(conditions) || conditions.length === 0 || conditions.some((c) => typeof c.Field !== 'string')) {
      throw new AwsError('ValidationError', 'A rule needs at least one condition, each with a Field');
    }
  }

  private checkActions(actions: Action[]): void {
    const targetGroups = actions.length === 1 && actions[0].Type === 'forward' ? actions[0].ForwardConfig?.TargetGroups : undefined;
    if (!targetGroups || targetGroups.length < 1 || targetGroups.length > 5) {
      throw new AwsError('ValidationError', 'One forward action with 1 to 5 target groups is expected');
    }
    for (const { Weight } of targetGroups) {
      if (typeof Weight !== 'number' || !Number.isInteger(Weight) || Weight < 0 || Weight > 999) {
        throw new AwsError('ValidationError', `A target group weight is an integer from 0 to 999, got ${JSON.stringify(Weight)}`);
      }
    }
    if (!targetGroups.some((tg) => (tg.Weight ?? 0) > 0)) {
      throw new AwsError('ValidationError', 'At least one target group of a forward action must have a weight above 0');
    }
  }

  /** A forward action as DescribeRules answers it. */
  private forward(targetGroups: TargetGroupTuple[]): Action[] {
    return [{
      Type: 'forward',
      ...(targetGroups.length === 1 ? { TargetGroupArn: targetGroups[0].TargetGroupArn } : {}),
      ForwardConfig: { TargetGroups: clone(targetGroups), TargetGroupStickinessConfig: { Enabled: false } },
    }];
  }
}


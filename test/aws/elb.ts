/**
 * An in-memory Elastic Load Balancing v2 for Application Load Balancers, written from the API
 * reference and the ELB guide, as strict as AWS and not as kind as the code under test would like.
 *
 * Every method takes and returns the API's shapes as the AWS SDK for JavaScript v3 commands do
 * (PascalCase members) and throws `Error`s whose `name` is the SDK v3 exception name.
 *
 * Sources (cited beside each rule below as [n]):
 *  [API]    Elastic Load Balancing API Reference (version 2015-12-01), each operation's page:
 *           https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_<Operation>.html
 *  [Quotas] "Quotas for your Application Load Balancers":
 *           https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
 *  [Rules]  "Listener rules for your Application Load Balancer":
 *           https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html
 *  [Health] API Reference, "TargetHealth" data type:
 *           https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetHealth.html
 *  [Errors] The SDK v3 exception names (`<Code>Exception`) of the API's errors, e.g. botocore's
 *           "ElasticLoadBalancingv2 / Client / exceptions / TargetGroupAssociationLimitException".
 *  [Ref10]  /work/shared/REFERENCE.md section 10 (checked against AWS docs and public code).
 */
import { createHash } from 'crypto';

/* ------------------------------------------------------------------------------------------------
 * Shapes (the subset of the API's data types the model keeps)
 * ---------------------------------------------------------------------------------------------- */

export interface Tag { Key: string; Value?: string }
export interface TargetGroupTuple { TargetGroupArn: string; Weight?: number }
export interface ForwardConfig {
  TargetGroups?: TargetGroupTuple[];
  TargetGroupStickinessConfig?: { Enabled?: boolean; DurationSeconds?: number };
}
export interface Action {
  Type: string;
  TargetGroupArn?: string;
  ForwardConfig?: ForwardConfig;
  RedirectConfig?: Record<string, unknown>;
  FixedResponseConfig?: Record<string, unknown>;
  Order?: number;
  [other: string]: unknown;
}
export interface RuleCondition {
  Field?: string;
  Values?: string[];
  HostHeaderConfig?: { Values?: string[] };
  PathPatternConfig?: { Values?: string[] };
  HttpHeaderConfig?: { HttpHeaderName?: string; Values?: string[] };
  QueryStringConfig?: { Values?: Array<{ Key?: string; Value: string }> };
  HttpRequestMethodConfig?: { Values?: string[] };
  SourceIpConfig?: { Values?: string[] };
  [other: string]: unknown;
}
export interface Rule {
  RuleArn: string;
  /** A string: the number, or `"default"` for the default rule [API DescribeRules, Rule]. */
  Priority: string;
  Conditions: RuleCondition[];
  Actions: Action[];
  IsDefault: boolean;
}
export interface Certificate { CertificateArn: string; IsDefault?: boolean }
export interface Listener {
  ListenerArn: string;
  LoadBalancerArn: string;
  Port: number;
  Protocol: string;
  DefaultActions: Action[];
  Certificates?: Certificate[];
  SslPolicy?: string;
}
export interface LoadBalancer {
  LoadBalancerArn: string;
  LoadBalancerName: string;
  DNSName: string;
  CanonicalHostedZoneId: string;
  Scheme: string;
  Type: string;
  State: { Code: string };
}
export interface TargetGroup {
  TargetGroupArn: string;
  TargetGroupName: string;
  Protocol?: string;
  Port?: number;
  VpcId?: string;
  TargetType: string;
  LoadBalancerArns: string[];
}
export interface TargetDescription { Id: string; Port?: number; AvailabilityZone?: string }
export interface TargetHealthDescription {
  Target: TargetDescription;
  HealthCheckPort?: string;
  TargetHealth: { State: string; Reason?: string; Description?: string };
}

/** The second argument of every method, as the SDK v3 client's `send(command, options)`. */
export interface CallOptions { abortSignal?: AbortSignal }

/* ------------------------------------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------------------------------- */

/** An error as the SDK v3 throws it: `name` is the exception name [Errors]. */
export class AwsError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

const fail = (name: string, message: string): never => {
  throw new AwsError(name, message);
};

export const clone = <T>(value: T): T => (value === undefined ? value : JSON.parse(JSON.stringify(value)) as T);

/* ------------------------------------------------------------------------------------------------
 * Limits
 * ---------------------------------------------------------------------------------------------- */

/** The default quotas [Quotas], overridable per model (several are adjustable). */
export interface ElbQuotas {
  /** "Application Load Balancers per Region": 50. */
  loadBalancersPerRegion: number;
  /** "Listeners per Application Load Balancer": 50. */
  listenersPerLoadBalancer: number;
  /** "Rules per Application Load Balancer (excluding default rules)": 100. */
  rulesPerLoadBalancer: number;
  /** "Target Groups per Application Load Balancer": 100, not adjustable; counted as unique target groups across all listeners [API CreateRule: TooManyUniqueTargetGroupsPerLoadBalancer]. */
  targetGroupsPerLoadBalancer: number;
  /** "Certificates per Application Load Balancer (excluding default certificates)": 25. */
  certificatesPerLoadBalancer: number;
  /** "Target Groups per Action per Application Load Balancer": 5. */
  targetGroupsPerAction: number;
  /** "Condition values per rule": 5. */
  conditionValuesPerRule: number;
  /** "Condition wildcards per rule": 5. */
  conditionWildcardsPerRule: number;
  /** "Target Groups per Region": 3,000. */
  targetGroupsPerRegion: number;
  /** "Targets per Target Group per Region (instances or IP addresses)": 1,000. */
  targetsPerTargetGroup: number;
}

export const DEFAULT_QUOTAS: ElbQuotas = {
  loadBalancersPerRegion: 50,
  listenersPerLoadBalancer: 50,
  rulesPerLoadBalancer: 100,
  targetGroupsPerLoadBalancer: 100,
  certificatesPerLoadBalancer: 25,
  targetGroupsPerAction: 5,
  conditionValuesPerRule: 5,
  conditionWildcardsPerRule: 5,
  targetGroupsPerRegion: 3000,
  targetsPerTargetGroup: 1000,
};

/** "The maximum number of results to return with this call": 1 to 400 [API DescribeRules, DescribeListeners]. */
export const MAX_PAGE_SIZE = 400;
/** Tags per resource: 50 [API AddTags: TooManyTags; "Tag your Application Load Balancer"]. */
const MAX_TAGS = 50;

/** The hosted zone of ALBs per region (ELB endpoints in the AWS General Reference); us-east-1's otherwise. */
const HOSTED_ZONES: Record<string, string> = {
  'us-east-1': 'Z35SXDOTRQ7X7K',
  'us-east-2': 'Z3AADJGX6KTTL2',
  'us-west-1': 'Z368ELLRRE2KJ0',
  'us-west-2': 'Z1H1FL5HABSF5',
  'eu-west-1': 'Z32O12XQLNTSW2',
  'eu-central-1': 'Z215JYRZR1TBD5',
  'ap-northeast-1': 'Z14GRHDCWA56QT',
};

/* ------------------------------------------------------------------------------------------------
 * Internal state
 * ---------------------------------------------------------------------------------------------- */

interface LbState {
  arn: string;
  name: string;
  id: string;
  scheme: string;
  type: string;
  ipAddressType: string;
  securityGroups: string[];
  subnets: string[];
  tags: Tag[];
}
interface ListenerState {
  arn: string;
  lbArn: string;
  port: number;
  protocol: string;
  defaultActions: Action[];
  certificates: Certificate[];
  sslPolicy?: string;
  defaultRuleArn: string;
  tags: Tag[];
}
interface RuleState {
  arn: string; listenerArn: string; priority: number | 'default'; conditions: RuleCondition[]; actions: Action[]; tags: Tag[];
}
interface TargetState { target: TargetDescription; state: 'initial' | 'healthy' | 'unhealthy' | 'draining' }
interface TgState {
  arn: string;
  name: string;
  protocol?: string;
  port?: number;
  vpcId?: string;
  targetType: string;
  healthCheckPath?: string;
  targets: Map<string, TargetState>;
  tags: Tag[];
}

export interface ElbModelOptions {
  region?: string;
  account?: string;
  /** Registered targets of a target group in use pass their health checks at once (default: `initial` until `settle()`). */
  healthyOnRegister?: boolean;
  quotas?: Partial<ElbQuotas>;
}

/** A call made to the model, for tests to read. */
export interface ElbCall { method: string; input: unknown; error?: string }

const ALB_PROTOCOLS = ['HTTP', 'HTTPS'];
const TERMINAL_ACTIONS = ['forward', 'redirect', 'fixed-response'];
const ACTION_TYPES = [...TERMINAL_ACTIONS, 'authenticate-oidc', 'authenticate-cognito', 'jwt-validation'];
/** Each of these at most once per rule [Rules, "Condition types"]. */
const SINGLE_CONDITIONS = ['host-header', 'http-request-method', 'path-pattern', 'source-ip'];
const CONDITION_FIELDS = [...SINGLE_CONDITIONS, 'http-header', 'query-string'];
const CONFIG_OF: Record<string, string> = {
  'host-header': 'HostHeaderConfig',
  'path-pattern': 'PathPatternConfig',
  'http-header': 'HttpHeaderConfig',
  'query-string': 'QueryStringConfig',
  'http-request-method': 'HttpRequestMethodConfig',
  'source-ip': 'SourceIpConfig',
};

/**
 * The model. Methods are the API's operations (camelCase); test helpers follow them.
 */
export class ElbModel {
  readonly region: string;
  readonly account: string;
  readonly quotas: ElbQuotas;
  /** Every API call, in order, with the error it ended with. */
  readonly calls: ElbCall[] = [];
  healthyOnRegister: boolean;

  private readonly lbs = new Map<string, LbState>();
  private readonly listeners = new Map<string, ListenerState>();
  private readonly rules = new Map<string, RuleState>();
  private readonly tgs = new Map<string, TgState>();
  private seq = 0;

  constructor(options: ElbModelOptions = {}) {
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '123456789012';
    this.healthyOnRegister = options.healthyOnRegister ?? false;
    this.quotas = { ...DEFAULT_QUOTAS, ...options.quotas };
  }

  /* ---------------------------------------------------------------------------------------------
   * Load balancers
   * ------------------------------------------------------------------------------------------- */

  async createLoadBalancer(input: {
    Name: string;
    Scheme?: string;
    Type?: string;
    IpAddressType?: string;
    Subnets?: string[];
    SecurityGroups?: string[];
    Tags?: Tag[];
  }, options?: CallOptions): Promise<{ LoadBalancers: LoadBalancer[] }> {
    return this.run('createLoadBalancer', input, options, () => {
      const name = input.Name;
      // "This name must be unique per region per account, can have a maximum of 32 characters, must contain only
      // alphanumeric characters or hyphens, must not begin or end with a hyphen, and must not begin with
      // "internal-"" [API CreateLoadBalancer].
      if (typeof name !== 'string' || !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(name) || name.startsWith('internal-')) {
        fail('ValidationError', `The load balancer name '${name}' is not valid`);
      }
      const type = input.Type ?? 'application';
      // Only Application Load Balancers are modelled.
      if (type !== 'application') fail('ValidationError', `Only Application Load Balancers are modelled, not '${type}'`);
      const scheme = input.Scheme ?? 'internet-facing';
      if (!['internet-facing', 'internal'].includes(scheme)) fail('ValidationError', `Scheme '${scheme}' is not valid`);
      const existing = [...this.lbs.values()].find((lb) => lb.name === name);
      if (existing) {
        // "This operation is idempotent ... If you attempt to create multiple load balancers with the same settings,
        // each call succeeds" [API CreateLoadBalancer]; another setting under the name: DuplicateLoadBalancerName.
        if (existing.scheme === scheme && existing.type === type) return { LoadBalancers: [this.lbView(existing)] };
        fail('DuplicateLoadBalancerNameException', `A load balancer with the name '${name}' already exists`);
      }
      if (this.lbs.size >= this.quotas.loadBalancersPerRegion) {
        fail('TooManyLoadBalancersException', `You've reached the limit on the number of load balancers for your account (${this.quotas.loadBalancersPerRegion})`);
      }
      this.checkTags(input.Tags);
      const id = this.hex();
      const lb: LbState = {
        arn: this.arn(`loadbalancer/app/${name}/${id}`),
        name,
        id,
        scheme,
        type,
        ipAddressType: input.IpAddressType ?? 'ipv4',
        securityGroups: [...(input.SecurityGroups ?? [])],
        subnets: [...(input.Subnets ?? [])],
        tags: clone(input.Tags ?? []),
      };
      this.lbs.set(lb.arn, lb);
      return { LoadBalancers: [this.lbView(lb)] };
    });
  }

  async describeLoadBalancers(input: { LoadBalancerArns?: string[]; Names?: string[] } = {},
    options?: CallOptions): Promise<{ LoadBalancers: LoadBalancer[] }> {
    return this.run('describeLoadBalancers', input, options, () => {
      let lbs = [...this.lbs.values()];
      if (input.LoadBalancerArns) lbs = input.LoadBalancerArns.map((arn) => this.lb(arn));
      if (input.Names) {
        lbs = input.Names.map((n) => lbs.find((lb) => lb.name === n) ?? fail('LoadBalancerNotFoundException', `Load balancer '${n}' not found`));
      }
      return { LoadBalancers: lbs.map((lb) => this.lbView(lb)) };
    });
  }

  /** Deletes the load balancer and its listeners (and so their rules); its target groups stay [API DeleteLoadBalancer]. */
  async deleteLoadBalancer(input: { LoadBalancerArn: string }, options?: CallOptions): Promise<object> {
    return this.run('deleteLoadBalancer', input, options, () => {
      const lb = this.lbs.get(input.LoadBalancerArn);
      // "If the load balancer does not exist or has already been deleted, the call succeeds" [API DeleteLoadBalancer].
      if (!lb) return {};
      for (const listener of this.listenersOf(lb.arn)) this.dropListener(listener);
      this.lbs.delete(lb.arn);
      return {};
    });
  }

  /* ---------------------------------------------------------------------------------------------
   * Listeners
   * ------------------------------------------------------------------------------------------- */

  async createListener(input: {
    LoadBalancerArn: string;
    Port: number;
    Protocol: string;
    DefaultActions: Action[];
    Certificates?: Certificate[];
    SslPolicy?: string;
    Tags?: Tag[];
  }, options?: CallOptions): Promise<{ Listeners: Listener[] }> {
    return this.run('createListener', input, options, () => {
      const lb = this.lb(input.LoadBalancerArn);
      this.checkPort(input.Port);
      // Application Load Balancers support HTTP and HTTPS listeners [API CreateListener, Protocol].
      if (!ALB_PROTOCOLS.includes(input.Protocol)) fail('UnsupportedProtocolException', `Protocol '${input.Protocol}' is not supported by an Application Load Balancer`);
      const certificates = clone(input.Certificates ?? []);
      // HTTPS: "You must provide exactly one certificate" [API CreateListener, Certificates].
      if (input.Protocol === 'HTTPS' && certificates.length !== 1) fail('ValidationError', 'An HTTPS listener must have exactly one default certificate');
      const same = this.listenersOf(lb.arn).find((l) => l.port === input.Port);
      if (same) {
        // "This operation is idempotent ... If you attempt to create multiple listeners with the same settings, each
        // call succeeds" [API CreateListener]; the port taken with other settings: DuplicateListener.
        const sameSettings = same.protocol === input.Protocol
          && sameJson(this.actionsView(same.defaultActions), this.actionsView(this.normalizeActions(input.DefaultActions)))
          && sameJson(same.certificates.filter((c) => c.IsDefault).map((c) => c.CertificateArn), certificates.map((c) => c.CertificateArn));
        if (sameSettings) return { Listeners: [this.listenerView(same)] };
        fail('DuplicateListenerException', `A listener already exists on this port for this load balancer '${lb.arn}'`);
      }
      if (this.listenersOf(lb.arn).length >= this.quotas.listenersPerLoadBalancer) {
        fail('TooManyListenersException', `You've reached the limit on the number of listeners per load balancer (${this.quotas.listenersPerLoadBalancer})`);
      }
      const actions = this.checkActions(input.DefaultActions, lb);
      this.checkTags(input.Tags);
      const listenerId = this.hex();
      const arn = this.arn(`listener/app/${lb.name}/${lb.id}/${listenerId}`);
      const defaultRuleArn = this.arn(`listener-rule/app/${lb.name}/${lb.id}/${listenerId}/${this.hex()}`);
      const listener: ListenerState = {
        arn,
        lbArn: lb.arn,
        port: input.Port,
        protocol: input.Protocol,
        defaultActions: actions,
        certificates: certificates.map((c) => ({ CertificateArn: c.CertificateArn, IsDefault: true })),
        sslPolicy: input.SslPolicy ?? (input.Protocol === 'HTTPS' ? 'ELBSecurityPolicy-2016-08' : undefined),
        defaultRuleArn,
        tags: clone(input.Tags ?? []),
      };
      this.checkUniqueTargetGroups(lb, actions);
      this.listeners.set(arn, listener);
      // "When you create a listener, you define actions for the default rule" [Rules].
      this.rules.set(defaultRuleArn, { arn: defaultRuleArn, listenerArn: arn, priority: 'default', conditions: [], actions, tags: [] });
      return { Listeners: [this.listenerView(listener)] };
    });
  }

  async modifyListener(input: {
    ListenerArn: string; Port?: number; Protocol?: string; DefaultActions?: Action[]; Certificates?: Certificate[]; SslPolicy?: string;
  }, options?: CallOptions): Promise<{ Listeners: Listener[] }> {
    return this.run('modifyListener', input, options, () => {
      const listener = this.listener(input.ListenerArn);
      const lb = this.lb(listener.lbArn);
      if (input.Port !== undefined) {
        this.checkPort(input.Port);
        if (this.listenersOf(lb.arn).some((l) => l.arn !== listener.arn && l.port === input.Port)) {
          fail('DuplicateListenerException', `A listener already exists on this port for this load balancer '${lb.arn}'`);
        }
      }
      const protocol = input.Protocol ?? listener.protocol;
      if (!ALB_PROTOCOLS.includes(protocol)) fail('UnsupportedProtocolException', `Protocol '${protocol}' is not supported by an Application Load Balancer`);
      if (input.Certificates && input.Certificates.length !== 1) fail('ValidationError', 'Exactly one default certificate can be given');
      const certificates = input.Certificates
        ? [{ CertificateArn: input.Certificates[0].CertificateArn, IsDefault: true }, ...listener.certificates.filter((c) => !c.IsDefault)]
        : listener.certificates;
      if (protocol === 'HTTPS' && !certificates.some((c) => c.IsDefault)) fail('ValidationError', 'An HTTPS listener must have a default certificate');
      const actions = input.DefaultActions ? this.checkActions(input.DefaultActions, lb) : listener.defaultActions;
      if (input.DefaultActions) this.checkUniqueTargetGroups(lb, actions, listener.defaultRuleArn);
      listener.port = input.Port ?? listener.port;
      listener.protocol = protocol;
      listener.certificates = certificates;
      listener.sslPolicy = input.SslPolicy ?? listener.sslPolicy;
      listener.defaultActions = actions;
      this.rules.get(listener.defaultRuleArn)!.actions = actions;
      return { Listeners: [this.listenerView(listener)] };
    });
  }

  /** Deletes the listener and its rules [API DeleteListener]. */
  async deleteListener(input: { ListenerArn: string }, options?: CallOptions): Promise<object> {
    return this.run('deleteListener', input, options, () => {
      this.dropListener(this.listener(input.ListenerArn));
      return {};
    });
  }

  async describeListeners(input: { LoadBalancerArn?: string; ListenerArns?: string[]; Marker?: string; PageSize?: number },
    options?: CallOptions): Promise<{ Listeners: Listener[]; NextMarker?: string }> {
    return this.run('describeListeners', input, options, () => {
      // "You must specify either a load balancer or one or more listeners" [API DescribeListeners].
      if (!input.LoadBalancerArn === !input.ListenerArns) fail('ValidationError', 'You must specify either a load balancer or listeners, not both');
      const all = input.LoadBalancerArn
        ? this.listenersOf(this.lb(input.LoadBalancerArn).arn)
        : input.ListenerArns!.map((arn) => this.listener(arn));
      const { page, next } = this.page(all, input.Marker, input.PageSize);
      return { Listeners: page.map((l) => this.listenerView(l)), ...(next ? { NextMarker: next } : {}) };
    });
  }

  /**
   * Adds certificates besides the default one. "Certificates per Application Load Balancer (excluding default
   * certificates)": 25 [Quotas] (TooManyCertificates [API AddListenerCertificates]).
   */
  async addListenerCertificates(input: { ListenerArn: string; Certificates: Certificate[] },
    options?: CallOptions): Promise<{ Certificates: Certificate[] }> {
    return this.run('addListenerCertificates', input, options, () => {
      const listener = this.listener(input.ListenerArn);
      if (!['HTTPS'].includes(listener.protocol)) fail('ValidationError', 'Certificates can be added to secure listeners only');
      const adding = (input.Certificates ?? []).filter((c) => !listener.certificates.some((have) => have.CertificateArn === c.CertificateArn));
      const extra = this.listenersOf(listener.lbArn).reduce((n, l) => n + l.certificates.filter((c) => !c.IsDefault).length, 0);
      if (extra + adding.length > this.quotas.certificatesPerLoadBalancer) {
        fail('TooManyCertificatesException', `You've reached the limit on the number of certificates per load balancer (${this.quotas.certificatesPerLoadBalancer} besides the default ones)`);
      }
      listener.certificates.push(...adding.map((c) => ({ CertificateArn: c.CertificateArn, IsDefault: false })));
      return { Certificates: clone(listener.certificates) };
    });
  }

  /** "You can't remove the default certificate for a listener" [API RemoveListenerCertificates]. */
  async removeListenerCertificates(input: { ListenerArn: string; Certificates: Certificate[] }, options?: CallOptions): Promise<object> {
    return this.run('removeListenerCertificates', input, options, () => {
      const listener = this.listener(input.ListenerArn);
      const removing = new Set((input.Certificates ?? []).map((c) => c.CertificateArn));
      if (listener.certificates.some((c) => c.IsDefault && removing.has(c.CertificateArn))) {
        fail('OperationNotPermittedException', 'The default certificate of a listener cannot be removed');
      }
      listener.certificates = listener.certificates.filter((c) => !removing.has(c.CertificateArn));
      return {};
    });
  }

  /* ---------------------------------------------------------------------------------------------
   * Target groups and targets
   * ------------------------------------------------------------------------------------------- */

  async createTargetGroup(input: {
    Name: string;
    Protocol?: string;
    Port?: number;
    VpcId?: string;
    TargetType?: string;
    HealthCheckPath?: string;
    Tags?: Tag[];
    [other: string]: unknown;
  }, options?: CallOptions): Promise<{ TargetGroups: TargetGroup[] }> {
    return this.run('createTargetGroup', input, options, () => {
      const name = input.Name;
      // "This name must be unique per region per account, can have a maximum of 32 characters, must contain only
      // alphanumeric characters or hyphens, and must not begin or end with a hyphen" [API CreateTargetGroup].
      if (typeof name !== 'string' || !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(name)) fail('ValidationError', `Target group name '${name}' is not valid`);
      const targetType = input.TargetType ?? 'instance';
      if (!['instance', 'ip', 'lambda', 'alb'].includes(targetType)) fail('ValidationError', `Target type '${targetType}' is not valid`);
      if (targetType !== 'lambda') {
        // Protocol, port and VPC "required when the target type is instance, ip, or alb" [API CreateTargetGroup].
        if (input.Protocol === undefined || input.Port === undefined || input.VpcId === undefined) {
          fail('ValidationError', 'A protocol, a port and a VPC are required for a target group of this target type');
        }
        this.checkPort(input.Port!);
      }
      const existing = [...this.tgs.values()].find((tg) => tg.name === name);
      if (existing) {
        // Idempotent with the same settings, DuplicateTargetGroupName otherwise [API CreateTargetGroup].
        const same = existing.protocol === input.Protocol && existing.port === input.Port && existing.targetType === targetType;
        if (same && existing.vpcId === input.VpcId) {
          return { TargetGroups: [this.tgView(existing)] };
        }
        fail('DuplicateTargetGroupNameException', `A target group with the same name '${name}' exists, but with different settings`);
      }
      if (this.tgs.size >= this.quotas.targetGroupsPerRegion) fail('TooManyTargetGroupsException', "You've reached the limit on the number of target groups for your AWS account");
      this.checkTags(input.Tags);
      const tg: TgState = {
        arn: this.arn(`targetgroup/${name}/${this.hex()}`),
        name,
        protocol: input.Protocol,
        port: input.Port,
        vpcId: input.VpcId,
        targetType,
        healthCheckPath: input.HealthCheckPath,
        targets: new Map(),
        tags: clone(input.Tags ?? []),
      };
      this.tgs.set(tg.arn, tg);
      return { TargetGroups: [this.tgView(tg)] };
    });
  }

  async describeTargetGroups(input: { TargetGroupArns?: string[]; LoadBalancerArn?: string; Names?: string[] } = {},
    options?: CallOptions): Promise<{ TargetGroups: TargetGroup[] }> {
    return this.run('describeTargetGroups', input, options, () => {
      let tgs = [...this.tgs.values()];
      if (input.TargetGroupArns) tgs = input.TargetGroupArns.map((arn) => this.tg(arn));
      if (input.LoadBalancerArn) tgs = tgs.filter((tg) => this.loadBalancersOfTg(tg.arn).includes(this.lb(input.LoadBalancerArn!).arn));
      if (input.Names) tgs = input.Names.map((n) => tgs.find((tg) => tg.name === n) ?? fail('TargetGroupNotFoundException', `Target group '${n}' not found`));
      return { TargetGroups: tgs.map((tg) => this.tgView(tg)) };
    });
  }

  /** Refused while a listener or rule still forwards to it: ResourceInUse [API DeleteTargetGroup; Ref10]. */
  async deleteTargetGroup(input: { TargetGroupArn: string }, options?: CallOptions): Promise<object> {
    return this.run('deleteTargetGroup', input, options, () => {
      const tg = this.tgs.get(input.TargetGroupArn);
      if (!tg) return {};
      const users = this.usersOfTg(tg.arn);
      if (users.length > 0) fail('ResourceInUseException', `Target group '${tg.arn}' is currently in use by a listener or a rule`);
      this.tgs.delete(tg.arn);
      return {};
    });
  }

  async registerTargets(input: { TargetGroupArn: string; Targets: TargetDescription[] }, options?: CallOptions): Promise<object> {
    return this.run('registerTargets', input, options, () => {
      const tg = this.tg(input.TargetGroupArn);
      for (const target of input.Targets ?? []) this.checkTarget(tg, target);
      const adding = (input.Targets ?? []).filter((t) => !tg.targets.has(targetKey(tg, t)));
      if (tg.targets.size + adding.length > this.quotas.targetsPerTargetGroup) fail('TooManyTargetsException', "You've reached the limit on the number of targets");
      for (const target of input.Targets ?? []) {
        const key = targetKey(tg, target);
        const current = tg.targets.get(key);
        if (current && current.state !== 'draining') continue;
        // A new target is `initial` (Elb.RegistrationInProgress) until it passes its health checks [Health].
        tg.targets.set(key, { target: { Id: target.Id, Port: target.Port ?? tg.port, ...(target.AvailabilityZone ? { AvailabilityZone: target.AvailabilityZone } : {}) }, state: this.healthyOnRegister ? 'healthy' : 'initial' });
      }
      return {};
    });
  }

  /** A deregistered target is `draining` (Target.DeregistrationInProgress) until the delay ends [Health]. */
  async deregisterTargets(input: { TargetGroupArn: string; Targets: TargetDescription[] }, options?: CallOptions): Promise<object> {
    return this.run('deregisterTargets', input, options, () => {
      const tg = this.tg(input.TargetGroupArn);
      for (const target of input.Targets ?? []) {
        // InvalidTarget: "The specified target does not exist ..." [API DeregisterTargets].
        if (!tg.targets.has(targetKey(tg, target))) fail('InvalidTargetException', `The target '${target.Id}' is not registered with the target group`);
      }
      for (const target of input.Targets ?? []) tg.targets.get(targetKey(tg, target))!.state = 'draining';
      return {};
    });
  }

  /**
   * The health of the targets [API DescribeTargetHealth; Health]: `initial`, `healthy`, `draining`; `unused` with
   * Target.NotInUse while no load balancer uses the group, Target.NotRegistered for an asked target not registered.
   */
  async describeTargetHealth(input: { TargetGroupArn: string; Targets?: TargetDescription[] },
    options?: CallOptions): Promise<{ TargetHealthDescriptions: TargetHealthDescription[] }> {
    return this.run('describeTargetHealth', input, options, () => {
      const tg = this.tg(input.TargetGroupArn);
      const inUse = this.loadBalancersOfTg(tg.arn).length > 0;
      const describe = (t: TargetState): TargetHealthDescription => ({
        Target: clone(t.target),
        HealthCheckPort: String(t.target.Port ?? tg.port),
        TargetHealth: t.state === 'draining'
          ? { State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' }
          : !inUse
            ? { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' }
            : t.state === 'initial'
              ? { State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' }
              : { State: t.state },
      });
      if (input.Targets) {
        return {
          TargetHealthDescriptions: input.Targets.map((target) => {
            const t = tg.targets.get(targetKey(tg, target));
            return t ? describe(t) : { Target: clone(target), TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' } };
          }),
        };
      }
      return { TargetHealthDescriptions: [...tg.targets.values()].map(describe) };
    });
  }

  /* ---------------------------------------------------------------------------------------------
   * Rules
   * ------------------------------------------------------------------------------------------- */

  async createRule(input: { ListenerArn: string; Priority: number; Conditions: RuleCondition[]; Actions: Action[]; Tags?: Tag[] },
    options?: CallOptions): Promise<{ Rules: Rule[] }> {
    return this.run('createRule', input, options, () => {
      const listener = this.listener(input.ListenerArn);
      const lb = this.lb(listener.lbArn);
      this.checkPriority(input.Priority);
      const conditions = this.checkConditions(input.Conditions);
      const actions = this.checkActions(input.Actions, lb);
      this.checkTags(input.Tags);
      // "A listener can't have multiple rules with the same priority" [API CreateRule].
      if (this.rulesOf_(listener.arn).some((r) => r.priority === input.Priority)) fail('PriorityInUseException', `Priority '${input.Priority}' is currently in use`);
      // "Rules per Application Load Balancer (excluding default rules)": 100 [Quotas].
      const rules = this.listenersOf(lb.arn).reduce((n, l) => n + this.rulesOf_(l.arn).filter((r) => r.priority !== 'default').length, 0);
      if (rules >= this.quotas.rulesPerLoadBalancer) fail('TooManyRulesException', `You've reached the limit on the number of rules per load balancer (${this.quotas.rulesPerLoadBalancer})`);
      this.checkUniqueTargetGroups(lb, actions);
      const arn = `${listener.arn.replace(':listener/', ':listener-rule/')}/${this.hex()}`;
      const rule: RuleState = { arn, listenerArn: listener.arn, priority: input.Priority, conditions, actions, tags: clone(input.Tags ?? []) };
      this.rules.set(arn, rule);
      return { Rules: [this.ruleView(rule)] };
    });
  }

  /** "To modify the actions for the default rule, use ModifyListener" [API ModifyRule]: OperationNotPermitted. */
  async modifyRule(input: { RuleArn: string; Conditions?: RuleCondition[]; Actions?: Action[] }, options?: CallOptions): Promise<{ Rules: Rule[] }> {
    return this.run('modifyRule', input, options, () => {
      const rule = this.rule(input.RuleArn);
      if (rule.priority === 'default') fail('OperationNotPermittedException', 'The default rule cannot be modified with ModifyRule; use ModifyListener');
      const lb = this.lb(this.listener(rule.listenerArn).lbArn);
      const conditions = input.Conditions ? this.checkConditions(input.Conditions) : rule.conditions;
      const actions = input.Actions ? this.checkActions(input.Actions, lb) : rule.actions;
      if (input.Actions) this.checkUniqueTargetGroups(lb, actions, rule.arn);
      rule.conditions = conditions;
      rule.actions = actions;
      return { Rules: [this.ruleView(rule)] };
    });
  }

  /** "You can't change the priority of the default rule" [Rules]; the new priorities must not collide [API SetRulePriorities]. */
  async setRulePriorities(input: { RulePriorities: Array<{ RuleArn: string; Priority: number }> },
    options?: CallOptions): Promise<{ Rules: Rule[] }> {
    return this.run('setRulePriorities', input, options, () => {
      const changes = (input.RulePriorities ?? []).map(({ RuleArn, Priority }) => {
        const rule = this.rule(RuleArn);
        if (rule.priority === 'default') fail('OperationNotPermittedException', 'The priority of the default rule cannot be changed');
        this.checkPriority(Priority);
        return { rule, Priority };
      });
      const after = new Map<string, number | 'default'>([...this.rules.values()].map((r) => [r.arn, r.priority]));
      for (const { rule, Priority } of changes) after.set(rule.arn, Priority);
      for (const { rule, Priority } of changes) {
        const clash = [...this.rules.values()].some((r) => r.listenerArn === rule.listenerArn && r.arn !== rule.arn && after.get(r.arn) === Priority);
        if (clash) fail('PriorityInUseException', `Priority '${Priority}' is currently in use`);
      }
      for (const { rule, Priority } of changes) rule.priority = Priority;
      return { Rules: changes.map(({ rule }) => this.ruleView(rule)) };
    });
  }

  /** "You can't delete the default rule" [API DeleteRule: OperationNotPermitted]. */
  async deleteRule(input: { RuleArn: string }, options?: CallOptions): Promise<object> {
    return this.run('deleteRule', input, options, () => {
      const rule = this.rule(input.RuleArn);
      if (rule.priority === 'default') fail('OperationNotPermittedException', 'The default rule cannot be deleted');
      this.rules.delete(rule.arn);
      return {};
    });
  }

  /**
   * "You must specify either a listener or rules" [API DescribeRules]. Pages of `PageSize` (1 to 400) with
   * `NextMarker` while more remain [API DescribeRules]; a listener's rules come in priority order, the default
   * rule (Priority "default", IsDefault true) last, as the API reference's example shows.
   */
  async describeRules(input: { ListenerArn?: string; RuleArns?: string[]; Marker?: string; PageSize?: number },
    options?: CallOptions): Promise<{ Rules: Rule[]; NextMarker?: string }> {
    return this.run('describeRules', input, options, () => {
      if (!input.ListenerArn === !input.RuleArns) fail('ValidationError', 'You must specify either a listener or rules, not both');
      const rules = input.ListenerArn ? this.rulesOf_(this.listener(input.ListenerArn).arn) : input.RuleArns!.map((arn) => this.rule(arn));
      const { page, next } = this.page(rules, input.Marker, input.PageSize);
      return { Rules: page.map((r) => this.ruleView(r)), ...(next ? { NextMarker: next } : {}) };
    });
  }

  /* ---------------------------------------------------------------------------------------------
   * Tags
   * ------------------------------------------------------------------------------------------- */

  /** "If a resource already has a tag with the same key, AddTags updates its value" [API AddTags]. */
  async addTags(input: { ResourceArns: string[]; Tags: Tag[] }, options?: CallOptions): Promise<object> {
    return this.run('addTags', input, options, () => {
      if (!input.Tags || input.Tags.length === 0) fail('ValidationError', 'At least one tag is required');
      this.checkTags(input.Tags);
      const holders = input.ResourceArns.map((arn) => this.tagHolder(arn));
      for (const holder of holders) {
        const keys = new Set([...holder.tags.map((t) => t.Key), ...input.Tags.map((t) => t.Key)]);
        if (keys.size > MAX_TAGS) fail('TooManyTagsException', "You've reached the limit on the number of tags for this resource");
      }
      for (const holder of holders) {
        for (const tag of input.Tags) {
          const have = holder.tags.find((t) => t.Key === tag.Key);
          if (have) have.Value = tag.Value; else holder.tags.push(clone(tag));
        }
      }
      return {};
    });
  }

  async removeTags(input: { ResourceArns: string[]; TagKeys: string[] }, options?: CallOptions): Promise<object> {
    return this.run('removeTags', input, options, () => {
      for (const holder of input.ResourceArns.map((arn) => this.tagHolder(arn))) {
        holder.tags.splice(0, holder.tags.length, ...holder.tags.filter((t) => !input.TagKeys.includes(t.Key)));
      }
      return {};
    });
  }

  /** Up to 20 resources per call [API DescribeTags]. */
  async describeTags(input: { ResourceArns: string[] },
    options?: CallOptions): Promise<{ TagDescriptions: Array<{ ResourceArn: string; Tags: Tag[] }> }> {
    return this.run('describeTags', input, options, () => {
      if (!input.ResourceArns || input.ResourceArns.length < 1 || input.ResourceArns.length > 20) fail('ValidationError', 'Between 1 and 20 resource ARNs are required');
      return { TagDescriptions: input.ResourceArns.map((arn) => ({ ResourceArn: arn, Tags: clone(this.tagHolder(arn).tags) })) };
    });
  }

  /* ---------------------------------------------------------------------------------------------
   * Test helpers (not API)
   * ------------------------------------------------------------------------------------------- */

  /** The rules of a listener as DescribeRules shows them, the default rule last. */
  rulesOf(listenerArn: string): Rule[] {
    return this.rulesOf_(listenerArn).map((r) => this.ruleView(r));
  }

  /** Target group ARN → weight of the rule's forward action (the default rule's too). */
  weights(ruleArn: string): Record<string, number> {
    const rule = this.rule(ruleArn);
    const forward = rule.actions.find((a) => a.Type === 'forward');
    return Object.fromEntries((forward?.ForwardConfig?.TargetGroups ?? []).map((tg) => [tg.TargetGroupArn, tg.Weight ?? 1]));
  }

  /** What ECS does during a deployment: rewrites the weights of the rule's forward action, nothing else. */
  ecsShifts(ruleArn: string, weights: Record<string, number>): void {
    const rule = this.rule(ruleArn);
    const forward = rule.actions.find((a) => a.Type === 'forward');
    if (!forward) throw new Error(`Rule ${ruleArn} has no forward action`);
    const groups = Object.entries(weights).map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight }));
    forward.ForwardConfig = { ...forward.ForwardConfig, TargetGroups: groups };
  }

  /** The target groups a load balancer's listeners and rules forward to. */
  targetGroupsOf(loadBalancerArn: string): string[] {
    return [...this.tgs.keys()].filter((arn) => this.loadBalancersOfTg(arn).includes(loadBalancerArn));
  }

  /** Someone deletes the rule in the console. */
  deleteOutOfBand(ruleArn: string): void {
    this.rules.delete(this.rule(ruleArn).arn);
  }

  /** Removes a resource the model just made, without a call: a create that AWS refused as a whole. */
  discard(arn: string): void {
    if (this.rules.get(arn)?.priority !== 'default') this.rules.delete(arn);
    const listener = this.listeners.get(arn);
    if (listener) this.dropListener(listener);
    this.tgs.delete(arn);
    const lb = this.lbs.get(arn);
    if (lb) {
      for (const l of this.listenersOf(lb.arn)) this.dropListener(l);
      this.lbs.delete(arn);
    }
  }

  /** Health checks pass and deregistration delays end (in one target group, or all): `initial` targets become `healthy`, `draining` ones go. */
  settle(targetGroupArn?: string): void {
    for (const tg of this.tgs.values()) {
      if (targetGroupArn !== undefined && tg.arn !== targetGroupArn) continue;
      for (const [key, t] of tg.targets) {
        if (t.state === 'draining') tg.targets.delete(key);
        else if (t.state === 'initial') t.state = 'healthy';
      }
    }
  }

  /** Every load balancer, listener, rule and target group, by ARN (for the world view of the CloudFormation model). */
  inventory(): { loadBalancers: string[]; listeners: Listener[]; rules: Array<Rule & { ListenerArn: string }>; targetGroups: TargetGroup[] } {
    return {
      loadBalancers: [...this.lbs.keys()],
      listeners: [...this.listeners.values()].map((l) => this.listenerView(l)),
      rules: [...this.listeners.values()].flatMap((l) => this.rulesOf_(l.arn).map((r) => ({ ...this.ruleView(r), ListenerArn: l.arn }))),
      targetGroups: [...this.tgs.values()].map((tg) => this.tgView(tg)),
    };
  }

  /** The IPs (target ids) of a target group by health state. */
  targetsOf(targetGroupArn: string): Record<string, string[]> {
    const tg = this.tg(targetGroupArn);
    const inUse = this.loadBalancersOfTg(tg.arn).length > 0;
    const out: Record<string, string[]> = {};
    for (const t of tg.targets.values()) {
      const state = t.state !== 'draining' && !inUse ? 'unused' : t.state;
      (out[state] ??= []).push(t.target.Id);
    }
    return out;
  }

  /**
   * Where the load balancer sends a request (ELB guide, "Listener rules" and "Rule condition types" [Rules]): the
   * listener of the URL's port on the load balancer of its host name; its rules from the lowest priority, the first
   * whose every condition matches wins (host-header against the Host header, in any case; path-pattern against the
   * path without its query, case-sensitive; http-header by name in any case and value in any case; each with the
   * wildcards `*` and `?`; a source-ip condition against `sourceIp`); none: the default action. A forward sends to its
   * group of largest weight (the model's one draw), whose first healthy target answers; no healthy target: 503.
   */
  route(request: { url: string; headers?: Record<string, string>; sourceIp?: string }):
  { rule: string; targetGroup?: string; target?: string; status?: number } {
    const url = new URL(request.url);
    // DNS names match in any case (RFC 4343); a URL writes its host in lower case.
    const lb = [...this.lbs.values()].find((l) => this.lbView(l).DNSName.toLowerCase() === url.hostname.toLowerCase());
    if (!lb) throw new AwsError('ENOTFOUND', `getaddrinfo ENOTFOUND ${url.hostname}`);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const listener = this.listenersOf(lb.arn).find((l) => l.port === port);
    if (!listener) throw new AwsError('ECONNREFUSED', `connect ECONNREFUSED ${url.hostname}:${port}`);
    const headers = Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const host = (headers.host ?? url.hostname).replace(/:\d+$/, '');
    const like = (pattern: string, value: string, flags: string) => new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.'
      : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, flags).test(value);
    const holds = (c: RuleCondition): boolean => {
      const values = ((c as any)[CONFIG_OF[c.Field!]]?.Values ?? c.Values ?? []) as string[];
      if (c.Field === 'host-header') return values.some((v) => like(v, host, 'i'));
      if (c.Field === 'path-pattern') return values.some((v) => like(v, url.pathname, ''));
      if (c.Field === 'http-header') {
        const value = headers[String(c.HttpHeaderConfig?.HttpHeaderName).toLowerCase()];
        return value !== undefined && values.some((v) => like(v, value, 'i'));
      }
      if (c.Field === 'source-ip') return request.sourceIp !== undefined && values.includes(`${request.sourceIp}/32`);
      throw new Error(`The model does not route on ${c.Field} conditions`);
    };
    const rules = this.rulesOf_(listener.arn).filter((r) => r.priority !== 'default').sort((a, b) => Number(a.priority) - Number(b.priority));
    const matched = rules.find((r) => r.conditions.every(holds));
    const actions = matched ? matched.actions : listener.defaultActions;
    const via = matched?.arn ?? 'default';
    const action = actions[actions.length - 1];
    if (action.Type === 'fixed-response') return { rule: via, status: Number(action.FixedResponseConfig?.StatusCode) };
    if (action.Type === 'redirect') return { rule: via, status: action.RedirectConfig?.StatusCode === 'HTTP_302' ? 302 : 301 };
    const groups = action.ForwardConfig?.TargetGroups ?? [{ TargetGroupArn: action.TargetGroupArn!, Weight: 1 }];
    const chosen = [...groups].sort((a, b) => (b.Weight ?? 1) - (a.Weight ?? 1))[0];
    const tg = this.tg(chosen.TargetGroupArn);
    const healthy = [...tg.targets.values()].find((t) => t.state === 'healthy');
    return { rule: via, targetGroup: tg.arn, ...(healthy ? { target: healthy.target.Id } : { status: 503 }) };
  }

  /** The load balancers whose listeners or rules forward to the target group (at most one, [Quotas]). */
  loadBalancersOfTg(tgArn: string): string[] {
    return [...new Set(this.usersOfTg(tgArn).map((u) => u.lbArn))];
  }

  /* ---------------------------------------------------------------------------------------------
   * Internals
   * ------------------------------------------------------------------------------------------- */

  private async run<T>(method: string, input: unknown, options: CallOptions | undefined, body: () => T): Promise<T> {
    const call: ElbCall = { method, input: clone(input) };
    this.calls.push(call);
    try {
      // An aborted call is not sent: the SDK rejects with an AbortError before the request.
      if (options?.abortSignal?.aborted) {
        const error = new Error('Request aborted');
        error.name = 'AbortError';
        throw error;
      }
      return clone(body());
    } catch (error) {
      call.error = (error as Error).name;
      throw error;
    }
  }

  private hex(): string {
    return createHash('sha256').update(`${this.account}/${this.region}/${++this.seq}`).digest('hex').slice(0, 16);
  }

  private arn(resource: string): string {
    return `arn:aws:elasticloadbalancing:${this.region}:${this.account}:${resource}`;
  }

  private lb(arn: string): LbState {
    return this.lbs.get(arn) ?? fail('LoadBalancerNotFoundException', `One or more load balancers not found: '${arn}'`);
  }

  private listener(arn: string): ListenerState {
    return this.listeners.get(arn) ?? fail('ListenerNotFoundException', `One or more listeners not found: '${arn}'`);
  }

  private rule(arn: string): RuleState {
    return this.rules.get(arn) ?? fail('RuleNotFoundException', `One or more rules not found: '${arn}'`);
  }

  private tg(arn: string): TgState {
    return this.tgs.get(arn) ?? fail('TargetGroupNotFoundException', `One or more target groups not found: '${arn}'`);
  }

  private tagHolder(arn: string): { tags: Tag[] } {
    if (arn.includes(':loadbalancer/')) return this.lb(arn);
    if (arn.includes(':listener/')) return this.listener(arn);
    if (arn.includes(':listener-rule/')) return this.rule(arn);
    if (arn.includes(':targetgroup/')) return this.tg(arn);
    return fail('ValidationError', `'${arn}' is not a valid resource ARN`);
  }

  private listenersOf(lbArn: string): ListenerState[] {
    return [...this.listeners.values()].filter((l) => l.lbArn === lbArn);
  }

  /** Priority order, the default rule last. */
  private rulesOf_(listenerArn: string): RuleState[] {
    return [...this.rules.values()]
      .filter((r) => r.listenerArn === listenerArn)
      .sort((a, b) => (a.priority === 'default' ? 1 : b.priority === 'default' ? -1 : a.priority - b.priority));
  }

  private dropListener(listener: ListenerState): void {
    for (const rule of this.rulesOf_(listener.arn)) this.rules.delete(rule.arn);
    this.listeners.delete(listener.arn);
  }

  /** Listeners (default actions) and rules that forward to the target group, with their load balancer. */
  private usersOfTg(tgArn: string): Array<{ ruleArn: string; lbArn: string }> {
    const users: Array<{ ruleArn: string; lbArn: string }> = [];
    for (const rule of this.rules.values()) {
      const listener = this.listeners.get(rule.listenerArn);
      if (listener && targetGroupsOfActions(rule.actions).includes(tgArn)) users.push({ ruleArn: rule.arn, lbArn: listener.lbArn });
    }
    return users;
  }

  private page<T>(items: T[], marker: string | undefined, pageSize: number | undefined): { page: T[]; next?: string } {
    if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE)) {
      fail('ValidationError', `PageSize must be from 1 to ${MAX_PAGE_SIZE}, got ${pageSize}`);
    }
    let start = 0;
    if (marker !== undefined) {
      const decoded = /^m(\d+)$/.exec(Buffer.from(marker, 'base64').toString('utf-8'));
      if (!decoded) fail('ValidationError', `The marker '${marker}' is not valid`);
      start = Number(decoded![1]);
    }
    // The default page size is not documented for DescribeRules; the maximum (400) is assumed.
    const size = pageSize ?? MAX_PAGE_SIZE;
    const end = start + size;
    return { page: items.slice(start, end), next: end < items.length ? Buffer.from(`m${end}`).toString('base64') : undefined };
  }

  private checkPort(port: unknown): void {
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) fail('ValidationError', `Port must be an integer from 1 to 65535, got ${JSON.stringify(port)}`);
  }

  /** Priority: "Valid Range: Minimum value of 1. Maximum value of 50000" [API CreateRule]. */
  private checkPriority(priority: unknown): void {
    if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 1 || priority > 50000) {
      fail('ValidationError', `1 validation error detected: Value '${priority}' at 'priority' failed to satisfy constraint: Member must have value between 1 and 50000`);
    }
  }

  private checkTags(tags: Tag[] | undefined): void {
    if (!tags) return;
    if (tags.length > MAX_TAGS) fail('TooManyTagsException', "You've reached the limit on the number of tags for this resource");
    const keys = tags.map((t) => t.Key);
    // "A tag key was specified more than once" [API AddTags: DuplicateTagKeys].
    if (new Set(keys).size !== keys.length) fail('DuplicateTagKeysException', 'A tag key was specified more than once');
    if (keys.some((k) => typeof k !== 'string' || k.length < 1 || k.length > 128)) fail('ValidationError', 'A tag key must have 1 to 128 characters');
  }

  private checkTarget(tg: TgState, target: TargetDescription): void {
    if (!target || typeof target.Id !== 'string') fail('ValidationError', 'A target needs an Id');
    // "If the target type is ip, specify an IP address" [API TargetDescription].
    if (tg.targetType === 'ip' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(target.Id) && !target.Id.includes(':')) {
      fail('InvalidTargetException', `The target '${target.Id}' is not an IP address, as a target group of type ip needs`);
    }
    if (tg.targetType === 'instance' && !/^i-[0-9a-f]+$/.test(target.Id)) fail('InvalidTargetException', `The target '${target.Id}' is not an instance id`);
    if (target.Port !== undefined) this.checkPort(target.Port);
  }

  /**
   * Conditions [API RuleCondition; Rules]: at least one; `host-header`, `path-pattern` by `Values` (legacy) or their
   * config, not both; at most one condition of each of host-header, http-request-method, path-pattern, source-ip;
   * "Condition values per rule": 5 and "Condition wildcards per rule": 5 [Quotas], counting every value of every
   * condition (a query-string key/value pair is one value).
   */
  private checkConditions(conditions: RuleCondition[]): RuleCondition[] {
    if (!Array.isArray(conditions) || conditions.length === 0) fail('ValidationError', 'A rule must have at least one condition');
    const seen = new Set<string>();
    let values = 0;
    let wildcards = 0;
    const normalized = conditions.map((c) => {
      const field = c.Field;
      if (typeof field !== 'string' || !CONDITION_FIELDS.includes(field)) fail('ValidationError', `Condition field '${field}' is not valid`);
      if (SINGLE_CONDITIONS.includes(field!)) {
        if (seen.has(field!)) fail('ValidationError', `A rule can have only one '${field}' condition`);
        seen.add(field!);
      }
      const configKey = CONFIG_OF[field!];
      const config = c[configKey] as { Values?: unknown[]; HttpHeaderName?: string } | undefined;
      if (c.Values !== undefined && config !== undefined) fail('ValidationError', `A '${field}' condition cannot have both Values and ${configKey}`);
      if (c.Values !== undefined && !['host-header', 'path-pattern'].includes(field!)) {
        fail('ValidationError', `Values can be specified only when Field is host-header or path-pattern; use ${configKey}`);
      }
      const list = (c.Values ?? config?.Values) as unknown[] | undefined;
      if (!Array.isArray(list) || list.length === 0) fail('ValidationError', `A '${field}' condition needs at least one value`);
      if (field === 'http-header' && !config?.HttpHeaderName) fail('ValidationError', 'An http-header condition needs HttpHeaderName');
      values += list!.length;
      for (const v of list!) {
        const text = typeof v === 'string' ? v : `${(v as { Key?: string }).Key ?? ''}${(v as { Value?: string }).Value ?? ''}`;
        wildcards += (text.match(/[*?]/g) ?? []).length;
      }
      if (['host-header', 'path-pattern'].includes(field!)) return { Field: field, [configKey]: { Values: clone(list) } } as RuleCondition;
      return { Field: field, [configKey]: clone(config) } as RuleCondition;
    });
    // The quota has no exception of its own in the API reference; ValidationError is assumed.
    if (values > this.quotas.conditionValuesPerRule) fail('ValidationError', `A rule can only have '${this.quotas.conditionValuesPerRule}' condition values`);
    if (wildcards > this.quotas.conditionWildcardsPerRule) fail('ValidationError', `A rule can only have '${this.quotas.conditionWildcardsPerRule}' wildcards`);
    return normalized;
  }

  /**
   * Actions [API Action, ForwardActionConfig, TargetGroupTuple; Rules]: exactly one of forward, redirect,
   * fixed-response, last; a forward by `TargetGroupArn` or `ForwardConfig.TargetGroups` (1 to 5 groups [Quotas],
   * weights 0 to 999, not all 0 [Ref10]); each group must exist and belong to no other load balancer
   * (TargetGroupAssociationLimit: "load balancers per target group": 1 [Quotas]).
   */
  private checkActions(actions: Action[], lb: LbState): Action[] {
    if (!Array.isArray(actions) || actions.length === 0) fail('ValidationError', 'At least one action is required');
    const terminal = actions.filter((a) => TERMINAL_ACTIONS.includes(a.Type));
    if (terminal.length !== 1) fail('InvalidLoadBalancerActionException', 'A rule must have exactly one forward, redirect or fixed-response action');
    const orders = actions.map((a, i) => a.Order ?? i + 1);
    if (orders.some((o) => !Number.isInteger(o) || o < 1 || o > 50000) || new Set(orders).size !== orders.length) {
      fail('ValidationError', 'Action orders must be unique integers from 1 to 50000');
    }
    const sorted = actions.map((a, i) => ({ a, order: orders[i] })).sort((x, y) => x.order - y.order);
    if (!TERMINAL_ACTIONS.includes(sorted[sorted.length - 1].a.Type)) fail('InvalidLoadBalancerActionException', 'The forward, redirect or fixed-response action must be the last action');
    const normalized = this.normalizeActions(actions);
    for (const action of normalized) {
      if (!ACTION_TYPES.includes(action.Type)) fail('ValidationError', `Action type '${action.Type}' is not valid`);
      if (action.Type === 'redirect' && !action.RedirectConfig) fail('ValidationError', 'A redirect action needs RedirectConfig');
      if (action.Type === 'fixed-response' && !action.FixedResponseConfig) fail('ValidationError', 'A fixed-response action needs FixedResponseConfig');
      if (action.Type !== 'forward') continue;
      const groups = action.ForwardConfig!.TargetGroups!;
      if (groups.length < 1) fail('ValidationError', 'A forward action needs at least one target group');
      if (groups.length > this.quotas.targetGroupsPerAction) fail('ValidationError', `A forward action can have at most ${this.quotas.targetGroupsPerAction} target groups`);
      if (new Set(groups.map((g) => g.TargetGroupArn)).size !== groups.length) fail('ValidationError', 'A target group can appear only once in a forward action');
      for (const g of groups) {
        if (typeof g.Weight !== 'number' || !Number.isInteger(g.Weight) || g.Weight < 0 || g.Weight > 999) {
          fail('ValidationError', `A target group weight is an integer from 0 to 999, got ${JSON.stringify(g.Weight)}`);
        }
      }
      if (groups.every((g) => g.Weight === 0)) fail('ValidationError', 'At least one target group of a forward action must have a weight greater than 0');
      for (const g of groups) {
        const tg = this.tg(g.TargetGroupArn);
        const others = this.loadBalancersOfTg(tg.arn).filter((arn) => arn !== lb.arn);
        if (others.length > 0) {
          fail('TargetGroupAssociationLimitException', `The following target groups cannot be associated with more than one load balancer: ${tg.arn}`);
        }
        if (tg.targetType === 'lambda' && groups.length > 1) fail('ValidationError', 'A Lambda target group cannot be weighted with others');
      }
    }
    return normalized;
  }

  /**
   * Unique target groups per load balancer across all listeners: 100; "If a target group is used by multiple actions
   * for a load balancer, it is counted as only one use" [API CreateRule: TooManyUniqueTargetGroupsPerLoadBalancer].
   */
  private checkUniqueTargetGroups(lb: LbState, actions: Action[], replacing?: string): void {
    const used = new Set<string>();
    for (const listener of this.listenersOf(lb.arn)) {
      for (const rule of this.rulesOf_(listener.arn)) {
        if (rule.arn !== replacing) targetGroupsOfActions(rule.actions).forEach((arn) => used.add(arn));
      }
    }
    targetGroupsOfActions(actions).forEach((arn) => used.add(arn));
    if (used.size > this.quotas.targetGroupsPerLoadBalancer) {
      fail('TooManyUniqueTargetGroupsPerLoadBalancerException', `You've reached the limit on the number of unique target groups per load balancer across all listeners (${this.quotas.targetGroupsPerLoadBalancer})`);
    }
  }

  /**
   * Actions as stored: a forward's `TargetGroupArn` becomes `ForwardConfig.TargetGroups` ("If you specify both
   * ForwardConfig and TargetGroupArn, you can specify only one target group using ForwardConfig and it must be the
   * same target group specified in TargetGroupArn" [API Action]); a weight left out counts 1 (not documented).
   */
  private normalizeActions(actions: Action[]): Action[] {
    return (actions ?? []).map((a, i) => {
      const out: Action = { ...clone(a), Order: a.Order ?? i + 1 };
      if (a.Type !== 'forward') return out;
      const groups = a.ForwardConfig?.TargetGroups;
      if (a.TargetGroupArn !== undefined && groups !== undefined) {
        if (groups.length !== 1 || groups[0].TargetGroupArn !== a.TargetGroupArn) {
          fail('ValidationError', 'With both TargetGroupArn and ForwardConfig, ForwardConfig must name that one target group only');
        }
      }
      if (a.TargetGroupArn === undefined && groups === undefined) fail('ValidationError', 'A forward action needs TargetGroupArn or ForwardConfig');
      const duration = a.ForwardConfig?.TargetGroupStickinessConfig?.DurationSeconds;
      const tuples = (groups ?? [{ TargetGroupArn: a.TargetGroupArn! }]).map((g) => ({ TargetGroupArn: g.TargetGroupArn, Weight: g.Weight ?? 1 }));
      delete out.TargetGroupArn;
      out.ForwardConfig = {
        TargetGroups: tuples,
        TargetGroupStickinessConfig: {
          Enabled: a.ForwardConfig?.TargetGroupStickinessConfig?.Enabled ?? false,
          ...(duration !== undefined ? { DurationSeconds: duration } : {}),
        },
      };
      return out;
    });
  }

  /** A forward action as the API answers it: `TargetGroupArn` only for one group, `ForwardConfig` always [Ref10]. */
  private actionsView(actions: Action[]): Action[] {
    return actions.map((a) => {
      if (a.Type !== 'forward') return clone(a);
      const groups = a.ForwardConfig!.TargetGroups!;
      return {
        Type: 'forward',
        ...(groups.length === 1 ? { TargetGroupArn: groups[0].TargetGroupArn } : {}),
        Order: a.Order,
        ForwardConfig: clone(a.ForwardConfig!),
      };
    });
  }

  /**
   * A rule as DescribeRules answers it [API Rule; Ref10]: Priority a string, host-header and path-pattern conditions
   * with the legacy `Values` beside their config, whichever form the rule was created with.
   */
  private ruleView(rule: RuleState): Rule {
    return {
      RuleArn: rule.arn,
      Priority: String(rule.priority),
      Conditions: rule.conditions.map((c) => {
        const configKey = CONFIG_OF[c.Field!];
        if (['host-header', 'path-pattern'].includes(c.Field!)) {
          const values = (c[configKey] as { Values: string[] }).Values;
          return { Field: c.Field, Values: clone(values), [configKey]: { Values: clone(values) } };
        }
        return clone(c);
      }),
      Actions: this.actionsView(rule.actions),
      IsDefault: rule.priority === 'default',
    };
  }

  private listenerView(l: ListenerState): Listener {
    return {
      ListenerArn: l.arn,
      LoadBalancerArn: l.lbArn,
      Port: l.port,
      Protocol: l.protocol,
      DefaultActions: this.actionsView(l.defaultActions),
      ...(l.certificates.length > 0
        ? { Certificates: l.certificates.filter((c) => c.IsDefault).map((c) => ({ CertificateArn: c.CertificateArn })) }
        : {}),
      ...(l.sslPolicy ? { SslPolicy: l.sslPolicy } : {}),
    };
  }

  private lbView(lb: LbState): LoadBalancer {
    return {
      LoadBalancerArn: lb.arn,
      LoadBalancerName: lb.name,
      DNSName: `${lb.scheme === 'internal' ? 'internal-' : ''}${lb.name}-${parseInt(lb.id.slice(0, 8), 16)}.${this.region}.elb.amazonaws.com`,
      CanonicalHostedZoneId: HOSTED_ZONES[this.region] ?? HOSTED_ZONES['us-east-1'],
      Scheme: lb.scheme,
      Type: lb.type,
      State: { Code: 'active' },
    };
  }

  private tgView(tg: TgState): TargetGroup {
    return {
      TargetGroupArn: tg.arn,
      TargetGroupName: tg.name,
      TargetType: tg.targetType,
      LoadBalancerArns: this.loadBalancersOfTg(tg.arn),
      ...(tg.protocol ? { Protocol: tg.protocol } : {}),
      ...(tg.port !== undefined ? { Port: tg.port } : {}),
      ...(tg.vpcId ? { VpcId: tg.vpcId } : {}),
    };
  }
}

/** The target groups the actions forward to. */
export function targetGroupsOfActions(actions: Action[]): string[] {
  return actions.flatMap((a) => (a.Type === 'forward'
    ? [...(a.ForwardConfig?.TargetGroups ?? []).map((g) => g.TargetGroupArn), ...(a.TargetGroupArn ? [a.TargetGroupArn] : [])]
    : []));
}

function targetKey(tg: TgState, target: TargetDescription): string {
  return `${target.Id}:${target.Port ?? tg.port ?? ''}`;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

import { Lazy, Stack, Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct, IConstruct } from 'constructs';
import { PRODUCTION_RULE_PRIORITY, RuleMatch } from './listener-rule';
import { ownerOf } from './load-balancer';
import { LoadBalancerUse } from './quotas';
import { fail, inAppLanguage, validateIntegerInRange } from './validation';

/*
 * The front door of a service: the listener it is reached through, under which name, and who may
 * reach it. HTTP on the service's own listener port; HTTPS on 443 with a certificate or a domain. The
 * HTTPS listener of a load balancer, the certificate and the DNS record of each name live with the load
 * balancer (its home), so they stay where they are when services come and go; a service on a shared
 * HTTPS listener owns only its rule, whose priority puts more specific rules first.
 */

/** What the front door reads from the construct's props. */
export interface FrontDoorProps {
  readonly port?: number;
  readonly listenerPort?: number;
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  readonly certificate?: acm.ICertificate;
  readonly domainName?: string;
  readonly hostedZone?: route53.IHostedZone;
  readonly pathPatterns?: string[];
  readonly rulePriority?: number;
  readonly allowFrom?: ec2.IPeer[];
  readonly internetFacing?: boolean;
  /** Whether the service has a smoke test, whose test rule takes the priority just before the service's own rule. */
  readonly smokeTest?: unknown;
}

/** The front door built: the listener the service is reached through, its URL, and its rule on a shared listener. */
export interface FrontDoor {
  readonly listener: elbv2.ApplicationListener;
  readonly url: string;
  /** On a shared HTTPS listener, what the service's rule matches (the caller makes the rule). */
  readonly match?: RuleMatch;
  /** The host names the production rule of the load balancer's own service matches: its domainName (none: any host). */
  readonly ownHosts?: string[];
  /** The listeners the service is on and the certificate of its HTTPS listener it brings, as the load balancer's quotas count them. */
  readonly placed: Pick<LoadBalancerUse, 'listeners' | 'certificates'>;
  /** With a smoke test, the priority of its test rule: the one just before the service's production rule. */
  readonly testPriority?: number;
}

/** The test rule's priority on a listener of the service's own: just before its production rule. */
const OWN_TEST_PRIORITY = PRODUCTION_RULE_PRIORITY - 1;

/** Validates the front-door props and builds the listeners, certificate and record of the service. */
export function buildFrontDoor(scope: Construct, props: FrontDoorProps, loadBalancer: elbv2.IApplicationLoadBalancer,
  targetGroup: elbv2.ApplicationTargetGroup): FrontDoor {
  validateFrontDoorProps(scope, props);
  const owner = ownerOf(loadBalancer) === scope;
  if (!props.certificate && !props.domainName) {
    const port = props.listenerPort ?? props.port ?? 80;
    const listener = addListener(scope, 'Listener', loadBalancer, port, props, {
      protocol: elbv2.ApplicationProtocol.HTTP,
      defaultTargetGroups: [targetGroup],
    });
    acknowledgeInPacks(listener, ['ALBHttpToHttpsRedirection', 'ELBv2ACMCertificateRequired'],
      'The service has no certificate or domainName, so its listener serves HTTP: a certificate needs a domain the construct cannot know. ' +
      'Give certificate or domainName to serve HTTPS on 443 and have this port redirect to it.');
    const host = loadBalancer.loadBalancerDnsName;
    const url = !Token.isUnresolved(port) && port === 80 ? `http://${host}` : `http://${host}:${Tokenization.stringifyNumber(port)}`;
    // The service's own port: no other rule of this library is on its listener.
    const testPriority = props.smokeTest ? OWN_TEST_PRIORITY : undefined;
    return { listener, url, placed: { listeners: [listener], certificates: [] }, testPriority };
  }
  const home = homeOf(scope, loadBalancer);
  const url = `https://${props.domainName ?? loadBalancer.loadBalancerDnsName}`;
  if (owner) {
    // The load balancer's own service keeps port 80 under one id whether it serves HTTP or redirects:
    // adding a domain to a running service then changes that listener in place.
    const redirect = addListener(scope, 'Listener', loadBalancer, 80, props, {
      protocol: elbv2.ApplicationProtocol.HTTP,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });
    acknowledgeInPacks(redirect, ['ELBv2ACMCertificateRequired'],
      'This listener only redirects HTTP to HTTPS on 443 and serves nothing; the HTTPS listener on 443 holds the certificate.');
    const domain = props.domainName ? home.domain(scope, props) : undefined;
    // With a domain, the service answers its own name only (its production rule matches the host), and the listener
    // answers any other name with a 404, as it does for the names of services that share it. A certificate alone
    // names no host: the service answers any.
    const listener = home.httpsListener(scope, props, domain ? undefined : { defaultTargetGroups: [targetGroup] });
    if (domain) home.ownRoute(scope, props.domainName!);
    const certificate = domain?.certificate ?? props.certificate!;
    home.setOwnerCertificate(certificate);
    const ownHosts = domain ? [props.domainName!] : undefined;
    const testPriority = props.smokeTest ? home.testPriority(scope, OWN_TEST_PRIORITY) : undefined;
    return { listener, url, ownHosts, placed: { listeners: [redirect, listener], certificates: [certificate] }, testPriority };
  }
  // A service on a shared load balancer joins its HTTPS listener with its name and, optionally, paths.
  const listener = home.httpsListener(scope, props);
  const { certificate } = home.domain(scope, props);
  const match = { hosts: [props.domainName!], paths: props.pathPatterns, priority: home.rulePriority(scope, props) };
  const testPriority = props.smokeTest ? home.testPriority(scope, match.priority - 1, props.rulePriority !== undefined) : undefined;
  return { listener, url, match, placed: { listeners: [listener], certificates: [certificate] }, testPriority };
}

/** The listener ports claimed on each load balancer by this library's constructs, and the path of each holder. */
const claimedPortsByArn = new WeakMap<IConstruct, Map<string, Map<string, string>>>();

/**
 * The ports claimed on a load balancer, by its ARN in the app: one map for every object of one concrete
 * ARN; a load balancer made in the app, or imported by a token, has a token of its own.
 */
function portsOf(scope: IConstruct, loadBalancer: elbv2.IApplicationLoadBalancer): Map<string, string> {
  const arn = loadBalancer.loadBalancerArn;
  const byArn = claimedPortsByArn.get(scope.node.root) ?? new Map<string, Map<string, string>>();
  claimedPortsByArn.set(scope.node.root, byArn);
  const ports = byArn.get(arn) ?? new Map<string, string>();
  byArn.set(arn, ports);
  return ports;
}

function claimListenerPort(scope: IConstruct, loadBalancer: elbv2.IApplicationLoadBalancer, port: number): void {
  const ports = portsOf(scope, loadBalancer);
  const key = Token.isUnresolved(port) ? Tokenization.stringifyNumber(port) : `${port}`;
  const holder = ports.get(key);
  if (holder !== undefined) {
    fail(scope, `port must be free on the shared loadBalancer; received ${key}, which ${holder} already listens on. Give each service on one load balancer its own port`);
  }
  ports.set(key, scope.node.path);
}

/** A listener of the service, admitting `allowFrom` (or anyone) on its port. */
function addListener(scope: Construct, id: string, loadBalancer: elbv2.IApplicationLoadBalancer, port: number,
  props: FrontDoorProps, listenerProps: elbv2.BaseApplicationListenerProps): elbv2.ApplicationListener {
  claimListenerPort(scope, loadBalancer, port);
  const listener = new elbv2.ApplicationListener(scope, id, { loadBalancer, port, open: false, ...listenerProps });
  admit(listener, port, props);
  return listener;
}

/** Acknowledges rules of the NIST 800-53 rev 5, HIPAA Security and PCI DSS 3.2.1 packs on the listener, with their reason. */
function acknowledgeInPacks(listener: elbv2.ApplicationListener, rules: string[], reason: string): void {
  for (const rule of rules) {
    for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) Validations.of(listener).acknowledge({ id: `${pack}-${rule}`, reason });
  }
}

/** Lets the service's `allowFrom` peers (or any IPv4 address) reach the listener's port. */
function admit(listener: elbv2.ApplicationListener, port: number, props: FrontDoorProps): void {
  const description = `Listener port ${Tokenization.stringifyNumber(port)}`;
  for (const peer of props.allowFrom ?? [ec2.Peer.anyIpv4()]) listener.connections.allowDefaultPortFrom(peer, description);
  if (props.allowFrom) return;
  // The scheme of the load balancer itself: a service that joins a shared one has no say in it.
  const scheme = (listener.loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer | undefined)?.scheme;
  for (const securityGroup of listener.connections.securityGroups) {
    Validations.of(securityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: scheme === 'internal'
        ? 'An internal load balancer is reachable only from the VPC and networks joined to it; narrow it with allowFrom.'
        : 'An internet-facing load balancer admits its listener ports from anywhere (narrow it with allowFrom); the tasks admit only the load balancer.',
    });
  }
}

/** What the home of a load balancer's HTTPS pieces holds for one DNS name. */
interface DomainEntry {
  readonly certificate: acm.ICertificate;
  /** Whether the certificate can be the listener's default: it is in the home's stack, or named by a concrete ARN. */
  readonly atHome: boolean;
  readonly zoneId?: string;
  readonly holder: string;
}

/** The homes of the load balancers of an app. */
const homes = new WeakMap<elbv2.IApplicationLoadBalancer, Home>();
/** The import of each concrete load balancer ARN of an app that holds its home, by its path. */
const homeImportsOf = new WeakMap<IConstruct, Map<string, string>>();
/** The load balancer each DNS name of an app points to, by the path of that load balancer. */
const namesOfApp = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Where a load balancer's HTTPS listener, its certificates and its DNS records live: the service that
 * made the load balancer, or (for one the user made or imported) a construct under the load balancer.
 * Either lives as long as the load balancer, whichever services come and go.
 */
function homeOf(service: IConstruct, loadBalancer: elbv2.IApplicationLoadBalancer): Home {
  const existing = homes.get(loadBalancer);
  if (existing) return existing;
  // One load balancer imported twice by its concrete ARN would get two homes, and so two HTTPS listeners on 443.
  // (A token ARN is one object's own: that object has its home already.)
  const arn = loadBalancer.loadBalancerArn;
  const byArn = homeImportsOf.get(service.node.root) ?? new Map<string, string>();
  homeImportsOf.set(service.node.root, byArn);
  const other = byArn.get(arn);
  if (other !== undefined) {
    fail(service, `loadBalancer: the load balancer ${arn} is imported more than once (${other} and ${loadBalancer.node.path}), and its HTTPS ` +
      'listener, certificates and records live with the first import: a second listener on 443 would fail at deploy. Import it once and ' +
      'give that object to every service with a domainName');
  }
  byArn.set(arn, loadBalancer.node.path);
  const owner = ownerOf(loadBalancer);
  const scope = owner ?? (loadBalancer.node.tryFindChild('PrivateFargate') as Construct ?? new Construct(loadBalancer, 'PrivateFargate'));
  const home = new Home(scope, loadBalancer);
  homes.set(loadBalancer, home);
  return home;
}

class Home {
  private listener?: elbv2.ApplicationListener;
  private ownerCertificate?: acm.ICertificate;
  private readonly domains = new Map<string, DomainEntry>();
  /** The rule priorities of the HTTPS listener, and the host and paths of each holder (`test`: its smoke test's rule). */
  private readonly priorities = new Map<number, { key: string; holder: string; test?: boolean }>();

  constructor(private readonly scope: Construct, private readonly loadBalancer: elbv2.IApplicationLoadBalancer) {}

  /** The HTTPS listener on 443, made on first use with the recommended TLS policy; it admits every service's `allowFrom`. */
  public httpsListener(service: Construct, props: FrontDoorProps,
    defaultAction?: Partial<elbv2.BaseApplicationListenerProps>): elbv2.ApplicationListener {
    if (!this.listener) {
      claimListenerPort(service, this.loadBalancer, 443);
      this.listener = new elbv2.ApplicationListener(this.scope, 'HttpsListener', {
        loadBalancer: this.loadBalancer,
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open: false,
        certificates: [elbv2.ListenerCertificate.fromArn(Lazy.string({ produce: () => this.defaultCertificate()?.certificateArn }))],
        ...defaultAction ?? {
          defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'No service answers this host name.' }),
        },
      });
      // A listener whose every service was refused before it named a domain holds no name: those refusals say all.
      this.listener.node.addValidation({
        validate: () => this.defaultCertificate() || this.domains.size === 0 ? [] : [inAppLanguage(this.noDefaultCertificate())],
      });
    }
    admit(this.listener, 443, props);
    return this.listener;
  }

  /**
   * The route of the service that made the load balancer, with a domain: its host, on its production rule, the last
   * the listener evaluates. A service that shares the listener may add paths on that host, but not take the host whole.
   */
  public ownRoute(service: Construct, domainName: string): void {
    this.priorities.set(PRODUCTION_RULE_PRIORITY, { key: domainName.toLowerCase(), holder: service.node.path });
  }

  /** The certificate of the service that made the load balancer: the listener's default while it serves HTTPS. */
  public setOwnerCertificate(certificate: acm.ICertificate): void {
    this.ownerCertificate = certificate;
  }

  /**
   * The listener's default certificate: the owner's, else that of the first name of the app (in the order
   * the services are made) whose certificate lives with the load balancer, so that adding a service does
   * not move it. Every other name's certificate is in the listener's list (ListenerCertificate), and the
   * default's is not: ELB refuses to remove a listener's default certificate from its list
   * (RemoveListenerCertificates), so deleting the listener with such a ListenerCertificate (the stack's
   * deletion, the rollback of the listener's creation) would fail.
   */
  private defaultCertificate(): acm.ICertificate | undefined {
    if (this.ownerCertificate) return this.ownerCertificate;
    return [...this.domains.values()].find((entry) => entry.atHome)?.certificate;
  }

  /** The refusal of a listener that no certificate of its stack can serve by default. */
  private noDefaultCertificate(): string {
    return `certificate: the HTTPS listener of the load balancer ${this.loadBalancer.node.path} lives in its stack ${Stack.of(this.scope).stackName} and ` +
      'needs a default certificate from that stack, but every service on it gives a certificate of another stack. Give one of them a hostedZone ' +
      '(the certificate is then made with the load balancer), or a certificate imported by its ARN';
  }

  /**
   * The name's certificate (made with the load balancer when the service gives a hostedZone and no
   * certificate), its place in the listener's certificate list, and its alias record: once per name.
   */
  public domain(service: Construct, props: FrontDoorProps): DomainEntry {
    const name = props.domainName!.toLowerCase().replace(/\.$/, '');
    claimName(service, name, this.loadBalancer);
    const zoneId = props.hostedZone?.hostedZoneId;
    const existing = this.domains.get(name);
    if (existing) {
      const sameZone = zoneId === undefined || existing.zoneId === undefined || zoneId === existing.zoneId;
      const sameCertificate = !props.certificate || props.certificate.certificateArn === existing.certificate.certificateArn;
      if (!sameZone || !sameCertificate) {
        // The way out that synthesizes: the name's certificate came from that service's zone (no prop exposes it), or was given.
        const wayOut = existing.zoneId !== undefined
          ? 'Give the hostedZone of that service and no certificate: the name keeps its certificate and record'
          : 'Give the certificate of that service';
        fail(service, `domainName ${name} is served by ${existing.holder} with another ${sameZone ? 'certificate' : 'hostedZone'}; a name has one ` +
          `certificate and one record on a load balancer. ${wayOut}`);
      }
      return existing;
    }
    const holder = new Construct(this.scope, name);
    const certificate = props.certificate ?? new acm.Certificate(holder, 'Certificate', {
      domainName: props.domainName!,
      validation: acm.CertificateValidation.fromDns(props.hostedZone),
    });
    const atHome = !props.certificate || !Token.isUnresolved(certificate.certificateArn) || Stack.of(certificate) === Stack.of(this.scope);
    if (props.hostedZone) {
      new route53.ARecord(holder, 'AliasRecord', {
        zone: props.hostedZone,
        // Fully qualified: aws-cdk-lib appends the zone's name to a name that does not end with it in the same case.
        recordName: `${props.domainName}.`,
        target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(this.loadBalancer)),
      });
    }
    // The default certificate is the listener's own (see defaultCertificate): the first name at home when the owner has none.
    const isDefault = !this.ownerCertificate && atHome && ![...this.domains.values()].some((entry) => entry.atHome);
    if (ownerOf(this.loadBalancer) !== service && !isDefault) {
      // A certificate of the service's own stack is added from there: the load balancer's stack cannot reference it.
      new elbv2.ApplicationListenerCertificate(atHome ? holder : service, 'ListenerCertificate', {
        listener: this.listener ?? this.httpsListener(service, props),
        certificates: [elbv2.ListenerCertificate.fromCertificateManager(certificate)],
      });
    }
    const entry = { certificate, atHome, zoneId, holder: service.node.path };
    this.domains.set(name, entry);
    return entry;
  }

  /**
   * The priority of the service's rule on the HTTPS listener: `rulePriority`, or one derived from the
   * host and paths alone, so that adding or removing another service moves none, and so that a more
   * specific rule comes first (the load balancer evaluates the lowest number first): host and paths
   * before the host alone, longer paths before shorter ones, exact hosts before wildcards.
   */
  public rulePriority(service: Construct, props: FrontDoorProps): number {
    const host = props.domainName!.toLowerCase();
    const paths = props.pathPatterns ?? [];
    const key = [host, ...[...paths].sort()].join(' ');
    const route = describeRoute(props.domainName!, paths);
    for (const taken of this.priorities.values()) {
      if (taken.key === key && !taken.test) {
        fail(service, `domainName and pathPatterns must be unique on the shared loadBalancer; received ${route}, which ${taken.holder} already routes. ` +
          'Give this service other pathPatterns or another domainName: one host and its paths route to one service');
      }
    }
    // The owner's rule is the last the listener evaluates: a rule that matches every request for its name would take them all.
    const owner = this.priorities.get(PRODUCTION_RULE_PRIORITY);
    if (owner && hostCovers(host, owner.key) && (paths.length === 0 || paths.some((path) => /^\/?\*$/.test(path)))) {
      fail(service, `domainName and pathPatterns must leave the name ${owner.key} to ${owner.holder}, which made the load balancer; received ${route}, ` +
        `which matches every request for ${owner.key} before that service's own rule. Give pathPatterns narrower than /*, or a domainName that does ` +
        `not cover ${owner.key}`);
    }
    const priority = props.rulePriority ?? derivedPriority(host, paths);
    const holder = this.priorities.get(priority);
    if (holder) {
      fail(service,
        `rulePriority must be unique on the listener; received ${priority} ${props.rulePriority === undefined ? `(derived from ${route}) ` : ''}` +
        `for ${route}, which ${holder.holder} already holds for ${holder.test ? 'the test rule of its smoke test on ' : ''}` +
        `${describeRoute(...splitKey(holder.key))}. Give one of the two services a rulePriority of its own, from 1 to 49999 (a lower number is evaluated first)`);
    }
    this.priorities.set(priority, { key, holder: service.node.path });
    return priority;
  }

  /**
   * The priority of a smoke test's rule: just before the service's own rule (`priority` + 1), so that the test
   * requests take the route a user's request takes, and reach the test rule first. `given`: the service's
   * rulePriority was given, not derived.
   */
  public testPriority(service: Construct, priority: number, given = false): number {
    const own = priority + 1;
    const holder = this.priorities.get(priority);
    if (priority < 1 || holder) {
      fail(service, `smokeTest puts its test rule just before the service's own rule, at priority ${priority}; ` +
        (holder ? `${holder.holder} holds it for ${describeRoute(...splitKey(holder.key))}. ` : 'no rule has a priority below 1. ') +
        `Give this service a rulePriority from 2 to 49999 whose number just below is free${given ? ' (received ' + own + ')' : ''}, or leave smokeTest out`);
    }
    // The owner with a certificate alone answers any host: its route has no name.
    this.priorities.set(priority, { key: this.priorities.get(own)?.key ?? '*', holder: service.node.path, test: true });
    return priority;
  }
}

/** Refuses a name that another load balancer of the app already answers: Route 53 has one record of a name. */
function claimName(service: IConstruct, name: string, loadBalancer: elbv2.IApplicationLoadBalancer): void {
  const names = namesOfApp.get(service.node.root) ?? new Map<string, string>();
  namesOfApp.set(service.node.root, names);
  const holder = names.get(name);
  if (holder !== undefined && holder !== loadBalancer.node.path) {
    fail(service, `domainName ${name} already points to the load balancer ${holder}; a name has one DNS record. Give this service another ` +
      'domainName, or put it on that load balancer (loadBalancer)');
  }
  names.set(name, loadBalancer.node.path);
}

/**
 * Rule priorities by how specific a rule is, then a hash of its host and paths within its band:
 * exact host and paths 1-28000 (longer literal path prefixes first, an exact path before a pattern of
 * the same prefix), exact host alone 28001-40000, wildcard host and paths 40001-47000, wildcard host
 * alone 47001-49999. 50000 is the production rule of a service's own listener.
 */
function derivedPriority(host: string, paths: string[]): number {
  const hash = stableHash([host, ...[...paths].sort()].join(' '));
  const wildcardHost = /[*?]/.test(host);
  if (paths.length === 0) return wildcardHost ? 47001 + hash % 2999 : 28001 + hash % 12000;
  // The least specific pattern decides: it is the one that could swallow another rule's requests.
  const rank = Math.max(...paths.map((pattern) => {
    const literal = pattern.search(/[*?]/);
    const prefix = Math.min(literal === -1 ? pattern.length : literal, 24);
    return (24 - prefix) * 2 + (literal === -1 ? 0 : 1);
  }));
  return wildcardHost ? 40001 + rank * 140 + hash % 140 : 1 + rank * 560 + hash % 560;
}

function splitKey(key: string): [string, string[]] {
  const [host, ...paths] = key.split(' ');
  return [host, paths];
}

/** Whether the host condition `pattern` (ELB's wildcards: `*` any characters, `?` one) matches the host name `host`, in any case. */
function hostCovers(pattern: string, host: string): boolean {
  return elbWildcard(pattern, 'i').test(host);
}

/** A value of an ELB condition as a regular expression: `*` any characters, `?` one ("Rule condition types"). */
export function elbWildcard(pattern: string, flags = ''): RegExp {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, flags);
}

function describeRoute(host: string, paths: string[]): string {
  return paths.length === 0 ? `the host ${host}` : `the host ${host} with the paths ${paths.join(', ')}`;
}

/** A small polynomial hash modulo a prime: stable in every run and language. */
function stableHash(text: string): number {
  let hash = 7;
  for (const byte of Buffer.from(text)) hash = (hash * 31 + byte) % 2147483647;
  return hash;
}

/** Refuses front-door props that the load balancer, ACM or Route 53 would refuse, or that cannot work together. */
function validateFrontDoorProps(scope: IConstruct, props: FrontDoorProps): void {
  const https = props.certificate !== undefined || props.domainName !== undefined;
  if (props.loadBalancer && props.certificate && !props.domainName) {
    fail(scope, 'You can only specify either loadBalancer or certificate without domainName: a shared load balancer serves HTTPS by host name, so give domainName too');
  }
  const httpPort = props.listenerPort ?? props.port;
  if (props.listenerPort !== undefined) {
    validateIntegerInRange(scope, 'listenerPort', props.listenerPort, 1, 65535);
    if (https) fail(scope, `listenerPort is for HTTP only; received ${props.listenerPort} with a certificate or domainName, which serve HTTPS on 443. Leave listenerPort out`);
  }
  if (!https && httpPort === 443) {
    // On a shared load balancer, HTTPS goes by host name: a certificate alone is refused there (see above).
    const https443 = props.loadBalancer
      ? 'a domainName with its hostedZone or certificate'
      : 'a certificate, or a domainName with its hostedZone or certificate';
    fail(scope, `${props.listenerPort !== undefined ? 'listenerPort' : 'port'} must not be 443 over HTTP; received 443 without a certificate or domainName. ` +
      '443 is the HTTPS port: the HTTPS listener takes it when a service of the load balancer gets a domainName or certificate. ' +
      (props.listenerPort !== undefined
        ? `Give another listenerPort, or leave listenerPort out and give ${https443}`
        : `Give a listenerPort other than 443 (the container keeps port 443), or ${https443}`));
  }
  if (props.allowFrom !== undefined && props.allowFrom.length === 0) {
    fail(scope, 'allowFrom must name at least one peer; received an empty list. Leave it out to admit any IPv4 address');
  }
  if (props.domainName !== undefined && !Token.isUnresolved(props.domainName)) {
    const domain = props.domainName.toLowerCase();
    if (domain.length > 253 || !/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(domain)) {
      fail(scope, `domainName must be a DNS name such as api.example.com; received "${props.domainName}"`);
    }
    const zone = props.hostedZone?.zoneName;
    if (zone !== undefined && !Token.isUnresolved(zone)) {
      const zoneName = zone.toLowerCase().replace(/\.$/, '');
      if (domain !== zoneName && !domain.endsWith(`.${zoneName}`)) {
        fail(scope, `domainName must be in the hostedZone; received "${props.domainName}" and the zone ${zoneName}. ` +
          `Give a domainName in ${zoneName} (such as api.${zoneName}), or the hostedZone that holds ${domain}`);
      }
    }
    if (!props.hostedZone && !props.certificate) {
      fail(scope, `domainName needs a hostedZone (to validate a new certificate and create the record) or a certificate; received "${props.domainName}" with neither`);
    }
  }
  if (props.hostedZone && props.domainName === undefined) {
    fail(scope, 'hostedZone needs domainName: the name of the service in that zone; received a hostedZone without it');
  }
  if (props.pathPatterns !== undefined) {
    if (!props.loadBalancer || !props.domainName) {
      const missing = [props.loadBalancer ? undefined : 'loadBalancer', props.domainName ? undefined : 'domainName'].filter((name) => name !== undefined);
      fail(scope, `pathPatterns route a service on a shared loadBalancer with its domainName; received pathPatterns without ${missing.join(' or ')}. ` +
        `Give ${missing.map((name) => name === 'domainName' ? 'domainName (with its hostedZone or certificate)' : name).join(' and ')} too, or leave pathPatterns out`);
    }
    // ELB: "up to three match evaluations per condition and up to five match evaluations per rule" (Listener rules).
    if (props.pathPatterns.length < 1 || props.pathPatterns.length > 3) {
      fail(scope, `pathPatterns must hold 1 to 3 patterns (a listener rule's condition matches at most 3 values); received ${props.pathPatterns.length}. ` +
        'Cover several paths with one wildcard pattern, such as /api/*');
    }
  }
  if (props.rulePriority !== undefined) {
    validateIntegerInRange(scope, 'rulePriority', props.rulePriority, 1, 49999);
    if (!props.loadBalancer || !props.domainName) {
      fail(scope, 'rulePriority orders the rule of a service on a shared loadBalancer\'s HTTPS listener; received rulePriority without loadBalancer and domainName. Leave it out');
    }
  }
}

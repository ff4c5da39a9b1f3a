import { Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct, IConstruct } from 'constructs';
import { claimListenerPort, listenerPortIsFree } from './shared-resources';
import { fail } from './validation';

/*
 * The front door of a service: who may reach the load balancer, on which listener, under which name.
 * Three shapes: HTTP on the service's own listener port; HTTPS on 443 with a redirect from 80 (with a
 * certificate or a domain); and, on a shared load balancer, one HTTPS listener on 443 for every service
 * with a domain, each reached by its host name (and optionally paths) through a listener rule.
 */

/** What the front door is built from. */
export interface FrontDoorOptions {
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Whether the load balancer is another service's (or the user's), shared with other services. */
  readonly shared: boolean;
  /** The public HTTP port, when there is no certificate and no domain. */
  readonly listenerPort: number;
  readonly certificate?: acm.ICertificate;
  readonly domainName?: string;
  readonly hostedZone?: route53.IHostedZone;
  readonly pathPatterns?: string[];
  /** Who may reach the listener ports; undefined: any IPv4 address. */
  readonly allowFrom?: ec2.IPeer[];
  readonly internetFacing: boolean;
}

/** The front door built: the listener the service is reached through, and its URL. */
export interface FrontDoor {
  readonly listener: elbv2.ApplicationListener;
  readonly url: string;
  /**
   * On a shared HTTPS listener, the rule's conditions and priority that send this service its traffic
   * (the caller makes the rule: a forward, or the production rule of a traffic-shifting deployment).
   */
  readonly route?: HostRoute;
}

/** The host name (and paths) a service is reached by on a shared listener, and its stable rule priority. */
export interface HostRoute {
  readonly conditions: elbv2.ListenerCondition[];
  readonly priority: number;
}

/** Each load balancer's HTTPS listener on 443, to which services with a domain add their certificate and rule. */
const httpsListeners = new WeakMap<elbv2.IApplicationLoadBalancer, elbv2.ApplicationListener>();
/** Each load balancer's rule priorities, by the host and paths that hold them. */
const rulePriorities = new WeakMap<elbv2.IApplicationLoadBalancer, Map<number, string>>();

export function addFrontDoor(scope: Construct, options: FrontDoorOptions): FrontDoor {
  // Stryker disable next-line LogicalOperator: validation refuses a domainName or hostedZone alone without a certificate.
  const certificate = options.certificate ?? (options.domainName && options.hostedZone
    ? new acm.Certificate(scope, 'Certificate', {
      domainName: options.domainName,
      validation: acm.CertificateValidation.fromDns(options.hostedZone),
    })
    : undefined);
  if (options.domainName && options.hostedZone) {
    new route53.ARecord(scope, 'AliasRecord', {
      zone: options.hostedZone,
      // Fully qualified: aws-cdk-lib appends the zone's name to a name that does not end with it in the same case.
      recordName: `${options.domainName}.`,
      target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(options.loadBalancer)),
    });
  }
  const host = options.domainName ?? options.loadBalancer.loadBalancerDnsName;

  if (!certificate) {
    const listener = addListener(scope, 'Listener', options, options.listenerPort, {
      protocol: elbv2.ApplicationProtocol.HTTP,
      defaultTargetGroups: [options.targetGroup],
    });
    const port = options.listenerPort;
    const url = !Token.isUnresolved(port) && port === 80 ? `http://${host}` : `http://${host}:${Tokenization.stringifyNumber(port)}`;
    return { listener, url };
  }

  if (options.shared && options.domainName) {
    // Join the load balancer's HTTPS listener: this service's certificate by SNI, its traffic by host name.
    const existing = httpsListeners.get(options.loadBalancer);
    const listener = existing ?? newHttpsListener(scope, ['HttpsRedirect', 'HttpsListener'], options, certificate, {
      defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'No service answers this host name.' }),
    });
    if (existing) {
      // In this service's scope, not the listener's: a service in another stack must not make the listener's stack depend on it.
      new elbv2.ApplicationListenerCertificate(scope, 'ListenerCertificate', {
        listener,
        certificates: [elbv2.ListenerCertificate.fromCertificateManager(certificate)],
      });
    }
    const conditions = [elbv2.ListenerCondition.hostHeaders([options.domainName])];
    if (options.pathPatterns) conditions.push(elbv2.ListenerCondition.pathPatterns(options.pathPatterns));
    const priority = rulePriority(scope, options.loadBalancer, options.domainName, options.pathPatterns ?? []);
    return { listener, url: `https://${host}`, route: { conditions, priority } };
  }
  const listener = newHttpsListener(scope, ['HttpRedirect', 'Listener'], options, certificate, { defaultTargetGroups: [options.targetGroup] });
  return { listener, url: `https://${host}` };
}

/** An HTTPS listener on 443 with the recommended TLS policy, and the redirect from 80 when 80 is free. */
function newHttpsListener(
  scope: Construct, [redirectId, listenerId]: string[], options: FrontDoorOptions, certificate: acm.ICertificate,
  props: elbv2.BaseApplicationListenerProps,
): elbv2.ApplicationListener {
  if (listenerPortIsFree(options.loadBalancer, 80)) {
    addListener(scope, redirectId, options, 80, {
      protocol: elbv2.ApplicationProtocol.HTTP,
      defaultAction: elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true }),
    });
  }
  const listener = addListener(scope, listenerId, options, 443, {
    protocol: elbv2.ApplicationProtocol.HTTPS,
    certificates: [elbv2.ListenerCertificate.fromCertificateManager(certificate)],
    sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
    ...props,
  });
  httpsListeners.set(options.loadBalancer, listener);
  return listener;
}

function addListener(
  scope: Construct, id: string, options: FrontDoorOptions, port: number, props: elbv2.BaseApplicationListenerProps,
): elbv2.ApplicationListener {
  claimListenerPort(scope, options.loadBalancer, port);
  const listener = new elbv2.ApplicationListener(scope, id, {
    loadBalancer: options.loadBalancer,
    port,
    open: options.allowFrom === undefined,
    ...props,
  });
  if (options.allowFrom) {
    for (const peer of options.allowFrom) listener.connections.allowDefaultPortFrom(peer, `Listener port ${Tokenization.stringifyNumber(port)}`);
    return listener;
  }
  for (const securityGroup of options.loadBalancer.connections.securityGroups) {
    Validations.of(securityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      // Stryker disable StringLiteral: the reason is for people reading the cdk-nag report; no template holds it.
      reason: options.internetFacing
        ? 'An internet-facing load balancer admits its listener ports from anywhere (narrow it with allowFrom); the tasks admit only the load balancer.'
        : 'An internal load balancer is reachable only from the VPC and networks joined to it; narrow it with allowFrom.',
      // Stryker restore StringLiteral
    });
  }
  return listener;
}

/** The rule that forwards a service's host name (and paths) on a shared listener to its target group. */
export function addHostRule(
  scope: Construct, listener: elbv2.IApplicationListener, route: HostRoute, targetGroup: elbv2.IApplicationTargetGroup,
): void {
  new elbv2.ApplicationListenerRule(scope, 'HostRule', {
    listener,
    priority: route.priority,
    conditions: route.conditions,
    action: elbv2.ListenerAction.forward([targetGroup]),
  });
}

/**
 * A rule priority derived from the host and paths alone, so that adding or removing another service
 * does not move it; on the rare clash of two derived numbers, the next free one.
 */
function rulePriority(scope: IConstruct, loadBalancer: elbv2.IApplicationLoadBalancer, host: string, paths: string[]): number {
  const key = [host.toLowerCase(), ...[...paths].sort()].join(' ');
  const taken = rulePriorities.get(loadBalancer) ?? new Map<number, string>();
  rulePriorities.set(loadBalancer, taken);
  for (const [, holder] of taken) {
    if (holder.split('\n')[0] === key) {
      fail(scope, `domainName and pathPatterns must be unique on the shared loadBalancer; received ${describeRoute(host, paths)}, which ${holder.split('\n')[1]} already routes`);
    }
  }
  // 1 to 49999: 50000 is the production rule of a traffic-shifting deployment on a service's own listener.
  let priority = 1 + (stableHash(key) % 49999);
  while (taken.has(priority)) priority = priority % 49999 + 1;
  taken.set(priority, `${key}\n${scope.node.path}`);
  return priority;
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

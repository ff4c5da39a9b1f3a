import { Token } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct, IConstruct } from 'constructs';
import { ListenerRule } from './listener-rule';
import { inAppLanguage, warn } from './validation';

/*
 * The quotas of an Application Load Balancer that services pass together though each is fine alone,
 * counted per load balancer over every stack of the app when it synthesizes. ELB guide, "Quotas for
 * your Application Load Balancers"
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html):
 *
 * | quota                                                                 | value | adjustable |
 * | Target Groups per Application Load Balancer                           | 100   | no         |
 * | Rules per Application Load Balancer (excluding default rules)         | 100   | yes        |
 * | Listeners per Application Load Balancer                               | 50    | yes        |
 * | Certificates per Application Load Balancer (excluding default certificates) | 25 | yes     |
 *
 * A load balancer imported by a token ARN (Fn.importValue) in several stacks is counted per import.
 * What cannot deploy is refused; past an adjustable quota the service gets a warning, since the app
 * deploys once the account's quota is raised (acknowledge the warning then). Each service's rule
 * comes with a target group of its own (a smoke test's test rule with the alternate one), so its rules cannot pass 100
 * before its target groups do.
 * "Condition Values per Rule" (5, not adjustable) is checked with the props: a rule matches one
 * host and at most 4 pathPatterns (front-door.ts), or the path /* alone.
 */

/** What one service put on its load balancer, as the quotas count it. */
export interface LoadBalancerUse {
  /** Its target groups; an absent one (no alternate with a rolling deployment) is skipped. */
  readonly targetGroups: ReadonlyArray<elbv2.ITargetGroup | undefined>;
  /**
   * Its listener rules (a listener's default action is no rule).
   *
   * @default - the listener rules the service made (its host rule or production rule, and its test rule), read when the app synthesizes
   */
  readonly rules?: readonly IConstruct[];
  /** The listeners it listens on, shared ones too: each listener counts once. */
  readonly listeners: readonly elbv2.IApplicationListener[];
  /** The certificates of its names on the HTTPS listener, the listener's default among them: each counts once. */
  readonly certificates: readonly acm.ICertificate[];
}

/**
 * Records what `service` put on `loadBalancer`, and checks, when the app synthesizes, whether the
 * services of the app together pass a quota of that load balancer at this service.
 */
export function recordLoadBalancerUse(service: Construct, loadBalancer: elbv2.IApplicationLoadBalancer, use: LoadBalancerUse): void {
  const tally = tallyOf(service, loadBalancer);
  tally.uses.push({ service, use });
  service.node.addValidation({ validate: () => checkQuotas(tally, service).map(inAppLanguage) });
}

interface Tally {
  /** The load balancer in messages: its concrete ARN, else its path. */
  readonly name: string;
  /** Each service's use, in the order the services were made. */
  readonly uses: Array<{ readonly service: Construct; readonly use: LoadBalancerUse }>;
}

/** The tallies of the load balancers of an app whose ARN is a token, by object. */
const talliesByObject = new WeakMap<elbv2.IApplicationLoadBalancer, Tally>();
/** The tallies of the load balancers of an app with a concrete ARN, by ARN: one for every import of it. */
const talliesByArn = new WeakMap<IConstruct, Map<string, Tally>>();

/** The tally of a load balancer: one for every object of one concrete ARN in the app (as front-door.ts keys ports). */
function tallyOf(scope: IConstruct, loadBalancer: elbv2.IApplicationLoadBalancer): Tally {
  const arn = loadBalancer.loadBalancerArn;
  if (Token.isUnresolved(arn)) {
    const tally = talliesByObject.get(loadBalancer) ?? { name: loadBalancer.node.path, uses: [] };
    talliesByObject.set(loadBalancer, tally);
    return tally;
  }
  const byArn = talliesByArn.get(scope.node.root) ?? new Map<string, Tally>();
  talliesByArn.set(scope.node.root, byArn);
  const tally = byArn.get(arn) ?? { name: arn, uses: [] };
  byArn.set(arn, tally);
  return tally;
}

/** A quota of the load balancer: what it counts, and what a service past it is told. */
interface Quota {
  /** As the quotas page names it. */
  readonly name: string;
  readonly value: number;
  /** An adjustable quota: the id of the warning and the quota's code in Service Quotas. None: it cannot be raised. */
  readonly adjustable?: { readonly id: string; readonly code: string };
  /** The things of a service's use the quota counts, each once over the app. */
  readonly itemsOf: (use: LoadBalancerUse, service: Construct) => readonly unknown[];
  /** How many of the things counted the quota leaves out (the listener's default certificate). */
  readonly besides?: number;
  /** What is counted, and why the services have them. */
  readonly what: string;
  readonly why: string;
  /** Ways out besides a raised quota, each of which synthesizes. */
  readonly wayOut: (uses: Tally['uses']) => string;
}

const ELSEWHERE = 'put some services on another load balancer';

const QUOTAS: Quota[] = [
  {
    name: 'Target Groups per Application Load Balancer',
    value: 100,
    itemsOf: (use) => use.targetGroups.filter((targetGroup) => targetGroup !== undefined),
    what: 'target groups',
    why: 'a service has one, two with a canary, linear or blue/green deployment',
    wayOut: (uses) => uses.some(({ use }) => use.targetGroups.filter(Boolean).length > 1)
      ? `${ELSEWHERE}, or give some of them Deployment.rolling() (one target group instead of two)` : ELSEWHERE,
  },
  {
    name: 'Rules per Application Load Balancer (excluding default rules)',
    value: 100,
    adjustable: { id: 'private-fargate-behind-alb:rulesPerLoadBalancer', code: 'L-7EED9B64' },
    itemsOf: (use, service) => use.rules ?? rulesOf(service),
    what: 'listener rules',
    why: 'a host rule for a service on the HTTPS listener, a production rule for a canary, linear or blue/green service on a listener of its own',
    wayOut: () => ELSEWHERE,
  },
  {
    name: 'Listeners per Application Load Balancer',
    value: 50,
    adjustable: { id: 'private-fargate-behind-alb:listenersPerLoadBalancer', code: 'L-B6DF7632' },
    itemsOf: (use) => use.listeners,
    what: 'listeners',
    why: 'a service over HTTP has one on its port; the services with a domainName share one on 443, and the one that made the load balancer adds the redirect on 80',
    wayOut: () => `${ELSEWHERE}, or give some of them a domainName to share the HTTPS listener`,
  },
  {
    name: 'Certificates per Application Load Balancer (excluding default certificates)',
    value: 25,
    adjustable: { id: 'private-fargate-behind-alb:certificatesPerLoadBalancer', code: 'L-9365A611' },
    // A certificate imported by ARN twice is one; a certificate object whose ARN is a token is itself.
    itemsOf: (use) => use.certificates.map((cert) => Token.isUnresolved(cert.certificateArn) ? cert : cert.certificateArn),
    besides: 1,
    what: 'certificates besides the default of its HTTPS listener',
    why: 'one per domainName',
    wayOut: () => `${ELSEWHERE} with their domainNames`,
  },
];

/** The quotas that the services of the tally pass at `service`: refusals returned, warnings added to it. */
function checkQuotas(tally: Tally, service: Construct): string[] {
  const errors: string[] = [];
  for (const quota of QUOTAS) {
    const { total, passedAt } = countUses(tally, quota);
    if (passedAt !== service) continue;
    const from = `from the ${tally.uses.length} services of the app on it, this one taking the count past ${quota.value} (${quota.why})`;
    if (!quota.adjustable) {
      errors.push(`loadBalancer must have at most ${quota.value} ${quota.what}, the ELB quota "${quota.name}", which cannot be raised; ` +
        `received ${total} on the load balancer ${tally.name} ${from}. ${capitalize(quota.wayOut(tally.uses))}`);
      continue;
    }
    warn(service, quota.adjustable.id,
      `loadBalancer: the load balancer ${tally.name} gets ${total} ${quota.what} ${from}; the ELB quota "${quota.name}" is ${quota.value}, ` +
      `adjustable (${quota.adjustable.code} in Service Quotas): the deploy fails unless the account's quota in the region is raised. ` +
      `Request the increase and acknowledge this warning, or ${quota.wayOut(tally.uses)}`);
  }
  return errors;
}

/** The count of a quota over the services of a tally, and the service at which it passes the quota. */
function countUses(tally: Tally, quota: Quota): { total: number; passedAt?: Construct } {
  const seen = new Set<unknown>();
  const besides = quota.besides ?? 0;
  let passedAt: Construct | undefined;
  for (const { service, use } of tally.uses) {
    for (const item of quota.itemsOf(use, service)) seen.add(item);
    if (passedAt === undefined && seen.size - besides > quota.value) passedAt = service;
  }
  return { total: Math.max(0, seen.size - besides), passedAt };
}

/** The listener rules a service made: its host rule or production rule, and its test rule. */
function rulesOf(service: Construct): ListenerRule[] {
  return service.node.children.filter((child): child is ListenerRule => child instanceof ListenerRule);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

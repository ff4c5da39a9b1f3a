/**
 * The names AWS lets exist once, whichever stack holds them (REFERENCE.md section 9), computed over
 * every stack of an app: a second holder fails at deploy. And one name the library promises to hold
 * once (a certificate per domain name, issue 19.2), kept apart because AWS does not enforce it.
 */
import { identity, numberOf } from './resolve';
import { SynthesizedApp } from './synth';

/** The kinds of unique keys, each with the rule that makes it unique. */
export const KEY_RULES = {
  'listener': 'one listener per (load balancer, port) (DuplicateListener)',
  'rule': 'one rule per (listener, priority) (PriorityInUse)',
  'record': 'one DNS record per (hosted zone, name, type) (record already exists)',
  'private-dns': 'one interface endpoint with private DNS per (VPC, service) (conflicting DNS domain)',
  'gateway-route': 'one gateway endpoint per (route table, service) (route already exists)',
  'certificate': 'one certificate per domain name (a promise of the library, issue 19.2)',
} as const;

export type KeyKind = keyof typeof KEY_RULES;

/** A resource holding a unique key. */
export interface KeyHolder {
  readonly kind: KeyKind;
  /** The key, prefixed with its kind: equal keys are one name for AWS. */
  readonly key: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
}

/** `stack/logicalId`, how messages name a resource. */
export function holderName(holder: { stack: string; logicalId: string }): string {
  return `${holder.stack}/${holder.logicalId}`;
}

/** A DNS name as Route 53 compares it: lower case, with the trailing dot. */
export function normalizeDnsName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** Every unique key held by a resource of the app (a gateway endpoint holds one per route table). */
export function keysOf(app: SynthesizedApp): KeyHolder[] {
  const holders: KeyHolder[] = [];
  for (const stackId of app.order) {
    for (const [logicalId, resource] of Object.entries(app.stacks[stackId].template.Resources ?? {})) {
      const p = resource.Properties ?? {};
      const id = (value: unknown) => identity(app, stackId, value);
      const add = (kind: KeyKind, ...parts: string[]) =>
        holders.push({ kind, key: `${kind} ${parts.join(' | ')}`, stack: stackId, logicalId, type: resource.Type });
      switch (resource.Type) {
        case 'AWS::ElasticLoadBalancingV2::Listener':
          add('listener', id(p.LoadBalancerArn), `port ${id(p.Port)}`);
          break;
        case 'AWS::ElasticLoadBalancingV2::ListenerRule':
        case 'Custom::PrivateFargateListenerRule':
          // The custom resource may write the priority as a string: '10' and 10 are one priority.
          add('rule', id(p.ListenerArn), `priority ${numberOf(app, stackId, p.Priority)}`);
          break;
        case 'AWS::Route53::RecordSet':
          add('record', zoneOf(id, p), normalizeDnsName(id(p.Name)), id(p.Type), ...setIdentifier(id, p));
          break;
        case 'AWS::Route53::RecordSetGroup':
          for (const record of p.RecordSets ?? []) {
            add('record', zoneOf(id, p), normalizeDnsName(id(record.Name)), id(record.Type), ...setIdentifier(id, record));
          }
          break;
        case 'AWS::EC2::VPCEndpoint':
          if (id(p.VpcEndpointType ?? 'Gateway') === 'Gateway') {
            // A route table takes the prefix-list route of one endpoint per service; an endpoint
            // without route tables routes nothing and holds nothing.
            for (const routeTable of p.RouteTableIds ?? []) add('gateway-route', id(routeTable), id(p.ServiceName));
          } else if (id(p.PrivateDnsEnabled) === 'true') {
            add('private-dns', id(p.VpcId), id(p.ServiceName));
          }
          break;
        case 'AWS::CertificateManager::Certificate':
          add('certificate', id(p.DomainName).toLowerCase());
          break;
      }
    }
  }
  return holders;
}

function zoneOf(id: (value: unknown) => string, p: Record<string, any>): string {
  return p.HostedZoneId !== undefined ? `zone ${id(p.HostedZoneId)}` : `zone named ${normalizeDnsName(id(p.HostedZoneName))}`;
}

/** Weighted, latency, failover... records of one name differ by their set identifier. */
function setIdentifier(id: (value: unknown) => string, p: Record<string, any>): string[] {
  return p.SetIdentifier === undefined ? [] : [`set ${id(p.SetIdentifier)}`];
}

/** The keys of the kinds given, grouped by key, each with its holders. */
export function holdersByKey(app: SynthesizedApp, kinds: KeyKind[]): Map<string, KeyHolder[]> {
  const byKey = new Map<string, KeyHolder[]>();
  for (const holder of keysOf(app).filter((h) => kinds.includes(h.kind))) {
    byKey.set(holder.key, [...byKey.get(holder.key) ?? [], holder]);
  }
  return byKey;
}

/** The kinds AWS enforces. */
export const AWS_KINDS: KeyKind[] = ['listener', 'rule', 'record', 'private-dns', 'gateway-route'];

/** The keys held twice or more, one line each, naming every holder. */
function duplicates(app: SynthesizedApp, kinds: KeyKind[]): string[] {
  const violations: string[] = [];
  for (const [key, holders] of holdersByKey(app, kinds)) {
    if (holders.length < 2) continue;
    violations.push(`${KEY_RULES[holders[0].kind]}: ${key} is held by ${holders.map(holderName).join(' and ')}`);
  }
  return violations;
}

/** What AWS refuses when the app is deployed as it is: a unique key held twice across its stacks. */
export function checkCreate(app: SynthesizedApp): string[] {
  return duplicates(app, AWS_KINDS);
}

/** Two certificates for one domain name in the app (the library promises one, issue 19.2). */
export function checkCertificates(app: SynthesizedApp): string[] {
  return duplicates(app, ['certificate']);
}

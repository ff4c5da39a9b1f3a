/**
 * The rows of the rehearsal: the changes users make to a running app, one line each, and the apps
 * users create. A new prop is rehearsed by adding a line here.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import {
  BASE, certificate, domain, ENV, importedVpcWithNetworkStack, onUsersLoadBalancer, onUsersVpc, onWebsLoadBalancer, onWebsVpc,
  DOCS_MANY_HTTPS_SERVICES, service, STRATEGIES,
} from './apps';
import { CreateRow, Row } from './table';
import { Deployment, SmokeTest } from '../../src';

const SPOT = [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }];
const WITH_DOMAIN = service(domain('app.example.com'));
const SHOP_AND_API = onUsersLoadBalancer({ Shop: domain('shop.example.com'), Api: domain('api.example.com', { port: 8080 }) });
const PATHS_V1 = onWebsLoadBalancer(domain('shop.example.com'), { Api: domain('api.example.com', { port: 8080, pathPatterns: ['/v1/*'] }) });
const WEB_AND_API = onWebsLoadBalancer({}, { Api: { port: 8080 } });
const VPC_WEB_AND_API = onUsersVpc({ Web: {}, Api: { port: 8080 } });
const ENV_BASE = service({}, ENV);
const TWO_STACKS = importedVpcWithNetworkStack({ One: { Web: {} }, Two: { Api: { port: 8080 } } });
const SMOKE = SmokeTest.http({ path: '/health' });
const WITH_SMOKE_TEST = service({ smokeTest: SMOKE });

/** Every ordered pair of the four deployment strategies. */
const STRATEGY_ROWS: Row[] = Object.keys(STRATEGIES).flatMap((from) => Object.keys(STRATEGIES).filter((to) => to !== from).map((to) => ({
  name: `deployment ${from} → ${to}`,
  v1: STRATEGIES[from],
  v2: STRATEGIES[to],
  expect: 'in place' as const,
  note: to === 'rolling' ? 'ROLLING is written; the alternate target group goes and the production rule forwards to `targetGroup` alone. After an odd-numbered deployment the function refuses it (see [Switching to rolling](deployments.md#switching-to-rolling))'
    : from === 'rolling' ? 'an alternate target group is added, and the production rule forwards to both' : undefined,
  afterOddDeployment: to === 'rolling' ? { refused: /^WebProductionRule\w+: Refused: this update would send requests of the rule .* which has no healthy target/ } : undefined,
})));

/** The changes users make to a running app, one line each. */
export const ROWS: Row[] = [
  { name: 'add `domainName` and `hostedZone`', v1: BASE, v2: WITH_DOMAIN, expect: 'in place', note: 'the port-80 listener becomes the redirect to HTTPS; the HTTPS listener, certificate and record are added; the production rule moves to the HTTPS listener with the weights ECS set' },
  {
    name: 'remove the first of two services with domains on the user\'s load balancer',
    v1: SHOP_AND_API,
    v2: onUsersLoadBalancer({ Api: domain('api.example.com', { port: 8080 }) }),
    expect: 'in place',
    note: 'the HTTPS listener, certificates and records live with the load balancer: only the removed service\'s rule, certificate and record go. The remaining name\'s certificate becomes the listener\'s default; ELB keeps a default certificate in the listener\'s list, so the cleanup pass skips the delete of its ListenerCertificate (the stack ends UPDATE_COMPLETE, the name is served)',
    skippedDeletes: /ListenerCertificate .*The default certificate of a listener cannot be removed/,
  },
  // Two stacks importing one VPC each, without a home for its endpoints, are refused (see brownfield.test.ts); with the set in a network stack:
  { name: 'remove the first stack\'s service of two stacks on an imported VPC', v1: TWO_STACKS, v2: importedVpcWithNetworkStack({ One: {}, Two: { Api: { port: 8080 } } }), expect: 'in place', note: 'the endpoints live in the network stack (two stacks that each import the VPC without it are refused at synth)' },
  ...STRATEGY_ROWS,
  { name: '`deploymentAlarms` true → false', v1: BASE, v2: service({ deploymentAlarms: false }), expect: 'in place', note: 'the alarms are deleted and the service\'s alarms are written as off' },
  { name: '`deploymentAlarms` false → true', v1: service({ deploymentAlarms: false }), v2: BASE, expect: 'in place' },
  { name: '`urlOutput` true → false', v1: BASE, v2: service({ urlOutput: false }), expect: 'in place', note: 'the stack\'s output `Url` goes; nothing the service serves with changes' },
  { name: 'add `capacityProviderStrategies` with FARGATE_SPOT', v1: BASE, v2: service({ capacityProviderStrategies: SPOT }), expect: 'in place', note: 'the service always names a capacity provider strategy, so it is not replaced' },
  { name: 'change `pathPatterns` of a service on a shared HTTPS listener', v1: PATHS_V1, v2: onWebsLoadBalancer(domain('shop.example.com'), { Api: domain('api.example.com', { port: 8080, pathPatterns: ['/v2/*'] }) }), expect: 'in place', note: 'the rule is rewritten by the function that keeps the weights ECS set' },
  // Found by the rehearsal, beyond the issue's list: the reverse of 18.1 and 18.5, and 18.4's rule for ECS Exec.
  { name: 'remove `domainName` and `hostedZone`', v1: WITH_DOMAIN, v2: BASE, expect: 'in place' },
  { name: 'change `domainName`', v1: WITH_DOMAIN, v2: service(domain('www.example.com')), expect: 'in place' },
  { name: 'remove `capacityProviderStrategies`', v1: service({ capacityProviderStrategies: SPOT }), v2: BASE, expect: 'in place' },
  { name: 'remove `enableExecuteCommand`', v1: service({ enableExecuteCommand: true }), v2: BASE, expect: 'in place', note: 'written as false, so ECS turns it off' },
  { name: 'change `port`', v1: BASE, v2: service({ port: 8080 }), expect: { replaces: ['TargetGroup', 'TargetGroup'] }, note: 'new target groups on the new port (their port cannot change in place): the service gets no request until its new tasks are healthy in them' },
  { name: 'add a service on a shared load balancer', v1: BASE, v2: WEB_AND_API, expect: 'in place' },
  { name: 'remove a service from a shared load balancer', v1: WEB_AND_API, v2: BASE, expect: 'in place' },
  { name: 'add a service with a domain on a shared HTTPS listener', v1: service(domain('shop.example.com')), v2: onWebsLoadBalancer(domain('shop.example.com'), { Api: domain('api.example.com', { port: 8080 }) }), expect: 'in place' },
  { name: 'add a service on a taken port of a shared load balancer', v1: BASE, v2: onWebsLoadBalancer({}, { Api: {} }), expect: { refused: /port must be free on the shared loadBalancer/ }, note: 'two listeners on one port are refused, naming the service that holds it' },
  { name: 'add a service with a domain on a shared load balancer, in a stack with an account and region', v1: ENV_BASE, v2: onWebsLoadBalancer({}, { Api: domain('api.example.com', { port: 8080 }) }, ENV), expect: 'in place' },
  { name: 'add `domainName` and `hostedZone`, in a stack with an account and region', v1: ENV_BASE, v2: service(domain('app.example.com'), ENV), expect: 'in place' },
  { name: 'add a service on a shared VPC', v1: onUsersVpc({ Web: {} }), v2: VPC_WEB_AND_API, expect: 'in place' },
  { name: 'remove the first service of a shared VPC', v1: VPC_WEB_AND_API, v2: onUsersVpc({ Api: { port: 8080 } }), expect: 'in place' },
  { name: 'add `allowFrom`', v1: BASE, v2: service({ allowFrom: [ec2.Peer.ipv4('203.0.113.0/24')] }), expect: 'in place' },
  { name: 'add `webAclArn`', v1: BASE, v2: service({ webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/acl/00000000-0000-0000-0000-000000000000' }), expect: 'in place' },
  // The listener is replaced with its load balancer, and the production rule moves to the new listener with the weights ECS set.
  { name: '`internetFacing` true → false', v1: BASE, v2: service({ internetFacing: false }), expect: { replaces: ['LoadBalancer', 'Listener'] }, note: 'a new load balancer and listener, with a new DNS name; the rule moves with the weights ECS set' },
  {
    name: 'deployment canary → rolling of a service on a shared HTTPS listener',
    v1: PATHS_V1,
    v2: onWebsLoadBalancer(domain('shop.example.com'), { Api: domain('api.example.com', { port: 8080, pathPatterns: ['/v1/*'], deployment: Deployment.rolling() }) }),
    expect: 'in place',
    note: 'after an even-numbered deployment; after an odd one the function refuses it, naming the way out (one more deployment first)',
    afterOddDeployment: { refused: /^ApiHostRule\w+: Refused: this update would send requests of the rule .* which has no healthy target/ },
  },
  { name: 'add a second service on the same host name, under a path', v1: service(domain('shop.example.com')), v2: onWebsLoadBalancer(domain('shop.example.com'), { Admin: domain('shop.example.com', { port: 8081, pathPatterns: ['/admin/*'] }) }), expect: 'in place', note: 'one record and one certificate per name; the path rule comes before the host\'s' },
  { name: 'add `rulePriority` to a service on a shared HTTPS listener', v1: PATHS_V1, v2: onWebsLoadBalancer(domain('shop.example.com'), { Api: domain('api.example.com', { port: 8080, pathPatterns: ['/v1/*'], rulePriority: 7 }) }), expect: 'in place' },
  { name: 'add `readonlyRootFilesystem` with ECS Exec', v1: service({ enableExecuteCommand: true }), v2: service({ enableExecuteCommand: true, readonlyRootFilesystem: true }), expect: 'in place' },
  { name: '`cpuArchitecture` ARM64', v1: BASE, v2: service({ cpuArchitecture: ecs.CpuArchitecture.ARM64 }), expect: 'in place' },
  { name: 'add `enableExecuteCommand`', v1: BASE, v2: service({ enableExecuteCommand: true }), expect: 'in place' },
  { name: 'add `targetRequestsPerTarget`', v1: BASE, v2: service({ targetRequestsPerTarget: 100 }), expect: 'in place' },
  {
    name: 'switch the second of two canary services on one load balancer to rolling',
    v1: WEB_AND_API,
    v2: onWebsLoadBalancer({}, { Api: { port: 8080, deployment: Deployment.rolling() } }),
    expect: 'in place',
    note: 'its production rule stays on its listener, forwarding to `targetGroup` alone; after an odd-numbered deployment the function refuses it',
    afterOddDeployment: { refused: /^ApiProductionRule\w+: Refused: this update would send requests of the rule .* which has no healthy target/ },
  },
  { name: 'add `smokeTest`', v1: BASE, v2: WITH_SMOKE_TEST, expect: 'in place', note: 'the test rule is created one priority before the production rule, forwarding to `targetGroup` (ECS points it at the new tasks in each deployment); the service names it and its hook' },
  { name: 'remove `smokeTest`', v1: WITH_SMOKE_TEST, v2: BASE, expect: 'in place', note: 'the service drops the test rule and the hook first; the cleanup pass deletes the rule' },
  { name: 'add `domainName` and `hostedZone` to a service with `smokeTest`', v1: WITH_SMOKE_TEST, v2: service(domain('app.example.com', { smokeTest: SMOKE })), expect: 'in place', note: 'the test rule moves to the HTTPS listener with the production rule, and matches the domain' },
  { name: 'add `smokeTest` to a service on a shared HTTPS listener', v1: PATHS_V1, v2: onWebsLoadBalancer(domain('shop.example.com'), { Api: domain('api.example.com', { port: 8080, pathPatterns: ['/v1/*'], smokeTest: SmokeTest.http({ path: '/v1/health' }) }) }), expect: 'in place', note: 'its test rule takes the priority just before its host rule' },
  { name: 'deployment canary → blue/green of a service with `smokeTest`', v1: WITH_SMOKE_TEST, v2: service({ smokeTest: SMOKE, deployment: Deployment.blueGreen() }), expect: 'in place' },
  {
    name: 'move a service from its own load balancer onto another service\'s',
    v1: onWebsVpc({}, { Api: { port: 8080 } }),
    v2: WEB_AND_API,
    expect: { replaces: ['Listener'] },
    note: 'its own load balancer goes; a target group belongs to one load balancer, so the service gets new ones on the other, behind a new listener, and gets requests there once its new tasks are healthy in them',
  },
];

/** Apps users create: every check of what AWS enforces at create (issue 19). */
export const CREATE_ROWS: CreateRow[] = [
  { name: 'two services on one host name on a shared load balancer', app: onUsersLoadBalancer({ App: domain('app.example.com'), Admin: domain('app.example.com', { pathPatterns: ['/admin/*'], port: 8081 }) }) },
  { name: 'app.example.com and app.example.com + /admin/* with the user\'s certificate (routing only)', app: onUsersLoadBalancer({ App: (s) => ({ domainName: 'app.example.com', certificate: certificate(s) }), Admin: (s) => ({ domainName: 'app.example.com', certificate: certificate(s), pathPatterns: ['/admin/*'], port: 8081 }) }) },
  { name: 'the README\'s "Many HTTPS services on one load balancer"', app: DOCS_MANY_HTTPS_SERVICES },
  { name: 'a service with every default', app: BASE },
  { name: 'two stacks on an imported VPC', app: TWO_STACKS },
  { name: 'a rolling service with Spot and a domain', app: service(domain('app.example.com', { deployment: Deployment.rolling(), capacityProviderStrategies: SPOT })) },
  { name: 'two services with smoke tests, on the owner\'s domain and a shared one', app: onWebsLoadBalancer(domain('shop.example.com', { smokeTest: SMOKE }), { Api: domain('api.example.com', { port: 8080, pathPatterns: ['/v1/*'], smokeTest: SmokeTest.http({ path: '/v1/health' }) }) }) },
];


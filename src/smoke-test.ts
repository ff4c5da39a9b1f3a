import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct, IConstruct } from 'constructs';
import { SmokeTestHook } from './deployment-hook';
import { elbWildcard } from './front-door';
import { ListenerRule, RuleMatch, TrafficControl, WeightedTargetGroup } from './listener-rule';
import { fail, validateIntegerInRange, validateSecondsInRange } from './validation';
import { privateSubnetsOf } from './vpc';

/*
 * A verified release: before production traffic moves, ECS sends the new revision test traffic through a test
 * listener rule, and calls the stack's traffic function as a lifecycle hook (POST_TEST_TRAFFIC_SHIFT), which sends
 * the smoke test's requests through the load balancer and answers SUCCEEDED, FAILED (ECS rolls back) or IN_PROGRESS.
 * The test rule matches the service's requests that carry a header whose value only the rule holds: the function
 * draws it when it creates the rule and reads it from there, so no template, output or log shows it, and no user
 * request reaches the test rule (ECS developer guide, "Lambda hooks for Amazon ECS service deployments").
 */

/** One request of a smoke test, and the answer it expects. */
export interface SmokeTestRequest {
  /** The path requested, from `/`, with its query string if any. */
  readonly path: string;

  /**
   * The HTTP method.
   *
   * @default 'GET'
   */
  readonly method?: string;

  /**
   * Headers sent with the request, by name.
   *
   * @default - none
   */
  readonly headers?: { [name: string]: string };

  /**
   * The request body.
   *
   * @default - no body
   */
  readonly body?: string;

  /**
   * The status code the new revision must answer.
   *
   * @default 200
   */
  readonly expectStatus?: number;

  /**
   * Text the answer's body must contain (its first MiB is read).
   *
   * @default - the body is not checked
   */
  readonly expectBodyContains?: string;
}

/** How a smoke test repeats its requests and how long it waits for answers. */
export interface SmokeTestOptions {
  /**
   * How many times each request is sent: every answer must be as expected. From 1 to 10.
   *
   * @default 3
   */
  readonly requestCount?: number;

  /**
   * How long the new revision has to answer as expected, counted from the first try: while the load balancer answers
   * 502, 503 or 504 or nothing answers, the test tries again every 15 seconds until then, and fails after. From 1 to
   * 60 minutes.
   *
   * @default Duration.minutes(5)
   */
  readonly deadline?: Duration;
}

/** A smoke test of one request: the request, what it expects, and how it is repeated. */
export interface HttpSmokeTestOptions extends SmokeTestRequest, SmokeTestOptions {}

/**
 * Requests the new revision must answer as expected, through the load balancer, before any production traffic
 * reaches it. Made by `SmokeTest.http()` or `SmokeTest.requests()`.
 */
export class SmokeTest {
  /** One request, such as `SmokeTest.http({ path: '/health', expectStatus: 200 })`. */
  public static http(options: HttpSmokeTestOptions): SmokeTest {
    const { requestCount, deadline, ...request } = options;
    return new SmokeTest([request], { requestCount, deadline });
  }

  /** Several requests, sent in order: one to 10. */
  public static requests(requests: SmokeTestRequest[], options: SmokeTestOptions = {}): SmokeTest {
    return new SmokeTest([...requests], options);
  }

  /** @internal The requests, sent in order. */
  public readonly _requests: SmokeTestRequest[];
  /** @internal How many times each request is sent. */
  public readonly _requestCount: number;
  /** @internal How long the new revision has to answer as expected. */
  public readonly _deadline: Duration;

  private constructor(requests: SmokeTestRequest[], options: SmokeTestOptions) {
    this._requests = requests;
    this._requestCount = options.requestCount ?? 3;
    this._deadline = options.deadline ?? Duration.minutes(5);
  }
}

/** The minutes ECS waits for the hook's verdict beyond the smoke test's deadline. */
const HOOK_TIMEOUT_MARGIN_MINUTES = 5;

/** The header the test rule matches; its value is drawn by the traffic function and held by the rule alone. */
export const SMOKE_TEST_HEADER = 'x-private-fargate-smoke-test';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the test itself sets, or that the request's transport sets. */
const RESERVED_HEADERS = ['host', 'content-length', 'transfer-encoding', 'connection', SMOKE_TEST_HEADER];

/** What the smoke test reads from the construct's props. */
export interface SmokeTestProps {
  readonly smokeTest?: SmokeTest;
  readonly certificate?: unknown;
  readonly domainName?: string;
  readonly port?: number;
  readonly listenerPort?: number;
  readonly allowFrom?: ec2.IPeer[];
  readonly internetFacing?: boolean;
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  readonly trafficFunctionInVpc?: boolean;
  readonly taskSubnets?: ec2.SubnetSelection;
}

/** Refuses a smoke test that ECS or the function could not run: the requests, and a deployment with test traffic. */
export function validateSmokeTest(scope: IConstruct, smokeTest: SmokeTest, shiftsTraffic: boolean): void {
  if (!shiftsTraffic) {
    fail(scope, 'smokeTest needs the test traffic ECS sends only in canary, linear and blue/green deployments; received smokeTest with ' +
      'deployment Deployment.rolling(). Give deployment: Deployment.canary() (the default), Deployment.linear() or Deployment.blueGreen(), or leave smokeTest out');
  }
  const requests = smokeTest._requests;
  if (requests.length < 1 || requests.length > 10) {
    fail(scope, `smokeTest must send 1 to 10 requests; received ${requests.length}. Give SmokeTest.requests() from 1 to 10 requests`);
  }
  validateIntegerInRange(scope, 'smokeTest requestCount', smokeTest._requestCount, 1, 10);
  validateSecondsInRange(scope, 'smokeTest deadline', smokeTest._deadline, 60, 3600);
  requests.forEach((request, i) => validateRequest(scope, requests.length === 1 ? 'smokeTest' : `smokeTest requests[${i}]`, request));
}

function validateRequest(scope: IConstruct, of: string, request: SmokeTestRequest): void {
  const path = request.path;
  if (!Token.isUnresolved(path) && (typeof path !== 'string' || !/^\/[\x21-\x7e]{0,2047}$/.test(path))) {
    fail(scope, `${of} path must start with / and hold printable characters without spaces, at most 2048; received ${JSON.stringify(path)}. ` +
      'Give a path such as /health, with spaces written %20');
  }
  if (request.method !== undefined && !Token.isUnresolved(request.method) && !METHODS.includes(request.method)) {
    fail(scope, `${of} method must be one of ${METHODS.join(', ')}; received ${JSON.stringify(request.method)}. Give one of them, in capitals`);
  }
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (!HEADER_NAME.test(name) || RESERVED_HEADERS.includes(name.toLowerCase())) {
      fail(scope, `${of} headers must have HTTP names (letters, digits and symbols such as - and _) and not be ${RESERVED_HEADERS.join(', ')}, which the test sets; ` +
        `received the header ${JSON.stringify(name)}. ${wayOutOfHeader(name)}`);
    }
    if (!Token.isUnresolved(value) && /[\r\n\0]/.test(value)) {
      fail(scope, `${of} headers must not hold line breaks or NUL; received them in the header ${name}. Remove them`);
    }
  }
  if (request.expectStatus !== undefined) {
    validateIntegerInRange(scope, `${of} expectStatus`, request.expectStatus, 100, 599);
    if (NOT_YET.includes(request.expectStatus)) {
      fail(scope, `${of} expectStatus must not be ${NOT_YET.join(', ')}, which the load balancer answers while the new tasks do not; received ` +
        `${request.expectStatus}. Give the status the service itself answers, such as 200`);
    }
  }
  if (request.method === 'HEAD' && request.expectBodyContains !== undefined) {
    fail(scope, `${of} expectBodyContains needs a body, which an answer to HEAD has not; received method HEAD with expectBodyContains. ` +
      'Give method GET, or leave expectBodyContains out');
  }
}

/** The way out of a header the test may not send. */
function wayOutOfHeader(name: string): string {
  const lower = name.toLowerCase();
  if (lower === 'host') return 'Remove it, and give the service a domainName for its host name';
  if (RESERVED_HEADERS.includes(lower)) return 'Remove it: the test sets it';
  return 'Rename it with letters, digits and - only';
}

/** The statuses the load balancer answers when no target does: the test waits on them. */
const NOT_YET = [502, 503, 504];

/**
 * Refuses a smoke test whose requests could not reach the load balancer from where the stack's function runs: an
 * internal load balancer from outside the VPC, an internet-facing one from subnets with no route to the internet,
 * or a listener whose `allowFrom` leaves out the addresses the function calls from.
 */
export function validateSmokeTestReach(scope: IConstruct, props: SmokeTestProps, loadBalancer: elbv2.IApplicationLoadBalancer, vpc: ec2.IVpc): void {
  const scheme = schemeOf(props, loadBalancer);
  const inVpc = props.trafficFunctionInVpc ?? false;
  if (scheme === 'internal' && !inVpc) {
    fail(scope, 'smokeTest requests an internal load balancer, which only the VPC reaches, from the stack\'s traffic function; received ' +
      'trafficFunctionInVpc false. Give trafficFunctionInVpc: true (the function then runs in the task subnets), or leave smokeTest out');
  }
  if (scheme !== 'internal' && inVpc) {
    const egress = new Set(vpc.privateSubnets.map((subnet) => subnet.subnetId));
    const subnets = vpc.selectSubnets(props.taskSubnets ?? privateSubnetsOf(vpc)).subnets;
    if (!subnets.every((subnet) => egress.has(subnet.subnetId))) {
      const internal = props.loadBalancer ? '' : ', or give internetFacing: false';
      fail(scope, 'smokeTest requests an internet-facing load balancer at its public addresses, which subnets with no route to the internet ' +
        'cannot reach; received trafficFunctionInVpc true in such subnets. Give taskSubnets with a NAT gateway, or leave trafficFunctionInVpc ' +
        `at false on every service of the stack (the function then calls from outside the VPC)${internal}`);
    }
  }
  if (scheme !== 'internal' && props.allowFrom !== undefined) {
    const open = props.allowFrom.some((peer) => peer.uniqueId === ec2.Peer.anyIpv4().uniqueId);
    if (!open) {
      const from = inVpc ? 'the public addresses of the VPC\'s NAT gateways' : 'AWS Lambda\'s addresses outside the VPC';
      const received = props.allowFrom.map((peer) => peer.uniqueId).join(', ');
      fail(scope, `smokeTest sends its requests to the internet-facing load balancer from the stack's traffic function, which calls from ${from}; ` +
        `received allowFrom ${received}, without them, so the test could never reach the load balancer. Leave allowFrom out, or add ` +
        'ec2.Peer.anyIpv4() to it, or leave smokeTest out');
    }
  }
}

/** The scheme of the load balancer: the props' for a new one, the template's for one made in the app, else unknown. */
function schemeOf(props: SmokeTestProps, loadBalancer: elbv2.IApplicationLoadBalancer): string | undefined {
  if (!props.loadBalancer) return (props.internetFacing ?? true) ? 'internet-facing' : 'internal';
  const cfn = loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer | undefined;
  return cfn?.scheme ?? (cfn ? 'internet-facing' : undefined);
}

/** What the smoke test works on. */
export interface SmokeTestParts {
  readonly service: ecs.FargateService;
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  /** What the service's production rule matches, and the test rule's priority: just before it. */
  readonly match: RuleMatch;
  readonly targetGroups: WeightedTargetGroup[];
}

/** The smoke test built: its test rule's ARN (for the service's advanced configuration) and its hook. */
export interface BuiltSmokeTest {
  readonly testRuleArn: string;
  readonly hook: SmokeTestHook;
}

/**
 * Builds the test rule (the production rule's match and target groups, plus the header, one priority before it),
 * the hook that runs the smoke test with the stack's function and ECS role (the service's first), and the function's
 * path to the load balancer when it runs in the VPC.
 */
export function buildSmokeTest(scope: Construct, props: SmokeTestProps, smokeTest: SmokeTest, parts: SmokeTestParts): BuiltSmokeTest {
  validateSmokeTestPaths(scope, smokeTest, parts.match.paths);
  const rule = new ListenerRule(scope, 'TestRule', parts.listener, parts.match, parts.targetGroups, { secretHeader: SMOKE_TEST_HEADER });
  const control = TrafficControl.of(scope);
  control.allowHooks();
  // The hook is the service's first (the service is made just before): writeLifecycleHooks gives it its details.
  parts.service.addLifecycleHook({
    bind: () => ({ targetArn: control.serviceToken, role: control.ecsRole, lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT] }),
  });
  const https = props.certificate !== undefined || props.domainName !== undefined;
  const port = https ? 443 : props.listenerPort ?? props.port ?? 80;
  const dns = parts.loadBalancer.loadBalancerDnsName;
  const url = `${https ? 'https' : 'http'}://${dns}${port === (https ? 443 : 80) ? '' : `:${port}`}`;
  const details = {
    SmokeTest: {
      TestRule: rule.ruleArn,
      Header: SMOKE_TEST_HEADER,
      Url: url,
      ...(props.domainName !== undefined ? { Host: hostOf(props.domainName) } : {}),
      Requests: smokeTest._requests.map(renderRequest),
      Count: smokeTest._requestCount,
      DeadlineSeconds: smokeTest._deadline.toSeconds(),
    },
  };
  // In the VPC, the function reaches the listener: from its security group to the load balancer's (an internal one),
  // or out through the NAT gateway to the public addresses (an internet-facing one, which admits them already).
  const securityGroup = control.securityGroup;
  if (securityGroup) {
    if (schemeOf(props, parts.loadBalancer) === 'internal') {
      parts.listener.connections.allowDefaultPortFrom(securityGroup, 'The smoke test of the traffic function');
    } else {
      securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), 'The smoke test, to the load balancer\'s public addresses');
    }
  }
  // ECS rolls back when the hook has no verdict a few minutes after the deadline (the function answers FAILED at the
  // deadline; this bounds a hook whose calls stop).
  const timeoutMinutes = Math.ceil(smokeTest._deadline.toSeconds() / 60) + HOOK_TIMEOUT_MARGIN_MINUTES;
  return { testRuleArn: rule.ruleArn, hook: { details, timeoutMinutes } };
}

/**
 * Refuses requests whose paths the service's `pathPatterns` do not match (ELB's path-pattern condition: case-sensitive,
 * `*` any characters, `?` one): the test rule would not match them, and they would reach another rule and its tasks.
 */
function validateSmokeTestPaths(scope: IConstruct, smokeTest: SmokeTest, patterns: string[] | undefined): void {
  if (!patterns) return;
  smokeTest._requests.forEach((request, i) => {
    const path = request.path.split('?')[0];
    if (Token.isUnresolved(request.path) || patterns.some((pattern) => Token.isUnresolved(pattern) || elbWildcard(pattern).test(path))) return;
    const of = smokeTest._requests.length === 1 ? 'smokeTest' : `smokeTest requests[${i}]`;
    fail(scope, `${of} path must be one the service's pathPatterns match, or the test rule would not match it and another rule would ` +
      `answer; received ${path} with the pathPatterns ${patterns.join(', ')}. Give a path under them, such as ${example(patterns[0])}`);
  });
}

/** A path a pattern matches, for a message: its wildcards filled in. */
function example(pattern: string): string {
  return pattern.replace(/\*/g, 'health').replace(/\?/g, 'a');
}

/** A host name the domain's host condition matches: a wildcard name's `*` becomes `smoke-test` (a DNS name has no `?`). */
function hostOf(domainName: string): string {
  return domainName.replace(/\*/g, 'smoke-test');
}

/** A request as the function reads it, its headers in name order (the same template whatever the map's order). */
function renderRequest(request: SmokeTestRequest): object {
  const headers = Object.keys(request.headers ?? {}).sort().map((name) => [name, request.headers![name]]);
  return {
    Path: request.path,
    ...(request.method !== undefined ? { Method: request.method } : {}),
    ...(headers.length > 0 ? { Headers: Object.fromEntries(headers) } : {}),
    ...(request.body !== undefined ? { Body: request.body } : {}),
    ExpectStatus: request.expectStatus ?? 200,
    ...(request.expectBodyContains !== undefined ? { ExpectBodyContains: request.expectBodyContains } : {}),
  };
}

/**
 * The benchmark against aws-ecs-patterns: synthesizes N = 1, 10 and 20 services on one VPC with
 * PrivateFargateBehindAlb (at its defaults with a load balancer each, the same with one shared load
 * balancer, and with `Deployment.rolling()`) and with ApplicationLoadBalancedFargateService set up to do
 * the same job (scripts/bench-setups.ts: isolated subnets, the four endpoints added by hand, CPU
 * autoscaling 1 to 3, and the construct's three deployment alarms rolling a release back), once with the
 * canary the defaults make added by hand and once rolling, alternating the sides, and prints medians and
 * ratios of synth time (with the spread of the runs), template size, deployment timing and a fixed monthly
 * network cost; `cdk synth` of 1 and 10 services with the real CLI, each side; the targets of issue 32
 * (lean against the same job) with the figures before that work and after it, each with PASS or MISS; beside it,
 * a monthly cost model of running the tasks (x86, ARM64, ARM64 with Spot) against the peer as users set
 * it up (NAT gateways); and, from a CPU profile of each side at the largest N, where the synth time goes. It
 * writes docs/BENCHMARKS.md and docs/benchmarks.svg.
 *
 * Usage: ts-node scripts/bench.ts [--runs 9] [--out docs]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as ts from 'typescript';
import * as library from '../src';
import { Deployment, PrivateFargateBehindAlb, PrivateFargateBehindAlbProps } from '../src';
import { attributeProfile, GC_PHASE, jsonValues, PHASES, profileOf, SynthProfile } from './bench-profile';
import { buildConstruct, buildPeer, image } from './bench-setups';

const COUNTS = [1, 10, 20];
const option = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const RUNS = Number(option('--runs') ?? 9);
const OUT = option('--out') ?? 'docs';
const RESOURCE_LIMIT = 500;
/** IAM's limit on the inline policies of one role, in characters without white space. */
const ROLE_POLICY_LIMIT = 10_240;
/** The services of the `cdk synth` runs, each side. */
const CLI_COUNTS = [1, 10];
const HOURS_PER_MONTH = 730;
/** us-east-1 on-demand prices (REFERENCE: interface endpoint per AZ-hour, NAT gateway and ALB per hour). */
const PRICE = { interfaceEndpointAzHour: 0.01, natGatewayHour: 0.045, albHour: 0.0225 };
const AZS = 2;
const INTERFACE_ENDPOINTS = 3;
/**
 * us-east-1 Fargate list prices (AWS Fargate pricing page, as of November 2026): per vCPU-hour and per
 * GB-hour, x86 and ARM64 (0.80 of x86). Fargate Spot is "up to 70 %" off and its price varies: the
 * model assumes the 70 %.
 */
const FARGATE = {
  X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
  ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 },
};
const SPOT_DISCOUNT = 0.7;
const PRICES_AS_OF = 'November 2026';
/** The cost model's service: 2 tasks of 0.5 vCPU and 1 GiB running all month. */
const COST_TASKS = 2;

type Side = 'construct' | 'shared' | 'rolling' | 'peer' | 'peerRolling';
const SIDES: Side[] = ['construct', 'shared', 'rolling', 'peer', 'peerRolling'];
const LABEL: Record<Side, string> = {
  construct: 'PrivateFargateBehindAlb (defaults: canary, an ALB each)',
  shared: 'PrivateFargateBehindAlb (canary, one shared ALB)',
  rolling: 'PrivateFargateBehindAlb (Deployment.rolling(), an ALB each)',
  peer: 'ApplicationLoadBalancedFargateService (same job: a canary by hand, the alarms)',
  peerRolling: 'ApplicationLoadBalancedFargateService (rolling, the alarms)',
};
const SHORT: Record<Side, string> = { construct: 'defaults', shared: 'shared ALB', rolling: 'rolling', peer: 'peer (canary)', peerRolling: 'peer (rolling)' };
const COLORS: Record<Side, string> = { construct: '#1f77b4', shared: '#2ca02c', rolling: '#9467bd', peer: '#d62728', peerRolling: '#ff7f0e' };
/** The construct's sides, each measured against its peer. */
const CONSTRUCT_SIDES: Side[] = ['construct', 'shared', 'rolling'];
/** The peer each side is measured against: the one doing the same job. */
const PEER_OF: Record<Side, Side> = { construct: 'peer', shared: 'peer', rolling: 'peerRolling', peer: 'peer', peerRolling: 'peerRolling' };

/**
 * The figures of issue 32, measured on the code before the issues on AWS as it behaves and on the
 * traffic function, against the peer with a canary by hand whose alarms read one of its two target
 * groups (5 alternating runs). The issue gives them for the defaults only.
 */
const BEFORE = {
  resourcesPerService: { construct: '20', peer: '21' },
  servicesPerStack: { construct: '23', peer: '22' },
  kibPerService: { construct: '13.5', peer: '9.9' },
  synthRatio: { 1: '0.92', 10: '0.93', 20: '0.88' } as Record<number, string>,
};

function buildSide(stack: Stack, side: Side, count: number): void {
  if (side === 'peer' || side === 'peerRolling') buildPeer(stack, count, true, side === 'peer');
  else buildConstruct(library, stack, count, { shareLoadBalancer: side === 'shared', rolling: side === 'rolling' });
}

interface Measure {
  /** CPU seconds of this process (user and system) to build and synthesize the app. */
  cpu: number;
  /** Wall-clock seconds of the same. */
  wall: number;
  resources: number;
  /** Bytes of the template as compact JSON. */
  bytes: number;
  template: any;
}

/** Synths per measure: a small app is synthesized several times and the mean taken, for steadier figures. */
const repeatsFor = (count: number) => Math.max(1, Math.round(10 / count));

function measure(side: Side, count: number): Measure {
  return measureBuild((stack) => buildSide(stack, side, count), count);
}

/** One measure of an app of one stack that `build` fills with `count` services. */
function measureBuild(build: (stack: Stack) => void, count: number): Measure {
  const repeats = repeatsFor(count);
  let cpu = 0;
  let wall = 0;
  let template: any;
  for (let i = 0; i < repeats; i++) {
    const startCpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    // No limit while measuring: a side may pass 500 resources at the largest N, and the construct's traffic
    // role would pass IAM's policy limit, which synth refuses; validations are skipped on both sides.
    const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
    const stack = new Stack(app, 'Bench');
    build(stack);
    const assembly = app.synth({ skipValidation: true });
    wall += Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(startCpu);
    cpu += (used.user + used.system) / 1e6;
    template = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'Bench.template.json'), 'utf-8'));
    fs.rmSync(assembly.directory, { recursive: true, force: true });
  }
  return {
    cpu: cpu / repeats,
    wall: wall / repeats,
    resources: Object.keys(template.Resources).length,
    bytes: Buffer.byteLength(JSON.stringify(template)),
    template,
  };
}

/** The setups in the order of one run: starting with another one and in the other direction each run. */
function alternated<T>(items: readonly T[], run: number): T[] {
  const rotated = [...items.slice(run % items.length), ...items.slice(0, run % items.length)];
  return run % 2 === 0 ? rotated : rotated.reverse();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * The library as users get it from npm: src/ compiled to JavaScript (without type checks, as jsii emits
 * it: ES2022, CommonJS, inline source maps) in a scratch folder beside links to assets/ and node_modules/.
 */
function compileLibrary(dir: string): string {
  const lib = path.join(dir, 'lib');
  fs.mkdirSync(lib, { recursive: true });
  for (const file of fs.readdirSync('src').filter((name) => name.endsWith('.ts'))) {
    const { outputText } = ts.transpileModule(fs.readFileSync(path.join('src', file), 'utf-8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true, inlineSources: true,
      },
    });
    fs.writeFileSync(path.join(lib, file.replace(/\.ts$/, '.js')), outputText);
  }
  for (const link of ['assets', 'node_modules']) fs.symlinkSync(path.resolve(link), path.join(dir, link));
  return lib;
}

/**
 * CPU seconds (user and system, of the CLI and the app it runs) of `cdk synth` of N services of a side,
 * as bash's `time` counts them. The app is scripts/bench-app.ts run by ts-node without type checks (the
 * same file on both sides), the library compiled as it is published; the CLI runs in an empty folder,
 * without notices or telemetry.
 */
function cliCpu(side: Side, count: number, compiled: string, work: string): number {
  const bin = (name: string) => path.resolve('node_modules', '.bin', name);
  const app = `${bin('ts-node')} --transpile-only --project ${path.resolve('tsconfig.dev.json')} ${path.resolve('scripts', 'bench-app.ts')}`;
  const out = path.join(work, `cdk.out.${side}`);
  const synth = `${bin('cdk')} synth --app '${app}' --output '${out}' --quiet --no-notices > /dev/null 2> '${out}.log'`;
  const command = `TIMEFORMAT='%3U %3S'; { time ${synth}; } 2>&1`;
  const result = spawnSync('bash', ['-c', command], {
    cwd: work,
    encoding: 'utf-8',
    env: {
      ...process.env,
      BENCH_SIDE: side,
      BENCH_SERVICES: `${count}`,
      BENCH_LIBRARY: compiled,
      CDK_DISABLE_VERSION_CHECK: '1',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
    },
  });
  const times = result.stdout.trim().split(/\s+/).map(Number);
  if (result.status !== 0 || times.length !== 2 || times.some(Number.isNaN) || !fs.existsSync(path.join(out, 'Bench.template.json'))) {
    throw new Error(`cdk synth of ${side} failed: ${result.stdout}${result.stderr}${fs.existsSync(`${out}.log`) ? fs.readFileSync(`${out}.log`, 'utf-8') : ''}`);
  }
  fs.rmSync(out, { recursive: true, force: true });
  return times[0] + times[1];
}

/**
 * The characters (without white space, as IAM counts them) of the stack's traffic role's inline policy,
 * with each reference replaced by an ARN at its longest: names of 32 characters, the longest region name.
 */
function trafficPolicyCharacters(template: any): number | undefined {
  const entry = Object.entries<any>(template.Resources).find(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith('PrivateFargateTrafficControlFunctionRole'));
  if (!entry) return undefined;
  const prefix = 'arn:aws:elasticloadbalancing:ap-southeast-2:123456789012';
  const name = 'x'.repeat(32);
  const id = '0123456789abcdef';
  const listener = `${prefix}:listener/app/${name}/${id}/${id}`;
  const targetGroup = `${prefix}:targetgroup/${name}/${id}`;
  const real = (value: any): any => {
    if (Array.isArray(value)) return value.map(real);
    if (value && typeof value === 'object') {
      const text = JSON.stringify(value);
      if ('Fn::Join' in value && text.includes(':listener-rule/')) return `${prefix}:listener-rule/app/*`;
      if ('Fn::GetAtt' in value) return `arn:aws:logs:ap-southeast-2:123456789012:log-group:${name}-${name}:*`;
      if ('Ref' in value && value.Ref === 'AWS::StackId') return `arn:aws:cloudformation:ap-southeast-2:123456789012:stack/${name}/00000000-0000-0000-0000-000000000000`;
      if ('Ref' in value) return template.Resources[value.Ref]?.Type === 'AWS::ElasticLoadBalancingV2::Listener' ? listener : targetGroup;
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, real(item)]));
    }
    return value;
  };
  return entry[1].Properties.Policies.reduce((sum: number, policy: any) => sum + JSON.stringify(real(policy.PolicyDocument)).length, 0);
}

/** Seconds until a new target counts healthy, and seconds to drain one, from the first target group. */
function deploymentTiming(template: any): { healthy: number; drain: number } {
  const group: any = Object.values(template.Resources).find((r: any) => r.Type === 'AWS::ElasticLoadBalancingV2::TargetGroup');
  const properties = group.Properties;
  const attribute = (properties.TargetGroupAttributes ?? []).find((a: any) => a.Key === 'deregistration_delay.timeout_seconds');
  // ELB defaults where the template leaves a value out.
  const interval = properties.HealthCheckIntervalSeconds ?? 30;
  const healthy = properties.HealthyThresholdCount ?? 5;
  return { healthy: interval * healthy, drain: attribute ? Number(attribute.Value) : 300 };
}

const STRATEGIES: Array<[string, Deployment]> = [
  ['Deployment.canary() (the default)', Deployment.canary()],
  ['Deployment.linear()', Deployment.linear()],
  ['Deployment.blueGreen()', Deployment.blueGreen()],
  ['Deployment.rolling()', Deployment.rolling()],
];

/** The one service of a one-service stack, synthesized. */
function oneService(build: (stack: Stack) => void): any {
  const app = new App();
  const stack = new Stack(app, 'Bench');
  build(stack);
  const template = app.synth().getStackByName('Bench').template;
  return template;
}

/**
 * Seconds from the start of a deployment to all production traffic on the new tasks, and to the end
 * of the deployment, read from the template: the health check (interval x healthy threshold) once
 * the new tasks run, the traffic steps and their bake times, the bake time, and the deregistration
 * delay of the old tasks. With alarms, ECS adds to a rolling deployment a bake time it computes from
 * them; it is counted here as the alarms' evaluation window (period x evaluation periods).
 */
function strategyTiming(template: any): { traffic: number; end: number; steps: string } {
  const { healthy, drain } = deploymentTiming(template);
  const service: any = Object.values(template.Resources).find((r: any) => r.Type === 'AWS::ECS::Service');
  const configuration = service.Properties.DeploymentConfiguration ?? {};
  const bake = (configuration.BakeTimeInMinutes ?? 0) * 60;
  if (configuration.CanaryConfiguration) {
    const step = configuration.CanaryConfiguration.CanaryBakeTimeInMinutes * 60;
    return { traffic: healthy + step, end: healthy + step + bake + drain, steps: `${configuration.CanaryConfiguration.CanaryPercent} %, then 100 %` };
  }
  if (configuration.LinearConfiguration) {
    const shifts = Math.ceil(100 / configuration.LinearConfiguration.StepPercent);
    const step = configuration.LinearConfiguration.StepBakeTimeInMinutes * 60;
    return { traffic: healthy + (shifts - 1) * step, end: healthy + (shifts - 1) * step + bake + drain, steps: `${shifts} steps of ${configuration.LinearConfiguration.StepPercent} %` };
  }
  if (configuration.Strategy === 'BLUE_GREEN') {
    return { traffic: healthy, end: healthy + bake + drain, steps: '100 %' };
  }
  const alarm: any = Object.values(template.Resources).find((r: any) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.Period);
  const alarmBake = alarm ? alarm.Properties.Period * alarm.Properties.EvaluationPeriods : 0;
  return { traffic: healthy, end: healthy + drain + alarmBake, steps: 'task by task' };
}

/** Where the time of one measure of a side at N goes. */
function profileSynth(side: Side, count: number): SynthProfile {
  return attributeProfile(profileOf(() => measure(side, count)), repeatsFor(count));
}

/**
 * The setups that split the defaults' synth time into its parts: the construct at its defaults and with
 * `Deployment.rolling()`, and the peer with a canary, each with and without its three alarms (with them:
 * the sides of the main measure, built the same way), and the rolling peer without them.
 */
type Part = 'defaults' | 'defaultsNoAlarms' | 'smokeTest' | 'rolling' | 'rollingNoAlarms' | 'peer' | 'peerNoAlarms' | 'peerRollingNoAlarms';
const PARTS: Record<Part, { label: string; build: (stack: Stack, count: number) => void }> = {
  defaults: { label: 'PrivateFargateBehindAlb, defaults (canary, alarms)', build: (stack, n) => buildSide(stack, 'construct', n) },
  defaultsNoAlarms: { label: 'the same, `deploymentAlarms: false`', build: (stack, n) => buildConstruct(library, stack, n, { alarms: false }) },
  smokeTest: { label: 'the defaults with `smokeTest` (a test rule and a hook per service)', build: (stack, n) => buildConstruct(library, stack, n, { smokeTest: true }) },
  rolling: { label: 'PrivateFargateBehindAlb, `Deployment.rolling()` (alarms)', build: (stack, n) => buildSide(stack, 'rolling', n) },
  rollingNoAlarms: { label: 'the same, `deploymentAlarms: false`', build: (stack, n) => buildConstruct(library, stack, n, { rolling: true, alarms: false }) },
  peer: { label: 'peer with a canary, same job (alarms)', build: (stack, n) => buildSide(stack, 'peer', n) },
  peerNoAlarms: { label: 'the same, without the alarms', build: (stack, n) => buildPeer(stack, n, false, true) },
  peerRollingNoAlarms: { label: 'the rolling peer, without the alarms', build: (stack, n) => buildPeer(stack, n, false, false) },
};

/** CPU milliseconds per synth of each part, by N, one entry per run (the parts alternating as in the main measure). */
type PartRuns = Record<Part, Record<number, number[]>>;

/** The parts measured: CPU milliseconds per run, and the resources and template bytes of each part by N. */
interface PartMeasures {
  readonly runs: PartRuns;
  readonly resources: Record<Part, Record<number, number>>;
  readonly bytes: Record<Part, Record<number, number>>;
}

function measureParts(): PartMeasures {
  const parts = Object.keys(PARTS) as Part[];
  const runs = Object.fromEntries(parts.map((part) => [part, {}])) as PartRuns;
  const resources = Object.fromEntries(parts.map((part) => [part, {}])) as Record<Part, Record<number, number>>;
  const bytes = Object.fromEntries(parts.map((part) => [part, {}])) as Record<Part, Record<number, number>>;
  for (const count of COUNTS) {
    for (let run = 0; run < RUNS; run++) {
      for (const part of alternated(parts, run)) {
        const measured = measureBuild((stack) => PARTS[part].build(stack, count), count);
        (runs[part][count] ??= []).push(1000 * measured.cpu);
        resources[part][count] = measured.resources;
        bytes[part][count] = measured.bytes;
      }
    }
  }
  return { runs, resources, bytes };
}

function countOf(template: any, type: string): number {
  return Object.values(template.Resources).filter((r: any) => r.Type === type).length;
}

/** Dollars a month for what a VPC of N services pays by the hour, whatever the traffic. */
function monthlyCost(template: any): { endpoints: number; nat: number; albs: number; total: number } {
  const interfaceEndpoints = Object.values(template.Resources)
    .filter((r: any) => r.Type === 'AWS::EC2::VPCEndpoint' && r.Properties.VpcEndpointType === 'Interface').length;
  const endpoints = interfaceEndpoints * AZS * PRICE.interfaceEndpointAzHour * HOURS_PER_MONTH;
  const nat = countOf(template, 'AWS::EC2::NatGateway') * PRICE.natGatewayHour * HOURS_PER_MONTH;
  const albs = countOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer') * PRICE.albHour * HOURS_PER_MONTH;
  return { endpoints, nat, albs, total: endpoints + nat + albs };
}

function table(header: string[], rows: Array<Array<string | number>>): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);
const dollars = (value: number) => `$${value.toFixed(2)}`;

function chart(results: Record<Side, Record<number, { cpu: number; resources: number }>>): string {
  const width = 800;
  const height = 340;
  const panel = (x0: number, title: string, key: 'cpu' | 'resources', unit: string) => {
    const max = Math.max(...SIDES.flatMap((side) => COUNTS.map((n) => results[side][n][key])), key === 'resources' ? RESOURCE_LIMIT : 0);
    const plotW = 300;
    const plotH = 200;
    const px = (n: number) => x0 + 50 + (n / COUNTS[COUNTS.length - 1]) * plotW;
    const py = (v: number) => 40 + plotH - (v / max) * plotH;
    const lines = SIDES.map((side) => {
      const points = COUNTS.map((n) => `${px(n).toFixed(1)},${py(results[side][n][key]).toFixed(1)}`).join(' ');
      const dots = COUNTS.map((n) => `<circle cx="${px(n).toFixed(1)}" cy="${py(results[side][n][key]).toFixed(1)}" r="3" fill="${COLORS[side]}"/>`).join('');
      return `<polyline fill="none" stroke="${COLORS[side]}" stroke-width="2" points="${points}"/>${dots}`;
    }).join('\n');
    const ticks = COUNTS.map((n) => `<text x="${px(n)}" y="${40 + plotH + 16}" font-size="11" text-anchor="middle">${n}</text>`).join('');
    const yTicks = [0, 0.5, 1].map((f) => `<text x="${x0 + 44}" y="${py(max * f) + 4}" font-size="11" text-anchor="end">${key === 'cpu' ? (max * f).toFixed(2) : Math.round(max * f)}</text>`).join('');
    const limit = key === 'resources'
      ? `<line x1="${x0 + 50}" y1="${py(RESOURCE_LIMIT)}" x2="${x0 + 50 + plotW}" y2="${py(RESOURCE_LIMIT)}" stroke="#999" stroke-dasharray="4 3"/><text x="${x0 + 54}" y="${py(RESOURCE_LIMIT) - 4}" font-size="10" fill="#666">stack limit ${RESOURCE_LIMIT}</text>`
      : '';
    return `${limit}<text x="${x0 + 50 + plotW / 2}" y="22" font-size="13" text-anchor="middle" font-weight="bold">${title}</text>
<line x1="${x0 + 50}" y1="${40 + plotH}" x2="${x0 + 50 + plotW}" y2="${40 + plotH}" stroke="#333"/>
<line x1="${x0 + 50}" y1="40" x2="${x0 + 50}" y2="${40 + plotH}" stroke="#333"/>
${ticks}${yTicks}
<text x="${x0 + 50 + plotW / 2}" y="${40 + plotH + 32}" font-size="11" text-anchor="middle">services (N)</text>
<text x="${x0 + 12}" y="${40 + plotH / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 ${x0 + 12} ${40 + plotH / 2})">${unit}</text>
${lines}`;
  };
  const legend = SIDES.map((side, i) => {
    const x = 20 + (i % 2) * 390;
    const y = height - 58 + Math.floor(i / 2) * 18;
    return `<rect x="${x}" y="${y}" width="12" height="12" fill="${COLORS[side]}"/><text x="${x + 18}" y="${y + 10}" font-size="11">${LABEL[side]}</text>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${panel(0, 'Synth CPU time (median)', 'cpu', 'CPU seconds')}
${panel(380, 'CloudFormation resources', 'resources', 'resources')}
${legend}
</svg>
`;
}

/** The setups of the cost model, each built with N services of 2 tasks of 0.5 vCPU / 1 GiB. */
type CostSetup = 'x86' | 'arm64' | 'arm64Spot';
const COST_SETUPS: Record<CostSetup, { label: string; props: PrivateFargateBehindAlbProps }> = {
  x86: { label: 'x86, on demand', props: {} },
  arm64: { label: 'ARM64, on demand', props: { cpuArchitecture: ecs.CpuArchitecture.ARM64 } },
  arm64Spot: {
    label: `ARM64, 1 task on demand and the rest on Spot (${SPOT_DISCOUNT * 100} % off)`,
    props: {
      cpuArchitecture: ecs.CpuArchitecture.ARM64,
      capacityProviderStrategies: [{ capacityProvider: 'FARGATE', base: 1, weight: 0 }, { capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    },
  },
};

/** One service of a cost setup, synthesized, as `computePerService` reads it. */
function costTemplate(setup: CostSetup): any {
  const app = new App();
  const stack = new Stack(app, 'Cost');
  new PrivateFargateBehindAlb(stack, 'Service0', { image, cpu: 512, memoryLimitMiB: 1024, minCapacity: COST_TASKS, ...COST_SETUPS[setup].props });
  return app.synth().getStackByName('Cost').template;
}

/** The peer as users set it up: aws-ecs-patterns on a cluster whose default VPC has a NAT gateway per AZ. */
function peerWithNatTemplate(count: number): any {
  const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'Cost');
  const cluster = new ecs.Cluster(stack, 'Cluster');
  for (let i = 0; i < count; i++) {
    const port = i === 0 ? 80 : 8000 + i;
    new ecsPatterns.ApplicationLoadBalancedFargateService(stack, `Service${i}`, {
      cluster,
      cpu: 512,
      memoryLimitMiB: 1024,
      desiredCount: COST_TASKS,
      listenerPort: port,
      taskImageOptions: { image, containerPort: port },
      minHealthyPercent: 100,
    });
  }
  return app.synth().getStackByName('Cost').template;
}

/**
 * Dollars a month of the tasks of every service of a template, COST_TASKS each: the task size and
 * architecture from its task definition, the share on FARGATE_SPOT from its capacity provider strategy
 * (the base first, the rest by weight).
 */
function computeCost(template: any): number {
  const resources = template.Resources as Record<string, any>;
  let monthly = 0;
  for (const service of Object.values(resources).filter((r) => r.Type === 'AWS::ECS::Service')) {
    const taskDefinition = resources[service.Properties.TaskDefinition.Ref].Properties;
    const price = FARGATE[(taskDefinition.RuntimePlatform?.CpuArchitecture ?? 'X86_64') as keyof typeof FARGATE];
    const taskHour = (Number(taskDefinition.Cpu) / 1024) * price.vcpuHour + (Number(taskDefinition.Memory) / 1024) * price.gbHour;
    const strategy: Array<{ CapacityProvider: string; Base?: number; Weight?: number }> =
      service.Properties.CapacityProviderStrategy ?? [{ CapacityProvider: 'FARGATE', Weight: 1 }];
    const base = strategy.find((item) => item.Base)!;
    const rest = COST_TASKS - Math.min(COST_TASKS, base?.Base ?? 0);
    const totalWeight = strategy.reduce((sum, item) => sum + (item.Weight ?? 0), 0);
    const spotTasks = (base?.CapacityProvider === 'FARGATE_SPOT' ? COST_TASKS - rest : 0) +
      rest * (strategy.find((item) => item.CapacityProvider === 'FARGATE_SPOT')?.Weight ?? 0) / totalWeight;
    monthly += (COST_TASKS - spotTasks * SPOT_DISCOUNT) * taskHour * HOURS_PER_MONTH;
  }
  return monthly;
}

/** The monthly cost table: compute, endpoints, NAT and load balancers of each setup at each N, and the ratio to the peer. */
function costModel(templates: { construct: Record<number, any>; shared: Record<number, any> }): string {
  const perService = Object.fromEntries((Object.keys(COST_SETUPS) as CostSetup[]).map((setup) => [setup, computeCost(costTemplate(setup))]));
  const rows: Array<Array<string | number>> = [];
  for (const n of COUNTS) {
    const peerTemplate = peerWithNatTemplate(n);
    const peer = { compute: computeCost(peerTemplate), ...monthlyCost(peerTemplate) };
    const peerTotal = peer.compute + peer.total;
    for (const setup of Object.keys(COST_SETUPS) as CostSetup[]) {
      for (const [front, template] of [['an ALB each', templates.construct[n]], ['one shared ALB', templates.shared[n]]] as const) {
        const network = monthlyCost(template);
        const compute = perService[setup] * n;
        rows.push([n, `PrivateFargateBehindAlb, ${COST_SETUPS[setup].label}, shared endpoints, ${front}`,
          dollars(compute), dollars(network.endpoints), dollars(network.nat), dollars(network.albs), dollars(compute + network.total),
          fixed((compute + network.total) / peerTotal)]);
      }
    }
    rows.push([n, 'ApplicationLoadBalancedFargateService as users set it up: x86, on demand, a NAT gateway per AZ, an ALB each',
      dollars(peer.compute), dollars(peer.endpoints), dollars(peer.nat), dollars(peer.albs), dollars(peerTotal), fixed(1)]);
  }
  return table(['N', 'setup', 'compute', 'endpoints', 'NAT gateways', 'load balancers', 'total', 'ratio to the peer'], rows);
}

/** A target of issue 32: the figure before (from the issue) and after (this run), and whether it holds. */
interface Target {
  readonly figure: string;
  readonly before: string;
  readonly peerBefore: string;
  readonly after: string;
  readonly peer: string;
  readonly target: string;
  readonly holds: boolean;
}

function main(): void {
  const samples = Object.fromEntries(SIDES.map((side) => [side, {}])) as Record<Side, Record<number, Measure[]>>;
  // Warm up the module cache so the first measured run is not the one that loads aws-cdk-lib.
  for (const side of SIDES) measure(side, 1);
  for (const count of COUNTS) {
    for (let run = 0; run < RUNS; run++) {
      for (const side of alternated(SIDES, run)) (samples[side][count] ??= []).push(measure(side, count));
    }
  }

  const results = {} as Record<Side, Record<number, Measure>>;
  for (const side of SIDES) {
    results[side] = {};
    for (const count of COUNTS) {
      const runs = samples[side][count];
      results[side][count] = { ...runs[0], cpu: median(runs.map((r) => r.cpu)), wall: median(runs.map((r) => r.wall)) };
    }
  }

  // Per added service, from the first N to the last (each added service adds the same: checked over both spans).
  const [first, middle, last] = COUNTS;
  const slope = (side: Side, key: 'resources' | 'bytes', from: number, to: number) => (results[side][to][key] - results[side][from][key]) / (to - from);
  const perService = (side: Side, key: 'resources' | 'bytes') => slope(side, key, first, last);
  for (const side of SIDES) {
    if (slope(side, 'resources', first, middle) !== slope(side, 'resources', middle, last)) {
      throw new Error(`${side}: the resources per added service differ from ${first} to ${middle} and from ${middle} to ${last}; the per-service figures assume they do not`);
    }
  }
  // The most services whose stack holds at most 500 resources.
  const fitting = (side: Side) => Math.floor((RESOURCE_LIMIT - results[side][first].resources) / perService(side, 'resources')) + first;
  const kib = (bytes: number) => bytes / 1024;
  const valuesPerService = (side: Side) => (jsonValues(results[side][last].template) - jsonValues(results[side][first].template)) / (last - first);
  // The synth time ratio to the same job's peer: of the medians, and of each run (the two sides measured in that run).
  const ratio = (side: Side, n: number) => results[side][n].cpu / results[PEER_OF[side]][n].cpu;
  const runRatios = (side: Side, n: number) => samples[side][n].map((measured, run) => measured.cpu / samples[PEER_OF[side]][n][run].cpu);
  const spread = (values: number[]) => `${fixed(Math.min(...values))}–${fixed(Math.max(...values))}`;
  /** The figure with the spread of its runs, and a word when the runs fall on both sides of the target. */
  const withSpread = (value: number, runs: number[], target: number) => {
    const crosses = Math.min(...runs) <= target && Math.max(...runs) > target;
    return `${fixed(value)} (runs ${spread(runs)}${crosses ? `: the runs fall on both sides of ${fixed(target)}, take more runs` : ''})`;
  };

  // The traffic role's inline policy, and the most services before it passes IAM's limit.
  const policy = (side: Side, n: number) => trafficPolicyCharacters(results[side][n].template) ?? 0;
  const policyPerService = (side: Side) => (policy(side, last) - policy(side, first)) / (last - first);
  const policyFitting = (side: Side) => (policyPerService(side) > 0
    ? Math.floor((ROLE_POLICY_LIMIT - policy(side, first)) / policyPerService(side)) + first
    : Infinity);

  // What keeps the traffic weights: the function behind the listener rules, at each N.
  const keepers = (side: Side, n: number) => countOf(results[side][n].template, 'AWS::Lambda::Function');
  const rules = (side: Side, n: number) => countOf(results[side][n].template, 'Custom::PrivateFargateListenerRule');
  const cfnRules = (side: Side, n: number) => countOf(results[side][n].template, 'AWS::ElasticLoadBalancingV2::ListenerRule');

  // `cdk synth` with the real CLI, alternating the sides, at each of CLI_COUNTS.
  const CLI_SIDES: Side[] = ['construct', 'rolling', 'peer', 'peerRolling'];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'private-fargate-bench-'));
  const compiled = compileLibrary(work);
  const cliSamples = Object.fromEntries(CLI_SIDES.map((side) => [side, {}])) as Record<Side, Record<number, number[]>>;
  for (const count of CLI_COUNTS) {
    for (let run = 0; run < RUNS; run++) {
      for (const side of alternated(CLI_SIDES, run)) (cliSamples[side][count] ??= []).push(cliCpu(side, count, compiled, work));
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
  const cli = (side: Side, count: number) => median(cliSamples[side][count]);
  const cliRatio = (side: Side, count: number) => cli(side, count) / cli(PEER_OF[side], count);
  const cliRunRatios = (side: Side, count: number) => cliSamples[side][count].map((cpu, run) => cpu / cliSamples[PEER_OF[side]][count][run]);

  // The targets of issue 32: the defaults against the peer with a canary by hand, `Deployment.rolling()` against the rolling peer.
  const variants: Array<[Side, string]> = [['construct', 'defaults'], ['rolling', '`Deployment.rolling()`']];
  const peerName = (side: Side) => (PEER_OF[side] === 'peer' ? 'the peer with a canary' : 'the rolling peer');
  const targets: Target[] = [];
  for (const [side, name] of variants) {
    const defaults = side === 'construct';
    const peerResources = perService(PEER_OF[side], 'resources');
    targets.push({
      figure: `resources per added service, ${name}`,
      before: defaults ? BEFORE.resourcesPerService.construct : '—',
      peerBefore: defaults ? BEFORE.resourcesPerService.peer : '—',
      after: fixed(perService(side, 'resources'), 1),
      peer: fixed(peerResources, 1),
      target: `≤ ${fixed(peerResources, 0)} (${peerName(side)}'s)`,
      holds: perService(side, 'resources') <= peerResources,
    });
  }
  for (const [side, name] of variants) {
    const defaults = side === 'construct';
    const fits = Math.min(fitting(side), policyFitting(side));
    targets.push({
      figure: `services per stack within ${RESOURCE_LIMIT} resources, ${name}`,
      before: defaults ? BEFORE.servicesPerStack.construct : '—',
      peerBefore: defaults ? BEFORE.servicesPerStack.peer : '—',
      after: Number.isFinite(policyFitting(side)) && policyFitting(side) < fitting(side) ? `${fits} (the traffic role's policy: ${policyFitting(side)})` : `${fits}`,
      peer: `${fitting(PEER_OF[side])}`,
      target: `≥ ${fitting(PEER_OF[side])} (${peerName(side)}'s)`,
      holds: fits >= fitting(PEER_OF[side]),
    });
  }
  for (const [side, name] of variants) {
    const defaults = side === 'construct';
    const peerBytes = perService(PEER_OF[side], 'bytes');
    targets.push({
      figure: `template KiB per added service (compact JSON), ${name}`,
      before: defaults ? BEFORE.kibPerService.construct : '—',
      peerBefore: defaults ? BEFORE.kibPerService.peer : '—',
      after: fixed(kib(perService(side, 'bytes'))),
      peer: fixed(kib(peerBytes)),
      target: `≤ ${fixed(kib(1.25 * peerBytes))} (1.25 × ${peerName(side)}'s)`,
      holds: perService(side, 'bytes') <= 1.25 * peerBytes,
    });
  }
  for (const [side, name] of variants) {
    for (const n of COUNTS) {
      const defaults = side === 'construct';
      targets.push({
        figure: `synth CPU time ratio in process, N = ${n}, ${name}`,
        before: defaults ? BEFORE.synthRatio[n] ?? '—' : '—',
        peerBefore: defaults ? '1.00' : '—',
        after: withSpread(ratio(side, n), runRatios(side, n), 1),
        peer: '1.00',
        target: '≤ 1.00 (the median of the runs)',
        holds: ratio(side, n) <= 1,
      });
    }
  }
  for (const [side, name] of variants) {
    for (const count of CLI_COUNTS) {
      targets.push({
        figure: `\`cdk synth\` CPU time ratio, ${count} service${count === 1 ? '' : 's'}, real CLI, ${name}`,
        before: '—',
        peerBefore: '—',
        after: withSpread(cliRatio(side, count), cliRunRatios(side, count), 1),
        peer: '1.00',
        target: '≤ 1.00 (the median of the runs)',
        holds: cliRatio(side, count) <= 1,
      });
    }
  }
  const keeperCounts = COUNTS.map((n) => keepers('construct', n));
  targets.push({
    figure: 'resources that keep the traffic weights (the listener rules\' function), defaults, at N = ' + COUNTS.join(', '),
    before: '—',
    peerBefore: '—',
    after: `${keeperCounts.join(', ')}; rules: ${COUNTS.map((n) => rules('construct', n)).join(', ')} custom, ${COUNTS.map((n) => cfnRules('construct', n)).join(', ')} CloudFormation`,
    peer: '—',
    target: 'at most 1 per stack or per listener; the rule replaces the CloudFormation rule one for one',
    holds: keeperCounts.every((count) => count <= 1) && COUNTS.every((n) => rules('construct', n) === n && cfnRules('construct', n) === 0),
  });

  const verdicts = targets.map((t) => `${t.holds ? 'PASS' : 'MISS'}  ${t.figure}: ${t.after} (target ${t.target}; peer ${t.peer})`);

  // What the resource and byte targets are made of: the first service's resources by type, and the bytes per
  // added service by type, against the peer doing the same job.
  const byType = (template: any, size: (id: string, resource: any) => number) => {
    const sums: Record<string, number> = {};
    for (const [id, resource] of Object.entries<any>(template.Resources)) {
      sums[resource.Type] = (sums[resource.Type] ?? 0) + size(id, resource);
    }
    return sums;
  };
  const countsOf = (side: Side) => byType(results[side][first].template, () => 1);
  // A resource's bytes in compact JSON: its key, its value and the comma after it.
  const bytesOf = (side: Side, n: number) =>
    byType(results[side][n].template, (id, resource) => Buffer.byteLength(JSON.stringify({ [id]: resource })) - 1);
  const addedBytes = (side: Side) => {
    const [from, to] = [bytesOf(side, first), bytesOf(side, last)];
    return Object.fromEntries(Object.keys({ ...from, ...to }).map((type) => [type, ((to[type] ?? 0) - (from[type] ?? 0)) / (last - first)]));
  };
  const compared = variants.flatMap(([side]) => [side, PEER_OF[side]]);
  const counts = Object.fromEntries(compared.map((side) => [side, countsOf(side)])) as Record<Side, Record<string, number>>;
  const countTypes = [...new Set(Object.values(counts).flatMap((c) => Object.keys(c)))].sort()
    .filter((type) => variants.some(([side]) => (counts[side][type] ?? 0) !== (counts[PEER_OF[side]][type] ?? 0)));
  const firstServiceTable = table(
    ['resource type', 'defaults', 'peer with a canary', 'difference', '`Deployment.rolling()`', 'rolling peer', 'difference'],
    [...countTypes, 'all'].map((type) => [type === 'all' ? '**all**' : type, ...variants.flatMap(([side]) => {
      const [own, peer] = [side, PEER_OF[side]].map((s) => (type === 'all' ? results[s][first].resources : counts[s][type] ?? 0));
      return [own, peer, withSign(own - peer)];
    })]),
  );
  // The most resources the first service may have for a side to fit as many services as its peer.
  const firstBudget = (side: Side) => RESOURCE_LIMIT - (fitting(PEER_OF[side]) - first) * perService(side, 'resources');
  const byteSides = Object.fromEntries(compared.map((side) => [side, addedBytes(side)])) as Record<Side, Record<string, number>>;
  const byteTypes = [...new Set(Object.values(byteSides).flatMap((b) => Object.keys(b)))].sort()
    .filter((type) => variants.some(([side]) => Math.round(byteSides[side][type] ?? 0) !== Math.round(byteSides[PEER_OF[side]][type] ?? 0)));
  const addedBytesTable = table(
    ['resource type', 'defaults', 'peer with a canary', 'difference', '`Deployment.rolling()`', 'rolling peer', 'difference'],
    [...byteTypes, 'all'].map((type) => [type === 'all' ? '**all** (with the template\'s other sections)' : type, ...variants.flatMap(([side]) => {
      const [own, peer] = [side, PEER_OF[side]].map((s) => (type === 'all' ? perService(s, 'bytes') : byteSides[s][type] ?? 0));
      return [Math.round(own), Math.round(peer), withSign(Math.round(own - peer))];
    })]),
  );
  const targetTable = table(
    ['figure', 'before (issue 32)', 'peer before', 'after (this run)', 'peer (this run)', 'target', ''],
    targets.map((t) => [t.figure, t.before, t.peerBefore, t.after, t.peer, t.target, t.holds ? 'PASS' : 'MISS']),
  );

  const synthTable = table(
    ['N', ...SIDES.map((s) => `${SHORT[s]}: CPU s (wall s)`), ...CONSTRUCT_SIDES.map((s) => `CPU ratio ${SHORT[s]} / ${SHORT[PEER_OF[s]]} (runs)`)],
    COUNTS.map((n) => [
      n,
      ...SIDES.map((s) => `${fixed(results[s][n].cpu, 3)} (${fixed(results[s][n].wall, 3)})`),
      ...CONSTRUCT_SIDES.map((s) => `${fixed(ratio(s, n))} (${spread(runRatios(s, n))})`),
    ]),
  );
  const cliTable = table(
    ['', ...CLI_COUNTS.map((n) => `${n} service${n === 1 ? '' : 's'}: CPU seconds, median of ${RUNS}`), 'ratio to the peer of the same job (runs)'],
    CLI_SIDES.map((side) => [LABEL[side], ...CLI_COUNTS.map((n) => fixed(cli(side, n))),
      CLI_COUNTS.map((n) => `${fixed(cliRatio(side, n))} (${spread(cliRunRatios(side, n))})`).join('; ')]),
  );
  const sizeTable = table(
    ['', ...SIDES.map((s) => LABEL[s])],
    [
      ...COUNTS.map((n) => [`resources at N = ${n}`, ...SIDES.map((s) => results[s][n].resources)]),
      ...COUNTS.map((n) => [`template KiB at N = ${n} (compact JSON)`, ...SIDES.map((s) => fixed(kib(results[s][n].bytes), 1))]),
      ['resources per added service', ...SIDES.map((s) => fixed(perService(s, 'resources'), 1))],
      ['template KiB per added service', ...SIDES.map((s) => fixed(kib(perService(s, 'bytes'))))],
      ['JSON values per added service (what synthesis resolves)', ...SIDES.map((s) => fixed(valuesPerService(s), 0))],
      [`services that fit one stack (${RESOURCE_LIMIT} resources)`, ...SIDES.map((s) => fitting(s))],
      [`characters of the traffic role's inline policy at N = ${first} and ${last} (IAM allows ${ROLE_POLICY_LIMIT.toLocaleString('en-US')})`,
        ...SIDES.map((s) => (trafficPolicyCharacters(results[s][first].template) === undefined ? 'no traffic role' : `${policy(s, first)}, ${policy(s, last)}`))],
    ],
  );
  const timing = (side: Side) => deploymentTiming(results[side][1].template);
  const timingTable = table(
    ['', 'seconds until a new task counts healthy', 'seconds to drain a stopping task'],
    [
      ['PrivateFargateBehindAlb', timing('construct').healthy, timing('construct').drain],
      ['ApplicationLoadBalancedFargateService', timing('peer').healthy, timing('peer').drain],
      ['the source CloudFormation design (interval 30 s, healthy 5, delay 300 s)', 30 * 5, 300],
    ],
  );
  // The peer at its own defaults: rolling, no alarms.
  const peerTemplate = oneService((stack) => buildPeer(stack, 1, false));
  const withoutDeployments = Object.keys(oneService((stack) => new PrivateFargateBehindAlb(stack, 'Web', { image, deploymentAlarms: false, deployment: Deployment.rolling() })).Resources).length;
  const strategyRows = STRATEGIES.map(([name, deployment]) => {
    const template = oneService((stack) => new PrivateFargateBehindAlb(stack, 'Web', { image, deployment }));
    const t = strategyTiming(template);
    return [name, t.steps, t.traffic, t.end, `+${Object.keys(template.Resources).length - withoutDeployments}`];
  });
  const peerTiming = strategyTiming(peerTemplate);
  const strategyTable = table(
    ['', 'traffic shifts', 'seconds to 100 % of traffic on the new tasks', 'seconds to the end of the deployment', 'resources added to a service (alarms included)'],
    [
      ...strategyRows,
      ['ApplicationLoadBalancedFargateService (rolling, its defaults)', peerTiming.steps, peerTiming.traffic, peerTiming.end, 'no alarms, no traffic shifting'],
    ],
  );
  const costRows = COUNTS.flatMap((n) => {
    const shared = monthlyCost(results.construct[n].template);
    const sharedAlb = monthlyCost(results.shared[n].template);
    const peer = monthlyCost(results.peer[n].template);
    // Endpoints per service: what a construct that cannot share them (one set per stack) pays.
    const perServiceEndpoints = n * INTERFACE_ENDPOINTS * AZS * PRICE.interfaceEndpointAzHour * HOURS_PER_MONTH;
    // NAT gateways per AZ instead of endpoints: the aws-ecs-patterns default VPC.
    const nat = AZS * PRICE.natGatewayHour * HOURS_PER_MONTH;
    return [[
      n,
      dollars(shared.endpoints),
      dollars(perServiceEndpoints),
      dollars(nat),
      dollars(shared.albs),
      dollars(sharedAlb.albs),
      dollars(shared.total),
      dollars(sharedAlb.total),
      dollars(peer.total),
    ]];
  });
  const costTable = table(
    ['N', 'shared endpoints', 'endpoints per service', 'NAT gateway per AZ', 'ALBs (one each)', 'ALBs (shared)',
      'total: construct, ALB each', 'total: construct, shared ALB', 'total: peer as set up here'],
    costRows,
  );

  // Where the synth time goes: a CPU profile of each run of each side at the largest N, alternating the
  // sides as above; each phase's median over the runs (a collection of garbage lands in one run or another).
  const profileSamples = Object.fromEntries(SIDES.map((side) => [side, [] as SynthProfile[]])) as Record<Side, SynthProfile[]>;
  for (let run = 0; run < RUNS; run++) {
    for (const side of run % 2 === 0 ? SIDES : [...SIDES].reverse()) profileSamples[side].push(profileSynth(side, last));
  }
  const phaseNames = [...PHASES.map(([name]) => name), GC_PHASE];
  const profiles = Object.fromEntries(SIDES.map((side) => [side, {
    phases: Object.fromEntries(phaseNames.map((name) => [name, median(profileSamples[side].map((p) => p.phases[name]))])),
    resolving: median(profileSamples[side].map((p) => p.resolving)),
  }])) as Record<Side, SynthProfile>;
  const profiled = (side: Side) => Object.values(profiles[side].phases).reduce((sum, ms) => sum + ms, 0);
  const share = (ms: number, side: Side) => `${fixed(ms, 0)} (${fixed((100 * ms) / profiled(side), 0)} %)`;
  const phaseTable = table(
    ['CPU ms per synth (share)', ...SIDES.map((s) => SHORT[s])],
    [
      ...phaseNames.map((name) => [name, ...SIDES.map((s) => share(profiles[s].phases[name], s))]),
      ['all (the sum of the medians)', ...SIDES.map((s) => fixed(profiled(s), 0))],
      ['of all: resolving tokens and values (aws-cdk-lib resolve)', ...SIDES.map((s) => share(profiles[s].resolving, s))],
      ['JSON values per added service', ...SIDES.map((s) => fixed(valuesPerService(s), 0))],
    ],
  );
  // The phases after the constructors, without garbage collection (which comes from all of them).
  const afterBuilding = (side: Side) => profiled(side) - profiles[side].phases[PHASES[0][0]] - profiles[side].phases[GC_PHASE];

  // The parts of the defaults' synth time: each setup with and without its alarms. A part is a
  // difference of setups, taken within each run (the setups of a run measured back to back) and then
  // the median over the runs, which the drift of the machine from one run to the next disturbs less.
  const { runs: partRuns, resources: partResources, bytes: partBytes } = measureParts();
  // What one more service adds, from the first N to the last, of a part.
  const partSlope = (measures: Record<Part, Record<number, number>>, part: Part) =>
    (measures[part][last] - measures[part][first]) / (last - first);
  const ms = (part: Part, n: number) => median(partRuns[part][n]);
  const perRun = (n: number, difference: (at: (part: Part) => number) => number) =>
    median(partRuns.peer[n].map((_, run) => difference((part) => partRuns[part][n][run])));
  const partNames = Object.keys(PARTS) as Part[];
  const partTable = table(
    ['CPU ms per synth (ratio to the peer)', ...COUNTS.map((n) => `N = ${n}`)],
    partNames.map((part) => [PARTS[part].label, ...COUNTS.map((n) => `${fixed(ms(part, n), 1)} (${fixed(ms(part, n) / ms('peer', n))})`)]),
  );
  const signed = (value: number, digits: number) => `${value >= 0 ? '+' : ''}${fixed(value, digits)}`;
  const points = (value: number, n: number) => `${signed(value, 1)} (${signed(value / ms('peer', n), 2)})`;
  const canaryParts = (n: number) => perRun(n, (at) => (at('defaultsNoAlarms') - at('rollingNoAlarms')) - (at('peerNoAlarms') - at('peerRollingNoAlarms')));
  const alarmsBeyondPeer = (n: number) => perRun(n, (at) => (at('defaults') - at('defaultsNoAlarms')) - (at('peer') - at('peerNoAlarms')));
  const rest = (n: number) => perRun(n, (at) => at('rollingNoAlarms') - at('peerRollingNoAlarms'));
  const breakdownTable = table(
    ['CPU ms per synth over the peer (in ratio points), median of the per-run differences', ...COUNTS.map((n) => `N = ${n}`)],
    [
      ['the canary beyond the peer\'s canary by hand: the rules\' function and its wiring (defaults − rolling, less the same for the peer, all without alarms)', ...COUNTS.map((n) => points(canaryParts(n), n))],
      ['the alarms, beyond the peer\'s (each with alarms − without; both read both target groups)', ...COUNTS.map((n) => points(alarmsBeyondPeer(n), n))],
      ['everything else: VPC, endpoints, load balancer, task, service, scaling (rolling without alarms − the rolling peer without alarms)', ...COUNTS.map((n) => points(rest(n), n))],
      ['defaults − the peer', ...COUNTS.map((n) => points(perRun(n, (at) => at('defaults') - at('peer')), n))],
      ['`Deployment.rolling()` − the peer', ...COUNTS.map((n) => points(perRun(n, (at) => at('rolling') - at('peer')), n))],
    ],
  );
  // The peer's own average synth time per resource, to size the parts.
  const perResource = (n: number) => ms('peer', n) / partResources.peer[n];

  const costModelTable = costModel({
    construct: Object.fromEntries(COUNTS.map((n) => [n, results.construct[n].template])),
    shared: Object.fromEntries(COUNTS.map((n) => [n, results.shared[n].template])),
  });


  const report = `# Benchmarks

<!-- Generated by \`npx projen bench\` (scripts/bench.ts); edit that script, not this file. -->

\`npx projen bench\` synthesizes N services on one VPC, ${RUNS} times each, alternating five setups:
PrivateFargateBehindAlb at its defaults (a canary deployment with its three alarms) with a load balancer
each, the same with one shared load balancer, the same with \`Deployment.rolling()\` (its alarms too), and
\`aws-ecs-patterns\` \`ApplicationLoadBalancedFargateService\` set up to do the same job twice
([scripts/bench-setups.ts](../scripts/bench-setups.ts)). Both peers have isolated subnets, the four
endpoints added by hand, CPU autoscaling 1 to 3, and the construct's three deployment alarms (the share
of 5xx answers, unhealthy targets, the 95th percentile of the response time, with the construct's
thresholds) rolling a deployment back. **The peer with a canary**, the defaults' peer, adds what a user
writes by hand for the canary the defaults make: an alternate target group, a production rule forwarding
to both with weights, ECS's traffic role (\`AmazonECSInfrastructureRolePolicyForLoadBalancers\`), the
canary settings through escape hatches, and alarms that read both target groups as the worst of the two,
as the construct's do: ECS swaps the groups' roles on each deployment, so an alarm on one group would
miss the canary every other deployment, and the rollback with it. **The rolling peer**, \`Deployment.rolling()\`'s peer, deploys as
the pattern does. Each figure of the construct is against the peer doing the same job. Figures are
medians of the runs on this machine (Node ${process.version}, ${os.cpus().length} CPUs); a ratio is taken within each run,
against the peer measured in that run, and its spread over the runs is shown.

![Synth CPU time and resources against N](./benchmarks.svg)

## Targets of issue 32 (lean against the same job)

The "before" figures are issue 32's, measured against the peer with a canary on the code before the
issues on AWS as it behaves and on the traffic function, when the peer's alarms read one of its two
target groups; it gives them for the defaults only. The
"after" figures are this run. Synth time is CPU time (user and system) of the process that builds and
synthesizes the app, which the machine's other work disturbs less than the wall clock; the wall clock
is in the next section. A synth time target holds when the median of the runs' ratios does; where the
runs fall on both sides of it, the figure says so: take more runs (\`npx projen bench --runs 15\`)
rather than a lucky one.

${targetTable}

\`\`\`
${verdicts.join('\n')}
\`\`\`

### What the resource and size targets are made of

The first service's resources (N = ${first}, its VPC, endpoints and cluster included) by type, where the construct and the peer
doing the same job differ. To fit as many services in a stack as its peer, the first service may have at most
${fixed(firstBudget('construct'), 0)} resources at the defaults (it has ${results.construct[first].resources}) and ${fixed(firstBudget('rolling'), 0)} with
\`Deployment.rolling()\` (it has ${results.rolling[first].resources}), at the resources each added service has.

${firstServiceTable}

The template bytes each added service adds (compact JSON, from N = ${first} to N = ${last}) by resource type, where they differ by a byte or more:

${addedBytesTable}

## Synth time, in process

Each run builds the app and synthesizes it in this process (the modules already loaded), under
ts-node as a TypeScript app runs; at N = 1 a run is the mean of ${repeatsFor(1)} synths.

${synthTable}

## Where the synth time goes (N = ${last})

A CPU profile (V8's sampling profiler, in this process) of ${RUNS} synth${RUNS === 1 ? '' : 's'} of each side at N = ${last},
alternating the sides; each sample counts for the innermost part of the work on its stack, and each
figure is the median over the runs. After the constructors, synthesis resolves every value of the
template three times: to find the references between resources, to write the template, and to write
the tree metadata. That work follows the JSON values of the template: ${fixed(valuesPerService('construct'), 0)} per added service at
the defaults (the second target group, the production rule, alarms that read both target groups, as
the peer's with a canary do, and the service settings written when off), ${fixed(valuesPerService('rolling'), 0)} with \`Deployment.rolling()\`, ${fixed(valuesPerService('peer'), 0)} for the peer. The time
after the constructors (garbage collection apart) is ${fixed(afterBuilding('construct') / afterBuilding('peer'))} times the peer's at the defaults and
${fixed(afterBuilding('rolling') / afterBuilding('peer'))} with \`Deployment.rolling()\`; the constructors take ${fixed(profiles.construct.phases[PHASES[0][0]] / profiles.peer.phases[PHASES[0][0]])} and ${fixed(profiles.rolling.phases[PHASES[0][0]] / profiles.peer.phases[PHASES[0][0]])} times the peer's. The
profiler slows the process down: the shares tell where the time goes, the sections above how much it is.

${phaseTable}

## What the defaults' synth time over the peer is made of

Each setup of the construct and the peer with a canary with and without its three alarms, measured as in "Synth
time, in process" (${RUNS} run${RUNS === 1 ? '' : 's'}, alternating the setups, medians; a separate measure from the sections above,
so its ratios differ from theirs by the run-to-run noise). A collection of garbage lands in one
measure or another, which moves a single difference by tens of milliseconds at N = ${last}: read the parts as
their size, not to the millisecond.

${partTable}

What \`smokeTest\` adds (its test rule and the hook that runs the smoke test's requests, per service; the function and
the role are the stack's, which the defaults have already): each added service has ${fixed(partSlope(partResources, 'smokeTest'), 1)} resources and
${fixed(kib(partSlope(partBytes, 'smokeTest')))} KiB of template, against ${fixed(partSlope(partResources, 'defaults'), 1)} and ${fixed(kib(partSlope(partBytes, 'defaults')))} KiB at the defaults; the synth time is in the
table above, and [What the traffic-shifting strategies create](deployments.md#what-the-traffic-shifting-strategies-create) lists the pieces.

The differences split the defaults' time over the peer's into three parts, which add up to it within each run:

${breakdownTable}

Both canaries have a second target group and a production rule per service, and a traffic role per
stack; the construct's parts beyond the peer's are the function that writes the rules (one per stack),
its log group and role, and what ties them to the service and the listener: ${fixed(canaryParts(last), 0)} ms at N = ${last}, at the
peer's own average of ${fixed(perResource(last), 2)} ms of synth per resource. The synth time ratio is at most 1.00 at the
defaults when everything else, ${fixed(Math.abs(rest(last)), 0)} ms ${rest(last) <= 0 ? 'cheaper' : 'more expensive'} than the rolling peer at N = ${last}, makes up for those parts
and for what the alarms cost beyond the peer's.

## \`cdk synth\` with the real CLI, ${CLI_COUNTS.join(' and ')} services

CPU time (user and system, of the CLI and of the app it runs) of \`cdk synth --app ... --quiet\`
with the CLI of this project's devDependencies, in an empty folder, without notices or telemetry,
alternating the sides, ${RUNS} runs each. The app is [scripts/bench-app.ts](../scripts/bench-app.ts),
the same file on both sides, run by ts-node without type checks; the library is compiled to JavaScript
as it is published.

${cliTable}

## CloudFormation size

Template sizes are of the template as compact JSON. A service adds the same resources at any N; the
services that fit one stack follow from the resources at N = 1 and per added service. The stack's
traffic role (canary, linear and blue/green deployments) lists every service's listener, rules and target
groups in its inline policy, which IAM limits to ${ROLE_POLICY_LIMIT.toLocaleString('en-US')} characters per role; its size is counted with
each reference replaced by an ARN at its longest.

${sizeTable}

## Deployment timing (from the templates)

${timingTable}

## Deployments: seconds to production traffic, and to the end

Each strategy at its defaults, read from one service's template: the new tasks count healthy after
the health check (interval x healthy threshold) once they run (the time to pull and start the image
is not in the template and comes on top), then the traffic steps and their bake times, then the
bake time that keeps the old tasks, then their deregistration delay. With alarms, ECS adds to a
rolling deployment a bake time it computes from them, counted here as their evaluation window
(period x evaluation periods). The added resources are against a service with \`Deployment.rolling()\`
and \`deploymentAlarms: false\`.

${strategyTable}

## Fixed monthly network cost (us-east-1, ${HOURS_PER_MONTH} hours, before traffic)

Interface endpoints $${PRICE.interfaceEndpointAzHour} per AZ-hour (${INTERFACE_ENDPOINTS} of them, ${AZS} AZs),
the S3 gateway endpoint free, NAT gateways $${PRICE.natGatewayHour} an hour, ALBs $${PRICE.albHour} an hour.

${costTable}

## Monthly cost model: tasks, endpoints, NAT and load balancers (us-east-1, ${HOURS_PER_MONTH} hours)

N services, each ${COST_TASKS} tasks of 0.5 vCPU and 1 GiB running all month, before traffic (data
processed by NAT gateways, endpoints and load balancer capacity units comes on top). Fargate list
prices of ${PRICES_AS_OF} from the AWS Fargate pricing page: x86 $${FARGATE.X86_64.vcpuHour} per vCPU-hour and
$${FARGATE.X86_64.gbHour} per GB-hour, ARM64 $${FARGATE.ARM64.vcpuHour} and $${FARGATE.ARM64.gbHour}. Fargate Spot is advertised as
"up to 70 %" off with a price that varies: this model assumes ${SPOT_DISCOUNT * 100} % off the on-demand price of
the same architecture. Interface endpoints, NAT gateways and ALBs as above, counted in the
synthesized templates; the task sizes, architectures and capacity provider strategies are read from
them too. The peer is \`ApplicationLoadBalancedFargateService\` on a cluster with its default VPC (a
NAT gateway per AZ, no endpoints), the same task size and 2 tasks.

${costModelTable}
`;

  fs.mkdirSync(OUT, { recursive: true });
  fs.writeFileSync(path.join(OUT, 'BENCHMARKS.md'), report);
  fs.writeFileSync(path.join(OUT, 'benchmarks.svg'), chart(results));

  // The README's comparison table quotes this run: its rows are rewritten with the figures above, so that
  // they never drift from docs/BENCHMARKS.md. Only a run that writes the docs folder writes them.
  if (path.resolve(OUT) === path.resolve(__dirname, '..', 'docs')) {
    const kibOf = (side: Side) => fixed(kib(perService(side, 'bytes')), 1);
    const ratios = (side: Side) => COUNTS.map((n) => fixed(ratio(side, n))).join(' / ');
    const cliRatios = (side: Side) => CLI_COUNTS.map((count) => fixed(cliRatio(side, count))).join(' / ');
    // Each row is found by the start of its first cell, which stays; the rest of the cell may change.
    const rows: Array<[string, string, string, string]> = [
      ['Resources per added service', 'Resources per added service (same job: endpoints, autoscaling, the three alarms)',
        `${perService('construct', 'resources')}, or ${perService('shared', 'resources')} on a shared ALB (the canary's second target group and rule; ` +
        `the function that writes the rules is one per stack); ${perService('rolling', 'resources')} with \`Deployment.rolling()\``,
        `${perService('peer', 'resources')} with the canary added by hand; ${perService('peerRolling', 'resources')} rolling`],
      ['Services in one stack', `Services in one stack before the ${RESOURCE_LIMIT}-resource limit`,
        `${fitting('construct')}, or ${fitting('shared')} on a shared ALB; ${fitting('rolling')} with \`Deployment.rolling()\``,
        `${fitting('peer')} with the canary; ${fitting('peerRolling')} rolling`],
      ['Template size per added service', 'Template size per added service (compact JSON)',
        `${kibOf('construct')} KiB; ${kibOf('rolling')} KiB with \`Deployment.rolling()\``,
        `${kibOf('peer')} KiB with the canary; ${kibOf('peerRolling')} KiB rolling`],
      ['Synth CPU time against the peer', `Synth CPU time against the peer doing the same job, in process (N = ${COUNTS.join(' / ')})`,
        `${ratios('construct')}; ${ratios('rolling')} with \`Deployment.rolling()\` (medians of ${RUNS} runs, which spread ` +
        'by more than the margins: [docs/BENCHMARKS.md](https://github.com/privatefargatebehindalb/private-fargate-behind-alb/blob/main/docs/BENCHMARKS.md))',
        '1.00'],
      ['`cdk synth` CPU time against the peer', `\`cdk synth\` CPU time against the peer doing the same job (${CLI_COUNTS.join(' / ')} services, real CLI)`,
        `${cliRatios('construct')}; ${cliRatios('rolling')} with \`Deployment.rolling()\``,
        '1.00'],
    ];
    const readme = path.resolve(__dirname, '..', 'README.md');
    let text = fs.readFileSync(readme, 'utf-8');
    for (const [key, title, construct, peer] of rows) {
      const line = new RegExp(`^\\| ${escapeRegExp(key)}[^|]*\\|.*$`, 'm');
      if (!line.test(text)) throw new Error(`README.md has no comparison row starting "| ${key}"`);
      text = text.replace(line, `| ${title} | ${construct} | ${peer} |`);
    }
    fs.writeFileSync(readme, text);
  }
  console.log(verdicts.join('\n'));
}

/** A whole difference with its sign: +3, -2, 0. */
function withSign(value: number): string {
  return value > 0 ? `+${value}` : `${value}`;
}

/** `text` as a regular expression that matches it literally. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

main();

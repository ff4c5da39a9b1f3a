/**
 * The benchmark against aws-ecs-patterns: synthesizes N = 1, 10 and 30 services on one VPC with
 * PrivateFargateBehindAlb (a load balancer each, and one shared load balancer) and with
 * ApplicationLoadBalancedFargateService set up to do the same job (isolated subnets, the four
 * endpoints added by hand, CPU autoscaling 1 to 3), alternating the sides, and prints medians and
 * ratios of synth time, template size, deployment timing and a fixed monthly network cost; beside it,
 * a monthly cost model of running the tasks (x86, ARM64, ARM64 with Spot) against the peer as users
 * set it up (NAT gateways). It writes docs/BENCHMARKS.md and docs/benchmarks.svg.
 *
 * Usage: ts-node scripts/bench.ts [--runs 9] [--out docs]
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecsPatterns from 'aws-cdk-lib/aws-ecs-patterns';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Deployment, PrivateFargateBehindAlb, PrivateFargateBehindAlbProps } from '../src';

const COUNTS = [1, 10, 30];
const option = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const RUNS = Number(option('--runs') ?? 9);
const OUT = option('--out') ?? 'docs';
const RESOURCE_LIMIT = 500;
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

type Side = 'construct' | 'shared' | 'peer';
const SIDES: Side[] = ['construct', 'shared', 'peer'];
const LABEL: Record<Side, string> = {
  construct: 'PrivateFargateBehindAlb (an ALB each)',
  shared: 'PrivateFargateBehindAlb (one shared ALB)',
  peer: 'ApplicationLoadBalancedFargateService',
};
// A private ECR image (tasks without internet access can pull nothing else); a plain name keeps
// asset hashing out of the synth times.
const image = ecs.ContainerImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/nginx:1.27-alpine');

function buildConstruct(stack: Stack, count: number, shareLoadBalancer: boolean): void {
  const first = new PrivateFargateBehindAlb(stack, 'Service0', { image });
  for (let i = 1; i < count; i++) {
    new PrivateFargateBehindAlb(stack, `Service${i}`, {
      image,
      port: 8000 + i,
      ...(shareLoadBalancer ? { loadBalancer: first.loadBalancer } : { vpc: first.vpc }),
    });
  }
}

/** What a user writes with aws-ecs-patterns for the same job. */
function buildPeer(stack: Stack, count: number): void {
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'Public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const endpointSecurityGroup = new ec2.SecurityGroup(stack, 'EndpointSecurityGroup', { vpc, allowAllOutbound: false });
  for (const [id, service] of [
    ['EcrApi', ec2.InterfaceVpcEndpointAwsService.ECR],
    ['EcrDkr', ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER],
    ['Logs', ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS],
  ] as const) {
    vpc.addInterfaceEndpoint(id, { service, securityGroups: [endpointSecurityGroup], open: false });
  }
  const s3 = vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  s3.addToPolicy(new iam.PolicyStatement({
    principals: [new iam.AnyPrincipal()],
    actions: ['s3:GetObject'],
    resources: [`arn:aws:s3:::prod-${stack.region}-starport-layer-bucket/*`],
  }));
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  for (let i = 0; i < count; i++) {
    const port = i === 0 ? 80 : 8000 + i;
    const service = new ecsPatterns.ApplicationLoadBalancedFargateService(stack, `Service${i}`, {
      cluster,
      taskSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      listenerPort: port,
      taskImageOptions: { image, containerPort: port },
      minHealthyPercent: 100,
    });
    endpointSecurityGroup.connections.allowFrom(service.service, ec2.Port.tcp(443));
    service.service.autoScaleTaskCount({ minCapacity: 1, maxCapacity: 3 }).scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 50 });
  }
}

interface Measure {
  seconds: number;
  resources: number;
  bytes: number;
  template: any;
}

function measure(side: Side, count: number): Measure {
  // No limit while measuring: the peer passes 500 resources before N = 30.
  const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'Bench');
  const start = process.hrtime.bigint();
  if (side === 'peer') buildPeer(stack, count);
  else buildConstruct(stack, count, side === 'shared');
  const assembly = app.synth();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const file = path.join(assembly.directory, 'Bench.template.json');
  const text = fs.readFileSync(file, 'utf-8');
  const template = JSON.parse(text);
  fs.rmSync(assembly.directory, { recursive: true, force: true });
  return { seconds, resources: Object.keys(template.Resources).length, bytes: Buffer.byteLength(text), template };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
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

function chart(results: Record<Side, Record<number, { seconds: number; resources: number }>>): string {
  const width = 800;
  const height = 300;
  const panel = (x0: number, title: string, key: 'seconds' | 'resources', unit: string) => {
    const max = Math.max(...SIDES.flatMap((side) => COUNTS.map((n) => results[side][n][key])), key === 'resources' ? RESOURCE_LIMIT : 0);
    const plotW = 300;
    const plotH = 200;
    const px = (n: number) => x0 + 50 + (n / COUNTS[COUNTS.length - 1]) * plotW;
    const py = (v: number) => 40 + plotH - (v / max) * plotH;
    const colors: Record<Side, string> = { construct: '#1f77b4', shared: '#2ca02c', peer: '#d62728' };
    const lines = SIDES.map((side) => {
      const points = COUNTS.map((n) => `${px(n).toFixed(1)},${py(results[side][n][key]).toFixed(1)}`).join(' ');
      const dots = COUNTS.map((n) => `<circle cx="${px(n).toFixed(1)}" cy="${py(results[side][n][key]).toFixed(1)}" r="3" fill="${colors[side]}"/>`).join('');
      return `<polyline fill="none" stroke="${colors[side]}" stroke-width="2" points="${points}"/>${dots}`;
    }).join('\n');
    const ticks = COUNTS.map((n) => `<text x="${px(n)}" y="${40 + plotH + 16}" font-size="11" text-anchor="middle">${n}</text>`).join('');
    const yTicks = [0, 0.5, 1].map((f) => `<text x="${x0 + 44}" y="${py(max * f) + 4}" font-size="11" text-anchor="end">${key === 'seconds' ? (max * f).toFixed(2) : Math.round(max * f)}</text>`).join('');
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
  let legendX = 20;
  const legend = SIDES.map((side) => {
    const color = { construct: '#1f77b4', shared: '#2ca02c', peer: '#d62728' }[side];
    const entry = `<rect x="${legendX}" y="${height - 18}" width="12" height="12" fill="${color}"/><text x="${legendX + 18}" y="${height - 8}" font-size="11">${LABEL[side]}</text>`;
    legendX += 30 + LABEL[side].length * 6.2;
    return entry;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
${panel(0, 'Synth time (median)', 'seconds', 'seconds')}
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

function main(): void {
  const samples: Record<Side, Record<number, Measure[]>> = { construct: {}, shared: {}, peer: {} };
  // Warm up the module cache so the first measured run is not the one that loads aws-cdk-lib.
  for (const side of SIDES) measure(side, 1);
  for (const count of COUNTS) {
    for (let run = 0; run < RUNS; run++) {
      // Alternate the sides, in a different order each run.
      const order = run % 2 === 0 ? SIDES : [...SIDES].reverse();
      for (const side of order) (samples[side][count] ??= []).push(measure(side, count));
    }
  }

  const results = {} as Record<Side, Record<number, { seconds: number; resources: number; bytes: number; template: any }>>;
  for (const side of SIDES) {
    results[side] = {};
    for (const count of COUNTS) {
      const runs = samples[side][count];
      results[side][count] = {
        seconds: median(runs.map((r) => r.seconds)),
        resources: runs[0].resources,
        bytes: runs[0].bytes,
        template: runs[0].template,
      };
    }
  }

  const last = COUNTS[COUNTS.length - 1];
  const perService = (side: Side) => (results[side][last].resources - results[side][1].resources) / (last - 1);
  const baseline = (side: Side) => results[side][1].resources - perService(side);
  const fitting = (side: Side) => Math.floor((RESOURCE_LIMIT - baseline(side)) / perService(side));

  const synthTable = table(
    ['N', ...SIDES.map((s) => `${LABEL[s]} (s)`), 'ratio (ALB each / peer)', 'ratio (shared / peer)'],
    COUNTS.map((n) => [
      n,
      ...SIDES.map((s) => fixed(results[s][n].seconds, 3)),
      fixed(results.construct[n].seconds / results.peer[n].seconds),
      fixed(results.shared[n].seconds / results.peer[n].seconds),
    ]),
  );
  const sizeTable = table(
    ['', ...SIDES.map((s) => LABEL[s])],
    [
      ...COUNTS.map((n) => [`resources at N = ${n}`, ...SIDES.map((s) => results[s][n].resources)]),
      ...COUNTS.map((n) => [`template KiB at N = ${n}`, ...SIDES.map((s) => fixed(results[s][n].bytes / 1024, 1))]),
      ['resources per added service', ...SIDES.map((s) => fixed(perService(s), 1))],
      [`services that fit one stack (${RESOURCE_LIMIT} resources)`, ...SIDES.map((s) => fitting(s))],
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
  const peerTemplate = oneService((stack) => buildPeer(stack, 1));
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

  const costModelTable = costModel({
    construct: Object.fromEntries(COUNTS.map((n) => [n, results.construct[n].template])),
    shared: Object.fromEntries(COUNTS.map((n) => [n, results.shared[n].template])),
  });

  const report = `# Benchmarks

<!-- Generated by \`npx projen bench\` (scripts/bench.ts); edit that script, not this file. -->

\`npx projen bench\` synthesizes N services on one VPC, ${RUNS} times each, alternating three setups:
PrivateFargateBehindAlb with a load balancer each, PrivateFargateBehindAlb with one shared load
balancer, and \`aws-ecs-patterns\` \`ApplicationLoadBalancedFargateService\` set up to do the same job
(isolated subnets, the four endpoints added by hand, CPU autoscaling 1 to 3). Figures are medians
of one run on this machine (Node ${process.version}); ratios are against the peer in the same run.

![Synth time and resources against N](./benchmarks.svg)

## Synth time

${synthTable}

## CloudFormation size

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
  console.log(report);
}

main();

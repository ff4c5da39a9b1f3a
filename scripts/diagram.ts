/**
 * Draws the architecture of a synthesized PrivateFargateBehindAlb stack as an SVG, from its
 * template alone: the VPC, the load balancers and their listener ports, the services with their
 * container ports and task counts, and the VPC endpoints.
 * Usage: ts-node scripts/diagram.ts <stack.template.json> <out.svg>
 */
import * as fs from 'fs';

interface Resource {
  Type: string;
  Properties?: any;
  Metadata?: Record<string, unknown>;
}

export interface Architecture {
  cidr: string;
  azs: number;
  natGateways: number;
  loadBalancers: Array<{ name: string; listeners: number[] }>;
  services: Array<{ name: string; loadBalancer: string; listenerPort: number; containerPort: number; min: number; max: number }>;
  endpoints: string[];
}

const refOf = (value: any): string | undefined => value?.Ref ?? value?.['Fn::GetAtt']?.[0];

/** The construct that owns a resource: the first part of its path below the stack (Web, Api). */
function ownerOf(id: string, resource: Resource): string {
  const cdkPath = resource.Metadata?.['aws:cdk:path'];
  return typeof cdkPath === 'string' ? cdkPath.split('/')[1] : id.replace(/[A-Z0-9]{8}$/, '');
}

export function readArchitecture(template: { Resources: Record<string, Resource> }): Architecture {
  const resources = Object.entries(template.Resources);
  const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
  const vpc = ofType('AWS::EC2::VPC')[0]?.[1];
  const subnets = ofType('AWS::EC2::Subnet').map(([, r]) => JSON.stringify(r.Properties.AvailabilityZone));

  const listeners = ofType('AWS::ElasticLoadBalancingV2::Listener').map(([id, r]) => ({
    id,
    loadBalancer: refOf(r.Properties.LoadBalancerArn)!,
    port: Number(r.Properties.Port),
  }));
  // Which listener sends a target group its requests: its default action, else a rule of the construct on it.
  const forwards = [
    ...ofType('AWS::ElasticLoadBalancingV2::Listener').map(([id, r]) => ({ listener: id, targetGroup: refOf(r.Properties.DefaultActions?.[0]?.TargetGroupArn) })),
    ...ofType('Custom::PrivateFargateListenerRule').flatMap(([, r]) => (r.Properties.TargetGroups ?? [])
      .map((target: { TargetGroupArn: unknown }) => ({ listener: refOf(r.Properties.ListenerArn), targetGroup: refOf(target.TargetGroupArn) }))),
  ];
  const listenerOf = (targetGroup: string | undefined) => {
    const forward = forwards.find((f) => targetGroup !== undefined && f.targetGroup === targetGroup);
    return listeners.find((l) => l.id === forward?.listener);
  };
  const loadBalancers = ofType('AWS::ElasticLoadBalancingV2::LoadBalancer').map(([id, r]) => ({
    id,
    name: ownerOf(id, r),
    listeners: listeners.filter((l) => l.loadBalancer === id).map((l) => l.port).sort((a, b) => a - b),
  }));
  const scaling = ofType('AWS::ApplicationAutoScaling::ScalableTarget').map(([, r]) => ({
    service: JSON.stringify(r.Properties.ResourceId).match(/"Fn::GetAtt":\["([^"]+)","Name"\]/)?.[1],
    min: Number(r.Properties.MinCapacity),
    max: Number(r.Properties.MaxCapacity),
  }));
  const services = ofType('AWS::ECS::Service').map(([id, r]) => {
    const mapping = r.Properties.LoadBalancers?.[0] ?? {};
    const listener = listenerOf(refOf(mapping.TargetGroupArn));
    const bounds = scaling.find((s) => s.service === id);
    return {
      name: ownerOf(id, r),
      loadBalancer: loadBalancers.find((lb) => lb.id === listener?.loadBalancer)?.name ?? '?',
      listenerPort: listener?.port ?? 0,
      containerPort: Number(mapping.ContainerPort),
      min: bounds?.min ?? Number(r.Properties.DesiredCount),
      max: bounds?.max ?? Number(r.Properties.DesiredCount),
    };
  });
  const endpoints = ofType('AWS::EC2::VPCEndpoint').map(([, r]) => {
    const name = JSON.stringify(r.Properties.ServiceName).match(/\.([a-z0-9.-]+)"\]\]\}$/)?.[1] ?? 'endpoint';
    return r.Properties.VpcEndpointType === 'Gateway' ? `${name} (gateway)` : name;
  }).sort();

  return {
    cidr: vpc?.Properties?.CidrBlock ?? 'VPC',
    azs: new Set(subnets).size,
    natGateways: ofType('AWS::EC2::NatGateway').length,
    loadBalancers: loadBalancers.map(({ name, listeners: ports }) => ({ name, listeners: ports })),
    services,
    endpoints,
  };
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function box(x: number, y: number, w: number, h: number, fill: string, stroke: string, lines: string[], dash = false, left = false): string {
  const tx = left ? x + 12 : x + w / 2;
  const anchor = left ? 'start' : 'middle';
  const text = lines.map((line, i) =>
    `<text x="${tx}" y="${y + 20 + i * 16}" text-anchor="${anchor}" font-size="${i === 0 ? 13 : 11}"${i === 0 ? ' font-weight="bold"' : ''}>${escape(line)}</text>`).join('');
  return `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="6" fill="${fill}" stroke="${stroke}"${dash ? ' stroke-dasharray="5 4"' : ''}/>${text}`;
}

function arrow(x1: number, y1: number, x2: number, y2: number, label: string, labelY = (y1 + y2) / 2): string {
  const mx = (x1 + x2) / 2;
  const my = labelY;
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#444" stroke-width="1.5" marker-end="url(#arrow)"/>` +
    `<text x="${mx + 6}" y="${my + 4}" font-size="11" fill="#333">${escape(label)}</text>`;
}

export function renderSvg(a: Architecture): string {
  const columns = Math.max(a.services.length, a.loadBalancers.length, 1);
  const columnWidth = 230;
  const width = 60 + columns * columnWidth + 240;
  const height = 470;
  const columnX = (i: number) => 50 + i * columnWidth;
  const parts: string[] = [];

  parts.push(box(20, 60, width - 40, height - 75, '#f7f9fc', '#5b7db1',
    [`VPC ${a.cidr}, ${a.azs} AZs, ${a.natGateways} NAT gateways`], false, true));
  parts.push(box(35, 90, width - 70, 125, '#eaf5ea', '#6aa86a', ['public subnets'], false, true));
  parts.push(box(35, 250, width - 70, 200, '#fdf1e6', '#d08a3e', ['private subnets: no internet route'], false, true));
  parts.push(`<text x="${width / 2}" y="24" text-anchor="middle" font-size="13" font-weight="bold">internet</text>`);

  a.loadBalancers.forEach((lb, i) => {
    const x = columnX(i);
    parts.push(box(x, 140, 190, 60, '#ffffff', '#6aa86a', [`${lb.name}: ALB`, `listeners ${lb.listeners.join(', ')}`]));
    parts.push(arrow(x + 95, 32, x + 95, 138, `tcp ${lb.listeners.join(', ')}`, 48));
  });
  a.services.forEach((service, i) => {
    const x = columnX(i);
    parts.push(box(x, 290, 190, 70, '#ffffff', '#d08a3e',
      [`${service.name}: Fargate`, `container port ${service.containerPort}`, `${service.min} to ${service.max} tasks, no public IP`]));
    const lbIndex = a.loadBalancers.findIndex((lb) => lb.name === service.loadBalancer);
    const fromX = columnX(Math.max(lbIndex, 0)) + 95;
    parts.push(arrow(fromX, 202, x + 95, 288, `${service.listenerPort} → ${service.containerPort}`));
  });
  const endpointsX = 50 + columns * columnWidth;
  const endpointsBottom = 280 + 40 + a.endpoints.length * 16;
  parts.push(box(endpointsX, 280, 190, endpointsBottom - 280, '#ffffff', '#888',
    ['VPC endpoints (shared)', ...a.endpoints], true));
  // Every service's tasks reach the endpoints on 443, along one line under the services.
  const busY = 420;
  a.services.forEach((_, i) => {
    parts.push(`<polyline fill="none" stroke="#444" stroke-width="1.5" points="${columnX(i) + 95},362 ${columnX(i) + 95},${busY} ${endpointsX + 95},${busY}"/>`);
  });
  if (a.services.length > 0) {
    parts.push(arrow(endpointsX + 95, busY, endpointsX + 95, endpointsBottom + 2, ''));
    parts.push(`<text x="${endpointsX + 20}" y="${busY - 6}" font-size="11" fill="#333">tcp 443</text>`);
  }

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#444"/></marker></defs>
<rect width="100%" height="100%" fill="white"/>
${parts.join('\n')}
</svg>
`;
}

if (require.main === module) {
  const [input, output] = process.argv.slice(2);
  const architecture = readArchitecture(JSON.parse(fs.readFileSync(input, 'utf-8')));
  fs.writeFileSync(output, renderSvg(architecture));
  console.log(`${output}: ${architecture.loadBalancers.length} load balancers, ${architecture.services.length} services, ${architecture.endpoints.length} endpoints`);
}

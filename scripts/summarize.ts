/**
 * Prints what the example app synthesized: the resources of each stack by type, and a table of
 * every place a port appears (listeners, target groups, port mappings, security group rules, the
 * PORT variable). Usage: ts-node scripts/summarize.ts <cdk.out>
 */
import * as fs from 'fs';
import * as path from 'path';

interface Template {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }>;
}

interface PortPlace {
  resource: string;
  type: string;
  property: string;
  value: string;
}

const PORT_KEYS = new Set(['Port', 'ContainerPort', 'HostPort']);

/** Every port-valued property below `value`, with its path; a security group rule's FromPort and ToPort make one place. */
export function findPortPlaces(resource: string, type: string, value: unknown, at: string[] = []): PortPlace[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => findPortPlaces(resource, type, item, [...at, `${index}`]));
  }
  if (value === null || typeof value !== 'object') return [];
  const object = value as Record<string, unknown>;
  const place = (property: string, found: unknown): PortPlace =>
    ({ resource, type, property: [...at, property].join('.'), value: render(found) });
  const places: PortPlace[] = [];
  if (object.Name === 'PORT' && 'Value' in object) places.push(place('Value', object.Value));
  if ('FromPort' in object && object.IpProtocol === 'tcp') {
    const same = render(object.FromPort) === render(object.ToPort);
    places.push(place('FromPort/ToPort', same ? object.FromPort : `${render(object.FromPort)}-${render(object.ToPort)}`));
  }
  for (const [key, child] of Object.entries(object)) {
    if (PORT_KEYS.has(key) && (typeof child !== 'object' || child === null || 'Ref' in child)) {
      places.push(place(key, child));
    } else if (key !== 'FromPort' && key !== 'ToPort') {
      places.push(...findPortPlaces(resource, type, child, [...at, key]));
    }
  }
  return places;
}

function render(value: unknown): string {
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The construct path below the stack (Web/LoadBalancer/SecurityGroup), else the logical ID. */
function constructPath(logicalId: string, metadata: Record<string, unknown> | undefined): string {
  const cdkPath = metadata?.['aws:cdk:path'];
  if (typeof cdkPath !== 'string') return logicalId;
  return cdkPath.split('/').slice(1).filter((part) => part !== 'Resource').join('/');
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd()).join('\n');
}

function main(outdir: string): void {
  const templates = fs.readdirSync(outdir).filter((file) => file.endsWith('.template.json') && !file.includes('DeployAssert'));
  if (templates.length === 0) throw new Error(`no templates in ${outdir}`);
  for (const file of templates) {
    const template: Template = JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf-8'));
    const resources = Object.entries(template.Resources ?? {});
    const byType = new Map<string, number>();
    for (const [, resource] of resources) byType.set(resource.Type, (byType.get(resource.Type) ?? 0) + 1);

    console.log(`\n${file}: ${resources.length} resources`);
    const typeRows = [...byType.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([type, count]) => [type, `${count}`]);
    console.log(table([['type', 'count'], ...typeRows]));

    const places = resources.flatMap(([id, resource]) => findPortPlaces(constructPath(id, resource.Metadata), resource.Type, resource.Properties));
    console.log(`\nPort table: ${places.length} places`);
    console.log(table([['construct', 'type', 'property', 'value'], ...places.map((p) => [p.resource, p.type.replace('AWS::', ''), p.property, p.value])]));
  }
}

if (require.main === module) main(process.argv[2] ?? 'cdk.out');

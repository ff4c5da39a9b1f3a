/**
 * The identity of a value across the stacks of an app, as a string that is equal for two values when
 * they name the same thing: `{ Ref: X }` in stack S is `S/X`, `{ 'Fn::GetAtt': [X, 'a'] }` is `S/X.a`,
 * `{ 'Fn::ImportValue': name }` is what the export of that name is in the stack that exports it, a
 * literal is itself. The region of a stack with a concrete region is written out, so that
 * `com.amazonaws.{Ref: AWS::Region}.s3` in that stack equals the literal name of the service.
 */
import { StackTemplate, SynthesizedApp } from './synth';

/** The identity of `value` written in the stack `stackId` of `app`. */
export function identity(app: SynthesizedApp, stackId: string, value: unknown): string {
  return resolveIn(app, stackId, value, 0);
}

/** The identity as a number when it is one (a port or a priority written as a string), else NaN. */
export function numberOf(app: SynthesizedApp, stackId: string, value: unknown): number {
  const text = identity(app, stackId, value);
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
}

/** The export names of a stack, each with the identity of its value. */
export function exportsOf(app: SynthesizedApp, stackId: string): Map<string, string> {
  const exports = new Map<string, string>();
  for (const output of Object.values(app.stacks[stackId].template.Outputs ?? {})) {
    if (output.Export?.Name === undefined) continue;
    exports.set(identity(app, stackId, output.Export.Name), identity(app, stackId, output.Value));
  }
  return exports;
}

/** The export names a stack imports. */
export function importsOf(app: SynthesizedApp, stackId: string): Set<string> {
  const names = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value !== null && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if ('Fn::ImportValue' in record) names.add(identity(app, stackId, record['Fn::ImportValue']));
      Object.values(record).forEach(walk);
    }
  };
  walk(app.stacks[stackId].template);
  return names;
}

function resolveIn(app: SynthesizedApp, stackId: string, value: unknown, depth: number): string {
  if (depth > 20) throw new Error(`import loop in stack ${stackId}`);
  const stack = app.stacks[stackId];
  if (value === null || value === undefined) return String(value);
  if (typeof value !== 'object') return String(value);
  const recurse = (v: unknown) => resolveIn(app, stackId, v, depth);
  if (Array.isArray(value)) return `[${value.map(recurse).join(',')}]`;
  const record = value as Record<string, any>;
  const keys = Object.keys(record);
  if (keys.length !== 1) return `{${keys.sort().map((k) => `${k}:${recurse(record[k])}`).join(',')}}`;
  const [fn] = keys;
  const arg = record[fn];
  switch (fn) {
    case 'Ref':
      return refIdentity(app, stack, arg);
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = typeof arg === 'string' ? splitOnce(arg) : arg;
      return `${resourceIdentity(app, stack.id, logicalId)}.${recurse(attribute)}`;
    }
    case 'Fn::ImportValue':
      return importIdentity(app, recurse(arg), depth);
    case 'Fn::Join':
      return (arg[1] as unknown[]).map(recurse).join(arg[0]);
    default:
      return `${fn}(${recurse(arg)})`;
  }
}

function refIdentity(app: SynthesizedApp, stack: StackTemplate, name: string): string {
  if (name === 'AWS::Region' && stack.region) return stack.region;
  if (name.startsWith('AWS::')) return `\${${name}}`;
  if (stack.template.Parameters?.[name]) return `${stack.id}/parameter:${name}`;
  return resourceIdentity(app, stack.id, name);
}

/** `stack/logicalId`, marked when the update replaces it: its replacement is another resource. */
function resourceIdentity(app: SynthesizedApp, stackId: string, logicalId: string): string {
  const name = `${stackId}/${logicalId}`;
  return app.replaced?.has(name) ? `${name}(replacement)` : name;
}

/** What the export of this name is, in the stack that exports it; the name alone when no stack does. */
function importIdentity(app: SynthesizedApp, name: string, depth: number): string {
  for (const stack of Object.values(app.stacks)) {
    for (const output of Object.values(stack.template.Outputs ?? {})) {
      if (output.Export?.Name !== undefined && resolveIn(app, stack.id, output.Export.Name, depth + 1) === name) {
        return resolveIn(app, stack.id, output.Value, depth + 1);
      }
    }
  }
  return `import:${name}`;
}

function splitOnce(text: string): [string, string] {
  const dot = text.indexOf('.');
  return [text.slice(0, dot), text.slice(dot + 1)];
}

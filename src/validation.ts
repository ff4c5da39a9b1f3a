import { Annotations, Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/*
 * What every part of the construct shares to check its props: the refusal, reported when the app
 * synthesizes, and range checks. Each message names the prop, the value given and what is allowed; values
 * that are CDK tokens (a CfnParameter, say) pass unchecked. Each part's own rules live in its file.
 */

/**
 * A received value as the message quotes it: a string in double quotes (a port given as "3000" reads
 * as what it is), anything else as it prints.
 */
export function asReceived(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `${value}`;
}

/** A refused prop: the message, and the construct it is about. */
class Refusal extends Error {
  constructor(readonly scope: IConstruct, message: string) {
    super(message);
  }
}

/** The constructs whose making a refusal stopped, and the refusal at its construct's path. */
const refusals = new WeakMap<IConstruct, string>();

/** Stops the making of the construct at `scope` with the message (see `buildOrRefuse`). */
export function fail(scope: IConstruct, message: string): never {
  throw new Refusal(scope, message);
}

/**
 * Refuses at `scope` without stopping: the message becomes a validation of `scope`, so that the app's
 * synthesis (`cdk synth`, `app.synth()`, `Template.fromStack`) reports it as aws-cdk-lib reports its own:
 * a ValidationError that lists each message at its construct's path, with no frame of this library.
 */
export function refuse(scope: IConstruct, message: string): void {
  const inLanguage = inAppLanguage(message);
  scope.node.addValidation({ validate: () => [inLanguage] });
}

/** Adds a warning at `scope`, acknowledged by `id`, naming props as the app's language writes them. */
export function warn(scope: IConstruct, id: string, message: string): void {
  Annotations.of(scope).addWarningV2(id, inAppLanguage(message));
}

/**
 * The message with the names of props and methods as the app's language writes them, which jsii tells
 * in JSII_AGENT: snake_case in Python (`health_check_interval`, `ContainerImage.from_asset`), with a
 * capital in Go (`HealthCheckInterval`), as written in TypeScript and Java. A name is a word in camelCase;
 * quoted values and construct paths are the app's own and stay as they are.
 */
export function inAppLanguage(message: string): string {
  const agent = process.env.JSII_AGENT ?? '';
  const rename = agent.startsWith('Python/') ? snakeCase : agent.startsWith('go') ? (name: string) => name.charAt(0).toUpperCase() + name.slice(1) : undefined;
  if (!rename) return message;
  return message.split('"').map((part, i) => i % 2 === 1 ? part : part.replace(NAME, rename)).join('"');
}

/** A camelCase word that is not part of a path, an ARN or a hyphenated name. */
const NAME = /(?<![\w/:-])[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*(?![\w/-])/g;

/** A name as jsii writes it in Python: KiB, MiB and GiB are one word (memory_limit_mib). */
function snakeCase(name: string): string {
  return name
    .replace(/(KiB|MiB|GiB)(?![a-z])/g, (unit) => unit.charAt(0) + unit.slice(1).toLowerCase())
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z]+)/g, '$1_$2')
    .toLowerCase();
}

/**
 * Makes `construct` with `build`. A refusal (`fail`) stops the making and is reported when the app
 * synthesizes (`refuse`); the result is then undefined, and the construct counts as refused.
 */
export function buildOrRefuse<T>(construct: IConstruct, build: () => T): T | undefined {
  try {
    return build();
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    refuse(error.scope, error.message);
    refusals.set(construct, `[${error.scope.node.path}] ${error.message}`);
    return undefined;
  }
}

/** Whether a refusal stopped the making of `construct`: what the app does with it at synth is moot. */
export function isRefused(construct: IConstruct): boolean {
  return refusals.has(construct);
}

/**
 * The parts `buildOrRefuse` made of `construct`. Used before the app synthesizes, the parts of a refused
 * construct throw the refusal itself, the stack starting in the app.
 */
export function partsOf<T>(construct: IConstruct, parts: T | undefined): T {
  if (parts !== undefined) return parts;
  const error = new Error(inAppLanguage(refusals.get(construct) ?? ''));
  error.stack = (error.stack ?? '').split('\n').filter((line) => !line.includes(__dirname)).join('\n');
  throw error;
}

/** Refuses (`fail`) unless `value` is a whole number from `min` to `max`. */
export function validateIntegerInRange(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(scope, `${prop} must be an integer from ${min} to ${max}; received ${asReceived(value)}`);
  }
}

/** Refuses (`fail`) unless `value` is a whole number of at least `min`. */
export function validateIntegerAtLeast(scope: IConstruct, prop: string, value: number | undefined, min: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min) {
    fail(scope, `${prop} must be an integer of at least ${min}; received ${asReceived(value)}`);
  }
}

/** Refuses (`fail`) unless the duration is a whole number of seconds from `min` to `max`. */
export function validateSecondsInRange(scope: IConstruct, prop: string, value: Duration | undefined, min: number, max: number): void {
  const seconds = toSeconds(value);
  if (seconds === undefined) return;
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    fail(scope, `${prop} must be a whole number of seconds from ${min} to ${max}; received ${seconds} second${seconds === 1 ? '' : 's'}`);
  }
}

/** Refuses (`fail`) unless the value is a number with 0 < percent <= 100. */
export function validatePercent(scope: IConstruct, prop: string, value: number | undefined): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (typeof value !== 'number' || !(value > 0 && value <= 100)) {
    fail(scope, `${prop} must be greater than 0 and at most 100; received ${asReceived(value)}`);
  }
}

/** The seconds of a duration, or undefined when it is absent or a token. */
export function toSeconds(value: Duration | undefined): number | undefined {
  if (value === undefined || value.isUnresolved()) return undefined;
  return value.toMilliseconds() / 1000;
}

import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/*
 * What every part of the construct shares to check its props: the error that carries the construct
 * path, and range checks. Each message names the prop, the value given and what is allowed; values
 * that are CDK tokens (a CfnParameter, say) pass unchecked. Each part's own rules live in its file.
 */

/**
 * A received value as the message quotes it: a string in double quotes (a port given as "3000" reads
 * as what it is), anything else as it prints.
 */
export function asReceived(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : `${value}`;
}

/** Throws the message, prefixed with the construct's path as aws-cdk-lib's own errors are. */
export function fail(scope: IConstruct, message: string): never {
  throw new Error(`[${scope.node.path}] ${message}`);
}

/** Throws unless `value` is a whole number from `min` to `max`. */
export function validateIntegerInRange(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(scope, `${prop} must be an integer from ${min} to ${max}; received ${asReceived(value)}`);
  }
}

/** Throws unless `value` is a whole number of at least `min`. */
export function validateIntegerAtLeast(scope: IConstruct, prop: string, value: number | undefined, min: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min) {
    fail(scope, `${prop} must be an integer of at least ${min}; received ${asReceived(value)}`);
  }
}

/** Throws unless the duration is a whole number of seconds from `min` to `max`. */
export function validateSecondsInRange(scope: IConstruct, prop: string, value: Duration | undefined, min: number, max: number): void {
  const seconds = toSeconds(value);
  if (seconds === undefined) return;
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    fail(scope, `${prop} must be a whole number of seconds from ${min} to ${max}; received ${seconds} second${seconds === 1 ? '' : 's'}`);
  }
}

/** Throws unless the value is a number with 0 < percent <= 100. */
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

import { Duration, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { PrivateFargateBehindAlbProps } from './private-fargate-behind-alb';

/**
 * Synth-time checks of the construct's props. Each names the prop, the value given and what is
 * allowed; values that are CDK tokens (a CfnParameter, say) pass unchecked.
 */

/** Fargate CPU units and the memory sizes (MiB) each offers. */
const FARGATE_SIZES: Record<number, number[]> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

/** Throws unless `value` is a whole number from `min` to `max`. */
export function validateIntegerInRange(prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${prop} must be an integer from ${min} to ${max}; received ${value}`);
  }
}

/** Throws unless the duration is a whole number of seconds from `min` to `max`. */
export function validateSecondsInRange(prop: string, value: Duration | undefined, min: number, max: number): void {
  if (value === undefined) return;
  const seconds = toSeconds(value);
  if (seconds === undefined) return;
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    throw new Error(`${prop} must be a whole number of seconds from ${min} to ${max}; received ${seconds} second${seconds === 1 ? '' : 's'}`);
  }
}

/** Throws unless the health check timeout is shorter than its interval (ELB refuses it at deploy otherwise). */
export function validateTimeoutBelowInterval(timeout: Duration, interval: Duration): void {
  const timeoutSeconds = toSeconds(timeout);
  const intervalSeconds = toSeconds(interval);
  if (timeoutSeconds === undefined || intervalSeconds === undefined) return;
  if (timeoutSeconds >= intervalSeconds) {
    throw new Error(
      `healthCheckTimeout must be less than healthCheckInterval; received healthCheckTimeout ${timeout.toHumanString()} ` +
      `and healthCheckInterval ${interval.toHumanString()}`,
    );
  }
}

/** Throws unless cpu and memoryLimitMiB form a task size Fargate offers. */
export function validateFargateSize(cpu: number, memoryLimitMiB: number): void {
  if (Token.isUnresolved(cpu) || Token.isUnresolved(memoryLimitMiB)) return;
  const memories = FARGATE_SIZES[cpu];
  if (memories === undefined) {
    throw new Error(`cpu must be one of ${Object.keys(FARGATE_SIZES).join(', ')}; received ${cpu}`);
  }
  if (!memories.includes(memoryLimitMiB)) {
    throw new Error(
      `memoryLimitMiB must be one of ${describeSizes(memories)} when cpu is ${cpu}; received ${memoryLimitMiB}`,
    );
  }
}

function describeSizes(memories: number[]): string {
  if (memories.length <= 3) return memories.join(', ');
  const step = memories[1] - memories[0];
  return `${memories[0]} to ${memories[memories.length - 1]} in steps of ${step}`;
}

/** Throws unless both capacities are whole numbers, 0 <= minCapacity <= maxCapacity and maxCapacity >= 1. */
export function validateCapacity(minCapacity: number, maxCapacity: number): void {
  validateWholeNumberAtLeast('minCapacity', minCapacity, 0);
  validateWholeNumberAtLeast('maxCapacity', maxCapacity, 1);
  if (Token.isUnresolved(minCapacity) || Token.isUnresolved(maxCapacity)) return;
  if (minCapacity > maxCapacity) {
    throw new Error(
      `minCapacity must not exceed maxCapacity; received minCapacity ${minCapacity} and maxCapacity ${maxCapacity}`,
    );
  }
}

function validateWholeNumberAtLeast(prop: string, value: number, min: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${prop} must be an integer of at least ${min}; received ${value}`);
  }
}

/** Throws unless 0 < percent <= 100. */
export function validatePercent(prop: string, value: number): void {
  if (Token.isUnresolved(value)) return;
  if (!(value > 0 && value <= 100)) {
    throw new Error(`${prop} must be greater than 0 and at most 100; received ${value}`);
  }
}

function toSeconds(value: Duration): number | undefined {
  if (value.isUnresolved()) return undefined;
  return value.toMilliseconds() / 1000;
}

/** Throws unless the health check path is absolute. */
export function validateHealthCheckPath(path: string): void {
  if (!Token.isUnresolved(path) && !path.startsWith('/')) {
    throw new Error(`healthCheckPath must start with "/"; received "${path}"`);
  }
}

/** Throws when the user's environment sets PORT, which the construct derives from port. */
export function validateEnvironment(environment: { [key: string]: string } | undefined): void {
  if (environment && 'PORT' in environment) {
    throw new Error(`environment must not set PORT (the construct sets it from port); received PORT=${environment.PORT}`);
  }
}

/** Throws when props that exclude each other are given together, or disagree on the VPC. */
export function validateExclusiveProps(props: PrivateFargateBehindAlbProps): void {
  if (props.vpc && props.cluster) {
    throw new Error('You can only specify either vpc or cluster. Alternatively, you can leave both blank');
  }
  if (props.loadBalancer && !props.loadBalancer.vpc) {
    throw new Error('loadBalancer must be an Application Load Balancer with a known VPC; received one whose vpc is undefined');
  }
  if (props.loadBalancer?.vpc && props.vpc && props.loadBalancer.vpc !== props.vpc) {
    throw new Error(`vpc must be the loadBalancer's VPC; received ${props.vpc.node.path} and a load balancer in ${props.loadBalancer.vpc.node.path}`);
  }
  if (props.loadBalancer && props.certificate) {
    throw new Error('You can only specify either loadBalancer or certificate: a shared load balancer serves each service on its own port');
  }
}

/** Throws unless the VPC has private subnets and public subnets in two AZs or more. */
export function validateVpcShape(vpc: ec2.IVpc): void {
  const privateCount = vpc.isolatedSubnets.length + vpc.privateSubnets.length;
  if (privateCount === 0) {
    throw new Error(`vpc must have private subnets (isolated or with egress) for the tasks; received ${describeVpc(vpc)} with none`);
  }
  const publicAzs = new Set(vpc.publicSubnets.map((subnet) => subnet.availabilityZone));
  if (publicAzs.size < 2) {
    throw new Error(
      `vpc must have public subnets in at least 2 availability zones for the internet-facing load balancer; received ${describeVpc(vpc)} with public subnets in ${publicAzs.size}`,
    );
  }
}

/** Throws when the task subnets include a public subnet. */
export function validateTaskSubnetsArePrivate(vpc: ec2.IVpc, taskSubnets: ec2.SubnetSelection): void {
  const publicIds = new Set(vpc.publicSubnets.map((subnet) => subnet.subnetId));
  const chosenPublic = vpc.selectSubnets(taskSubnets).subnets.filter(
    (subnet) => vpc.publicSubnets.includes(subnet) || publicIds.has(subnet.subnetId),
  );
  if (chosenPublic.length > 0) {
    const names = chosenPublic.map((subnet) => subnet.node.path).join(', ');
    throw new Error(`taskSubnets must select only private subnets; received a selection with public subnets: ${names}`);
  }
}

function describeVpc(vpc: ec2.IVpc): string {
  return Token.isUnresolved(vpc.vpcId) ? `the VPC ${vpc.node.path}` : `the VPC ${vpc.vpcId}`;
}

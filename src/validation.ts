import { Duration, Stack, Stage, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { IConstruct } from 'constructs';
import type { FargateVpcEndpoints } from './fargate-vpc-endpoints';
import { sameVpc } from './network';
import type { PrivateFargateBehindAlbProps } from './private-fargate-behind-alb';

/**
 * Synth-time checks of the construct's props. Each names the construct path, the prop, the value
 * given and what is allowed; values that are CDK tokens (a CfnParameter, say) pass unchecked.
 */

/** Throws the message, prefixed with the construct's path as aws-cdk-lib's own errors are. */
export function fail(scope: IConstruct, message: string): never {
  throw new Error(`[${scope.node.path}] ${message}`);
}

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
export function validateIntegerInRange(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    fail(scope, `${prop} must be an integer from ${min} to ${max}; received ${value}`);
  }
}

/** Throws unless the duration is a whole number of seconds from `min` to `max`. */
export function validateSecondsInRange(scope: IConstruct, prop: string, value: Duration | undefined, min: number, max: number): void {
  if (value === undefined) return;
  const seconds = toSeconds(value);
  if (seconds === undefined) return;
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    fail(scope, `${prop} must be a whole number of seconds from ${min} to ${max}; received ${seconds} second${seconds === 1 ? '' : 's'}`);
  }
}

/** Throws unless the health check timeout is shorter than its interval (ELB refuses it at deploy otherwise). */
export function validateTimeoutBelowInterval(scope: IConstruct, timeout: Duration, interval: Duration): void {
  const timeoutSeconds = toSeconds(timeout);
  const intervalSeconds = toSeconds(interval);
  // Stryker disable next-line ConditionalExpression,LogicalOperator: an undefined side makes the comparison below false as well.
  if (timeoutSeconds === undefined || intervalSeconds === undefined) return;
  if (timeoutSeconds >= intervalSeconds) {
    fail(scope,
      `healthCheckTimeout must be less than healthCheckInterval; received healthCheckTimeout ${timeout.toHumanString()} ` +
      `and healthCheckInterval ${interval.toHumanString()}`,
    );
  }
}

/** Throws unless cpu and memoryLimitMiB form a task size Fargate offers. */
export function validateFargateSize(scope: IConstruct, cpu: number, memoryLimitMiB: number): void {
  if (Token.isUnresolved(cpu) || Token.isUnresolved(memoryLimitMiB)) return;
  const memories = FARGATE_SIZES[cpu];
  if (memories === undefined) {
    fail(scope, `cpu must be one of ${Object.keys(FARGATE_SIZES).join(', ')}; received ${cpu}`);
  }
  if (!memories.includes(memoryLimitMiB)) {
    fail(scope,
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
export function validateCapacity(scope: IConstruct, minCapacity: number, maxCapacity: number): void {
  validateWholeNumberAtLeast(scope, 'minCapacity', minCapacity, 0);
  validateWholeNumberAtLeast(scope, 'maxCapacity', maxCapacity, 1);
  if (Token.isUnresolved(minCapacity) || Token.isUnresolved(maxCapacity)) return;
  if (minCapacity > maxCapacity) {
    fail(scope,
      `minCapacity must not exceed maxCapacity; received minCapacity ${minCapacity} and maxCapacity ${maxCapacity}`,
    );
  }
}

function validateWholeNumberAtLeast(scope: IConstruct, prop: string, value: number, min: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min) {
    fail(scope, `${prop} must be an integer of at least ${min}; received ${value}`);
  }
}

/** Throws unless 0 < percent <= 100. */
export function validatePercent(scope: IConstruct, prop: string, value: number): void {
  if (Token.isUnresolved(value)) return;
  if (!(value > 0 && value <= 100)) {
    fail(scope, `${prop} must be greater than 0 and at most 100; received ${value}`);
  }
}

function toSeconds(value: Duration): number | undefined {
  if (value.isUnresolved()) return undefined;
  return value.toMilliseconds() / 1000;
}

/** Throws unless the health check path is absolute. */
export function validateHealthCheckPath(scope: IConstruct, path: string): void {
  if (!Token.isUnresolved(path) && !path.startsWith('/')) {
    fail(scope, `healthCheckPath must start with "/"; received "${path}"`);
  }
}

/** Throws when the user's environment sets PORT, which the construct derives from port. */
export function validateEnvironment(scope: IConstruct, environment: { [key: string]: string } | undefined): void {
  if (environment && 'PORT' in environment) {
    fail(scope, `environment must not set PORT (the construct sets it from port); received PORT=${environment.PORT}`);
  }
}

/** Throws when props that exclude each other are given together, or disagree on the VPC. */
export function validateExclusiveProps(scope: IConstruct, props: PrivateFargateBehindAlbProps): void {
  if (props.vpc && props.cluster) {
    fail(scope, 'You can only specify either vpc or cluster. Alternatively, you can leave both blank');
  }
  if (props.loadBalancer && !props.loadBalancer.vpc) {
    fail(scope, 'loadBalancer must be an Application Load Balancer with a known VPC; received one whose vpc is undefined. Import it with its VPC');
  }
  const vpc = props.vpc ?? props.cluster?.vpc;
  if (props.loadBalancer?.vpc && vpc && !sameVpc(props.loadBalancer.vpc, vpc)) {
    fail(scope, `vpc must be the loadBalancer's VPC; received ${describeVpc(vpc)} and a load balancer in ${describeVpc(props.loadBalancer.vpc)}`);
  }
  if (props.loadBalancer && props.certificate && !props.domainName) {
    fail(scope, 'You can only specify either loadBalancer or certificate without domainName: a shared load balancer serves HTTPS by host name, so give domainName too');
  }
  if (props.endpointSecurityGroup && props.vpcEndpoints !== undefined) {
    fail(scope, 'You can only specify either endpointSecurityGroup or vpcEndpoints: with endpointSecurityGroup the construct uses the VPC\'s endpoints and creates none');
  }
}

/** Throws unless the VPC has private subnets and, for an internet-facing load balancer, public subnets in two AZs or more. */
export function validateVpcShape(scope: IConstruct, vpc: ec2.IVpc, internetFacing: boolean): void {
  const privateCount = vpc.isolatedSubnets.length + vpc.privateSubnets.length;
  if (privateCount === 0) {
    fail(scope, `vpc must have private subnets (isolated or with egress) for the tasks; received ${describeVpc(vpc)} with none. Give a VPC with a private subnet in each of two availability zones`);
  }
  const publicAzs = new Set(vpc.publicSubnets.map((subnet) => subnet.availabilityZone));
  const privateAzs = new Set([...vpc.isolatedSubnets, ...vpc.privateSubnets].map((subnet) => subnet.availabilityZone));
  if (!internetFacing && privateAzs.size < 2) {
    fail(scope,
      `vpc must have private subnets in at least 2 availability zones for the internal load balancer; received ${describeVpc(vpc)} ` +
      `with private subnets in ${privateAzs.size}. Give a VPC with a private subnet in each of two availability zones`,
    );
  }
  if (internetFacing && publicAzs.size < 2) {
    fail(scope,
      `vpc must have public subnets in at least 2 availability zones for the internet-facing load balancer; received ${describeVpc(vpc)} ` +
      `with public subnets in ${publicAzs.size}. Give a VPC with a public subnet (one whose route table sends 0.0.0.0/0 to an internet gateway) in each of two availability zones`,
    );
  }
}

/** Throws when the task subnets are none or include a public subnet. */
export function validateTaskSubnetsArePrivate(scope: IConstruct, vpc: ec2.IVpc, taskSubnets: ec2.SubnetSelection): void {
  const chosen = vpc.selectSubnets(taskSubnets).subnets;
  if (chosen.length === 0) {
    fail(scope, 'taskSubnets must select at least one private subnet (ECS refuses a service without subnets); received a selection with none');
  }
  const publicIds = new Set(vpc.publicSubnets.map((subnet) => subnet.subnetId));
  const chosenPublic = chosen.filter(
    (subnet) => vpc.publicSubnets.includes(subnet) || publicIds.has(subnet.subnetId),
  );
  if (chosenPublic.length > 0) {
    const names = chosenPublic.map((subnet) => subnet.node.path).join(', ');
    fail(scope, `taskSubnets must select only private subnets; received a selection with public subnets: ${names}`);
  }
}

function describeVpc(vpc: ec2.IVpc): string {
  return Token.isUnresolved(vpc.vpcId) ? `the VPC ${vpc.node.path}` : `the VPC ${vpc.vpcId}`;
}

/**
 * Throws when this construct's stack cannot reference the VPC's endpoints, created by another stack of
 * the app for the same VPC: a stack of another stage or environment cannot import their security group.
 */
export function validateEndpointsReachable(scope: IConstruct, endpoints: FargateVpcEndpoints): void {
  const ours = Stack.of(scope);
  const theirs = Stack.of(endpoints);
  if (Stage.of(ours) === Stage.of(theirs) && ours.environment === theirs.environment) return;
  fail(scope,
    `vpcEndpoints: ${describeVpc(endpoints.vpc)} already has its endpoints in the stack ${theirs.stackName} (${endpoints.node.path}), ` +
    `which the stack ${ours.stackName} cannot reference (another stage or environment), and a second set fails at deploy. ` +
    'Set endpointSecurityGroup to the security group of those endpoints (imported by id), or create these services in one stage and environment',
  );
}

/**
 * The images of the task definition's containers that tasks without internet access cannot pull:
 * anything but private ECR of the stack's region. Images from assets and ECR repositories are tokens
 * and pass.
 */
export function unpullableImages(taskDefinition: ecs.TaskDefinition): string[] {
  // ECR in the stack's region is reachable through the VPC endpoints; anything else needs the internet.
  const privateEcr = /^\d{12}\.dkr\.ecr(-fips)?\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//;
  const region = Stack.of(taskDefinition).region;
  const refused: string[] = [];
  for (const child of taskDefinition.node.children) {
    if (!(child instanceof ecs.ContainerDefinition) || Token.isUnresolved(child.imageName)) continue;
    const ecr = privateEcr.exec(child.imageName);
    if (ecr && (Token.isUnresolved(region) || ecr[2] === region)) continue;
    const where = ecr ? `ECR of another region (${ecr[2]})` : 'a public registry';
    refused.push(
      `image must be pullable without internet access; received "${child.imageName}" for the container ${child.containerName}, from ${where}, ` +
      'and the task subnets have no route to the internet. Use an image asset (ContainerImage.fromAsset), a private ECR repository of this ' +
      'region (copy public images there at deploy time, for example with cdk-ecr-deployment), or taskSubnets with egress (a NAT gateway)',
    );
  }
  return refused;
}

/** Throws on front-door props that the load balancer, ACM or Route 53 would refuse, or that cannot work together. */
export function validateFrontDoor(scope: IConstruct, props: PrivateFargateBehindAlbProps): void {
  const https = props.certificate !== undefined || props.domainName !== undefined;
  if (props.listenerPort !== undefined) {
    validateIntegerInRange(scope, 'listenerPort', props.listenerPort, 1, 65535);
    if (https) fail(scope, `listenerPort is for HTTP only; received ${props.listenerPort} with a certificate or domainName, which serve HTTPS on 443. Leave listenerPort out`);
  }
  if (props.allowFrom !== undefined && props.allowFrom.length === 0) {
    fail(scope, 'allowFrom must name at least one peer; received an empty list. Leave it out to admit any IPv4 address');
  }
  if (props.idleTimeout !== undefined) {
    validateSecondsInRange(scope, 'idleTimeout', props.idleTimeout, 1, 4000);
    if (props.loadBalancer) fail(scope, 'idleTimeout is set on the load balancer this construct creates; received it with a shared loadBalancer. Set it where that load balancer is created');
  }
  if (props.webAclArn !== undefined) {
    if (!Token.isUnresolved(props.webAclArn) && !/^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[\w-]+\/[\w-]+$/.test(props.webAclArn)) {
      fail(scope, `webAclArn must be the ARN of a regional WAFv2 web ACL (arn:aws:wafv2:REGION:ACCOUNT:regional/webacl/NAME/ID); received "${props.webAclArn}"`);
    }
    if (props.loadBalancer) fail(scope, 'webAclArn is associated with the load balancer this construct creates; received it with a shared loadBalancer. Associate the web ACL where that load balancer is created');
  }
  if (props.healthyHttpCodes !== undefined && !Token.isUnresolved(props.healthyHttpCodes)) {
    const codes = props.healthyHttpCodes.split(',').map((part) => part.split('-').map(Number));
    const valid = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(props.healthyHttpCodes) &&
      codes.every((bounds) => bounds.every((code) => code >= 200 && code <= 499) && (bounds.length === 1 || bounds[0] < bounds[1]));
    if (!valid) {
      fail(scope, `healthyHttpCodes must be HTTP codes from 200 to 499, as a list ("200,302") or a range ("200-299"); received "${props.healthyHttpCodes}"`);
    }
  }
  if (props.domainName !== undefined && !Token.isUnresolved(props.domainName)) {
    const domain = props.domainName.toLowerCase();
    if (domain.length > 253 || !/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(domain)) {
      fail(scope, `domainName must be a DNS name such as api.example.com; received "${props.domainName}"`);
    }
    const zone = props.hostedZone?.zoneName;
    if (zone !== undefined && !Token.isUnresolved(zone)) {
      const zoneName = zone.toLowerCase().replace(/\.$/, '');
      if (domain !== zoneName && !domain.endsWith(`.${zoneName}`)) {
        fail(scope, `domainName must be in the hostedZone; received "${props.domainName}" and the zone ${zoneName}`);
      }
    }
    if (!props.hostedZone && !props.certificate) {
      fail(scope, `domainName needs a hostedZone (to validate a new certificate and create the record) or a certificate; received "${props.domainName}" with neither`);
    }
  }
  if (props.hostedZone && props.domainName === undefined) {
    fail(scope, 'hostedZone needs domainName: the name of the service in that zone; received a hostedZone without it');
  }
  if (props.pathPatterns !== undefined) {
    if (!props.loadBalancer || !props.domainName) {
      fail(scope, 'pathPatterns route a service on a shared loadBalancer with its domainName; received pathPatterns without both. Give loadBalancer and domainName, or leave pathPatterns out');
    }
    if (props.pathPatterns.length < 1 || props.pathPatterns.length > 4) {
      fail(scope, `pathPatterns must hold 1 to 4 patterns (a listener rule matches at most 5 values, one is the host); received ${props.pathPatterns.length}`);
    }
  }
}

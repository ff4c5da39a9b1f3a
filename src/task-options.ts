import * as path from 'path';
import { Annotations, Aspects, Duration, Stack, Token } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct, IConstruct } from 'constructs';
import { fail, validateIntegerInRange, validatePercent, validateSecondsInRange } from './validation';

/*
 * Task options: the CPU architecture and an image built for it, Fargate and Fargate Spot, and the
 * container's health check, storage and read-only root file system.
 */

/** The CPU architectures of Fargate Linux tasks, and the platform the default image is built for on each. */
const PLATFORMS: Record<string, Platform> = { X86_64: Platform.LINUX_AMD64, ARM64: Platform.LINUX_ARM64 };

/** The paths nginx in the default image writes to (see assets/default-image): its rendered config, cache, pid and temp files. */
const DEFAULT_IMAGE_WRITABLE_PATHS = ['/etc/nginx/conf.d', '/tmp', '/var/cache/nginx', '/var/run'];

/** What the task options read from the construct's props. */
export interface TaskOptionProps {
  readonly capacityProviderStrategies?: ecs.CapacityProviderStrategy[];
  readonly containerHealthCheck?: ecs.HealthCheck;
  readonly ephemeralStorageGiB?: number;
  readonly targetMemoryUtilizationPercent?: number;
  readonly targetRequestsPerTarget?: number;
}

/** Throws for task options ECS, Fargate or Application Auto Scaling would refuse at deploy. */
export function validateTaskOptions(scope: IConstruct, props: TaskOptionProps): void {
  validateIntegerInRange(scope, 'ephemeralStorageGiB', props.ephemeralStorageGiB, 21, 200);
  if (props.targetMemoryUtilizationPercent !== undefined) {
    validatePercent(scope, 'targetMemoryUtilizationPercent', props.targetMemoryUtilizationPercent);
  }
  const requests = props.targetRequestsPerTarget;
  if (requests !== undefined && !Token.isUnresolved(requests) && !(requests > 0)) {
    fail(scope, `targetRequestsPerTarget must be greater than 0 (requests per target per minute); received ${requests}`);
  }
  validateContainerHealthCheck(scope, props.containerHealthCheck);
  validateCapacityProviderStrategies(scope, props.capacityProviderStrategies);
}

/** The ranges of the ECS container health check (ECS API reference, HealthCheck). */
function validateContainerHealthCheck(scope: IConstruct, healthCheck: ecs.HealthCheck | undefined): void {
  if (!healthCheck) return;
  if (healthCheck.command.length === 0) {
    fail(scope, 'containerHealthCheck.command must have at least one element, for example ["CMD-SHELL", "wget -q -O /dev/null http://localhost:$PORT/ || exit 1"]; received []');
  }
  validateSecondsInRange(scope, 'containerHealthCheck.interval', healthCheck.interval, 5, 300);
  validateSecondsInRange(scope, 'containerHealthCheck.timeout', healthCheck.timeout, 2, 60);
  validateSecondsInRange(scope, 'containerHealthCheck.startPeriod', healthCheck.startPeriod, 0, 300);
  validateIntegerInRange(scope, 'containerHealthCheck.retries', healthCheck.retries, 1, 10);
  const interval = (healthCheck.interval ?? Duration.seconds(30));
  const timeout = (healthCheck.timeout ?? Duration.seconds(5));
  // Stryker disable next-line LogicalOperator,ConditionalExpression: aws-cdk-lib refuses a token interval or timeout at synth either way.
  if (!interval.isUnresolved() && !timeout.isUnresolved() && timeout.toSeconds() > interval.toSeconds()) {
    fail(scope,
      `containerHealthCheck.timeout must not exceed containerHealthCheck.interval; received timeout ${timeout.toHumanString()} ` +
      `and interval ${interval.toHumanString()}`);
  }
}

/** The limits of a capacity provider strategy (ECS API reference, CapacityProviderStrategyItem). */
function validateCapacityProviderStrategies(scope: IConstruct, strategies: ecs.CapacityProviderStrategy[] | undefined): void {
  if (!strategies) return;
  const prop = 'capacityProviderStrategies';
  strategies.forEach((strategy, i) => {
    const name = strategy.capacityProvider;
    if (!Token.isUnresolved(name) && name !== 'FARGATE' && name !== 'FARGATE_SPOT') {
      fail(scope, `${prop}[${i}].capacityProvider must be FARGATE or FARGATE_SPOT; received ${name}`);
    }
    validateIntegerInRange(scope, `${prop}[${i}].weight`, strategy.weight, 0, 1000);
    validateIntegerInRange(scope, `${prop}[${i}].base`, strategy.base, 0, 100000);
  });
  // One token named twice is one provider twice as well.
  const names = strategies.map((strategy) => strategy.capacityProvider);
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated) {
    fail(scope, `${prop} must name each capacity provider once; received ${Token.isUnresolved(repeated) ? 'one token' : repeated} twice`);
  }
  const withBase = strategies.filter((strategy) => Token.isUnresolved(strategy.base) || (strategy.base ?? 0) > 0);
  if (withBase.length > 1) {
    fail(scope, `${prop} may give a base to one capacity provider only; received bases on ${withBase.map((s) => s.capacityProvider).join(' and ')}`);
  }
  const weights = strategies.map((strategy) => strategy.weight ?? 0);
  if (!weights.some((weight) => Token.isUnresolved(weight) || weight > 0)) {
    fail(scope,
      `${prop} must give at least one capacity provider a weight above 0, or ECS places no task; received ` +
      (strategies.length === 0 ? 'an empty list' : `weights ${weights.join(', ')}`));
  }
}

/**
 * The CPU architecture the task definition's runtime platform names (X86_64 when it names none), read
 * from its CloudFormation resource; undefined when it is a token.
 */
export function architectureOf(scope: IConstruct, taskDefinition: ecs.TaskDefinition): string | undefined {
  const runtimePlatform = (taskDefinition.node.defaultChild as ecs.CfnTaskDefinition).runtimePlatform as
    ecs.CfnTaskDefinition.RuntimePlatformProperty | undefined;
  const architecture = runtimePlatform?.cpuArchitecture ?? 'X86_64';
  if (Token.isUnresolved(architecture)) return undefined;
  if (!(architecture in PLATFORMS)) {
    fail(scope, `cpuArchitecture must be ${Object.keys(PLATFORMS).join(' or ')} (Fargate Linux); received ${architecture}`);
  }
  return architecture;
}

/** nginx serving a static page on $PORT, built from the Dockerfile shipped in this package for the architecture. */
export function defaultImage(scope: IConstruct, architecture: string | undefined): ecs.ContainerImage {
  if (architecture === undefined) {
    fail(scope, 'cpuArchitecture must be a concrete value when image is the default image, which is built at synth for one architecture; received a token. Give image, or a concrete cpuArchitecture');
  }
  return ecs.ContainerImage.fromAsset(path.join(__dirname, '..', 'assets', 'default-image'), { platform: PLATFORMS[architecture] });
}

/** The CPU architecture a Docker platform such as linux/arm64 runs on, or undefined for one Fargate does not run. */
function architectureOfPlatform(platform: string): string | undefined {
  // Stryker disable next-line Regex: a Docker platform starts with its operating system, which no other ends in linux.
  if (/^linux\/(amd64|x86_64)(\/|$)/.test(platform)) return 'X86_64';
  // Stryker disable next-line Regex: a Docker platform starts with its operating system, which no other ends in linux.
  if (/^linux\/(arm64|aarch64)(\/|$)/.test(platform)) return 'ARM64';
  return undefined;
}

/**
 * Adds the container and checks that an image asset it builds is built for the task's architecture.
 * An `AssetImage` keeps its platform private; the one public place it shows is the asset it registers
 * with the stack's synthesizer (`IStackSynthesizer.addDockerImageAsset`) while the container binds its
 * image, so that call is observed for the length of `addContainer`. Images that are not built here
 * (ECR, an asset made beforehand) cannot be checked.
 */
export function addContainerForArchitecture(
  scope: Construct, taskDefinition: ecs.TaskDefinition, architecture: string | undefined, options: ecs.ContainerDefinitionOptions,
): ecs.ContainerDefinition {
  const synthesizer = Stack.of(taskDefinition).synthesizer;
  const own = Object.getOwnPropertyDescriptor(synthesizer, 'addDockerImageAsset');
  const platforms: Array<string | undefined> = [];
  const register = synthesizer.addDockerImageAsset;
  synthesizer.addDockerImageAsset = (asset) => {
    platforms.push(asset.platform);
    return register.call(synthesizer, asset);
  };
  let container: ecs.ContainerDefinition;
  try {
    container = taskDefinition.addContainer(options.containerName!, options);
  } finally {
    if (own) Object.defineProperty(synthesizer, 'addDockerImageAsset', own);
    else delete (synthesizer as { addDockerImageAsset?: unknown }).addDockerImageAsset;
  }
  if (architecture === undefined) return container;
  const expected = PLATFORMS[architecture].platform;
  for (const platform of platforms) {
    const built = platform && architectureOfPlatform(platform);
    if (platform === undefined) {
      Annotations.of(scope).addWarningV2('private-fargate-behind-alb:imagePlatform',
        `image is an asset with no platform, so it is built for the CPU of the machine that builds it, and the tasks run ${architecture}: ` +
        `an image built on a machine of another architecture stops with "exec format error". Give the asset the platform ${expected}`);
    } else if (built !== architecture) {
      fail(scope,
        `image must be built for the tasks' cpuArchitecture ${architecture}; received an image asset built for ${platform}, which would stop ` +
        `with "exec format error". Give the asset the platform ${expected}${built ? `, or set cpuArchitecture to ${built}` : ''}`);
    }
  }
  return container;
}

/**
 * With a read-only root file system, gives each path the default image writes to a task volume (on the
 * task's ephemeral storage), mounted writable.
 */
export function mountDefaultImageWritablePaths(container: ecs.ContainerDefinition): void {
  for (const containerPath of DEFAULT_IMAGE_WRITABLE_PATHS) {
    // Stryker disable next-line Regex: no path of the default image has two separators in a row.
    const sourceVolume = `writable${containerPath.replace(/[^a-z0-9]+/g, '-')}`;
    container.taskDefinition.addVolume({ name: sourceVolume });
    container.addMountPoints({ containerPath, sourceVolume, readOnly: false });
  }
}

/**
 * Lets the service run on Fargate capacity providers: the cluster this library created gets FARGATE and
 * FARGATE_SPOT (a cluster the user gives must have the providers of the strategy), and the service is
 * created after the cluster's capacity provider association, without which ECS refuses the strategy.
 * The cluster's own aspect creates the association at synth, as a child of the cluster: an aspect on the
 * cluster orders the service resource alone after it (the rest already follows the cluster by reference).
 */
export function useCapacityProviders(service: ecs.FargateService, cluster: ecs.ICluster, clusterIsOurs: boolean): void {
  if (clusterIsOurs && cluster instanceof ecs.Cluster) cluster.enableFargateCapacityProviders();
  const resource = service.node.defaultChild as ecs.CfnService;
  Aspects.of(cluster).add({
    visit: (node: IConstruct) => {
      if (node instanceof ecs.CfnClusterCapacityProviderAssociations) resource.addDependency(node);
    },
  });
}

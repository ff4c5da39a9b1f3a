import * as path from 'path';
import { Duration, RemovalPolicy, Stack, Token, Tokenization, Validations } from 'aws-cdk-lib';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { fail, toSeconds, warn, validateIntegerInRange, validateSecondsInRange } from './validation';

/*
 * The task: its size and CPU architecture, the roles it runs with, and one container listening on the
 * port, from an image built for that architecture, with its health check, storage, read-only root
 * file system and logs.
 */

/** What the task reads from the construct's props. */
export interface TaskProps {
  readonly port?: number;
  readonly cpu?: number;
  readonly memoryLimitMiB?: number;
  readonly cpuArchitecture?: ecs.CpuArchitecture;
  readonly image?: ecs.ContainerImage;
  readonly containerName?: string;
  readonly environment?: { [key: string]: string };
  readonly secrets?: { [key: string]: ecs.Secret };
  readonly command?: string[];
  readonly entryPoint?: string[];
  readonly containerHealthCheck?: ecs.HealthCheck;
  readonly ephemeralStorageGiB?: number;
  readonly readonlyRootFilesystem?: boolean;
  readonly taskRole?: iam.IRole;
  readonly executionRole?: iam.IRole;
  readonly logRetention?: logs.RetentionDays;
  readonly enableExecuteCommand?: boolean;
}

/** The task built for one service. */
export interface Task {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly container: ecs.ContainerDefinition;
  readonly logGroup: logs.ILogGroup;
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

/** The CPU architectures of Fargate Linux tasks, and the platform the default image is built for on each. */
const PLATFORMS: Record<string, Platform> = { X86_64: Platform.LINUX_AMD64, ARM64: Platform.LINUX_ARM64 };

/** The paths nginx in the default image writes to (see assets/default-image): its rendered config, cache, pid and temp files. */
const DEFAULT_IMAGE_WRITABLE_PATHS = ['/etc/nginx/conf.d', '/tmp', '/var/cache/nginx', '/var/run'];

/**
 * The paths the ECS Exec agent writes to in the container (containers-roadmap #1359,
 * amazon-ecs-exec-checker): with a read-only root file system they must be volumes.
 */
const EXECUTE_COMMAND_WRITABLE_PATHS = ['/managed-agents', '/var/lib/amazon/ssm', '/var/log/amazon/ssm'];

/** Validates the task props and builds the log group, the roles, the task definition and its container. */
export function buildTask(scope: Construct, props: TaskProps): Task {
  const port = props.port ?? 80;
  const cpu = props.cpu ?? 512;
  const memoryLimitMiB = props.memoryLimitMiB ?? 1024;
  const containerName = props.containerName ?? 'web';
  validateIntegerInRange(scope, 'port', port, 1, 65535);
  validateFargateSize(scope, cpu, memoryLimitMiB);
  validateIntegerInRange(scope, 'ephemeralStorageGiB', props.ephemeralStorageGiB, 21, 200);
  validateContainerHealthCheck(scope, props.containerHealthCheck);
  if (props.environment && 'PORT' in props.environment) {
    fail(scope, `environment must not set PORT (the construct sets it from port); received PORT=${props.environment.PORT}. ` +
      'Leave PORT out of environment, and give the port the container listens on as port');
  }

  const logGroup = new logs.LogGroup(scope, 'LogGroup', {
    retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const ecsTasks = new iam.ServicePrincipal('ecs-tasks.amazonaws.com');
  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'TaskDefinition', {
    cpu,
    memoryLimitMiB,
    runtimePlatform: props.cpuArchitecture && { cpuArchitecture: props.cpuArchitecture, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    ephemeralStorageGiB: props.ephemeralStorageGiB,
    taskRole: props.taskRole ?? new iam.Role(scope, 'TaskRole', { assumedBy: ecsTasks }),
    executionRole: props.executionRole ?? new ExecutionRole(scope, 'ExecutionRole', { assumedBy: ecsTasks }),
  });
  const architecture = architectureOf(scope, taskDefinition);
  const container = addContainerForArchitecture(scope, taskDefinition, architecture, {
    containerName,
    image: props.image ?? defaultImage(scope, architecture),
    command: props.command,
    entryPoint: props.entryPoint,
    healthCheck: props.containerHealthCheck,
    readonlyRootFilesystem: props.readonlyRootFilesystem,
    // Sorted: a map's key order (Java's Map.of is random per run) must not change the template.
    environment: sortedByKey({ ...props.environment, PORT: Tokenization.stringifyNumber(port) }),
    secrets: props.secrets && sortedByKey(props.secrets),
    portMappings: [{ containerPort: port, hostPort: port, protocol: ecs.Protocol.TCP }],
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: containerName }),
  });
  if (props.readonlyRootFilesystem) {
    if (!props.image) mountWritablePaths(container, DEFAULT_IMAGE_WRITABLE_PATHS);
    if (props.enableExecuteCommand) mountWritablePaths(container, EXECUTE_COMMAND_WRITABLE_PATHS);
  }
  acknowledgeTaskFindings(taskDefinition, props);
  acknowledgeInPacks(logGroup, 'CloudWatchLogGroupEncrypted',
    'CloudWatch Logs encrypts every log group at rest; a customer-managed KMS key would add a key, its monthly cost and a key policy for ' +
    'the logs service to every service.');
  return { taskDefinition, container, logGroup };
}

/**
 * The execution role the construct makes: what it is granted (pulling the image, writing the logs,
 * reading the secrets and environment files) is in the role itself, an inline policy, not in a policy
 * resource beside it, so the role never exists without its rights when ECS starts a task, and a
 * service has one resource less.
 */
class ExecutionRole extends iam.Role {
  private readonly granted: iam.PolicyDocument;

  constructor(scope: Construct, id: string, props: iam.RoleProps) {
    // Never empty: the container's logs are always written with this role. Named apart from the policy
    // resource it replaces in stacks made before, which CloudFormation deletes once this one is in place.
    const granted = new iam.PolicyDocument();
    super(scope, id, { ...props, inlinePolicies: { Granted: granted } });
    this.granted = granted;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.granted.addStatements(statement);
    return { statementAdded: true, policyDependable: this };
  }
}

/** The cdk-nag findings of the task that are accepted, each with its reason. */
function acknowledgeTaskFindings(taskDefinition: ecs.FargateTaskDefinition, props: TaskProps): void {
  if (Object.keys(props.environment ?? {}).length === 0) {
    Validations.of(taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason: 'The only environment variable is PORT, the port number the container listens on; it is not a secret.',
    });
  }
  Validations.of(taskDefinition.obtainExecutionRole()).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: 'ecr:GetAuthorizationToken, which the execution role needs to pull from ECR, accepts only the resource *.',
  });
  if (!props.executionRole) {
    acknowledgeInPacks(taskDefinition.obtainExecutionRole(), 'IAMNoInlinePolicy',
      'What the execution role is granted (pulling the image, writing the logs, reading the secrets and environment files) is in the role ' +
      'itself, an inline policy of this one role, so the role never exists without its rights when ECS starts a task.');
  }
  if (props.enableExecuteCommand) {
    Validations.of(taskDefinition.taskRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The ssmmessages actions ECS Exec needs (CreateControlChannel, CreateDataChannel, OpenControlChannel, OpenDataChannel) accept only the resource *.',
    });
    if (!props.taskRole) {
      acknowledgeInPacks(taskDefinition.taskRole, 'IAMNoInlinePolicy',
        'aws-cdk-lib writes the ssmmessages actions ECS Exec needs into the task role\'s default policy (with what else is granted to ' +
        'the task role), a policy of this one role, created and deleted with it.');
    }
  }
}

/** Acknowledges one rule of the NIST 800-53 rev 5, HIPAA Security and PCI DSS 3.2.1 packs on exactly `construct`, with its reason. */
function acknowledgeInPacks(construct: IConstruct, rule: string, reason: string): void {
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) Validations.of(construct).acknowledge({ id: `${pack}-${rule}`, reason });
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let v = from; v <= to; v += step) values.push(v);
  return values;
}

/** Throws unless cpu and memoryLimitMiB form a task size Fargate offers. */
function validateFargateSize(scope: IConstruct, cpu: number, memoryLimitMiB: number): void {
  if (Token.isUnresolved(cpu) || Token.isUnresolved(memoryLimitMiB)) return;
  const memories = FARGATE_SIZES[cpu];
  if (memories === undefined) {
    fail(scope, `cpu must be one of ${Object.keys(FARGATE_SIZES).join(', ')}; received ${cpu}`);
  }
  if (!memories.includes(memoryLimitMiB)) {
    fail(scope, `memoryLimitMiB must be one of ${describeSizes(memories)} when cpu is ${cpu}; received ${memoryLimitMiB}`);
  }
}

function describeSizes(memories: number[]): string {
  if (memories.length <= 3) return memories.join(', ');
  const step = memories[1] - memories[0];
  return `${memories[0]} to ${memories[memories.length - 1]} in steps of ${step}`;
}

/** A copy of the map with its keys in sorted order. */
function sortedByKey<T>(map: { [key: string]: T }): { [key: string]: T } {
  return Object.fromEntries(Object.keys(map).sort().map((key) => [key, map[key]]));
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
  const interval = healthCheck.interval ?? Duration.seconds(30);
  const timeout = healthCheck.timeout ?? Duration.seconds(5);
  // A token on either side is NaN here, which exceeds nothing (aws-cdk-lib refuses a token interval or timeout at synth).
  if ((toSeconds(timeout) ?? NaN) > (toSeconds(interval) ?? NaN)) {
    fail(scope,
      `containerHealthCheck.timeout must not exceed containerHealthCheck.interval; received timeout ${timeout.toHumanString()} ` +
      `and interval ${interval.toHumanString()}. Give a timeout of at most ${toSeconds(interval)} seconds, or an interval of at least ${toSeconds(timeout)} seconds`);
  }
}

/**
 * The CPU architecture the task definition's runtime platform names (X86_64 when it names none), read
 * from its CloudFormation resource; undefined when it is a token.
 */
function architectureOf(scope: IConstruct, taskDefinition: ecs.TaskDefinition): string | undefined {
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
function defaultImage(scope: IConstruct, architecture: string | undefined): ecs.ContainerImage {
  if (architecture === undefined) {
    fail(scope, 'cpuArchitecture must be a concrete value when image is the default image, which is built at synth for one architecture; received a token. Give image, or a concrete cpuArchitecture');
  }
  return ecs.ContainerImage.fromAsset(path.join(__dirname, '..', 'assets', 'default-image'), { platform: PLATFORMS[architecture] });
}

/** The CPU architecture a Docker platform such as linux/arm64 runs on, or undefined for one Fargate does not run. */
function architectureOfPlatform(platform: string): string | undefined {
  if (/^linux\/(amd64|x86_64)(\/|$)/.test(platform)) return 'X86_64';
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
function addContainerForArchitecture(
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
      warn(scope, 'private-fargate-behind-alb:imagePlatform',
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
 * With a read-only root file system, gives each path a task volume (on the task's ephemeral storage),
 * mounted writable.
 */
function mountWritablePaths(container: ecs.ContainerDefinition, paths: string[]): void {
  for (const containerPath of paths) {
    const sourceVolume = `writable${containerPath.replace(/[^a-z0-9]/g, '-')}`;
    container.taskDefinition.addVolume({ name: sourceVolume });
    container.addMountPoints({ containerPath, sourceVolume, readOnly: false });
  }
}

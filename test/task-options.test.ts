/**
 * Cheaper and more flexible tasks: ARM64, Fargate Spot, the container's command, health check,
 * storage and read-only root file system, the user's roles, and scaling beyond CPU.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnParameter, DockerImageAssetSource, Duration, Lazy, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { newStack, synth, refusalsOf, synthesized } from './helpers';
import { Deployment, PrivateFargateBehindAlb, PrivateFargateBehindAlbProps } from '../src';

const SPOT_WITH_ONE_ON_DEMAND: ecs.CapacityProviderStrategy[] = [
  { capacityProvider: 'FARGATE', base: 1, weight: 0 },
  { capacityProvider: 'FARGATE_SPOT', weight: 1 },
];
const REGISTRY_IMAGE = ecs.ContainerImage.fromRegistry('123456789012.dkr.ecr.us-east-1.amazonaws.com/api:1.0');
const USER_IMAGE_DIR = path.join(__dirname, '..', 'assets', 'default-image');

function build(props: PrivateFargateBehindAlbProps): PrivateFargateBehindAlb {
  return new PrivateFargateBehindAlb(new Stack(new App(), 'TestStack'), 'Web', props);
}

/** The platforms of the Docker image assets of an app. */
function imagePlatforms(app: App): Array<string | undefined> {
  const manifest = app.synth().artifacts.find((a): a is cxapi.AssetManifestArtifact => a instanceof cxapi.AssetManifestArtifact)!;
  return Object.values(manifest.contents.dockerImages ?? {}).map((image) => image.source.platform);
}

function endpointServices(template: Template): string[] {
  return Object.values(template.findResources('AWS::EC2::VPCEndpoint'))
    .map((endpoint) => endpoint.Properties.ServiceName)
    .map((name) => typeof name === 'string' ? name.replace(/^com\.amazonaws\.[a-z0-9-]+/, '') : (name['Fn::Join'][1] as string[]).slice(-1)[0])
    .sort();
}

describe('the CPU architecture', () => {
  test('ARM64 sets the runtime platform and builds the default image for linux/arm64', () => {
    const app = new App();
    const stack = new Stack(app, 'TestStack');
    new PrivateFargateBehindAlb(stack, 'Web', { cpuArchitecture: ecs.CpuArchitecture.ARM64 });

    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
    });
    expect(imagePlatforms(app)).toEqual(['linux/arm64']);
  });

  test('by default the template sets no runtime platform (Fargate runs X86_64) and the default image is linux/amd64', () => {
    const app = new App();
    const stack = new Stack(app, 'TestStack');
    new PrivateFargateBehindAlb(stack, 'Web');

    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: Match.absent() });
    expect(imagePlatforms(app)).toEqual(['linux/amd64']);
  });

  test('X86_64 given explicitly sets the runtime platform X86_64', () => {
    synth({ cpuArchitecture: ecs.CpuArchitecture.X86_64 }).hasResourceProperties('AWS::ECS::TaskDefinition', {
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
    });
  });

  test('an image asset built for arm64 on x86 tasks is refused, naming both', () => {
    expect(() => synthesized(build({ image: ecs.ContainerImage.fromAsset(USER_IMAGE_DIR, { platform: Platform.LINUX_ARM64 }) }))).toThrow(
      '[TestStack/Web] image must be built for the tasks\' cpuArchitecture X86_64; received an image asset built for linux/arm64, which would ' +
      'stop with "exec format error". Give the asset the platform linux/amd64, or set cpuArchitecture to ARM64',
    );
  });

  test('an image asset built for amd64 on ARM64 tasks is refused, naming both', () => {
    expect(() => synthesized(build({
      cpuArchitecture: ecs.CpuArchitecture.ARM64,
      image: ecs.ContainerImage.fromAsset(USER_IMAGE_DIR, { platform: Platform.LINUX_AMD64 }),
    }))).toThrow(/image must be built for the tasks' cpuArchitecture ARM64; received an image asset built for linux\/amd64.*set cpuArchitecture to X86_64$/);
  });

  // The mistake: a platform matched anywhere in the string. One that only contains linux/amd64 is another platform.
  test.each(['linux/riscv64', 'linux/arm/v7', 'windows/amd64', 'notlinux/amd64', 'notlinux/arm64'])('an image asset built for %s, a platform Fargate does not run, is refused', (platform) => {
    // The whole message: naming no cpuArchitecture to set instead, since the platform is none Fargate runs.
    expect(refusalsOf(build({ image: ecs.ContainerImage.fromAsset(USER_IMAGE_DIR, { platform: Platform.custom(platform) }) }))).toEqual([
      `[TestStack/Web] image must be built for the tasks' cpuArchitecture X86_64; received an image asset built for ${platform}, which would stop ` +
      'with "exec format error". Give the asset the platform linux/amd64',
    ]);
  });

  test.each([['linux/amd64/v2', ecs.CpuArchitecture.X86_64], ['linux/arm64/v8', ecs.CpuArchitecture.ARM64]])('an image asset built for %s, a variant of the tasks\' platform, is accepted', (platform, cpuArchitecture) => {
    const app = new App();
    new PrivateFargateBehindAlb(new Stack(app, 'TestStack'), 'Web', { cpuArchitecture, image: ecs.ContainerImage.fromAsset(USER_IMAGE_DIR, { platform: Platform.custom(platform) }) });

    expect(imagePlatforms(app)).toEqual([platform]);
  });

  test('an image asset built for the tasks\' architecture is accepted, with no warning', () => {
    const stack = newStack();
    new PrivateFargateBehindAlb(stack, 'Web', {
      cpuArchitecture: ecs.CpuArchitecture.ARM64,
      image: ecs.ContainerImage.fromAsset(USER_IMAGE_DIR, { platform: Platform.LINUX_ARM64 }),
    });

    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('an image asset with no platform gets a warning that it is built for the building machine', () => {
    const stack = newStack();
    new PrivateFargateBehindAlb(stack, 'Web', { image: ecs.ContainerImage.fromAsset(USER_IMAGE_DIR) });

    Annotations.fromStack(stack).hasWarning('/TestStack/Web',
      Match.stringLikeRegexp('image is an asset with no platform, .* the tasks run X86_64: .* Give the asset the platform linux/amd64 \\[ack: private-fargate-behind-alb:imagePlatform\\]$'));
  });

  test('the stack\'s synthesizer is left as it was after the container is added', () => {
    const stack = newStack();
    const before = stack.synthesizer.addDockerImageAsset;
    new PrivateFargateBehindAlb(stack, 'Web');

    expect(stack.synthesizer.addDockerImageAsset).toBe(before);
    expect(Object.getOwnPropertyNames(stack.synthesizer)).not.toContain('addDockerImageAsset');
  });

  test('a synthesizer with its own addDockerImageAsset gets it back, and it registers the image', () => {
    const stack = newStack();
    const synthesizer = stack.synthesizer;
    const inherited = synthesizer.addDockerImageAsset;
    const registered: string[] = [];
    const own = (asset: DockerImageAssetSource) => {
      registered.push(asset.sourceHash);
      return inherited.call(synthesizer, asset);
    };
    synthesizer.addDockerImageAsset = own;
    new PrivateFargateBehindAlb(stack, 'Web');

    expect(Object.getOwnPropertyDescriptor(synthesizer, 'addDockerImageAsset')?.value).toBe(own);
    expect(registered).toHaveLength(1);
  });

  test('a CPU architecture Fargate does not run is refused', () => {
    expect(() => synthesized(build({ cpuArchitecture: ecs.CpuArchitecture.of('arm64'), image: REGISTRY_IMAGE })))
      .toThrow('[TestStack/Web] cpuArchitecture must be X86_64 or ARM64 (Fargate Linux); received arm64');
  });

  test('a token CPU architecture is accepted with a registry image and refused with the default image, which is built at synth', () => {
    const stack = newStack();
    const architecture = ecs.CpuArchitecture.of(new CfnParameter(stack, 'Arch').valueAsString);
    new PrivateFargateBehindAlb(stack, 'Api', { cpuArchitecture: architecture, image: REGISTRY_IMAGE });

    Template.fromStack(stack).hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: { Ref: 'Arch' } } });
    expect(() => synthesized(new PrivateFargateBehindAlb(stack, 'Web', { cpuArchitecture: architecture })))
      .toThrow('[TestStack/Web] cpuArchitecture must be a concrete value when image is the default image');
  });
});

describe('Fargate Spot', () => {
  test('a strategy reaches the service, which then has no launch type', () => {
    synth({ capacityProviderStrategies: SPOT_WITH_ONE_ON_DEMAND }).hasResourceProperties('AWS::ECS::Service', {
      LaunchType: Match.absent(),
      CapacityProviderStrategy: [
        { CapacityProvider: 'FARGATE', Base: 1, Weight: 0 },
        { CapacityProvider: 'FARGATE_SPOT', Weight: 1 },
      ],
    });
  });

  test('the cluster the construct creates gets FARGATE and FARGATE_SPOT, and the service is created after the association', () => {
    const template = synth({ capacityProviderStrategies: SPOT_WITH_ONE_ON_DEMAND });

    const associations = template.findResources('AWS::ECS::ClusterCapacityProviderAssociations');
    expect(Object.values(associations).map((a) => a.Properties.CapacityProviders)).toEqual([['FARGATE', 'FARGATE_SPOT']]);
    template.hasResource('AWS::ECS::Service', { DependsOn: Match.arrayWith([Object.keys(associations)[0]]) });
    // Only the service waits for it: what refers to the cluster already follows it (cfn-lint W3005).
    const dependents = Object.entries(template.toJSON().Resources as Record<string, any>)
      .filter(([, resource]) => (resource.DependsOn ?? []).some((id: string) => /Cluster/.test(id)))
      .map(([, resource]) => resource.Type);
    expect(dependents).toEqual(['AWS::ECS::Service']);
    const service = Object.values(template.findResources('AWS::ECS::Service'))[0];
    expect(service.DependsOn.filter((id: string) => template.toJSON().Resources[id].Type === 'AWS::ECS::Cluster')).toEqual([]);
  });

  test('under the feature flags cdk init writes (stabilized aspects) the service is created after the association too', () => {
    const context = JSON.parse(fs.readFileSync(require.resolve('aws-cdk-lib/recommended-feature-flags.json'), 'utf-8'));
    const stack = new Stack(new App({ context }), 'TestStack');
    new PrivateFargateBehindAlb(stack, 'Web', { capacityProviderStrategies: SPOT_WITH_ONE_ON_DEMAND });

    const template = Template.fromStack(stack);
    const association = Object.keys(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations'));
    template.hasResource('AWS::ECS::Service', { DependsOn: Match.arrayWith(association) });
  });

  test('the service on a cluster the user gives with both providers is created after its association too', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    const cluster = new ecs.Cluster(stack, 'UserCluster', { vpc: web.vpc, enableFargateCapacityProviders: true });
    new PrivateFargateBehindAlb(stack, 'Api', { cluster, port: 8080, capacityProviderStrategies: SPOT_WITH_ONE_ON_DEMAND });

    const template = Template.fromStack(stack);
    const association = Object.keys(template.findResources('AWS::ECS::ClusterCapacityProviderAssociations', {
      Properties: { Cluster: { Ref: Match.stringLikeRegexp('^UserCluster') } },
    }));
    expect(association).toHaveLength(1);
    template.hasResource('AWS::ECS::Service', {
      Properties: { CapacityProviderStrategy: Match.arrayWith([Match.objectLike({ CapacityProvider: 'FARGATE_SPOT' })]) },
      DependsOn: Match.arrayWith([association[0]]),
    });
  });

  test('without a strategy every task is on FARGATE through a strategy, not a launch type, so that adding Spot later changes the service in place', () => {
    const template = synth();

    template.hasResourceProperties('AWS::ECS::Service', { LaunchType: Match.absent(), CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }] });
    const associations = template.findResources('AWS::ECS::ClusterCapacityProviderAssociations');
    expect(Object.values(associations).map((a) => a.Properties.CapacityProviders)).toEqual([['FARGATE', 'FARGATE_SPOT']]);
    template.hasResource('AWS::ECS::Service', { DependsOn: Match.arrayWith(Object.keys(associations)) });
  });

  test('a second service with Spot enables the providers on the cluster the first one created', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    new PrivateFargateBehindAlb(stack, 'Api', { vpc: web.vpc, port: 8080, capacityProviderStrategies: SPOT_WITH_ONE_ON_DEMAND });

    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', { CapacityProviders: ['FARGATE', 'FARGATE_SPOT'] });
  });

  test('a cluster the user makes in the app gets the Fargate providers; an imported one is left as it is', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web');
    const cluster = new ecs.Cluster(stack, 'UserCluster', { vpc: web.vpc });
    new PrivateFargateBehindAlb(stack, 'Api', { cluster, port: 8080, capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }] });
    const imported = ecs.Cluster.fromClusterAttributes(stack, 'Imported', { clusterName: 'shared', vpc: web.vpc });
    new PrivateFargateBehindAlb(stack, 'Batch', { cluster: imported, port: 8081 });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 1 }] });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      Cluster: { Ref: Match.stringLikeRegexp('^UserCluster') }, CapacityProviders: ['FARGATE', 'FARGATE_SPOT'],
    });
    template.hasResourceProperties('AWS::ECS::Service', { Cluster: 'shared', CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1 }] });
    template.resourcePropertiesCountIs('AWS::ECS::ClusterCapacityProviderAssociations', { Cluster: 'shared' }, 0);
  });

  test('ARM64 with Spot synthesizes both', () => {
    const template = synth({ cpuArchitecture: ecs.CpuArchitecture.ARM64, capacityProviderStrategies: SPOT_WITH_ONE_ON_DEMAND });

    template.hasResourceProperties('AWS::ECS::TaskDefinition', { RuntimePlatform: { CpuArchitecture: 'ARM64' } });
    template.hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: Match.arrayWith([Match.objectLike({ CapacityProvider: 'FARGATE_SPOT' })]) });
  });
});

describe('the container', () => {
  test('command, entry point, health check and ephemeral storage reach the task definition', () => {
    synth({
      image: REGISTRY_IMAGE,
      command: ['serve', '--port', '8080'],
      entryPoint: ['/app/bin/server'],
      containerHealthCheck: {
        command: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost:$PORT/ || exit 1'],
        interval: Duration.seconds(15),
        timeout: Duration.seconds(3),
        retries: 4,
        startPeriod: Duration.seconds(20),
      },
      ephemeralStorageGiB: 50,
    }).hasResourceProperties('AWS::ECS::TaskDefinition', {
      EphemeralStorage: { SizeInGiB: 50 },
      ContainerDefinitions: [Match.objectLike({
        Command: ['serve', '--port', '8080'],
        EntryPoint: ['/app/bin/server'],
        HealthCheck: {
          Command: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost:$PORT/ || exit 1'],
          Interval: 15,
          Timeout: 3,
          Retries: 4,
          StartPeriod: 20,
        },
      })],
    });
  });

  test('a read-only root file system with the default image mounts a task volume on each path nginx writes to', () => {
    synth({ readonlyRootFilesystem: true }).hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: [
        { Name: 'writable-etc-nginx-conf-d' },
        { Name: 'writable-tmp' },
        { Name: 'writable-var-cache-nginx' },
        { Name: 'writable-var-run' },
      ],
      ContainerDefinitions: [Match.objectLike({
        ReadonlyRootFilesystem: true,
        MountPoints: [
          { ContainerPath: '/etc/nginx/conf.d', SourceVolume: 'writable-etc-nginx-conf-d', ReadOnly: false },
          { ContainerPath: '/tmp', SourceVolume: 'writable-tmp', ReadOnly: false },
          { ContainerPath: '/var/cache/nginx', SourceVolume: 'writable-var-cache-nginx', ReadOnly: false },
          { ContainerPath: '/var/run', SourceVolume: 'writable-var-run', ReadOnly: false },
        ],
      })],
    });
  });

  test('with a read-only root file system, the default image that is built renders its config into a writable volume', () => {
    const app = new App();
    const stack = new Stack(app, 'TestStack');
    new PrivateFargateBehindAlb(stack, 'Web', { readonlyRootFilesystem: true });

    // The Dockerfile staged for the build: nginx's official entrypoint renders /etc/nginx/templates/*.template into
    // $NGINX_ENVSUBST_OUTPUT_DIR, /etc/nginx/conf.d unless the image sets it.
    const assembly = app.synth();
    const manifest = assembly.artifacts.find((a): a is cxapi.AssetManifestArtifact => a instanceof cxapi.AssetManifestArtifact)!;
    const [image] = Object.values(manifest.contents.dockerImages ?? {});
    const dockerfile = fs.readFileSync(path.join(assembly.directory, image.source.directory!, 'Dockerfile'), 'utf-8');
    expect(dockerfile).toMatch(/^FROM \S*nginx:[\d.]+-alpine$/m);
    expect(dockerfile).toMatch(/^COPY \S+\.template \/etc\/nginx\/templates\//m);
    const renderedInto = /^ENV NGINX_ENVSUBST_OUTPUT_DIR[= ](\S+)/m.exec(dockerfile)?.[1] ?? '/etc/nginx/conf.d';
    const [container] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'))[0].Properties.ContainerDefinitions;
    expect(container.ReadonlyRootFilesystem).toBe(true);
    expect(container.MountPoints).toContainEqual({ ContainerPath: renderedInto, SourceVolume: expect.any(String), ReadOnly: false });
  });

  // The mistakes: the agent's paths left out (ECS Exec then fails to start its agent), or volumes without a read-only root file system.
  test.each([
    ['the default image', undefined, ['writable-etc-nginx-conf-d', 'writable-tmp', 'writable-var-cache-nginx', 'writable-var-run']],
    ['the user\'s image', REGISTRY_IMAGE, []],
  ])('with ECS Exec, a read-only root file system with %s gets a task volume on each path the ECS Exec agent writes to', (_, image, imageVolumes) => {
    const [taskDefinition] = Object.values(synth({ readonlyRootFilesystem: true, enableExecuteCommand: true, image }).findResources('AWS::ECS::TaskDefinition'));

    const agentVolumes = ['writable-managed-agents', 'writable-var-lib-amazon-ssm', 'writable-var-log-amazon-ssm'];
    expect(taskDefinition.Properties.Volumes).toEqual([...imageVolumes, ...agentVolumes].map((name) => ({ Name: name })));
    expect(taskDefinition.Properties.ContainerDefinitions[0].MountPoints.slice(-3)).toEqual([
      { ContainerPath: '/managed-agents', SourceVolume: 'writable-managed-agents', ReadOnly: false },
      { ContainerPath: '/var/lib/amazon/ssm', SourceVolume: 'writable-var-lib-amazon-ssm', ReadOnly: false },
      { ContainerPath: '/var/log/amazon/ssm', SourceVolume: 'writable-var-log-amazon-ssm', ReadOnly: false },
    ]);
  });

  test('without a read-only root file system no volume is added, also with ECS Exec', () => {
    synth({ enableExecuteCommand: true }).hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: Match.absent(),
      ContainerDefinitions: [Match.objectLike({ ReadonlyRootFilesystem: Match.absent(), MountPoints: Match.absent() })],
    });
  });

  test('a read-only root file system with the user\'s image adds no volume', () => {
    synth({ readonlyRootFilesystem: true, image: REGISTRY_IMAGE }).hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: Match.absent(),
      ContainerDefinitions: [Match.objectLike({ ReadonlyRootFilesystem: true, MountPoints: Match.absent() })],
    });
  });
});

describe('ECS Exec with a read-only root file system', () => {
  test('mounts a task volume on each path the ECS Exec agent writes to, with the user\'s image too', () => {
    synth({ readonlyRootFilesystem: true, enableExecuteCommand: true, image: REGISTRY_IMAGE }).hasResourceProperties('AWS::ECS::TaskDefinition', {
      Volumes: [{ Name: 'writable-managed-agents' }, { Name: 'writable-var-lib-amazon-ssm' }, { Name: 'writable-var-log-amazon-ssm' }],
      ContainerDefinitions: [Match.objectLike({
        ReadonlyRootFilesystem: true,
        MountPoints: [
          { ContainerPath: '/managed-agents', SourceVolume: 'writable-managed-agents', ReadOnly: false },
          { ContainerPath: '/var/lib/amazon/ssm', SourceVolume: 'writable-var-lib-amazon-ssm', ReadOnly: false },
          { ContainerPath: '/var/log/amazon/ssm', SourceVolume: 'writable-var-log-amazon-ssm', ReadOnly: false },
        ],
      })],
    });
  });

  test('with the default image, both the nginx paths and the agent\'s; without ECS Exec, not the agent\'s', () => {
    const paths = (props: PrivateFargateBehindAlbProps) => Object.values(synth(props).findResources('AWS::ECS::TaskDefinition'))[0]
      .Properties.ContainerDefinitions[0].MountPoints?.map((m: any) => m.ContainerPath) ?? [];

    expect(paths({ readonlyRootFilesystem: true, enableExecuteCommand: true })).toEqual(
      ['/etc/nginx/conf.d', '/tmp', '/var/cache/nginx', '/var/run', '/managed-agents', '/var/lib/amazon/ssm', '/var/log/amazon/ssm']);
    expect(paths({ readonlyRootFilesystem: true })).toEqual(['/etc/nginx/conf.d', '/tmp', '/var/cache/nginx', '/var/run']);
    expect(paths({ enableExecuteCommand: true })).toEqual([]);
  });
});

describe('the user\'s roles', () => {
  // The mistake: acknowledging a finding on a role the user gave, which is the user's to judge.
  test('with ECS Exec, the inline-policy finding is acknowledged on the task role the construct made, never on one the user gave', () => {
    const acknowledged = (role: iam.IRole) => role.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data)).filter((id) => id.endsWith('IAMNoInlinePolicy'))
      // aws-cdk-lib records an acknowledgment under the id, and again as one of an annotation ("annotation::", or
      // "Annotation::" in newer versions).
      .map((id) => id.replace(/^annotation::/i, ''));
    const stack = newStack();
    const taskRole = new iam.Role(stack, 'MyTaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    const given = new PrivateFargateBehindAlb(stack, 'Given', { taskRole, enableExecuteCommand: true });
    const made = new PrivateFargateBehindAlb(stack, 'Made', { vpc: given.vpc, enableExecuteCommand: true });

    expect(acknowledged(taskRole)).toEqual([]);
    expect([...new Set(acknowledged(made.taskDefinition.taskRole))].sort())
      .toEqual(['HIPAA.Security-IAMNoInlinePolicy', 'NIST.800.53.R5-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy']);
  });

  test('a given task role and execution role are the task definition\'s, and the construct still grants what it needs', () => {
    const stack = newStack();
    const ecsTasks = new iam.ServicePrincipal('ecs-tasks.amazonaws.com');
    const taskRole = new iam.Role(stack, 'MyTaskRole', { assumedBy: ecsTasks });
    const executionRole = new iam.Role(stack, 'MyExecutionRole', { assumedBy: ecsTasks });
    new PrivateFargateBehindAlb(stack, 'Web', { taskRole, executionRole, enableExecuteCommand: true });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      TaskRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyTaskRole'), 'Arn'] },
      ExecutionRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyExecutionRole'), 'Arn'] },
    });
    template.resourceCountIs('AWS::IAM::Role', 5); // the two given, the flow log's, and the canary deployment's two: ECS's and the rule function's
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^MyExecutionRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'ecr:GetAuthorizationToken' })]) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^MyTaskRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['ssmmessages:OpenDataChannel']) })]) },
    });
  });

  test('the endpoints follow what the app grants a given task role, also after the constructor', () => {
    const stack = newStack();
    const taskRole = new iam.Role(stack, 'MyTaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    new PrivateFargateBehindAlb(stack, 'Web', { taskRole });

    new sqs.Queue(stack, 'Queue').grantSendMessages(taskRole);

    expect(endpointServices(Template.fromStack(stack))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.sqs']);
  });

  test('the endpoints follow the secrets a given execution role is granted', () => {
    const stack = newStack();
    const executionRole = new iam.Role(stack, 'MyExecutionRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    new PrivateFargateBehindAlb(stack, 'Web', {
      executionRole,
      secrets: { DB_PASSWORD: ecs.Secret.fromSecretsManager(secretsmanager.Secret.fromSecretNameV2(stack, 'Db', 'prod/db')) },
    });

    expect(endpointServices(Template.fromStack(stack))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.secretsmanager']);
  });

  test('the endpoints follow the inline policies of a given task role', () => {
    const stack = newStack();
    const taskRole = new iam.Role(stack, 'MyTaskRole', {
      assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com'),
      inlinePolicies: {
        Queue: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] })] }),
      },
    });
    new PrivateFargateBehindAlb(stack, 'Web', { taskRole });

    expect(endpointServices(Template.fromStack(stack))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.sqs']);
  });

  test('a policy the app writes as JSON on a given task role counts, and one whose document is a token is skipped', () => {
    const stack = newStack();
    const taskRole = new iam.Role(stack, 'MyTaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    new PrivateFargateBehindAlb(stack, 'Web', { taskRole });
    new iam.CfnPolicy(stack, 'JsonPolicy', {
      policyName: 'queue',
      roles: [taskRole.roleName],
      policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] },
    });
    new iam.CfnPolicy(stack, 'TokenPolicy', {
      policyName: 'lazy',
      roles: [taskRole.roleName],
      policyDocument: Lazy.any({ produce: () => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: '*' }] }) }),
    });

    expect(endpointServices(Template.fromStack(stack))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.sqs']);
  });

  test('a policy of the app attached to no role does not count for a given task role', () => {
    const stack = newStack();
    const taskRole = new iam.Role(stack, 'MyTaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    new PrivateFargateBehindAlb(stack, 'Web', { taskRole });
    new iam.Policy(stack, 'UserPolicy', {
      users: [new iam.User(stack, 'Operator')],
      statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] })],
    });

    expect(endpointServices(Template.fromStack(stack))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3']);
  });

  test('an imported task role granted a service without an endpoint is refused when endpointsForGrantedServices is false', () => {
    const app = new App();
    const stack = new Stack(app, 'TestStack');
    const taskRole = iam.Role.fromRoleName(stack, 'Imported', 'my-task-role');
    new PrivateFargateBehindAlb(stack, 'Web', { taskRole, endpointsForGrantedServices: false });

    new sqs.Queue(stack, 'Queue').grantConsumeMessages(taskRole);

    expect(() => app.synth()).toThrow(/the task role is granted sqs, which the tasks cannot reach/);
  });
});

describe('grants the app attaches to the construct\'s own roles in any way', () => {
  const QUEUE = new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] });
  /** A service with its own roles, and a grant of SQS made by `attach` to its task role after the constructor. */
  function grantThrough(attach: (stack: Stack, role: iam.IRole) => void, endpointsForGrantedServices = true) {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web', { endpointsForGrantedServices });
    attach(stack, web.taskDefinition.taskRole);
    return () => Template.fromStack(stack);
  }
  // The mistake: reading only the statements granted through addToPrincipalPolicy, which a policy attached
  // with attachToRole (or the role's addManagedPolicy) never goes through: the tasks then time out on SQS.
  test.each<[string, (stack: Stack, role: iam.IRole) => void]>([
    ['an iam.Policy attached with attachToRole', (stack, role) => new iam.Policy(stack, 'Queue', { statements: [QUEUE] }).attachToRole(role)],
    ['an iam.Policy naming the role', (stack, role) => new iam.Policy(stack, 'Queue', { statements: [QUEUE], roles: [role] })],
    ['an iam.ManagedPolicy attached with attachToRole', (stack, role) => new iam.ManagedPolicy(stack, 'Queue', { statements: [QUEUE] }).attachToRole(role)],
    ['an iam.ManagedPolicy added to the role', (stack, role) => (role as iam.Role).addManagedPolicy(new iam.ManagedPolicy(stack, 'Queue', { statements: [QUEUE] }))],
    ['a CfnManagedPolicy the role lists by its ARN', (stack, role) => (role as iam.Role).addManagedPolicy(iam.ManagedPolicy.fromManagedPolicyArn(stack, 'Imported',
      new iam.CfnManagedPolicy(stack, 'Queue', { policyDocument: new iam.PolicyDocument({ statements: [QUEUE] }) }).ref))],
  ])('a grant through %s adds its endpoint, or is refused when endpointsForGrantedServices is false', (_, attach) => {
    expect(endpointServices(grantThrough(attach)())).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.sqs']);
    expect(grantThrough(attach, false)).toThrow('[TestStack/Web] the task role is granted sqs, which the tasks cannot reach');
  });

  // The mistake: reading the managed policies a role lists on a role not made in the app, which lists none the app knows.
  test('a managed policy attached to an imported task role counts', () => {
    const stack = newStack();
    const taskRole = iam.Role.fromRoleName(stack, 'Imported', 'my-task-role');
    new PrivateFargateBehindAlb(stack, 'Web', { taskRole });
    new iam.ManagedPolicy(stack, 'Queue', { statements: [QUEUE] }).attachToRole(taskRole);

    expect(endpointServices(Template.fromStack(stack))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.sqs']);
  });

  test('an AWS managed policy the app cannot read adds nothing', () => {
    const template = grantThrough((_, role) => (role as iam.Role).addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSQSFullAccess')))();

    expect(endpointServices(template)).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3']);
  });

  // The mistakes: resolving the role's name in the stack of every policy of the app (a stack of another environment
  // cannot, and the app failed to synthesize), or reading only the policies of the role's own stack.
  test('in an app with stacks of two environments, each service follows the policies that name its roles, in any stack of its environment', () => {
    const app = new App();
    const one = new Stack(app, 'One');
    const other = new Stack(app, 'Other');
    const regional = new Stack(app, 'Regional', { env: { account: '123456789012', region: 'eu-west-1' } });
    const web = new PrivateFargateBehindAlb(one, 'Web');
    const api = new PrivateFargateBehindAlb(regional, 'Api');
    new iam.Policy(other, 'Queue', { statements: [QUEUE], roles: [web.taskDefinition.taskRole] });
    new iam.Policy(regional, 'Topic', { statements: [new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] })], roles: [api.taskDefinition.taskRole] });

    expect(endpointServices(Template.fromStack(one))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.sqs']);
    expect(endpointServices(Template.fromStack(regional))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.sns']);
  });

  // The mistake: comparing the role's Ref with the policies' Refs across stacks: two stacks of one app often hold
  // the same construct paths, so the same logical ids, and one stack's grant would add endpoints to the other's VPC.
  test('a policy naming the role of the same path in another stack does not count', () => {
    const app = new App();
    const stacks = ['Dev', 'Prod'].map((name) => new Stack(app, name));
    const [dev, prod] = stacks.map((stack) => new PrivateFargateBehindAlb(stack, 'Web'));
    new iam.Policy(stacks[1], 'Queue', { statements: [QUEUE], roles: [prod.taskDefinition.taskRole] });
    new iam.ManagedPolicy(stacks[1], 'Topic', { statements: [new iam.PolicyStatement({ actions: ['sns:Publish'], resources: ['*'] })] })
      .attachToRole(prod.taskDefinition.taskRole);

    expect(endpointServices(Template.fromStack(stacks[0]))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3']);
    expect(endpointServices(Template.fromStack(stacks[1]))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.sns', '.sqs']);
    expect(dev.vpc).not.toBe(prod.vpc);
  });

  // The mistake: reading Statement as a list only. IAM takes a single statement object as well.
  test('a JSON policy whose Statement is a single object counts, on the construct\'s role and on a given role', () => {
    const jsonPolicy = (stack: Stack, role: iam.IRole) => new iam.CfnPolicy(stack, 'JsonPolicy', {
      policyName: 'queue',
      roles: [role.roleName],
      policyDocument: { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' } },
    });
    expect(endpointServices(grantThrough(jsonPolicy)())).toContain('.sqs');

    const stack = newStack();
    const taskRole = new iam.Role(stack, 'MyTaskRole', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    new PrivateFargateBehindAlb(stack, 'Web', { taskRole });
    jsonPolicy(stack, taskRole);
    expect(endpointServices(Template.fromStack(stack))).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3', '.sqs']);
  });

  // The mistake: reading the Statement of every document, when an empty PolicyDocument renders as nothing.
  test('an empty policy of the app on the task role is passed over, not a crash at synth', () => {
    // An iam.Policy without statements is not written to the template, but its resource is in the app.
    const template = grantThrough((stack, role) => new iam.Policy(stack, 'Empty', { roles: [role] }))();

    expect(endpointServices(template)).toEqual(['.ecr.api', '.ecr.dkr', '.logs', '.s3']);
  });
});

describe('the limits of the options', () => {
  test('a capacity provider given by one token twice is refused', () => {
    const provider = Lazy.string({ produce: () => 'FARGATE_SPOT' });
    const strategies = [{ capacityProvider: provider, weight: 1 }, { capacityProvider: provider, weight: 2 }];
    expect(refusalsOf(build({ capacityProviderStrategies: strategies }))).toEqual([
      '[TestStack/Web] capacityProviderStrategies must name each capacity provider once; received one token twice. Give each capacity provider one entry, with its weight and base',
    ]);
  });

  test('a base of 0 is no base: it may stand beside the base of another provider', () => {
    synth({ capacityProviderStrategies: [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 1 }] })
      .hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: Match.arrayWith([Match.objectLike({ CapacityProvider: 'FARGATE_SPOT', Base: 0 })]) });
  });
});

describe('scaling beyond CPU', () => {
  test('targetRequestsPerTarget with a canary tracks the requests per target of both target groups, so scaling goes on after ECS swaps them', () => {
    const policies = Object.values(synth({ targetRequestsPerTarget: 500 }).findResources('AWS::ApplicationAutoScaling::ScalingPolicy'))
      .map((policy) => policy.Properties.TargetTrackingScalingPolicyConfiguration)
      .filter((configuration) => configuration.CustomizedMetricSpecification);
    expect(policies).toHaveLength(1);
    const [configuration] = policies;
    expect(configuration.TargetValue).toBe(500);
    const { Metrics: metrics, ...rest } = configuration.CustomizedMetricSpecification;
    // Only the metric math: nothing of the single metric aws-cdk-lib first wrote is left.
    expect(rest).toEqual({});
    const dimension = (m: any, name: string) => m.MetricStat.Metric.Dimensions.find((d: any) => d.Name === name).Value;
    expect(metrics.map((m: any) => (m.MetricStat
      ? [m.Id, m.MetricStat.Metric.Namespace, m.MetricStat.Metric.MetricName, m.MetricStat.Stat, dimension(m, 'TargetGroup')['Fn::GetAtt'][0], m.ReturnData]
      : [m.Id, m.Expression, m.Label, m.ReturnData])))
      .toEqual([
        ['group0', 'AWS/ApplicationELB', 'RequestCountPerTarget', 'Sum', 'WebTargetGroupFE6444AE', false],
        ['group1', 'AWS/ApplicationELB', 'RequestCountPerTarget', 'Sum', 'WebAlternateTargetGroupB211FDA6', false],
        ['requestsPerTarget', 'FILL(group0, 0) + FILL(group1, 0)', 'Requests per target', true],
      ]);
    expect(dimension(metrics[0], 'LoadBalancer')).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^WebLoadBalancer/), 'LoadBalancerFullName'] });
  });

  test('targetRequestsPerTarget with a rolling deployment tracks ALBRequestCountPerTarget of the one target group', () => {
    synth({ targetRequestsPerTarget: 500, deployment: Deployment.rolling() }).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 500,
        PredefinedMetricSpecification: Match.objectLike({
          PredefinedMetricType: 'ALBRequestCountPerTarget',
          ResourceLabel: {
            'Fn::Join': ['', [
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebLoadBalancer'), 'LoadBalancerFullName'] }, '/',
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebTargetGroup'), 'TargetGroupFullName'] },
            ]],
          },
        }),
      }),
    });
  });

  describe('on a shared load balancer, request-count scaling watches the service\'s own target groups there', () => {
    /** The request-count policy of the service Api, beside Web, which made the load balancer. */
    function apiRequestPolicy(deployment: Deployment, https: boolean): any {
      const stack = newStack({ account: '123456789012', region: 'us-east-1' });
      const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' });
      const domain = (name: string) => https ? { domainName: `${name}.example.com`, hostedZone } : {};
      const web = new PrivateFargateBehindAlb(stack, 'Web', { ...domain('www'), deployment, targetRequestsPerTarget: 100 });
      new PrivateFargateBehindAlb(stack, 'Api', { ...domain('api'), loadBalancer: web.loadBalancer, port: 8080, deployment, targetRequestsPerTarget: 200 });
      const policies = Object.entries(Template.fromStack(stack).findResources('AWS::ApplicationAutoScaling::ScalingPolicy'))
        .filter(([id]) => /^ApiServiceTaskCountTargetRequestScaling/.test(id));
      expect(policies).toHaveLength(1);
      return policies[0][1].Properties.TargetTrackingScalingPolicyConfiguration;
    }
    const fullName = (resource: RegExp, attribute: string) => ({ 'Fn::GetAtt': [expect.stringMatching(resource), attribute] });

    // The mistakes: the first service's target group, or the label of a group that only the custom resource's rule
    // forwards to read from its listener (it has none aws-cdk-lib knows of: the app failed to synthesize).
    test.each([['its own listener', false], ['the shared HTTPS listener', true]])('rolling, on %s: ALBRequestCountPerTarget labelled with the load balancer and its target group', (_, https) => {
      const configuration = apiRequestPolicy(Deployment.rolling(), https as boolean);

      expect(configuration.TargetValue).toBe(200);
      expect(configuration.PredefinedMetricSpecification).toEqual({
        PredefinedMetricType: 'ALBRequestCountPerTarget',
        ResourceLabel: { 'Fn::Join': ['', [fullName(/^WebLoadBalancer/, 'LoadBalancerFullName'), '/', fullName(/^ApiTargetGroup/, 'TargetGroupFullName')]] },
      });
    });

    test('canary: the metric math over its two target groups on the shared load balancer', () => {
      const metrics = apiRequestPolicy(Deployment.canary(), true).CustomizedMetricSpecification.Metrics;

      expect(metrics.slice(0, 2).map((m: any) => m.MetricStat.Metric.Dimensions)).toEqual([
        [{ Name: 'LoadBalancer', Value: fullName(/^WebLoadBalancer/, 'LoadBalancerFullName') }, { Name: 'TargetGroup', Value: fullName(/^ApiTargetGroup/, 'TargetGroupFullName') }],
        [{ Name: 'LoadBalancer', Value: fullName(/^WebLoadBalancer/, 'LoadBalancerFullName') }, { Name: 'TargetGroup', Value: fullName(/^ApiAlternateTargetGroup/, 'TargetGroupFullName') }],
      ]);
    });
  });

  test('targetMemoryUtilizationPercent adds memory target tracking beside CPU', () => {
    const template = synth({ targetMemoryUtilizationPercent: 75 });

    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 2);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        TargetValue: 75,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' },
      }),
    });
  });

  test('scaling is the service\'s scalable target, with its bounds: a schedule added to it scales that service', () => {
    const stack = newStack();
    const web = new PrivateFargateBehindAlb(stack, 'Web', { minCapacity: 2, maxCapacity: 5, targetMemoryUtilizationPercent: 75 });

    web.scaling.scaleOnSchedule('Night', { schedule: appscaling.Schedule.cron({ hour: '22', minute: '0' }), maxCapacity: 1 });

    const targets = Object.values(Template.fromStack(stack).findResources('AWS::ApplicationAutoScaling::ScalableTarget'));
    expect(targets).toHaveLength(1);
    const [{ Properties: target }] = targets;
    expect([target.MinCapacity, target.MaxCapacity, target.ScalableDimension, target.ServiceNamespace]).toEqual([2, 5, 'ecs:service:DesiredCount', 'ecs']);
    expect(JSON.stringify(target.ResourceId)).toMatch(/"Fn::GetAtt":\["WebService[0-9A-F]{8}","Name"\]/);
    expect(target.ScheduledActions).toEqual([expect.objectContaining({ Schedule: 'cron(0 22 * * ? *)', ScalableTargetAction: { MaxCapacity: 1 } })]);
  });
});

describe('bad task options are refused at synth with the prop, the value and what is allowed', () => {
  test.each([
    ['ephemeralStorageGiB: 20', { ephemeralStorageGiB: 20 }, 'ephemeralStorageGiB must be an integer from 21 to 200; received 20'],
    ['ephemeralStorageGiB: 201', { ephemeralStorageGiB: 201 }, 'ephemeralStorageGiB must be an integer from 21 to 200; received 201'],
    ['targetMemoryUtilizationPercent: 0', { targetMemoryUtilizationPercent: 0 }, 'targetMemoryUtilizationPercent must be greater than 0 and at most 100; received 0'],
    ['targetMemoryUtilizationPercent: 101', { targetMemoryUtilizationPercent: 101 }, 'targetMemoryUtilizationPercent must be greater than 0 and at most 100; received 101'],
    ['targetRequestsPerTarget: 0', { targetRequestsPerTarget: 0 }, 'targetRequestsPerTarget must be greater than 0 (requests per target per minute); received 0'],
    ['containerHealthCheck with no command', { containerHealthCheck: { command: [] } }, 'containerHealthCheck.command must have at least one element, for example ["CMD-SHELL", "wget -q -O /dev/null http://localhost:$PORT/ || exit 1"]; received []'],
    ['containerHealthCheck.interval: 4 seconds', { containerHealthCheck: { command: ['true'], interval: Duration.seconds(4) } }, 'containerHealthCheck.interval must be a whole number of seconds from 5 to 300; received 4 seconds'],
    ['containerHealthCheck.timeout: 61 seconds', { containerHealthCheck: { command: ['true'], interval: Duration.seconds(120), timeout: Duration.seconds(61) } }, 'containerHealthCheck.timeout must be a whole number of seconds from 2 to 60; received 61 seconds'],
    ['containerHealthCheck.timeout: 1 second', { containerHealthCheck: { command: ['true'], timeout: Duration.seconds(1) } }, 'containerHealthCheck.timeout must be a whole number of seconds from 2 to 60; received 1 second'],
    ['containerHealthCheck.retries: 0', { containerHealthCheck: { command: ['true'], retries: 0 } }, 'containerHealthCheck.retries must be an integer from 1 to 10; received 0'],
    ['containerHealthCheck.retries: 11', { containerHealthCheck: { command: ['true'], retries: 11 } }, 'containerHealthCheck.retries must be an integer from 1 to 10; received 11'],
    ['containerHealthCheck.startPeriod: 301 seconds', { containerHealthCheck: { command: ['true'], startPeriod: Duration.seconds(301) } }, 'containerHealthCheck.startPeriod must be a whole number of seconds from 0 to 300; received 301 seconds'],
    [
      'containerHealthCheck.timeout above the default interval, 30 seconds',
      { containerHealthCheck: { command: ['true'], timeout: Duration.seconds(31) } },
      'containerHealthCheck.timeout must not exceed containerHealthCheck.interval; received timeout 31 seconds and interval 30 seconds. ' +
        'Give a timeout of at most 30 seconds, or an interval of at least 31 seconds',
    ],
    [
      'containerHealthCheck.timeout above its interval',
      { containerHealthCheck: { command: ['true'], interval: Duration.seconds(10), timeout: Duration.seconds(20) } },
      'containerHealthCheck.timeout must not exceed containerHealthCheck.interval; received timeout 20 seconds and interval 10 seconds. ' +
        'Give a timeout of at most 10 seconds, or an interval of at least 20 seconds',
    ],
    ['a capacity provider that is not Fargate\'s', { capacityProviderStrategies: [{ capacityProvider: 'EC2', weight: 1 }] }, 'capacityProviderStrategies[0].capacityProvider must be FARGATE or FARGATE_SPOT; received EC2'],
    ['weight: 1001', { capacityProviderStrategies: [{ capacityProvider: 'FARGATE', weight: 1001 }] }, 'capacityProviderStrategies[0].weight must be an integer from 0 to 1000; received 1001'],
    ['weight: -1', { capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: -1 }] }, 'capacityProviderStrategies[0].weight must be an integer from 0 to 1000; received -1'],
    ['base: 100001', { capacityProviderStrategies: [{ capacityProvider: 'FARGATE', base: 100001, weight: 1 }] }, 'capacityProviderStrategies[0].base must be an integer from 0 to 100000; received 100001'],
    ['base: 1.5', { capacityProviderStrategies: [{ capacityProvider: 'FARGATE', base: 1.5, weight: 1 }] }, 'capacityProviderStrategies[0].base must be an integer from 0 to 100000; received 1.5'],
    [
      'two providers with a base',
      { capacityProviderStrategies: [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 1, weight: 1 }] },
      'capacityProviderStrategies may give a base to one capacity provider only; received bases on FARGATE and FARGATE_SPOT. Give a base to one of them, and none to the others',
    ],
    [
      'a provider named twice',
      { capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }, { capacityProvider: 'FARGATE_SPOT', weight: 2 }] },
      'capacityProviderStrategies must name each capacity provider once; received FARGATE_SPOT twice. Give each capacity provider one entry, with its weight and base',
    ],
    [
      'no positive weight',
      { capacityProviderStrategies: [{ capacityProvider: 'FARGATE', base: 2 }, { capacityProvider: 'FARGATE_SPOT', weight: 0 }] },
      'capacityProviderStrategies must give at least one capacity provider a weight above 0, or ECS places no task; received weights 0, 0',
    ],
    ['an empty strategy', { capacityProviderStrategies: [] }, 'capacityProviderStrategies must give at least one capacity provider a weight above 0, or ECS places no task; received an empty list'],
  ])('%s is refused, naming the construct path', (_, props, message) => {
    expect(refusalsOf(build(props as PrivateFargateBehindAlbProps))).toEqual([`[TestStack/Web] ${message}`]);
  });

  const healthCheck = (check: object) => ['AWS::ECS::TaskDefinition', { ContainerDefinitions: [Match.objectLike({ HealthCheck: { Command: ['CMD-SHELL', 'true'], ...check } })] }];
  const strategy = (...providers: object[]) => ['AWS::ECS::Service', { CapacityProviderStrategy: providers }];
  const scalingTarget = (value: number, metric?: string) => ['AWS::ApplicationAutoScaling::ScalingPolicy', {
    TargetTrackingScalingPolicyConfiguration: Match.objectLike({
      TargetValue: value,
      ...metric && { PredefinedMetricSpecification: { PredefinedMetricType: metric } },
    }),
  }];
  test.each([
    ['ephemeralStorageGiB: 21', { ephemeralStorageGiB: 21 }, ['AWS::ECS::TaskDefinition', { EphemeralStorage: { SizeInGiB: 21 } }]],
    ['ephemeralStorageGiB: 200', { ephemeralStorageGiB: 200 }, ['AWS::ECS::TaskDefinition', { EphemeralStorage: { SizeInGiB: 200 } }]],
    ['targetMemoryUtilizationPercent: 100', { targetMemoryUtilizationPercent: 100 }, scalingTarget(100, 'ECSServiceAverageMemoryUtilization')],
    ['targetRequestsPerTarget: 0.5', { targetRequestsPerTarget: 0.5 }, scalingTarget(0.5)],
    [
      'containerHealthCheck at its bounds',
      { containerHealthCheck: { command: ['true'], interval: Duration.seconds(5), timeout: Duration.seconds(5), retries: 1, startPeriod: Duration.seconds(0) } },
      healthCheck({ Interval: 5, Timeout: 5, Retries: 1, StartPeriod: 0 }),
    ],
    [
      'containerHealthCheck at its upper bounds',
      { containerHealthCheck: { command: ['true'], interval: Duration.seconds(300), timeout: Duration.seconds(60), retries: 10, startPeriod: Duration.seconds(300) } },
      healthCheck({ Interval: 300, Timeout: 60, Retries: 10, StartPeriod: 300 }),
    ],
    // The mistake: another default than ECS's on the side not given (interval 30 seconds, timeout 5).
    [
      'containerHealthCheck.timeout of 30 seconds and the default interval, 30', { containerHealthCheck: { command: ['true'], timeout: Duration.seconds(30) } },
      healthCheck({ Interval: 30, Timeout: 30, Retries: 3 }),
    ],
    [
      'containerHealthCheck.interval of 5 seconds and the default timeout, 5', { containerHealthCheck: { command: ['true'], interval: Duration.seconds(5) } },
      healthCheck({ Interval: 5, Timeout: 5, Retries: 3 }),
    ],
    [
      'weight 1000 and base 100000', { capacityProviderStrategies: [{ capacityProvider: 'FARGATE', base: 100000, weight: 1000 }] },
      strategy({ CapacityProvider: 'FARGATE', Base: 100000, Weight: 1000 }),
    ],
    [
      'weight 0 beside a positive weight', { capacityProviderStrategies: SPOT_WITH_ONE_ON_DEMAND },
      strategy({ CapacityProvider: 'FARGATE', Base: 1, Weight: 0 }, { CapacityProvider: 'FARGATE_SPOT', Weight: 1 }),
    ],
    [
      'bases of 0 on both providers', { capacityProviderStrategies: [{ capacityProvider: 'FARGATE', base: 0, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 3 }] },
      strategy({ CapacityProvider: 'FARGATE', Base: 0, Weight: 1 }, { CapacityProvider: 'FARGATE_SPOT', Base: 0, Weight: 3 }),
    ],
  ])('the boundary value %s is accepted and reaches the template', (_, props, [type, properties]) => {
    synth(props as PrivateFargateBehindAlbProps).hasResourceProperties(type as string, properties);
  });

  test('token weights, bases and storage are accepted and reach the template', () => {
    const stack = newStack();
    const number = (id: string) => new CfnParameter(stack, id, { type: 'Number' }).valueAsNumber;
    new PrivateFargateBehindAlb(stack, 'Web', {
      ephemeralStorageGiB: number('Storage'),
      targetRequestsPerTarget: number('Requests'),
      capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: number('Weight'), base: number('Base') }],
    });

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { EphemeralStorage: { SizeInGiB: { Ref: 'Storage' } } });
    template.hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: { Ref: 'Weight' }, Base: { Ref: 'Base' } }] });
  });
});

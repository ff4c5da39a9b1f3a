/**
 * The TypeScript side of the four-language equality test, from the TypeScript sources:
 * - `<out>/typescript.template.json`: the consumers' stack (port 8080, 2 to 5 tasks);
 * - `<out>/typescript.rich.template.json`: the README's "Usage" program (an image asset, secrets,
 *   environment, a second service on the first one's load balancer, `connections`) under the
 *   feature flags `cdk init` writes (`<out>/cdk-init-context.json`), synthesized from test/consumers
 *   so the image asset is the folder `app` there;
 * - `<out>/typescript.arm64-spot.template.json`: ARM64 with one task on demand and the rest on Spot,
 *   and the container options (command, entry point, health check, storage, read-only root file
 *   system) and scaling on requests and memory.
 * Usage: ts-node test/consumers/synth-typescript.ts <out>
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { PrivateFargateBehindAlb } from '../../src';

const out = path.resolve(process.argv[2]);

function basic(): object {
  const app = new App();
  const stack = new Stack(app, 'Consumer');
  new PrivateFargateBehindAlb(stack, 'Web', { port: 8080, minCapacity: 2, maxCapacity: 5 });
  return app.synth().getStackByName('Consumer').template;
}

function arm64Spot(): object {
  const app = new App();
  const stack = new Stack(app, 'Consumer');
  new PrivateFargateBehindAlb(stack, 'Web', {
    cpuArchitecture: ecs.CpuArchitecture.ARM64,
    capacityProviderStrategies: [
      { capacityProvider: 'FARGATE', base: 1, weight: 0 },
      { capacityProvider: 'FARGATE_SPOT', weight: 1 },
    ],
    entryPoint: ['/docker-entrypoint.sh'],
    command: ['nginx', '-g', 'daemon off;'],
    containerHealthCheck: {
      command: ['CMD-SHELL', 'wget -q -O /dev/null http://localhost:$PORT/ || exit 1'],
      interval: Duration.seconds(15),
      startPeriod: Duration.seconds(10),
    },
    ephemeralStorageGiB: 30,
    readonlyRootFilesystem: true,
    targetRequestsPerTarget: 500,
    targetMemoryUtilizationPercent: 75,
  });
  return app.synth().getStackByName('Consumer').template;
}

function rich(): object {
  const context = JSON.parse(fs.readFileSync(path.join(out, 'cdk-init-context.json'), 'utf-8'));
  const app = new App({ context, outdir: fs.mkdtempSync(path.join(out, 'typescript.rich.')) });
  const stack = new Stack(app, 'MyService');
  const web = new PrivateFargateBehindAlb(stack, 'Web', {
    port: 8080,
    image: ecs.ContainerImage.fromAsset('app'),
    healthCheckPath: '/healthz',
    environment: { LOG_LEVEL: 'info' },
    secrets: {
      DB_PASSWORD: ecs.Secret.fromSecretsManager(
        secretsmanager.Secret.fromSecretNameV2(stack, 'DbPassword', 'my-service/db-password')),
    },
    minCapacity: 2,
    maxCapacity: 5,
  });
  new PrivateFargateBehindAlb(stack, 'Api', {
    loadBalancer: web.loadBalancer,
    port: 8081,
    image: ecs.ContainerImage.fromEcrRepository(
      ecr.Repository.fromRepositoryName(stack, 'ApiRepository', 'my-api'), '1.0.0'),
  });
  const database = new ec2.SecurityGroup(stack, 'Database', { vpc: web.vpc });
  web.connections.allowTo(database, ec2.Port.tcp(5432));
  return app.synth().getStackByName('MyService').template;
}

fs.writeFileSync(path.join(out, 'typescript.template.json'), JSON.stringify(basic(), null, 2));
fs.writeFileSync(path.join(out, 'typescript.arm64-spot.template.json'), JSON.stringify(arm64Spot(), null, 2));
const cwd = process.cwd();
process.chdir(path.join(__dirname));
try {
  fs.writeFileSync(path.join(out, 'typescript.rich.template.json'), JSON.stringify(rich(), null, 2));
} finally {
  process.chdir(cwd);
}

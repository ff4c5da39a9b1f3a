/**
 * The TypeScript side of the four-language equality test, from the TypeScript sources:
 * - `<out>/typescript.template.json`: the consumers' stack (port 8080, 2 to 5 tasks);
 * - `<out>/typescript.arm64-spot.template.json`: ARM64 with one task on demand and the rest on Spot,
 *   and the container options (command, entry point, health check, storage, read-only root file
 *   system) and scaling on requests and memory.
 * Usage: ts-node test/consumers/synth-typescript.ts <out>
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
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

fs.writeFileSync(path.join(out, 'typescript.template.json'), JSON.stringify(basic(), null, 2));
fs.writeFileSync(path.join(out, 'typescript.arm64-spot.template.json'), JSON.stringify(arm64Spot(), null, 2));

/**
 * The example stack, and the integration test that deploys it.
 *
 * Two services on one VPC: `Web` at the defaults (port 80) and `Api` on port 8080. It proves that
 * the second service reuses the first one's VPC endpoints (one set per VPC) and that each service
 * answers HTTP 200 on its own port through its load balancer, with tasks that have no route to the
 * internet.
 *
 * - `npx projen example` synthesizes it into cdk.out/ (no AWS credentials, no Docker).
 * - `npx projen integ:snapshot` compares it with the committed snapshot.
 * - With AWS credentials and Docker: `npx integ-runner --directory test --app "ts-node --project tsconfig.dev.json {filePath}"`
 *   deploys it, runs the HTTP assertions and destroys it.
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { PrivateFargateBehindAlb } from '../src';

const app = new App();
const stack = new Stack(app, 'PrivateFargateBehindAlbExample');

const web = new PrivateFargateBehindAlb(stack, 'Web');
const api = new PrivateFargateBehindAlb(stack, 'Api', { vpc: web.vpc, port: 8080 });

const integ = new IntegTest(app, 'PrivateFargateBehindAlbInteg', { testCases: [stack] });
for (const service of [web, api]) {
  integ.assertions
    .httpApiCall(service.url)
    .expect(ExpectedResult.objectLike({ status: 200 }))
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });
}

app.synth();

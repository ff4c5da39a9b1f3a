/**
 * The example stack, and the integration test that deploys it.
 *
 * Two services on one VPC: `Web` (port 80, a canary deployment) under the name web.example.com, with
 * a DNS-validated certificate and an alias record in a hosted zone imported by its attributes, and
 * `Api` on port 8080 with a shorter canary (20 % of the traffic for 2 minutes, the old tasks kept 2 minutes). It
 * proves that the second service reuses the first one's VPC endpoints (one set per VPC) and that each
 * service answers HTTP 200 on its own port through its load balancer (through the production rule the
 * canary deployments shift traffic with), with tasks that have no route to the internet.
 *
 * The stack has a concrete account and region (placeholders; set EXAMPLE_ACCOUNT to deploy), so the tasks send
 * HTTPS only to the endpoints' security group and the S3 prefix list, and the load balancers write
 * access logs. Its lookups (the region's availability zones and its S3 prefix list) are committed in
 * cdk.context.json, which this app reads itself so that a plain synth needs no AWS credentials. To
 * deploy it, also set EXAMPLE_ZONE_ID and EXAMPLE_ZONE_NAME to a hosted zone of yours.
 *
 * - `npx projen example` synthesizes it into cdk.out/ (no AWS credentials, no Docker).
 * - `npx projen integ:snapshot` compares it with the committed snapshot.
 * - With AWS credentials and Docker: `npx integ-runner --directory test --app "ts-node --project tsconfig.dev.json {filePath}"`
 *   deploys it, runs the HTTP assertions and destroys it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Deployment, PrivateFargateBehindAlb } from '../src';

const context = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.context.json'), 'utf-8'));
const app = new App({ context });
const env = { account: process.env.EXAMPLE_ACCOUNT ?? '123456789012', region: 'us-east-1' };
const stack = new Stack(app, 'PrivateFargateBehindAlbExample', { env });

const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
  hostedZoneId: process.env.EXAMPLE_ZONE_ID ?? 'Z0123456789ABCDEFGHIJ',
  zoneName: process.env.EXAMPLE_ZONE_NAME ?? 'example.com',
});
const web = new PrivateFargateBehindAlb(stack, 'Web', { domainName: `web.${hostedZone.zoneName}`, hostedZone });
const api = new PrivateFargateBehindAlb(stack, 'Api', {
  vpc: web.vpc,
  port: 8080,
  deployment: Deployment.canary({ trafficPercent: 20, stepBakeTime: Duration.minutes(2), bakeTime: Duration.minutes(2) }),
});

// The assertions read the load balancers' names, so they live in the same environment.
const integ = new IntegTest(app, 'PrivateFargateBehindAlbInteg', {
  testCases: [stack],
  assertionStack: new Stack(app, 'PrivateFargateBehindAlbAssertions', { env }),
});
for (const service of [web, api]) {
  integ.assertions
    .httpApiCall(service.url)
    .expect(ExpectedResult.objectLike({ status: 200 }))
    .waitForAssertions({ totalTimeout: Duration.minutes(5), interval: Duration.seconds(15) });
}

app.synth();

import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';

// test/setup/temp-dir.js. The mistake: a setup that changes only the test file's copy of the environment,
// which leaves every app synthesizing under the system's temporary folder, where nothing removes it.
test('an app with no outdir synthesizes under the jest run\'s own temporary folder, which the run removes', () => {
  const folder = process.env.PRIVATE_FARGATE_BEHIND_ALB_TEST_TMPDIR;
  expect(folder).toMatch(/private-fargate-behind-alb-test-/);
  const app = new App();
  new Stack(app, 'Stack');
  const assembly = app.synth();
  expect(path.dirname(assembly.directory)).toBe(fs.realpathSync(folder!));
});

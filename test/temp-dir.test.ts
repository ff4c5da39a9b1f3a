import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { setup, teardown } = require('./setup/temp-dir');

// test/setup/temp-dir.js. The mistake: a setup that changes only the test file's copy of the environment,
// which leaves every app synthesizing under the system's temporary folder, where nothing removes it.
test('an app with no outdir synthesizes under the jest run\'s own temporary folder', () => {
  const folder = process.env.PRIVATE_FARGATE_BEHIND_ALB_TEST_TMPDIR;
  expect(folder).toMatch(/private-fargate-behind-alb-test-/);
  const app = new App();
  new Stack(app, 'Stack');
  const assembly = app.synth();
  expect(path.dirname(assembly.directory)).toBe(fs.realpathSync(folder!));
});

// The mistakes: a teardown that leaves the folder (and the cloud assemblies in it), or that leaves TMPDIR
// pointing at a folder that no longer exists.
test('the teardown removes the run\'s folder with what is in it, and gives TMPDIR back its previous value', async () => {
  const saved = { ...process.env };
  try {
    process.env.TMPDIR = '/previous/tmp';
    delete process.env.PRIVATE_FARGATE_BEHIND_ALB_TEST_TMPDIR;
    // setup makes the folder under the system's temporary folder, which this test file's copy of TMPDIR does not move.
    await setup();
    const folder = process.env.PRIVATE_FARGATE_BEHIND_ALB_TEST_TMPDIR!;
    expect(process.env.TMPDIR).toBe(folder);
    fs.mkdirSync(path.join(folder, 'cdk.outAbc123'));
    fs.writeFileSync(path.join(folder, 'cdk.outAbc123', 'manifest.json'), '{}');
    await teardown();
    expect(fs.existsSync(folder)).toBe(false);
    expect(process.env.TMPDIR).toBe('/previous/tmp');
    expect(process.env.PRIVATE_FARGATE_BEHIND_ALB_TEST_TMPDIR).toBeUndefined();
  } finally {
    process.env = saved;
  }
});

// Every jest run synthesizes its apps under a temporary folder of its own, removed when the run ends.
// An App given no outdir writes its cloud assembly to a new folder under the system's temporary folder
// and never removes it: the suite synthesizes thousands of apps, and a mutation run many times that.
// Set here, in jest's own process before its workers start: a test file's process.env is a copy, which
// the system's temporary folder is not read from.
const fs = require('fs');
const os = require('os');
const path = require('path');

const FOLDER = 'PRIVATE_FARGATE_BEHIND_ALB_TEST_TMPDIR';
const PREVIOUS = 'PRIVATE_FARGATE_BEHIND_ALB_TEST_TMPDIR_PREVIOUS';

/** Points the system's temporary folder of this run, and of its workers, to a new folder. */
async function setup() {
  process.env[PREVIOUS] = process.env.TMPDIR ?? '';
  process.env[FOLDER] = fs.mkdtempSync(path.join(os.tmpdir(), 'private-fargate-behind-alb-test-'));
  process.env.TMPDIR = process.env[FOLDER];
}

/** Removes the run's temporary folder, with every cloud assembly in it, and restores the previous one. */
async function teardown() {
  const folder = process.env[FOLDER];
  if (!folder) return;
  if (process.env[PREVIOUS]) process.env.TMPDIR = process.env[PREVIOUS];
  else delete process.env.TMPDIR;
  delete process.env[FOLDER];
  delete process.env[PREVIOUS];
  fs.rmSync(folder, { recursive: true, force: true });
}

module.exports = { setup, teardown };

// Runs before each jest run of a mutation test: no test of this run has failed yet, and the run has a
// temporary folder of its own (test/setup/temp-dir.js), removed by test/setup/global-teardown.js.
const { setup } = require('../setup/temp-dir');

module.exports = async () => {
  globalThis.__mutationKilled = undefined;
  await setup();
};

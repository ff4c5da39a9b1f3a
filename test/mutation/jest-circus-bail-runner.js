// The jest test runner of mutation runs: jest-circus, except that once the active mutant is killed
// (see bail-environment.js) the test files left in its run are not even loaded. Its name holds
// "jest-circus": StrykerJS takes such a runner for per-test coverage, which it reads from the environment.
const { createEmptyTestResult } = require('@jest/test-result');
const circus = require('jest-circus/runner').default;

module.exports = async (globalConfig, config, environment, runtime, testPath, sendMessageToJest) => {
  const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
  if (mutant !== undefined && globalThis.__mutationKilled === mutant) {
    // Jest takes a file without results for an empty one and fails it, so the file reports one skipped entry.
    const title = 'not run: the mutant is already killed';
    return {
      ...createEmptyTestResult(),
      testFilePath: testPath,
      numPendingTests: 1,
      testResults: [{
        ancestorTitles: [], title, fullName: title, status: 'pending', duration: 0,
        failureMessages: [], failureDetails: [], numPassingAsserts: 0, location: null,
      }],
    };
  }
  return circus(globalConfig, config, environment, runtime, testPath, sendMessageToJest);
};

// The jest environment of mutation runs: once a test fails, the mutant is killed, so the rest of
// its run is skipped. Which mutants die and which survive does not change; a survivor still runs
// every test that covers it. StrykerJS's jest runner has no bail of its own.
const { TestEnvironment } = require('jest-environment-node');

const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';

class BailEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    const mutant = process.env[ACTIVE_MUTANT];
    if (mutant === undefined) return; // the initial run, with no mutant active, runs every test
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') {
      globalThis.__mutationKilled = mutant;
    } else if (event.name === 'test_start' && globalThis.__mutationKilled === mutant) {
      event.test.mode = 'skip';
    }
  }
}

module.exports = BailEnvironment;

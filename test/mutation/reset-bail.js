// Runs before each jest run of a mutation test: no test of this run has failed yet.
module.exports = async () => {
  globalThis.__mutationKilled = undefined;
};

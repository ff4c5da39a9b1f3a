/**
 * Checks the committed mutation result without running a mutant (`npx projen mutation:check`):
 * test/stryker-incremental.json must have been made from the sources and tests of this commit,
 * and its mutation score must reach the break threshold of stryker.config.json.
 * `npx projen mutation` runs the mutants and rewrites that file.
 */
import * as fs from 'fs';
import * as path from 'path';

const config = JSON.parse(fs.readFileSync('stryker.config.json', 'utf-8'));
const incrementalFile: string = config.incrementalFile;
const breakAt: number = config.thresholds.break;
const report = JSON.parse(fs.readFileSync(incrementalFile, 'utf-8'));

function sourcesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(file);
    return entry.name.endsWith('.ts') ? [file] : [];
  });
}

const mutated = sourcesUnder('src').filter((file) => file !== 'src/index.ts').sort();
const stale: string[] = [];
for (const file of mutated) {
  const recorded = report.files[file];
  if (!recorded) stale.push(`${file}: not in the result`);
  else if (recorded.source !== fs.readFileSync(file, 'utf-8')) stale.push(`${file}: changed since the result`);
}
for (const file of Object.keys(report.files)) {
  if (!mutated.includes(file)) stale.push(`${file}: in the result, no longer in src/`);
}
for (const [file, recorded] of Object.entries<any>(report.testFiles ?? {})) {
  if (!fs.existsSync(file)) stale.push(`${file}: in the result, no longer in the tests`);
  else if (recorded.source !== undefined && recorded.source !== fs.readFileSync(file, 'utf-8')) stale.push(`${file}: changed since the result`);
}

const counts: Record<string, number> = {};
for (const file of Object.values<any>(report.files)) {
  for (const mutant of file.mutants) counts[mutant.status] = (counts[mutant.status] ?? 0) + 1;
}
const detected = (counts.Killed ?? 0) + (counts.Timeout ?? 0);
const undetected = (counts.Survived ?? 0) + (counts.NoCoverage ?? 0);
const score = detected + undetected === 0 ? 0 : (100 * detected) / (detected + undetected);

console.log(`${incrementalFile}: ${Object.entries(counts).sort().map(([status, n]) => `${n} ${status}`).join(', ')}; mutation score ${score.toFixed(2)} % (break threshold ${breakAt} %)`);
let failed = false;
if (stale.length > 0) {
  console.error(`The mutation result is not from this commit:\n  ${stale.join('\n  ')}\nRun npx projen mutation and commit ${incrementalFile}.`);
  failed = true;
}
if (score < breakAt) {
  console.error(`The mutation score ${score.toFixed(2)} % is under the break threshold ${breakAt} %: kill the survivors (npx projen mutation lists them).`);
  failed = true;
}
process.exit(failed ? 1 : 0);

/**
 * Runs StrykerJS (`npx projen mutation [stryker options]`), then writes its incremental file compact:
 * without the failure text of each killed mutant, which StrykerJS does not need to reuse a result,
 * and on one line. That keeps the committed file near 2 MB instead of 10.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';

const args = process.argv.slice(2);
const given = args.indexOf('--incrementalFile');
const incrementalFile: string = given >= 0
  ? args[given + 1]
  : JSON.parse(fs.readFileSync('stryker.config.json', 'utf-8')).incrementalFile;

const run = spawnSync('npx', ['stryker', 'run', ...args], { stdio: 'inherit' });

if (fs.existsSync(incrementalFile)) {
  const report = JSON.parse(fs.readFileSync(incrementalFile, 'utf-8'));
  for (const file of Object.values<any>(report.files)) {
    for (const mutant of file.mutants) delete mutant.statusReason;
  }
  fs.writeFileSync(incrementalFile, JSON.stringify(report) + '\n');
}
process.exit(run.status ?? 1);

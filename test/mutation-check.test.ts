import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// scripts/mutation-check.ts is CI's gate on the committed mutation result. The mistakes: a result from older
// sources passed as current, a changed test not noticed, a score under the threshold passed.
const SCRIPT = path.join(__dirname, '..', 'scripts', 'mutation-check.ts');
const TSCONFIG = path.join(__dirname, '..', 'tsconfig.dev.json');
const TS_NODE = path.join(__dirname, '..', 'node_modules', '.bin', 'ts-node');

function project(statuses: string[], edit?: (dir: string) => void): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mutation-check-'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.mkdirSync(path.join(dir, 'test'));
  fs.writeFileSync(path.join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
  fs.writeFileSync(path.join(dir, 'src', 'index.ts'), 'export * from \'./a\';\n');
  fs.writeFileSync(path.join(dir, 'test', 'a.test.ts'), 'test(\'a\', () => {});\n');
  fs.writeFileSync(path.join(dir, 'stryker.config.json'), JSON.stringify({ incrementalFile: 'result.json', thresholds: { break: 95 } }));
  fs.writeFileSync(path.join(dir, 'result.json'), JSON.stringify({
    files: { 'src/a.ts': { source: 'export const a = 1;\n', mutants: statuses.map((status) => ({ status })) } },
    testFiles: { 'test/a.test.ts': { source: 'test(\'a\', () => {});\n', tests: [] } },
  }));
  edit?.(dir);
  const run = spawnSync(TS_NODE, ['--project', TSCONFIG, SCRIPT], { cwd: dir, encoding: 'utf-8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: run.status, output: run.stdout + run.stderr };
}

const NINETEEN_KILLED_ONE_SURVIVED = [...Array(19).fill('Killed'), 'Survived'];

test('a current result at the threshold passes, and the score counts timeouts as detected and ignored mutants not at all', () => {
  const run = project([...Array(18).fill('Killed'), 'Timeout', 'Survived', 'Ignored']);
  expect(run.output).toContain('mutation score 95.00 %');
  expect(run.status).toBe(0);
});

test('a score under the threshold fails', () => {
  const run = project([...Array(18).fill('Killed'), 'Survived', 'NoCoverage']);
  expect(run.output).toContain('mutation score 90.00 %');
  expect(run.output).toContain('under the break threshold 95 %');
  expect(run.status).toBe(1);
});

test('a source changed since the result fails, naming the file', () => {
  const run = project(NINETEEN_KILLED_ONE_SURVIVED, (dir) => fs.writeFileSync(path.join(dir, 'src', 'a.ts'), 'export const a = 2;\n'));
  expect(run.output).toContain('src/a.ts: changed since the result');
  expect(run.status).toBe(1);
});

test('a new source and a changed test fail, naming each', () => {
  const run = project(NINETEEN_KILLED_ONE_SURVIVED, (dir) => {
    fs.writeFileSync(path.join(dir, 'src', 'b.ts'), 'export const b = 1;\n');
    fs.writeFileSync(path.join(dir, 'test', 'a.test.ts'), 'test(\'a\', () => { expect(1).toBe(1); });\n');
  });
  expect(run.output).toContain('src/b.ts: not in the result');
  expect(run.output).toContain('test/a.test.ts: changed since the result');
  expect(run.output).not.toContain('src/index.ts');
  expect(run.status).toBe(1);
});

/**
 * The docs harness (`npx projen test:docs`): every TypeScript, Python, Java and Go program of the
 * README and of the pages of docs/, run as a user runs it.
 *
 * For each language it makes one project the way the README's "Install and run" says (the blocks
 * marked `<!-- setup LANGUAGE: ... -->`, `cdk init` included), with the packages in dist/ in place of
 * the registry as "Before the first release" says, and the committed test/docs/cdk.context.json for
 * the lookups. Then, for each program of that language, it copies the block from its page into the
 * project's program file (a fragment pasted into the host program, see readme.ts), runs `cdk synth`
 * with the real CLI, and checks the cloud assembly against the block's `<!-- expect: ... -->`: its
 * stacks, resources, construct paths, and no warning (annotations or deprecations).
 *
 * Each run is on one aws-cdk-lib: `floor` (the lowest supported, this repository's devDependency) or
 * `newest` (the newest the language's registry gives). One of the two is the README's install line as
 * it stands; the other is pinned after it (PINS below).
 *
 * Usage: ts-node test/docs/harness.ts [--cdk floor|newest]... [--language typescript|python|java|go]... [--at FILE:LINE]... [--compare]
 * (--at: only the programs whose block opens on that line of that file, as `docs/deployments.md:42`;
 * --compare: run nothing, compare the templates the runs before kept, of the four languages).
 *
 * Every example must synthesize the same templates in each language (CDKMetadata aside): the
 * languages of one run are compared at its end, and `--compare` compares what separate runs kept.
 * The projects are made in a scratch folder outside the repository (so that nothing resolves from its
 * node_modules); its path is printed.
 */
import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { appOf, checkCertificates, checkCreate, checkRouting } from '../rehearsal';
import {
  Block, checkAssembly, comparableTemplate, differences, Expectation, isWholeProgram, Language, LANGUAGES,
  parseExpectation, pasteFragment, programKey, readAssembly, readDocumentation, SetupStep, setupStep,
} from './readme';

const root = path.resolve(__dirname, '..', '..');
/** The scratch folder of the projects, outside the repository, and of the templates the languages must agree on. */
const SCRATCH = path.join(os.tmpdir(), 'private-fargate-behind-alb-docs');
const packageJson = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf-8'));
const FLOOR = { cdk: packageJson.devDependencies['aws-cdk-lib'], constructs: packageJson.devDependencies.constructs };

/** The folder the README's first command makes, and the file each language's programs go to. */
const PROJECT = 'my-service';
const PROGRAM_FILE: Record<Language, string> = {
  typescript: 'bin/my-service.ts',
  python: 'app.py',
  java: 'src/main/java/com/myorg/MyServiceApp.java',
  go: 'my-service.go',
};

type Version = 'floor' | 'newest';

/**
 * What the harness runs after the README's setup to put the project on the aws-cdk-lib of the run.
 * The README's own lines give TypeScript and Python (cdk init, then npm and pip) the newest, Java
 * the floor (its pom.xml names it) and Go the aws-cdk-go that the CLI's `cdk init` names (which is
 * neither): Go is pinned both ways.
 */
const PINS: Record<Language, Partial<Record<Version, string>>> = {
  // As the README says: over a newer aws-cdk-lib, `npm install aws-cdk-lib@2.257.0` leaves a tree
  // without the @aws-cdk/cloud-assembly-schema that 2.257.0 needs; a clean install does not.
  typescript: {
    floor: `npm pkg set dependencies.aws-cdk-lib=${FLOOR.cdk} dependencies.constructs=${FLOOR.constructs}`
      + ' && rm -rf node_modules package-lock.json && npm install --no-audit --no-fund',
  },
  python: { floor: `pip install --quiet aws-cdk-lib==${FLOOR.cdk} constructs==${FLOOR.constructs}` },
  // The newest release in Maven Central's index: a range makes Maven take it.
  java: { newest: "sed -i 's|<cdk.version>.*</cdk.version>|<cdk.version>[2.257.0,3.0.0)</cdk.version>|' pom.xml" },
  go: {
    floor: `go get github.com/aws/aws-cdk-go/awscdk/v2@v${FLOOR.cdk} && go mod tidy`,
    newest: 'go get github.com/aws/aws-cdk-go/awscdk/v2@latest && go mod tidy',
  },
};

/** A file the README tells users to have: the image folder `app` of the examples with their own image. */
const APP_FOLDER = path.join(root, 'test', 'consumers', 'app');
/** The lookups' values, as `cdk synth` with credentials would have written them. */
const CONTEXT_FILE = path.join(__dirname, 'cdk.context.json');

interface Program {
  readonly block: Block;
  readonly expectation: Expectation;
}

interface Outcome {
  readonly label: string;
  readonly failures: string[];
  readonly seconds: number;
  readonly cdkVersion?: string;
}

function args(name: string): string[] {
  const values: string[] = [];
  process.argv.forEach((arg, i) => { if (arg === name) values.push(process.argv[i + 1]); });
  return values;
}

/** Runs a shell command; throws with its output when it fails. */
function sh(command: string, cwd: string, env: NodeJS.ProcessEnv): string {
  const result = spawnSync('bash', ['-euo', 'pipefail', '-c', command], { cwd, env, encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`\`${command}\` in ${cwd} exited with ${result.status}:\n${output.slice(-6000)}`);
  return output;
}

/** The README's "Before the first release": the registry command of each language and the one that takes dist/ instead. */
function fromDist(readme: string): Map<string, string> {
  const section = /\n### Before the first release\n([\s\S]*?)(\n## |\n### )/.exec(readme);
  if (!section) throw new Error('README.md has no section "Before the first release"');
  const commands = new Map<string, string>();
  for (const row of section[1].split('\n').filter((line) => line.startsWith('| '))) {
    const codes = [...row.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    if (codes.length === 2) commands.set(codes[0], codes[1].split('/path/to/private-fargate-behind-alb').join(root));
  }
  return commands;
}

/** The environment of a project: the repository's cdk CLI on the PATH, and Python's virtual environment once it exists. */
function projectEnv(project: string): NodeJS.ProcessEnv {
  const venv = path.join(project, '.venv');
  const bins = [path.join(root, 'node_modules', '.bin')];
  const env: NodeJS.ProcessEnv = { ...process.env, JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1' };
  if (fs.existsSync(path.join(venv, 'bin'))) {
    bins.unshift(path.join(venv, 'bin'));
    env.VIRTUAL_ENV = venv;
  }
  env.PATH = [...bins, process.env.PATH].join(path.delimiter);
  return env;
}

/** Makes the project of one language as the README says, on the chosen aws-cdk-lib. */
function makeProject(language: Language, setup: SetupStep[], host: Block, dist: Map<string, string>, work: string, version: Version): string {
  const project = path.join(work, PROJECT);
  const used = new Set<string>();
  // The first program is part of the setup where the README shows it (Go's modules need it first).
  const steps = [...setup, { language, block: host, action: { kind: 'write', file: PROGRAM_FILE[language] } } as SetupStep]
    // The README's steps first (the project is made there), then those of the pages, each in its order.
    .sort((a, b) => Number(a.block.file !== 'README.md') - Number(b.block.file !== 'README.md')
      || a.block.file.localeCompare(b.block.file) || a.block.line - b.block.line);
  for (const { block, action } of steps) {
    const code = block.code.split('/path/to/private-fargate-behind-alb').join(root);
    if (action.kind === 'run') {
      // Line by line as the user types them, each registry install replaced by its dist/ command.
      const commands = code.split('\n').map((line) => {
        const replacement = dist.get(line.trim());
        if (replacement !== undefined) used.add(line.trim());
        return replacement ?? line;
      });
      const cwd = fs.existsSync(project) ? project : work;
      console.log(`  $ ${commands.filter((line) => line.trim() && !line.startsWith('#')).join('\n  $ ')}`);
      sh(commands.join('\n'), cwd, projectEnv(project));
    } else {
      const file = path.join(project, action.file);
      if (action.kind === 'write') {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, code);
      } else {
        const lines = fs.readFileSync(file, 'utf-8').split('\n');
        const at = lines.findIndex((line) => line.includes(action.text));
        if (at < 0) throw new Error(`${block.file} line ${block.line}: ${action.file} has no line with ${action.text}`);
        lines.splice(action.kind === 'replace' ? at : at + 1, action.kind === 'replace' ? 1 : 0, code.replace(/\n$/, ''));
        fs.writeFileSync(file, lines.join('\n'));
      }
      console.log(`  ${action.kind} ${action.file} (${block.file} line ${block.line})`);
    }
  }
  const registryLines = [...dist.keys()].filter((command) => steps.some((step) => step.block.code.split('\n').some((line) => line.trim() === command)));
  for (const command of registryLines) if (!used.has(command)) throw new Error(`${language}: "${command}" was not replaced by its dist/ command`);
  const pin = PINS[language][version];
  if (pin) {
    console.log(`  $ ${pin}   (the ${version} aws-cdk-lib)`);
    sh(pin, project, projectEnv(project));
  }
  fs.cpSync(APP_FOLDER, path.join(project, 'app'), { recursive: true });
  fs.copyFileSync(CONTEXT_FILE, path.join(project, 'cdk.context.json'));
  return project;
}

/** Copies a program into the project, synthesizes it with `cdk synth` and checks what it promises. */
function runProgram(language: Language, version: Version, project: string, program: Program, hosts: Partial<Record<'plain' | 'lookup', Program>>, label: string): Outcome {
  const started = Date.now();
  const failures: string[] = [];
  let source = program.block.code;
  if (!isWholeProgram(program.block)) {
    const host = hosts[program.expectation.lookup ? 'lookup' : 'plain'];
    if (!host) return { label, failures: [`no ${program.expectation.lookup ? 'host lookup' : 'host'} program in ${language}`], seconds: 0 };
    source = pasteFragment(language, host.block.code, program.block.code);
  }
  fs.writeFileSync(path.join(project, PROGRAM_FILE[language]), source);
  fs.rmSync(path.join(project, 'cdk.out'), { recursive: true, force: true });
  const result = spawnSync('cdk', ['synth'], { cwd: project, env: projectEnv(project), encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = (Date.now() - started) / 1000;
  if (result.status !== 0) {
    // Kept beside the project (in it, a Go or TypeScript file would join the next programs' build).
    fs.writeFileSync(path.join(project, '..', `failed-${failedName(program.block)}${path.extname(PROGRAM_FILE[language])}`), source);
    return { label, failures: [`cdk synth exited with ${result.status}:\n${(result.stderr ?? '').slice(-4000)}`], seconds };
  }
  // Deprecations (jsii prints them as [WARNING]) and annotations ([Warning at /path]).
  for (const line of (result.stderr ?? '').split('\n')) {
    if (/\[WARNING\]|\[Warning at /.test(line)) failures.push(`cdk synth printed: ${line.trim()}`);
  }
  const assembly = readAssembly(path.join(project, 'cdk.out'));
  failures.push(...checkAssembly(assembly, program.expectation));
  saveTemplates(language, version, program.block, assembly);
  // What AWS enforces across the stacks of the app (test/rehearsal): unique ports, priorities, names, endpoints, and routing.
  const app = appOf(Object.fromEntries(Object.entries(assembly.stacks).map(([name, stack]) => [name, stack.template])));
  failures.push(...checkCreate(app), ...checkCertificates(app), ...checkRouting(app));
  // A failed program's assembly is kept beside the project for a look.
  if (failures.length) fs.cpSync(path.join(project, 'cdk.out'), path.join(project, '..', `failed-${failedName(program.block)}.out`), { recursive: true });
  return { label, failures, seconds, cdkVersion: assembly.cdkVersion };
}

/** The file of the templates one language synthesized for one example, on one aws-cdk-lib. */
function templatesFile(version: Version, language: Language, key: string): string {
  return path.join(SCRATCH, 'templates', version, language, `${createHash('sha256').update(key).digest('hex').slice(0, 16)}.json`);
}

interface SavedTemplates {
  readonly key: string;
  readonly at: string;
  readonly cdkVersion?: string;
  readonly stacks: Record<string, unknown>;
}

/** Keeps what a language synthesized for an example, for the comparison of the languages. */
function saveTemplates(language: Language, version: Version, block: Block, assembly: ReturnType<typeof readAssembly>): void {
  const saved: SavedTemplates = {
    key: programKey(block),
    at: placeOf(block),
    cdkVersion: assembly.cdkVersion,
    stacks: Object.fromEntries(Object.entries(assembly.stacks).map(([name, stack]) => [name, comparableTemplate(stack.template)])),
  };
  const file = templatesFile(version, language, saved.key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(saved));
}

/**
 * The same example must synthesize the same templates in every language, each project made the
 * README's way (CDKMetadata aside): the languages' saved templates of one aws-cdk-lib, compared with
 * the first language's, example by example.
 */
function compareLanguages(version: Version, languages: Language[]): Outcome[] {
  const byKey = new Map<string, Array<{ language: Language; saved: SavedTemplates }>>();
  for (const language of languages) {
    const dir = path.join(SCRATCH, 'templates', version, language);
    if (!fs.existsSync(dir)) continue;
    for (const name of fs.readdirSync(dir).sort()) {
      const saved: SavedTemplates = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf-8'));
      byKey.set(saved.key, [...(byKey.get(saved.key) ?? []), { language, saved }]);
    }
  }
  const outcomes: Outcome[] = [];
  for (const [, versions] of [...byKey.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (versions.length < 2) continue;
    const [first, ...others] = versions;
    const label = `${versions.map((v) => v.language).join(', ')} ${version} ${first.saved.at}: the same templates`;
    const failures: string[] = [];
    for (const other of others) {
      if (other.saved.cdkVersion !== first.saved.cdkVersion) {
        failures.push(`${other.language} synthesized with aws-cdk-lib ${other.saved.cdkVersion}, ${first.language} with ${first.saved.cdkVersion}: run both on one`);
        continue;
      }
      for (const found of differences(first.saved.stacks, other.saved.stacks)) failures.push(`${other.language} differs from ${first.language} at ${found}`);
    }
    outcomes.push({ label, failures, seconds: 0 });
    console.log(`${failures.length ? 'FAIL' : 'ok  '} ${label}`);
    for (const failure of failures) console.log(`     ${failure}`);
  }
  return outcomes;
}

/** The name a failed program's files are kept under: its page and line (`docs-deployments-42`). */
function failedName(block: Block): string {
  return `${block.file.replace(/\.md$/, '').replace(/[^\w]+/g, '-')}-${block.line}`;
}

/** Where a block stands, as `--at` takes it. */
function placeOf(block: Block): string {
  return `${block.file}:${block.line}`;
}

function main(): void {
  const versions = (args('--cdk').length ? args('--cdk') : ['floor', 'newest']) as Version[];
  const languages = (args('--language').length ? args('--language') : LANGUAGES) as Language[];
  const blocks = readDocumentation(root);
  const dist = fromDist(fs.readFileSync(path.join(root, 'README.md'), 'utf-8'));

  // Every program block must say what it synthesizes.
  const programs: Record<Language, Program[]> = { typescript: [], python: [], java: [], go: [] };
  const only = args('--at');
  const unmarked = blocks.filter((block) => block.language && !block.comment?.startsWith('expect:'));
  if (unmarked.length && !only.length) {
    throw new Error(`blocks without <!-- expect: ... -->: ${unmarked.map((b) => `${placeOf(b)} (${b.fence})`).join(', ')}`);
  }
  for (const block of blocks) {
    if (block.language && block.comment?.startsWith('expect:')) {
      try {
        programs[block.language].push({ block, expectation: parseExpectation(block.comment!) });
      } catch (error) {
        throw new Error(`${block.file} line ${block.line}: ${(error as Error).message}`);
      }
    }
  }
  const setup = blocks.map(setupStep).filter((step): step is SetupStep => step !== undefined);

  console.log(`programs of the documentation: ${LANGUAGES.map((l) => `${l} ${programs[l].length}`).join(', ')}; projects in ${SCRATCH}`);
  const outcomes: Outcome[] = [];
  const timings: string[] = [];
  // --compare: no program runs; the templates the runs before saved are compared across the languages.
  const runs = process.argv.includes('--compare') ? [] : versions;
  for (const version of runs) {
    for (const language of languages) {
      const started = Date.now();
      const work = path.join(SCRATCH, version, language);
      fs.rmSync(work, { recursive: true, force: true });
      // A whole run replaces what the language kept; a run of some programs (--at) only theirs.
      if (!only.length) fs.rmSync(path.join(SCRATCH, 'templates', version, language), { recursive: true, force: true });
      fs.mkdirSync(work, { recursive: true });
      console.log(`\n--- ${language}, ${version} aws-cdk-lib (${work})`);
      if (language === 'java') {
        // Maven never re-reads a release version it has cached: the jar in dist/java is the one under test.
        fs.rmSync(path.join(os.homedir(), '.m2', 'repository', 'io', 'github', 'privatefargatebehindalb'), { recursive: true, force: true });
      }
      const hosts: Partial<Record<'plain' | 'lookup', Program>> = {};
      for (const program of programs[language]) if (program.expectation.host) hosts[program.expectation.host] = program;
      let project: string;
      try {
        if (!hosts.plain) throw new Error(`no ${language} program is marked host`);
        project = makeProject(language, setup.filter((step) => step.language === language), hosts.plain.block, dist, work, version);
      } catch (error) {
        outcomes.push({ label: `${language} ${version} setup`, failures: [String((error as Error).message)], seconds: 0 });
        console.log(`FAIL ${language} ${version} setup\n${(error as Error).message}`);
        continue;
      }
      const setupSeconds = (Date.now() - started) / 1000;
      for (const program of programs[language]) {
        if (only.length && !only.includes(placeOf(program.block))) continue;
        const label = `${language} ${version} ${placeOf(program.block)} (${program.block.section})`;
        const outcome = runProgram(language, version, project, program, hosts, label);
        outcomes.push(outcome);
        const status = outcome.failures.length ? 'FAIL' : 'ok  ';
        console.log(`${status} ${label}: ${outcome.seconds.toFixed(1)} s, aws-cdk-lib ${outcome.cdkVersion ?? '?'}`);
        for (const failure of outcome.failures) console.log(`     ${failure.replace(/\n/g, '\n     ')}`);
      }
      timings.push(`${language} ${version}: setup ${setupSeconds.toFixed(0)} s, ${programs[language].length} programs, ${((Date.now() - started) / 1000).toFixed(0)} s in all`);
    }
  }
  console.log(`\n${timings.join('\n')}`);
  // The languages of this run, or with --compare all four, must agree on every example.
  for (const version of versions) {
    const compared = runs.length ? languages : LANGUAGES;
    if (compared.length < 2) continue;
    console.log(`\n--- the templates of ${compared.join(', ')}, ${version} aws-cdk-lib`);
    outcomes.push(...compareLanguages(version, compared));
  }
  const failed = outcomes.filter((outcome) => outcome.failures.length).length;
  console.log(`\ndocs: ${outcomes.length - failed} passed, ${failed} failed`);
  if (failed) process.exitCode = 1;
}

if (require.main === module) {
  try {
    execFileSync('test', ['-d', path.join(root, 'dist', 'go')]);
  } catch {
    console.error('dist/ is missing: run npx projen dist first');
    process.exit(1);
  }
  main();
}

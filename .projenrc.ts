import { awscdk, javascript, JsonFile, TextFile } from 'projen';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'private-fargate-behind-alb',
  description:
    'A Fargate service in private subnets with no internet route, served through an internet-facing ALB, wired from one port value.',
  keywords: ['cdk', 'awscdk', 'aws-cdk', 'ecs', 'fargate', 'alb', 'vpc-endpoint', 'private-subnet'],
  author: 'PrivateFargateBehindAlb contributors',
  authorAddress: 'maintainers@privatefargatebehindalb.github.io',
  repositoryUrl: 'https://github.com/privatefargatebehindalb/private-fargate-behind-alb.git',
  license: 'Apache-2.0',
  stability: 'experimental',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,

  // The lowest aws-cdk-lib supported. The newest integ-runner (2.197) reads cloud assemblies up to
  // schema 53, which 2.257 writes and 2.258 does not; cdk-nag 3 runs here through validateScope().
  cdkVersion: '2.257.0',
  jsiiVersion: '~6.0.0',

  publishToPypi: {
    distName: 'private-fargate-behind-alb',
    module: 'private_fargate_behind_alb',
  },
  publishToMaven: {
    javaPackage: 'io.github.privatefargatebehindalb',
    mavenGroupId: 'io.github.privatefargatebehindalb',
    mavenArtifactId: 'private-fargate-behind-alb',
  },
  // The Go module is github.com/privatefargatebehindalb/private-fargate-behind-alb-go/privatefargatebehindalb
  // (jsii appends the package name to the module name).
  publishToGo: {
    moduleName: 'github.com/privatefargatebehindalb/private-fargate-behind-alb-go',
    packageName: 'privatefargatebehindalb',
  },

  devDeps: [
    // The last alpha release; its peer range (^2.245) covers cdkVersion.
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    '@aws-cdk/integ-runner@^2.197.10',
    // The scanners' CDK half: AwsSolutions rules as a CDK validation plugin.
    'cdk-nag@^3.0.2',
    // The way out for public images: a deploy-time copy into a private ECR repository, shown in the
    // README and tested. A dev dependency only: it ships a large Lambda binary users opt into.
    'cdk-ecr-deployment@^4.2.65',
    // Mutation testing of src/ (npx projen mutation). 9.x: 10.x needs Node 22.
    '@stryker-mutator/core@9.6.1',
    '@stryker-mutator/jest-runner@9.6.1',
    // jsii-pacmak writes this package's installed version into dist/go's go.mod as the version of
    // github.com/aws/aws-cdk-go/awscdk/v2's cloud-assembly-schema-go dependency: pin the one
    // aws-cdk-go at cdkVersion (2.257.0) requires, which the Go module proxy serves.
    '@aws-cdk/cloud-assembly-schema@53.25.0',
    // The rehearsal of a stack's life (test/rehearsal/): what `cdk diff` says an update replaces.
    '@aws-cdk/cloudformation-diff@^2.187.5',
    // The CLI users run: the docs harness synthesizes every program of the documentation with it.
    'aws-cdk@^2.1149.0',
  ],

  // integ-runner's naming (test/integ.*.ts), not projen's (*.integ.ts): see the integ tasks below.
  integrationTestAutoDiscover: false,

  // The dev tsconfig sits at the root; eslint then needs the explicit project path.
  tsconfigDevFile: 'tsconfig.dev.json',
  // A jest run's apps synthesize into a temporary folder removed when the run ends (test/setup/temp-dir.js).
  jestOptions: {
    jestConfig: {
      globalSetup: '<rootDir>/test/setup/global-setup.js',
      globalTeardown: '<rootDir>/test/setup/global-teardown.js',
    },
  },
  tsconfigDev: { include: ['.projenrc.ts', 'projenrc/**/*.ts', 'scripts/**/*.ts'] },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test', 'scripts', '.projenrc.ts'],
    tsconfigPath: './tsconfig.dev.json',
    projectService: false,
  },

  gitignore: ['.jsii.tabl.json', 'cdk.out/', 'cdk.out.scan/', 'test/java/target/', 'test/python/.venv/', 'test/consumers/out/', 'test/go/*.test', '__pycache__/', '.pytest_cache/', 'test/*.snapshot/asset.*', 'test/**/cdk-integ.out.*', '.venv/'],
});

for (const pattern of ['/cdk.context.json', '/scripts/', '/cdk.out/', '/cdk.out.scan/', '/.venv/', '/.ci/', '/docs/', '/tsconfig.dev.json', '/.compatignore', '/.jsii.tabl.json', '/rosetta/']) {
  project.addPackageIgnore(pattern);
}

const ts = 'ts-node --project tsconfig.dev.json';
const exampleApp = 'test/integ.private-fargate-behind-alb.ts';

// The main job: synthesize the example app into cdk.out/ (no AWS credentials needed) and summarize it.
project.addTask('example', {
  description: 'Synthesize the example stack into cdk.out/ and print its resources and port table',
  // As the cdk CLI does: path metadata lets the summary name each resource by its construct path.
  env: { CDK_OUTDIR: 'cdk.out', CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:enable-path-metadata': true }) },
  steps: [
    { exec: `rm -rf cdk.out && ${ts} ${exampleApp}` },
    { exec: `${ts} scripts/summarize.ts cdk.out` },
  ],
});

// The architecture picture at the top of the README, drawn from the example stack's template.
project.addTask('diagram', {
  description: 'Redraw docs/architecture.svg from the synthesized example stack',
  steps: [
    { spawn: 'example' },
    { exec: `${ts} scripts/diagram.ts cdk.out/PrivateFargateBehindAlbExample.template.json docs/architecture.svg` },
  ],
});

// integ-runner compares the committed snapshot with a fresh synth; --dry-run updates it without deploying.
const integRunner = `integ-runner --language typescript --app "${ts} {filePath}" --test-regex "^integ\\..*\\.ts$" --directory test`;
project.addTask('integ:snapshot', {
  description: 'Fail when the example stack no longer matches its committed integ snapshot',
  exec: integRunner,
});
project.addTask('integ:update', {
  description: 'Rewrite the committed integ snapshot (synth only, nothing is deployed)',
  exec: `${integRunner} --update-on-failed --dry-run --force`,
});
project.testTask.spawn(project.tasks.tryFind('integ:snapshot')!);

// jsii-diff against the last release on npm: after the first release a breaking API change fails
// the build. Before it there is nothing to compare, so the step runs only when a release exists.
project.compileTask.spawn(project.tasks.tryFind('compat')!, {
  condition: `node -e "try { require('child_process').execFileSync('npm', ['view', '${project.package.packageName}', 'version'], { stdio: 'ignore' }) } catch { process.exit(1) }"`,
});
new TextFile(project, '.compatignore', {
  lines: ['# Breaking changes jsii-diff may ignore, one key a line (for example removed:private-fargate-behind-alb.SomeType).'],
});

// README's TypeScript examples must compile (Construct Hub translates them for other languages);
// the public-image example needs cdk-ecr-deployment, a dev dependency, to compile.
const rosettaExtract = project.addTask('rosetta:extract', {
  description: 'Compile and translate the README\'s TypeScript examples into rosetta\'s tablet (.jsii.tabl.json), which the packages of the other languages show',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosettaExtract);
project.package.addField('jsiiRosetta', { exampleDependencies: { 'cdk-ecr-deployment': '^4.2.65' } });

// The packages built from source, as the README's "Before the first release" says: the npm package
// alone for TypeScript; for the other languages, the examples translated before packaging (without
// the tablet, jsii-pacmak leaves the README's TypeScript under a Python or Java label).
const PACKAGE_TARGETS = { typescript: 'js', python: 'python', java: 'java', go: 'go' };
for (const [language, target] of Object.entries(PACKAGE_TARGETS)) {
  const dist = project.addTask(`dist:${language}`, { description: `Build the ${language} package into dist/ from source` });
  dist.spawn(project.compileTask);
  if (language !== 'typescript') dist.spawn(rosettaExtract);
  dist.spawn(project.tasks.tryFind(`package:${target}`)!);
}
const distAll = project.addTask('dist', { description: 'Build the packages of the four languages into dist/ from source' });
distAll.spawn(project.compileTask);
distAll.spawn(rosettaExtract);
distAll.spawn(project.tasks.tryFind('package-all')!);

// The Python, Java and Go packages in dist/ (npx projen package-all), used by real CDK programs in
// those languages; the templates of the four languages must be equal.
project.addTask('test:consumers', {
  description: 'Run the Python (pytest), Java (JUnit) and Go (go test) consumer suites on the packages in dist/',
  exec: 'bash test/consumers/run.sh',
});

// Every TypeScript, Python, Java and Go program of the README and of the pages of docs/, run as users
// run it: in a project made as the README says (cdk init, the packages in dist/), synthesized with the
// cdk CLI and checked against the <!-- expect: ... --> after its block (test/docs/). Needs dist/
// (npx projen package-all).
project.addTask('test:docs', {
  description: 'Run every program of the README and docs/ in the four languages with cdk synth, on the floor and the newest aws-cdk-lib (needs dist/)',
  exec: `${ts} test/docs/harness.ts`,
  receiveArgs: true,
});

// The jest suite on the newest aws-cdk-lib and constructs, in a scratch copy (the lockfile stays).
project.addTask('test:newest', {
  description: 'Run the jest suite on the newest aws-cdk-lib and constructs from npm, in a scratch copy',
  exec: 'bash test/newest/run.sh',
});

// What npm pack ships: what users need, nothing else; and the Python and Java packages' examples in
// their language (run after the build).
const testPackage = project.addTask('test:package', {
  description: 'Check the files npm pack ships, and that the Python and Java packages show their examples in their language',
  exec: `${ts} scripts/check-package.ts`,
});
testPackage.exec(`${ts} scripts/check-translations.ts`);

// Mutation testing: Stryker mutates src/ and runs the jest suite against each mutant. The committed
// incremental file (test/stryker-incremental.json) holds the last result of every mutant, so a run
// re-tests only the mutants of code or tests that changed since. `npx projen mutation` updates it; CI
// runs `mutation:check`, which runs no mutant: the file must come from the commit's sources and tests,
// and its score must reach the break threshold.
new JsonFile(project, 'stryker.config.json', {
  obj: {
    $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
    packageManager: 'npm',
    testRunner: 'jest',
    jest: {
      projectType: 'custom',
      enableFindRelatedTests: false,
      // A mutant's run stops at its first failing test (test/mutation/): a killed mutant then costs
      // one failing test, not every test that covers it, nor the loading of the test files left. The
      // files that killed the last mutant run first, then the fastest (jest's own order is the slowest first).
      config: {
        testEnvironment: './test/mutation/bail-environment.js',
        testRunner: '<rootDir>/test/mutation/jest-circus-bail-runner.js',
        testSequencer: '<rootDir>/test/mutation/fast-first-sequencer.js',
        globalSetup: '<rootDir>/test/mutation/reset-bail.js',
        globalTeardown: '<rootDir>/test/setup/global-teardown.js',
      },
    },
    coverageAnalysis: 'perTest',
    mutate: ['src/**/*.ts', '!src/index.ts'],
    ignorePatterns: ['.venv', 'test/python/.venv', 'test/consumers/out', 'cdk.out', 'cdk.out.scan', 'dist', 'lib', 'test/*.snapshot', 'test/java', 'test/go', 'test/python', 'reports', '.jsii', 'coverage', 'test-reports'],
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: 'reports/mutation/mutation.html' },
    jsonReporter: { fileName: 'reports/mutation/mutation.json' },
    incremental: true,
    incrementalFile: 'test/stryker-incremental.json',
    thresholds: { high: 95, low: 90, break: 95 },
    concurrency: 2,
    timeoutMS: 60000,
    // A static mutant (module-level code, run once when a test file loads the module) needs the whole suite per
    // mutant: Stryker marks it Ignored instead, outside the score.
    ignoreStatic: true,
    tempDirName: '.stryker-tmp',
  },
});
project.gitignore.addPatterns('/reports/', '/.stryker-tmp/');
project.addPackageIgnore('/stryker.config.json');
project.addPackageIgnore('/reports/');
project.addTask('mutation', {
  description: 'Mutation testing of src/ with Stryker; updates test/stryker-incremental.json (run with --force for a full run)',
  exec: `${ts} scripts/mutation.ts`,
  receiveArgs: true,
});
project.addTask('mutation:check', {
  description: 'Checks that test/stryker-incremental.json comes from the sources and tests of this commit and reaches the break threshold (runs no mutant)',
  exec: `${ts} scripts/mutation-check.ts`,
});

// The benchmark against aws-ecs-patterns: prints the figures and rewrites docs/BENCHMARKS.md and its chart.
project.addTask('bench', {
  description: 'Benchmark synth time, template size, deployment timing and cost against aws-ecs-patterns',
  exec: `${ts} scripts/bench.ts`,
  receiveArgs: true,
});

// The scanners users run (cdk-nag, cfn-lint, checkov) over test/matrix.ts, for the construct and the peer.
project.addTask('scan', {
  description: 'Run cdk-nag, cfn-lint and checkov over the configuration matrix and write docs/SECURITY.md',
  steps: [
    { exec: 'bash scripts/scan-venv.sh' },
    { exec: `${ts} scripts/scan.ts` },
  ],
});

project.synth();

/**
 * Runs the scanners users run over every configuration of test/matrix.ts, once with
 * PrivateFargateBehindAlb and once with the aws-ecs-patterns peer: cdk-nag (the AwsSolutions pack, and
 * the NIST 800-53 rev 5, HIPAA Security and PCI DSS 3.2.1 packs regulated accounts run), cfn-lint and
 * checkov (pinned in scripts/scan-requirements.txt, installed in .venv by scripts/scan-venv.sh). It
 * prints the counts, writes docs/SECURITY.md with the construct's cdk-nag acknowledgments read from
 * the synthesized constructs, and exits 1 when the construct has a finding that is neither acknowledged
 * on the construct it concerns nor accepted below with its reason.
 *
 * Usage: ts-node scripts/scan.ts
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { CONCRETE_ENV, CONFIGURATIONS, Configuration, isTheUsers } from '../test/matrix';

/** The cdk-nag packs run, by the prefix of their rule ids. */
export const PACKS: Array<{ readonly prefix: string; readonly title: string; readonly make: (app: App) => NagPack }> = [
  { prefix: 'AwsSolutions', title: 'AwsSolutions', make: (app) => new AwsSolutionsChecks(app) },
  { prefix: 'NIST.800.53.R5', title: 'NIST 800-53 rev 5', make: (app) => new NIST80053R5Checks(app) },
  { prefix: 'HIPAA.Security', title: 'HIPAA Security', make: (app) => new HIPAASecurityChecks(app) },
  { prefix: 'PCI.DSS.321', title: 'PCI DSS 3.2.1', make: (app) => new PCIDSS321Checks(app) },
];

/** checkov checks the construct fails by design, with the reason. */
export const ACCEPTED_CHECKOV: Record<string, string> = {
  CKV_AWS_2: 'The listener speaks HTTP until you give a `certificate`: a certificate needs a domain the construct cannot know. With one, it serves HTTPS on 443 and redirects 80 (the `https` row passes).',
  CKV_AWS_103: 'The same HTTP listener: TLS applies once a `certificate` is given, with the recommended policy (TLS 1.2 and 1.3).',
  CKV_AWS_18: 'The access-log bucket itself: logging access to it would need yet another bucket.',
  CKV_AWS_91: 'Access logs need a stack with a concrete region (the delivering principal is per region); they are on whenever it has one (the `concrete-region` row passes).',
  CKV_AWS_158: 'CloudWatch Logs encrypts every log group at rest with its own key; a customer-managed KMS key would add a cost and a key policy to every service.',
  CKV_AWS_111: 'Only with `enableExecuteCommand`: the ssmmessages actions ECS Exec needs in the task role accept only the resource `*`.',
  CKV_AWS_260: 'An internet-facing load balancer serving HTTP admits port 80 from anywhere; with a `certificate`, port 80 only redirects to HTTPS.',
  CKV_AWS_115: 'The function of the listener rules (one per stack) runs only when CloudFormation creates, changes or deletes a rule: a reserved concurrency would take capacity from the account\'s other functions (and fails in an account whose concurrency limit is low).',
  CKV_AWS_116: 'CloudFormation invokes the function of the listener rules asynchronously, and the function returns no error: it catches every failure, its own time-out included, and answers FAILED, which CloudFormation shows on the resource. A dead-letter queue would receive only an invocation that crashed, which CloudFormation fails after its ServiceTimeout (5 minutes) anyway.',
  CKV_AWS_117: 'The function of the listener rules calls only the Elastic Load Balancing API and answers CloudFormation through a presigned S3 URL: it runs outside the VPC by default, as in a VPC with no route to the internet it would need an endpoint for each. `trafficFunctionInVpc` places it in the tasks\' subnets with those endpoints (the `traffic-function-in-vpc` row passes).',
};

/** cfn-lint rules not run, with the reason. */
export const IGNORED_CFN_LINT: Record<string, string> = {
  W3010: 'In a stack with a concrete environment, CDK writes the availability zones it looked up as literals; they are not chosen by hand.',
};

/** cfn-lint warnings of the construct accepted where they stand, with the reason. */
export const ACCEPTED_CFN_LINT_WARNINGS: Array<{ rule: string; message: RegExp; reason: string }> = [
  {
    rule: 'W3005',
    message: /^'\w*ProductionRule\w*' dependency already enforced/,
    reason: 'On a shared HTTPS listener with a canary, linear or blue/green deployment, the host rule is the service\'s production rule: ' +
      'the service waits for it (its target group is attached through it, which gives the load balancer its way to the tasks) and also names it. ' +
      'The redundant DependsOn changes nothing in the deployment.',
  },
];

type Side = 'construct' | 'peer';
const SIDES: Side[] = ['construct', 'peer'];
const OUT = 'cdk.out.scan';
const VENV_BIN = path.join('.venv', 'bin');

interface Findings {
  /** By pack prefix: the findings that nothing acknowledges, as "rule path" (the path under the stack). */
  nag: Record<string, string[]>;
  /** The cdk-nag acknowledgments recorded on the side's constructs. */
  acknowledgments: Acknowledgment[];
  cfnLintErrors: string[];
  cfnLintWarnings: string[];
  checkovPassed: number;
  checkovFailed: string[];
}

interface Acknowledgment {
  readonly rule: string;
  /** The construct's path under the stack. */
  readonly on: string;
  readonly reason: string;
}

interface Synthesized {
  readonly template: string;
  readonly nag: Record<string, string[]>;
  readonly acknowledgments: Acknowledgment[];
}

function synthesize(configuration: Configuration, side: Side): Synthesized {
  const outdir = path.join(OUT, side, configuration.name);
  const app = new App({ outdir });
  const stack = new Stack(app, 'Scan', configuration.concreteEnv ? { env: CONCRETE_ENV } : {});
  configuration[side](stack);
  const nag = Object.fromEntries(PACKS.map((pack) => [pack.prefix, nagFindings(app, pack.make(app))]));
  const acknowledgments = acknowledgmentsOf(app);
  app.synth();
  return { template: path.join(outdir, 'Scan.template.json'), nag, acknowledgments };
}

/** A pack's findings in an app, as "rule path", but those on what the configuration makes for the user (its VPC, its roles). */
function nagFindings(app: App, pack: NagPack): string[] {
  const constructs = new Map(app.node.findAll().map((construct) => [construct.node.path, construct]));
  return pack.validateScope(app).violations.flatMap((violation) => violation.violatingResources
    .map((resource) => resource.constructPath ?? '')
    .filter((constructPath) => !isTheUsers(constructs.get(constructPath)!))
    .map((constructPath) => `${violation.ruleName} ${underStack(constructPath)}`));
}

/** A construct path without the stack's name. */
function underStack(constructPath: string): string {
  return constructPath.split('/').slice(1).join('/');
}

/**
 * The cdk-nag acknowledgments of an app, read where `Validations.of(construct).acknowledge()` records them (and
 * cdk-nag reads them): the construct's metadata. Each record holds the construct's earlier ones too.
 */
function acknowledgmentsOf(app: IConstruct): Acknowledgment[] {
  const found = new Map<string, Acknowledgment>();
  for (const construct of app.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const rule = id.replace(/^annotation::/i, '');
        if (!PACKS.some((pack) => rule.startsWith(`${pack.prefix}-`))) continue;
        const on = underStack(construct.node.path);
        found.set(`${rule} ${on}`, { rule, on, reason });
      }
    }
  }
  return [...found.values()];
}

/** Runs a scanner that exits non-zero when it finds something; returns its standard output. */
function run(tool: string, args: string[]): string {
  try {
    return execFileSync(path.join(VENV_BIN, tool), args, { encoding: 'utf-8', maxBuffer: 256 * 1024 * 1024 });
  } catch (error: any) {
    if (typeof error.stdout === 'string' && error.stdout.trim() !== '') return error.stdout;
    throw error;
  }
}

function cfnLint(template: string): { errors: string[]; warnings: string[] } {
  const ignore = Object.keys(IGNORED_CFN_LINT);
  const args = ['--format', 'json', ...(ignore.length ? ['--ignore-checks', ...ignore] : []), '--', template];
  const matches: Array<{ Level: string; Rule: { Id: string }; Message: string }> = JSON.parse(run('cfn-lint', args) || '[]');
  const describe = (m: { Rule: { Id: string }; Message: string }) => `${m.Rule.Id} ${m.Message}`;
  return {
    errors: matches.filter((m) => m.Level === 'Error').map(describe),
    warnings: matches.filter((m) => m.Level === 'Warning').map(describe),
  };
}

function checkov(template: string): { passed: number; failed: string[] } {
  const output = run('checkov', ['--file', template, '--framework', 'cloudformation', '--output', 'json', '--compact', '--skip-download']);
  const report = JSON.parse(output);
  const results = (Array.isArray(report) ? report[0] : report).results ?? { passed_checks: [], failed_checks: [] };
  return {
    passed: results.passed_checks.length,
    failed: results.failed_checks.map((check: { check_id: string; resource: string }) => `${check.check_id} ${check.resource}`),
  };
}

function scan(): Record<string, Record<Side, Findings>> {
  fs.rmSync(OUT, { recursive: true, force: true });
  const results: Record<string, Record<Side, Findings>> = {};
  for (const configuration of CONFIGURATIONS) {
    results[configuration.name] = {} as Record<Side, Findings>;
    for (const side of SIDES) {
      const { template, nag, acknowledgments } = synthesize(configuration, side);
      const lint = cfnLint(template);
      const checks = checkov(template);
      results[configuration.name][side] = {
        nag,
        acknowledgments,
        cfnLintErrors: lint.errors,
        cfnLintWarnings: lint.warnings,
        checkovPassed: checks.passed,
        checkovFailed: checks.failed,
      };
    }
  }
  return results;
}

function acceptedWarning(finding: string): boolean {
  const [rule, ...message] = finding.split(' ');
  return ACCEPTED_CFN_LINT_WARNINGS.some((accepted) => accepted.rule === rule && accepted.message.test(message.join(' ')));
}

/** The construct's findings that nothing accepts. */
function unaccepted(findings: Findings): string[] {
  return [
    ...Object.values(findings.nag).flat().map((f) => `cdk-nag ${f}`),
    ...findings.cfnLintErrors.map((f) => `cfn-lint error ${f}`),
    ...findings.cfnLintWarnings.filter((f) => !acceptedWarning(f)).map((f) => `cfn-lint warning ${f}`),
    ...findings.checkovFailed.filter((f) => !(f.split(' ')[0] in ACCEPTED_CHECKOV)).map((f) => `checkov ${f}`),
  ];
}

function table(results: Record<string, Record<Side, Findings>>): string {
  const header = `| configuration | side | ${PACKS.map((pack) => `cdk-nag ${pack.title}`).join(' | ')} | cfn-lint errors | cfn-lint warnings | checkov passed | checkov failed |`;
  const rows = Object.entries(results).flatMap(([name, sides]) => SIDES.map((side) => {
    const f = sides[side];
    const label = side === 'construct' ? 'PrivateFargateBehindAlb' : 'ApplicationLoadBalancedFargateService';
    const nag = PACKS.map((pack) => f.nag[pack.prefix].length).join(' | ');
    return `| ${name} | ${label} | ${nag} | ${f.cfnLintErrors.length} | ${f.cfnLintWarnings.length} | ${f.checkovPassed} | ${f.checkovFailed.length} |`;
  }));
  return [header, `| --- | --- | ${PACKS.map(() => '---:').join(' | ')} | ---: | ---: | ---: | ---: |`, ...rows].join('\n');
}

/** The configurations where something is: all, all but a few, or the few. */
function where(names: Set<string>, results: Record<string, unknown>): string {
  const all = Object.keys(results);
  const missing = all.filter((name) => !names.has(name));
  if (missing.length === 0) return 'every configuration';
  return missing.length < names.size ? `every configuration but ${missing.join(', ')}` : all.filter((name) => names.has(name)).join(', ');
}

/** A rule id split into its pack's title and the rule within the pack. */
function ruleOf(id: string): { pack: string; rule: string; order: number } {
  const order = PACKS.findIndex((pack) => id.startsWith(`${pack.prefix}-`));
  return { pack: PACKS[order].title, rule: id.slice(PACKS[order].prefix.length + 1), order };
}

/** A construct as a table names it: its path under the stack, without the last `/Resource` of an L1 under an L2. */
function constructName(on: string): string {
  return `\`${on.replace(/\/Resource$/, '')}\``;
}

/**
 * Rows of the same rule (in one or more packs), constructs and configurations, with a reason for
 * acknowledgments: one row per rule and reason, with every pack, construct and configuration it concerns.
 */
function groupedRows(entries: Array<{ id: string; on: string; configuration: string; reason?: string }>, results: Record<string, unknown>): string[] {
  const rows = new Map<string, { rule: string; order: number; reason?: string; packs: Set<string>; on: Set<string>; configurations: Set<string> }>();
  for (const { id, on, configuration, reason } of entries) {
    const { pack, rule, order } = ruleOf(id);
    const key = `${rule}\n${reason ?? ''}`;
    const row = rows.get(key) ?? { rule, order, reason, packs: new Set<string>(), on: new Set<string>(), configurations: new Set<string>() };
    row.order = Math.min(row.order, order);
    row.packs.add(pack);
    row.on.add(constructName(on));
    row.configurations.add(configuration);
    rows.set(key, row);
  }
  return [...rows.values()]
    .sort((a, b) => a.order - b.order || a.rule.localeCompare(b.rule) || (a.reason ?? '').localeCompare(b.reason ?? ''))
    .map((row) => {
      const packs = PACKS.map((pack) => pack.title).filter((title) => row.packs.has(title)).join(', ');
      const cells = [packs, row.rule, [...row.on].sort().join(', '), where(row.configurations, results), ...(row.reason ? [row.reason] : [])];
      return `| ${cells.join(' | ')} |`;
    });
}

/** The construct's acknowledgments over the configurations. */
function acknowledgmentTable(results: Record<string, Record<Side, Findings>>): string {
  const entries = Object.entries(results).flatMap(([configuration, sides]) =>
    sides.construct.acknowledgments.map(({ rule, on, reason }) => ({ id: rule, on, reason, configuration })));
  return ['| packs | rule | on | configurations | reason |', '| --- | --- | --- | --- | --- |', ...groupedRows(entries, results)].join('\n');
}

/** The construct's cdk-nag findings that nothing acknowledges. */
function unacknowledgedTable(results: Record<string, Record<Side, Findings>>): string {
  const entries = Object.entries(results).flatMap(([configuration, sides]) => Object.values(sides.construct.nag).flat().map((finding) => {
    const [id, on] = finding.split(' ');
    return { id, on, configuration };
  }));
  if (entries.length === 0) return 'None: every finding of the construct, in every pack, is fixed or acknowledged above.';
  return ['| packs | rule | on | configurations |', '| --- | --- | --- | --- |', ...groupedRows(entries, results)].join('\n');
}

function failedChecks(results: Record<string, Record<Side, Findings>>, side: Side): string {
  const ids = new Map<string, Set<string>>();
  for (const [name, sides] of Object.entries(results)) {
    for (const finding of sides[side].checkovFailed) {
      const id = finding.split(' ')[0];
      ids.set(id, (ids.get(id) ?? new Set()).add(name));
    }
  }
  return [...ids.entries()].sort(([a], [b]) => a.localeCompare(b))
    .map(([id, names]) => `| ${id} | ${side === 'construct' ? ACCEPTED_CHECKOV[id] ?? '**not accepted**' : [...names].join(', ')} |`)
    .join('\n');
}

function securityDoc(results: Record<string, Record<Side, Findings>>): string {
  const ignored = Object.entries(IGNORED_CFN_LINT).map(([id, reason]) => `| ${id} | ${reason} |`).join('\n');
  return `# Security

<!-- Generated by \`npx projen scan\` (scripts/scan.ts); edit that script, not this file. -->

\`npx projen scan\` synthesizes every configuration of [test/matrix.ts](../test/matrix.ts) twice, with
\`PrivateFargateBehindAlb\` and with \`aws-ecs-patterns\` \`ApplicationLoadBalancedFargateService\` set up
the same way, and runs the scanners users run on it: cdk-nag (the AwsSolutions pack, and the NIST
800-53 rev 5, HIPAA Security and PCI DSS 3.2.1 packs of regulated accounts), cfn-lint and checkov, at
the versions pinned in [scripts/scan-requirements.txt](../scripts/scan-requirements.txt) and
package.json. CI fails when the construct has a finding that is neither acknowledged on the construct
it concerns nor accepted below.

## Results

The cdk-nag columns count the findings that nothing acknowledges. Findings on what a configuration
makes for the user (its own VPC, the roles it gives) count for neither side.

${table(results)}

## What the construct fixes by default

- A flow log (rejected traffic, kept one month) on the VPC it creates.
- Container Insights on the cluster it creates.
- Load balancer access logs, to an encrypted, SSL-only, versioned, non-public bucket (one per stack),
  whenever the stack has a concrete region; or to \`accessLogsBucket\`.
- The load balancer drops invalid header fields; with \`certificate\` it serves HTTPS with the
  recommended TLS policy and redirects HTTP to HTTPS.
- The tasks admit only the load balancer, on \`port\`; the endpoints admit only the tasks, on 443;
  the load balancer sends only to the tasks, on \`port\`; the tasks send only HTTPS (to the
  endpoints' security group and the S3 prefix list when the account and region are concrete).
- The execution role may pull only its image and write only its log group (and read only the
  secrets given in \`secrets\`); the task role has no permission until you grant one.
- Deployment alarms (5xx, unhealthy targets, response time) roll a bad release back; the role ECS
  shifts canary, linear and blue/green traffic with may change only the service's production rule
  and its two target groups.

## cdk-nag acknowledgments inside the construct

Each is recorded with \`Validations.of(construct).acknowledge()\` on the one construct it concerns (read
here from the synthesized constructs, as cdk-nag reads them); tests prove that the same finding
elsewhere is still reported. A rule present in some configurations only is acknowledged only there.

${acknowledgmentTable(results)}

## cdk-nag findings of the construct not acknowledged

${unacknowledgedTable(results)}

## checkov checks the construct fails, and why

| check | reason |
| --- | --- |
${failedChecks(results, 'construct')}

## checkov checks the peer fails

| check | configurations |
| --- | --- |
${failedChecks(results, 'peer')}

## cfn-lint rules not run

${ignored ? `| rule | reason |\n| --- | --- |\n${ignored}` : 'None: every rule runs.'}

## cfn-lint warnings accepted where they stand

| rule | message | reason |
| --- | --- | --- |
${ACCEPTED_CFN_LINT_WARNINGS.map((accepted) => `| ${accepted.rule} | \`${accepted.message.source}\` | ${accepted.reason} |`).join('\n')}

## Reporting a vulnerability

Please report security issues privately through the repository's security advisories, not in a
public issue.
`;
}

function main(): void {
  const results = scan();
  console.log(table(results));
  fs.mkdirSync('docs', { recursive: true });
  fs.writeFileSync(path.join('docs', 'SECURITY.md'), securityDoc(results));

  const problems = Object.entries(results).flatMap(([name, sides]) => unaccepted(sides.construct).map((f) => `${name}: ${f}`));
  if (problems.length > 0) {
    console.error(`\nFindings on PrivateFargateBehindAlb that nothing accepts (${problems.length}):`);
    for (const problem of problems) console.error(`  ${problem}`);
    process.exit(1);
  }
  console.log('\nPrivateFargateBehindAlb: no finding that is not accepted with its reason in docs/SECURITY.md.');
}

if (require.main === module) main();

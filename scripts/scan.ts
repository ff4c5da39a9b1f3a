/**
 * Runs the scanners users run over every configuration of test/matrix.ts, once with
 * PrivateFargateBehindAlb and once with the aws-ecs-patterns peer: cdk-nag (AwsSolutions pack),
 * cfn-lint and checkov (pinned in scripts/scan-requirements.txt, installed in .venv by
 * scripts/scan-venv.sh). It prints the counts, writes docs/SECURITY.md and exits 1 when the
 * construct has a finding that is not accepted below with its reason.
 *
 * Usage: ts-node scripts/scan.ts
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONCRETE_ENV, CONFIGURATIONS, Configuration } from '../test/matrix';

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
  CKV_AWS_116: 'CloudFormation invokes the function of the listener rules synchronously, as a custom resource: a dead-letter queue would receive nothing, and a failure reaches CloudFormation as the FAILED answer of the resource.',
  CKV_AWS_117: 'The function of the listener rules calls only the Elastic Load Balancing API and answers CloudFormation through a presigned S3 URL: it runs outside the VPC, as in a VPC with no route to the internet it could reach neither.',
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
  nag: string[];
  cfnLintErrors: string[];
  cfnLintWarnings: string[];
  checkovPassed: number;
  checkovFailed: string[];
}

function synthesize(configuration: Configuration, side: Side): { template: string; nag: string[] } {
  const outdir = path.join(OUT, side, configuration.name);
  const app = new App({ outdir });
  const stack = new Stack(app, 'Scan', configuration.concreteEnv ? { env: CONCRETE_ENV } : {});
  configuration[side](stack);
  const nag = new AwsSolutionsChecks(app).validateScope(app).violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} ${resource.constructPath}`));
  app.synth();
  return { template: path.join(outdir, 'Scan.template.json'), nag };
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
      const { template, nag } = synthesize(configuration, side);
      const lint = cfnLint(template);
      const checks = checkov(template);
      results[configuration.name][side] = {
        nag,
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
    ...findings.nag.map((f) => `cdk-nag ${f}`),
    ...findings.cfnLintErrors.map((f) => `cfn-lint error ${f}`),
    ...findings.cfnLintWarnings.filter((f) => !acceptedWarning(f)).map((f) => `cfn-lint warning ${f}`),
    ...findings.checkovFailed.filter((f) => !(f.split(' ')[0] in ACCEPTED_CHECKOV)).map((f) => `checkov ${f}`),
  ];
}

function table(results: Record<string, Record<Side, Findings>>): string {
  const header = '| configuration | side | cdk-nag errors | cfn-lint errors | cfn-lint warnings | checkov passed | checkov failed |';
  const rows = Object.entries(results).flatMap(([name, sides]) => SIDES.map((side) => {
    const f = sides[side];
    const label = side === 'construct' ? 'PrivateFargateBehindAlb' : 'ApplicationLoadBalancedFargateService';
    return `| ${name} | ${label} | ${f.nag.length} | ${f.cfnLintErrors.length} | ${f.cfnLintWarnings.length} | ${f.checkovPassed} | ${f.checkovFailed.length} |`;
  }));
  return [header, '| --- | --- | ---: | ---: | ---: | ---: | ---: |', ...rows].join('\n');
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
the same way, and runs the scanners users run on it: cdk-nag (AwsSolutions pack), cfn-lint and
checkov, at the versions pinned in [scripts/scan-requirements.txt](../scripts/scan-requirements.txt).
CI fails when the construct has a finding that is not accepted below.

## Results

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

Each is recorded with \`Validations.of(construct).acknowledge()\` on the one construct it concerns;
tests prove that the same finding elsewhere is still reported.

| rule | on | reason |
| --- | --- | --- |
| AwsSolutions-EC23 | the load balancer's security group | An internet-facing load balancer admits its listener ports from anywhere. |
| AwsSolutions-ECS2 | the task definition, only when \`environment\` is empty | The one variable is \`PORT\`, a port number, not a secret. |
| AwsSolutions-IAM5[Resource::*] | the execution role | \`ecr:GetAuthorizationToken\` accepts only the resource \`*\`. |
| AwsSolutions-IAM5[Resource::*] | the task role, only with \`enableExecuteCommand\` | The ssmmessages actions ECS Exec needs accept only the resource \`*\`. |
| AwsSolutions-IAM5[Resource::*] | the role ECS moves traffic with, only with a canary, linear or blue/green deployment | The elasticloadbalancing \`Describe*\` actions it reads the listener and target groups with accept only the resource \`*\`; it may change only its production rule and register targets only in its two target groups. |
| AwsSolutions-EC23 | the endpoints' security group, only in a VPC the construct did not create whose CIDR is a token | It admits 443 from the VPC's own CIDR, known only at deploy time. |
| AwsSolutions-ELB2 | the load balancer, only in an environment-agnostic stack | Access logs are delivered by a principal of the stack's region. |
| AwsSolutions-S1 | the access-log bucket | It holds access logs itself; logging it would need another bucket. |

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

import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  checkAssembly, comparableTemplate, differences, documentationFiles, isWholeProgram, parseExpectation, pasteFragment, programKey, readAssembly,
  readBlocks, readDocumentation,
} from './readme';

const root = path.join(__dirname, '..', '..');
const documentation = readDocumentation(root);

test('every TypeScript, Python, Java and Go block of the README and of docs/ says what it synthesizes', () => {
  const blocks = documentation.filter((block) => block.language);
  expect(blocks.filter((block) => !block.comment?.startsWith('expect:')).map((block) => `${block.file}:${block.line}`)).toEqual([]);
  for (const block of blocks) expect(() => parseExpectation(block.comment!)).not.toThrow();
});

test('each language has one host program and one host lookup program, both whole programs', () => {
  const blocks = documentation.filter((block) => block.language);
  for (const language of ['typescript', 'python', 'java', 'go']) {
    const hosts = blocks.filter((block) => block.language === language && parseExpectation(block.comment!).host);
    expect(hosts.map((block) => parseExpectation(block.comment!).host).sort()).toEqual(['lookup', 'plain']);
    expect(hosts.every(isWholeProgram)).toBe(true);
  }
});

test('the documentation is the README and every page of docs/, and the README is the front page of a few hundred lines', () => {
  const pages = fs.readdirSync(path.join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`);
  expect(documentationFiles(root)).toEqual(['README.md', ...pages.sort()]);
  expect(new Set(documentation.map((block) => block.file)).has('docs/deployments.md')).toBe(true);
  expect(fs.readFileSync(path.join(root, 'README.md'), 'utf-8').split('\n').length).toBeLessThanOrEqual(400);
});

test('a block knows its file, its line and the headings it stands under', () => {
  const page = ['# Safe deployments', '', '## Choosing a strategy', '', '```ts', 'new X();', '```', '<!-- expect: stack S -->', '', '# Other', '', '```python', 'x()', '```', ''].join('\n');
  const blocks = readBlocks(page, 'docs/deployments.md');
  expect(blocks.map(({ file, line, section, fence, comment }) => ({ file, line, section, fence, comment }))).toEqual([
    { file: 'docs/deployments.md', line: 5, section: 'Safe deployments > Choosing a strategy', fence: 'ts', comment: 'expect: stack S' },
    { file: 'docs/deployments.md', line: 12, section: 'Other', fence: 'python', comment: undefined },
  ]);
  expect(readBlocks('## Usage\n### Python\n```python\nx()\n```\n## Cost\n```go\nx()\n```\n').map((block) => [block.file, block.section]))
    .toEqual([['README.md', 'Usage > Python'], ['README.md', 'Cost']]);
});

test('an assembly that breaks the promise is reported, one that keeps it is not', () => {
  const expectation = parseExpectation('expect: stack MyService; 1 AWS::ECS::Service; 1 AWS::ElasticLoadBalancingV2::Listener {"Port": 443}; construct Web/Service');
  const assembly = (port: number, warnings: string[] = []) => ({
    stacks: {
      MyService: {
        template: { Resources: { S: { Type: 'AWS::ECS::Service' }, L: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { Port: port, Protocol: 'HTTPS' } } } },
        warnings,
      },
    },
    paths: new Set(['MyService', 'MyService/Web', 'MyService/Web/Service']),
  });
  expect(checkAssembly(assembly(443), expectation)).toEqual([]);
  expect(checkAssembly(assembly(80), expectation)).toEqual(['MyService: expected 1 AWS::ElasticLoadBalancingV2::Listener {"Port":443}, found 0']);
  expect(checkAssembly(assembly(443, ['aws:cdk:warning at /MyService/Web: x']), expectation)).toEqual(['MyService: aws:cdk:warning at /MyService/Web: x']);
  expect(checkAssembly({ ...assembly(443), paths: new Set() }, expectation)).toEqual(['MyService: no construct MyService/Web/Service']);
  expect(checkAssembly({ stacks: {}, paths: new Set() }, expectation)).toEqual(['stacks: expected MyService, synthesized none']);
});

test('a Go fragment goes in place of the construct lines, its imports into the import block', () => {
  const host = [
    'package main', '', 'import (', '\t"github.com/aws/jsii-runtime-go"', ')', '', 'func main() {',
    '\tstack := awscdk.NewStack(app, jsii.String("MyService"), nil)',
    '\tprivatefargatebehindalb.NewPrivateFargateBehindAlb(stack, jsii.String("Web"), nil)', '\tapp.Synth(nil)', '}', '',
  ].join('\n');
  const fragment = 'import "github.com/aws/aws-cdk-go/awscdk/v2/awssns"\n\ntopic := awssns.NewTopic(stack, jsii.String("T"), nil)\n';
  expect(pasteFragment('go', host, fragment)).toEqual([
    'package main', '', 'import (', '\t"github.com/aws/jsii-runtime-go"', '\t"github.com/aws/aws-cdk-go/awscdk/v2/awssns"', ')', '', 'func main() {',
    '\tstack := awscdk.NewStack(app, jsii.String("MyService"), nil)', 'topic := awssns.NewTopic(stack, jsii.String("T"), nil)', '\tapp.Synth(nil)', '}', '',
  ].join('\n'));
});

test('a TypeScript declare line gets the value the fixture gives', () => {
  const host = "const stack = new Stack(app, 'MyService');\nnew PrivateFargateBehindAlb(stack, 'Web');\napp.synth();\n";
  const program = pasteFragment('typescript', host, "declare const topic: sns.ITopic;\nnew PrivateFargateBehindAlb(stack, 'Api', { alarmTopic: topic });\n");
  expect(program).toContain("const topic: sns.ITopic = new givenSns.Topic(stack, 'Topic');");
  expect(program.startsWith("import * as givenSns from 'aws-cdk-lib/aws-sns';")).toBe(true);
  expect(program).not.toContain("PrivateFargateBehindAlb(stack, 'Web')");
});

test('a promised warning is expected and let through; warnings are read from the metadata file the CLI writes beside the manifest', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'assembly-'));
  const warning = { type: 'aws:cdk:warning', data: 'the tasks need endpoints [ack: private-fargate-behind-alb:vpcEndpointsOfTheVpc]' };
  fs.writeFileSync(path.join(dir, 'MyService.template.json'), JSON.stringify({ Resources: { S: { Type: 'AWS::ECS::Service' } } }));
  fs.writeFileSync(path.join(dir, 'MyService.metadata.json'), JSON.stringify({ '/MyService/Web': [warning] }));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
    artifacts: { MyService: { type: 'aws:cloudformation:stack', properties: { templateFile: 'MyService.template.json' }, additionalMetadataFile: 'MyService.metadata.json' } },
  }));

  const assembly = readAssembly(dir);

  expect(assembly.stacks.MyService.warnings).toEqual([`aws:cdk:warning at /MyService/Web: ${warning.data}`]);
  expect(checkAssembly(assembly, parseExpectation('expect: stack MyService; 1 AWS::ECS::Service'))).toEqual([`MyService: aws:cdk:warning at /MyService/Web: ${warning.data}`]);
  expect(checkAssembly(assembly, parseExpectation('expect: stack MyService; 1 AWS::ECS::Service; warning private-fargate-behind-alb:vpcEndpointsOfTheVpc'))).toEqual([]);
  const quiet = { ...assembly, stacks: { MyService: { ...assembly.stacks.MyService, warnings: [] } } };
  expect(checkAssembly(quiet, parseExpectation('expect: stack MyService; 1 AWS::ECS::Service; warning private-fargate-behind-alb:vpcEndpointsOfTheVpc')))
    .toEqual(['MyService: no warning private-fargate-behind-alb:vpcEndpointsOfTheVpc']);
});

test('the four blocks of an example share its key, and two examples of one language on a page never do', () => {
  const programs = documentation.filter((block) => block.language);
  const keys = new Map<string, string[]>();
  for (const block of programs) keys.set(`${block.language} ${programKey(block)}`, [...(keys.get(`${block.language} ${programKey(block)}`) ?? []), `${block.file}:${block.line}`]);
  expect([...keys.values()].filter((places) => places.length > 1)).toEqual([]);
  const hosts = programs.filter((block) => parseExpectation(block.comment!).host === 'plain');
  expect(new Set(hosts.map(programKey)).size).toBe(1);
  expect(hosts.map((block) => block.language).sort()).toEqual(['go', 'java', 'python', 'typescript']);
});

test('templates are compared without CDKMetadata, whatever the order of their keys, and each difference is named by its path', () => {
  const template = (language: string, port: number) => ({
    Resources: {
      CDKMetadata: { Type: 'AWS::CDK::Metadata', Properties: { Analytics: language } },
      Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { Protocol: 'HTTP', Port: port } },
    },
    Conditions: { CDKMetadataAvailable: { 'Fn::Or': [language] } },
    Parameters: { BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>' } },
  });
  const python = comparableTemplate(template('python', 8080));
  expect(python).toEqual({
    Resources: { Listener: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { Protocol: 'HTTP', Port: 8080 } } },
    Parameters: { BootstrapVersion: { Type: 'AWS::SSM::Parameter::Value<String>' } },
  });
  const reordered = { Parameters: python.Parameters, Resources: { Listener: { Properties: { Port: 8080, Protocol: 'HTTP' }, Type: 'AWS::ElasticLoadBalancingV2::Listener' } } };
  expect(differences(comparableTemplate(template('typescript', 8080)), reordered)).toEqual([]);
  expect(differences(python, comparableTemplate(template('java', 80)))).toEqual(['Resources.Listener.Properties.Port']);
  expect(differences({ Resources: { A: {}, B: {} } }, { Resources: { A: {} } })).toEqual(['Resources.B (only in the first)']);
  expect(differences({ Tags: [1, 2] }, { Tags: [1] })).toEqual(['Tags (2 items against 1)']);
  expect(comparableTemplate({ Resources: {}, Conditions: { Mine: {}, CDKMetadataAvailable: {} } }).Conditions).toEqual({ Mine: {} });
});

/** The anchor GitHub (and Construct Hub) gives a heading: lower case, punctuation dropped, spaces as hyphens. */
function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchorsIn(markdown: string): Set<string> {
  return new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1])));
}

test('every link of the README works where Construct Hub shows it: absolute, or an anchor of the README, and those into this repository name a file and heading that exist', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf-8');
  const REPOSITORY = 'https://github.com/privatefargatebehindalb/private-fargate-behind-alb/blob/main/';
  const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  expect(links.length).toBeGreaterThan(20);
  const broken: string[] = [];
  for (const link of links) {
    if (link.startsWith('#')) {
      if (!anchorsIn(readme).has(link.slice(1))) broken.push(link);
    } else if (link.startsWith(REPOSITORY)) {
      const [file, anchor] = link.slice(REPOSITORY.length).split('#');
      const target = path.join(root, file);
      if (!fs.existsSync(target)) broken.push(link);
      else if (anchor !== undefined && !anchorsIn(fs.readFileSync(target, 'utf-8')).has(anchor)) broken.push(link);
    } else if (!/^https:\/\//.test(link)) {
      broken.push(link);
    }
  }
  expect(broken).toEqual([]);
});

test('every link between the pages of docs/ names a page and a heading that exist', () => {
  const broken: string[] = [];
  for (const page of documentationFiles(root).filter((file) => file.startsWith('docs/'))) {
    const markdown = fs.readFileSync(path.join(root, page), 'utf-8');
    for (const [, link] of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^https?:\/\//.test(link)) continue;
      const [file, anchor] = link.split('#');
      const target = file === '' ? path.join(root, page) : path.join(root, 'docs', file);
      if (!fs.existsSync(target)) broken.push(`${page}: ${link}`);
      else if (anchor !== undefined && !anchorsIn(fs.readFileSync(target, 'utf-8')).has(anchor)) broken.push(`${page}: ${link}`);
    }
  }
  expect(broken).toEqual([]);
});

test('a heading\'s anchor is the one GitHub makes', () => {
  expect(anchorOf('The documentation\'s programs (`npx projen test:docs`)')).toBe('the-documentations-programs-npx-projen-testdocs');
  expect(anchorOf('A load balancer you made, in another stack')).toBe('a-load-balancer-you-made-in-another-stack');
  expect(anchorOf('VPC endpoints: one set per VPC')).toBe('vpc-endpoints-one-set-per-vpc');
});

/**
 * The documentation as the docs harness reads it (test/docs/harness.ts): the README and the pages of
 * docs/, their fenced blocks, the HTML comment that follows each one (GitHub does not render it), the
 * programs a fragment is pasted into, and the check of a synthesized cloud assembly against what an
 * example promises.
 *
 * The comments:
 * - `<!-- setup LANGUAGE: run -->` after an `sh` block: the harness runs it to make the project;
 * - `<!-- setup LANGUAGE: write FILE -->`: the block is written to FILE in the project;
 * - `<!-- setup LANGUAGE: FILE, insert after TEXT -->` / `..., replace TEXT -->`: the block goes into
 *   FILE after the first line holding TEXT, or in place of that line;
 * - `<!-- expect: CLAUSE; CLAUSE; ... -->` after every TypeScript, Python, Java and Go block: what it
 *   synthesizes (see parseExpectation).
 */
import * as fs from 'fs';
import * as path from 'path';

export type Language = 'typescript' | 'python' | 'java' | 'go';
export const LANGUAGES: Language[] = ['typescript', 'python', 'java', 'go'];

/** The fence info words of each language. */
const FENCE_LANGUAGES: Record<string, Language> = { ts: 'typescript', typescript: 'typescript', python: 'python', java: 'java', go: 'go' };

export interface Block {
  /** The file it stands in, relative to the repository (`README.md`, `docs/deployments.md`). */
  readonly file: string;
  /** The first word of the fence's info string (`ts`, `python`, `sh`, `xml`, ...). */
  readonly fence: string;
  /** The language of a program block, if it is one. */
  readonly language?: Language;
  readonly code: string;
  /** The line of the opening fence in its file. */
  readonly line: number;
  /** The `#`, `##` and `###` headings it stands under, joined by ' > '. */
  readonly section: string;
  /** The text of the HTML comment on the line right after the closing fence, if any. */
  readonly comment?: string;
}

/** Every fenced block of one file of the documentation, in order. */
export function readBlocks(markdown: string, file = 'README.md'): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  // The headings of levels 1 to 3 the line stands under; a heading clears those below it.
  const headings = ['', '', ''];
  for (let i = 0; i < lines.length; i++) {
    const heading = /^(#{1,3}) (.*)$/.exec(lines[i]);
    if (heading) {
      const level = heading[1].length;
      headings.splice(level - 1, 3 - level + 1, heading[2], ...Array(3 - level).fill(''));
      continue;
    }
    const open = /^```(\S*)/.exec(lines[i]);
    if (!open) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`${file} line ${i + 1}: the block is never closed`);
    const comment = /^<!--\s*([\s\S]*?)\s*-->$/.exec(lines[end + 1] ?? '');
    blocks.push({
      file,
      fence: open[1],
      language: FENCE_LANGUAGES[open[1]],
      code: lines.slice(i + 1, end).join('\n') + '\n',
      line: i + 1,
      section: headings.filter((title) => title).join(' > '),
      comment: comment?.[1],
    });
    i = end;
  }
  return blocks;
}

/** The files of the documentation whose programs the harness runs: the README, then the pages of docs/. */
export function documentationFiles(root: string): string[] {
  const pages = fs.readdirSync(path.join(root, 'docs')).filter((name) => name.endsWith('.md')).sort();
  return ['README.md', ...pages.map((name) => `docs/${name}`)];
}

/** Every fenced block of the documentation, file by file. */
export function readDocumentation(root: string): Block[] {
  return documentationFiles(root).flatMap((file) => readBlocks(fs.readFileSync(path.join(root, file), 'utf-8'), file));
}

/** A setup step of a language's project, from a `<!-- setup LANGUAGE: ... -->` comment. */
export interface SetupStep {
  readonly language: Language;
  readonly block: Block;
  readonly action: { kind: 'run' } | { kind: 'write'; file: string } | { kind: 'insert' | 'replace'; file: string; text: string };
}

export function setupStep(block: Block): SetupStep | undefined {
  const match = /^setup (\w+): (.*)$/.exec(block.comment ?? '');
  if (!match) return undefined;
  const language = match[1] as Language;
  if (!LANGUAGES.includes(language)) throw new Error(`${block.file} line ${block.line}: unknown language in "${block.comment}"`);
  const what = match[2];
  if (what === 'run') return { language, block, action: { kind: 'run' } };
  const write = /^write (\S+)$/.exec(what);
  if (write) return { language, block, action: { kind: 'write', file: write[1] } };
  const edit = /^(\S+), (insert after|replace) (.+)$/.exec(what);
  if (edit) return { language, block, action: { kind: edit[2] === 'replace' ? 'replace' : 'insert', file: edit[1], text: edit[3] } };
  throw new Error(`${block.file} line ${block.line}: cannot read "${block.comment}"`);
}

/**
 * What a program promises. Clauses, separated by `;`:
 * - `host` / `host lookup`: a whole program that fragments are pasted into (`lookup`: the one whose
 *   stack has an account and region, for fragments that look values up);
 * - `lookup`: a fragment pasted into the `host lookup` program instead of the `host` one;
 * - `stack NAME`: the assembly holds this stack; the clauses after it are about it (every stack of
 *   the assembly must be named);
 * - `N TYPE` or `N TYPE {JSON}`: exactly N resources of that type in the stack, whose Properties
 *   hold the JSON (objects match on the keys given, arrays element by element);
 * - `construct PATH`: the construct PATH (below the stack) is in the construct tree.
 */
export interface Expectation {
  readonly host?: 'plain' | 'lookup';
  readonly lookup: boolean;
  readonly stacks: Array<{ name: string; checks: Check[] }>;
}
export type Check = { kind: 'count'; count: number; type: string; properties?: unknown } | { kind: 'construct'; path: string }
  | { kind: 'warning'; id: string };

/** Splits on the semicolons that are not inside braces, brackets or quotes. */
function clauses(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '{' || char === '[')) depth++;
    else if (!quoted && (char === '}' || char === ']')) depth--;
    if (char === ';' && depth === 0 && !quoted) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts.filter((part) => part !== '');
}

export function parseExpectation(comment: string): Expectation {
  const match = /^expect:\s*([\s\S]*)$/.exec(comment);
  if (!match) throw new Error(`not an expectation: "${comment}"`);
  let host: Expectation['host'];
  let lookup = false;
  const stacks: Expectation['stacks'] = [];
  for (const clause of clauses(match[1].replace(/\s+/g, ' '))) {
    let m: RegExpExecArray | null;
    if (clause === 'host') {host = 'plain';} else if (clause === 'host lookup') {host = 'lookup';} else if (clause === 'lookup') {lookup = true;} else if ((m = /^stack (\S+)$/.exec(clause))) {stacks.push({ name: m[1], checks: [] });} else if ((m = /^construct (\S+)$/.exec(clause)) && stacks.length) {stacks[stacks.length - 1].checks.push({ kind: 'construct', path: m[1] });} else if ((m = /^warning (\S+)$/.exec(clause)) && stacks.length) {stacks[stacks.length - 1].checks.push({ kind: 'warning', id: m[1] });} else if ((m = /^(\d+) (\w+::\w+(?:::\w+)?)(?: (\{.*\}))?$/.exec(clause)) && stacks.length) {
      stacks[stacks.length - 1].checks.push({ kind: 'count', count: Number(m[1]), type: m[2], properties: m[3] === undefined ? undefined : JSON.parse(m[3]) });
    } else {throw new Error(`cannot read the clause "${clause}" (a stack clause comes first)`);}
  }
  if (stacks.length === 0) throw new Error(`"${comment}" names no stack`);
  return { host, lookup, stacks };
}

/** Whether a value holds what is expected: objects on the keys given, arrays element by element. */
export function holds(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((item, i) => holds(actual[i], item));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
    return Object.entries(expected).every(([key, value]) => holds((actual as Record<string, unknown>)[key], value));
  }
  return actual === expected;
}

/** What the cdk CLI wrote into a cloud assembly folder, as far as the checks need it. */
export interface Assembly {
  readonly stacks: Record<string, { template: any; warnings: string[] }>;
  readonly paths: Set<string>;
  /** The aws-cdk-lib version of the constructs (from the construct tree). */
  readonly cdkVersion?: string;
}

export function readAssembly(dir: string): Assembly {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf-8'));
  const stacks: Assembly['stacks'] = {};
  for (const [name, artifact] of Object.entries<any>(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const warnings: string[] = [];
    // The CLI writes a stack's metadata into the manifest, or (newer) into a file of its own beside it.
    const metadata = { ...artifact.metadata };
    if (artifact.additionalMetadataFile) Object.assign(metadata, JSON.parse(fs.readFileSync(path.join(dir, artifact.additionalMetadataFile), 'utf-8')));
    for (const [at, entries] of Object.entries<any[]>(metadata)) {
      for (const entry of entries) {
        if (entry.type === 'aws:cdk:warning' || entry.type === 'aws:cdk:error') warnings.push(`${entry.type} at ${at}: ${entry.data}`);
      }
    }
    const template = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf-8'));
    stacks[artifact.displayName ?? name] = { template, warnings };
  }
  const paths = new Set<string>();
  let cdkVersion: string | undefined;
  const treeFile = path.join(dir, 'tree.json');
  if (fs.existsSync(treeFile)) {
    const walk = (node: any): void => {
      if (node.path) paths.add(node.path);
      if (node.constructInfo?.fqn === 'aws-cdk-lib.Stack') cdkVersion ??= node.constructInfo.version;
      for (const child of Object.values(node.children ?? {})) walk(child);
    };
    walk(JSON.parse(fs.readFileSync(treeFile, 'utf-8')).tree);
  }
  return { stacks, paths, cdkVersion };
}

/** The ways the assembly breaks the promise; none when it keeps it. */
export function checkAssembly(assembly: Assembly, expectation: Expectation): string[] {
  const failures: string[] = [];
  const named = expectation.stacks.map((stack) => stack.name);
  const found = Object.keys(assembly.stacks);
  if ([...named].sort().join() !== [...found].sort().join()) failures.push(`stacks: expected ${named.join(', ')}, synthesized ${found.join(', ') || 'none'}`);
  for (const { name, checks } of expectation.stacks) {
    const stack = assembly.stacks[name];
    if (!stack) continue;
    // A warning the example promises (`warning ID`, the id of its acknowledgment) must be there; any other fails.
    const promised = checks.flatMap((check) => check.kind === 'warning' ? [check.id] : []);
    const isPromised = (warning: string) => promised.some((id) => warning.includes(`[ack: ${id}]`));
    failures.push(...stack.warnings.filter((warning) => !isPromised(warning)).map((warning) => `${name}: ${warning}`));
    for (const id of promised) {
      if (!stack.warnings.some((warning) => warning.includes(`[ack: ${id}]`))) failures.push(`${name}: no warning ${id}`);
    }
    const resources = Object.values<any>(stack.template.Resources ?? {});
    for (const check of checks) {
      if (check.kind === 'warning') continue;
      if (check.kind === 'construct') {
        if (!assembly.paths.has(`${name}/${check.path}`)) failures.push(`${name}: no construct ${name}/${check.path}`);
        continue;
      }
      const matches = (r: any) => r.Type === check.type && (check.properties === undefined || holds(r.Properties ?? {}, check.properties));
      const count = resources.filter(matches).length;
      if (count !== check.count) {
        const what = check.properties === undefined ? check.type : `${check.type} ${JSON.stringify(check.properties)}`;
        failures.push(`${name}: expected ${check.count} ${what}, found ${count}`);
      }
    }
  }
  return failures;
}

/** Whether a block is a whole program (it synthesizes its app itself) rather than a fragment. */
export function isWholeProgram(block: Block): boolean {
  return /\bapp\.(synth|Synth)\(/.test(block.code);
}

/** The first line of the construct lines of a host program, and the line that synthesizes the app. */
const HOST_LINES: Record<Language, { first: RegExp; synth: RegExp }> = {
  typescript: { first: /new PrivateFargateBehindAlb\(stack\b/, synth: /^app\.synth\(\);/ },
  python: { first: /^PrivateFargateBehindAlb\(stack\b/, synth: /^app\.synth\(\)/ },
  java: { first: /PrivateFargateBehindAlb\.Builder\.create\(stack\b/, synth: /^\s*app\.synth\(\);/ },
  go: { first: /privatefargatebehindalb\.NewPrivateFargateBehindAlb\(stack\b/, synth: /^\s*app\.Synth\(nil\)/ },
};

/**
 * What the TypeScript fragments take from elsewhere, as rosetta's fixture (rosetta/default.ts-fixture)
 * gives it: a `declare const NAME: TYPE;` line becomes `const NAME: TYPE = VALUE;`, and `web`, used
 * but not declared, is defined before the fragment. The imports go at the top of the program.
 */
const TYPESCRIPT_GIVEN: Record<string, { value: string; imports?: string }> = {
  web: { value: "new PrivateFargateBehindAlb(stack, 'Web')" },
  topic: { value: "new givenSns.Topic(stack, 'Topic')", imports: "import * as givenSns from 'aws-cdk-lib/aws-sns';" },
  bucket: { value: "new givenS3.Bucket(stack, 'Bucket')", imports: "import * as givenS3 from 'aws-cdk-lib/aws-s3';" },
  queue: { value: "new givenSqs.Queue(stack, 'Queue')", imports: "import * as givenSqs from 'aws-cdk-lib/aws-sqs';" },
  hostedZone: {
    value: "givenRoute53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', { hostedZoneId: 'Z0123456789ABCDEFGHIJ', zoneName: 'example.com' })",
    imports: "import * as givenRoute53 from 'aws-cdk-lib/aws-route53';",
  },
};

/** The leading import lines of a Java or Go fragment, and the rest. */
function splitImports(language: 'java' | 'go', code: string): { imports: string[]; body: string[] } {
  const lines = code.replace(/\n$/, '').split('\n');
  const imports: string[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    if (language === 'java' && /^import [\w.]+;$/.test(line)) {
      imports.push(line);
    } else if (language === 'go' && /^import "[^"]+"$/.test(line)) {
      imports.push(line.replace(/^import /, ''));
    } else if (language === 'go' && line === 'import (') {
      for (i++; lines[i].trim() !== ')'; i++) imports.push(lines[i].trim());
    } else {
      break;
    }
  }
  return { imports, body: lines.slice(i) };
}

/**
 * A fragment made a program: the host program with the fragment in place of the host's construct
 * lines (from its PrivateFargateBehindAlb to the line that synthesizes the app). Java and Go imports
 * of the fragment join the host's; TypeScript and Python imports stay where they are (both languages
 * allow them there).
 */
export function pasteFragment(language: Language, host: string, fragment: string): string {
  const lines = host.replace(/\n$/, '').split('\n');
  const first = lines.findIndex((line) => HOST_LINES[language].first.test(line));
  const synth = lines.findIndex((line) => HOST_LINES[language].synth.test(line));
  if (first < 0 || synth < first) throw new Error(`the ${language} host program has no construct lines before its synth`);
  let body = fragment.replace(/\n$/, '').split('\n');
  let top: string[] = [];

  if (language === 'typescript') {
    const imports = new Set<string>();
    body = body.map((line) => {
      const declared = /^declare const (\w+): (.+);$/.exec(line);
      if (!declared) return line;
      const given = TYPESCRIPT_GIVEN[declared[1]];
      if (!given) throw new Error(`no value is given for "${line}"`);
      if (given.imports) imports.add(given.imports);
      return `const ${declared[1]}: ${declared[2]} = ${given.value};`;
    });
    const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(fragment);
    const defines = (name: string) => new RegExp(`\\b(const|let|declare const) ${name}\\b`).test(fragment);
    if (uses('web') && !defines('web')) body.unshift(`const web = ${TYPESCRIPT_GIVEN.web.value};`);
    top = [...imports];
  } else if (language === 'java' || language === 'go') {
    const { imports, body: rest } = splitImports(language, fragment);
    body = rest;
    if (language === 'java') {
      const lastImport = lines.map((line) => /^import /.test(line)).lastIndexOf(true);
      const missing = imports.filter((line) => !lines.includes(line));
      return [...lines.slice(0, lastImport + 1), ...missing, ...lines.slice(lastImport + 1, first), ...body, ...lines.slice(synth)].join('\n') + '\n';
    }
    const open = lines.indexOf('import (');
    const close = lines.indexOf(')', open);
    const have = lines.slice(open + 1, close).map((line) => line.trim());
    const missing = imports.filter((line) => !have.includes(line)).map((line) => `\t${line}`);
    return [...lines.slice(0, close), ...missing, ...lines.slice(close, first), ...body, ...lines.slice(synth)].join('\n') + '\n';
  }
  return [...top, ...lines.slice(0, first), ...body, ...lines.slice(synth)].join('\n') + '\n';
}

/**
 * What every language's version of one example shares: its page and its `expect` comment (the four
 * blocks of an example carry the same one). The docs harness compares their templates by it.
 */
export function programKey(block: Block): string {
  return `${block.file} ${(block.comment ?? '').replace(/\s+/g, ' ')}`;
}

/**
 * A template as every language must synthesize it: without the CDKMetadata resource and its
 * condition, which name the language the app is written in.
 */
export function comparableTemplate(template: any): any {
  const { CDKMetadata, ...resources } = template.Resources ?? {};
  const { CDKMetadataAvailable, ...conditions } = template.Conditions ?? {};
  const comparable = { ...template, Resources: resources };
  if (Object.keys(conditions).length) comparable.Conditions = conditions;
  else delete comparable.Conditions;
  return comparable;
}

/** JSON text with the keys of every object sorted: equal for equal values, whatever the order of their keys. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as any)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The paths (as `Resources.Web.Properties.Port`) where two JSON values differ, at most `limit` of
 * them; none when they are equal, whatever the order of their keys.
 */
export function differences(a: unknown, b: unknown, limit = 10, at = ''): string[] {
  if (canonical(a) === canonical(b)) return [];
  const isObject = (x: unknown) => x !== null && typeof x === 'object';
  if (!isObject(a) || !isObject(b) || Array.isArray(a) !== Array.isArray(b)) return [at || '(the whole value)'];
  if (Array.isArray(a) && Array.isArray(b) && a.length !== b.length) return [`${at} (${a.length} items against ${b.length})`];
  const keys = [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
  const found: string[] = [];
  for (const key of keys) {
    if (found.length >= limit) break;
    const where = at ? `${at}.${key}` : key;
    const [x, y] = [(a as any)[key], (b as any)[key]];
    if (x === undefined || y === undefined) found.push(`${where} (${x === undefined ? 'only in the second' : 'only in the first'})`);
    else found.push(...differences(x, y, limit - found.length, where));
  }
  return found.slice(0, limit);
}

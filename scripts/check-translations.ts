/**
 * Checks that the packages in dist/ show their examples in their own language: the Python wheel's
 * long description (the README in its METADATA) and the Java sources jar's documentation (the
 * README as the javadoc of the package, and the docs of each class) hold no TypeScript where they
 * say Python or Java. jsii-pacmak translates the README's TypeScript blocks from rosetta's tablet
 * (.jsii.tabl.json, which `jsii-rosetta extract` writes after the compile); a package built without
 * it keeps them in TypeScript, under a Python or Java label. Run after packaging; exits 1 on a finding.
 * Usage: ts-node scripts/check-translations.ts
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** What only TypeScript writes: an import of names from a module, `const`/`let`, an arrow function, `declare`. */
const TYPESCRIPT = [/^\s*import \{[^}]*\} from ['"]/m, /^\s*(const|let) \w+(: [\w.<>[\]]+)? = /m, /\) => /, /^\s*declare /m];
/** What Python never writes: a line ending in a semicolon, `new`. */
const NOT_PYTHON = [/;\s*$/m, /\bnew [A-Z]\w*\(/];
/** What jsii-pacmak writes in Java docs where it had no translation. */
const UNTRANSLATED_JAVA = /Examples in Java are coming soon/;

function files(dir: string, pattern: RegExp): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return files(file, pattern);
    return pattern.test(entry.name) ? [file] : [];
  });
}

/** The text of one member of a zip archive (a wheel or a jar). */
function member(archive: string, name: string): string {
  return execFileSync('unzip', ['-p', archive, name], { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 });
}

function members(archive: string): string[] {
  return execFileSync('unzip', ['-Z1', archive], { encoding: 'utf-8', maxBuffer: 64 * 1024 * 1024 }).split('\n').filter(Boolean);
}

/** The fenced blocks of a markdown text, with their language. */
function fences(markdown: string): Array<{ language: string; code: string }> {
  return [...markdown.matchAll(/^```(\w*)[^\n]*\n([\s\S]*?)^```/gm)].map((m) => ({ language: m[1], code: m[2] }));
}

const findings: string[] = [];
const readme = fs.readFileSync('README.md', 'utf-8');
const readmeBlocks = fences(readme);
const typescriptBlocks = readmeBlocks.filter((block) => block.language === 'ts' || block.language === 'typescript').length;

// Python: every TypeScript block of the README becomes a Python one; none keeps TypeScript.
const [wheel] = files('dist/python', /\.whl$/);
if (!wheel) {
  findings.push('dist/python holds no wheel: run npx projen dist:python (or npx projen dist)');
} else {
  const metadataName = members(wheel).find((name) => /\.dist-info\/METADATA$/.test(name))!;
  const description = member(wheel, metadataName);
  const blocks = fences(description);
  const python = blocks.filter((block) => block.language === 'python');
  const expected = typescriptBlocks + readmeBlocks.filter((block) => block.language === 'python').length;
  console.log(`${path.basename(wheel)}: ${python.length} Python blocks in its description, ${blocks.filter((b) => b.language === 'ts' || b.language === 'typescript').length} TypeScript`);
  if (python.length < expected) findings.push(`${path.basename(wheel)}: ${python.length} Python blocks in its description; the README's ${typescriptBlocks} TypeScript and its Python ones make ${expected}`);
  for (const [i, block] of python.entries()) {
    const found = [...TYPESCRIPT, ...NOT_PYTHON].find((pattern) => pattern.test(block.code));
    if (found) findings.push(`${path.basename(wheel)}: Python block ${i + 1} of its description is not Python (${found}):\n${block.code.split('\n').slice(0, 6).join('\n')}`);
  }
}

// Java: the examples in the javadoc of the sources jar (the README's on the package, and any on a class).
const [sources] = files('dist/java', /-sources\.jar$/);
if (!sources) {
  findings.push('dist/java holds no sources jar: run npx projen dist:java (or npx projen dist)');
} else {
  let examples = 0;
  for (const name of members(sources).filter((file) => file.endsWith('.java'))) {
    const text = member(sources, name);
    if (UNTRANSLATED_JAVA.test(text)) findings.push(`${path.basename(sources)} ${name}: an example left untranslated ("Examples in Java are coming soon")`);
    // jsii-pacmak writes a block of the README as <blockquote><pre>, an example of a class as <pre>{@code ...}</pre>.
    for (const m of text.matchAll(/<pre>(?:\{@code)?\n([\s\S]*?)\}?<\/pre>/g)) {
      examples++;
      const code = m[1].replace(/^\s*\* ?/gm, '');
      const found = TYPESCRIPT.find((pattern) => pattern.test(code));
      if (found) findings.push(`${path.basename(sources)} ${name}: an example is not Java (${found}):\n${code.split('\n').slice(0, 6).join('\n')}`);
    }
  }
  console.log(`${path.basename(sources)}: ${examples} examples in its javadoc`);
  if (examples < typescriptBlocks) findings.push(`${path.basename(sources)}: ${examples} examples in its javadoc, fewer than the README's ${typescriptBlocks} TypeScript blocks`);
}

for (const finding of findings) console.error(finding);
console.log(`translated examples: ${findings.length ? 0 : 1} passed, ${findings.length ? 1 : 0} failed`);
if (findings.length) process.exit(1);

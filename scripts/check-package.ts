/**
 * Checks what `npm pack` ships: everything users need (the compiled library, the jsii assembly, the
 * default image's Dockerfile, the listener rules' function, README, API.md, LICENSE) and nothing else (no tests, no TypeScript
 * sources, no scripts or docs of this repository). Run after the build; exits 1 on a difference.
 * Usage: ts-node scripts/check-package.ts
 */
import { execFileSync } from 'child_process';

const REQUIRED = [
  'package.json',
  'README.md',
  'API.md',
  'LICENSE',
  '.jsii',
  'lib/index.js',
  'lib/index.d.ts',
  'lib/private-fargate-behind-alb.js',
  'assets/default-image/Dockerfile',
  'assets/default-image/default.conf.template',
  'assets/default-image/index.html',
  'assets/listener-rule-handler/index.js',
];
/** Every shipped file must match one of these. */
const ALLOWED = [/^(package\.json|README\.md|API\.md|LICENSE|\.jsii)$/, /^lib\/[\w-]+\.(js|d\.ts)$/, /^assets\/default-image\/[\w.-]+$/, /^assets\/listener-rule-handler\/index\.js$/];

const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json'], { encoding: 'utf-8' }));
const files: string[] = pack.files.map((file: { path: string }) => file.path);
const missing = REQUIRED.filter((file) => !files.includes(file));
const unexpected = files.filter((file) => !ALLOWED.some((pattern) => pattern.test(file)));

console.log(`npm pack: ${files.length} files, ${(pack.size / 1024).toFixed(1)} KiB packed, ${(pack.unpackedSize / 1024).toFixed(1)} KiB unpacked`);
for (const file of files) console.log(`  ${file}`);
if (missing.length || unexpected.length) {
  if (missing.length) console.error(`missing from the package: ${missing.join(', ')}`);
  if (unexpected.length) console.error(`not for users, yet in the package: ${unexpected.join(', ')}`);
  process.exit(1);
}
console.log('package contents: 1 passed, 0 failed');

#!/usr/bin/env node
/**
 * `npm test`: typecheck, then every `*.test.ts` under test/ and src/ (recursive, sorted) through
 * node:test with tsx. Arguments narrow the run to files or folders: `npm test -- test/http`.
 *
 * The spec reporter prints to the terminal; a TAP copy goes to a temp file, from which the last
 * line is computed: `N passed, N failed[, N skipped]`. A failed typecheck counts as one failure.
 * The exit code is non-zero when anything failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const node = process.execPath;

/** `*.test.ts` files under `dir`, skipping node_modules and dist. */
function testFiles(path) {
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .filter((f) => !/[\\/](node_modules|dist)[\\/]/.test(relative(root, f)));
}

function run(args, extra = {}) {
  const result = spawnSync(node, args, { cwd: root, stdio: 'inherit', ...extra });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

// 1. Typecheck sources and tests (test/tsconfig.json extends the root config).
console.log('> tsc --noEmit -p test/tsconfig.json');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const typecheckFailed = run([tsc, '--noEmit', '-p', 'test/tsconfig.json']) !== 0;
if (typecheckFailed) console.error('typecheck failed');

// 2. Tests.
const roots = process.argv.slice(2).length ? process.argv.slice(2).map((p) => resolve(p)) : ['test', 'src'].map((d) => join(root, d));
const found = [...new Set(roots.flatMap((p) => testFiles(p)))].sort();

// Suites that drive the real AWS CLI (/usr/bin/aws, Debian's awscli) cannot run without it. On a
// machine that lacks it they are skipped, and said so; with CI=true the CLI is required (.ci/run
// installs it), so nothing is skipped and a missing CLI fails. (Suites needing PostgreSQL, Redis,
// slapd or chromium skip themselves with their reason, on the same CI rule.)
const AWS_CLI = '/usr/bin/aws';
const usesCli = (f) => /\.cli\(|cliUnvalidated\(|AWS_CLI\b/.test(readFileSync(f, 'utf8'));
const cliMissing = !existsSync(AWS_CLI) && process.env.CI !== 'true';
const skippedFiles = cliMissing ? found.filter(usesCli) : [];
const files = found.filter((f) => !skippedFiles.includes(f));
if (skippedFiles.length > 0) {
  console.log(`Skipped ${skippedFiles.length} suites: the AWS CLI (${AWS_CLI}, Debian package awscli) is not installed:`);
  for (const f of skippedFiles) console.log(`  - ${relative(root, f)}`);
}
const counts = { pass: 0, fail: 0, skipped: 0, todo: 0, cancelled: 0 };
let status = 0;
if (files.length === 0) {
  console.log('no test files found');
} else {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-tests-'));
  const tap = join(dir, 'report.tap');
  try {
    status = run([
      '--import', 'tsx', '--test',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`,
      ...files.map((f) => relative(root, f)),
    ]);
    // The TAP summary is the last `# pass N` etc. at column 0.
    for (const line of readFileSync(tap, 'utf8').split('\n')) {
      const m = /^# (pass|fail|skipped|todo|cancelled) (\d+)$/.exec(line);
      if (m) counts[m[1]] = Number(m[2]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const failed = counts.fail + counts.cancelled + (typecheckFailed ? 1 : 0);
const skipped = counts.skipped + counts.todo + skippedFiles.length;
if (status !== 0 && failed === 0) console.error(`test runner exited with status ${status}`);
if (skippedFiles.length > 0) console.log(`(${skippedFiles.length} suites skipped without the AWS CLI are counted as skipped tests)`);
console.log(`${counts.pass} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(typecheckFailed || status !== 0 ? 1 : 0);

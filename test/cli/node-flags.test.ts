/**
 * The server runs with the same Node flags however it is started: `npm start` (package.json)
 * and the `gatehouse` command (bin/gatehouse.js's `#!/usr/bin/env -S node …` line). The audit
 * bench reads them from package.json, so the figures it prints are for the server as it ships.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('npm start and bin/gatehouse.js pass the same Node flags, and the bin runs as a program', () => {
  const start = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start;
  const startFlags = start.split(/\s+/).filter((a) => a.startsWith('--'));
  const shebang = readFileSync(`${root}bin/gatehouse.js`, 'utf8').split('\n')[0]!;
  const match = /^#!\/usr\/bin\/env -S node((?: --\S+)*)$/.exec(shebang);
  assert.ok(match, `shebang: ${shebang}`);
  assert.deepEqual(match[1]!.trim().split(' ').filter(Boolean), startFlags);
  assert.ok(startFlags.includes('--max-semi-space-size=64'), start);
  // Executed as a program (as npm's bin link runs it), env -S runs node with them.
  const out = execFileSync(`${root}bin/gatehouse.js`, ['--help'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.match(out, /Usage: gatehouse/);
});

#!/usr/bin/env node
/**
 * Summarises a V8 .cpuprofile (from `npm run bench -- http --only=getuser --cpu-prof=DIR`):
 * the functions with the most self time, and self time by file/package, as a share of the
 * non-idle time.
 *
 *   node bench/cpuprofile-top.mjs FILE [--top=N] [--from-ms=MS]
 *
 * --from-ms skips the first MS milliseconds of the profile (start-up, module loading).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' }, 'from-ms': { type: 'string' } } });
if (positionals.length !== 1) {
  process.stderr.write('usage: node bench/cpuprofile-top.mjs FILE [--top=N] [--from-ms=MS]\n');
  process.exit(2);
}
const top = Number(values.top ?? 25);
const fromUs = Number(values['from-ms'] ?? 0) * 1000;
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
let t = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i] ?? 0;
  if (t < fromUs) continue;
  const id = profile.samples[i];
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0));
}

const root = process.cwd();
const where = (url) => {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '').replace(root + '/', '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return pkg ? `npm:${pkg[1]}` : path.replace(/\?.*$/, '');
};
const byFunction = new Map();
const byFile = new Map();
let total = 0;
let idle = 0;
for (const [id, us] of self) {
  const { callFrame: f } = nodes.get(id);
  if (f.functionName === '(idle)') {
    idle += us;
    continue;
  }
  total += us;
  const file = where(f.url) || `(${f.functionName || 'native'})`;
  const key = `${f.functionName || '(anonymous)'}  ${where(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + us);
  byFile.set(file, (byFile.get(file) ?? 0) + us);
}

const print = (title, map, n) => {
  console.log(`\n${title}`);
  for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    console.log(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${k}`);
  }
};
console.log(`${positionals[0]}: ${(total / 1000).toFixed(0)} ms busy, ${(idle / 1000).toFixed(0)} ms idle${fromUs ? ` (from ${fromUs / 1000} ms)` : ''}`);
print(`Top ${top} functions by self time (share of busy time)`, byFunction, top);
print('Self time by file or package', byFile, 15);

/**
 * The worst-case simulate benchmark (`npm run bench -- simulate`, SECURITY.md H1, issue 12).
 *
 * A Gatehouse runs in this process, so the benchmark can measure its event loop directly:
 * the longest time the main thread ran without yielding (its own CPU time between ticks of a
 * 5 ms interval, read from Linux's per-thread schedstat, so that the OS descheduling the
 * process on a busy machine is not counted), next to /healthz latency. Printed side by side,
 * measured in the same run:
 * 1. baseline: /healthz polled alone;
 * 2. attack: 4 clients sending the costliest simulation the budget accepts (long wildcard
 *    patterns in four 24 KB policies × 25 actions × 40 resources of 2 KB, MaxItems 1000),
 *    /healthz polled meanwhile;
 * 3. refused: 4 clients sending simulations past the budget (answered InvalidInput);
 * 4. the wildcard matcher on its worst shape: the old backtracking matcher (pattern × text)
 *    next to the compiled one (pattern + text).
 * Exits 1 when the event loop was ever blocked for 50 ms or more, or a request failed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from '../src/main.js';
import { SIMULATION_LIMITS } from '../src/policy/simulation.js';
import { globCodes, globMatch, ONE, STAR, type Pattern } from '../src/policy/wildcard.js';
import { silentLogger } from '../src/shared/logger.js';
import { send, signedPool, type PlainRequest } from './http-support.js';

const SCHEDSTAT = `/proc/self/task/${process.pid}/schedstat`;
/** CPU ms of the main thread (Linux), else of the whole process (an upper bound). */
const mainThreadCpuMs = existsSync(SCHEDSTAT)
  ? () => Number(readFileSync(SCHEDSTAT, 'utf8').split(' ')[0]) / 1e6
  : () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    };

interface PhaseFigures {
  name: string;
  healthz: number[];
  maxBlockMs: number;
  maxWallGapMs: number;
  requests: number[];
  failures: number;
}

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const members = (name: string, values: readonly string[]) => Object.fromEntries(values.map((v, i) => [`${name}.member.${i + 1}`, v]));

/** The costliest request the budget accepts: long literal pieces the old matcher paid pattern × text for. */
function heaviestAccepted(): Record<string, string> {
  const patterns = Array.from({ length: 8 }, (_, i) => `arn:aws:s3:::*${'a'.repeat(1_500)}b${i}*`);
  const policies = Array.from({ length: 4 }, (_, d) => doc(...[0, 1].map((i) => ({ Effect: 'Allow', Action: i ? 's3:*' : `s3:Get${d}*`, Resource: patterns }))));
  const actions = Array.from({ length: 25 }, (_, i) => `s3:Get${i % 4}Object${i}`);
  const resources = Array.from({ length: 40 }, (_, i) => `arn:aws:s3:::${'a'.repeat(2_000 - 20)}${i}`);
  return { Action: 'SimulateCustomPolicy', MaxItems: '1000', ...members('PolicyInputList', policies), ...members('ActionNames', actions), ...members('ResourceArns', resources) };
}

/** Past the request budget: 20 × 10 pairs, each of long `?` patterns (refused before any evaluation). */
function pastBudget(): Record<string, string> {
  const policy = doc({ Effect: 'Allow', Action: 's3:*', Resource: Array.from({ length: 3 }, (_, i) => `arn:aws:s3:::*${'a?'.repeat(3_250)}c${i}`) });
  const actions = Array.from({ length: 20 }, (_, i) => `s3:GetObject${i}`);
  const resources = Array.from({ length: 10 }, (_, i) => `arn:aws:s3:::${'a'.repeat(2_000)}${i}`);
  return { Action: 'SimulateCustomPolicy', MaxItems: '1000', ...members('PolicyInputList', [policy]), ...members('ActionNames', actions), ...members('ResourceArns', resources) };
}

async function phase(name: string, url: string, seconds: number, work?: { pool: PlainRequest[]; clients: number; expect: number }): Promise<PhaseFigures> {
  let last = performance.now();
  let lastCpu = mainThreadCpuMs();
  let maxBlockMs = 0;
  let maxWallGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = mainThreadCpuMs();
    maxWallGapMs = Math.max(maxWallGapMs, now - last - 5);
    maxBlockMs = Math.max(maxBlockMs, Math.min(now - last, cpu - lastCpu) - 5);
    last = now;
    lastCpu = cpu;
  }, 5);
  const until = performance.now() + seconds * 1000;
  const healthz: number[] = [];
  const requests: number[] = [];
  let failures = 0;
  const poller = (async () => {
    while (performance.now() < until) {
      const t = performance.now();
      const res = await fetch(`${url}/healthz`);
      await res.text();
      if (res.status !== 200) failures++;
      healthz.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  const clients = Array.from({ length: work?.clients ?? 0 }, async (_, c) => {
    for (let i = c; performance.now() < until; i += work!.clients) {
      const t = performance.now();
      const res = await send(url, work!.pool[i % work!.pool.length]!);
      if (res.status !== work!.expect) {
        failures++;
        if (failures === 1) console.error(`simulate bench: ${name}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
      }
      requests.push(performance.now() - t);
    }
  });
  await Promise.all([poller, ...clients]);
  clearInterval(timer);
  return { name, healthz, maxBlockMs, maxWallGapMs, requests, failures };
}

const pct = (xs: number[], p: number) => (xs.length === 0 ? NaN : [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!);
const ms = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(1));

/** The matcher before issue 12: backtracking to the last star, pattern length × text length at worst. */
function backtracking(pat: Pattern, s: string): boolean {
  let p = 0;
  let i = 0;
  let starP = -1;
  let starI = 0;
  while (i < s.length) {
    const c = p < pat.length ? pat[p]! : 0;
    if (p < pat.length && (c === ONE || c === s.charCodeAt(i))) {
      p++;
      i++;
    } else if (p < pat.length && c === STAR) {
      starP = p++;
      starI = i;
    } else if (starP >= 0) {
      p = starP + 1;
      i = ++starI;
    } else {
      return false;
    }
  }
  while (p < pat.length && pat[p] === STAR) p++;
  return p === pat.length;
}

function timeOnce(f: () => unknown): number {
  const t = performance.now();
  f();
  return performance.now() - t;
}

/** Runs the simulate benchmark and prints its table; returns false when a check failed. */
export async function runSimulateBench(options: { seconds: number }): Promise<boolean> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-simulate-'));
  const server = await start({ env: { PORT: '0', GATEHOUSE_DATA_DIR: dataDir }, logger: silentLogger, out: { write: () => undefined } });
  try {
    const root = JSON.parse(readFileSync(join(dataDir, 'root-credentials.json'), 'utf8')) as { AccessKeyId: string; SecretAccessKey: string };
    const credentials = { accessKeyId: root.AccessKeyId, secretAccessKey: root.SecretAccessKey };
    const accepted = await signedPool(server.url, credentials, 'iam', heaviestAccepted, 8);
    const refused = await signedPool(server.url, credentials, 'iam', pastBudget, 8);
    console.error('simulate bench: baseline, attack, refused …');
    const phases = [
      await phase('baseline: /healthz alone', server.url, options.seconds),
      await phase('attack: 4 clients, heaviest accepted simulation (1,000 pairs)', server.url, options.seconds, { pool: accepted, clients: 4, expect: 200 }),
      await phase('refused: 4 clients, simulations past the budget', server.url, options.seconds, { pool: refused, clients: 4, expect: 400 }),
    ];

    const hostile = globCodes(`*${'a'.repeat(10_000)}b`);
    const text = 'a'.repeat(20_000);
    const oldMs = timeOnce(() => backtracking(hostile, text));
    const newMs = timeOnce(() => globMatch(hostile, text));

    console.log(`Simulate benchmark (SECURITY.md H1) — node ${process.version}, ${new Date().toISOString()}, ${options.seconds} s per phase`);
    console.log(`Budget: ${SIMULATION_LIMITS.pairUnits.toLocaleString('en-US')} units per pair, ${SIMULATION_LIMITS.requestUnits.toLocaleString('en-US')} per request, slices of ${SIMULATION_LIMITS.sliceUnits.toLocaleString('en-US')}; documents ≤ ${SIMULATION_LIMITS.documentChars.toLocaleString('en-US')} chars.\n`);
    const head = ['phase', '/healthz p50 ms', 'p99 ms', 'max ms', 'max loop block ms (CPU)', 'max tick gap ms (wall)', 'simulate reqs', 'simulate p50 ms', 'failures'];
    const rows = phases.map((p) => [p.name, ms(pct(p.healthz, 0.5)), ms(pct(p.healthz, 0.99)), ms(Math.max(...p.healthz)), ms(p.maxBlockMs), ms(p.maxWallGapMs), String(p.requests.length), ms(pct(p.requests, 0.5)), String(p.failures)]);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(line(head));
    for (const r of rows) console.log(line(r));
    console.log(`\nWildcard matcher, pattern "*" + 10,000 × "a" + "b" against 20,000 × "a": backtracking (before) ${oldMs.toFixed(1)} ms, compiled (now) ${newMs.toFixed(3)} ms.`);

    const worstBlock = Math.max(...phases.map((p) => p.maxBlockMs));
    const failures = phases.reduce((n, p) => n + p.failures, 0);
    const ok = worstBlock < 50 && failures === 0;
    console.log(`${ok ? 'PASS' : 'FAIL'}: the event loop's longest block was ${worstBlock.toFixed(1)} ms (limit 50 ms); ${failures} failed request(s).`);
    return ok;
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

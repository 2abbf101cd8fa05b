/**
 * Plumbing of the HTTP benchmark: servers in child processes, data directories seeded through
 * the store, pools of SigV4-signed requests, and autocannon runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { loadConfig } from '../src/config/index.js';
import { openStore } from '../src/store/index.js';
import { Keyring } from '../src/iam/keyring.js';
import { createRootKey, ensureAccount } from '../src/iam/bootstrap.js';
import { newId } from '../src/shared/ids.js';
import { systemClock } from '../src/shared/clock.js';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const BROKER = 'gatehouse-broker';

// ---------------------------------------------------------------------------------------------
// Child processes and temporary directories, all released on exit whatever happens.

const children = new Set<ChildProcess>();
const dirs = new Set<string>();

function releaseAllSync(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}
process.on('exit', releaseAllSync);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    releaseAllSync();
    process.exit(130);
  });
}

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

export interface Child {
  url: string;
  pid: number;
  /** CPU time the process has used so far, ms (Linux; 0 elsewhere). */
  cpuMs(): number;
  /** SIGTERM, then SIGKILL after 10 s; resolves when the process has exited. */
  stop(): Promise<void>;
}

/** Starts `node <args>` in the repo and waits for it to print `listening on http://…`. */
export async function startChild(args: string[], env: NodeJS.ProcessEnv, label: string): Promise<Child> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-8_000);
  };
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  void exited.then(() => children.delete(child));
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${label}: not listening after 60 s\n${output}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      const m = /listening on (http:\/\/[^\s]+)/i.exec(output);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    child.stderr!.on('data', keep);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`${label}: exited (${code ?? signal}) before listening\n${output}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    cpuMs: () => processCpuMs(child.pid!),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU time (user + system) a process has used, ms, from /proc (clock ticks of 10 ms); 0 when unreadable. */
export function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * The Node flags `npm start` runs the server with (package.json's start script), for a bench
 * that measures the server as it ships (bench/audit.ts).
 */
export function startFlags(): string[] {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  return start.split(/\s+/).filter((arg) => arg.startsWith('--'));
}

/** CPU time (user + system) one thread of a process has used, ms (its event loop's thread: tid = pid); 0 when unreadable. */
export function threadCpuMs(pid: number, tid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/** CPU time all processes on the machine have used (all CPUs, not idle), ms. */
export function machineBusyMs(): number {
  return cpus().reduce((n, c) => n + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0);
}

/** The environment of a server child: ours without any Gatehouse settings, production mode. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(GATEHOUSE_|DATABASE_URL$|REDIS_URL$|PORT$|NODE_OPTIONS$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, NODE_ENV: 'production', ...extra };
}

// ---------------------------------------------------------------------------------------------
// Data directories: the account, its root key and N users written through the store before the
// server starts, in the same files and under the same key ring the server will open.

export interface Seeded {
  dataDir: string;
  accountId: string;
  root: { accessKeyId: string; secretAccessKey: string };
}

export async function seedDataDir(dataDir: string, users: number): Promise<Seeded> {
  const config = loadConfig({ env: { GATEHOUSE_DATA_DIR: dataDir }, cwd: ROOT });
  const store = await openStore(config.store.url, { dataDir });
  try {
    const keyring = Keyring.open(dataDir);
    const { account } = await ensureAccount(store, systemClock, config.federation.broker);
    const key = await createRootKey(store, keyring, systemClock, account.id);
    const file = join(dataDir, 'root-credentials.json');
    writeFileSync(file, JSON.stringify(key, null, 2) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    const now = systemClock.now();
    await store.transaction(async (tx) => {
      for (let i = 0; i < users; i++) {
        await tx.users.create({
          id: newId('user'),
          accountId: account.id,
          name: `seed-${String(i).padStart(6, '0')}`,
          path: '/',
          permissionsBoundary: null,
          tags: [],
          createdAt: now,
          passwordLastUsed: null,
        });
      }
    });
    return { dataDir, accountId: account.id, root: { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey } };
  } finally {
    await store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Signed requests: what the AWS SDK sends (form-encoded POST to /, SigV4 in the Authorization
// header, a unique amz-sdk-invocation-id), signed just before a run so every signature is
// inside the 15-minute skew window and each request of the pool is distinct.

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface PlainRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export async function signedPool(url: string, credentials: Credentials, service: 'iam' | 'sts', params: (i: number) => Record<string, string>, size: number): Promise<PlainRequest[]> {
  const { hostname, port, host } = new URL(url);
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service, sha256: Hash.bind(null, 'sha256'), uriEscapePath: true });
  const version = service === 'iam' ? '2010-05-08' : '2011-06-15';
  const pool: PlainRequest[] = [];
  for (let i = 0; i < size; i++) {
    const body = new URLSearchParams({ ...params(i), Version: version }).toString();
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname,
      port: Number(port),
      path: '/',
      query: {},
      headers: {
        host,
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'amz-sdk-invocation-id': randomUUID(),
        'amz-sdk-request': 'attempt=1; max=1',
      },
      body,
    });
    pool.push({ method: 'POST', path: '/', headers: { ...(signed.headers as Record<string, string>), 'user-agent': 'gatehouse-bench' }, body });
  }
  return pool;
}

/** Sends one request with exactly these headers; resolves with the status and body. */
export function send(url: string, req: PlainRequest): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const out = httpRequest(new URL(req.path, url), { method: req.method, headers: req.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    out.on('error', fail);
    out.end(req.body);
  });
}

// ---------------------------------------------------------------------------------------------
// Load: autocannon, programmatic, in this process (the server is in its own process).

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export async function load(url: string, requests: PlainRequest[], options: { connections: number; seconds: number }): Promise<LoadResult> {
  // One dynamic request that takes the next one of the pool (shared by all connections): autocannon
  // would otherwise pre-build every request of the pool once per connection.
  let next = 0;
  const cycle = [{ setupRequest: (base: Record<string, unknown>) => ({ ...base, ...requests[next++ % requests.length]! }) }];
  const r = await autocannon({ url, connections: options.connections, duration: options.seconds, pipelining: 1, requests: cycle });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts };
}

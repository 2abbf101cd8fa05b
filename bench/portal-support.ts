/**
 * Plumbing of the portal benchmark: closed-loop load (N workers, each starting its next
 * operation when the last one finished), latency percentiles, a lean keep-alive HTTP client and
 * cookie and CSRF-token readers, CPU accounting per process, and a CPU-profile summary by
 * component.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { processCpuMs, machineBusyMs } from './http-support.js';

// ---------------------------------------------------------------------------------------------
// Closed-loop load.

/** What one operation reports: its latencies (ms) by name, or a failure. */
export type OpResult = { ok: true; ms: Record<string, number> } | { ok: false; why: string };

export interface LoadRun {
  ops: number;
  failures: number;
  /** The first few distinct failure reasons, with counts. */
  why: Map<string, number>;
  seconds: number;
  perSecond: number;
  /** Latencies by name, sorted, ms. */
  ms: Record<string, Float64Array>;
}

/** Runs `op` from `concurrency` workers until `seconds` have passed (or `count` ops started). */
export async function closedLoop(
  concurrency: number,
  limit: { seconds?: number; count?: number },
  op: (worker: number, i: number) => Promise<OpResult>,
): Promise<LoadRun> {
  const samples: Record<string, number[]> = {};
  const why = new Map<string, number>();
  let started = 0;
  let ops = 0;
  let failures = 0;
  const t0 = performance.now();
  const end = limit.seconds === undefined ? Infinity : t0 + limit.seconds * 1000;
  const more = () => performance.now() < end && (limit.count === undefined || started < limit.count);
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (more()) {
        const i = started++;
        let r: OpResult;
        try {
          r = await op(worker, i);
        } catch (err) {
          r = { ok: false, why: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
        }
        ops++;
        if (r.ok) {
          for (const [k, v] of Object.entries(r.ms)) (samples[k] ??= []).push(v);
        } else {
          failures++;
          const key = r.why.slice(0, 160);
          if (why.has(key) || why.size < 5) why.set(key, (why.get(key) ?? 0) + 1);
        }
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const ms: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(samples)) ms[k] = Float64Array.from(v).sort();
  return { ops, failures, why, seconds, perSecond: (ops - failures) / seconds, ms };
}

export function percentile(sorted: Float64Array | undefined, p: number): number {
  if (!sorted || sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A deadline around one operation (a hung LDAP callback must count as a failure, not stall a worker). */
export function within<T>(ms: number, what: string, work: Promise<T>, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout?.();
      reject(new Error(`${what}: no answer within ${ms} ms`));
    }, ms);
    work.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// CPU accounting: this process, the named child processes, and everything else on the machine.

export interface CpuSnapshot {
  wall: number;
  machine: number;
  own: NodeJS.CpuUsage;
  pids: Record<string, number>;
}

export interface CpuUse {
  wallMs: number;
  /** CPU ms used by this (the bench) process. */
  bench: number;
  /** CPU ms per named child process. */
  procs: Record<string, number>;
  /** CPU ms used by every other process on the machine. */
  others: number;
}

export function cpuSnapshot(pids: Record<string, number>): CpuSnapshot {
  const at: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) at[name] = processCpuMs(pid);
  return { wall: performance.now(), machine: machineBusyMs(), own: process.cpuUsage(), pids: { ...pids, ...Object.fromEntries(Object.entries(at).map(([k, v]) => [`@${k}`, v])) } };
}

export function cpuSince(s: CpuSnapshot): CpuUse {
  const own = process.cpuUsage(s.own);
  const bench = (own.user + own.system) / 1000;
  const procs: Record<string, number> = {};
  for (const [name, pid] of Object.entries(s.pids)) {
    if (name.startsWith('@')) continue;
    procs[name] = processCpuMs(pid) - s.pids[`@${name}`]!;
  }
  const ours = bench + Object.values(procs).reduce((a, b) => a + b, 0);
  return { wallMs: performance.now() - s.wall, bench, procs, others: Math.max(0, machineBusyMs() - s.machine - ours) };
}

// ---------------------------------------------------------------------------------------------
// HTTP: one keep-alive connection per worker, from a chosen loopback source address.

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A load generator's HTTP/1.1 client: one keep-alive socket, requests written as one string,
 * responses parsed just enough (status, headers, a Content-Length or chunked body). Node's own
 * http client costs about 0.2 ms of CPU per request here, which on 2 cores takes CPU from the
 * server being measured; this one costs a fraction of that (the bench prints its CPU share).
 */
export class HttpWorker {
  private socket: Socket | undefined;
  private buffered: Buffer = Buffer.alloc(0);
  private pending: { resolve: (a: Answer) => void; reject: (e: Error) => void } | undefined;

  constructor(
    private readonly base: URL,
    private localAddress: string,
  ) {}

  /** Moves to another source address (a fresh connection). */
  rebind(localAddress: string): void {
    this.close();
    this.localAddress = localAddress;
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  send(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
    if (this.pending) return Promise.reject(new Error('HttpWorker: one request at a time'));
    const socket = this.socket ?? this.connect();
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.base.host}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    if (body !== undefined) head += `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
    return new Promise<Answer>((resolve, reject) => {
      this.pending = { resolve, reject };
      socket.write(`${head}\r\n${body ?? ''}`);
    });
  }

  private connect(): Socket {
    const socket = netConnect({ host: this.base.hostname, port: Number(this.base.port), localAddress: this.localAddress });
    socket.setNoDelay(true);
    this.buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
      this.parse();
    });
    const fail = (err: Error) => {
      if (this.socket === socket) this.socket = undefined;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
    this.socket = socket;
    return socket;
  }

  /** Completes the pending request once its whole response is buffered. */
  private parse(): void {
    const buf = this.buffered;
    const end = buf.indexOf('\r\n\r\n');
    if (end === -1 || !this.pending) return;
    const lines = buf.toString('latin1', 0, end).split('\r\n');
    const status = Number(lines[0]!.split(' ')[1]);
    const headers: IncomingHttpHeaders = {};
    const cookies: string[] = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'set-cookie') cookies.push(value);
      else headers[name] = value;
    }
    if (cookies.length > 0) headers['set-cookie'] = cookies;
    let body: Buffer;
    let rest: Buffer;
    const start = end + 4;
    if (headers['transfer-encoding'] === 'chunked') {
      const parts: Buffer[] = [];
      let at = start;
      for (;;) {
        const eol = buf.indexOf('\r\n', at);
        if (eol === -1) return;
        const size = parseInt(buf.toString('latin1', at, eol), 16);
        if (buf.length < eol + 2 + size + 2) return;
        if (size === 0) {
          at = eol + 4;
          break;
        }
        parts.push(buf.subarray(eol + 2, eol + 2 + size));
        at = eol + 2 + size + 2;
      }
      body = Buffer.concat(parts);
      rest = buf.subarray(at);
    } else {
      const length = Number(headers['content-length'] ?? 0);
      if (buf.length < start + length) return;
      body = buf.subarray(start, start + length);
      rest = buf.subarray(start + length);
    }
    this.buffered = rest;
    const p = this.pending;
    this.pending = undefined;
    if (headers.connection === 'close') this.close();
    p.resolve({ status, headers, body: body.toString('utf8') });
  }
}

/** The `name=value` of a Set-Cookie for `name`, or undefined. */
export function cookieFrom(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const c of headers['set-cookie'] ?? []) if (c.startsWith(`${name}=`)) return c.slice(0, c.indexOf(';') === -1 ? undefined : c.indexOf(';'));
  return undefined;
}

export function csrfFrom(html: string): string | undefined {
  return /name="_csrf" value="([0-9a-f]+)"/.exec(html)?.[1];
}

export const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

// ---------------------------------------------------------------------------------------------
// CPU profile summary: every sample goes to the nearest frame on its stack that is our code or
// a package (native code and Node internals count for whoever called them), then to a component.
// Samples with no such frame are Node's own I/O and timers, the garbage collector or V8.

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const COMPONENTS: Array<[string, RegExp]> = [
  ['LDAP client (ldapjs, ldapauth-fork, src/directory)', /^(npm:(ldapjs|@ldapjs\/.*|ldapauth-fork|passport-ldapauth|passport-strategy|abstract-logging|assert-plus|backoff|precond|vasync|verror|extsprintf|core-util-is|once|wrappy|bcryptjs|lru-cache)|src\/directory\/)/],
  ['sessions + CSRF (express-session, SQLite store, csrf-sync)', /^(npm:(express-session|uid-safe|random-bytes|cookie|cookie-signature|on-headers|crc|csrf-sync|http-errors|better-sqlite3|bindings)|src\/web\/)/],
  ['sign-in rate limits (express-rate-limit)', /^(npm:express-rate-limit|src\/portal\/limits)/],
  ['page rendering (ejs)', /^npm:ejs|^views\//],
  ['logging (pino)', /^npm:(pino|pino-std-serializers|sonic-boom|thread-stream|fast-redact|@pinojs\/.*|quick-format-unescaped|atomic-sleep|on-exit-leak-free|safe-stable-stringify|real-require|process-warning)/],
  ['Express, body parsing, headers (express, router, helmet, src/http)', /^(npm:(express|router|body-parser|qs|side-channel.*|finalhandler|send|serve-static|on-finished|type-is|mime-types|mime-db|media-typer|content-type|content-disposition|raw-body|iconv-lite|statuses|parseurl|path-to-regexp|accepts|negotiator|vary|encodeurl|escape-html|etag|fresh|range-parser|proxy-addr|forwarded|ipaddr\.js|depd|debug|ms|merge-descriptors|setprototypeof|inherits|safe-buffer|helmet|bytes|unpipe|ee-first|call-bind.*|get-intrinsic|es-.*|gopd|has-.*|hasown|math-intrinsics|object-inspect|dunder-proto|function-bind|get-proto)|src\/http\/)/],
  ['portal routes, broker, rest of src', /^src\//],
];

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  /** Component → share of busy time, with its biggest contributors. */
  components: Array<{ name: string; share: number; top: Array<[string, number]> }>;
  /** Functions with the most self time (share of busy time). */
  functions: Array<[string, number]>;
}

/**
 * Native socket calls: counted for the LDAP client when an LDAP frame is on their stack, else for
 * HTTP. `connect` is always LDAP (Gatehouse opens no other connections; net.connect defers the
 * call to a later tick, so no LDAP frame is on its stack).
 */
const SOCKET_NATIVES = new Set(['writeBuffer', 'writev', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'writeUcs2String', 'shutdown']);
const LDAP = COMPONENTS[0]![1];
const HTTP_SOCKETS = 'HTTP socket writes (responses)';

export function summariseProfile(profile: Profile, root: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const where = (url: string): string => {
    if (!url) return '';
    const path = url.replace(/^file:\/\//, '').replace(root + '/', '');
    if (path.startsWith('node:')) return '';
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    return pkg ? `npm:${pkg[1]}` : path.replace(/\?.*$/, '');
  };
  const NO_CALLER = '(node internals: socket I/O, timers)';
  const owner = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = owner.get(id);
    if (known !== undefined) return known;
    const f = byId.get(id)!.callFrame;
    let result = where(f.url);
    if (f.functionName === '(root)') result = '(root)';
    else if (!result) {
      if (f.functionName === '(garbage collector)' || f.functionName === '(program)' || f.functionName === '(idle)') result = f.functionName;
      else {
        const up = parent.get(id);
        result = up === undefined ? NO_CALLER : ownerOf(up);
        if (result === '(root)') result = NO_CALLER;
      }
    }
    owner.set(id, result);
    return result;
  };
  const ldapBelow = new Map<number, boolean>();
  const underLdap = (id: number): boolean => {
    const known = ldapBelow.get(id);
    if (known !== undefined) return known;
    const up = parent.get(id);
    const result = LDAP.test(where(byId.get(id)!.callFrame.url)) || (up !== undefined && underLdap(up));
    ldapBelow.set(id, result);
    return result;
  };
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let busy = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    const us = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0;
    const f = byId.get(id)!.callFrame;
    if (f.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    let o = ownerOf(id);
    if (!f.url && f.functionName === 'connect') o = 'socket syscalls (LDAP)';
    else if (!f.url && SOCKET_NATIVES.has(f.functionName)) o = underLdap(id) ? 'socket syscalls (LDAP)' : HTTP_SOCKETS;
    byOwner.set(o, (byOwner.get(o) ?? 0) + us);
    const fn = f.url ? `${f.functionName || '(anonymous)'} ${where(f.url) || f.url}:${f.lineNumber + 1}` : f.functionName.startsWith('(') ? f.functionName : `${f.functionName} (native, for ${o})`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const componentOf = (o: string): string => {
    if (o === 'socket syscalls (LDAP)') return COMPONENTS[0]![0];
    if (o === HTTP_SOCKETS) return HTTP_SOCKETS;
    if (o === '(program)') return 'V8/native, unattributed ((program))';
    if (o === '(garbage collector)') return 'garbage collector';
    if (o.startsWith('(')) return 'Node internals with no JS caller (socket reads, timers)';
    return COMPONENTS.find(([, re]) => re.test(o))?.[0] ?? 'other packages';
  };
  const components = new Map<string, { us: number; parts: Map<string, number> }>();
  for (const [o, us] of byOwner) {
    const name = componentOf(o);
    const c = components.get(name) ?? { us: 0, parts: new Map() };
    c.us += us;
    c.parts.set(o, (c.parts.get(o) ?? 0) + us);
    components.set(name, c);
  }
  return {
    busyMs: busy / 1000,
    idleMs: idle / 1000,
    components: [...components]
      .sort((a, b) => b[1].us - a[1].us)
      .map(([name, c]) => ({ name, share: c.us / busy, top: [...c.parts].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([k, us]) => [k, us / busy] as [string, number]) })),
    functions: [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, us]) => [k, us / busy]),
  };
}

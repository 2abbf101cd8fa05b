/**
 * The audit trail's cost and lookup speed (issue 15), two rows:
 * 1. Signed GetUser throughput with auditing on next to auditing off, measured in the same run
 *    (two Gatehouse children, each on its own data directory, run in alternating slices so both
 *    see the same machine); the target is ≥ 0.85× (on / off). Both start with the Node flags of
 *    `npm start` (package.json: a 64 MiB young generation), as the server ships.
 * 2. LookupEvents (CloudTrail JSON 1.1, signed, through the real route) of one user's events
 *    among 1,000,000 stored events (10,000 users × 100 events, one account, hash-chained as the
 *    server writes them); p50 / p99 of sequential calls; the target is ≤ 50 ms.
 * Run alone: `npm run bench -- audit [--seconds=N]`.
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { SignatureV4 } from '@smithy/signature-v4';
import { Hash } from '@smithy/hash-node';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { openStore, type AuditEventInput } from '../src/store/index.js';
import { childEnv, load, removeDir, seedDataDir, send, signedPool, startChild, startFlags, tempDir, threadCpuMs, type Child, type Credentials, type PlainRequest } from './http-support.js';

const EVENTS = Number(process.env.GATEHOUSE_BENCH_AUDIT_EVENTS ?? 1_000_000); // a smaller number only to try the bench out
const USERS = 10_000;

/** Writes EVENTS events (USERS users, newest last) into the data directory's store, chained. */
async function seedEvents(dataDir: string, accountId: string): Promise<void> {
  const store = await openStore(`sqlite:${join(dataDir, 'gatehouse.db')}`, { dataDir });
  try {
    const t0 = Date.now() - EVENTS * 50;
    const batch = 20_000;
    for (let start = 0; start < EVENTS; start += batch) {
      const events: AuditEventInput[] = [];
      for (let i = start; i < start + batch; i++) {
        const user = `user-${String(i % USERS).padStart(5, '0')}`;
        const eventId = randomUUID();
        const eventTime = t0 + i * 50;
        const record = JSON.stringify({
          eventVersion: '1.08',
          userIdentity: { type: 'IAMUser', principalId: `AIDA${i % USERS}`, arn: `arn:aws:iam::${accountId}:user/${user}`, accountId, accessKeyId: `AKIA${String(i % USERS).padStart(16, '0')}`, userName: user },
          eventTime: new Date(eventTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
          eventSource: 'iam.amazonaws.com',
          eventName: i % 3 ? 'GetUser' : 'ListUsers',
          awsRegion: 'us-east-1',
          sourceIPAddress: '10.0.0.1',
          userAgent: 'bench',
          requestParameters: i % 3 ? { userName: user } : null,
          responseElements: null,
          requestID: randomUUID(),
          eventID: eventId,
          readOnly: true,
          eventType: 'AwsApiCall',
          managementEvent: true,
          recipientAccountId: accountId,
          eventCategory: 'Management',
        });
        events.push({ accountId, eventId, eventTime, eventName: i % 3 ? 'GetUser' : 'ListUsers', eventSource: 'iam.amazonaws.com', readOnly: true, username: user, accessKeyId: `AKIA${String(i % USERS).padStart(16, '0')}`, resourceType: i % 3 ? 'AWS::IAM::User' : null, resourceName: i % 3 ? user : null, directoryId: null, directoryDn: null, record });
      }
      await store.transaction((tx) => tx.auditEvents.append(events));
      if ((start / batch) % 10 === 9) process.stderr.write(`  audit: ${(start + batch).toLocaleString('en-US')} events seeded\n`);
    }
  } finally {
    await store.close();
  }
}

/** Signed LookupEvents requests (JSON 1.1, service cloudtrail). */
async function lookupPool(url: string, credentials: Credentials, body: (i: number) => object, size: number): Promise<PlainRequest[]> {
  const { hostname, port, host } = new URL(url);
  const signer = new SignatureV4({ credentials, region: 'us-east-1', service: 'cloudtrail', sha256: Hash.bind(null, 'sha256'), uriEscapePath: true });
  const pool: PlainRequest[] = [];
  for (let i = 0; i < size; i++) {
    const text = JSON.stringify(body(i));
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname,
      port: Number(port),
      path: '/',
      query: {},
      headers: { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents', 'amz-sdk-invocation-id': randomUUID() },
      body: text,
    });
    pool.push({ method: 'POST', path: '/', headers: signed.headers as Record<string, string>, body: text });
  }
  return pool;
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

export async function runAuditBench(options: { seconds: number }): Promise<boolean> {
  console.log(`\nAudit benchmark — node ${process.version}, ${cpus().length} CPUs, ${new Date().toISOString()}`);
  const dirs: string[] = [];
  const children: Child[] = [];
  let ok = true;
  try {
    const start = async (audit: boolean) => {
      const dir = tempDir('gatehouse-bench-audit-');
      dirs.push(dir);
      const seeded = await seedDataDir(dir, 100);
      if (audit) {
        const t = Date.now();
        await seedEvents(dir, seeded.accountId);
        process.stderr.write(`  audit: ${EVENTS.toLocaleString('en-US')} events seeded in ${Date.now() - t} ms\n`);
      }
      const config = join(dir, 'bench.yaml');
      writeFileSync(config, JSON.stringify({ audit: { enabled: audit }, metrics: { listen: 'off' } }));
      const child = await startChild([...startFlags(), '--import', 'tsx', 'src/main.ts'], childEnv({ PORT: '0', GATEHOUSE_DATA_DIR: dir, GATEHOUSE_CONFIG: config }), audit ? 'gatehouse-audit-on' : 'gatehouse-audit-off');
      children.push(child);
      // A user whose key signs GetUser (as in the HTTP bench's getuser row).
      const iam = new IAMClient({ endpoint: child.url, region: 'us-east-1', credentials: seeded.root, maxAttempts: 1 });
      await iam.send(new CreateUserCommand({ UserName: 'bench-user' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'bench-user', PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'cloudtrail:LookupEvents'], Resource: '*' }] }) }));
      const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'bench-user' }))).AccessKey!;
      return { child, root: seeded.root, user: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } };
    };
    const on = await start(true);
    const off = await start(false);

    // Row 1: alternating slices, same pool shape.
    const slices = 4;
    const sliceSeconds = Math.max(2, Math.round(options.seconds / 2));
    const totals = { on: { n: 0, s: 0, p99: [] as number[], non2xx: 0, cpuMs: 0, mainMs: 0 }, off: { n: 0, s: 0, p99: [] as number[], non2xx: 0, cpuMs: 0, mainMs: 0 } };
    for (const s of [on, off]) await load(s.child.url, await signedPool(s.child.url, s.user, 'iam', () => ({ Action: 'GetUser' }), 500), { connections: 50, seconds: 1 }); // warm-up
    for (let i = 0; i < slices; i++) {
      for (const [name, s] of (i % 2 ? [['off', off], ['on', on]] : [['on', on], ['off', off]]) as Array<['on' | 'off', typeof on]>) {
        const pool = await signedPool(s.child.url, s.user, 'iam', () => ({ Action: 'GetUser' }), 2_000);
        const cpu = [s.child.cpuMs(), threadCpuMs(s.child.pid, s.child.pid)];
        const r = await load(s.child.url, pool, { connections: 50, seconds: sliceSeconds });
        totals[name].cpuMs += s.child.cpuMs() - cpu[0]!;
        totals[name].mainMs += threadCpuMs(s.child.pid, s.child.pid) - cpu[1]!;
        totals[name].n += r.total;
        totals[name].s += sliceSeconds;
        totals[name].p99.push(r.p99);
        totals[name].non2xx += r.non2xx + r.errors + r.timeouts;
      }
    }
    const rps = (t: (typeof totals)['on']) => t.n / t.s;
    // The server's CPU per request (all its threads, and its event loop's thread alone), from /proc.
    const cpu = (t: (typeof totals)['on']) => `${Math.round((t.cpuMs * 1000) / t.n)} µs of CPU per request (event loop ${Math.round((t.mainMs * 1000) / t.n)} µs)`;
    const ratio = rps(totals.on) / rps(totals.off);
    if (totals.on.non2xx + totals.off.non2xx > 0) ok = false;
    if (ratio < 0.85) ok = false;

    // Row 2: one user's events among 1,000,000.
    const samples: number[] = [];
    const pool = await lookupPool(on.child.url, on.user, (i) => ({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: `user-${String((i * 7919) % USERS).padStart(5, '0')}` }], MaxResults: 50 }), 200);
    let found = 0;
    for (const req of pool) {
      const t = process.hrtime.bigint();
      const r = await send(on.child.url, req);
      samples.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.status !== 200) ok = false;
      else found += (JSON.parse(r.body) as { Events: unknown[] }).Events.length;
    }
    samples.sort((a, b) => a - b);
    if (pct(samples, 0.99) > 50 || found !== 200 * 50) ok = false;

    const rows = [
      ['row', 'figure', 'target', 'notes'],
      ['signed GetUser, audit on', `${Math.round(rps(totals.on)).toLocaleString('en-US')} req/s`, '', `p99 ${Math.max(...totals.on.p99)} ms, ${slices} slices of ${sliceSeconds} s, 50 connections; ${cpu(totals.on)}`],
      ['signed GetUser, audit off', `${Math.round(rps(totals.off)).toLocaleString('en-US')} req/s`, '', `p99 ${Math.max(...totals.off.p99)} ms, same slices interleaved; ${cpu(totals.off)}`],
      ['audit on / off', `${ratio.toFixed(2)}×`, '≥ 0.85×', ratio >= 0.85 ? 'met' : 'NOT MET'],
      [`LookupEvents Username among ${EVENTS.toLocaleString('en-US')}`, `p50 ${pct(samples, 0.5).toFixed(1)} ms, p99 ${pct(samples, 0.99).toFixed(1)} ms`, '≤ 50 ms', `${samples.length} sequential signed calls, 50 events each (${found} in all)`],
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    const line = (r: string[]) => r.map((v, c) => v.padEnd(widths[c]!)).join(' | ');
    console.log([line(rows[0]!), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join('\n'));
  } finally {
    for (const c of children) await c.stop();
    for (const d of dirs) removeDir(d);
  }
  return ok;
}

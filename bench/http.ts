/**
 * The HTTP benchmark (second part of `npm run bench`, issues 3 and 4): requests/s and p99 latency
 * of Gatehouse's query API next to baselines measured in the same run on the same machine:
 * - bare Express 5 answering a 1 KB body (GET, one route): the baseline every ratio divides by,
 *   measured in short slices before the first run and after every run, each ratio against the
 *   slices on either side of its run (so a machine whose load drifts skews the ratios less);
 * - a raw node:http handler answering the same 1 KB, as a second reference.
 *
 * Topology: every server (the references and Gatehouse) runs in its own child process
 * (`node --import tsx …`, NODE_ENV=production); autocannon drives it from this process over
 * loopback with 50 connections, a warm-up first, then the measured run. Gatehouse runs on SQLite
 * in a temporary data directory whose account, root key and users are written through the store
 * before the server starts (one server with 100 users, a second with 100,000). All servers are
 * started before the first run and sit idle while the others are measured.
 *
 * Every SigV4 request is signed like the AWS SDK signs it, from a pool of 2,000 distinct requests
 * signed just before the run. Each scenario is checked first (one request: 200 and the expected
 * answer), then its warm-up must have no non-2xx answer; a run with errors is reported as
 * invalid and `npm run bench` exits 1.
 */
import { cpus } from 'node:os';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetFederationTokenCommand, STSClient } from '@aws-sdk/client-sts';
import {
  BROKER,
  childEnv,
  machineBusyMs,
  load,
  removeDir,
  seedDataDir,
  send,
  signedPool,
  startChild,
  tempDir,
  type Child,
  type Credentials,
  type LoadResult,
  type PlainRequest,
} from './http-support.js';

export interface HttpBenchOptions {
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** Length of each bare-Express slice run before the first and after every other run. */
  sliceSeconds: number;
  poolSize: number;
  /** Scenario ids to run (the Express baseline always runs); all when undefined. */
  only?: Set<string>;
  /** Starts the Gatehouse children with `--cpu-prof --cpu-prof-dir DIR`. */
  cpuProfDir?: string;
}

interface Goal {
  issue: string;
  minRatio: number;
  maxP99Ms?: number;
}

interface Row {
  id: string;
  name: string;
  result?: LoadResult;
  /** Response body size of the checked request. */
  bytes?: number;
  /** req/s ÷ the mean of the Express slices run just before and just after this run. */
  ratio?: number;
  invalid?: string;
  goal?: Goal;
  /** CPU per answered request during the measured run, µs: the server child's, and autocannon's (this process). */
  serverUs?: number;
  clientUs?: number;
}

const ISSUE3: Goal = { issue: '#3', minRatio: 1.0, maxP99Ms: 20 };
const ISSUE4_GFT: Goal = { issue: '#4', minRatio: 0.6 };
const ISSUE4_TEMP: Goal = { issue: '#4', minRatio: 0.8, maxP99Ms: 20 };

const allow = (...statements: Array<{ Action: string | string[]; Resource: string }>) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements.map((s) => ({ Effect: 'Allow', ...s })) });

const count = (text: string, needle: string) => text.split(needle).length - 1;

export async function runHttpBench(options: HttpBenchOptions): Promise<boolean> {
  const wanted = (id: string) => options.only === undefined || options.only.has(id);
  // The SDK clients only set the benchmark up; their Node 20 end-of-support notice is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const rows: Row[] = [];
  /** CPU used during the runs, ms: by this process and its servers, and by everything else on the machine. */
  const cpu = { wall0: 0, machine0: 0, own0: process.cpuUsage(), wall: 0, ours: 0, others: 0 };
  const GET = [{ method: 'GET', path: '/', headers: {} }];
  const slices: LoadResult[] = [];
  const sliceCpu: Array<{ serverUs: number; clientUs: number }> = [];
  let expressChild: Child | undefined;

  /** One bare-Express slice (the server is warm); its req/s brackets the runs on either side. */
  async function slice(): Promise<LoadResult> {
    const run = await cpuOf(expressChild!, () => load(expressChild!.url, GET, { connections: options.connections, seconds: options.sliceSeconds }));
    const r = run.result;
    if (r.non2xx || r.errors) throw new Error(`bare Express slice: ${r.non2xx} non-2xx, ${r.errors} errors`);
    slices.push(r);
    sliceCpu.push(run);
    return r;
  }

  /** Runs one load and measures the CPU the server child and this process (autocannon) spent on it, per answered request. */
  async function cpuOf(server: Child, run: () => Promise<LoadResult>): Promise<{ result: LoadResult; serverUs: number; clientUs: number }> {
    const s0 = server.cpuMs();
    const c0 = process.cpuUsage();
    const result = await run();
    const c = process.cpuUsage(c0);
    const n = Math.max(1, result.total);
    return { result, serverUs: ((server.cpuMs() - s0) * 1000) / n, clientUs: (c.user + c.system) / n };
  }

  /** Checks one request, warms up, measures; records the row. */
  async function measure(server: Child, row: Row, pool: () => Promise<PlainRequest[]>, expect: (body: string) => string | undefined): Promise<void> {
    rows.push(row);
    const { url } = server;
    const t0 = Date.now();
    const requests = await pool();
    const t1 = Date.now();
    const first = await send(url, requests[0]!);
    row.bytes = Buffer.byteLength(first.body);
    const problem = first.status !== 200 ? `HTTP ${first.status}: ${first.body.slice(0, 300)}` : expect(first.body);
    if (problem) {
      row.invalid = `check failed: ${problem}`;
      return;
    }
    const warm = await load(url, requests, { connections: options.connections, seconds: options.warmupSeconds });
    if (warm.non2xx || warm.errors) {
      const last = await send(url, requests[requests.length - 1]!);
      row.invalid = `warm-up: ${warm.non2xx} non-2xx, ${warm.errors} errors (last request: HTTP ${last.status} ${last.body.slice(0, 200)})`;
      return;
    }
    const t2 = Date.now();
    const before = slices[slices.length - 1]!;
    const run = await cpuOf(server, () => load(url, requests, { connections: options.connections, seconds: options.seconds }));
    row.result = run.result;
    row.serverUs = run.serverUs;
    row.clientUs = run.clientUs;
    const t3 = Date.now();
    const after = await slice();
    row.ratio = row.result.rps / ((before.rps + after.rps) / 2);
    process.stderr.write(`  http: ${row.name}: signing ${t1 - t0} ms, check + warm-up ${t2 - t1} ms, run ${t3 - t2} ms, Express slice ${Date.now() - t3} ms\n`);
    if (row.result.non2xx || row.result.errors) row.invalid = `${row.result.non2xx} non-2xx, ${row.result.errors} errors`;
  }

  const refServer = (kind: string) => startChild(['--import', 'tsx', 'bench/http-baselines.ts', kind], childEnv({}), kind);
  const oneKb = (body: string) => (body.length === 1024 ? undefined : `body of ${body.length} bytes`);

  /** A data directory seeded with `users` users in all (the broker, users - 2 seeded, and bench-user created later through the API). */
  async function dataDir(users: number): Promise<{ dir: string; accountId: string; root: Credentials }> {
    const dir = tempDir('gatehouse-bench-');
    const started = Date.now();
    const seeded = await seedDataDir(dir, users - 2);
    process.stderr.write(`  http: seeded ${(users - 2).toLocaleString('en-US')} users in ${Date.now() - started} ms\n`);
    return { dir, accountId: seeded.accountId, root: seeded.root };
  }
  const gatehouse = (dir: string) => {
    const prof = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
    return startChild([...prof, '--import', 'tsx', 'src/main.ts'], childEnv({ PORT: '0', GATEHOUSE_DATA_DIR: dir }), 'gatehouse');
  };

  const clients = (url: string, credentials: Credentials) => {
    const common = { endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 };
    return { iam: new IAMClient(common), sts: new STSClient(common) };
  };

  /** bench-user: allowed iam:GetUser and iam:ListUsers, and to assume bench-role. */
  async function benchUser(url: string, root: Credentials, accountId: string): Promise<Credentials> {
    const { iam } = clients(url, root);
    await iam.send(new CreateUserCommand({ UserName: 'bench-user' }));
    const policy = allow({ Action: ['iam:GetUser', 'iam:ListUsers'], Resource: '*' }, { Action: 'sts:AssumeRole', Resource: `arn:aws:iam::${accountId}:role/bench-role` });
    await iam.send(new PutUserPolicyCommand({ UserName: 'bench-user', PolicyName: 'bench', PolicyDocument: policy }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'bench-user' }))).AccessKey!;
    return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  }

  const pool = (url: string, credentials: Credentials, service: 'iam' | 'sts', params: (i: number) => Record<string, string>) => () =>
    signedPool(url, credentials, service, params, options.poolSize);
  const pageOf = (n: number, truncated: boolean) => (body: string) => {
    const got = count(body, '<UserName>');
    if (got !== n) return `expected ${n} users in the page, got ${got}`;
    if (!body.includes(`<IsTruncated>${truncated}</IsTruncated>`)) return `expected IsTruncated ${truncated}`;
    return undefined;
  };

  // Everything is seeded and started before the first measurement (idle servers cost nothing),
  // so no seeding or start-up competes with a run for the CPU.
  const small = ['getuser', 'listusers-100', 'gft', 'gci-temp', 'role-listusers'].filter(wanted);
  const smallDir = small.length ? await dataDir(100) : undefined;
  const largeDir = wanted('listusers-100k') ? await dataDir(100_000) : undefined;
  const started: Child[] = [];
  const track = async (child: Promise<Child>) => {
    const c = await child;
    started.push(c);
    return c;
  };
  try {
    const t = Date.now();
    cpu.wall0 = Date.now();
    cpu.machine0 = machineBusyMs();
    cpu.own0 = process.cpuUsage();
    const [express, nodeHttp, smallGh, largeGh] = await Promise.all([
      track(refServer('express')),
      wanted('node-http') ? track(refServer('node-http')) : undefined,
      smallDir ? track(gatehouse(smallDir.dir)) : undefined,
      largeDir ? track(gatehouse(largeDir.dir)) : undefined,
    ]);
    process.stderr.write(`  http: servers started in ${Date.now() - t} ms\n`);

    // --- references ----------------------------------------------------------------------------
    expressChild = express;
    const expressUrl = express.url;
    const check = await send(expressUrl, GET[0]!);
    if (check.status !== 200 || oneKb(check.body)) throw new Error(`bare Express: HTTP ${check.status}, ${check.body.length} bytes`);
    await load(expressUrl, GET, { connections: options.connections, seconds: options.warmupSeconds });
    await slice();
    if (nodeHttp) await measure(nodeHttp, { id: 'node-http', name: 'raw node:http, GET 1 KB (reference)' }, async () => GET, oneKb);

    // --- Gatehouse, 100 users ------------------------------------------------------------------
    if (smallGh && smallDir) {
      const { url } = smallGh;
      const gh = smallGh;
      const { accountId, root } = smallDir;
      const user = await benchUser(url, root, accountId);
      const rootClients = clients(url, root);
      await rootClients.iam.send(new PutUserPolicyCommand({ UserName: BROKER, PolicyName: 'broker', PolicyDocument: allow({ Action: 'sts:GetFederationToken', Resource: '*' }) }));
      const brokerKey = (await rootClients.iam.send(new CreateAccessKeyCommand({ UserName: BROKER }))).AccessKey!;
      const broker = { accessKeyId: brokerKey.AccessKeyId!, secretAccessKey: brokerKey.SecretAccessKey! };
      const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:user/bench-user` }, Action: 'sts:AssumeRole' }] });
      await rootClients.iam.send(new CreateRoleCommand({ RoleName: 'bench-role', AssumeRolePolicyDocument: trust }));
      await rootClients.iam.send(new PutRolePolicyCommand({ RoleName: 'bench-role', PolicyName: 'read', PolicyDocument: allow({ Action: ['iam:ListUsers', 'iam:GetUser'], Resource: '*' }) }));
      const sessionPolicy = allow({ Action: 'iam:ListUsers', Resource: '*' });

      if (wanted('getuser')) {
        await measure(gh, { id: 'getuser', name: 'IAM GetUser, long-term key', goal: ISSUE3 }, pool(url, user, 'iam', () => ({ Action: 'GetUser' })), (b) =>
          b.includes('<UserName>bench-user</UserName>') ? undefined : 'no bench-user in the answer',
        );
      }
      if (wanted('listusers-100')) {
        await measure(gh, { id: 'listusers-100', name: 'IAM ListUsers MaxItems=100, 100 users' }, pool(url, user, 'iam', () => ({ Action: 'ListUsers', MaxItems: '100' })), pageOf(100, false));
      }
      if (wanted('gft')) {
        const fedPolicy = allow({ Action: 'iam:GetUser', Resource: '*' });
        await measure(gh, { id: 'gft', name: 'STS GetFederationToken, session policy', goal: ISSUE4_GFT },
          pool(url, broker, 'sts', (i) => ({ Action: 'GetFederationToken', Name: `bench-${i % 1000}`, Policy: fedPolicy, DurationSeconds: '3600' })),
          (b) => (b.includes('<SessionToken>') ? undefined : 'no SessionToken in the answer'),
        );
      }
      if (wanted('gci-temp')) {
        const fed = (await clients(url, broker).sts.send(new GetFederationTokenCommand({ Name: 'bench-fed', Policy: allow({ Action: 'iam:GetUser', Resource: '*' }), DurationSeconds: 3600 }))).Credentials!;
        const temp = { accessKeyId: fed.AccessKeyId!, secretAccessKey: fed.SecretAccessKey!, sessionToken: fed.SessionToken! };
        await measure(gh, { id: 'gci-temp', name: 'STS GetCallerIdentity, federation token', goal: ISSUE4_TEMP }, pool(url, temp, 'sts', () => ({ Action: 'GetCallerIdentity' })), (b) =>
          b.includes(`federated-user/bench-fed</Arn>`) ? undefined : 'not the federated user',
        );
      }
      if (wanted('role-listusers')) {
        const assumed = (await clients(url, user).sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/bench-role`, RoleSessionName: 'bench', Policy: sessionPolicy }))).Credentials!;
        const temp = { accessKeyId: assumed.AccessKeyId!, secretAccessKey: assumed.SecretAccessKey!, sessionToken: assumed.SessionToken! };
        await measure(gh, { id: 'role-listusers', name: 'IAM ListUsers MaxItems=100, role session' }, pool(url, temp, 'iam', () => ({ Action: 'ListUsers', MaxItems: '100' })), pageOf(100, false));
      }
    }

    // --- Gatehouse, 100,000 users --------------------------------------------------------------
    if (largeGh && largeDir) {
      const { url } = largeGh;
      const user = await benchUser(url, largeDir.root, largeDir.accountId);
      await measure(largeGh, { id: 'listusers-100k', name: 'IAM ListUsers MaxItems=100, 100,000 users' }, pool(url, user, 'iam', () => ({ Action: 'ListUsers', MaxItems: '100' })), pageOf(100, true));
    }
    cpu.wall = Date.now() - cpu.wall0;
    cpu.others = machineBusyMs() - cpu.machine0;
    const own = process.cpuUsage(cpu.own0);
    cpu.ours = (own.user + own.system) / 1000 + started.reduce((n, c) => n + c.cpuMs(), 0);
    cpu.others -= cpu.ours;
  } finally {
    await Promise.all(started.map((c) => c.stop()));
    for (const d of [smallDir, largeDir]) if (d) removeDir(d.dir);
  }

  // --- report ----------------------------------------------------------------------------------
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const rps = slices.map((r) => r.rps);
  rows.unshift({
    id: 'express',
    name: `bare Express 5, GET 1 KB (baseline: ${slices.length} × ${options.sliceSeconds} s)`,
    bytes: 1024,
    ratio: 1,
    result: { rps: mean(rps), p50: median(slices.map((r) => r.p50)), p99: median(slices.map((r) => r.p99)), total: 0, non2xx: 0, errors: 0, timeouts: 0 },
    serverUs: median(sliceCpu.map((c) => c.serverUs)),
    clientUs: median(sliceCpu.map((c) => c.clientUs)),
  });
  console.log(`\nHTTP benchmark — node ${process.version}, ${cpus().length} CPUs, ${new Date().toISOString()}`);
  console.log(
    `Servers each in a child process (node --import tsx, NODE_ENV=production${options.cpuProfDir ? ', Gatehouse with --cpu-prof' : ''}); autocannon in the bench process, ` +
      `${options.connections} connections over loopback, ${options.warmupSeconds} s warm-up then ${options.seconds} s measured. Gatehouse on SQLite (temp data dir).`,
  );
  const capacity = cpu.wall * cpus().length;
  const othersShare = cpu.others / capacity;
  console.log(
    `CPU during the runs: this benchmark and its servers ${((100 * cpu.ours) / capacity).toFixed(0)}%, other processes ${(100 * othersShare).toFixed(0)}% of ${cpus().length} CPUs × ${(cpu.wall / 1000).toFixed(0)} s.` +
      (othersShare > 0.1 ? ' WARNING: other processes competed for the CPU; the figures are noisy (compare the Express slices).' : ''),
  );
  console.log(
    `SigV4 requests: pools of ${options.poolSize} distinct requests signed just before each run. Ratio = req/s ÷ the mean of the bare-Express slices ` +
      `run just before and just after it (slices: ${Math.round(Math.min(...rps)).toLocaleString('en-US')}–${Math.round(Math.max(...rps)).toLocaleString('en-US')} req/s).\n` +
      `srv µs = CPU the server's process spent per answered request during the run (user + system, from /proc); ac µs = the same for autocannon (this process).\n`,
  );
  const head = ['benchmark', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'resp B', 'srv µs', 'ac µs', '× Express', 'goal', ''];
  const body = rows.map((r) => {
    const res = r.result;
    const ratio = r.ratio ?? NaN;
    const goal = r.goal ? `${r.goal.issue} ≥${r.goal.minRatio.toFixed(1)}×${r.goal.maxP99Ms ? `, p99 ≤${r.goal.maxP99Ms}` : ''}` : '';
    const verdict = r.invalid ? 'INVALID' : r.goal && res ? (ratio >= r.goal.minRatio && (r.goal.maxP99Ms === undefined || res.p99 <= r.goal.maxP99Ms) ? 'PASS' : 'MISS') : '';
    return [
      r.name,
      res ? Math.round(res.rps).toLocaleString('en-US') : '-',
      res ? String(res.p50) : '-',
      res ? String(res.p99) : '-',
      res ? String(res.non2xx + res.errors) : '-',
      r.bytes === undefined ? '-' : String(r.bytes),
      r.serverUs === undefined ? '-' : r.serverUs.toFixed(0),
      r.clientUs === undefined ? '-' : r.clientUs.toFixed(0),
      res ? `${ratio.toFixed(2)}×` : '-',
      goal,
      verdict,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i >= 9 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  console.log([line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n'));

  // Compared through their ratios to the Express slices around each run, which corrects for drift.
  const byId = (id: string) => rows.find((r) => r.id === id && r.result && !r.invalid);
  const l100 = byId('listusers-100');
  const l100k = byId('listusers-100k');
  if (l100 && l100k) {
    console.log(
      `\nListUsers page (MaxItems=100), 100,000 vs 100 users: ${(l100k.ratio! / l100.ratio!).toFixed(2)}× the throughput (drift-corrected; raw req/s ` +
        `${(l100k.result!.rps / l100.result!.rps).toFixed(2)}×), p99 ${l100k.result!.p99} vs ${l100.result!.p99} ms. 1.00× = a page costs the same.`,
    );
  }
  const role = byId('role-listusers');
  if (l100 && role) console.log(`Role session (token + session-policy intersection) vs long-term key, same ListUsers page: ${(role.ratio! / l100.ratio!).toFixed(2)}× the throughput (drift-corrected; issue #4: the live intersection should cost nothing extra, below 0.8× would be a miss).`);
  for (const r of rows) if (r.invalid) console.log(`INVALID ${r.name}: ${r.invalid}`);
  return rows.every((r) => !r.invalid);
}

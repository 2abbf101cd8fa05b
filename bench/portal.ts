/**
 * The portal benchmark (third part of `npm run bench`, issue 6): directory sign-ins per second
 * and "open console" latency, against a real OpenLDAP slapd holding 1,000 users in four groups
 * (bench/portal-slapd.ts), next to two raw figures measured in the same run against the same
 * slapd:
 * - (1) ldapts 8 on a new connection per login: connect, service bind, user search, user bind,
 *       unbind (one connection);
 * - (2) ldapauth-fork used exactly as passport-ldapauth uses it: a new LdapAuth per login,
 *       `authenticate()`, then `close()`, with the portal's own options (src/directory/options.ts:
 *       same attributes, same group search);
 * - (2c) diagnostic: Gatehouse's LdapConnector.login() in this process, without HTTP (adds the
 *       connector's nested-group search, filter re-encoding and deadline to (2));
 * - (3) the full portal sign-in against a Gatehouse child process configured (YAML, temp dir)
 *       with `directory:` pointing at that slapd: GET /portal/ (the sign-in form: CSRF token
 *       and its signed cookie, no session), then POST /portal/login (service bind, user search,
 *       user bind, group searches, a new session stored), distinct users round-robin, every
 *       answer checked (303 to /portal/ with a session cookie);
 * - (3p) the issue's figure, "the full POST /portal/login": the same POST, each worker posting
 *       the form it fetched once (a double-submit CSRF token is valid until it expires), without
 *       sending the new session cookie back, so every POST is a whole new sign-in.
 * All at 20 concurrent sign-ins, closed loop. (2) and (1) run before and after (3p) and (3), and
 * each is compared with the mean of the (2) runs (drift correction on a shared machine).
 *
 * Then a CPU profile of the Gatehouse child during a separate stretch of (3p) (in-process
 * inspector, bench/portal-profiler.ts), summarised by component, which says where the gap
 * between (3p) and (1) goes; and "open console": POST /portal/console (mint, sign-in token,
 * 303 to /federation?Action=login…), then the GET of that URL (→ 302 to the console), for a
 * `via: federation` and a `via: role` permission set, sequential then 20 concurrent.
 *
 * Set-up: Gatehouse is started once to bootstrap its data dir; the broker's policy and the
 * role are created with @aws-sdk/client-iam as root; it is stopped and started again with the
 * permission sets. The portal's rate limits are raised to their maxima (`attemptsPerIp` 10,000
 * per 15 minutes, `failuresPerAccount` 100) and each worker signs in from its own loopback
 * source address (127.1.W.x, a fresh one every 4,000 attempts) so that no limit is reached.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { Client as LdaptsClient } from 'ldapts';
import LdapAuth from 'ldapauth-fork';
import { CreateRoleCommand, GetUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { LdapConnector } from '../src/directory/ldap-connector.js';
import { ldapAuthOptions, searchAttributes, tlsOptionsFor, type DirectorySettings } from '../src/directory/options.js';
import { silentLogger } from '../src/shared/logger.js';
import { slapdSkip } from '../test/support/slapd.js';
import { BROKER, ROOT, childEnv, startChild, tempDir, removeDir, type Child } from './http-support.js';
import { startBenchSlapd, GROUPS, PEOPLE, SERVICE_DN, type BenchSlapd, type BenchUser } from './portal-slapd.js';
import {
  closedLoop,
  cookieFrom,
  cpuSince,
  cpuSnapshot,
  csrfFrom,
  form,
  HttpWorker,
  percentile,
  summariseProfile,
  within,
  type CpuUse,
  type LoadRun,
  type OpResult,
} from './portal-support.js';

export interface PortalBenchOptions {
  /** Measured seconds of the portal run (3); the raw baselines run half as long, twice each. */
  seconds: number;
  /** Keep the Gatehouse CPU profile in this directory. */
  cpuProfDir?: string;
}

const USERS = 1_000;
const CONCURRENCY = 20;
const GOAL_RATIO = 0.8;
const GOAL_P99_MS = 50;
const OP_DEADLINE_MS = 5_000;
const COOKIE = 'gatehouse-portal';
const CSRF_COOKIE = 'gatehouse-portal-csrf';
const ATTEMPTS_PER_ADDRESS = 4_000;

interface Row {
  id: string;
  name: string;
  runs: LoadRun[];
  cpu: CpuUse[];
  /** Latency key shown as p50/p99, and a second one shown beside it. */
  key: string;
  second?: string;
}

const allow = (...statements: Array<{ Action: string | string[]; Resource: string }>) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements.map((s) => ({ Effect: 'Allow', ...s })) });

const ms = (t0: number) => performance.now() - t0;
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const int = (n: number) => Math.round(n).toLocaleString('en-US');

function merge(runs: LoadRun[]): { ops: number; failures: number; perSecond: number; ms: Record<string, Float64Array>; why: Map<string, number> } {
  const keys = new Set(runs.flatMap((r) => Object.keys(r.ms)));
  const out: Record<string, Float64Array> = {};
  for (const k of keys) out[k] = Float64Array.from(runs.flatMap((r) => [...(r.ms[k] ?? [])])).sort();
  const why = new Map<string, number>();
  for (const r of runs) for (const [k, v] of r.why) why.set(k, (why.get(k) ?? 0) + v);
  const ok = runs.reduce((n, r) => n + r.ops - r.failures, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  return { ops: runs.reduce((n, r) => n + r.ops, 0), failures: runs.reduce((n, r) => n + r.failures, 0), perSecond: ok / seconds, ms: out, why };
}

function sumCpu(list: CpuUse[]): CpuUse {
  const procs: Record<string, number> = {};
  for (const c of list) for (const [k, v] of Object.entries(c.procs)) procs[k] = (procs[k] ?? 0) + v;
  return { wallMs: list.reduce((n, c) => n + c.wallMs, 0), bench: list.reduce((n, c) => n + c.bench, 0), procs, others: list.reduce((n, c) => n + c.others, 0) };
}

export async function runPortalBench(options: PortalBenchOptions): Promise<boolean> {
  const skip = slapdSkip();
  if (skip) {
    console.log(`\nPortal benchmark skipped: ${skip}`);
    return true;
  }
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const log = (text: string) => process.stderr.write(`  portal: ${text}\n`);
  const baseSeconds = Math.max(2, options.seconds / 2);
  const t00 = performance.now();

  let slapd: BenchSlapd | undefined;
  let gatehouse: Child | undefined;
  let dir: string | undefined;
  const workers: HttpWorker[] = [];
  const rows: Row[] = [];
  let ok = true;
  try {
    // --- the directory -------------------------------------------------------------------------
    let t = performance.now();
    slapd = await startBenchSlapd(USERS);
    log(`slapd with ${USERS} users started in ${fmt(ms(t), 0)} ms (${slapd.url})`);
    const users = slapd.users;
    const settings: DirectorySettings = {
      url: slapd.url,
      bindDN: SERVICE_DN,
      bindCredentials: slapd.servicePassword,
      searchBase: PEOPLE,
      searchFilter: '(uid={{username}})',
      groupSearchBase: GROUPS,
      groupSearchFilter: '(member={{dn}})',
      timeoutMs: OP_DEADLINE_MS,
    };
    const attributes = searchAttributes(settings.searchFilter);

    // --- Gatehouse: bootstrap, IAM set-up as root, restart with the permission sets -------------
    dir = tempDir('gatehouse-bench-portal-');
    const configFile = join(dir, 'gatehouse.yaml');
    const profileFile = join(dir, 'gatehouse-portal.cpuprofile');
    const config: Record<string, unknown> = {
      directory: { ...settings },
      portal: { failuresPerAccount: 100, attemptsPerIp: 10_000 },
    };
    writeFileSync(configFile, stringify(config), { mode: 0o600 });
    const env = childEnv({ PORT: '0', GATEHOUSE_DATA_DIR: dir, BENCH_CPU_PROFILE: profileFile });
    t = performance.now();
    const boot = await startChild(['--import', 'tsx', 'src/main.ts', '--config', configFile], env, 'gatehouse (bootstrap)');
    gatehouse = boot;
    const root = JSON.parse(readFileSync(join(dir, 'root-credentials.json'), 'utf8')) as { AccessKeyId: string; SecretAccessKey: string };
    const iam = new IAMClient({ endpoint: boot.url, region: 'us-east-1', credentials: { accessKeyId: root.AccessKeyId, secretAccessKey: root.SecretAccessKey }, maxAttempts: 1 });
    const brokerArn = (await iam.send(new GetUserCommand({ UserName: BROKER }))).User!.Arn!;
    const accountId = brokerArn.split(':')[4]!;
    const roleArn = `arn:aws:iam::${accountId}:role/bench-portal-operator`;
    await iam.send(new PutUserPolicyCommand({
      UserName: BROKER,
      PolicyName: 'portal-broker',
      PolicyDocument: allow({ Action: 'sts:GetFederationToken', Resource: '*' }, { Action: 'sts:AssumeRole', Resource: roleArn }, { Action: ['iam:Get*', 'iam:List*'], Resource: '*' }),
    }));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: brokerArn }, Action: 'sts:AssumeRole' }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'bench-portal-operator', AssumeRolePolicyDocument: trust }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'bench-portal-operator', PolicyName: 'read', PolicyDocument: allow({ Action: ['iam:Get*', 'iam:List*'], Resource: '*' }) }));
    iam.destroy();
    await boot.stop();
    gatehouse = undefined;
    config.permissionSets = [
      { name: 'Developer', description: 'bench: via federation', groups: ['engineering'], via: 'federation', policy: JSON.parse(allow({ Action: ['iam:Get*', 'iam:List*'], Resource: '*' })) as unknown },
      { name: 'Operator', description: 'bench: via role', groups: ['admins'], via: 'role', roleArn },
    ];
    writeFileSync(configFile, stringify(config), { mode: 0o600 });
    const profiler = pathToFileURL(join(ROOT, 'bench/portal-profiler.ts')).href;
    gatehouse = await startChild(['--import', 'tsx', '--import', profiler, 'src/main.ts', '--config', configFile], env, 'gatehouse');
    const gh = gatehouse;
    log(`Gatehouse bootstrapped, IAM set up, restarted with the permission sets in ${fmt(ms(t) / 1000)} s (${gh.url})`);
    const pids = { gatehouse: gh.pid, slapd: slapd.pid };
    const base = new URL(gh.url);
    const consoleUrl = `${gh.url}/console/`;

    // --- the operations -----------------------------------------------------------------------
    let next = 0;
    const nextUser = (): BenchUser => users[next++ % users.length]!;

    /** (1) ldapts, one new connection: bind as the service, search, bind as the user, unbind. */
    const ldaptsLogin = async (): Promise<OpResult> => {
      const u = nextUser();
      const t0 = performance.now();
      const client = new LdaptsClient({ url: settings.url, timeout: OP_DEADLINE_MS, connectTimeout: OP_DEADLINE_MS });
      try {
        await client.bind(SERVICE_DN, slapd!.servicePassword);
        const { searchEntries } = await client.search(PEOPLE, { scope: 'sub', filter: `(uid=${u.uid})`, attributes, sizeLimit: 2 });
        if (searchEntries.length !== 1 || searchEntries[0]!.dn !== u.dn) return { ok: false, why: `ldapts: ${searchEntries.length} entries for ${u.uid}` };
        await client.bind(searchEntries[0]!.dn, u.password);
      } finally {
        await client.unbind();
      }
      return { ok: true, ms: { login: ms(t0) } };
    };

    /** (2) ldapauth-fork as passport-ldapauth uses it: new LdapAuth, authenticate, close. */
    const ldapauthLogin = async (): Promise<OpResult> => {
      const u = nextUser();
      const t0 = performance.now();
      const auth = new LdapAuth(ldapAuthOptions(settings, tlsOptionsFor(settings)));
      const user = await within(
        OP_DEADLINE_MS,
        'ldapauth-fork authenticate',
        new Promise<Record<string, unknown>>((resolve, reject) => {
          auth.once('error', reject);
          auth.on('error', () => {});
          auth.authenticate(u.uid, u.password, (err, found) => {
            auth.close(() => {});
            if (err) reject(err instanceof Error ? err : new Error(String(err)));
            else resolve(found as Record<string, unknown>);
          });
        }),
        () => auth.close(() => {}),
      );
      const groups = (user._groups as unknown[] | undefined)?.length ?? 0;
      if (user.uid !== u.uid || groups !== u.groups.length) return { ok: false, why: `ldapauth-fork: ${String(user.uid)} with ${groups} groups for ${u.uid}` };
      return { ok: true, ms: { login: ms(t0) } };
    };

    /** (2c) Gatehouse's connector in this process, no HTTP. */
    const connector = new LdapConnector(settings, silentLogger);
    const connectorLogin = async (): Promise<OpResult> => {
      const u = nextUser();
      const t0 = performance.now();
      const r = await connector.login(u.uid, u.password);
      if (!r.ok) return { ok: false, why: `connector: ${r.reason}${r.reason === 'unavailable' ? ` ${r.error.message}: ${String((r.error.cause as Error | undefined)?.message)}` : ''}` };
      if (r.user.groups.length !== u.groups.length) return { ok: false, why: `connector: ${r.user.groups.length} groups for ${u.uid}` };
      return { ok: true, ms: { login: ms(t0) } };
    };

    /** (3) GET /portal/ (cookie + CSRF token), then POST /portal/login; checks the 303 and the new session. */
    const attempts = new Array<number>(CONCURRENCY).fill(0);
    const address = (w: number) => `127.1.${w}.${1 + Math.floor(attempts[w]! / ATTEMPTS_PER_ADDRESS)}`;
    for (let w = 0; w < CONCURRENCY; w++) workers.push(new HttpWorker(base, address(w)));
    const portalLogin = async (w: number): Promise<OpResult> => {
      const u = nextUser();
      const worker = workers[w]!;
      if (attempts[w]! > 0 && attempts[w]! % ATTEMPTS_PER_ADDRESS === 0) worker.rebind(address(w));
      const t0 = performance.now();
      const page = await worker.send('GET', '/portal/', {});
      const token = csrfFrom(page.body);
      const cookie = cookieFrom(page.headers, CSRF_COOKIE);
      if (page.status !== 200 || !token || !cookie) return { ok: false, why: `GET /portal/: HTTP ${page.status}${token ? '' : ', no CSRF token'}${cookie ? '' : ', no CSRF cookie'}` };
      if (cookieFrom(page.headers, COOKIE)) return { ok: false, why: 'GET /portal/: a session cookie before sign-in' };
      const t1 = performance.now();
      attempts[w]!++;
      const res = await worker.send('POST', '/portal/login', { cookie }, form({ _csrf: token, set: '', username: u.uid, password: u.password }));
      const post = ms(t1);
      const session = cookieFrom(res.headers, COOKIE);
      if (res.status !== 303 || res.headers.location !== '/portal/') return { ok: false, why: `POST /portal/login: HTTP ${res.status} to ${res.headers.location ?? '(no location)'}` };
      if (!session) return { ok: false, why: 'POST /portal/login: 303 without a session cookie' };
      return { ok: true, ms: { post, cycle: ms(t0) } };
    };

    /**
     * (3p) POST /portal/login alone: the issue's measure. Each worker fetches the form once and
     * posts it for every sign-in while its CSRF cookie is valid (a double-submit token is not
     * single-use; a browser fetches the form once per visit). The session cookie is not sent back.
     */
    const forms = new Array<{ token: string; cookie: string } | undefined>(CONCURRENCY);
    const postLogin = async (w: number): Promise<OpResult> => {
      const u = nextUser();
      const worker = workers[w]!;
      if (attempts[w]! > 0 && attempts[w]! % ATTEMPTS_PER_ADDRESS === 0) worker.rebind(address(w));
      if (!forms[w]) {
        const page = await worker.send('GET', '/portal/', {});
        const token = csrfFrom(page.body);
        const cookie = cookieFrom(page.headers, CSRF_COOKIE);
        if (page.status !== 200 || !token || !cookie) return { ok: false, why: `GET /portal/: HTTP ${page.status}` };
        forms[w] = { token, cookie };
      }
      const f = forms[w];
      const t0 = performance.now();
      attempts[w]!++;
      const res = await worker.send('POST', '/portal/login', { cookie: f.cookie }, form({ _csrf: f.token, set: '', username: u.uid, password: u.password }));
      const post = ms(t0);
      if (res.status === 403) forms[w] = undefined; // the form expired: fetch a new one next time
      if (res.status !== 303 || res.headers.location !== '/portal/') return { ok: false, why: `POST /portal/login: HTTP ${res.status} to ${res.headers.location ?? '(no location)'}` };
      if (!cookieFrom(res.headers, COOKIE)) return { ok: false, why: 'POST /portal/login: 303 without a session cookie' };
      return { ok: true, ms: { post } };
    };

    // --- a check of each, then warm-ups --------------------------------------------------------
    for (const [name, op] of [['ldapts', ldaptsLogin], ['ldapauth-fork', ldapauthLogin], ['connector', connectorLogin], ['portal', () => portalLogin(0)], ['portal POST', () => postLogin(0)]] as const) {
      const r = await op();
      if (!r.ok) throw new Error(`portal benchmark: the first ${name} sign-in failed: ${r.why}`);
    }
    t = performance.now();
    for (const op of [ldaptsLogin, ldapauthLogin, connectorLogin]) await closedLoop(CONCURRENCY, { seconds: 1 }, op);
    await closedLoop(CONCURRENCY, { seconds: 2 }, portalLogin);
    await closedLoop(CONCURRENCY, { seconds: 1 }, postLogin);
    log(`checked and warmed up in ${fmt(ms(t) / 1000)} s`);

    // --- measured runs: (2) (1) (3) (1) (2), then (2c) -----------------------------------------
    const measure = async (row: Row, seconds: number, op: (w: number) => Promise<OpResult>) => {
      const snap = cpuSnapshot(pids);
      const run = await closedLoop(CONCURRENCY, { seconds }, op);
      row.cpu.push(cpuSince(snap));
      row.runs.push(run);
      log(`${row.id}: ${int(run.perSecond)} logins/s, ${run.failures} failures`);
    };
    const raw1: Row = { id: '(1)', name: '(1) ldapts 8, new connection per login', runs: [], cpu: [], key: 'login' };
    const raw2: Row = { id: '(2)', name: '(2) ldapauth-fork, new client per login + close()', runs: [], cpu: [], key: 'login' };
    const conn: Row = { id: '(2c)', name: '(2c) LdapConnector.login() in-process, no HTTP', runs: [], cpu: [], key: 'login' };
    const portal: Row = { id: '(3)', name: '(3) portal: GET /portal/ + POST /portal/login', runs: [], cpu: [], key: 'post', second: 'cycle' };
    const posts: Row = { id: '(3p)', name: '(3p) portal: POST /portal/login alone', runs: [], cpu: [], key: 'post' };
    rows.push(raw1, raw2, conn, portal, posts);
    await measure(raw2, baseSeconds, ldapauthLogin);
    await measure(raw1, baseSeconds, ldaptsLogin);
    await measure(posts, options.seconds, postLogin);
    await measure(portal, options.seconds, portalLogin);
    await measure(raw1, baseSeconds, ldaptsLogin);
    await measure(raw2, baseSeconds, ldapauthLogin);
    await measure(conn, baseSeconds, connectorLogin);
    await connector.close();

    // --- a CPU profile of the Gatehouse child during a separate stretch of (3) -----------------
    process.kill(gh.pid, 'SIGUSR2');
    await new Promise((r) => setTimeout(r, 200));
    const profSnap = cpuSnapshot(pids);
    const profRun = await closedLoop(CONCURRENCY, { seconds: 4 }, postLogin);
    const profCpu = cpuSince(profSnap);
    process.kill(gh.pid, 'SIGUSR2');
    for (let i = 0; i < 100 && !existsSync(profileFile); i++) await new Promise((r) => setTimeout(r, 100));
    if (!existsSync(profileFile)) throw new Error('the Gatehouse CPU profile was not written');
    if (options.cpuProfDir) mkdirSync(options.cpuProfDir, { recursive: true });
    if (options.cpuProfDir) copyFileSync(profileFile, join(options.cpuProfDir, `gatehouse-portal-${Date.now()}.cpuprofile`));
    const profile = summariseProfile(JSON.parse(readFileSync(profileFile, 'utf8')), ROOT);
    log(`profiled run: ${int(profRun.perSecond)} logins/s, ${profRun.failures} failures`);

    // --- open console -------------------------------------------------------------------------
    const consoleUsers = users.filter((u) => u.groups.includes('engineering') && u.groups.includes('admins')).slice(0, CONCURRENCY);
    const sessions: Array<{ worker: HttpWorker; cookie: string; token: string }> = [];
    for (const [i, u] of consoleUsers.entries()) {
      const worker = new HttpWorker(base, `127.2.0.${i + 1}`);
      workers.push(worker);
      const page = await worker.send('GET', '/portal/', {});
      const login = await worker.send('POST', '/portal/login', { cookie: cookieFrom(page.headers, CSRF_COOKIE)! }, form({ _csrf: csrfFrom(page.body)!, set: '', username: u.uid, password: u.password }));
      const cookie = cookieFrom(login.headers, COOKIE);
      if (login.status !== 303 || !cookie) throw new Error(`console set-up: sign-in of ${u.uid} answered ${login.status}`);
      const home = await worker.send('GET', '/portal/', { cookie });
      const token = csrfFrom(home.body);
      if (home.status !== 200 || !token || !home.body.includes('Developer') || !home.body.includes('Operator')) throw new Error(`console set-up: ${u.uid}'s portal page lacks a token or the permission sets`);
      sessions.push({ worker, cookie, token });
    }
    const openConsole = (set: string) => async (w: number): Promise<OpResult> => {
      const s = sessions[w]!;
      const t0 = performance.now();
      const res = await s.worker.send('POST', '/portal/console', { cookie: s.cookie }, form({ _csrf: s.token, permissionSet: set }));
      const post = ms(t0);
      const location = res.headers.location ?? '';
      if (res.status !== 303 || !location.startsWith('/federation?Action=login&') || !location.includes('SigninToken=')) return { ok: false, why: `POST /portal/console: HTTP ${res.status} to ${location.slice(0, 60) || '(no location)'}` };
      const t1 = performance.now();
      const fed = await s.worker.send('GET', location, {});
      if (fed.status !== 302 || fed.headers.location !== consoleUrl) return { ok: false, why: `GET /federation login: HTTP ${fed.status} to ${fed.headers.location ?? '(no location)'}` };
      return { ok: true, ms: { post, federation: ms(t1), chain: ms(t0) } };
    };
    const consoleRows: Row[] = [];
    for (const [set, via] of [['Developer', 'federation'], ['Operator', 'role']] as const) {
      await closedLoop(1, { count: 30 }, openConsole(set)); // warm-up
      for (const [concurrency, count] of [[1, 300], [CONCURRENCY, 600]] as const) {
        const row: Row = { id: `console-${via}-${concurrency}`, name: `open console, via: ${via}, ${concurrency === 1 ? 'sequential' : `${concurrency} concurrent`} (${count})`, runs: [], cpu: [], key: 'post', second: 'chain' };
        const snap = cpuSnapshot(pids);
        row.runs.push(await closedLoop(concurrency, { count }, openConsole(set)));
        row.cpu.push(cpuSince(snap));
        consoleRows.push(row);
      }
    }
    rows.push(...consoleRows);

    // --- report -------------------------------------------------------------------------------
    const n = cpus().length;
    const m = (r: Row) => merge(r.runs);
    const perLogin = (r: Row) => {
      const c = sumCpu(r.cpu);
      const okOps = r.runs.reduce((a, x) => a + x.ops - x.failures, 0);
      return { bench: c.bench / okOps, gatehouse: (c.procs.gatehouse ?? 0) / okOps, slapd: (c.procs.slapd ?? 0) / okOps, othersShare: c.others / (c.wallMs * n) };
    };
    const all = sumCpu(rows.flatMap((r) => r.cpu));
    const ours = all.bench + Object.values(all.procs).reduce((a, b) => a + b, 0);
    console.log(`\nPortal benchmark — node ${process.version}, ${n} CPUs, ${new Date().toISOString()}, module ${fmt(ms(t00) / 1000, 0)} s`);
    console.log(
      `OpenLDAP slapd (mdb, dynlist memberOf) with ${USERS.toLocaleString('en-US')} users in 4 groups; ${CONCURRENCY} concurrent sign-ins, closed loop, distinct users round-robin; ` +
        `(1), (2), (2c) run in this process, (3) against a Gatehouse child (NODE_ENV=production, log level info, SQLite sessions) driven over loopback keep-alive.`,
    );
    console.log(
      `CPU during the measured runs: this benchmark, Gatehouse and slapd ${fmt((100 * ours) / (all.wallMs * n), 0)}%, other processes ${fmt((100 * all.others) / (all.wallMs * n), 0)}% of ${n} CPUs × ${fmt(all.wallMs / 1000, 0)} s.` +
        (all.others / (all.wallMs * n) > 0.1 ? ' WARNING: other processes competed for the CPU; the figures are noisy.' : ''),
    );
    const head = ['', 'logins/s', 'p50 ms', 'p99 ms', 'failed', 'CPU ms/login: bench', 'Gatehouse', 'slapd', 'others'];
    const table: string[][] = [];
    for (const r of [raw1, raw2, conn, portal, posts]) {
      const x = m(r);
      const c = perLogin(r);
      const rates = r.runs.map((run) => int(run.perSecond));
      const lat = (k: string) => `${fmt(percentile(x.ms[k], 50))}`;
      const p99 = (k: string) => `${fmt(percentile(x.ms[k], 99))}`;
      table.push([
        r.runs.length > 1 ? `${r.name} [${rates.join(', ')}]` : r.name,
        int(x.perSecond),
        r.second ? `${lat(r.key)} (${lat(r.second)})` : lat(r.key),
        r.second ? `${p99(r.key)} (${p99(r.second)})` : p99(r.key),
        `${x.failures}/${int(x.ops)}`,
        fmt(c.bench, 2),
        fmt(c.gatehouse, 2),
        fmt(c.slapd, 2),
        `${fmt(100 * c.othersShare, 0)}%`,
      ]);
    }
    const widths = head.map((h, i) => Math.max(h.length, ...table.map((b) => b[i]!.length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
    console.log('');
    console.log([line(head), ...table.map(line)].join('\n'));
    console.log(`(3): logins/s counts whole sign-ins (GET + POST); p50/p99 are of the POST, in brackets of GET + POST. Every GET answered the form without a session cookie, and every POST 303 to /portal/ with a session cookie, unless counted as failed.`);
    console.log(`(3p): the same POST, each worker posting the form it fetched once (its CSRF cookie stays valid for the idle timeout): the issue's measure, "the full POST /portal/login".`);
    console.log(`(2) includes the group search ((member={{dn}}) under ${GROUPS}, the portal's options from src/directory/options.ts); the portal adds one nested-group search per login. (1) has no group search, as specified.`);

    const r2 = raw2.runs.map((r) => r.perSecond);
    const r1 = raw1.runs.map((r) => r.perSecond);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const invalid = rows.some((r) => r.runs.some((x) => x.failures > 0));
    for (const row of [posts, portal]) {
      const x = m(row);
      const ratio = x.perSecond / mean(r2);
      const p99 = percentile(x.ms.post, 99);
      const verdict = invalid ? 'INVALID (failures)' : ratio >= GOAL_RATIO && p99 <= GOAL_P99_MS ? 'PASS' : 'MISS';
      console.log(
        `${row === posts ? '\nGoal (issue 6)' : 'The same goal applied to'} ${row.id}: ≥ ${GOAL_RATIO * 100} % of (2), p99 ≤ ${GOAL_P99_MS} ms. ${row.id}/(2) = ${fmt(100 * ratio, 0)} % (vs the mean of the (2) runs before and after), ` +
          `${row.id}/(1) = ${fmt((100 * x.perSecond) / mean(r1), 0)} %, POST p99 ${fmt(p99)} ms: ${verdict}` +
          (ratio < GOAL_RATIO ? ' — throughput short' : '') + (p99 > GOAL_P99_MS ? ' — p99 over' : ''),
      );
    }

    // Where the gap goes: CPU per login by process, and Gatehouse's split by component.
    const c1 = perLogin(raw1);
    const c2 = perLogin(raw2);
    const c2c = perLogin(conn);
    const c3 = perLogin(posts);
    const ghPerLogin = c3.gatehouse;
    console.log(
      `\nCPU per sign-in, all processes: (1) ${fmt(c1.bench + c1.slapd, 2)} ms (ldapts ${fmt(c1.bench, 2)} + slapd ${fmt(c1.slapd, 2)}); ` +
        `(2) ${fmt(c2.bench + c2.slapd, 2)} ms (ldapauth-fork ${fmt(c2.bench, 2)} + slapd ${fmt(c2.slapd, 2)}); ` +
        `(3p) ${fmt(c3.bench + c3.gatehouse + c3.slapd, 2)} ms (Gatehouse ${fmt(c3.gatehouse, 2)} + slapd ${fmt(c3.slapd, 2)} + HTTP driver ${fmt(c3.bench, 2)}).`,
    );
    console.log(
      `Gatehouse CPU profile (separate ${fmt(profRun.seconds, 0)} s stretch of (3p), ${int(profRun.perSecond)} logins/s, ${profRun.failures} failures; ` +
        `${fmt(profile.busyMs, 0)} ms busy, ${fmt(profCpu.procs.gatehouse ?? 0, 0)} ms CPU by /proc): share × the ${fmt(ghPerLogin, 2)} ms/login of the measured run:`,
    );
    for (const c of profile.components) {
      if (c.share < 0.005) continue;
      const parts = c.top.filter(([k, s]) => s >= 0.005 && !(c.top.length === 1 && k.startsWith('(')));
      const top = parts.map(([k, s]) => `${k} ${fmt(100 * s, 0)}%`).join(', ');
      console.log(`  ${fmt(100 * c.share, 1).padStart(5)} %  ${fmt(c.share * ghPerLogin, 2).padStart(5)} ms  ${c.name}${top ? `  [${top}]` : ''}`);
    }
    console.log(`  top functions (self): ${profile.functions.slice(0, 5).map(([k, s]) => `${k} ${fmt(100 * s, 1)}%`).join('; ')}`);
    const share = (prefix: string) => profile.components.find((c) => c.name.startsWith(prefix))?.share ?? 0;
    const ldapInGh = share('LDAP client') * ghPerLogin;
    const httpSide = (share('sessions') + share('sign-in rate') + share('page rendering') + share('logging') + share('Express') + share('HTTP socket') + share('portal routes') + share('other packages')) * ghPerLogin;
    const rest = ghPerLogin - ldapInGh - httpSide;
    const gap = c3.bench + c3.gatehouse + c3.slapd - (c1.bench + c1.slapd);
    console.log(
      `Gap (3p) vs (1): ${fmt(gap, 2)} ms more CPU per sign-in. The LDAP client costs ${fmt(ldapInGh, 2)} ms in Gatehouse (ldapjs/ldapauth-fork on a kept session: user search, user bind, group search, and the nested-group search when not cached) vs ${fmt(c1.bench, 2)} ms for ldapts (a new connection: 2 binds + 1 search + unbind) ` +
        `(in-process: (2) ${fmt(c2.bench, 2)}, (2c) ${fmt(c2c.bench, 2)}); the web side (sessions/CSRF/SQLite, Express, response writes, rate limits, ejs, pino, routes) ${fmt(httpSide, 2)} ms; ` +
        `GC, V8 and socket I/O ${fmt(rest, 2)} ms; slapd ${fmt(c3.slapd - c1.slapd, 2)} ms more (group searches; no connects or service bind); the HTTP driver ${fmt(c3.bench, 2)} ms.`,
    );

    // Open console.
    console.log('\nOpen console: POST /portal/console (mint, sign-in token, 303) for a signed-in session, then GET /federation?Action=login… (302 to the console).');
    const chead = ['', 'POST p50', 'POST p99', 'chain p50', 'chain p99', 'failed', 'goal p99 ≤ 50 ms'];
    const ctable = consoleRows.map((r) => {
      const x = m(r);
      const p = percentile(x.ms.post, 99);
      return [r.name, fmt(percentile(x.ms.post, 50)), fmt(p), fmt(percentile(x.ms.chain, 50)), fmt(percentile(x.ms.chain, 99)), `${x.failures}/${x.ops}`, x.failures ? 'INVALID' : p <= GOAL_P99_MS ? 'PASS' : 'MISS'];
    });
    const cw = chead.map((h, i) => Math.max(h.length, ...ctable.map((b) => b[i]!.length)));
    const cline = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(cw[i]!) : c.padStart(cw[i]!))).join('  ').trimEnd();
    console.log([cline(chead), ...ctable.map(cline)].join('\n'));
    for (const r of rows) for (const [why, count] of merge(r.runs).why) console.log(`FAILED ${r.name}: ${count} × ${why}`);
    if (invalid) ok = false;
  } finally {
    for (const w of workers) w.close();
    await gatehouse?.stop();
    await slapd?.cleanup();
    if (dir) removeDir(dir);
  }
  return ok;
}

/**
 * Shared pieces of the portal suites: a Gatehouse whose `directory:` is a real slapd
 * (test/support/slapd.ts) and whose permission sets map its groups, built in two starts over
 * one data directory (the first bootstraps the account, so the broker policy and the role a
 * `via: role` set needs can be created with the SDK; the second loads the permission sets);
 * a TCP relay in front of slapd (counts connections; can go silent or down); and a portal
 * client over a supertest agent (cookie jar).
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { CreateRoleCommand, GetUserCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import supertest from 'supertest';
import type { Clock } from '../../src/shared/clock.js';
import type { Logger } from '../../src/shared/logger.js';
import { tempDir } from '../support/files.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { SUFFIX, type Slapd } from '../support/slapd.js';
import { text } from '../support/html.js';

export type Agent = ReturnType<typeof supertest.agent>;

export const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[]) => ({ Effect: 'Allow', Action, Resource: '*' });

/** The permission sets over the slapd test groups (roleArn filled in once the account exists). */
export function permissionSets(accountId: string): object[] {
  return [
    // direct membership (alice), by bare CN
    { name: 'Developer', description: 'S3 and DynamoDB for developers', groups: ['developers'], policy: doc(allow(['s3:*', 'dynamodb:*'])), sessionHours: 1 },
    // one level of nesting (alice via developers), by full DN
    { name: 'Engineering', description: 'EC2 describe for engineering', groups: [`cn=engineering,ou=groups,${SUFFIX}`], policy: doc(allow('ec2:Describe*')), sessionHours: 2 },
    // two levels (alice) and direct (bob); the DN spelt with other case and spaces
    { name: 'Staff', description: 'Read IAM (everyone on staff)', groups: ['CN=Staff, OU=Groups, DC=Example, DC=Com'], policy: doc(allow(['iam:Get*', 'iam:List*'])), sessionHours: 1 },
    // via role (bob)
    { name: 'Admin', description: 'Administer IAM (role PortalAdmin)', groups: ['admins'], via: 'role', roleArn: `arn:aws:iam::${accountId}:role/portal/PortalAdmin`, sessionHours: 1 },
    // a member DN with parentheses (eve)
    { name: 'Ops', description: 'Operations', groups: [`cn=ops,ou=groups,${SUFFIX}`], policy: doc(allow('ec2:Describe*')), sessionHours: 1 },
  ];
}

/** What each slapd test user should see. */
export const EXPECTED_SETS: Record<string, string[]> = {
  alice: ['Developer', 'Engineering', 'Staff'],
  bob: ['Staff', 'Admin'],
  carol: [],
  eve: ['Ops'],
};

export interface PortalEnvOptions {
  clock?: Clock;
  logger?: Logger;
  /** The directory URL (default slapd.url), e.g. a relay's. */
  directoryUrl?: string;
  /** Extra `directory:` keys (e.g. timeoutMs, tlsOptions). */
  directory?: Record<string, unknown>;
  /** `portal:` keys. Default: generous per-IP limit (many sign-ins per file), 5 failures per account. */
  portal?: Record<string, unknown>;
  /** Other top-level config keys (server, sessions, …). */
  extra?: Record<string, unknown>;
}

export interface PortalEnv {
  gh: TestGatehouse;
  slapd: Slapd;
  dataDir: string;
  accountId: string;
  /** Writes a config (same directory and sets, with overrides) and starts another instance on the same data dir. */
  another(options?: PortalEnvOptions): Promise<TestGatehouse>;
  close(): Promise<void>;
}

const BROKER_POLICY = doc(
  { Effect: 'Allow', Action: ['sts:GetFederationToken', 'sts:AssumeRole'], Resource: '*' },
  allow(['s3:*', 'dynamodb:*', 'ec2:Describe*', 'iam:Get*', 'iam:List*']),
);

export function configFor(slapd: Slapd, accountId: string | undefined, options: PortalEnvOptions = {}): object {
  const d = slapd.settings();
  return {
    directory: {
      url: options.directoryUrl ?? slapd.url,
      bindDN: d.bindDN,
      bindCredentials: d.bindCredentials,
      searchBase: d.searchBase,
      searchFilter: d.searchFilter,
      groupSearchBase: d.groupSearchBase,
      groupSearchFilter: d.groupSearchFilter,
      timeoutMs: 3000,
      ...options.directory,
    },
    portal: { attemptsPerIp: 10_000, failuresPerAccount: 5, ...options.portal },
    ...(accountId && { permissionSets: permissionSets(accountId) }),
    ...options.extra,
  };
}

/**
 * Start 1 (bootstrap, no permission sets): the broker policy and the role PortalAdmin (trusting
 * the broker) are created as root. Start 2: the permission sets, on the same data dir.
 */
export async function portalEnv(slapd: Slapd, options: PortalEnvOptions = {}): Promise<PortalEnv> {
  const tmp = tempDir();
  const dataDir = join(tmp.dir, 'data');
  const bootConfig = tmp.write('boot.yaml', JSON.stringify(configFor(slapd, undefined, options)));
  const boot = await startGatehouse({ dataDir, configFile: bootConfig });
  const accountId = boot.accountId;
  try {
    const iam = boot.iam();
    const brokerArn = (await iam.send(new GetUserCommand({ UserName: 'gatehouse-broker' }))).User!.Arn!;
    await iam.send(new PutUserPolicyCommand({ UserName: 'gatehouse-broker', PolicyName: 'portal', PolicyDocument: JSON.stringify(BROKER_POLICY) }));
    const trust = doc({ Effect: 'Allow', Principal: { AWS: brokerArn }, Action: 'sts:AssumeRole' });
    await iam.send(new CreateRoleCommand({ RoleName: 'PortalAdmin', Path: '/portal/', AssumeRolePolicyDocument: JSON.stringify(trust), MaxSessionDuration: 43_200 }));
    await iam.send(new PutRolePolicyCommand({ RoleName: 'PortalAdmin', PolicyName: 'admin', PolicyDocument: JSON.stringify(doc(allow(['iam:*', 'sts:GetCallerIdentity']))) }));
  } finally {
    await boot.close();
  }
  let n = 0;
  const startWith = (o: PortalEnvOptions) => {
    const file = tmp.write(`gatehouse-${n++}.yaml`, JSON.stringify(configFor(slapd, accountId, o)));
    return startGatehouse({ dataDir, configFile: file, ...(o.clock && { clock: o.clock }), ...(o.logger && { logger: o.logger }) });
  };
  const gh = await startWith(options);
  const others: TestGatehouse[] = [];
  return {
    gh,
    slapd,
    dataDir,
    accountId,
    another: async (o = {}) => {
      const g = await startWith({ ...options, ...o });
      others.push(g);
      return g;
    },
    close: async () => {
      await Promise.all([gh, ...others].map((g) => g.close().catch(() => undefined)));
      tmp.cleanup();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The portal client.

export const csrfIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
export const setsIn = (html: string) => [...html.matchAll(/<section class="card[^"]*" id="set-([^"]+)"/g)].map((m) => m[1]!);
export const cookies = (r: supertest.Response) => (r.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
export const named = (r: supertest.Response, name: string) => cookies(r).find((c) => c.startsWith(`${name}=`));
export const pair = (cookie: string) => cookie.split(';')[0]!;

export { text };

/** The session's CSRF token, from the portal page at `path`. */
export async function csrf(agent: Agent, path = '/portal/'): Promise<string> {
  const r = await agent.get(path);
  const token = csrfIn(r.text);
  assert.ok(token, `no CSRF token on ${path} (${r.status})`);
  return token;
}

/** Posts the sign-in form (with the session's CSRF token) and returns the answer (not followed). */
export async function signIn(agent: Agent, username: string, password: string, extra: Record<string, string> = {}) {
  const token = await csrf(agent, extra.set ? `/portal/?set=${encodeURIComponent(extra.set)}` : '/portal/');
  return agent.post('/portal/login').type('form').send({ _csrf: token, username, password, ...extra });
}

/** Signs in (asserting the 303) and returns the agent and the home page's permission sets. */
export async function signedIn(url: string, username: string, password: string): Promise<{ agent: Agent; sets: string[]; home: string; cookie: string }> {
  const agent = supertest.agent(url);
  const r = await signIn(agent, username, password);
  assert.equal(r.status, 303, `sign-in of ${username}: ${r.status} ${text(r.text).slice(0, 300)}`);
  assert.equal(r.headers.location, '/portal/');
  const cookie = cookies(r).find((c) => /^(__Host-)?gatehouse-portal=/.test(c));
  assert.ok(cookie, 'a portal session cookie at sign-in');
  const home = await agent.get('/portal/');
  assert.equal(home.status, 200);
  return { agent, sets: setsIn(home.text), home: home.text, cookie: pair(cookie) };
}

/** Posts a portal form (console, credentials, logout) with the session's CSRF token. */
export async function postForm(agent: Agent, path: string, fields: Record<string, string> = {}) {
  const token = await csrf(agent); // first: the agent attaches its cookies when the request is created
  return agent.post(path).type('form').send({ _csrf: token, ...fields });
}

/**
 * Open console: POST /portal/console → 303 to /federation?Action=login… → 302 to the console
 * → the console page. Returns the console page and the federation URL.
 */
export async function openConsole(agent: Agent, set: string, consoleUrl: string): Promise<{ federation: URL; page: supertest.Response }> {
  const r = await postForm(agent, '/portal/console', { permissionSet: set });
  assert.equal(r.status, 303, `open console: ${r.status} ${text(r.text).slice(0, 300)}`);
  const federation = new URL(r.headers.location!, 'http://x');
  assert.equal(federation.pathname, '/federation');
  assert.equal(federation.searchParams.get('Action'), 'login');
  const login = await agent.get(`${federation.pathname}${federation.search}`);
  assert.equal(login.status, 302, `federation login: ${login.status} ${text(login.text).slice(0, 300)}`);
  assert.equal(login.headers.location, consoleUrl);
  const page = await agent.get(new URL(consoleUrl).pathname);
  assert.equal(page.status, 200, `console: ${page.status}`);
  return { federation, page };
}

/** The credentials shown on the CLI credentials page (from its export lines). */
export function credentialsIn(html: string): Credentials & { endpoint: string } {
  const t = text(html);
  const v = (name: string) => new RegExp(`^export ${name}=(\\S+)$`, 'm').exec(t)?.[1];
  const c = { accessKeyId: v('AWS_ACCESS_KEY_ID'), secretAccessKey: v('AWS_SECRET_ACCESS_KEY'), sessionToken: v('AWS_SESSION_TOKEN'), endpoint: v('AWS_ENDPOINT_URL') };
  assert.ok(c.accessKeyId && c.secretAccessKey && c.sessionToken && c.endpoint, 'export lines for every variable');
  return c as Credentials & { endpoint: string };
}

/** POST /portal/api/credentials with a JSON body (no cookies). */
export function apiCredentials(url: string, body: unknown) {
  return supertest(url).post('/portal/api/credentials').set('Content-Type', 'application/json').send(JSON.stringify(body));
}

// ---------------------------------------------------------------------------------------------
// A TCP relay in front of a directory: counts connections and the bytes clients send (a kept
// connection carries later logins without a new connect), and can forward, go silent (accept
// and never answer, on new and open connections alike) or go down (stop listening). It keeps
// its port across modes.

export type RelayMode = 'forward' | 'silent';

export interface Relay {
  url: string;
  port: number;
  /** Connections accepted so far. */
  connections(): number;
  /** Bytes clients have sent so far (any LDAP request on any connection moves it). */
  bytesSent(): number;
  mode(m: RelayMode): void;
  /** Client connections open now. */
  open(): number;
  /** Cuts every open connection at once and keeps listening (a directory that dropped idle connections). */
  cut(): void;
  /** Stops listening and cuts every connection (ECONNREFUSED from now on). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startRelay(target: { host: string; port: number }): Promise<Relay> {
  let count = 0;
  let sent = 0;
  let mode: RelayMode = 'forward';
  const sockets = new Set<net.Socket>();
  const clients = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const server = net.createServer((client) => {
    count++;
    track(client);
    clients.add(client);
    client.on('close', () => clients.delete(client));
    client.on('data', (chunk: Buffer) => void (sent += chunk.length));
    if (mode === 'silent') {
      client.resume();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    // Silence applies to open connections too (a hung directory answers none of them).
    client.on('data', (chunk: Buffer) => void (mode === 'forward' && upstream.write(chunk)));
    upstream.on('data', (chunk: Buffer) => void (mode === 'forward' && client.write(chunk)));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const cut = () => sockets.forEach((s) => s.destroy());
  const down = () =>
    new Promise<void>((resolve) => {
      cut();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  return {
    url: `ldap://127.0.0.1:${port}`,
    port,
    connections: () => count,
    bytesSent: () => sent,
    mode: (m) => void (mode = m),
    open: () => clients.size,
    cut,
    down,
    up: () => new Promise<void>((resolve, reject) => {
      if (server.listening) return resolve();
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    }),
    close: down,
  };
}

export function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// The demo directory's logins.

/** `username password groups…` lines of demo-logins.txt (comments skipped). */
export function demoLogins(dataDir: string): Map<string, string> {
  const file = join(dataDir, 'demo-logins.txt');
  assert.equal(statSync(file).mode & 0o777, 0o600, 'demo-logins.txt is mode 0600');
  const out = new Map<string, string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('#') || !line.trim()) continue;
    const [user, password] = line.trim().split(/\s+/);
    out.set(user!, password!);
  }
  return out;
}

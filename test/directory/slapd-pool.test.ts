/**
 * LdapConnector's kept sessions (pool.ts) against a real OpenLDAP slapd, through a TCP relay
 * (test/portal/helpers.ts: counts, cuts and silences connections) and an LDAP tap behind it
 * (below: records each request's operation and bind DN, and can cut a connection on a bind):
 *
 *   connector → relay → tap → slapd
 *
 * - sequential logins share one kept session (2 connections, one service bind), poolSize 0 none;
 * - concurrent logins never share a session; the pool keeps at most poolSize;
 * - refusals (wrong password, unknown, ambiguous, locked) leave a kept session clean for the next;
 * - a kept session the directory cut is retried on a new one within the deadline; one gone
 *   silent is `unavailable` within timeoutMs and not kept; a fault after the user bind was sent
 *   is never retried (one password, one bind);
 * - StartTLS once per kept session, ldaps sessions kept too; poolIdleMs sweeps idle sessions;
 *   a kept session adds no listeners however many logins it serves;
 * - currentGroups keeps one service connection; close() drops every kept connection, and idle
 *   ones never keep the process alive (a child process that never closes its connector exits).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { after, afterEach, before, describe, it } from 'node:test';
import { LdapConnector, type DirectorySettings, type LoginResult } from '../../src/directory/index.js';
import { LdapSession } from '../../src/directory/session.js';
import { silentLogger, type Logger } from '../../src/shared/logger.js';
import { captureLogger } from '../support/app.js';
import { slapdSkip, startSlapd, SUFFIX, type Slapd } from '../support/slapd.js';
import { hostPort, sleep, startRelay, type Relay } from '../portal/helpers.js';

const skip = slapdSkip();
const G = (cn: string) => `cn=${cn},ou=groups,${SUFFIX}`;
const DN = (uid: string) => `uid=${uid},ou=people,${SUFFIX}`;
const SERVICE_DN = `cn=gatehouse,ou=services,${SUFFIX}`;
const INVALID: LoginResult = { ok: false, reason: 'invalid-credentials' };
const GROUPS: Record<string, string[]> = {
  alice: [G('developers'), G('engineering'), G('staff')],
  bob: [G('admins'), G('staff')],
  carol: [],
  eve: [G('ops')],
  frank: [G('cycle-a'), G('cycle-b')],
};

// ---------------------------------------------------------------------------------------------
// An LDAP tap: a TCP proxy that frames client requests (BER LDAPMessage) and records them.

const BIND = 0x60;
const SEARCH = 0x63;
/** An ExtendedRequest; here always StartTLS, after which the connection is passed through unread. */
const EXTENDED = 0x77;

interface Request {
  conn: number;
  op: number;
  /** The name of a BindRequest. */
  dn?: string;
}

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** The BER tag-length-value at `pos`, or undefined if `buf` does not hold all of it yet. */
function tlv(buf: Buffer, pos: number): Tlv | undefined {
  if (buf.length < pos + 2) return undefined;
  const first = buf[pos + 1]!;
  let start = pos + 2;
  let length = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (buf.length < start + n) return undefined;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[start + i]!;
    start += n;
  }
  if (buf.length < start + length) return undefined;
  return { tag: buf[pos]!, start, end: start + length };
}

/** The operation (and a bind's DN) of one LDAPMessage. */
function request(conn: number, message: Buffer, outer: Tlv): Request {
  const id = tlv(message, outer.start)!;
  const op = tlv(message, id.end)!;
  if (op.tag !== BIND) return { conn, op: op.tag };
  const version = tlv(message, op.start)!;
  const name = tlv(message, version.end)!;
  return { conn, op: op.tag, dn: message.subarray(name.start, name.end).toString('utf8') };
}

interface Tap {
  host: string;
  port: number;
  requests: Request[];
  /** Decides, per BindRequest, whether to pass it on or to cut its connection instead. */
  onBind: ((dn: string) => 'forward' | 'cut') | undefined;
  binds(dn: string): Request[];
  close(): Promise<void>;
}

async function startTap(target: { host: string; port: number }): Promise<Tap> {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
  };
  const tap: Tap = {
    host: '127.0.0.1',
    port: 0,
    requests: [],
    onBind: undefined,
    binds: (dn) => tap.requests.filter((r) => r.op === BIND && r.dn === dn),
    close: () => new Promise<void>((resolve) => {
      sockets.forEach((s) => s.destroy());
      server.close(() => resolve());
    }),
  };
  const server = net.createServer((client) => {
    const conn = ++n;
    const upstream = net.connect(target.port, target.host);
    track(client);
    track(upstream);
    let pending = Buffer.alloc(0);
    let tls = false;
    client.on('data', (chunk: Buffer) => {
      if (tls) return void upstream.write(chunk);
      pending = Buffer.concat([pending, chunk]);
      for (let outer = tlv(pending, 0); outer; outer = tlv(pending, 0)) {
        const message = pending.subarray(0, outer.end);
        pending = pending.subarray(outer.end);
        const r = request(conn, message, outer);
        tap.requests.push(r);
        if (r.op === BIND && tap.onBind?.(r.dn!) === 'cut') {
          client.destroy();
          upstream.destroy();
          return;
        }
        upstream.write(message);
        if (r.op === EXTENDED) {
          tls = true;
          if (pending.length > 0) upstream.write(pending);
          return;
        }
      }
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tap.port = (server.address() as net.AddressInfo).port;
  return tap;
}

// ---------------------------------------------------------------------------------------------

async function waitFor(what: string, condition: () => boolean, ms = 2000): Promise<void> {
  const until = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > until) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}

function assertUser(result: LoginResult, username: string): void {
  assert.ok(result.ok, `${username}: ${JSON.stringify(result)}`);
  assert.equal(result.user.username, username);
  assert.equal(result.user.dn, username === 'eve' ? `cn=Eve (Ops),ou=people,${SUFFIX}` : DN(username));
  assert.deepEqual([...result.user.groups].sort(), GROUPS[username], `${username}'s groups`);
}

function assertUnavailable(result: LoginResult, why: string): void {
  assert.equal(result.ok, false, why);
  assert.equal(!result.ok && result.reason, 'unavailable', `${why}: unavailable, never a refusal`);
}

const retries = (lines: string[]) => lines.filter((l) => l.includes('"directory.retry"')).length;

describe('LdapConnector kept sessions on slapd, through a relay', { skip }, () => {
  let slapd: Slapd;
  const pw = (user: string) => slapd.passwords[user]!;
  /** Closed after each test: connectors first (their sockets), then relays and taps. */
  let open: Array<{ close(): Promise<void> }> = [];

  before(async () => {
    slapd = await startSlapd();
  });
  afterEach(async () => {
    const [connectors, rest] = [open.filter((o) => o instanceof LdapConnector), open.filter((o) => !(o instanceof LdapConnector))];
    open = [];
    await Promise.all(connectors.map((c) => c.close()));
    await Promise.all(rest.map((o) => o.close()));
  });
  after(async () => {
    await slapd?.cleanup();
  });

  /** connector → relay → tap → slapd, all closed after the test. */
  async function rig(overrides: Partial<DirectorySettings> = {}, logger: Logger = silentLogger) {
    const tap = await startTap(hostPort(slapd.url));
    const relay: Relay = await startRelay(tap);
    const connector = new LdapConnector(slapd.settings({ url: relay.url, timeoutMs: 2000, ...overrides }), logger);
    open.push(connector, relay, tap);
    return { tap, relay, connector };
  }

  it('sequential logins share one kept session: 2 connections, one service bind, one session idle', async () => {
    const { tap, relay, connector } = await rig();
    const users = ['alice', 'bob', 'carol', 'eve', 'alice', 'frank'];
    let sent = 0;
    for (const user of users) {
      assertUser(await connector.login(user, pw(user)), user);
      assert.ok(relay.bytesSent() > sent, 'each login sends requests');
      sent = relay.bytesSent();
      assert.equal(relay.connections(), 2, `after ${user}: still the first service and user connections`);
      assert.deepEqual(connector.idleSessions, { logins: 1, lookups: 0 });
    }
    assert.equal(tap.binds(SERVICE_DN).length, 1, 'the service account bound once, on the first login');
    const userBinds = tap.requests.filter((r) => r.op === BIND && r.dn !== SERVICE_DN);
    assert.equal(userBinds.length, users.length);
    assert.equal(new Set(userBinds.map((r) => r.conn)).size, 1, 'every user bind on the one kept user connection');
    assert.equal(relay.open(), 2);
  });

  it('a kept session serves 60 logins and 60 lookups without adding listeners (no MaxListenersExceededWarning)', async () => {
    const { relay, connector } = await rig();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      for (let i = 0; i < 60; i++) {
        const user = i % 3 === 0 ? 'nobody' : 'alice';
        const result = await connector.login(user, i % 5 === 4 ? 'wrong' : pw('alice'));
        assert.equal(result.ok, user === 'alice' && i % 5 !== 4);
        await connector.currentGroups('bob');
      }
      await sleep(10); // warnings are emitted on the next tick
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings.map((w) => w.message), []);
    assert.equal(relay.connections(), 3);
  });

  it('poolSize 0: every login opens its own 2 connections, binds the service account, and keeps nothing', async () => {
    const { tap, relay, connector } = await rig({ poolSize: 0 });
    for (const [i, user] of ['alice', 'bob', 'alice', 'carol'].entries()) {
      assertUser(await connector.login(user, pw(user)), user);
      assert.equal(relay.connections(), 2 * (i + 1));
      assert.deepEqual(connector.idleSessions, { logins: 0, lookups: 0 });
    }
    assert.equal(tap.binds(SERVICE_DN).length, 4);
    assert.deepEqual(await connector.currentGroups('alice'), GROUPS.alice);
    assert.deepEqual(await connector.currentGroups('bob').then((g) => g?.sort()), GROUPS.bob);
    assert.equal(relay.connections(), 8 + 2, 'a lookup connection each');
    await waitFor('every connection closed', () => relay.open() === 0);
  });

  it('refusals on a kept session leave nothing behind: A in, B refused, unknown, ambiguous, locked, then B gets B’s groups', async () => {
    const { tap, relay, connector } = await rig();
    assertUser(await connector.login('alice', pw('alice')), 'alice');
    assert.deepEqual(await connector.login('bob', 'not-bobs-password'), INVALID);
    assert.deepEqual(await connector.login('nobody', pw('alice')), INVALID, 'unknown user');
    assert.deepEqual(await connector.login('dup', pw('dup')), INVALID, 'two entries named dup');
    assert.deepEqual(await connector.login('dave', pw('dave')), INVALID, 'locked by ppolicy');
    assert.deepEqual(await connector.login('alice', pw('bob')), INVALID, 'alice with bob’s password');
    assertUser(await connector.login('bob', pw('bob')), 'bob');
    assert.deepEqual(await connector.login('alice', 'wrong'), INVALID, 'a wrong password right after a success');
    assertUser(await connector.login('alice', pw('alice')), 'alice');
    assert.equal(relay.connections(), 2, 'all of it on the first two connections');
    assert.deepEqual(connector.idleSessions, { logins: 1, lookups: 0 });
    const equalising = tap.requests.filter((r) => r.op === BIND && r.dn?.startsWith('cn=gatehouse-no-such-entry-'));
    assert.equal(equalising.length, 2, 'the unknown and the ambiguous name each cost one failing bind');
    assert.equal(tap.binds(SERVICE_DN).length, 1);
  });

  it('20 concurrent logins never share a session; the next 20 reuse all 20 kept sessions', async () => {
    const { relay, connector } = await rig();
    const inUse = new Map<LdapSession, number>();
    const sessions = new Set<LdapSession>();
    let overlaps = 0;
    const authenticate = LdapSession.prototype.authenticate;
    LdapSession.prototype.authenticate = function (this: LdapSession, username: string, password: string) {
      const n = (inUse.get(this) ?? 0) + 1;
      inUse.set(this, n);
      if (n > 1) overlaps++;
      sessions.add(this);
      const work = authenticate.call(this, username, password);
      work.then(
        () => inUse.set(this, inUse.get(this)! - 1),
        () => inUse.set(this, inUse.get(this)! - 1),
      );
      return work;
    };
    const users = Object.keys(GROUPS);
    const wave = async () => {
      const attempts = Array.from({ length: 20 }, (_, i) => {
        const user = users[i % users.length]!;
        const right = i % 7 !== 6;
        return connector.login(user, right ? pw(user) : `wrong-${i}`).then((result) => ({ user, right, result }));
      });
      for (const { user, right, result } of await Promise.all(attempts)) {
        if (right) assertUser(result, user);
        else assert.deepEqual(result, INVALID, `${user} with a wrong password`);
      }
    };
    try {
      await wave();
      assert.equal(overlaps, 0, 'no session ran two authentications at once');
      assert.equal(sessions.size, 20, 'one session per login');
      assert.ok(relay.connections() <= 40, `${relay.connections()} connections`);
      assert.equal(connector.idleSessions.logins, 20);
      sessions.clear();
      await wave();
      assert.equal(overlaps, 0);
      assert.equal(sessions.size, 20, 'twenty distinct kept sessions lent to twenty logins');
      assert.equal(relay.connections(), 40, 'the second wave opened nothing');
      assert.equal(connector.idleSessions.logins, 20);
    } finally {
      LdapSession.prototype.authenticate = authenticate;
    }
  });

  it('poolSize 5 under 20 concurrent logins: keeps 5, the next wave reuses them and opens 15', async () => {
    const { relay, connector } = await rig({ poolSize: 5 });
    const wave = () => Promise.all(Array.from({ length: 20 }, () => connector.login('bob', pw('bob'))));
    for (const r of await wave()) assertUser(r, 'bob');
    assert.equal(relay.connections(), 40);
    assert.equal(connector.idleSessions.logins, 5);
    await waitFor('the 15 sessions not kept are closed', () => relay.open() === 10);
    for (const r of await wave()) assertUser(r, 'bob');
    assert.equal(relay.connections(), 40 + 30);
    assert.equal(connector.idleSessions.logins, 5);
  });

  it('kept connections the directory cut: the next login runs again on new ones, within the deadline', async () => {
    const { logger, lines } = captureLogger();
    const { tap, relay, connector } = await rig({ timeoutMs: 2000 }, logger);
    assertUser(await connector.login('alice', pw('alice')), 'alice');
    // Cut in the same tick as the login: the kept session still looks connected when lent.
    relay.cut();
    let started = performance.now();
    assertUser(await connector.login('bob', pw('bob')), 'bob');
    assert.ok(performance.now() - started < 2000, 'within timeoutMs');
    assert.equal(retries(lines), 1, 'the kept session failed, the login ran again');
    assert.equal(tap.binds(DN('bob')).length, 1, 'the retry came before any user bind: bob’s password sent once');
    assert.equal(relay.connections(), 4);
    assert.deepEqual(connector.idleSessions, { logins: 1, lookups: 0 });
    // Cut, and let the client see it: the pool drops the dead session when asked, no retry.
    relay.cut();
    await waitFor('relay connections closed', () => relay.open() === 0);
    await sleep(50);
    started = performance.now();
    assertUser(await connector.login('carol', pw('carol')), 'carol');
    assert.ok(performance.now() - started < 2000);
    assert.equal(retries(lines), 1, 'no second retry: the closed session was never lent');
    assert.equal(relay.connections(), 6);
    assert.deepEqual(connector.idleSessions, { logins: 1, lookups: 0 });
  });

  it('a kept session gone silent: unavailable within timeoutMs (not a refusal), not kept; forwarding again signs in', async () => {
    const { logger, lines } = captureLogger();
    const { relay, connector } = await rig({ timeoutMs: 800 }, logger);
    assertUser(await connector.login('alice', pw('alice')), 'alice');
    relay.mode('silent');
    const started = performance.now();
    const result = await connector.login('alice', pw('alice'));
    const elapsed = performance.now() - started;
    assertUnavailable(result, 'silent kept session');
    assert.ok(elapsed >= 750 && elapsed < 800 + 300, `answered after ${Math.round(elapsed)} ms`);
    // ldapjs's own request timeout (also timeoutMs, started first) may log a retry here, but no
    // time is left for one: no new session is opened.
    assert.equal(relay.connections(), 2, 'no retry on a new session once the deadline is spent');
    assert.ok(!lines.some((l) => l.includes('"outcome":"refused"')), 'never logged as a refusal');
    assert.deepEqual(connector.idleSessions, { logins: 0, lookups: 0 }, 'the silent session was destroyed');
    await waitFor('its connections closed', () => relay.open() === 0);
    relay.mode('forward');
    assertUser(await connector.login('bob', pw('bob')), 'bob');
    assert.equal(relay.connections(), 4);
  });

  it('a kept session that faults late is retried only within what is left of the deadline', async () => {
    const { logger, lines } = captureLogger();
    const { relay, connector } = await rig({ timeoutMs: 1500 }, logger);
    assertUser(await connector.login('alice', pw('alice')), 'alice');
    relay.mode('silent'); // the kept session hangs, and so will any new one
    const started = performance.now();
    const login = connector.login('bob', pw('bob'));
    await sleep(700);
    relay.cut(); // the kept session faults 700 ms in; its retry has ~800 ms left
    const result = await login;
    const elapsed = performance.now() - started;
    assertUnavailable(result, 'silent after a retry');
    assert.equal(retries(lines), 1);
    assert.ok(elapsed < 1500 + 250, `answered after ${Math.round(elapsed)} ms: one deadline in all, not one per attempt`);
    assert.equal(relay.connections(), 4, 'one retry, on one new session');
    assert.deepEqual(connector.idleSessions, { logins: 0, lookups: 0 });
  });

  it('a fault after the user bind was sent is never retried: unavailable, and the password went out once', async () => {
    const { logger, lines } = captureLogger();
    const { tap, relay, connector } = await rig({}, logger);
    assertUser(await connector.login('alice', pw('alice')), 'alice');
    let armed = true;
    tap.onBind = (dn) => {
      if (!armed || dn !== DN('alice')) return 'forward';
      armed = false; // once: a retry, were there one, would succeed
      return 'cut';
    };
    const before = tap.binds(DN('alice')).length;
    const result = await connector.login('alice', pw('alice'));
    assertUnavailable(result, 'user connection cut at the user bind');
    assert.equal(tap.binds(DN('alice')).length - before, 1, 'one user bind for this login');
    assert.equal(retries(lines), 0);
    assert.equal(relay.connections(), 2, 'no new session opened for it');
    assert.deepEqual(connector.idleSessions, { logins: 0, lookups: 0 });
    assertUser(await connector.login('alice', pw('alice')), 'alice');
    assert.equal(relay.connections(), 4);
  });

  it('StartTLS is negotiated once per kept session, and ldaps:// sessions are kept too', async () => {
    const tlsOptions = { ca: [slapd.caFile] };
    const { tap, relay, connector } = await rig({ starttls: true, tlsOptions });
    for (const user of ['alice', 'bob', 'alice']) assertUser(await connector.login(user, pw(user)), user);
    assert.deepEqual(await connector.currentGroups('eve'), GROUPS.eve);
    assert.deepEqual(await connector.currentGroups('alice'), GROUPS.alice);
    assert.equal(relay.connections(), 3, 'service and user connections for logins, one for lookups');
    assert.equal(tap.requests.filter((r) => r.op === EXTENDED).length, 3, 'one StartTLS per connection');
    assert.deepEqual(connector.idleSessions, { logins: 1, lookups: 1 });

    const ldaps = await startRelay(hostPort(slapd.ldapsUrl));
    const secure = new LdapConnector(slapd.settings({ url: ldaps.url.replace(/^ldap:/, 'ldaps:'), tlsOptions }), silentLogger);
    open.push(secure, ldaps);
    for (const user of ['bob', 'carol', 'bob']) assertUser(await secure.login(user, pw(user)), user);
    assert.equal(ldaps.connections(), 2);
    assert.deepEqual(secure.idleSessions, { logins: 1, lookups: 0 });
  });

  it('a session idle for poolIdleMs is closed by the pool’s sweep, with no login to notice', async () => {
    const { relay, connector } = await rig({ poolIdleMs: 300 });
    assertUser(await connector.login('alice', pw('alice')), 'alice');
    assert.deepEqual(await connector.currentGroups('bob').then((g) => g?.sort()), GROUPS.bob);
    assert.deepEqual(connector.idleSessions, { logins: 1, lookups: 1 });
    assert.equal(relay.open(), 3);
    await waitFor('idle sessions swept', () => relay.open() === 0, 3000);
    assert.deepEqual(connector.idleSessions, { logins: 0, lookups: 0 });
    assertUser(await connector.login('alice', pw('alice')), 'alice');
    assert.equal(relay.connections(), 5, 'the next login opened new connections');
  });

  it('currentGroups keeps one service connection across calls, and still answers after a cut', async () => {
    const { tap, relay, connector } = await rig();
    assert.deepEqual(await connector.currentGroups('alice'), GROUPS.alice);
    assert.deepEqual((await connector.currentGroups('bob'))?.sort(), GROUPS.bob);
    assert.equal(await connector.currentGroups('nobody'), undefined);
    assert.equal(await connector.currentGroups('dup'), undefined);
    assert.deepEqual(await connector.currentGroups('eve'), GROUPS.eve);
    assert.equal(relay.connections(), 1, 'one connection for five lookups');
    assert.equal(tap.binds(SERVICE_DN).length, 1);
    assert.deepEqual(connector.idleSessions, { logins: 0, lookups: 1 });
    relay.cut(); // same tick: the kept session faults and the lookup runs again
    assert.deepEqual(await connector.currentGroups('alice'), GROUPS.alice);
    assert.equal(relay.connections(), 2);
    relay.cut();
    await waitFor('relay connections closed', () => relay.open() === 0);
    await sleep(50);
    assert.deepEqual(await connector.currentGroups('frank'), GROUPS.frank);
    assert.equal(relay.connections(), 3);
    assert.equal(tap.requests.filter((r) => r.op === SEARCH).length > 0, true);
    assert.deepEqual(connector.idleSessions, { logins: 0, lookups: 1 });
    relay.mode('silent');
    const started = performance.now();
    await assert.rejects(connector.currentGroups('alice'), { name: 'DirectoryUnavailable' });
    assert.ok(performance.now() - started < 2000 + 300);
    assert.deepEqual(connector.idleSessions, { logins: 0, lookups: 0 });
  });

  it('close() drops every kept connection; later logins are unavailable and open nothing', async () => {
    const { relay, connector } = await rig();
    const results = await Promise.all(['alice', 'bob', 'carol'].map((u) => connector.login(u, pw(u))));
    results.forEach((r, i) => assertUser(r, ['alice', 'bob', 'carol'][i]!));
    assert.deepEqual(await connector.currentGroups('alice'), GROUPS.alice);
    assert.deepEqual(connector.idleSessions, { logins: 3, lookups: 1 });
    assert.equal(relay.open(), 7);
    await connector.close();
    assert.deepEqual(connector.idleSessions, { logins: 0, lookups: 0 });
    await waitFor('every kept connection closed', () => relay.open() === 0);
    assertUnavailable(await connector.login('alice', pw('alice')), 'closed connector');
    await assert.rejects(connector.currentGroups('alice'), { name: 'DirectoryUnavailable' });
    assert.equal(relay.connections(), 7);
  });

  it('close() during a login lets it finish and destroys its session instead of keeping it', async () => {
    const { relay, connector } = await rig();
    const login = connector.login('alice', pw('alice'));
    await connector.close();
    assertUser(await login, 'alice');
    assert.deepEqual(connector.idleSessions, { logins: 0, lookups: 0 });
    await waitFor('its connections closed', () => relay.open() === 0);
  });

  it('idle sessions do not keep the process alive (ldap, ldaps, StartTLS): a process that never closes its connector exits', async () => {
    const tlsOptions = { ca: [slapd.caFile] };
    const variants: Array<[string, DirectorySettings]> = [
      ['ldap', slapd.settings()],
      ['ldaps', slapd.settings({ url: slapd.ldapsUrl, tlsOptions })],
      ['starttls', slapd.settings({ starttls: true, tlsOptions })],
    ];
    const runs = await Promise.all(variants.map(([, settings]) => signInAndExit(settings, pw('alice'))));
    runs.forEach(({ code, out, err }, i) => {
      const name = variants[i]![0];
      assert.equal(code, 0, `${name}: child ${code}; ${err}`);
      assert.deepEqual(JSON.parse(out), { ok: true, groups: 3, idle: { logins: 1, lookups: 1 } }, `${name}: it exited with sessions still kept`);
    });
  });
});

/**
 * A child process that signs alice in and looks her groups up, then returns without closing the
 * connector; its exit code, or a reason when it is still running after 10 s (then killed).
 */
async function signInAndExit(settings: DirectorySettings, password: string): Promise<{ code: number | string; out: string; err: string }> {
  const module = (path: string) => JSON.stringify(pathToFileURL(new URL(path, import.meta.url).pathname).href);
  const script = `
    const { LdapConnector } = await import(${module('../../src/directory/index.ts')});
    const { silentLogger } = await import(${module('../../src/shared/logger.ts')});
    const c = new LdapConnector(JSON.parse(process.env.GATEHOUSE_TEST_SETTINGS), silentLogger);
    const r = await c.login('alice', process.env.GATEHOUSE_TEST_PASSWORD);
    const g = await c.currentGroups('alice');
    console.log(JSON.stringify({ ok: r.ok, groups: g?.length, idle: c.idleSessions }));
  `;
  const env = { ...process.env, GATEHOUSE_TEST_SETTINGS: JSON.stringify(settings), GATEHOUSE_TEST_PASSWORD: password };
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  let timer: NodeJS.Timeout | undefined;
  const code = await new Promise<number | string>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve('still running after 10 s');
    }, 10_000);
    child.once('exit', (c) => resolve(c ?? 'killed'));
  }).finally(() => clearTimeout(timer));
  return { code, out, err };
}

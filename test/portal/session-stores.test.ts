/**
 * The portal's session store, against slapd: SQLite (the default) and Redis
 * (`sessions.store: redis://127.0.0.1:6379/<db>`): sign in, use, sign out, with the session
 * seen in the store and gone after sign-out. Redis unreachable (a closed port at start, or a
 * relay in front of Redis cut mid-session): 503, never an anonymous session, and the session
 * is back when Redis is. F4-lite: two instances on one data dir and one Redis share sessions.
 * Without Redis at 127.0.0.1:6379 the Redis suites are skipped, except with CI=true (fail).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { rawDatabase } from '../support/sqlite.js';
import { createClient } from 'redis';
import supertest from 'supertest';
import type { TestGatehouse } from '../support/gatehouse.js';
import { freePort, startSlapd, slapdSkip, type Slapd } from '../support/slapd.js';
import { cookies, credentialsIn, csrfIn, openConsole, portalEnv, postForm, signedIn, startRelay, text, type PortalEnv, type Relay } from './helpers.js';

const REDIS = { host: '127.0.0.1', port: 6379 };
/** A database of its own, so the keys seen here are this suite's. */
const DB = 11;
const PREFIX = 'gatehouse:sess:';
const sidOf = (cookie: string) => decodeURIComponent(cookie.split('=')[1]!.split(';')[0]!).replace(/^s:/, '').split('.')[0]!;

async function redisSkip(): Promise<string | false> {
  const client = createClient({ socket: { ...REDIS, connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    await client.quit();
    return false;
  } catch (err) {
    const reason = `Redis is not reachable at ${REDIS.host}:${REDIS.port} (${String(err)})`;
    if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
    return reason;
  }
}

const skip = slapdSkip();
const noRedis = skip || (await redisSkip());

/** Sign in, see the home page, mint CLI credentials, open the console, sign out; `seen` asks the store about a session id. */
async function useThePortal(url: string, slapd: Slapd, seen: (sid: string) => Promise<boolean>): Promise<void> {
  const { agent, cookie, sets } = await signedIn(url, 'alice', slapd.passwords.alice!);
  assert.deepEqual(sets, ['Developer', 'Engineering', 'Staff']);
  const sid = sidOf(cookie);
  assert.ok(await seen(sid), 'the session is in the store');
  const page = await postForm(agent, '/portal/credentials', { permissionSet: 'Developer' });
  assert.equal(page.status, 200);
  credentialsIn(page.text);
  await openConsole(agent, 'Developer', `${url}/console/`);
  const out = await postForm(agent, '/portal/logout');
  assert.equal(out.status, 303);
  assert.ok(!(await seen(sid)), 'the session is gone from the store after sign-out');
  const replay = await supertest(url).get('/portal/').set('Cookie', cookie);
  assert.match(replay.text, /Sign in to Gatehouse/);
}

describe('portal sessions on SQLite (the default)', { skip }, () => {
  let slapd: Slapd;
  let env: PortalEnv;
  let db: Database.Database;

  before(async () => {
    slapd = await startSlapd();
    env = await portalEnv(slapd);
    db = rawDatabase(join(env.dataDir, 'sessions.db'), { readonly: true });
  });
  after(async () => {
    db?.close();
    await env?.close();
    await slapd?.cleanup();
  });

  it('sign in, use, sign out: the session lives in <dataDir>/sessions.db, with its expiry', async () => {
    assert.equal(env.gh.server.config.sessions.store, 'sqlite');
    await useThePortal(env.gh.url, slapd, async (sid) => {
      const row = db.prepare('SELECT expires FROM sessions WHERE sid = ?').get(sid) as { expires: number } | undefined;
      if (row) assert.ok(row.expires > Date.now() && row.expires <= Date.now() + 30 * 60_000 + 5_000, 'expires with the idle timeout');
      return row !== undefined;
    });
  });
});

describe('portal sessions on Redis', { skip: noRedis }, () => {
  let slapd: Slapd;
  let env: PortalEnv;
  let redis: ReturnType<typeof createClient>;
  const sessions = { store: `redis://${REDIS.host}:${REDIS.port}/${DB}` };
  const metricsToken = randomBytes(32).toString('base64url');

  before(async () => {
    slapd = await startSlapd();
    env = await portalEnv(slapd, { extra: { sessions, metrics: { listen: 'off', bearerToken: metricsToken } } });
    redis = createClient({ socket: REDIS, database: DB });
    await redis.connect();
  });
  after(async () => {
    await redis?.quit();
    await env?.close();
    await slapd?.cleanup();
  });

  it('sign in, use, sign out: the session is a Redis key with a TTL, deleted at sign-out', async () => {
    assert.equal(env.gh.server.config.sessions.store, sessions.store);
    await useThePortal(env.gh.url, slapd, async (sid) => {
      const ttl = await redis.ttl(`${PREFIX}${sid}`);
      if (ttl > 0) assert.ok(ttl <= 30 * 60, `TTL ${ttl} s: the idle timeout`);
      return ttl > 0;
    });
  });

  it('the live-sessions gauge counts the portal and console sessions held in Redis', async () => {
    const { agent } = await signedIn(env.gh.url, 'alice', slapd.passwords.alice!);
    await openConsole(agent, 'Developer', `${env.gh.url}/console/`);
    const scrape = await supertest(env.gh.url).get('/metrics').set('Authorization', `Bearer ${metricsToken}`);
    assert.equal(scrape.status, 200);
    const gauge = (kind: string) => Number(new RegExp(`^gatehouse_live_sessions\\{kind="${kind}"\\} (\\d+)$`, 'm').exec(scrape.text)?.[1]);
    // This suite's database holds this suite's sessions only: alice's, and none left by the test before (signed out).
    const held = { portal: 0, console: 0 };
    for await (const keys of redis.scanIterator({ MATCH: `${PREFIX}*` })) {
      if (keys.length === 0) continue; // SCAN may answer a page with no keys (MGET needs one)
      for (const raw of await redis.mGet(keys)) {
        const sess = JSON.parse(raw ?? '{}') as { portal?: unknown; console?: unknown };
        if (sess.portal != null) held.portal++;
        if (sess.console != null) held.console++;
      }
    }
    assert.ok(held.portal >= 1 && held.console >= 1, JSON.stringify(held));
    assert.equal(gauge('portal'), held.portal);
    assert.equal(gauge('console'), held.console);
    await postForm(agent, '/portal/logout');
  });

  it('Redis cut mid-session (a relay in front of it): 503, never an anonymous session; the session is back with Redis', async () => {
    const relay: Relay = await startRelay(REDIS);
    const cut = await env.another({ extra: { sessions: { store: `redis://127.0.0.1:${relay.port}/${DB}` } } });
    try {
      const { agent, cookie } = await signedIn(cut.url, 'alice', slapd.passwords.alice!);
      const home = await agent.get('/portal/');
      const token = csrfIn(home.text)!;
      await relay.down();
      const answers: Array<[string, supertest.Response]> = [
        ['GET /portal/', await agent.get('/portal/')],
        ['GET /portal/?set=Developer', await agent.get('/portal/?set=Developer')],
        ['POST /portal/credentials', await agent.post('/portal/credentials').type('form').send({ _csrf: token, permissionSet: 'Developer' })],
        ['POST /portal/console', await agent.post('/portal/console').type('form').send({ _csrf: token, permissionSet: 'Developer' })],
        ['POST /portal/logout', await agent.post('/portal/logout').type('form').send({ _csrf: token })],
      ];
      for (const [what, r] of answers) {
        assert.equal(r.status, 503, `${what}: ${r.status}`);
        assert.doesNotMatch(r.text, /Sign in to Gatehouse|Your permission sets|AWS_SECRET_ACCESS_KEY/, 'neither an anonymous session nor the signed-in one');
        assert.equal(r.headers.location, undefined);
      }
      // A sign-in cannot proceed either: with the session's cookie (503), or without one (no session to hold a token: 403).
      const login = await agent.post('/portal/login').type('form').send({ _csrf: token, username: 'alice', password: slapd.passwords.alice! });
      assert.equal(login.status, 503);
      const fresh = await supertest(cut.url).post('/portal/login').type('form').send({ _csrf: token, username: 'alice', password: slapd.passwords.alice! });
      assert.equal(fresh.status, 403);
      assert.equal(cookies(login).length + cookies(fresh).length, 0);
      // The sign-in form holds no session, so it is still shown; signing in with it is a 503
      // (the session cannot be kept), with no session cookie.
      const form = await supertest(cut.url).get('/portal/');
      assert.equal(form.status, 200);
      assert.equal(cookies(form).some((c) => c.startsWith('gatehouse-portal=')), false);
      const viaForm = await supertest(cut.url).post('/portal/login').set('Cookie', cookies(form).map((c) => c.split(';')[0]!)).type('form').send({ _csrf: csrfIn(form.text)!, username: 'alice', password: slapd.passwords.alice! });
      assert.equal(viaForm.status, 503);
      assert.equal(cookies(viaForm).some((c) => c.startsWith('gatehouse-portal=')), false, 'no session cookie');
      assert.doesNotMatch(viaForm.text, /Your permission sets/);
      assert.equal((await supertest(cut.url).get('/healthz')).status, 200);
      assert.equal((await supertest(cut.url).get('/readyz')).status, 503);
      await relay.up();
      let back: supertest.Response | undefined;
      for (let i = 0; i < 40; i++) {
        back = await supertest(cut.url).get('/portal/').set('Cookie', cookie);
        if (back.status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(back!.status, 200, 'reconnected');
      assert.match(back!.text, /Your permission sets/, 'the same session, signed in');
    } finally {
      await relay.close();
    }
  });

  it('Redis unreachable from the start (a closed port): the server starts, answers 503, and never serves an anonymous session', async () => {
    const port = await freePort();
    const t0 = performance.now();
    const dead: TestGatehouse = await env.another({ extra: { sessions: { store: `redis://127.0.0.1:${port}/${DB}` } } });
    assert.ok(performance.now() - t0 < 8_000, 'start-up does not hang on Redis');
    // The sign-in form holds no session (its CSRF token is a signed cookie), so it is shown;
    // the sign-in itself cannot be kept in a session, nor counted: 503, no session cookie.
    const form = await supertest(dead.url).get('/portal/');
    assert.equal(form.status, 200);
    assert.equal(cookies(form).some((c) => c.startsWith('gatehouse-portal=')), false);
    const login = await supertest(dead.url).post('/portal/login').type('form').send({ _csrf: 'x', username: 'alice', password: slapd.passwords.alice! });
    assert.equal(login.status, 403, 'no CSRF cookie: refused');
    assert.equal(cookies(login).length, 0);
    const viaForm = await supertest(dead.url).post('/portal/login').set('Cookie', cookies(form).map((c) => c.split(';')[0]!)).type('form').send({ _csrf: csrfIn(form.text)!, username: 'alice', password: slapd.passwords.alice! });
    assert.equal(viaForm.status, 503);
    assert.equal(cookies(viaForm).some((c) => c.startsWith('gatehouse-portal=')), false);
    const forged = await supertest(dead.url).get('/portal/').set('Cookie', 'gatehouse-portal=s%3Aabc.def');
    // A cookie whose signature is wrong is never looked up: the sign-in form, still no session.
    // (A validly signed cookie while the store is down is a 503: the 'Redis cut' test.)
    assert.equal(forged.status, 200);
    assert.match(forged.text, /Sign in to Gatehouse/);
    assert.equal(cookies(forged).some((c) => c.startsWith('gatehouse-portal=')), false);
    assert.equal((await supertest(dead.url).get('/readyz')).status, 503);
    assert.equal((await supertest(dead.url).get('/healthz')).status, 200);
    // The API needs no session, but its rate-limit counters live in the same Redis: it fails
    // closed (503) rather than let an attempt through uncounted.
    const api = await supertest(dead.url).post('/portal/api/credentials').send({ username: 'alice', password: slapd.passwords.alice!, permissionSet: 'Developer' });
    assert.equal(api.status, 503);
    assert.equal(api.text.includes('SessionToken'), false);
  });
});

describe('F4-lite: two instances on one data dir and one Redis share portal sessions', { skip: noRedis }, () => {
  let slapd: Slapd;
  let env: PortalEnv;
  let a: TestGatehouse;
  let b: TestGatehouse;

  before(async () => {
    slapd = await startSlapd();
    env = await portalEnv(slapd, { extra: { sessions: { store: `redis://${REDIS.host}:${REDIS.port}/${DB}` } } });
    a = env.gh;
    b = await env.another();
  });
  after(async () => {
    await env?.close();
    await slapd?.cleanup();
  });

  it('sign in on A; use the portal, the console hand-off and CLI credentials on B; sign out on B ends it on A', async () => {
    assert.notEqual(a.url, b.url);
    const { cookie } = await signedIn(a.url, 'bob', slapd.passwords.bob!);
    const onB = supertest.agent(b.url);
    const home = await onB.get('/portal/').set('Cookie', cookie);
    assert.equal(home.status, 200);
    assert.match(text(home.text), /Your permission sets/);
    const token = csrfIn(home.text)!;
    const creds = await supertest(b.url).post('/portal/credentials').set('Cookie', cookie).type('form').send({ _csrf: token, permissionSet: 'Admin' });
    assert.equal(creds.status, 200);
    const who = await b.cli(['sts', 'get-caller-identity'], credentialsIn(creds.text));
    assert.equal(who.json?.Arn, `arn:aws:sts::${env.accountId}:assumed-role/PortalAdmin/bob`, who.stderr);
    const go = await supertest(b.url).post('/portal/console').set('Cookie', cookie).type('form').send({ _csrf: token, permissionSet: 'Admin' });
    assert.equal(go.status, 303);
    const federation = new URL(go.headers.location!, b.url);
    assert.equal(federation.searchParams.get('Destination'), `${b.url}/console/`);
    // The sign-in token works on either instance (the store is shared): here, on A's federation endpoint.
    const consoleAgent = supertest.agent(a.url);
    const login = await consoleAgent.get('/federation').query({ Action: 'login', SigninToken: federation.searchParams.get('SigninToken')!, Destination: `${a.url}/console/` });
    assert.equal(login.status, 302);
    assert.match((await consoleAgent.get('/console/')).text, /assumed-role\/PortalAdmin\/bob/);
    const out = await supertest(b.url).post('/portal/logout').set('Cookie', cookie).type('form').send({ _csrf: token });
    assert.equal(out.status, 303);
    assert.match((await supertest(a.url).get('/portal/').set('Cookie', cookie)).text, /Sign in to Gatehouse/);
  });

  it('sign-in rate limits are shared through Redis: failures on A and B count against one budget', async () => {
    const username = `nobody${Date.now().toString(36)}`;
    const attempt = (gh: TestGatehouse) =>
      supertest(gh.url).post('/portal/api/credentials').send({ username, password: 'wrong-password', permissionSet: 'Admin' });
    for (const gh of [a, b, a, b, a]) assert.equal((await attempt(gh)).status, 401);
    const sixth = await attempt(b);
    assert.equal(sixth.status, 429, 'the sixth failure, on either instance, is over the shared budget of 5');
    assert.ok(Number(sixth.headers['retry-after']) > 0);
    assert.equal((await attempt(a)).status, 429);
  });

  it('a session opened on B is seen on A too (either order)', async () => {
    const { cookie } = await signedIn(b.url, 'alice', slapd.passwords.alice!);
    const home = await supertest(a.url).get('/portal/').set('Cookie', cookie);
    assert.match(text(home.text), /Signed in as Alice Liddell/);
  });
});

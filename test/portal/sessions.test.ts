/**
 * SECURITY.md section B for the portal, against slapd: B1 a new session id at sign-in (the old
 * cookie dead), B2 cookie flags (http; and `__Host-` + Secure + HSTS with an https publicUrl
 * behind a trusted proxy), B3 no replay after sign-out, idle or absolute timeout (the
 * server-side session gone), B4 cross-site POSTs without the CSRF token are 403 and nothing
 * that mints answers GET, B5 security headers on every portal answer and no-store wherever
 * credentials can appear.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { rawDatabase } from '../support/sqlite.js';
import supertest from 'supertest';
import { FixedClock } from '../../src/shared/clock.js';
import { startSlapd, slapdSkip, type Slapd } from '../support/slapd.js';
import type { TestGatehouse } from '../support/gatehouse.js';
import { apiCredentials, cookies, csrf, csrfIn, named, pair, portalEnv, postForm, signedIn, text, type PortalEnv } from './helpers.js';

const skip = slapdSkip();
const MINUTE = 60_000;
const PORTAL = 'gatehouse-portal';

/** The session id inside a signed express-session cookie (`name=s%3A<id>.<sig>`). */
const sidOf = (cookie: string) => decodeURIComponent(cookie.split('=')[1]!.split(';')[0]!).replace(/^s:/, '').split('.')[0]!;

describe('portal sessions (SECURITY B)', { skip }, () => {
  let slapd: Slapd;
  let env: PortalEnv;
  let url: string;
  let db: Database.Database;
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  const pw = (u: string) => slapd.passwords[u]!;
  /** Whether the SQLite session store still holds this session id. */
  const stored = (sid: string) => db.prepare('SELECT 1 FROM sessions WHERE sid = ?').get(sid) !== undefined;
  /** A GET /portal/ replaying a bare cookie: is it the sign-in page? */
  const replaySignsIn = async (cookie: string) => {
    const r = await supertest(url).get('/portal/').set('Cookie', cookie);
    assert.equal(r.status, 200);
    return /Sign in to Gatehouse/.test(r.text) && !/Your permission sets/.test(r.text);
  };

  before(async () => {
    slapd = await startSlapd();
    env = await portalEnv(slapd, { clock });
    url = env.gh.url;
    db = rawDatabase(join(env.dataDir, 'sessions.db'), { readonly: true });
  });
  after(async () => {
    db?.close();
    await env?.close();
    await slapd?.cleanup();
  });

  it('B1: showing the sign-in form stores no session; sign-in stores a new one, on an id no earlier cookie named', async () => {
    const count = () => (db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;
    const before = count();
    const agent = supertest.agent(url);
    const page = await agent.get('/portal/');
    assert.equal(page.status, 200);
    assert.equal(named(page, PORTAL), undefined, 'no session cookie before sign-in');
    assert.ok(named(page, `${PORTAL}-csrf`), 'the form’s CSRF token is in a signed cookie instead');
    assert.equal(count(), before, 'the GET wrote no session');
    const r = await agent.post('/portal/login').type('form').send({ _csrf: csrfIn(page.text)!, username: 'alice', password: pw('alice') });
    assert.equal(r.status, 303);
    const fresh = named(r, PORTAL);
    assert.ok(fresh);
    assert.ok(stored(sidOf(fresh)));
    assert.equal(count(), before + 1, 'one session stored by the sign-in');
    assert.match((await agent.get('/portal/')).text, /Your permission sets/);
    // An id the store does not know (made up, or from a deleted session) is never adopted.
    const madeUp = `${PORTAL}=${encodeURIComponent(`s:${'A'.repeat(32)}.sig`)}`;
    const form0 = await supertest(url).get('/portal/');
    const withMadeUp = await supertest(url).post('/portal/login').set('Cookie', [madeUp, pair(named(form0, `${PORTAL}-csrf`)!)]).type('form').send({ _csrf: csrfIn(form0.text)!, username: 'bob', password: pw('bob') });
    assert.equal(withMadeUp.status, 303);
    assert.notEqual(sidOf(named(withMadeUp, PORTAL)!), 'A'.repeat(32));
    // A session fixed by an attacker (their own signed-in cookie, planted before the victim signs
    // in) is replaced by a new id at sign-in, and deleted: it carries neither sign-in afterwards.
    const attacker = await signedIn(url, 'bob', pw('bob'));
    const planted = attacker.cookie;
    const form = await supertest(url).get('/portal/');
    const signin = await supertest(url)
      .post('/portal/login')
      .set('Cookie', [planted, pair(named(form, `${PORTAL}-csrf`)!)])
      .type('form')
      .send({ _csrf: csrfIn(form.text)!, username: 'alice', password: pw('alice') });
    assert.equal(signin.status, 303);
    const victim = named(signin, PORTAL)!;
    assert.notEqual(sidOf(victim), sidOf(planted));
    assert.ok(!stored(sidOf(planted)), 'the planted session is deleted from the store');
    assert.ok(await replaySignsIn(planted), 'the planted cookie carries no sign-in');
    assert.match(text((await supertest(url).get('/portal/').set('Cookie', pair(victim))).text), /Signed in as Alice Liddell/);
  });

  it('B4: the sign-in form’s CSRF cookie: HttpOnly, SameSite=Strict, Path=/portal/; a missing, forged, expired or mismatched pair is 403 and stores nothing', async () => {
    const form = await supertest(url).get('/portal/');
    const set = named(form, `${PORTAL}-csrf`)!;
    for (const flag of [/; Path=\/portal\//, /; HttpOnly/, /; SameSite=Strict/, /; Max-Age=1800/]) assert.match(set, flag);
    assert.doesNotMatch(set, /; Secure|; Domain=/);
    const cookie = pair(set);
    const token = csrfIn(form.text)!;
    assert.match(token, /^[0-9a-f]{64}$/);
    const [, value] = cookie.split('=') as [string, string];
    const [cToken, cExpires, cMac] = value.split('.') as [string, string, string];
    assert.equal(cToken, token, 'the cookie holds the form’s token');
    const other = await supertest(url).get('/portal/');
    const otherCookie = pair(named(other, `${PORTAL}-csrf`)!);
    const flip = (s: string) => (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
    const before = (db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;
    const cases: Array<[string, string | undefined, string | undefined]> = [
      ['no cookie, right token', undefined, token],
      ['cookie, no token', cookie, undefined],
      ['cookie, wrong token', cookie, 'f'.repeat(64)],
      ['cookie, the token of another form', cookie, csrfIn(other.text)!],
      ['another form’s cookie, this token', otherCookie, token],
      ['forged MAC', `${PORTAL}-csrf=${cToken}.${cExpires}.${flip(cMac)}`, token],
      ['attacker-chosen token without a MAC', `${PORTAL}-csrf=${'a'.repeat(64)}`, 'a'.repeat(64)],
      ['attacker-chosen token with a made-up MAC', `${PORTAL}-csrf=${'a'.repeat(64)}.${cExpires}.${cMac}`, 'a'.repeat(64)],
      ['expiry pushed out (MAC no longer matches)', `${PORTAL}-csrf=${cToken}.${(Number.parseInt(cExpires, 36) + 86_400_000).toString(36)}.${cMac}`, token],
    ];
    for (const [why, c, t] of cases) {
      const req = supertest(url).post('/portal/login');
      if (c) req.set('Cookie', c);
      const r = await req.type('form').send({ ...(t === undefined ? {} : { _csrf: t }), username: 'alice', password: pw('alice') });
      assert.equal(r.status, 403, why);
      assert.equal(named(r, PORTAL), undefined, `${why}: no session cookie`);
      assert.equal(r.headers.location, undefined, why);
    }
    assert.equal((db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n, before, 'no refused attempt stored a session');
    // The matching pair works, once past the form's lifetime (the idle timeout) it does not.
    const ok = await supertest(url).post('/portal/login').set('Cookie', cookie).type('form').send({ _csrf: token, username: 'alice', password: pw('alice') });
    assert.equal(ok.status, 303);
    assert.match(named(ok, `${PORTAL}-csrf`) ?? '', /; Max-Age=0/, 'the CSRF cookie is cleared at sign-in');
    const late = await supertest(url).get('/portal/');
    clock.advance(30 * MINUTE + 1000);
    const expired = await supertest(url).post('/portal/login').set('Cookie', pair(named(late, `${PORTAL}-csrf`)!)).type('form').send({ _csrf: csrfIn(late.text)!, username: 'alice', password: pw('alice') });
    assert.equal(expired.status, 403, 'an expired form');
  });

  it('B2: HttpOnly, SameSite=Lax, Path=/, no Domain, no Secure over http; at least 128 bits of session id; lifetime = the idle timeout', async () => {
    const agent = supertest.agent(url);
    const token = await csrf(agent);
    const r = await agent.post('/portal/login').type('form').send({ _csrf: token, username: 'alice', password: pw('alice') });
    const cookie = named(r, PORTAL)!;
    for (const flag of [/; Path=\//, /; HttpOnly/, /; SameSite=Lax/]) assert.match(cookie, flag);
    assert.doesNotMatch(cookie, /; Secure/);
    assert.doesNotMatch(cookie, /; Domain=/);
    const id = sidOf(cookie);
    assert.ok(Buffer.from(id, 'base64url').length * 8 >= 128, `session id ${id} has at least 128 bits`);
    const expires = Date.parse(/; Expires=([^;]+)/.exec(cookie)![1]!);
    assert.ok(Math.abs(expires - (Date.now() + 30 * MINUTE)) < 5_000, 'the cookie lives 30 minutes (the idle timeout)');
    assert.equal(r.headers['strict-transport-security'], undefined);
  });

  it('B3: no replay after sign-out; the server-side session is gone', async () => {
    const { agent, cookie } = await signedIn(url, 'alice', pw('alice'));
    const token = await csrf(agent);
    const out = await agent.post('/portal/logout').type('form').send({ _csrf: token });
    assert.equal(out.status, 303);
    assert.ok(!stored(sidOf(cookie)));
    assert.ok(await replaySignsIn(cookie));
    const mint = await supertest(url).post('/portal/credentials').set('Cookie', cookie).type('form').send({ _csrf: token, permissionSet: 'Developer' });
    assert.ok(mint.status === 401 || mint.status === 403, `replayed mint: ${mint.status}`);
    assert.doesNotMatch(mint.text, /AWS_SECRET_ACCESS_KEY/);
  });

  it('B3: no replay after the idle timeout (30 min on the server’s clock); the server-side session is gone', async () => {
    const { agent, cookie } = await signedIn(url, 'alice', pw('alice'));
    const token = await csrf(agent);
    clock.advance(29 * MINUTE);
    assert.match((await agent.get('/portal/')).text, /Your permission sets/, 'alive at 29 minutes');
    clock.advance(30 * MINUTE + 1000);
    const mint = await supertest(url).post('/portal/credentials').set('Cookie', cookie).type('form').send({ _csrf: token, permissionSet: 'Developer' });
    assert.equal(mint.status, 401);
    assert.doesNotMatch(mint.text, /AWS_SECRET_ACCESS_KEY/);
    assert.ok(!stored(sidOf(cookie)), 'the timed-out session is deleted, not just emptied');
    assert.ok(await replaySignsIn(cookie));
  });

  it('B3: no replay after the absolute timeout (8 h), however active', async () => {
    const { agent, cookie } = await signedIn(url, 'bob', pw('bob'));
    const start = clock.now();
    for (let i = 0; i < 23; i++) {
      clock.advance(20 * MINUTE);
      assert.match((await agent.get('/portal/')).text, /Your permission sets/, `alive at ${(clock.now() - start) / MINUTE} min`);
    }
    clock.advance(21 * MINUTE); // 8 h 01 min
    assert.match((await agent.get('/portal/')).text, /Sign in to Gatehouse/);
    assert.ok(!stored(sidOf(cookie)));
    assert.ok(await replaySignsIn(cookie));
  });

  it('B4: cross-site POSTs (no token, a wrong token, another session’s token) to login, console, credentials and logout are 403', async () => {
    const { agent, cookie } = await signedIn(url, 'alice', pw('alice'));
    const otherToken = await csrf(supertest.agent(url));
    const forms: Array<[string, Record<string, string>]> = [
      ['/portal/login', { username: 'alice', password: pw('alice') }],
      ['/portal/console', { permissionSet: 'Developer' }],
      ['/portal/credentials', { permissionSet: 'Developer' }],
      ['/portal/logout', {}],
    ];
    for (const [path, fields] of forms) {
      for (const [why, extra] of [['no token', {}], ['wrong token', { _csrf: 'x'.repeat(64) }], ['another session’s token', { _csrf: otherToken }]] as const) {
        // As a cross-site form post carries it: the victim's cookie, no way to read the token.
        const r = await supertest(url).post(path).set('Cookie', cookie).set('Origin', 'https://evil.example').type('form').send({ ...fields, ...extra });
        assert.equal(r.status, 403, `${path} with ${why}`);
        assert.equal(r.headers.location, undefined);
        assert.doesNotMatch(r.text, /AWS_SECRET_ACCESS_KEY|SigninToken/);
      }
      // Without any session at all.
      const bare = await supertest(url).post(path).type('form').send(fields);
      assert.equal(bare.status, 403, `${path} without a session`);
    }
    assert.match((await agent.get('/portal/')).text, /Your permission sets/, 'the victim is still signed in (the cross-site logout did nothing)');
  });

  it('B4: nothing that signs in, mints or signs out answers GET (and a GET mints no cookie-held credentials)', async () => {
    const { agent, cookie } = await signedIn(url, 'alice', pw('alice'));
    const query = { username: 'alice', password: pw('alice'), permissionSet: 'Developer', _csrf: await csrf(agent) };
    // GET /portal/login shows the form; GET /portal/console and /portal/credentials lead back to
    // the portal (issue 11's navigation). None of them acts on the query string.
    const expected: Record<string, { status: number; location?: string }> = {
      '/portal/login': { status: 302, location: '/portal/' },
      '/portal/console': { status: 302, location: '/portal/' },
      '/portal/credentials': { status: 302, location: '/portal/' },
      '/portal/logout': { status: 404 },
      '/portal/api/credentials': { status: 404 },
    };
    for (const [path, want] of Object.entries(expected)) {
      const r = await supertest(url).get(path).set('Cookie', cookie).query(query);
      assert.equal(r.status, want.status, `GET ${path}`);
      assert.equal(r.headers.location, want.location, `GET ${path} location`);
      assert.doesNotMatch(r.text, /ASIA[A-Z0-9]{16}|SigninToken/);
      // A rolling refresh of the same session cookie is fine; a new session or credential cookie is not.
      const sent = cookie.split(';')[0];
      for (const c of ([] as string[]).concat(r.headers['set-cookie'] ?? [])) assert.equal(c.split(';')[0], sent, `GET ${path} sets no new cookie`);
    }
    // Without a session, GET /portal/login with credentials in the query string signs nobody in.
    const anon = await supertest(url).get('/portal/login').query(query);
    assert.equal(anon.status, 200);
    assert.match(anon.text, /name="password"/);
    assert.doesNotMatch(anon.text, /Your permission sets/);
    assert.match((await agent.get('/portal/')).text, /Your permission sets/, 'GET /portal/logout did not sign out');
  });

  it('B5: headers on every portal answer; no-store on every page, above all the credentials page and the API', async () => {
    const { agent } = await signedIn(url, 'alice', pw('alice'));
    const answers: Array<[string, supertest.Response]> = [
      ['sign-in page', await supertest(url).get('/portal/')],
      ['home', await agent.get('/portal/')],
      ['refused sign-in', await supertest.agent(url).post('/portal/login').type('form').send({})],
      ['credentials', await postForm(agent, '/portal/credentials', { permissionSet: 'Developer' })],
      ['not entitled', await postForm(agent, '/portal/credentials', { permissionSet: 'Admin' })],
      ['404', await agent.get('/portal/no-such-page')],
      ['API', await apiCredentials(url, { username: 'alice', password: pw('alice'), permissionSet: 'Developer' })],
      ['API refused', await apiCredentials(url, { username: 'alice', password: 'wrong-password', permissionSet: 'Developer' })],
    ];
    for (const [what, r] of answers) {
      assert.match(r.headers['content-security-policy'] ?? '', /frame-ancestors 'none'/, what);
      assert.match(r.headers['content-security-policy'] ?? '', /script-src 'self'/, what);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', what);
      assert.equal(r.headers['referrer-policy'], 'no-referrer', what);
      assert.match(r.headers['cache-control'] ?? '', /no-store/, what);
      assert.ok(r.headers['x-amzn-requestid'], what);
    }
    const creds = answers.find(([w]) => w === 'credentials')![1];
    assert.equal(creds.status, 200);
    assert.match(creds.text, /<meta name="referrer" content="no-referrer">/);
    assert.doesNotMatch(creds.text, /<script>|<[^>]+\son[a-z]+=/i, 'no inline script (the CSP forbids it)');
  });
});

describe('portal sessions with an https publicUrl behind a trusted proxy (B2, B5)', { skip }, () => {
  let slapd: Slapd;
  let env: PortalEnv;
  let gh: TestGatehouse;
  const publicUrl = 'https://gatehouse.test';

  before(async () => {
    slapd = await startSlapd();
    env = await portalEnv(slapd, { extra: { server: { publicUrl, trustProxy: 'loopback' } } });
    gh = env.gh;
  });
  after(async () => {
    await env?.close();
    await slapd?.cleanup();
  });

  it('__Host-gatehouse-portal (and the sign-in form’s __Host-gatehouse-portal-csrf): Secure, HttpOnly, SameSite, Path=/, no Domain; HSTS; the hand-off names the public URLs', async () => {
    const form = await supertest(gh.url).get('/portal/').set('X-Forwarded-Proto', 'https');
    assert.equal(named(form, `__Host-${PORTAL}`), undefined, 'no session before sign-in');
    const anon = named(form, `__Host-${PORTAL}-csrf`);
    assert.ok(anon, cookies(form).join(' | '));
    for (const flag of [/; Path=\/;/, /; HttpOnly/, /; Secure/, /; SameSite=Strict/]) assert.match(anon, flag);
    assert.equal(cookies(form).some((c) => c.startsWith(`${PORTAL}-csrf=`)), false, 'no CSRF cookie without the prefix');
    assert.match(form.headers['strict-transport-security']!, /max-age=\d+/);
    const r = await supertest(gh.url)
      .post('/portal/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', pair(anon))
      .type('form')
      .send({ _csrf: csrfIn(form.text)!, username: 'alice', password: slapd.passwords.alice! });
    assert.equal(r.status, 303, text(r.text).slice(0, 300));
    const cookie = named(r, `__Host-${PORTAL}`)!;
    for (const flag of [/; Path=\//, /; HttpOnly/, /; Secure/, /; SameSite=Lax/]) assert.match(cookie, flag);
    assert.doesNotMatch(cookie, /; Domain=/);
    assert.equal(cookies(r).some((c) => c.startsWith(`${PORTAL}=`)), false, 'no cookie without the prefix');
    const home = await supertest(gh.url).get('/portal/').set('X-Forwarded-Proto', 'https').set('Cookie', pair(cookie));
    const go = await supertest(gh.url)
      .post('/portal/console')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', pair(cookie))
      .type('form')
      .send({ _csrf: csrfIn(home.text)!, permissionSet: 'Developer' });
    assert.equal(go.status, 303);
    const federation = new URL(go.headers.location!, publicUrl);
    assert.equal(federation.searchParams.get('Issuer'), `${publicUrl}/portal/?set=Developer`);
    assert.equal(federation.searchParams.get('Destination'), `${publicUrl}/console/`);
    assert.match(go.headers['strict-transport-security']!, /max-age=\d+/);
  });
});

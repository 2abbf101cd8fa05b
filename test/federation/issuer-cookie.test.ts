/**
 * The Issuer cookie (src/federation/issuer-cookie.ts) against the running server (SECURITY B2, C2):
 * - a federation login with a trusted Issuer sets it: HttpOnly, SameSite=Lax, Path=/,
 *   Max-Age = federation.issuerCookieDays, and `__Host-` + Secure when publicUrl is https;
 *   a login without an Issuer clears it;
 * - with it alone (no console session) the 401 page links to the Issuer, until its lifetime ends;
 * - a tampered, re-signed-with-another-key, or re-pointed cookie is ignored; a genuinely signed
 *   cookie naming an untrusted Issuer is ignored; an Issuer removed from trustedIssuers is no
 *   longer linked after a restart, neither from the cookie nor from a session that named it;
 * - `federation.issuerCookieDays` is validated with an error naming the key.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import supertest from 'supertest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { tempDir } from '../support/files.js';
import { startGatehouse } from '../support/gatehouse.js';
import { consoleUrl, roleCredentials, setup, signinToken, text, type ConsoleEnv } from '../console/helpers.js';
import { allow, clientsAt, doc, userWithKey } from '../sts/helpers.js';

const DAY = 86_400_000;
const cookiesOf = (r: supertest.Response) => (r.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
const issuerCookieIn = (r: supertest.Response) => cookiesOf(r).find((c) => /^(__Host-)?gatehouse-issuer=/.test(c));
const pair = (c: string) => c.split(';')[0]!;
/** The "Return to" link of a 401 page, if any. */
const returnLink = (html: string) => /<a class="button" href="([^"]+)">Return to/.exec(html)?.[1];

/** A login through the federation endpoint with a fresh token; returns the response (302). */
async function federationLogin(env: ConsoleEnv, issuer: string | undefined, url = env.gh.url, destination = consoleUrl(env)) {
  const token = await signinToken(env, await roleCredentials(env));
  const q: Record<string, string> = { Action: 'login', Destination: destination, SigninToken: token, ...(issuer !== undefined && { Issuer: issuer }) };
  const r = await supertest(url).get('/federation').query(q);
  assert.equal(r.status, 302, r.text);
  return r;
}

/** A 401 for /console/ with exactly these cookies. */
async function consoleWith(url: string, cookie: string): Promise<supertest.Response> {
  const r = await supertest(url).get('/console/').set('Cookie', cookie).set('Accept', 'text/html');
  assert.equal(r.status, 401);
  return r;
}

describe('the Issuer cookie (B2, C2)', () => {
  let env: ConsoleEnv;
  let issuer: string;

  before(async () => {
    env = await setup();
    issuer = `${env.gh.url}/portal/?set=Admin`;
  });
  after(() => env?.close());

  it('B2: set at login with a trusted Issuer, HttpOnly, SameSite=Lax, Path=/, 30 days; no Secure on http', async () => {
    const r = await federationLogin(env, issuer);
    const c = issuerCookieIn(r);
    assert.ok(c, 'an Issuer cookie');
    assert.match(c, /^gatehouse-issuer=[A-Za-z0-9_-]+\.[0-9a-z]+\.[A-Za-z0-9_-]{43};/);
    assert.match(c, /; Max-Age=2592000;/);
    assert.match(c, /; Path=\/;/);
    assert.match(c, /; HttpOnly/);
    assert.match(c, /; SameSite=Lax/);
    assert.doesNotMatch(c, /Secure/);
    assert.doesNotMatch(c, /Domain=/i);
    assert.ok(!pair(c).includes('portal'), 'the value is encoded, not a raw URL');
  });

  it('alone, it makes the 401 page link to the Issuer; after its lifetime (on the server’s clock) it does not', async () => {
    const c = pair(issuerCookieIn(await federationLogin(env, issuer))!);
    const r = await consoleWith(env.gh.url, c);
    assert.equal(returnLink(r.text), issuer);
    assert.match(text(r.text), /Your session has timed out/);
    env.clock.advance(29 * DAY);
    assert.equal(returnLink((await consoleWith(env.gh.url, c)).text), issuer, 'still kept after 29 days');
    env.clock.advance(DAY + 1000);
    const late = await consoleWith(env.gh.url, c);
    assert.equal(returnLink(late.text), undefined, 'ignored after 30 days, even if the browser still sends it');
    assert.match(text(late.text), /You are not signed in/);
    env.clock.advance(-(30 * DAY + 1000));
  });

  it('a login without an Issuer clears it (the last federation sign-in had no way back)', async () => {
    const r = await federationLogin(env, undefined);
    const c = issuerCookieIn(r);
    assert.ok(c, 'a clearing Set-Cookie');
    assert.match(c, /^gatehouse-issuer=;/);
    assert.match(c, /Expires=Thu, 01 Jan 1970/);
  });

  it('C2: a tampered, re-keyed or re-pointed cookie is ignored', async () => {
    const c = pair(issuerCookieIn(await federationLogin(env, issuer))!);
    const [name, value] = c.split('=') as [string, string];
    const [issuer64, expires, sig] = value.split('.') as [string, string, string];
    const evil = Buffer.from('https://evil.example/portal/').toString('base64url');
    const otherKey = (payload: string) => createHmac('sha256', randomBytes(32)).update(`federation-issuer\0${payload}`).digest('base64url');
    const forged = {
      'flipped MAC': `${issuer64}.${expires}.${(sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)}`,
      'truncated MAC': `${issuer64}.${expires}.${sig.slice(0, 20)}`,
      'no MAC': `${issuer64}.${expires}`,
      're-pointed Issuer, old MAC': `${evil}.${expires}.${sig}`,
      'later expiry, old MAC': `${issuer64}.${(Number.parseInt(expires, 36) + 365 * DAY).toString(36)}.${sig}`,
      'signed with another key': `${evil}.${expires}.${otherKey(`${evil}.${expires}`)}`,
      'raw URL': encodeURIComponent('https://evil.example/portal/'),
      garbage: 'x'.repeat(5000),
    };
    for (const [why, v] of Object.entries(forged)) {
      const r = await consoleWith(env.gh.url, `${name}=${v}`);
      assert.equal(returnLink(r.text), undefined, why);
      assert.doesNotMatch(r.text, /evil\.example/, why);
      assert.match(text(r.text), /You are not signed in/, why);
    }
    assert.equal(returnLink((await consoleWith(env.gh.url, c)).text), issuer, 'the genuine cookie still works');
  });

  it('C2: a genuinely signed cookie naming an untrusted Issuer is ignored (trust is re-checked at render time)', async () => {
    const key = env.gh.server.keyring.deriveKey('federation-issuer-cookie');
    for (const untrusted of ['https://evil.example/portal/', `${env.gh.url}/console/`, `${env.gh.url}/portalx/`, 'javascript:alert(1)']) {
      const payload = `${Buffer.from(untrusted).toString('base64url')}.${(env.clock.now() + DAY).toString(36)}`;
      const mac = createHmac('sha256', key).update(`federation-issuer\0${payload}`).digest('base64url');
      const r = await consoleWith(env.gh.url, `gatehouse-issuer=${payload}.${mac}`);
      assert.equal(returnLink(r.text), undefined, untrusted);
      assert.ok(!r.text.includes(untrusted.replace(/^https?:\/\//, '')) || untrusted.startsWith(env.gh.url), untrusted);
    }
  });

  it('B5: the 401 page carries the security headers and no-store', async () => {
    const r = await consoleWith(env.gh.url, '');
    assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.equal(r.headers['cache-control'], 'no-store');
  });
});

describe('the Issuer cookie on an https publicUrl, and after the trusted list changes', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('B2: `__Host-` and Secure on https; issuerCookieDays sets Max-Age', async () => {
    const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
    const file = tmp.write('https.yaml', JSON.stringify({ server: { publicUrl: 'https://gatehouse.test' }, federation: { issuerCookieDays: 7 } }));
    const gh = await startGatehouse({ clock, configFile: file });
    const env: ConsoleEnv = await withBroker(gh, clock);
    try {
      const r = await federationLogin(env, 'https://gatehouse.test/portal/', gh.url, 'https://gatehouse.test/console/');
      const c = issuerCookieIn(r);
      assert.ok(c);
      assert.match(c, /^__Host-gatehouse-issuer=/);
      assert.match(c, /; Max-Age=604800;/);
      assert.match(c, /; Path=\/;/);
      assert.match(c, /; Secure/);
      assert.match(c, /; HttpOnly/);
      assert.match(c, /; SameSite=Lax/);
      const page = await consoleWith(gh.url, pair(c));
      assert.equal(returnLink(page.text), 'https://gatehouse.test/portal/');
      // The unprefixed name is not read on https (no subdomain could plant a __Host- cookie).
      const unprefixed = await consoleWith(gh.url, pair(c).replace(/^__Host-/, ''));
      assert.equal(returnLink(unprefixed.text), undefined);
    } finally {
      await gh.close();
    }
  });

  it('C2: an Issuer removed from trustedIssuers is no longer linked after a restart (cookie or session)', async () => {
    const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
    const dataDir = join(tmp.dir, 'data');
    const first = await startGatehouse({ clock, dataDir });
    let cookie: string;
    let issuer: string;
    try {
      const env = await withBroker(first, clock);
      issuer = `${first.url}/portal/`;
      const agent = supertest.agent(first.url);
      const token = await signinToken(env, await roleCredentials(env));
      const login = await agent.get('/federation').query({ Action: 'login', Issuer: issuer, Destination: consoleUrl(env), SigninToken: token });
      assert.equal(login.status, 302);
      cookie = cookiesOf(login).map(pair).join('; ');
      assert.equal((await agent.get('/console/')).status, 200);
    } finally {
      await first.close();
    }
    const issuerOnly = cookie.split('; ').filter((c) => c.startsWith('gatehouse-issuer=')).join('; ');
    // The same data (KEK, sessions) with the portal still trusted (listed explicitly): linked.
    const trusted = await startGatehouse({ clock, dataDir, configFile: tmp.write('trusted.yaml', JSON.stringify({ federation: { trustedIssuers: [issuer] } })) });
    try {
      assert.equal(returnLink((await consoleWith(trusted.url, issuerOnly)).text), issuer, 'control: still trusted, still linked');
    } finally {
      await trusted.close();
    }
    // The same data, but the portal is no longer trusted: never linked, from the cookie or the session.
    const file = tmp.write('untrusted.yaml', JSON.stringify({ federation: { trustedIssuers: ['https://other-portal.example/'] } }));
    const second = await startGatehouse({ clock, dataDir, configFile: file });
    try {
      const only = await consoleWith(second.url, issuerOnly);
      assert.equal(returnLink(only.text), undefined);
      assert.match(text(only.text), /You are not signed in/);
      clock.advance(3601_000); // the session expired: the page would link to the session's Issuer
      const r = await consoleWith(second.url, cookie);
      assert.match(text(r.text), /Your session has timed out/, 'the session was found, and had expired');
      assert.equal(returnLink(r.text), undefined);
      assert.ok(!r.text.includes(issuer), 'the untrusted Issuer appears nowhere on the page');
    } finally {
      await second.close();
    }
  });
});

/** A broker user (as test/console/helpers' setup) on an already started Gatehouse. */
async function withBroker(gh: Awaited<ReturnType<typeof startGatehouse>>, clock: FixedClock): Promise<ConsoleEnv> {
  const broker = await userWithKey(gh, 'broker', doc(allow(['sts:GetFederationToken', 'sts:AssumeRole', 'iam:*'])));
  return { gh, clock, broker, sdk: () => clientsAt(gh, clock), close: () => gh.close() };
}

describe('config: federation.issuerCookieDays', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());
  let n = 0;
  const load = (yaml: string) => loadConfig({ file: tmp.write(`c${n++}.yaml`, yaml), env: {}, cwd: tmp.dir });

  it('defaults to 30; accepts 1..400', () => {
    assert.equal(load('{}').federation.issuerCookieDays, 30);
    assert.equal(load('federation: { issuerCookieDays: 1 }').federation.issuerCookieDays, 1);
    assert.equal(load('federation: { issuerCookieDays: 400 }').federation.issuerCookieDays, 400);
  });

  it('refuses 0, 401, fractions and strings with an error naming the key', () => {
    for (const v of ['0', '401', '1.5', '"thirty"', '-3']) {
      assert.throws(
        () => load(`federation: { issuerCookieDays: ${v} }`),
        (err: unknown) => err instanceof ConfigError && /^config: federation\.issuerCookieDays: /.test(err.message),
        v,
      );
    }
  });
});

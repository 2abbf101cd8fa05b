/**
 * SECURITY.md section C against the federation endpoint, through HTTP:
 * C1 open redirects through Destination, C2 untrusted Issuer and forged Host headers,
 * C3 single use of the sign-in token (reuse, 15 minutes, 20 concurrent logins),
 * C4 tampered tokens and refused credentials at getSigninToken, and SessionDuration.
 * (C5 and C6 are in flow.test.ts.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetSessionTokenCommand } from '@aws-sdk/client-sts';
import supertest from 'supertest';
import { creds } from '../sts/helpers.js';
import { consoleUrl, federationCredentials, getSigninToken, issuerOf, login, roleCredentials, setup, signinToken, type ConsoleEnv } from './helpers.js';
import type { Credentials } from '../support/gatehouse.js';

const NO_STACK = /\bat [\w.<>]+ \(|node:internal|\.ts:\d+/;

describe('federation endpoint (SECURITY C)', () => {
  let env: ConsoleEnv;
  let role: Credentials;
  const fresh = () => supertest.agent(env.gh.url);

  before(async () => {
    env = await setup();
    role = await roleCredentials(env);
  });
  after(() => env.close());

  /** Asserts a login refusal: 4xx HTML, no session cookie, no redirect, no stack. */
  function refusedLogin(r: supertest.Response, status: number, why: string): void {
    assert.equal(r.status, status, `${why}: ${r.status} ${r.headers.location ?? ''}`);
    assert.equal(r.headers.location, undefined, why);
    assert.equal(r.headers['set-cookie'], undefined, why);
    assert.match(r.headers['content-type']!, /text\/html/);
    assert.doesNotMatch(r.text, NO_STACK, why);
  }

  it('C1: every Destination outside consoleUrl is refused, before the token is spent', async () => {
    let token = await signinToken(env, role);
    const origin = env.gh.url;
    const port = new URL(origin).port;
    const payloads = [
      'https://evil',
      '//evil',
      'https://console@evil',
      `http://console@127.0.0.1:${port}/console/`,
      'https:evil',
      '/\\evil',
      '\\\\evil',
      'javascript:alert(1)',
      'JavaScript:alert(1)//http://127.0.0.1/console/',
      'data:text/html,<script>alert(1)</script>',
      '%2F%2Fevil',
      `${origin}/console/%2F%2Fevil`,
      `${origin}/console/%2f..%2f..%2fportal`,
      `${origin}/console/..;/portal`,
      `${origin}/console/../portal`,
      `${origin}/console/%2e%2e/portal`,
      `${origin}/consolex/`,
      `${origin}/console/\r\nSet-Cookie: x=1`,
      `${origin}/console/\nLocation: https://evil`,
      `http://127.0.0.1:${Number(port) + 1}/console/`,
      `https://127.0.0.1:${port}/console/`,
      `http://127.0.0.1:${port}.evil.com/console/`,
      `http://localhost:${port}/console/`,
      'HtTpS://evil/console/',
      '/console/',
      '',
    ];
    for (const Destination of payloads) refusedLogin(await login(fresh(), env, token, { Destination }), 400, JSON.stringify(Destination));
    refusedLogin(await fresh().get('/federation').query({ Action: 'login', Issuer: issuerOf(env), SigninToken: token }), 400, 'no Destination');
    // Percent-encoded CR/LF stays encoded in the Location header: no header is injected.
    const encoded = await login(fresh(), env, token, { Destination: `${origin}/console/%0d%0aSet-Cookie:%20x=1` });
    if (encoded.status === 302) {
      assert.equal(encoded.headers.location, `${origin}/console/%0d%0aSet-Cookie:%20x=1`);
      assert.ok(!((encoded.headers['set-cookie'] as unknown as string[] | undefined) ?? []).some((c) => c.startsWith('x=')));
      // That used the token; take another.
      token = await signinToken(env, role);
    } else refusedLogin(encoded, 400, 'encoded CRLF');
    // Mixed-case scheme and host that normalise under consoleUrl are accepted, redirected normalised.
    const ok = await login(fresh(), env, token, { Destination: `HTTP://127.0.0.1:${port}/console/iam/users` });
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.location, `${origin}/console/iam/users`);
  });

  it('C2: an untrusted Issuer is refused; forged Host / X-Forwarded-Host change nothing', async () => {
    const token = await signinToken(env, role);
    for (const Issuer of ['https://evil/portal/', `${env.gh.url}/portalx/`, `${env.gh.url}/console/`, '//evil/portal/', 'javascript:alert(1)', `${env.gh.url}/portal/..;/x`]) {
      refusedLogin(await login(fresh(), env, token, { Issuer }), 400, Issuer);
    }
    const forged = (agent: ReturnType<typeof fresh>, params: Record<string, string> = {}) =>
      login(agent, env, token, params).set('Host', 'evil.example').set('X-Forwarded-Host', 'evil.example').set('X-Forwarded-Proto', 'https');
    refusedLogin(await forged(fresh(), { Destination: 'http://evil.example/console/' }), 400, 'forged host as Destination');
    refusedLogin(await forged(fresh(), { Issuer: 'http://evil.example/portal/' }), 400, 'forged host as Issuer');
    const agent = fresh();
    const ok = await forged(agent);
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.location, consoleUrl(env), 'the redirect is the configured console, not the Host');
    // The timeout page links only to the trusted Issuer the session was opened with.
    env.clock.advance(3600_000);
    const timedOut = await agent.get('/console/').set('Host', 'evil.example').set('X-Forwarded-Host', 'evil.example');
    assert.equal(timedOut.status, 401);
    const links = [...timedOut.text.matchAll(/href="([^"]+)"/g)].map((m) => m[1]).filter((h) => !h!.startsWith('/static/'));
    assert.deepEqual(links, [issuerOf(env)]);
    env.clock.advance(-3600_000);
  });

  it('C3: a sign-in token works once; reuse and use after 15 minutes are refused', async () => {
    const token = await signinToken(env, role);
    assert.equal((await login(fresh(), env, token)).status, 302);
    refusedLogin(await login(fresh(), env, token), 403, 'reused');
    const late = await signinToken(env, role);
    env.clock.advance(15 * 60_000 + 1000);
    refusedLogin(await login(fresh(), env, late), 403, 'after 15 minutes');
    env.clock.advance(-(15 * 60_000 + 1000));
  });

  it('C3: 20 concurrent logins with one token → exactly one 302', async () => {
    const token = await signinToken(env, role);
    const results = await Promise.all(Array.from({ length: 20 }, () => login(fresh(), env, token)));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [302, ...Array<number>(19).fill(403)]);
  });

  it('C4: tampered, truncated, random and oversized tokens → 4xx, no cookie, no stack', async () => {
    const token = await signinToken(env, role);
    const flipped = (token[0] === 'A' ? 'B' : 'A') + token.slice(1);
    for (const t of [flipped, token.slice(0, 42), token.slice(0, 20), `${token}A`, 'A'.repeat(43), '', '../../etc/passwd', 'x'.repeat(10_000), `${token}%00`]) {
      const r = await login(fresh(), env, t);
      assert.ok(r.status === 400 || r.status === 403, `${t.slice(0, 50)}: ${r.status}`);
      refusedLogin(r, r.status, t.slice(0, 50));
    }
    assert.equal((await login(fresh(), env, token)).status, 302, 'the real token still works once');
  });

  it('C4: getSigninToken refuses bogus, expired, long-term and GetSessionToken credentials', async () => {
    const check = async (r: supertest.Response, status: number, why: string, message?: RegExp) => {
      assert.equal(r.status, status, `${why}: ${r.text}`);
      assert.equal(r.body.SigninToken, undefined, why);
      assert.doesNotMatch(r.text, NO_STACK, why);
      assert.match(r.headers['cache-control']!, /no-store/);
      if (message) assert.match(r.body.message, message, why);
    };
    const raw = (Session: string | undefined) => supertest(env.gh.url).get('/federation').query({ Action: 'getSigninToken', ...(Session !== undefined && { Session }) });
    for (const s of [undefined, '', 'not json', '[]', 'null', '{"sessionId":"ASIA"}', JSON.stringify({ sessionId: 1, sessionKey: 2, sessionToken: 3 })]) await check(await raw(s), 400, String(s));
    await check(await getSigninToken(env, { ...role, sessionToken: 'garbage' }), 403, 'garbage token', /invalid/);
    await check(await getSigninToken(env, { ...role, secretAccessKey: 'x'.repeat(40) }), 403, 'wrong secret', /invalid/);
    await check(await getSigninToken(env, { ...role, accessKeyId: 'ASIAAAAAAAAAAAAAAAAA' }), 403, 'other key id', /invalid/);
    const ONLY = /^Only federation tokens or assume role tokens may be used for federated login\.$/;
    await check(await getSigninToken(env, { ...env.broker, sessionToken: role.sessionToken! }), 403, 'long-term AKIA key', ONLY);
    const session = creds((await env.sdk().sts(env.broker).send(new GetSessionTokenCommand({}))).Credentials);
    await check(await getSigninToken(env, session), 403, 'GetSessionToken credentials', ONLY);
    const short = await roleCredentials(env, 'console-admin', undefined, 900);
    env.clock.advance(901_000);
    await check(await getSigninToken(env, short), 403, 'expired', /expired/);
    env.clock.advance(-901_000);
  });

  it('SessionDuration: refused for GetFederationToken credentials; honoured, capped by the credentials, for AssumeRole ones', async () => {
    const fed = await federationCredentials(env);
    const refused = await getSigninToken(env, fed, { SessionDuration: '3600' });
    assert.equal(refused.status, 400);
    assert.match(refused.body.message, /SessionDuration is allowed only for credentials from AssumeRole/);
    assert.equal(refused.body.SigninToken, undefined);
    for (const d of ['899', '43201', 'abc', '-900', '1e4']) assert.equal((await getSigninToken(env, role, { SessionDuration: d })).status, 400, d);

    const long = await roleCredentials(env, 'console-admin', undefined, 7200);
    const agent = fresh();
    assert.equal((await login(agent, env, await signinToken(env, long, { SessionDuration: '900' }))).status, 302);
    const capped = fresh();
    assert.equal((await login(capped, env, await signinToken(env, long, { SessionDuration: '43200' }))).status, 302);
    const t0 = env.clock.now();
    env.clock.set(t0 + 899_000);
    assert.equal((await agent.get('/console/')).status, 200);
    env.clock.set(t0 + 900_000);
    assert.equal((await agent.get('/console/')).status, 401, 'ended after SessionDuration');
    env.clock.set(t0 + 7199_000);
    assert.equal((await capped.get('/console/')).status, 200);
    env.clock.set(t0 + 7200_000);
    assert.equal((await capped.get('/console/')).status, 401, 'capped at the credentials’ two hours');
  });
});

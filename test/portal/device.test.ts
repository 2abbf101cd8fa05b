/**
 * CLI sign-in on the wire (RFC 8628) against a running Gatehouse with the demo directory and a
 * frozen clock: the device authorization answer; every token-endpoint answer of §3.5
 * (authorization_pending, slow_down with the interval raised by 5 s, access_denied,
 * expired_token) plus invalid_grant for a replayed or unknown code and unsupported_grant_type;
 * the approval page (sign in first and come back; CSRF on POST, B4; nothing decided by GET);
 * the grant at POST /portal/api/credentials (Bearer); the grants on the portal home, revoke and
 * sign out everywhere (A6); and G1: no device code, user code or grant in any log line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { FixedClock } from '../../src/shared/clock.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { tempDir } from '../support/files.js';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { captureLogger } from '../support/app.js';
import { csrfIn, demoLogins, signedIn, text, type Agent } from './helpers.js';

const GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;

describe('CLI sign-in: RFC 8628 device grant', () => {
  const clock = new FixedClock(Date.now());
  const { logger, lines } = captureLogger();
  let gh: TestGatehouse;
  let logins: Map<string, string>;
  /** Every secret the tests saw: none may appear in a log line (G1). */
  const secrets: string[] = [];

  before(async () => {
    gh = await startGatehouse({ clock, logger });
    logins = demoLogins(gh.server.config.dataDir);
  });
  after(async () => {
    await gh.close();
  });

  const http = () => supertest(gh.url);
  const start = async () => {
    const r = await http().post('/portal/oauth/device_authorization').type('form').send({ client_id: 'gatehouse-cli' });
    assert.equal(r.status, 200, r.text);
    secrets.push(r.body.device_code, r.body.user_code);
    return r.body as { device_code: string; user_code: string; verification_uri: string; verification_uri_complete: string; expires_in: number; interval: number };
  };
  const poll = (deviceCode: string, over: Record<string, string> = {}) =>
    http().post('/portal/oauth/token').type('form').send({ grant_type: GRANT_TYPE, device_code: deviceCode, client_id: 'gatehouse-cli', ...over });
  const expectError = (r: supertest.Response, error: string, status = 400) => {
    assert.equal(r.status, status, r.text);
    assert.equal(r.body.error, error, r.text);
    assert.equal(typeof r.body.error_description, 'string');
    assert.match(String(r.headers['content-type']), /^application\/json/);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.equal(r.headers.pragma, 'no-cache');
  };
  const approve = async (agent: Agent, userCode: string, decision = 'approve') => {
    const page = await agent.get(`/portal/device?user_code=${userCode}`);
    assert.equal(page.status, 200, text(page.text).slice(0, 300));
    return agent.post('/portal/device').type('form').send({ _csrf: csrfIn(page.text)!, user_code: userCode, decision });
  };

  it('answers the device authorization request with the RFC fields', async () => {
    const r = await http().post('/portal/oauth/device_authorization').type('form').send({ client_id: 'gatehouse-cli', scope: 'anything' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['cache-control'], 'no-store');
    assert.deepEqual(Object.keys(r.body).sort(), ['device_code', 'expires_in', 'interval', 'user_code', 'verification_uri', 'verification_uri_complete']);
    assert.match(r.body.user_code, USER_CODE);
    assert.equal(r.body.verification_uri, `${gh.server.config.server.publicUrl}/portal/device`);
    assert.equal(r.body.verification_uri_complete, `${r.body.verification_uri}?user_code=${r.body.user_code}`);
    assert.equal(r.body.expires_in, 600);
    assert.equal(r.body.interval, 5);
    assert.ok(r.body.device_code.length >= 43);
    secrets.push(r.body.device_code, r.body.user_code);
    expectError(await http().post('/portal/oauth/device_authorization').type('form').send({ client_id: 'someone-else' }), 'invalid_client', 401);
    expectError(await http().post('/portal/oauth/device_authorization').type('form').send({}), 'invalid_request');
    expectError(await http().post('/portal/oauth/device_authorization').send({ client_id: 'gatehouse-cli' }), 'invalid_request');
  });

  it('refuses a wrong grant_type, a missing parameter, an unknown client and an unknown device code', async () => {
    const d = await start();
    expectError(await poll(d.device_code, { grant_type: 'authorization_code' }), 'unsupported_grant_type');
    expectError(await poll(d.device_code, { grant_type: 'refresh_token' }), 'unsupported_grant_type');
    expectError(await http().post('/portal/oauth/token').type('form').send({ device_code: d.device_code, client_id: 'gatehouse-cli' }), 'invalid_request');
    expectError(await http().post('/portal/oauth/token').type('form').send({ grant_type: GRANT_TYPE, client_id: 'gatehouse-cli' }), 'invalid_request');
    expectError(await poll(d.device_code, { client_id: 'someone-else' }), 'invalid_client', 401);
    expectError(await poll(`ghd_${'A'.repeat(43)}`), 'invalid_grant');
    expectError(await http().post('/portal/oauth/token').send({ grant_type: GRANT_TYPE, device_code: d.device_code, client_id: 'gatehouse-cli' }), 'invalid_request');
  });

  it('says authorization_pending, then slow_down (interval + 5 s each time) when polled faster than the interval', async () => {
    const d = await start();
    expectError(await poll(d.device_code), 'authorization_pending');
    const fast = await poll(d.device_code);
    expectError(fast, 'slow_down');
    assert.equal(fast.body.interval, 10);
    clock.advance(9_000);
    const faster = await poll(d.device_code);
    expectError(faster, 'slow_down', 400);
    assert.equal(faster.body.interval, 15, 'raised again, counted from the last poll');
    clock.advance(15_000);
    expectError(await poll(d.device_code), 'authorization_pending');
  });

  it('says expired_token once the code has expired (faked clock), and the page no longer offers it', async () => {
    const d = await start();
    clock.advance(601_000);
    expectError(await poll(d.device_code), 'expired_token');
    const { agent } = await signedIn(gh.url, 'grace', logins.get('grace')!);
    const page = await agent.get(`/portal/device?user_code=${d.user_code}`);
    assert.equal(page.status, 404);
    assert.match(text(page.text), /not valid, has expired/);
  });

  it('says access_denied once the person denies it', async () => {
    const d = await start();
    const { agent } = await signedIn(gh.url, 'grace', logins.get('grace')!);
    const r = await approve(agent, d.user_code, 'deny');
    assert.equal(r.status, 200);
    assert.match(text(r.text), /Sign-in denied/);
    clock.advance(5_000);
    expectError(await poll(d.device_code), 'access_denied');
  });

  it('B4: approving needs the session CSRF token; GET decides nothing; signing in first comes back to the code', async () => {
    const d = await start();
    // Not signed in: the sign-in form, carrying the way back.
    const anonymous = supertest.agent(gh.url);
    const form = await anonymous.get(`/portal/device?user_code=${d.user_code}`);
    assert.equal(form.status, 200);
    assert.match(form.text, new RegExp(`name="next" value="/portal/device\\?user_code=${d.user_code}"`));
    const signin = await anonymous.post('/portal/login').type('form').send({ _csrf: csrfIn(form.text)!, username: 'grace', password: logins.get('grace')!, next: `/portal/device?user_code=${d.user_code}` });
    assert.equal(signin.status, 303);
    assert.equal(signin.headers.location, `/portal/device?user_code=${d.user_code}`);
    const page = await anonymous.get(signin.headers.location!);
    assert.equal(page.status, 200);
    // B5 on the new page.
    assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.match(String(page.headers['cache-control']), /no-store/);
    assert.match(text(page.text), new RegExp(d.user_code));
    assert.match(text(page.text), /Developer/, 'the sets the CLI will be able to use');
    // Cross-site posts: no token, a wrong token, another session's token.
    const other = await signedIn(gh.url, 'grace', logins.get('grace')!);
    const otherToken = csrfIn((await other.agent.get('/portal/')).text)!;
    for (const _csrf of [undefined, 'x'.repeat(64), otherToken]) {
      const r = await anonymous.post('/portal/device').type('form').send({ ...(_csrf && { _csrf }), user_code: d.user_code, decision: 'approve' });
      assert.equal(r.status, 403, `CSRF token ${String(_csrf).slice(0, 8)}`);
    }
    assert.equal((await anonymous.get(`/portal/device?user_code=${d.user_code}&decision=approve`)).status, 200);
    clock.advance(5_000);
    expectError(await poll(d.device_code), 'authorization_pending', 400);
    // Unsafe ways back are ignored.
    for (const next of ['//evil.example/', 'https://evil.example/portal/', '/portal/../console/', '/\\evil.example', '/portal//evil.example']) {
      const a = supertest.agent(gh.url);
      const f = await a.get('/portal/');
      const r = await a.post('/portal/login').type('form').send({ _csrf: csrfIn(f.text)!, username: 'grace', password: logins.get('grace')!, next });
      assert.equal(r.status, 303);
      assert.equal(r.headers.location, '/portal/', next);
    }
  });

  let grant = '';
  let graceAgent: Agent;

  it('exchanges an approved code for a grant once; a replay is invalid_grant', async () => {
    const d = await start();
    const { agent } = await signedIn(gh.url, 'grace', logins.get('grace')!);
    graceAgent = agent;
    const r = await approve(agent, d.user_code);
    assert.equal(r.status, 200);
    assert.match(text(r.text), /Command line signed in/);
    clock.advance(5_000);
    const t = await poll(d.device_code);
    assert.equal(t.status, 200, t.text);
    assert.equal(t.headers['cache-control'], 'no-store');
    assert.deepEqual(Object.keys(t.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
    assert.equal(t.body.token_type, 'Bearer');
    assert.equal(t.body.expires_in, 8 * 3600);
    assert.equal(t.body.refresh_token, t.body.access_token);
    grant = t.body.access_token;
    secrets.push(grant);
    clock.advance(5_000);
    expectError(await poll(d.device_code), 'invalid_grant');
    // The code cannot be decided again either.
    assert.equal((await approve(agent, d.user_code).catch(() => ({ status: 404 }))).status, 404);
  });

  it('mints credentials for the bearer of a grant, only for the sets the person has; check: true mints nothing', async () => {
    const api = (body: object, bearer = grant) => http().post('/portal/api/credentials').set('Authorization', `Bearer ${bearer}`).set('Content-Type', 'application/json').send(JSON.stringify(body));
    const r = await api({ permissionSet: 'Developer' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(Object.keys(r.body), ['Version', 'AccessKeyId', 'SecretAccessKey', 'SessionToken', 'Expiration']);
    assert.equal(r.headers['cache-control'], 'no-store');
    secrets.push(r.body.SecretAccessKey, r.body.SessionToken);
    const who = await gh.cli(['sts', 'get-caller-identity'], { accessKeyId: r.body.AccessKeyId, secretAccessKey: r.body.SecretAccessKey, sessionToken: r.body.SessionToken });
    assert.equal(who.json?.Arn, `arn:aws:sts::${gh.accountId}:federated-user/grace`);
    assert.equal((await api({ permissionSet: 'Developer', check: true })).status, 204);
    assert.equal((await api({ permissionSet: 'Admin' })).status, 403, 'grace has no Admin');
    assert.equal((await api({ permissionSet: 42 })).status, 400);
    const bad = await api({ permissionSet: 'Developer' }, `ghg_${'B'.repeat(43)}`);
    assert.equal(bad.status, 401);
    assert.equal(bad.headers['www-authenticate'], 'Bearer error="invalid_token"');
    assert.equal((await api({ permissionSet: 'Developer' }, 'not-even-close')).status, 401);
    // The password path is still there for requests without a bearer token.
    const pw = await http().post('/portal/api/credentials').set('Content-Type', 'application/json').send(JSON.stringify({ username: 'grace', password: logins.get('grace'), permissionSet: 'Developer' }));
    assert.equal(pw.status, 200);
    secrets.push(pw.body.SecretAccessKey, pw.body.SessionToken);
  });

  it('A6: the person sees their grants on the portal and revokes one; sign out everywhere revokes all and ends other sessions', async () => {
    const home = await graceAgent.get('/portal/');
    assert.match(text(home.text), /Command-line sign-ins/);
    const ids = [...home.text.matchAll(/name="grant" value="([^"]+)"/g)].map((m) => m[1]!);
    assert.equal(ids.length, 1);
    assert.match(home.text, /Sign out everywhere/);
    const api = (bearer: string) => http().post('/portal/api/credentials').set('Authorization', `Bearer ${bearer}`).set('Content-Type', 'application/json').send('{"permissionSet":"Developer","check":true}');
    // Someone else cannot revoke it (ada's session, grace's grant id).
    const bob = await signedIn(gh.url, 'ada', logins.get('ada')!);
    const bobCsrf = csrfIn(bob.home)!;
    assert.equal((await bob.agent.post('/portal/grants/revoke').type('form').send({ _csrf: bobCsrf, grant: ids[0]! })).status, 303);
    assert.equal((await api(grant)).status, 204, "ada cannot revoke grace's grant");
    // Without the CSRF token: 403, nothing revoked.
    assert.equal((await graceAgent.post('/portal/grants/revoke').type('form').send({ grant: ids[0]! })).status, 403);
    assert.equal((await api(grant)).status, 204);
    const r = await graceAgent.post('/portal/grants/revoke').type('form').send({ _csrf: csrfIn(home.text)!, grant: ids[0]! });
    assert.equal(r.status, 303);
    assert.equal((await api(grant)).status, 401, 'revoked at once');
    // Two more grants and a second browser; sign out everywhere from the first.
    const grants: string[] = [];
    for (let i = 0; i < 2; i++) {
      const d = await start();
      await approve(graceAgent, d.user_code);
      clock.advance(5_000);
      const t = await poll(d.device_code);
      grants.push(t.body.access_token);
      secrets.push(t.body.access_token);
    }
    for (const g of grants) assert.equal((await api(g)).status, 204);
    const second = await signedIn(gh.url, 'grace', logins.get('grace')!);
    clock.advance(1_000);
    const out = await graceAgent.post('/portal/logout').type('form').send({ _csrf: csrfIn((await graceAgent.get('/portal/')).text)!, everywhere: '1' });
    assert.equal(out.status, 303);
    for (const g of grants) assert.equal((await api(g)).status, 401, 'every grant revoked');
    const secondHome = await second.agent.get('/portal/');
    assert.doesNotMatch(text(secondHome.text), /Your permission sets/, 'the other browser is signed out too');
    assert.match(text(secondHome.text), /Sign in/);
    // Signing in again afterwards works.
    clock.advance(1_000);
    assert.ok((await signedIn(gh.url, 'grace', logins.get('grace')!)).sets.includes('Developer'));
  });

  it('a grant lives portal.cliGrantHours (8 h) on the clock, then is refused', async () => {
    const d = await start();
    const { agent } = await signedIn(gh.url, 'grace', logins.get('grace')!);
    await approve(agent, d.user_code);
    clock.advance(5_000);
    const g = (await poll(d.device_code)).body.access_token as string;
    secrets.push(g);
    const api = () => http().post('/portal/api/credentials').set('Authorization', `Bearer ${g}`).set('Content-Type', 'application/json').send('{"permissionSet":"Developer","check":true}');
    clock.advance(8 * 3600_000 - 1_000);
    assert.equal((await api()).status, 204);
    clock.advance(1_000);
    assert.equal((await api()).status, 401);
  });

  it('serves the helper as one JavaScript file, with an ETag, no cookie and no session', async () => {
    const r = await http().get('/portal/cli/gatehouse.mjs');
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-type']), /^text\/javascript/);
    assert.equal(r.headers['set-cookie'], undefined);
    assert.match(r.text, /^#!\/usr\/bin\/env node/);
    assert.deepEqual([...r.text.matchAll(/^import .* from '([^']+)';$/gm)].map((m) => m[1]!.startsWith('node:')).filter((x) => !x), [], 'node: built-ins only');
    const again = await http().get('/portal/cli/gatehouse.mjs').set('If-None-Match', String(r.headers.etag));
    assert.equal(again.status, 304);
  });

  it('G1: no device code, user code, grant, secret or session token in any log line', () => {
    assert.ok(lines.length > 10, 'the log was captured');
    assert.ok(lines.some((l) => l.includes('portal.cli.grant')), 'grants are logged (by id)');
    for (const s of secrets.filter(Boolean)) {
      const hit = lines.find((l) => l.includes(s));
      assert.equal(hit, undefined, `a secret (${s.slice(0, 6)}…) in the log`);
    }
  });
});

describe('portal.cliGrantHours', () => {
  it('defaults to 8, accepts 1 to 168, and refuses anything else naming the key', () => {
    const tmp = tempDir();
    try {
      const load = (yaml: string) => loadConfig({ file: tmp.write(`c${Math.random()}.yaml`, yaml), env: {}, cwd: tmp.dir });
      assert.equal(load('portal: {}').portal.cliGrantHours, 8);
      assert.equal(load('portal: { cliGrantHours: 168 }').portal.cliGrantHours, 168);
      assert.equal(load('portal: { cliGrantHours: 1 }').portal.cliGrantHours, 1);
      for (const bad of ['0', '169', '2.5', '"8"']) {
        assert.throws(() => load(`portal: { cliGrantHours: ${bad} }`), (err) => err instanceof ConfigError && /^config: portal\.cliGrantHours: /.test(err.message), bad);
      }
    } finally {
      tmp.cleanup();
    }
  });
});

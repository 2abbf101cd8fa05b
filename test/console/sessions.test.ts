/**
 * SECURITY.md section B for console sessions: B1 a new session id at login (the old
 * cookie dead), B2 cookie flags over http and, with an https publicUrl behind a trusted
 * proxy, `__Host-` + Secure (and HSTS), B3 replay after sign-out, B4 sign-out needs the
 * CSRF token. (B4 for IAM pages and B5 are in iam-pages.test.ts.)
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateLoginProfileCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import supertest from 'supertest';
import { tempDir } from '../support/files.js';
import { csrf, csrfIn, issuerOf, login, openConsole, roleCredentials, setup, signinToken, type ConsoleEnv } from './helpers.js';

const cookies = (r: supertest.Response) => (r.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
const named = (r: supertest.Response, prefix: string) => cookies(r).find((c) => c.startsWith(prefix));
const pair = (cookie: string) => cookie.split(';')[0]!;

describe('console sessions over http (B1–B4)', () => {
  let env: ConsoleEnv;
  before(async () => {
    env = await setup();
  });
  after(() => env.close());

  it('B1: login gives a new session id; the pre-login cookie is dead', async () => {
    const agent = supertest.agent(env.gh.url);
    // The sign-in form stores no session (H5): the cookie carried into the login is an earlier session's.
    assert.equal(named(await agent.get('/console/signin'), 'gatehouse-console='), undefined, 'no session for the sign-in form');
    const anon = named(await login(agent, env, await signinToken(env, await roleCredentials(env))), 'gatehouse-console=');
    assert.ok(anon, 'an earlier session');
    const r = await login(agent, env, await signinToken(env, await roleCredentials(env)));
    assert.equal(r.status, 302);
    const fresh = named(r, 'gatehouse-console=');
    assert.ok(fresh);
    assert.notEqual(pair(fresh), pair(anon));
    assert.equal((await agent.get('/console/')).status, 200);
    assert.equal((await supertest(env.gh.url).get('/console/').set('Cookie', pair(anon))).status, 401);
  });

  it('B2: HttpOnly, SameSite=Lax, Path=/, no Secure over http; a long random session id', async () => {
    const r = await login(supertest.agent(env.gh.url), env, await signinToken(env, await roleCredentials(env)));
    const cookie = named(r, 'gatehouse-console=')!;
    assert.match(cookie, /; Path=\//);
    assert.match(cookie, /; HttpOnly/);
    assert.match(cookie, /; SameSite=Lax/);
    assert.doesNotMatch(cookie, /; Secure/);
    assert.doesNotMatch(cookie, /; Domain=/);
    const id = /^gatehouse-console=s%3A([^.]+)\./.exec(cookie)?.[1];
    assert.ok(id && Buffer.from(id, 'base64url').length * 8 >= 128, `session id ${id} has at least 128 bits`);
    assert.equal(r.headers['strict-transport-security'], undefined);
  });

  it('B3 + B4: sign-out needs the CSRF token, returns to the Issuer, and the cookie cannot be replayed', async () => {
    const agent = supertest.agent(env.gh.url);
    const cookie = pair(named(await login(agent, env, await signinToken(env, await roleCredentials(env))), 'gatehouse-console=')!);
    const token = await csrf(agent);
    assert.equal((await agent.post('/console/logout').type('form').send({})).status, 403);
    assert.equal((await agent.get('/console/')).status, 200, 'still signed in');
    const out = await agent.post('/console/logout').type('form').send({ _csrf: token });
    assert.equal(out.status, 303);
    assert.equal(out.headers.location, issuerOf(env));
    assert.equal((await agent.get('/console/')).status, 401);
    assert.equal((await supertest(env.gh.url).get('/console/').set('Cookie', cookie)).status, 401, 'replayed cookie');
    // Signing out by GET does nothing.
    const again = await openConsole(env, await roleCredentials(env));
    assert.equal((await again.get('/console/logout')).status, 404);
    assert.equal((await again.get('/console/')).status, 200);
  });
});

describe('console sessions with an https publicUrl (B2)', () => {
  let env: ConsoleEnv;
  const publicUrl = 'https://gatehouse.test';
  const dir = tempDir();

  before(async () => {
    const file = join(dir.dir, 'gatehouse.yaml');
    writeFileSync(file, `server:\n  publicUrl: "${publicUrl}"\n  trustProxy: "loopback"\n`);
    env = await setup({ env: { GATEHOUSE_CONFIG: file } });
  });
  after(async () => {
    await env.close();
    dir.cleanup();
  });

  it('__Host-gatehouse-console, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain; HSTS; Secure account cookie', async () => {
    const token = await signinToken(env, await roleCredentials(env));
    const r = await supertest(env.gh.url)
      .get('/federation')
      .query({ Action: 'login', Issuer: `${publicUrl}/portal/`, Destination: `${publicUrl}/console/`, SigninToken: token })
      .set('X-Forwarded-Proto', 'https');
    assert.equal(r.status, 302, r.text);
    assert.equal(r.headers.location, `${publicUrl}/console/`);
    const cookie = named(r, '__Host-gatehouse-console=');
    assert.ok(cookie, cookies(r).join(' | '));
    for (const flag of [/; Path=\//, /; HttpOnly/, /; Secure/, /; SameSite=Lax/]) assert.match(cookie, flag);
    assert.doesNotMatch(cookie, /; Domain=/);
    assert.match(r.headers['strict-transport-security']!, /max-age=\d+/);
    // IAM-user sign-in over https: the form's CSRF cookie, the new session cookie and the account cookie are Secure.
    const iam = env.sdk().iam();
    await iam.send(new CreateUserCommand({ UserName: 'sam' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'sam', Password: 'Secure-Passw0rd' }));
    const form = await supertest(env.gh.url).get('/console/signin').set('X-Forwarded-Proto', 'https');
    const anon = named(form, '__Host-gatehouse-console-csrf=');
    assert.match(anon!, /; Secure/);
    const signin = await supertest(env.gh.url)
      .post('/console/signin')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', pair(anon!))
      .type('form')
      .send({ _csrf: csrfIn(form.text), account: env.gh.accountId, username: 'sam', password: 'Secure-Passw0rd' });
    assert.equal(signin.status, 303, signin.text);
    assert.match(named(signin, '__Host-gatehouse-console=')!, /; Secure/);
    assert.match(named(signin, 'gatehouse-account=')!, /; HttpOnly; Secure; SameSite=Lax$/);
  });
});

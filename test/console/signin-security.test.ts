/**
 * The console's IAM-user sign-in against the outside review (issue 12):
 * - SECURITY.md H5: showing the form writes nothing to the session store (its CSRF token is a
 *   signed double-submit cookie, web/login-csrf.ts); a missing, forged, expired or mismatched
 *   token is 403 and signs no one in.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateLoginProfileCommand, CreateUserCommand } from '@aws-sdk/client-iam';
import supertest from 'supertest';
import type Database from 'better-sqlite3';
import { rawDatabase } from '../support/sqlite.js';
import { csrfIn, setup, signIn, type ConsoleEnv } from './helpers.js';

const PASSWORD = `Pw-${randomBytes(12).toString('base64url')}-7x`;
const CSRF_COOKIE = 'gatehouse-console-csrf';

const cookies = (r: supertest.Response) => (r.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
const named = (r: supertest.Response, name: string) => cookies(r).find((c) => c.startsWith(`${name}=`));

async function createUser(env: ConsoleEnv, name: string): Promise<void> {
  const iam = env.sdk().iam();
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new CreateLoginProfileCommand({ UserName: name, Password: PASSWORD }));
}

describe('console sign-in form: no session before sign-in (SECURITY H5)', () => {
  let env: ConsoleEnv;
  let db: Database.Database;
  const count = () => (db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;

  before(async () => {
    env = await setup();
    await createUser(env, 'hana');
    db = rawDatabase(join(env.gh.server.config.dataDir, 'sessions.db'), { readonly: true });
  });
  after(async () => {
    db?.close();
    await env?.close();
  });

  it('50 cookieless GETs of /console/signin store no session and set no session cookie', async () => {
    const before = count();
    for (let i = 0; i < 50; i++) {
      const r = await supertest(env.gh.url).get(`/console/signin?account=${env.gh.accountId}`);
      assert.equal(r.status, 200);
      assert.ok(csrfIn(r.text), 'the form carries a token');
      assert.equal(named(r, 'gatehouse-console'), undefined, 'no session cookie');
      const c = named(r, CSRF_COOKIE);
      assert.ok(c, 'the token is in a signed cookie');
      assert.match(c, /HttpOnly/i);
      assert.match(c, /SameSite=Strict/i);
      assert.match(c, /Path=\/console\//);
    }
    assert.equal(count(), before, 'no session row written');
  });

  it('a missing, forged or mismatched token is 403 and stores nothing; the right one signs in', async () => {
    const account = env.gh.accountId;
    const fields = { account, username: 'hana', password: PASSWORD, mfaCode: '' };
    const before = count();
    const a = supertest.agent(env.gh.url);
    const page = await a.get('/console/signin');
    const token = csrfIn(page.text)!;
    const cookie = named(page, CSRF_COOKIE)!.split(';')[0]!;
    const other = await supertest(env.gh.url).get('/console/signin');
    const otherToken = csrfIn(other.text)!;
    const [cname, cvalue] = cookie.split('=') as [string, string];
    const [ctoken, cexp] = cvalue.split('.') as [string, string, string];
    const attempts: Array<[string, supertest.Test]> = [
      ['no token, no cookie', supertest(env.gh.url).post('/console/signin').type('form').send(fields)],
      ['a token without its cookie', supertest(env.gh.url).post('/console/signin').type('form').send({ ...fields, _csrf: token })],
      ['the cookie without the token', supertest(env.gh.url).post('/console/signin').set('Cookie', cookie).type('form').send(fields)],
      ['another form’s token', supertest(env.gh.url).post('/console/signin').set('Cookie', cookie).type('form').send({ ...fields, _csrf: otherToken })],
      ['a forged MAC', supertest(env.gh.url).post('/console/signin').set('Cookie', `${cname}=${ctoken}.${cexp}.${randomBytes(32).toString('base64url')}`).type('form').send({ ...fields, _csrf: token })],
      ['the portal’s cookie name', supertest(env.gh.url).post('/console/signin').set('Cookie', `gatehouse-portal-csrf=${cvalue}`).type('form').send({ ...fields, _csrf: token })],
    ];
    for (const [what, req] of attempts) {
      const r = await req;
      assert.equal(r.status, 403, what);
      assert.equal(r.headers.location, undefined, what);
      assert.equal(named(r, 'gatehouse-console'), undefined, what);
    }
    assert.equal(count(), before, 'no refused attempt stored a session');
    const ok = await a.post('/console/signin').type('form').send({ ...fields, _csrf: token });
    assert.equal(ok.status, 303);
    assert.ok(named(ok, 'gatehouse-console'), 'a session at sign-in');
    assert.match(named(ok, CSRF_COOKIE) ?? '', /Max-Age=0/, 'the form’s cookie is cleared');
    assert.equal(count(), before + 1, 'exactly one session: the signed-in one');
  });

  it('an expired form token is 403', async () => {
    const a = supertest.agent(env.gh.url);
    const page = await a.get('/console/signin');
    env.clock.advance(31 * 60_000);
    const r = await a.post('/console/signin').type('form').send({ account: env.gh.accountId, username: 'hana', password: PASSWORD, _csrf: csrfIn(page.text)! });
    assert.equal(r.status, 403);
    // A fresh form works again.
    assert.equal((await signIn(supertest.agent(env.gh.url), { account: env.gh.accountId, username: 'hana', password: PASSWORD })).status, 303);
  });
});

/**
 * The console's IAM-user sign-in against the outside review (issue 12):
 * - SECURITY.md H5: showing the form writes nothing to the session store (its CSRF token is a
 *   signed double-submit cookie, web/login-csrf.ts); a missing, forged, expired or mismatched
 *   token is 403 and signs no one in.
 * - SECURITY.md H2: the MFA sign-in shares the device's budget of codes with STS: once 5 wrong
 *   codes were tried (here 3 through GetSessionToken, 2 at the console), the right password with
 *   the right code is refused with the same generic message, and the attempts are logged
 *   without the code.
 * - SECURITY.md H9: no RateLimit headers; 5 failures per (account + user, client IP) block that
 *   pair only (the person signs in from elsewhere); past 20 failures from all IPs the account
 *   is slowed to one attempt per 30 s (429 with a short Retry-After), never locked, and never
 *   from an IP where that account signed in before.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/files.js';
import { after, before, describe, it } from 'node:test';
import { CreateAccessKeyCommand, CreateLoginProfileCommand, CreateUserCommand, CreateVirtualMFADeviceCommand, EnableMFADeviceCommand } from '@aws-sdk/client-iam';
import { GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { captureLogger } from '../support/app.js';
import { stepOf, totp } from '../sts/helpers.js';
import supertest from 'supertest';
import type Database from 'better-sqlite3';
import { rawDatabase } from '../support/sqlite.js';
import { csrfIn, setup, signIn, text, type ConsoleEnv } from './helpers.js';

const GENERIC = /Your sign-in details are not correct, or you need to enter your MFA code/;
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
    const wrong = await signIn(supertest.agent(env.gh.url), { account, username: 'hana', password: `${PASSWORD}x` });
    assert.equal(wrong.status, 401);
    assert.equal(named(wrong, 'gatehouse-console'), undefined);
    assert.equal(count(), before, 'a wrong password stores no session either');
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

describe('console MFA sign-in within the device’s budget (SECURITY H2)', () => {
  let env: ConsoleEnv;
  const log = captureLogger();
  let serial: string;
  let seed: string;
  let key: { accessKeyId: string; secretAccessKey: string };

  before(async () => {
    env = await setup({ logger: log.logger });
    await createUser(env, 'mina');
    const iam = env.sdk().iam();
    const device = (await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'mina-phone' }))).VirtualMFADevice!;
    serial = device.SerialNumber!;
    seed = Buffer.from(device.Base32StringSeed!).toString('ascii');
    const step = stepOf(env.clock.now());
    await iam.send(new EnableMFADeviceCommand({ UserName: 'mina', SerialNumber: serial, AuthenticationCode1: totp(seed, step - 1), AuthenticationCode2: totp(seed, step) }));
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: 'mina' }))).AccessKey!;
    key = { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
    env.clock.advance(30_000);
  });
  after(() => env?.close());

  const wrong = () => {
    const valid = new Set([-1, 0, 1].map((d) => totp(seed, stepOf(env.clock.now()) + d)));
    let c = '000000';
    while (valid.has(c)) c = String(Number(c) + 1).padStart(6, '0');
    return c;
  };
  const signInWith = (mfaCode: string) => signIn(supertest.agent(env.gh.url), { account: env.gh.accountId, username: 'mina', password: PASSWORD, mfaCode });

  it('3 wrong codes through STS and 2 at the console: then the right code is refused at the console and by STS', async () => {
    const sts = env.sdk().sts(key);
    for (let i = 0; i < 3; i++) await assert.rejects(sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: wrong() })), { name: 'AccessDenied' });
    for (let i = 0; i < 2; i++) {
      const r = await signInWith(wrong());
      assert.equal(r.status, 401);
      assert.match(text(r.text), GENERIC);
    }
    const right = totp(seed, stepOf(env.clock.now()));
    const refused = await signInWith(right);
    assert.equal(refused.status, 401, 'the right code is refused while the limit holds');
    assert.match(text(refused.text), GENERIC);
    await assert.rejects(sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: right })), { name: 'AccessDenied' });
    const attempts = log.lines.filter((l) => l.includes('"mfa.attempt"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(attempts.map((a) => `${String(a.via)} ${String(a.outcome)}`), [
      ...Array(3).fill('sts:GetSessionToken wrong'), ...Array(2).fill('console:signin wrong'), 'console:signin limited', 'sts:GetSessionToken limited',
    ]);
    for (const a of attempts) assert.equal(a.serial, serial);
    assert.ok(attempts.every((a) => typeof a.requestId === 'string' && a.requestId !== ''));
    assert.ok(!log.lines.some((l) => l.includes('"mfa.attempt"') && l.includes(right)), 'never the code');
  });

  it('after the window the right code signs in', async () => {
    env.clock.advance(15 * 60_000);
    const r = await signInWith(totp(seed, stepOf(env.clock.now())));
    assert.equal(r.status, 303);
  });
});

describe('console sign-in limits (SECURITY H9)', () => {
  let env: ConsoleEnv;
  const dir = tempDir();
  const from = (ip: string, username: string, password: string) => {
    const agent = supertest.agent(env.gh.url);
    return agent.get('/console/signin').then((form) =>
      agent.post('/console/signin').set('X-Forwarded-For', ip).type('form').send({ _csrf: csrfIn(form.text)!, account: env.gh.accountId, username, password, mfaCode: '' }),
    );
  };
  const noCounters = (r: supertest.Response) => assert.deepEqual(Object.keys(r.headers).filter((h) => /ratelimit/i.test(h)), [], 'no header tells the tries left');

  before(async () => {
    const file = join(dir.dir, 'gatehouse.yaml');
    writeFileSync(file, 'server:\n  trustProxy: "loopback"\n');
    env = await setup({ env: { GATEHOUSE_CONFIG: file } });
    await createUser(env, 'nora');
    await createUser(env, 'otto');
  });
  after(async () => {
    await env?.close();
    dir.cleanup();
  });

  it('5 failures from one IP block that IP for the account (Retry-After); the person signs in from another; no counter headers', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await from('198.51.100.7', 'nora', 'wrong');
      assert.equal(r.status, 401);
      noCounters(r);
    }
    const blocked = await from('198.51.100.7', 'NORA', PASSWORD);
    assert.equal(blocked.status, 429, 'the right password from the blocked IP');
    noCounters(blocked);
    const wait = Number(blocked.headers['retry-after']);
    assert.ok(wait > 30 && wait <= 900, `Retry-After ${wait}`);
    const elsewhere = await from('203.0.113.9', 'nora', PASSWORD);
    assert.equal(elsewhere.status, 303, 'not locked out everywhere');
    noCounters(elsewhere);
  });

  it('past 20 failures from many IPs the account is slowed (one attempt per 30 s), not locked; never where it signed in before', async () => {
    assert.equal((await from('203.0.113.50', 'otto', PASSWORD)).status, 303, 'otto’s usual place');
    for (let i = 0; i < 20; i++) assert.equal((await from(`192.0.2.${i + 1}`, 'otto', 'wrong')).status, 401, `failure ${i + 1}`);
    const first = await from('192.0.2.101', 'otto', 'wrong');
    assert.equal(first.status, 401, 'one attempt goes through');
    const slowed = await from('192.0.2.102', 'otto', PASSWORD);
    assert.equal(slowed.status, 429);
    noCounters(slowed);
    const wait = Number(slowed.headers['retry-after']);
    assert.ok(wait >= 1 && wait <= 30, `a short Retry-After: ${wait}`);
    // Other accounts are not slowed, nor is otto where he signed in before.
    assert.equal((await from('192.0.2.103', 'nora', PASSWORD)).status, 303);
    assert.equal((await from('203.0.113.50', 'otto', 'wrong')).status, 401, 'a known place is not slowed');
    assert.equal((await from('203.0.113.50', 'otto', PASSWORD)).status, 303);
  });
});

/**
 * The console's 401 page in every state the browser and the server can be in (issue 11), over
 * HTTP on a frozen clock. Cookies are handled by hand, so each state is exactly what a browser
 * would send:
 * - never signed in (no cookie at all): "You are not signed in", the portal and IAM-user sign-in;
 * - the session expired (both cookies sent): "timed out", and a link to the Issuer; and again
 *   once the server has destroyed the session (the cookie is still sent);
 * - the browser dropped the session cookie (it expires with the session): the Issuer cookie alone
 *   still gives the link;
 * - the server forgot the session: restarted 13 h later on the same data, the session row swept;
 * - the credentials were revoked: role deleted, "revoke active sessions" (Deny * while
 *   aws:TokenIssueTime is older), the broker's policy removed under a federated session;
 * - an IAM-user session that ended is sent to the IAM-user sign-in, not to an old Issuer;
 * - an outage is not a refusal: a store that fails during the gate is a 503, and the session
 *   still works once the store is back.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import supertest from 'supertest';
import { CreateLoginProfileCommand, CreateUserCommand, DeleteRoleCommand, DeleteRolePolicyCommand, DeleteUserPolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { FixedClock } from '../../src/shared/clock.js';
import { tempDir } from '../support/files.js';
import { startGatehouse } from '../support/gatehouse.js';
import { rawDatabase } from '../support/sqlite.js';
import { allow, clientsAt, deny, doc, userWithKey } from '../sts/helpers.js';
import { consoleUrl, csrfIn, federationCredentials, roleCredentials, setup, signinToken, text, type ConsoleEnv } from './helpers.js';
import type { Credentials } from '../support/gatehouse.js';

const HOUR = 3600_000;
const cookiesOf = (r: supertest.Response) => ((r.headers['set-cookie'] as unknown as string[] | undefined) ?? []).map((c) => c.split(';')[0]!);
const returnLink = (html: string) => /<a class="button" href="([^"]+)">Return to/.exec(html)?.[1];
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!).filter((h) => !h.startsWith('/static/'));
const h1 = (html: string) => text(/<h1>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? '');

interface Jar {
  /** `gatehouse-console=…` */
  session: string;
  /** `gatehouse-issuer=…` (absent when the login named no Issuer) */
  issuer?: string;
}
const both = (j: Jar) => [j.session, j.issuer].filter(Boolean).join('; ');

/** A federation login (with `issuer`, when given); the cookies it set. */
async function openWith(env: ConsoleEnv, c: Credentials, issuer?: string, url = env.gh.url): Promise<Jar> {
  const token = await signinToken(env, c);
  const r = await supertest(url)
    .get('/federation')
    .query({ Action: 'login', Destination: consoleUrl(env), SigninToken: token, ...(issuer && { Issuer: issuer }) });
  assert.equal(r.status, 302, r.text);
  const set = cookiesOf(r);
  const session = set.find((c) => c.startsWith('gatehouse-console='));
  assert.ok(session);
  return { session, ...(issuer && { issuer: set.find((c) => c.startsWith('gatehouse-issuer=')) }) };
}

function get(url: string, cookie: string, path = '/console/') {
  return supertest(url).get(path).set('Accept', 'text/html').set('Cookie', cookie);
}

describe('the console 401 page in every state (issue 11)', () => {
  let env: ConsoleEnv;
  let issuer: string;

  before(async () => {
    env = await setup();
    issuer = `${env.gh.url}/portal/?set=Admin`;
  });
  after(() => env?.close());

  it('never signed in: "You are not signed in", with the portal and IAM-user sign-in', async () => {
    for (const path of ['/console/', '/console/iam/users', '/console/security-credentials']) {
      const r = await get(env.gh.url, '', path);
      assert.equal(r.status, 401, path);
      assert.equal(h1(r.text), 'You are not signed in', path);
      assert.doesNotMatch(text(r.text), /timed out/i, path);
      assert.deepEqual(hrefs(r.text), ['/portal/', '/console/signin'], path);
      assert.equal(r.headers['cache-control'], 'no-store');
    }
  });

  it('the session expired: the Issuer, and still the Issuer once the server has destroyed the session', async () => {
    const jar = await openWith(env, await roleCredentials(env), issuer);
    assert.equal((await get(env.gh.url, both(jar))).status, 200);
    env.clock.advance(HOUR + 1000);
    try {
      const r = await get(env.gh.url, both(jar), '/console/iam/users');
      assert.equal(r.status, 401);
      assert.equal(h1(r.text), 'Your session has timed out');
      assert.match(text(r.text), /reached the end of its lifetime/);
      assert.equal(returnLink(r.text), issuer);
      assert.deepEqual(hrefs(r.text), [issuer], 'only the Issuer is linked (C2)');
      const again = await get(env.gh.url, both(jar));
      assert.equal(again.status, 401);
      assert.match(text(again.text), /the server no longer holds it/);
      assert.equal(returnLink(again.text), issuer);
    } finally {
      env.clock.advance(-(HOUR + 1000));
    }
  });

  it('the browser no longer sends the session cookie: the Issuer cookie alone gives the way back', async () => {
    const jar = await openWith(env, await roleCredentials(env), issuer);
    env.clock.advance(HOUR + 1000);
    try {
      const r = await get(env.gh.url, jar.issuer!);
      assert.equal(r.status, 401);
      assert.equal(h1(r.text), 'Your session has timed out');
      assert.match(text(r.text), /Your browser no longer holds a console session/);
      assert.equal(returnLink(r.text), issuer);
    } finally {
      env.clock.advance(-(HOUR + 1000));
    }
    // Neither cookie: nothing to go back to.
    assert.equal(h1((await get(env.gh.url, '')).text), 'You are not signed in');
  });

  it('revoked: the role deleted', async () => {
    const c = await roleCredentials(env, 'doomed', doc(allow('iam:*')));
    const jar = await openWith(env, c, issuer);
    assert.equal((await get(env.gh.url, both(jar))).status, 200);
    const iam = env.sdk().iam();
    await iam.send(new DeleteRolePolicyCommand({ RoleName: 'doomed', PolicyName: 'inline' }));
    await iam.send(new DeleteRoleCommand({ RoleName: 'doomed' }));
    const r = await get(env.gh.url, both(jar));
    assert.equal(r.status, 401);
    assert.equal(h1(r.text), 'Your session has ended');
    assert.match(text(r.text), /revoked/);
    assert.equal(returnLink(r.text), issuer);
    // The session is gone server-side; the way back is not.
    assert.equal(returnLink((await get(env.gh.url, both(jar))).text), issuer);
  });

  it('revoked: "revoke active sessions" (Deny * for tokens issued before now); a new session works', async () => {
    const role = 'revocable-sessions';
    const jar = await openWith(env, await roleCredentials(env, role, doc(allow('iam:*'))), issuer);
    assert.equal((await get(env.gh.url, both(jar))).status, 200);
    env.clock.advance(2000);
    const cutoff = new Date(env.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const revoke = doc(deny('*', '*', { Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } } }));
    await env.sdk().iam().send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: revoke }));
    const r = await get(env.gh.url, both(jar));
    assert.equal(r.status, 401);
    assert.equal(h1(r.text), 'Your session has ended');
    assert.equal(returnLink(r.text), issuer);
    env.clock.advance(2000);
    const fresh = await openWith(env, await roleCredentials(env, role), issuer);
    assert.equal((await get(env.gh.url, both(fresh))).status, 200, 'credentials issued after the cutoff work');
  });

  it('revoked: the broker’s policy removed under a federated session', async () => {
    const broker = await userWithKey(env.gh, 'broker-two', doc(allow(['sts:GetFederationToken', 's3:*'])), env.sdk().iam());
    const c = await federationCredentials({ ...env, broker }, doc(allow('s3:*')));
    const jar = await openWith(env, c, issuer);
    assert.equal((await get(env.gh.url, both(jar))).status, 200);
    await env.sdk().iam().send(new DeleteUserPolicyCommand({ UserName: 'broker-two', PolicyName: 'inline' }));
    const r = await get(env.gh.url, both(jar));
    assert.equal(r.status, 401);
    assert.equal(h1(r.text), 'Your session has ended');
    assert.equal(returnLink(r.text), issuer);
  });

  it('a role that merely lost its policy is not revoked: AccessDenied on pages, the header still links back', async () => {
    const role = 'powerless';
    const jar = await openWith(env, await roleCredentials(env, role, doc(allow('iam:*'))), issuer);
    await env.sdk().iam().send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: 'inline' }));
    const home = await get(env.gh.url, both(jar));
    assert.equal(home.status, 200);
    assert.match(home.text, new RegExp(`<a class="back" href="${issuer.replace(/[?.]/g, '\\$&')}">Back to the portal</a>`));
    assert.equal((await get(env.gh.url, both(jar), '/console/iam/users')).status, 403);
  });

  it('an IAM-user session that ended goes to the IAM-user sign-in, even with an Issuer cookie', async () => {
    const iam = env.sdk().iam();
    await iam.send(new CreateUserCommand({ UserName: 'ida' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'ida', Password: 'Ida-Journey-42x' }));
    const federated = await openWith(env, await roleCredentials(env), issuer);
    const form = await supertest(env.gh.url).get('/console/signin');
    const csrfCookie = cookiesOf(form).join('; ');
    const signedIn = await supertest(env.gh.url)
      .post('/console/signin')
      .set('Cookie', csrfCookie)
      .type('form')
      .send({ _csrf: csrfIn(form.text)!, account: env.gh.accountId, username: 'ida', password: 'Ida-Journey-42x', mfaCode: '' });
    assert.equal(signedIn.status, 303, text(signedIn.text).slice(0, 300));
    const session = cookiesOf(signedIn).find((c) => c.startsWith('gatehouse-console='))!;
    const cookie = `${session}; ${federated.issuer!}`;
    const home = await get(env.gh.url, cookie);
    assert.equal(home.status, 200);
    assert.match(home.text, /<a class="back" href="\/portal\/">Back to the portal<\/a>/);
    env.clock.advance(12 * HOUR + 1000);
    try {
      const r = await get(env.gh.url, cookie);
      assert.equal(r.status, 401);
      assert.equal(returnLink(r.text), undefined);
      assert.deepEqual(hrefs(r.text), ['/console/signin', '/portal/']);
    } finally {
      env.clock.advance(-(12 * HOUR + 1000));
    }
  });

  it('an outage is not a refusal: a store failing in the gate is a 503, and the session survives it', async () => {
    const store = env.gh.server.store;
    const jar = await openWith(env, await roleCredentials(env), issuer);
    assert.equal((await get(env.gh.url, both(jar))).status, 200);
    const saved = { knownRevision: store.knownRevision, ping: store.ping };
    const down = () => Promise.reject(new Error('SQLITE_IOERR: disk I/O error'));
    store.knownRevision = down;
    store.ping = down;
    try {
      for (let i = 0; i < 2; i++) {
        const r = await get(env.gh.url, both(jar));
        assert.equal(r.status, 503, `${i}: ${text(r.text).slice(0, 200)}`);
        assert.doesNotMatch(text(r.text), /no longer|revoked|timed out|not signed in/i);
        assert.equal(h1(r.text), 'Temporarily unavailable');
        assert.doesNotMatch(r.text, /SQLITE|disk I\/O/, 'no cause in the response');
        assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/);
      }
    } finally {
      store.knownRevision = saved.knownRevision;
      store.ping = saved.ping;
    }
    assert.equal((await get(env.gh.url, both(jar))).status, 200, 'the session was kept');
  });
});

describe('the server forgot the session: restarted 13 h later on the same data', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('the session row is gone, and the 401 page still links to the Issuer', async () => {
    const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
    const dataDir = join(tmp.dir, 'data');
    const first = await startGatehouse({ clock, dataDir });
    let jar: Jar;
    let issuer: string;
    try {
      const broker = await userWithKey(first, 'broker', doc(allow(['sts:GetFederationToken', 'sts:AssumeRole', 'iam:*'])), clientsAt(first, clock).iam());
      const env: ConsoleEnv = { gh: first, clock, broker, sdk: () => clientsAt(first, clock), close: () => first.close() };
      issuer = `${first.url}/portal/?set=Admin`;
      jar = await openWith(env, await roleCredentials(env), issuer);
      assert.equal((await get(first.url, both(jar))).status, 200);
    } finally {
      await first.close();
    }
    clock.advance(13 * HOUR);
    // What the store's sweep does 13 h later (it runs on the wall clock, which this test cannot move).
    const db = rawDatabase(join(dataDir, 'sessions.db'));
    const swept = db.prepare('DELETE FROM sessions WHERE expires <= ?').run(clock.now()).changes;
    db.close();
    assert.ok(swept >= 1, 'the session row was swept');
    // Listed explicitly: the restarted server binds another port, and must still trust the portal.
    const file = tmp.write('c.yaml', JSON.stringify({ federation: { trustedIssuers: [issuer.replace(/\?.*$/, '')] } }));
    const second = await startGatehouse({ clock, dataDir, configFile: file });
    try {
      const r = await get(second.url, both(jar));
      assert.equal(r.status, 401);
      assert.equal(h1(r.text), 'Your session has timed out');
      assert.match(text(r.text), /the server no longer holds it/);
      assert.equal(returnLink(r.text), issuer);
    } finally {
      await second.close();
    }
  });
});

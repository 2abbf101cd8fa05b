/**
 * The portal against a real OpenLDAP slapd: the sign-in page, group mapping (direct, nested one
 * and two levels, a DN spelt differently, a member DN with parentheses, no mapped group), the
 * console hand-off (POST /portal/console → 303 /federation?Action=login → 302 console → the
 * identity), the CLI credentials page in every form and its credentials with /usr/bin/aws, the
 * JSON API for `gatehouse credentials`, and sign-out.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import supertest from 'supertest';
import { startSlapd, slapdSkip, type Slapd } from '../support/slapd.js';
import {
  EXPECTED_SETS,
  apiCredentials,
  cookies,
  credentialsIn,
  csrfIn,
  openConsole,
  portalEnv,
  postForm,
  signedIn,
  text,
  type PortalEnv,
} from './helpers.js';

const skip = slapdSkip();
const whoIn = (html: string) => /<span class="who"[^>]*>([^<]*)<\/span>/.exec(html)?.[1];

describe('portal flow against slapd', { skip }, () => {
  let slapd: Slapd;
  let env: PortalEnv;
  let url: string;
  const pw = (u: string) => slapd.passwords[u]!;

  before(async () => {
    slapd = await startSlapd();
    env = await portalEnv(slapd);
    url = env.gh.url;
  });
  after(async () => {
    await env?.close();
    await slapd?.cleanup();
  });

  it('GET / leads to the sign-in page: user name, password and a hidden _csrf field', async () => {
    const root = await supertest(url).get('/');
    assert.equal(root.status, 302);
    assert.equal(root.headers.location, '/portal/');
    const r = await supertest(url).get('/portal/');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type']!, /text\/html/);
    assert.match(r.text, /<form method="post" action="\/portal\/login"/);
    assert.match(r.text, /<input id="username" type="text" name="username"/);
    assert.match(r.text, /<input id="password" type="password" name="password"/);
    assert.match(csrfIn(r.text) ?? '', /^[A-Za-z0-9_-]{20,}$|^[a-f0-9]{20,}$/);
  });

  it('group mapping: direct, nested (one and two levels), a DN spelt with other case and spaces, a member DN with parentheses', async () => {
    for (const [user, expected] of Object.entries(EXPECTED_SETS)) {
      const { sets, home } = await signedIn(url, user, pw(user));
      assert.deepEqual(sets, expected, `${user} sees ${expected.join(', ') || 'nothing'}`);
      if (user === 'alice') {
        assert.match(text(home), /Signed in as Alice Liddell/);
        assert.match(text(home), /S3 and DynamoDB for developers/, 'the description is shown');
        assert.match(text(home), /Federated session, 2 h/, 'Engineering: federated, 2 hours');
      }
      if (user === 'bob') assert.match(text(home), /Role session, 1 h/);
    }
  });

  it('a user in no mapped group is told so and can get no credentials, by form or API', async () => {
    const { agent, home } = await signedIn(url, 'carol', pw('carol'));
    assert.match(text(home), /You are not in any directory group that maps to a permission set, so Gatehouse cannot give you credentials/);
    for (const path of ['/portal/console', '/portal/credentials']) {
      for (const set of ['Developer', 'Admin', '']) {
        const r = await postForm(agent, path, { permissionSet: set });
        assert.equal(r.status, 403, `${path} ${set}`);
        assert.equal(r.headers.location, undefined);
        assert.doesNotMatch(r.text, /AWS_SECRET_ACCESS_KEY|ASIA[A-Z0-9]{16}/);
      }
    }
    const api = await apiCredentials(url, { username: 'carol', password: pw('carol'), permissionSet: 'Developer' });
    assert.equal(api.status, 403);
    assert.equal(api.body.code, 'AccessDenied');
    assert.equal(api.body.AccessKeyId, undefined);
  });

  it('a signed-in user cannot pick a set their groups do not map to', async () => {
    const { agent } = await signedIn(url, 'alice', pw('alice'));
    for (const path of ['/portal/console', '/portal/credentials']) {
      const r = await postForm(agent, path, { permissionSet: 'Admin' });
      assert.equal(r.status, 403, path);
      assert.match(text(r.text), /You are not entitled to the permission set "Admin"/);
    }
  });

  it('console hand-off (federation): 303 to /federation?Action=login with the portal as Issuer, 302 to the console, which shows the federated user', async () => {
    const { agent } = await signedIn(url, 'alice', pw('alice'));
    const { federation, page } = await openConsole(agent, 'Developer', `${url}/console/`);
    assert.equal(federation.searchParams.get('Issuer'), `${url}/portal/?set=Developer`);
    assert.equal(federation.searchParams.get('Destination'), `${url}/console/`);
    assert.match(federation.searchParams.get('SigninToken') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(whoIn(page.text), `arn:aws:sts::${env.accountId}:federated-user/alice`);
    assert.match(text(page.text), /s3:\*/, 'the session policy of the set is shown');
    // A federated session cannot use IAM pages (as in AWS).
    assert.notEqual((await agent.get('/console/iam/users')).status, 200);
    // The sign-in token in the redirect is single-use.
    const again = await supertest(url).get(`${federation.pathname}${federation.search}`);
    assert.equal(again.status, 403);
  });

  it('console hand-off (role): the console shows the assumed role session named after the user, with the role’s IAM powers', async () => {
    const { agent } = await signedIn(url, 'bob', pw('bob'));
    const { page } = await openConsole(agent, 'Admin', `${url}/console/`);
    assert.equal(whoIn(page.text), `arn:aws:sts::${env.accountId}:assumed-role/PortalAdmin/bob`);
    const users = await agent.get('/console/iam/users');
    assert.equal(users.status, 200);
    assert.match(users.text, /gatehouse-broker/);
  });

  it('CLI credentials: a no-store page with export lines, PowerShell, a credentials block and credential_process; the aws CLI accepts them', async () => {
    const { agent } = await signedIn(url, 'alice', pw('alice'));
    const r = await postForm(agent, '/portal/credentials', { permissionSet: 'Engineering' });
    assert.equal(r.status, 200);
    assert.match(r.headers['cache-control']!, /no-store/);
    assert.equal(cookies(r).some((c) => /AWS|ASIA/.test(c)), false);
    const c = credentialsIn(r.text);
    const t = text(r.text);
    assert.match(c.accessKeyId, /^ASIA[A-Z0-9]{16}$/);
    assert.equal(c.endpoint, url);
    assert.ok(t.includes(`$Env:AWS_ACCESS_KEY_ID="${c.accessKeyId}"`));
    assert.ok(t.includes(`$Env:AWS_SECRET_ACCESS_KEY="${c.secretAccessKey}"`));
    assert.ok(t.includes(`$Env:AWS_SESSION_TOKEN="${c.sessionToken}"`));
    assert.ok(t.includes(`$Env:AWS_ENDPOINT_URL="${url}"`));
    assert.ok(t.includes(`[Engineering]\naws_access_key_id = ${c.accessKeyId}\naws_secret_access_key = ${c.secretAccessKey}\naws_session_token = ${c.sessionToken}`));
    assert.ok(t.includes(`[profile Engineering]\nregion = us-east-1\n`));
    assert.ok(t.includes(`aws configure set credential_process "node $HOME/.gatehouse/gatehouse.mjs credentials --portal ${url}/portal/ --permission-set Engineering" --profile Engineering`));
    const expires = /datetime="([^"]+)"/.exec(r.text)?.[1];
    const left = Date.parse(expires!) - Date.now();
    assert.ok(left > 2 * 3600_000 - 120_000 && left <= 2 * 3600_000 + 5_000, `Engineering lasts 2 h (${left} ms left)`);

    const who = await env.gh.cli(['sts', 'get-caller-identity'], c);
    assert.equal(who.status, 0, who.stderr);
    assert.equal(who.json.Arn, `arn:aws:sts::${env.accountId}:federated-user/alice`);
    assert.equal(who.json.Account, env.accountId);
    // The set's session policy bounds them: IAM is out of reach for a federated session.
    const iam = await env.gh.cli(['iam', 'list-users'], c);
    assert.notEqual(iam.status, 0);
    assert.match(iam.stderr, /AccessDenied/);
  });

  it('CLI credentials of a role set work with the aws CLI and carry the role’s powers', async () => {
    const { agent } = await signedIn(url, 'bob', pw('bob'));
    const r = await postForm(agent, '/portal/credentials', { permissionSet: 'Admin' });
    assert.equal(r.status, 200);
    const c = credentialsIn(r.text);
    const who = await env.gh.cli(['sts', 'get-caller-identity'], c);
    assert.equal(who.status, 0, who.stderr);
    assert.equal(who.json.Arn, `arn:aws:sts::${env.accountId}:assumed-role/PortalAdmin/bob`);
    const role = await env.gh.cli(['iam', 'get-role', '--role-name', 'PortalAdmin'], c);
    assert.equal(role.status, 0, role.stderr);
    assert.equal(role.json.Role.Path, '/portal/');
  });

  it('POST /portal/api/credentials: JSON, no-store, no cookies; the credentials work', async () => {
    const r = await apiCredentials(url, { username: 'alice', password: pw('alice'), permissionSet: 'Developer' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.match(r.headers['content-type']!, /application\/json/);
    assert.match(r.headers['cache-control']!, /no-store/);
    assert.deepEqual(cookies(r), [], 'no cookie is set');
    assert.equal(r.body.Version, 1);
    assert.match(r.body.AccessKeyId, /^ASIA[A-Z0-9]{16}$/);
    assert.ok(Date.parse(r.body.Expiration) > Date.now());
    const who = await env.gh.cli(['sts', 'get-caller-identity'], { accessKeyId: r.body.AccessKeyId, secretAccessKey: r.body.SecretAccessKey, sessionToken: r.body.SessionToken });
    assert.equal(who.status, 0, who.stderr);
    assert.equal(who.json.Arn, `arn:aws:sts::${env.accountId}:federated-user/alice`);
    // A cookie sent along is ignored (the API reads no session).
    const form = await signedIn(url, 'bob', pw('bob'));
    const withCookie = await supertest(url).post('/portal/api/credentials').set('Cookie', form.cookie).send({ permissionSet: 'Admin' });
    assert.equal(withCookie.status, 400, 'no credentials without a user name and password, whatever the cookie');
  });

  it('POST /portal/api/credentials: the same refusals as the form', async () => {
    const generic = 'The user name or password is incorrect.';
    const wrong = await apiCredentials(url, { username: 'jdoe', password: 'not-the-password', permissionSet: 'Developer' });
    const unknown = await apiCredentials(url, { username: 'nobody-here', password: 'not-the-password', permissionSet: 'Developer' });
    for (const r of [wrong, unknown]) {
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, { code: 'InvalidCredentials', message: generic });
      assert.deepEqual(cookies(r), []);
    }
    const notEntitled = await apiCredentials(url, { username: 'alice', password: pw('alice'), permissionSet: 'Admin' });
    assert.equal(notEntitled.status, 403);
    const noSet = await apiCredentials(url, { username: 'alice', password: pw('alice') });
    assert.equal(noSet.status, 403);
    const confused = await apiCredentials(url, { username: ['alice'], password: { x: 1 }, permissionSet: 'Developer' });
    assert.equal(confused.status, 400);
    assert.equal(confused.body.message, generic);
    const form = await supertest(url).post('/portal/api/credentials').type('form').send({ username: 'alice', password: pw('alice'), permissionSet: 'Developer' });
    assert.equal(form.status, 415, 'JSON only');
    assert.equal(form.body.AccessKeyId, undefined);
    const broken = await supertest(url).post('/portal/api/credentials').set('Content-Type', 'application/json').send('{"username": "alice", ');
    assert.equal(broken.status, 400);
    assert.equal((await supertest(url).get('/portal/api/credentials').query({ username: 'alice', password: pw('alice'), permissionSet: 'Developer' })).status, 404);
  });

  it('sign-out ends the portal session', async () => {
    const { agent } = await signedIn(url, 'alice', pw('alice'));
    const out = await postForm(agent, '/portal/logout');
    assert.equal(out.status, 303);
    assert.equal(out.headers.location, '/portal/');
    const page = await agent.get('/portal/');
    assert.match(page.text, /Sign in to Gatehouse/);
    // The sign-in form's token is good for signing in only (it is not a session's token).
    const mint = await agent.post('/portal/credentials').type('form').send({ _csrf: csrfIn(page.text)!, permissionSet: 'Developer' });
    assert.equal(mint.status, 403);
    assert.doesNotMatch(mint.text, /AWS_SECRET_ACCESS_KEY/);
  });
});

/**
 * The console end to end: getSigninToken → login → console → an IAM page → timeout page →
 * the Issuer link; revocation (the role's policy removed → AccessDenied on the page);
 * federation-token sessions refused on IAM pages and in the simulator; the console capped
 * at the credentials' expiry (C6); no token, Session JSON, secret or session token in any
 * log line (C5).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DeleteRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { captureLogger } from '../support/app.js';
import { allow, consoleUrl, csrf, csrfIn, doc, errorsOn, federationCredentials, issuerOf, login, mutate, openConsole, post, roleCredentials, sessionJson, setup, signinToken, text, type ConsoleEnv } from './helpers.js';
import supertest from 'supertest';

describe('console flow', () => {
  const logs = captureLogger();
  let env: ConsoleEnv;
  const secrets: string[] = [];

  before(async () => {
    env = await setup({ logger: logs.logger });
  });
  after(() => env.close());

  it('getSigninToken → login → console home → Users page → timeout page → Issuer link', async () => {
    const c = await roleCredentials(env);
    secrets.push(c.secretAccessKey, c.sessionToken!, sessionJson(c));
    const token = await signinToken(env, c);
    secrets.push(token);
    const agent = supertest.agent(env.gh.url);
    const r = await login(agent, env, token);
    assert.equal(r.status, 302);
    assert.equal(r.headers.location, consoleUrl(env));
    assert.equal(r.headers['referrer-policy'], 'no-referrer');

    const home = await agent.get('/console/');
    assert.equal(home.status, 200);
    assert.match(home.text, new RegExp(`arn:aws:sts::${env.gh.accountId}:assumed-role/console-admin/console-test`));
    assert.match(home.text, /Policy simulator/);

    const created = await mutate(agent, '/console/iam/users', { UserName: 'dora' });
    assert.equal(created.kind, 'notice');
    assert.equal(created.flash, 'User dora created.');
    assert.equal(created.location, '/console/iam/users/dora');
    const users = await agent.get('/console/iam/users');
    assert.equal(users.status, 200);
    assert.match(users.text, />dora<\/a>/);

    env.clock.advance(3601_000); // the role session lasted one hour
    const timedOut = await agent.get('/console/iam/users');
    assert.equal(timedOut.status, 401);
    assert.match(timedOut.text, /Your session has timed out/);
    assert.match(timedOut.text, new RegExp(`<a class="button" href="${issuerOf(env)}">`));
    // The server-side session is gone, but the way back is not: the next page is the 401 that
    // still links to the Issuer (kept in the signed Issuer cookie, test/console/journeys.test.ts).
    const again = await agent.get('/console/');
    assert.equal(again.status, 401);
    assert.match(again.text, new RegExp(`<a class="button" href="${issuerOf(env)}">`));
  });

  it('the console is capped at the credentials’ expiry (C6)', async () => {
    const c = await roleCredentials(env, 'console-admin', undefined, 900);
    const agent = await openConsole(env, c);
    env.clock.advance(899_000);
    assert.equal((await agent.get('/console/')).status, 200);
    env.clock.advance(1_000);
    const r = await agent.get('/console/');
    assert.equal(r.status, 401);
    assert.match(r.text, /timed out/);
  });

  it('actions are refused (AccessDenied shown) once the role’s policy is removed', async () => {
    await roleCredentials(env, 'revocable', doc(allow('iam:*')));
    const c = await roleCredentials(env, 'revocable');
    const agent = await openConsole(env, c);
    const token = await csrf(agent);
    assert.equal((await agent.get('/console/iam/users')).status, 200);
    await env.sdk().iam().send(new DeleteRolePolicyCommand({ RoleName: 'revocable', PolicyName: 'inline' }));
    const list = await agent.get('/console/iam/users');
    assert.equal(list.status, 403);
    assert.match(text(list.text), /AccessDenied: User: arn:aws:sts::\d{12}:assumed-role\/revocable\/console-test is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::\d{12}:user\/\* because no identity-based policy allows the iam:ListUsers action/);
    const r = await post(agent, '/console/iam/users', { UserName: 'eve' }, token);
    assert.equal(r.status, 303);
    const page = await agent.get(r.headers.location!);
    assert.match(errorsOn(page.text).join('\n'), /AccessDenied: .* iam:CreateUser/);
    assert.doesNotMatch(page.text, /at .*\.ts:\d+/, 'no stack trace');
    // Restored: allowed again at once (live evaluation).
    await env.sdk().iam().send(new PutRolePolicyCommand({ RoleName: 'revocable', PolicyName: 'inline', PolicyDocument: doc(allow('iam:*')) }));
    assert.equal((await agent.get('/console/iam/users')).status, 200);
  });

  it('a federation-token session gets AccessDenied on IAM pages, and the simulator says why', async () => {
    const c = await federationCredentials(env);
    secrets.push(c.secretAccessKey, c.sessionToken!);
    const agent = await openConsole(env, c);
    const home = await agent.get('/console/');
    assert.match(home.text, /federated-user\/carol/);
    for (const path of ['/console/iam/users', '/console/iam/groups', '/console/iam/roles', '/console/iam/policies']) {
      const r = await agent.get(path);
      assert.equal(r.status, 403, path);
      assert.match(text(r.text), /AccessDenied: .* because federated user sessions cannot call IAM/, path);
    }
    const created = await mutate(agent, '/console/iam/users', { UserName: 'mallory' });
    assert.equal(created.kind, 'error');
    assert.match(created.flash, /AccessDenied/);
    for (const action of ['iam:ListUsers', 'sts:GetFederationToken']) {
      const sim = await post(agent, '/console/simulate', { action, resource: '*' });
      assert.equal(sim.status, 200);
      assert.match(sim.text, /decision-ImplicitDeny/, action);
      assert.match(text(sim.text), /Federated user sessions cannot call (IAM|STS)/, action);
    }
    const caller = await post(agent, '/console/simulate', { action: 'sts:GetCallerIdentity', resource: '*' });
    assert.match(caller.text, /decision-Allow/);
    const s3 = await post(agent, '/console/simulate', { action: 's3:GetObject', resource: '*' });
    assert.doesNotMatch(text(s3.text), /Federated user sessions cannot/);
    const mine = await agent.get('/console/security-credentials');
    assert.equal(mine.status, 200);
    assert.match(text(mine.text), /This page is for IAM users who signed in with their password/);
  });

  it('an access key made in the console and an IAM user’s password stay out of the log too', async () => {
    const agent = await openConsole(env, await roleCredentials(env));
    await mutate(agent, '/console/iam/users', { UserName: 'logan' });
    const key = await post(agent, '/console/iam/users/logan/keys');
    const secret = /id="secret-access-key">([^<]{40})</.exec(key.text)?.[1];
    assert.ok(secret);
    secrets.push(secret);
    const password = 'Log-Canary-Passw0rd!';
    secrets.push(password);
    await mutate(agent, '/console/iam/users/logan/login-profile', { Password: password, exists: '0' });
    for (const pw of [password, 'Wrong-Canary-1']) {
      const user = supertest.agent(env.gh.url);
      const form = await user.get('/console/signin');
      const r = await user.post('/console/signin').type('form').send({ _csrf: csrfIn(form.text), account: env.gh.accountId, username: 'logan', password: pw });
      assert.equal(r.status, pw === password ? 303 : 401);
    }
    secrets.push('Wrong-Canary-1');
  });

  it('no SigninToken, Session JSON, secret or session token in any log line (C5)', () => {
    assert.ok(logs.lines.some((l) => l.includes('"event":"console.signin"')), 'sign-ins are logged');
    const all = logs.lines.join('\n');
    for (const s of secrets) assert.ok(!all.includes(s), 'a secret reached the log');
    assert.doesNotMatch(all, /sessionKey|sessionToken"?:\s*"[^[]/);
  });
});

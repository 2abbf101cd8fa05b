/**
 * IAM-user sign-in at /console/signin and My security credentials: password, the account
 * by id or alias, the remembered account, one generic refusal, CSRF, B1 (new session id,
 * the pre-login cookie dead), self-service password / access keys / virtual MFA, sign-in
 * with an MFA code (accepted once), and the rate limits (429 with Retry-After).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateAccountAliasCommand, CreateLoginProfileCommand, CreateUserCommand, GetUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import supertest from 'supertest';
import { stepOf, totp } from '../sts/helpers.js';
import { allow, csrfIn, doc, errorsOn, mutate, post, setup, signIn, text, type Agent, type ConsoleEnv } from './helpers.js';

const PASSWORD = 'Tr0ub4dor&3-horse';
const GENERIC = /Your sign-in details are not correct, or you need to enter your MFA code/;

/** The policy AWS documents for self-service credentials, on the user's own ARN. */
const selfService = (accountId: string) =>
  doc(
    allow(['iam:*AccessKey*', 'iam:ChangePassword', 'iam:GetUser', 'iam:*LoginProfile', 'iam:ListMFADevices', 'iam:EnableMFADevice', 'iam:DeactivateMFADevice'], `arn:aws:iam::${accountId}:user/\${aws:username}`),
    allow(['iam:CreateVirtualMFADevice', 'iam:DeleteVirtualMFADevice'], `arn:aws:iam::${accountId}:mfa/\${aws:username}`),
    allow('iam:GetAccountPasswordPolicy'),
  );

async function createUser(env: ConsoleEnv, name: string, policy?: string): Promise<void> {
  const iam = env.sdk().iam();
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new CreateLoginProfileCommand({ UserName: name, Password: PASSWORD }));
  if (policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'self', PolicyDocument: policy }));
}

const sessionCookie = (r: supertest.Response) => (r.headers['set-cookie'] as unknown as string[] | undefined)?.find((c) => c.startsWith('gatehouse-console='));

describe('IAM-user sign-in and my security credentials', () => {
  let env: ConsoleEnv;
  let account: string;

  before(async () => {
    env = await setup();
    account = env.gh.accountId;
    await createUser(env, 'alice', selfService(account));
    await createUser(env, 'bob');
  });
  after(() => env.close());

  it('GET /console/signin pre-fills ?account= and issues a CSRF token; a POST without it is 403', async () => {
    const agent = supertest.agent(env.gh.url);
    const r = await agent.get(`/console/signin?account=${account}`);
    assert.equal(r.status, 200);
    assert.match(r.text, new RegExp(`name="account" value="${account}"`));
    assert.ok(csrfIn(r.text));
    assert.equal(sessionCookie(r), undefined, 'no session for the form (H5): its token is in a signed cookie');
    const forged = await agent.post('/console/signin').type('form').send({ account, username: 'alice', password: PASSWORD });
    assert.equal(forged.status, 403);
    assert.equal(forged.headers.location, undefined);
  });

  it('one generic 401 for an unknown account or user, a wrong password, no password', async () => {
    for (const fields of [
      { account: '000000000000', username: 'alice', password: PASSWORD },
      { account: 'no-such-alias', username: 'alice', password: PASSWORD },
      { account, username: 'nobody', password: PASSWORD },
      { account, username: 'alice', password: 'wrong' },
      { account, username: 'broker', password: PASSWORD },
    ]) {
      const r = await signIn(supertest.agent(env.gh.url), fields);
      assert.equal(r.status, 401, JSON.stringify(fields));
      assert.match(text(r.text), GENERIC);
      assert.equal(r.headers.location, undefined);
    }
  });

  it('success: a new session id (B1), PasswordLastUsed, the account remembered; by alias too', async () => {
    const agent = supertest.agent(env.gh.url);
    // A session cookie carried into the sign-in (an earlier one's) is replaced.
    const anon = sessionCookie(await signIn(agent, { account, username: 'alice', password: PASSWORD }));
    assert.ok(anon);
    const r = await signIn(agent, { account, username: 'alice', password: PASSWORD });
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/console/');
    const fresh = sessionCookie(r);
    assert.ok(fresh);
    assert.notEqual(fresh.split(';')[0], anon.split(';')[0], 'a new session id at login');
    const remembered = (r.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('gatehouse-account='));
    assert.match(remembered!, new RegExp(`^gatehouse-account=${account}; Max-Age=\\d+; Path=/console; Expires=[^;]+; HttpOnly; SameSite=Lax$`));
    const home = await agent.get('/console/');
    assert.equal(home.status, 200);
    assert.match(home.text, new RegExp(`arn:aws:iam::${account}:user/alice`));
    // The pre-login cookie is dead.
    const old = await supertest(env.gh.url).get('/console/').set('Cookie', anon.split(';')[0]!);
    assert.equal(old.status, 401);
    const user = await env.sdk().iam().send(new GetUserCommand({ UserName: 'alice' }));
    assert.equal(user.User!.PasswordLastUsed?.getTime(), env.clock.now());
    // The next visit pre-fills the account from the cookie.
    const next = await supertest(env.gh.url).get('/console/signin').set('Cookie', remembered!.split(';')[0]!);
    assert.match(next.text, new RegExp(`name="account" value="${account}"`));
    // By alias.
    await env.sdk().iam().send(new CreateAccountAliasCommand({ AccountAlias: 'acme-signin' }));
    const byAlias = await signIn(supertest.agent(env.gh.url), { account: 'ACME-signin', username: 'alice', password: PASSWORD });
    assert.equal(byAlias.status, 303);
  });

  it('my security credentials: password change checked, my access keys; refused without the policy', async () => {
    const agent = supertest.agent(env.gh.url);
    assert.equal((await signIn(agent, { account, username: 'alice', password: PASSWORD })).status, 303);
    const page = await agent.get('/console/security-credentials');
    assert.equal(page.status, 200);
    assert.match(page.text, /Change my password/);
    assert.match((await mutate(agent, '/console/security-credentials/password', { OldPassword: 'nope', NewPassword: 'N3w-password!', ConfirmPassword: 'N3w-password!' })).flash, /^AccessDenied: The old password is incorrect/);
    assert.match((await mutate(agent, '/console/security-credentials/password', { OldPassword: PASSWORD, NewPassword: 'a', ConfirmPassword: 'b' })).flash, /differ/);
    assert.match((await mutate(agent, '/console/security-credentials/password', { OldPassword: PASSWORD, NewPassword: 'short', ConfirmPassword: 'short' })).flash, /^PasswordPolicyViolation: /);
    const changed = await mutate(agent, '/console/security-credentials/password', { OldPassword: PASSWORD, NewPassword: 'N3w-password!', ConfirmPassword: 'N3w-password!' });
    assert.equal(changed.flash, 'Your password has been changed.');
    assert.equal((await signIn(supertest.agent(env.gh.url), { account, username: 'alice', password: 'N3w-password!' })).status, 303);
    await mutate(agent, '/console/security-credentials/password', { OldPassword: 'N3w-password!', NewPassword: PASSWORD, ConfirmPassword: PASSWORD });

    const created = await post(agent, '/console/security-credentials/keys');
    assert.equal(created.status, 200);
    assert.equal(created.headers['cache-control'], 'no-store');
    const id = /id="access-key-id">(AKIA[A-Z0-9]{16})</.exec(created.text)![1]!;
    assert.match(created.text, /id="secret-access-key">[^<]{40}</);
    assert.equal((await mutate(agent, '/console/security-credentials/keys/status', { AccessKeyId: id, Status: 'Inactive' })).flash, 'Access key deactivated.');
    assert.equal((await mutate(agent, '/console/security-credentials/keys/delete', { AccessKeyId: id })).flash, 'Access key deleted.');

    const bob = supertest.agent(env.gh.url);
    assert.equal((await signIn(bob, { account, username: 'bob', password: PASSWORD })).status, 303);
    const bobsPage = await bob.get('/console/security-credentials');
    assert.match(errorsOn(bobsPage.text).join('\n'), /AccessDenied: User: arn:aws:iam::\d+:user\/bob is not authorized to perform: iam:ListAccessKeys/);
    assert.match((await mutate(bob, '/console/security-credentials/keys')).flash, /^AccessDenied: .*iam:CreateAccessKey/);
    assert.equal((await bob.get('/console/iam/users')).status, 403);
  });

  it('virtual MFA: QR code and seed, two codes to enable, then sign-in needs a code, accepted once', async () => {
    const agent = supertest.agent(env.gh.url);
    assert.equal((await signIn(agent, { account, username: 'alice', password: PASSWORD })).status, 303);
    const setUp = async () => {
      const r = await post(agent, '/console/security-credentials/mfa');
      assert.equal(r.status, 200, r.text.slice(0, 300));
      assert.equal(r.headers['cache-control'], 'no-store');
      assert.match(r.text, /<img class="qr" src="data:image\/png;base64,iVBORw0KGgo[A-Za-z0-9+/=]+"/);
      return { seed: /id="mfa-seed">([A-Z2-7]+)</.exec(r.text)![1]!, serial: /name="SerialNumber" value="([^"]+)"/.exec(r.text)![1]! };
    };
    let { seed, serial } = await setUp();
    assert.equal(serial, `arn:aws:iam::${account}:mfa/alice`);
    const s = stepOf(env.clock.now());
    const wrong = await mutate(agent, '/console/security-credentials/mfa/enable', { SerialNumber: serial, AuthenticationCode1: '000000', AuthenticationCode2: '111111' });
    assert.match(wrong.flash, /^InvalidAuthenticationCode: /);
    ({ seed, serial } = await setUp()); // starting again replaces the unfinished device
    const enabled = await mutate(agent, '/console/security-credentials/mfa/enable', { SerialNumber: serial, AuthenticationCode1: totp(seed, s - 1), AuthenticationCode2: totp(seed, s) });
    assert.equal(enabled.kind, 'notice', enabled.flash);
    assert.match(enabled.page, /enabled \d{4}-\d\d-\d\d/);

    env.clock.advance(60_000);
    const code = totp(seed, stepOf(env.clock.now()));
    const base = { account, username: 'alice', password: PASSWORD };
    assert.equal((await signIn(supertest.agent(env.gh.url), base)).status, 401, 'no code');
    assert.equal((await signIn(supertest.agent(env.gh.url), { ...base, mfaCode: code === '123456' ? '654321' : '123456' })).status, 401, 'wrong code');
    assert.equal((await signIn(supertest.agent(env.gh.url), { ...base, password: 'wrong', mfaCode: code })).status, 401, 'wrong password');
    assert.equal((await signIn(supertest.agent(env.gh.url), { ...base, mfaCode: code })).status, 303, 'the code was not spent by the failures');
    const reused = await signIn(supertest.agent(env.gh.url), { ...base, mfaCode: code });
    assert.equal(reused.status, 401, 'a code is accepted once');
    assert.match(text(reused.text), GENERIC);
    env.clock.advance(30_000);
    // The MFA sign-in reaches policies as aws:MultiFactorAuthPresent, so "only with MFA" grants work in the console.
    await env.gh.iam().send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'list-with-mfa', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }) }));
    const withMfa = supertest.agent(env.gh.url);
    assert.equal((await signIn(withMfa, { ...base, mfaCode: totp(seed, stepOf(env.clock.now())) })).status, 303);
    const listed = await withMfa.get('/console/iam/users');
    assert.equal(listed.status, 200);
    assert.doesNotMatch(listed.text, /AccessDenied/);

    const removed = await mutate(agent, '/console/security-credentials/mfa/delete', { SerialNumber: serial });
    assert.equal(removed.flash, 'Your MFA device has been removed.');
    const noMfa = supertest.agent(env.gh.url);
    assert.equal((await signIn(noMfa, base)).status, 303, 'no code needed any more');
    assert.match((await noMfa.get('/console/iam/users')).text, /AccessDenied/, 'without MFA the MFA-only grant does not apply');
  });
});

describe('sign-in rate limits', () => {
  let env: ConsoleEnv;
  before(async () => {
    env = await setup();
    await createUser(env, 'carl');
  });
  after(() => env.close());

  it('per account + user: the 6th failure in the window is 429 with Retry-After, even with the right password', async () => {
    const account = env.gh.accountId;
    for (let i = 0; i < 5; i++) assert.equal((await signIn(supertest.agent(env.gh.url), { account, username: 'carl', password: 'wrong' })).status, 401);
    const limited = await signIn(supertest.agent(env.gh.url), { account, username: 'CARL', password: PASSWORD });
    assert.equal(limited.status, 429);
    assert.match(limited.headers['retry-after']!, /^\d+$/);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.match(text(limited.text), /Too many failed sign-ins/);
  });

  it('per client IP: 20 failures across user names, then 429', async () => {
    const account = env.gh.accountId;
    // 6 failures already counted for this IP by the test above (5 refusals and the 429).
    for (let i = 0; i < 14; i++) assert.equal((await signIn(supertest.agent(env.gh.url), { account, username: `nobody${i}`, password: 'wrong' })).status, 401, `attempt ${i}`);
    const limited = await signIn(supertest.agent(env.gh.url), { account, username: 'someone-else', password: 'wrong' });
    assert.equal(limited.status, 429);
    assert.ok(limited.headers['retry-after']);
  });
});

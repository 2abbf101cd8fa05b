/**
 * The account password policy's age rules in the console, with a frozen clock:
 * - a password older than MaxPasswordAge: the user signs in but reaches only the
 *   change-password page (and sign-out) until it is changed;
 * - with HardExpiry: sign-in is refused with a message that says so, but only to someone who
 *   gave the right password; a wrong password still gets the one generic refusal;
 * - PasswordResetRequired set by an administrator applies to an open session at once;
 * - PasswordReusePrevention refuses the current password and the ones before it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateLoginProfileCommand, CreateUserCommand, DeleteAccountPasswordPolicyCommand, PutUserPolicyCommand, UpdateAccountPasswordPolicyCommand, UpdateLoginProfileCommand } from '@aws-sdk/client-iam';
import supertest from 'supertest';
import { allow, csrf, doc, post, setup, signIn, text, type Agent, type ConsoleEnv } from './helpers.js';

const PASSWORD = 'Tr0ub4dor&3-horse';
const DAY = 86_400_000;
const GENERIC = /Your sign-in details are not correct, or you need to enter your MFA code/;

const signInAs = (agent: Agent, account: string, username: string, password: string) => signIn(agent, { account, username, password });

const flashOf = (html: string) => text(/<p class="error">([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '');

/** Changes the password through the console page; returns the flash shown after it. */
async function changePassword(agent: Agent, oldPassword: string, newPassword: string): Promise<string> {
  const token = await csrf(agent, '/console/security-credentials');
  const r = await post(agent, '/console/security-credentials/password', { OldPassword: oldPassword, NewPassword: newPassword, ConfirmPassword: newPassword }, token);
  assert.equal(r.status, 303);
  const page = await agent.get(r.headers.location!);
  return text(/<p class="(?:notice|error)">([\s\S]*?)<\/p>/.exec(page.text)?.[1] ?? '');
}

describe('console: password age, forced change and reuse', () => {
  let env: ConsoleEnv;
  let account: string;

  before(async () => {
    env = await setup();
    account = env.gh.accountId;
    const iam = env.sdk().iam();
    for (const name of ['ageing', 'hard', 'reset']) {
      await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(new CreateLoginProfileCommand({ UserName: name, Password: PASSWORD }));
      await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'self', PolicyDocument: doc(allow(['iam:ChangePassword', 'iam:GetUser', 'iam:GetAccountPasswordPolicy', 'iam:ListUsers'])) }));
    }
  });
  after(async () => {
    await env.sdk().iam().send(new DeleteAccountPasswordPolicyCommand({})).catch(() => undefined);
    await env.close();
  });

  it('an expired password: sign-in lands on the change page, every other page sends back there until it is changed; reuse refused', async () => {
    const iam = env.sdk().iam();
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8, MaxPasswordAge: 30, PasswordReusePrevention: 2, AllowUsersToChangePassword: true }));
    env.clock.advance(31 * DAY);
    const agent = supertest.agent(env.gh.url);
    const r = await signInAs(agent, account, 'ageing', PASSWORD);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/console/security-credentials');
    const page = await agent.get('/console/security-credentials');
    assert.equal(page.status, 200);
    assert.match(flashOf(page.text), /Your password has expired: choose a new one/);
    for (const path of ['/console/', '/console/iam/users']) {
      const blocked = await agent.get(path);
      assert.equal(blocked.status, 303, path);
      assert.equal(blocked.headers.location, '/console/security-credentials');
    }
    // The current password cannot be chosen again (PasswordReusePrevention 2).
    assert.match(await changePassword(agent, PASSWORD, PASSWORD), /^PasswordPolicyViolation: .*must not be one of your last 2 passwords/);
    assert.equal((await agent.get('/console/')).status, 303, 'still blocked after a refused change');
    assert.equal(await changePassword(agent, PASSWORD, 'Second-pass-2'), 'Your password has been changed.');
    assert.equal((await agent.get('/console/')).status, 200);
    // The one before the current one is remembered too; the third back is not (N = 2).
    assert.match(await changePassword(agent, 'Second-pass-2', PASSWORD), /must not be one of your last 2 passwords/);
    assert.equal(await changePassword(agent, 'Second-pass-2', 'Third-pass-3'), 'Your password has been changed.');
    assert.equal(await changePassword(agent, 'Third-pass-3', PASSWORD), 'Your password has been changed.');
  });

  it('HardExpiry: an expired password is refused at sign-in, said only to whoever knew it; an administrator reset lets them in', async () => {
    const iam = env.sdk().iam();
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'hard', Password: PASSWORD }));
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8, MaxPasswordAge: 10, HardExpiry: true, AllowUsersToChangePassword: true }));
    // Signed in a minute before it expires; the open session ends once it has.
    env.clock.advance(10 * DAY - 60_000);
    const open = supertest.agent(env.gh.url);
    assert.equal((await signInAs(open, account, 'hard', PASSWORD)).headers.location, '/console/');
    assert.equal((await open.get('/console/')).status, 200);
    env.clock.advance(120_000);
    const ended = await open.get('/console/');
    assert.equal(ended.status, 401);
    assert.match(text(ended.text), /Only an administrator can reset it/);

    const wrong = await signInAs(supertest.agent(env.gh.url), account, 'hard', 'Not-the-password-1');
    assert.equal(wrong.status, 401);
    assert.match(text(wrong.text), GENERIC);
    const right = await signInAs(supertest.agent(env.gh.url), account, 'hard', PASSWORD);
    assert.equal(right.status, 401);
    assert.match(text(right.text), /Your password has expired\. Only an administrator can reset it/);
    assert.equal(right.headers.location, undefined);

    await iam.send(new UpdateLoginProfileCommand({ UserName: 'hard', Password: 'Reset-by-admin-1' }));
    const after = await signInAs(supertest.agent(env.gh.url), account, 'hard', 'Reset-by-admin-1');
    assert.equal(after.status, 303);
    assert.equal(after.headers.location, '/console/');
  });

  it('PasswordResetRequired set by an administrator applies to an open session on its next page', async () => {
    const iam = env.sdk().iam();
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    const agent = supertest.agent(env.gh.url);
    assert.equal((await signInAs(agent, account, 'reset', PASSWORD)).headers.location, '/console/');
    assert.equal((await agent.get('/console/')).status, 200);
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'reset', PasswordResetRequired: true }));
    const blocked = await agent.get('/console/');
    assert.equal(blocked.status, 303);
    assert.equal(blocked.headers.location, '/console/security-credentials');
    assert.match(flashOf((await agent.get('/console/security-credentials')).text), /Your password must be changed/);
    assert.equal(await changePassword(agent, PASSWORD, 'Brand-new-pass-9'), 'Your password has been changed.');
    assert.equal((await agent.get('/console/')).status, 200);
  });
});

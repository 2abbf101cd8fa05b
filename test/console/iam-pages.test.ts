/**
 * The IAM pages, driven as a browser would (forms with CSRF, 303s, flash messages), as a
 * role session allowed iam:*: users (pagination, groups, policies, inline policy validated
 * as it is saved, access keys with the secret shown once on a no-store page, password,
 * DeleteConflict explained), groups, roles (trust policy), managed policies (versions),
 * account settings. Also B4 (a POST without the CSRF token changes nothing) and B5 headers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetUserCommand, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { allow, csrf, doc, errorsOn, mutate, openConsole, post, roleCredentials, setup, text, type Agent, type ConsoleEnv } from './helpers.js';

const MALFORMED = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*"}]}';

describe('IAM pages', () => {
  let env: ConsoleEnv;
  let agent: Agent;
  const arn = (kind: string, name: string) => `arn:aws:iam::${env.gh.accountId}:${kind}/${name}`;

  before(async () => {
    env = await setup();
    agent = await openConsole(env, await roleCredentials(env));
  });
  after(() => env.close());

  it('users: create, list with pagination, delete', async () => {
    for (let i = 0; i < 22; i++) assert.equal((await mutate(agent, '/console/iam/users', { UserName: `u${String(i).padStart(2, '0')}` })).kind, 'notice');
    const first = await agent.get('/console/iam/users');
    assert.equal(first.status, 200);
    const next = /href="\/console\/iam\/users\?marker=([^"]+)">Next page/.exec(first.text);
    assert.ok(next, 'a next-page link');
    const second = await agent.get(`/console/iam/users?marker=${next[1]}`);
    assert.match(second.text, />u21<\/a>/);
    assert.doesNotMatch(second.text, />u00<\/a>/);
    const dup = await mutate(agent, '/console/iam/users', { UserName: 'U00' });
    assert.equal(dup.kind, 'error');
    assert.match(dup.flash, /EntityAlreadyExists: User with name U00 already exists/);
    const bad = await mutate(agent, '/console/iam/users', { UserName: 'no spaces' });
    assert.match(bad.flash, /^ValidationError: /);
    const gone = await mutate(agent, '/console/iam/users/u21/delete');
    assert.equal(gone.flash, 'User u21 deleted.');
    assert.equal(gone.location, '/console/iam/users');
    assert.equal((await agent.get('/console/iam/users/u21')).status, 404);
  });

  it('user detail: groups, attached and inline policies (validated as saved), DeleteConflict explained', async () => {
    await mutate(agent, '/console/iam/users', { UserName: 'frank' });
    await mutate(agent, '/console/iam/groups', { GroupName: 'ops' });
    assert.equal((await mutate(agent, '/console/iam/users/frank/groups', { GroupName: 'ops' })).flash, 'Added to group ops.');
    await mutate(agent, '/console/iam/policies', { PolicyName: 'ReadOnly', PolicyDocument: doc(allow('iam:Get*')) });
    assert.equal((await mutate(agent, '/console/iam/users/frank/attached', { PolicyArn: arn('policy', 'ReadOnly') })).flash, 'Policy attached.');

    const editor = await agent.get('/console/iam/users/frank/inline');
    assert.equal(editor.status, 200);
    const malformed = await post(agent, '/console/iam/users/frank/inline', { PolicyName: 'mine', PolicyDocument: MALFORMED, isNew: '1' });
    assert.equal(malformed.status, 400);
    assert.match(errorsOn(malformed.text)[0]!, /^MalformedPolicyDocument: /);
    assert.ok(text(malformed.text).includes(MALFORMED), 'the typed text is kept');
    const saved = await post(agent, '/console/iam/users/frank/inline', { PolicyName: 'mine', PolicyDocument: doc(allow('iam:List*')) });
    assert.equal(saved.status, 303);
    const edit = await agent.get('/console/iam/users/frank/inline?policy=mine');
    assert.match(text(edit.text), /"iam:List\*"/);

    const page = await agent.get('/console/iam/users/frank');
    assert.equal(page.status, 200);
    for (const s of ['/console/iam/groups/ops', 'ReadOnly', 'inline?policy=mine']) assert.ok(page.text.includes(s), s);

    const conflict = await mutate(agent, '/console/iam/users/frank/delete');
    assert.equal(conflict.kind, 'error');
    assert.match(conflict.flash, /^DeleteConflict: Cannot delete entity, must .* first\. A user can be deleted only when it has no access keys/);
    assert.equal(conflict.location, '/console/iam/users/frank');

    await mutate(agent, '/console/iam/users/frank/groups/remove', { GroupName: 'ops' });
    await mutate(agent, '/console/iam/users/frank/attached/detach', { PolicyArn: arn('policy', 'ReadOnly') });
    assert.equal((await mutate(agent, '/console/iam/users/frank/inline/delete', { PolicyName: 'mine' })).flash, 'Inline policy mine deleted.');
    assert.equal((await mutate(agent, '/console/iam/users/frank/delete')).flash, 'User frank deleted.');
  });

  it('access keys: the secret once on a no-store page, then deactivate, activate, delete', async () => {
    await mutate(agent, '/console/iam/users', { UserName: 'gina' });
    const created = await post(agent, '/console/iam/users/gina/keys');
    assert.equal(created.status, 200);
    assert.equal(created.headers['cache-control'], 'no-store');
    const id = /id="access-key-id">(AKIA[A-Z0-9]{16})</.exec(created.text)?.[1];
    const secret = /id="secret-access-key">([^<]{40})</.exec(created.text)?.[1];
    assert.ok(id && secret, 'key id and secret shown');
    const user = await agent.get('/console/iam/users/gina');
    assert.ok(user.text.includes(id));
    assert.ok(!user.text.includes(secret), 'the secret is not shown again');
    // The key works.
    const who = await env.sdk().iam({ accessKeyId: id, secretAccessKey: secret }).send(new GetUserCommand({})).catch((e: Error) => e);
    assert.ok(!(who instanceof Error) || who.name === 'AccessDenied', String(who));
    assert.equal((await mutate(agent, '/console/iam/users/gina/keys/status', { AccessKeyId: id, Status: 'Inactive' })).flash, 'Access key deactivated.');
    let keys = await env.sdk().iam().send(new ListAccessKeysCommand({ UserName: 'gina' }));
    assert.equal(keys.AccessKeyMetadata![0]!.Status, 'Inactive');
    await mutate(agent, '/console/iam/users/gina/keys/status', { AccessKeyId: id, Status: 'Active' });
    assert.equal((await mutate(agent, '/console/iam/users/gina/keys/delete', { AccessKeyId: id })).flash, 'Access key deleted.');
    keys = await env.sdk().iam().send(new ListAccessKeysCommand({ UserName: 'gina' }));
    assert.equal(keys.AccessKeyMetadata!.length, 0);
  });

  it('console password: policy violation shown, set, change, remove', async () => {
    await mutate(agent, '/console/iam/users', { UserName: 'hana' });
    const weak = await mutate(agent, '/console/iam/users/hana/login-profile', { Password: 'short', exists: '0' });
    assert.match(weak.flash, /^PasswordPolicyViolation: Password does not conform to the account password policy/);
    assert.equal((await mutate(agent, '/console/iam/users/hana/login-profile', { Password: 'Correct-Horse-9', exists: '0' })).flash, 'Console password set.');
    const page = await agent.get('/console/iam/users/hana');
    assert.match(page.text, /Change password/);
    assert.equal((await mutate(agent, '/console/iam/users/hana/login-profile', { Password: 'Battery-Staple-7', exists: '1', PasswordResetRequired: 'on' })).kind, 'notice');
    assert.equal((await mutate(agent, '/console/iam/users/hana/login-profile/delete')).flash, 'Console password removed.');
  });

  it('groups: create, members, policies, delete only when empty', async () => {
    await mutate(agent, '/console/iam/users', { UserName: 'ivan' });
    assert.equal((await mutate(agent, '/console/iam/groups', { GroupName: 'devs' })).location, '/console/iam/groups/devs');
    assert.equal((await mutate(agent, '/console/iam/groups/devs/members', { UserName: 'ivan' })).flash, 'ivan added to the group.');
    const saved = await post(agent, '/console/iam/groups/devs/inline', { PolicyName: 'g', PolicyDocument: doc(allow('iam:Get*')) });
    assert.equal(saved.status, 303);
    const page = await agent.get('/console/iam/groups/devs');
    assert.match(page.text, />ivan<\/a>/);
    const conflict = await mutate(agent, '/console/iam/groups/devs/delete');
    assert.match(conflict.flash, /^DeleteConflict: .* A group can be deleted only when it has no members and no policies\./);
    await mutate(agent, '/console/iam/groups/devs/members/remove', { UserName: 'ivan' });
    await mutate(agent, '/console/iam/groups/devs/inline/delete', { PolicyName: 'g' });
    assert.equal((await mutate(agent, '/console/iam/groups/devs/delete')).flash, 'Group devs deleted.');
    const list = await agent.get('/console/iam/groups');
    assert.doesNotMatch(list.text, />devs<\/a>/);
  });

  it('roles: a malformed trust policy keeps the text; create, edit trust, policies, delete', async () => {
    const bad = await post(agent, '/console/iam/roles', { RoleName: 'deployer', AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[', MaxSessionDuration: '3600' });
    assert.equal(bad.status, 400);
    assert.match(errorsOn(bad.text)[0]!, /^MalformedPolicyDocument: /);
    assert.ok(text(bad.text).includes('{"Version":"2012-10-17","Statement":['));
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: env.broker.arn }, Action: 'sts:AssumeRole' }] });
    const ok = await post(agent, '/console/iam/roles', { RoleName: 'deployer', AssumeRolePolicyDocument: trust, MaxSessionDuration: '7200', Description: 'deploys' });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.location, '/console/iam/roles/deployer');
    const page = await agent.get('/console/iam/roles/deployer');
    assert.match(page.text, /7200 seconds/);
    assert.ok(text(page.text).includes(env.broker.arn));
    const badTrust = await post(agent, '/console/iam/roles/deployer/trust', { PolicyDocument: doc(allow('sts:AssumeRole')) });
    assert.equal(badTrust.status, 400);
    assert.match(errorsOn(badTrust.text)[0]!, /^MalformedPolicyDocument: /);
    await mutate(agent, '/console/iam/roles/deployer/attached', { PolicyArn: arn('policy', 'ReadOnly') });
    assert.match((await mutate(agent, '/console/iam/roles/deployer/delete')).flash, /^DeleteConflict: .* no inline or attached policies/);
    await mutate(agent, '/console/iam/roles/deployer/attached/detach', { PolicyArn: arn('policy', 'ReadOnly') });
    assert.equal((await mutate(agent, '/console/iam/roles/deployer/delete')).flash, 'Role deployer deleted.');
  });

  it('managed policies: malformed kept, create, view the default document, new version, delete', async () => {
    const bad = await post(agent, '/console/iam/policies', { PolicyName: 'Audit', PolicyDocument: MALFORMED });
    assert.equal(bad.status, 400);
    assert.match(errorsOn(bad.text)[0]!, /^MalformedPolicyDocument: /);
    assert.ok(text(bad.text).includes(MALFORMED));
    const created = await post(agent, '/console/iam/policies', { PolicyName: 'Audit', Description: 'audit', PolicyDocument: doc(allow('iam:Get*')) });
    assert.equal(created.status, 303);
    const url = created.headers.location!;
    assert.equal(url, `/console/iam/policy?arn=${encodeURIComponent(arn('policy', 'Audit'))}`);
    let page = await agent.get(url);
    assert.match(text(page.text), /"Action": "iam:Get\*"/);
    const v2 = await post(agent, '/console/iam/policy/versions', { PolicyArn: arn('policy', 'Audit'), PolicyDocument: doc(allow('iam:List*')), SetAsDefault: 'on' });
    assert.equal(v2.status, 303);
    page = await agent.get(url);
    assert.match(text(page.text), /Default version \(v2\)/);
    assert.match(text(page.text), /"Action": "iam:List\*"/);
    const conflict = await mutate(agent, '/console/iam/policy/delete', { PolicyArn: arn('policy', 'Audit') });
    assert.match(conflict.flash, /^DeleteConflict: .*delete its other versions, first\./);
    await mutate(agent, '/console/iam/policy/versions/delete', { PolicyArn: arn('policy', 'Audit'), VersionId: 'v1' });
    assert.equal((await mutate(agent, '/console/iam/policy/delete', { PolicyArn: arn('policy', 'Audit') })).flash, 'Policy deleted.');
  });

  it('account settings: password policy and alias', async () => {
    const saved = await mutate(agent, '/console/iam/account/password-policy', { MinimumPasswordLength: '12', RequireNumbers: 'on', AllowUsersToChangePassword: 'on' });
    assert.equal(saved.flash, 'Password policy saved.');
    assert.match(saved.page, /name="MinimumPasswordLength" value="12"/);
    assert.match(saved.page, /name="RequireNumbers" checked/);
    const tooShort = await mutate(agent, '/console/iam/account/password-policy', { MinimumPasswordLength: '3' });
    assert.match(tooShort.flash, /^ValidationError: /);
    assert.equal((await mutate(agent, '/console/iam/account/alias', { AccountAlias: 'acme-test' })).flash, 'Account alias acme-test created.');
    const page = await agent.get('/console/iam/account');
    assert.match(page.text, /\/console\/signin\?account=acme-test/);
    const header = await agent.get('/console/');
    assert.match(header.text, /Account <strong>acme-test<\/strong>/);
    assert.equal((await mutate(agent, '/console/iam/account/alias/delete', { AccountAlias: 'acme-test' })).flash, 'Account alias acme-test deleted.');
    await mutate(agent, '/console/iam/account/password-policy/delete');
  });

  it('B4: a POST without (or with a wrong) CSRF token is 403 and changes nothing; GET mutates nothing', async () => {
    for (const token of [undefined, 'x'.repeat(256)]) {
      const r = await agent.post('/console/iam/users').type('form').send({ UserName: 'csrf-victim', ...(token && { _csrf: token }) });
      assert.equal(r.status, 403);
      assert.doesNotMatch(r.text, /at .*\.(ts|js):\d+/);
    }
    assert.equal((await agent.get('/console/iam/users/csrf-victim')).status, 404);
    assert.equal((await agent.get('/console/iam/users/u00/delete')).status, 404);
    assert.equal((await agent.get('/console/iam/users/u00')).status, 200);
  });

  it('B5: security headers on console pages, the secret page and a 404', async () => {
    const token = await csrf(agent);
    for (const r of [await agent.get('/console/iam/users'), await agent.get('/console/nowhere'), await post(agent, '/console/iam/users/u00/keys', {}, token)]) {
      assert.match(r.headers['content-security-policy']!, /frame-ancestors 'none'/);
      assert.match(r.headers['content-security-policy']!, /script-src 'self'/);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
      assert.equal(r.headers['cache-control'], 'no-store');
    }
  });
});

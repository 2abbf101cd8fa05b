/**
 * Console passwords end to end: login profiles, the account password policy
 * enforced at every place a password is set, ChangePassword with the user's own
 * keys, long passwords never truncated (D7), and no hash in any response.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ChangePasswordCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteAccountPasswordPolicyCommand,
  DeleteLoginProfileCommand,
  GetAccountPasswordPolicyCommand,
  GetLoginProfileCommand,
  PutUserPolicyCommand,
  UpdateAccountPasswordPolicyCommand,
  UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam';
import { sdkError } from './helpers.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { call, xmlText } from '../support/signed.js';
import { FixedClock } from '../../src/shared/clock.js';
import { clientsAt } from '../sts/helpers.js';


const HASH = /\$argon2|\$2[aby]\$|passwordHash|PasswordHash/;

describe('passwords', () => {
  let gh: TestGatehouse;
  const keys: Record<string, Credentials> = {};

  before(async () => {
    gh = await startGatehouse();
    const iam = gh.iam();
    for (const UserName of ['pat', 'quinn', 'robin']) {
      await iam.send(new CreateUserCommand({ UserName }));
      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName }));
      keys[UserName] = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    }
  });
  after(() => gh?.close());

  it('login profile: create, get, update, delete; never a hash in a response', async () => {
    const iam = gh.iam();
    const created = await iam.send(new CreateLoginProfileCommand({ UserName: 'pat', Password: 'First-pass-1', PasswordResetRequired: true }));
    assert.equal(created.LoginProfile?.UserName, 'pat');
    assert.equal(created.LoginProfile?.PasswordResetRequired, true);
    assert.ok(created.LoginProfile?.CreateDate instanceof Date);
    assert.equal((await sdkError(iam.send(new CreateLoginProfileCommand({ UserName: 'pat', Password: 'First-pass-2' })))).name, 'EntityAlreadyExists');

    const got = await iam.send(new GetLoginProfileCommand({ UserName: 'pat' }));
    assert.deepEqual({ ...got.LoginProfile }, { ...created.LoginProfile });
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'pat', Password: 'Second-pass-2', PasswordResetRequired: false }));
    assert.equal((await iam.send(new GetLoginProfileCommand({ UserName: 'pat' }))).LoginProfile?.PasswordResetRequired, false);

    const calls: Array<Record<string, string>> = [
      { Action: 'GetLoginProfile', UserName: 'pat' },
      { Action: 'GetUser', UserName: 'pat' },
      { Action: 'ListUsers' },
    ];
    for (const params of calls) {
      const raw = await call(gh.url, gh.root, params);
      assert.equal(raw.status, 200, raw.body);
      assert.doesNotMatch(raw.body, HASH);
      assert.ok(!raw.body.includes('Second-pass-2') && !raw.body.includes('First-pass-1'));
    }

    await iam.send(new DeleteLoginProfileCommand({ UserName: 'pat' }));
    const gone = await sdkError(iam.send(new GetLoginProfileCommand({ UserName: 'pat' })));
    assert.deepEqual([gone.name, gone.status, gone.message], ['NoSuchEntity', 404, 'Login Profile for User pat cannot be found.']);
    assert.equal((await sdkError(iam.send(new DeleteLoginProfileCommand({ UserName: 'pat' })))).name, 'NoSuchEntity');
    assert.equal((await sdkError(iam.send(new UpdateLoginProfileCommand({ UserName: 'pat', Password: 'Third-pass-3' })))).name, 'NoSuchEntity');
    assert.equal((await sdkError(iam.send(new CreateLoginProfileCommand({ UserName: 'nobody', Password: 'Whatever-1' })))).name, 'NoSuchEntity');
  });

  it('without an account policy AWS’s default applies: 8 characters, three of the four classes', async () => {
    const iam = gh.iam();
    const get = await sdkError(iam.send(new GetAccountPasswordPolicyCommand({})));
    assert.deepEqual([get.name, get.status], ['NoSuchEntity', 404]);
    for (const weak of ['Ab1!', 'alllowercase', 'lower-only-and-symbols', 'UPPER1234']) {
      assert.equal((await sdkError(iam.send(new CreateLoginProfileCommand({ UserName: 'robin', Password: weak })))).name, 'PasswordPolicyViolation', weak);
    }
    await iam.send(new CreateLoginProfileCommand({ UserName: 'robin', Password: 'lower-and-123' }));
    await iam.send(new DeleteLoginProfileCommand({ UserName: 'robin' }));
  });

  it('the account policy: update, get, each rule enforced at Create/UpdateLoginProfile and ChangePassword, delete', async () => {
    const iam = gh.iam();
    await iam.send(
      new UpdateAccountPasswordPolicyCommand({
        MinimumPasswordLength: 12,
        RequireLowercaseCharacters: true,
        RequireUppercaseCharacters: true,
        RequireNumbers: true,
        RequireSymbols: true,
        AllowUsersToChangePassword: true,
        MaxPasswordAge: 90,
      }),
    );
    const { PasswordPolicy } = await iam.send(new GetAccountPasswordPolicyCommand({}));
    assert.deepEqual(
      { ...PasswordPolicy },
      {
        MinimumPasswordLength: 12,
        RequireSymbols: true,
        RequireNumbers: true,
        RequireUppercaseCharacters: true,
        RequireLowercaseCharacters: true,
        AllowUsersToChangePassword: true,
        ExpirePasswords: true,
        MaxPasswordAge: 90,
        HardExpiry: false,
      },
    );

    const good = 'Good-Passw0rd!';
    const bad = {
      'too short': 'Sh0rt!Aa',
      'no lowercase': 'NO-LOWER-CASE-1!',
      'no uppercase': 'no-upper-case-1!',
      'no number': 'No-Numbers-Here!',
      'no symbol': 'NoSymbolsHere123',
    };
    for (const [rule, password] of Object.entries(bad)) {
      const e = await sdkError(iam.send(new CreateLoginProfileCommand({ UserName: 'quinn', Password: password })));
      assert.deepEqual([e.name, e.status], ['PasswordPolicyViolation', 400], `CreateLoginProfile: ${rule}`);
    }
    assert.equal((await sdkError(iam.send(new GetLoginProfileCommand({ UserName: 'quinn' })))).name, 'NoSuchEntity', 'nothing was created');
    await iam.send(new CreateLoginProfileCommand({ UserName: 'quinn', Password: good }));

    for (const [rule, password] of Object.entries(bad)) {
      const e = await sdkError(iam.send(new UpdateLoginProfileCommand({ UserName: 'quinn', Password: password })));
      assert.equal(e.name, 'PasswordPolicyViolation', `UpdateLoginProfile: ${rule}`);
    }
    // AllowUsersToChangePassword: quinn has no policy of her own, yet may change her password and read the policy.
    const quinn = gh.iam(keys.quinn);
    assert.equal((await quinn.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy?.MinimumPasswordLength, 12);
    for (const [rule, password] of Object.entries(bad)) {
      const e = await sdkError(quinn.send(new ChangePasswordCommand({ OldPassword: good, NewPassword: password })));
      assert.equal(e.name, 'PasswordPolicyViolation', `ChangePassword: ${rule}`);
    }
    await quinn.send(new ChangePasswordCommand({ OldPassword: good, NewPassword: 'Better-Passw0rd!' }));
    const stale = await sdkError(quinn.send(new ChangePasswordCommand({ OldPassword: good, NewPassword: 'Another-Passw0rd!' })));
    assert.equal(stale.name, 'AccessDenied', 'the old password no longer works');
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'quinn',
        PolicyName: 'no-change',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:ChangePassword', Resource: '*' }] }),
      }),
    );
    const explicit = await sdkError(quinn.send(new ChangePasswordCommand({ OldPassword: 'Better-Passw0rd!', NewPassword: 'Another-Passw0rd!' })));
    assert.deepEqual([explicit.name, explicit.status], ['AccessDenied', 403], 'an explicit Deny still wins over AllowUsersToChangePassword');
    assert.match(explicit.message, /explicit deny/);

    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    assert.equal((await sdkError(iam.send(new GetAccountPasswordPolicyCommand({})))).name, 'NoSuchEntity');
    const again = await sdkError(iam.send(new DeleteAccountPasswordPolicyCommand({})));
    assert.deepEqual([again.name, again.status], ['NoSuchEntity', 404]);
    // Without AllowUsersToChangePassword, quinn needs a policy again.
    const denied = await sdkError(quinn.send(new ChangePasswordCommand({ OldPassword: 'Better-Passw0rd!', NewPassword: 'Final-Passw0rd!' })));
    assert.deepEqual([denied.name, denied.status], ['AccessDenied', 403]);
    assert.equal((await sdkError(quinn.send(new GetAccountPasswordPolicyCommand({})))).name, 'AccessDenied');
  });

  it('ChangePassword: own keys only, wrong old password refused, root refused', async () => {
    const iam = gh.iam();
    await iam.send(new CreateLoginProfileCommand({ UserName: 'pat', Password: 'Pat-initial-1' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: 'pat',
        PolicyName: 'own-password',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ChangePassword', Resource: 'arn:aws:iam::*:user/${aws:username}' }] }),
      }),
    );
    const pat = gh.iam(keys.pat);
    const wrong = await sdkError(pat.send(new ChangePasswordCommand({ OldPassword: 'Pat-wrong-1', NewPassword: 'Pat-second-2' })));
    assert.deepEqual([wrong.name, wrong.status], ['AccessDenied', 403]);
    await pat.send(new ChangePasswordCommand({ OldPassword: 'Pat-initial-1', NewPassword: 'Pat-second-2' }));
    await pat.send(new ChangePasswordCommand({ OldPassword: 'Pat-second-2', NewPassword: 'Pat-third-3' }));

    const root = await sdkError(iam.send(new ChangePasswordCommand({ OldPassword: 'x', NewPassword: 'Whatever-1' })));
    assert.deepEqual([root.name, root.status], ['InvalidUserType', 400]);
    // Robin has no login profile.
    await iam.send(new PutUserPolicyCommand({ UserName: 'robin', PolicyName: 'own', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ChangePassword', Resource: '*' }] }) }));
    assert.equal((await sdkError(gh.iam(keys.robin).send(new ChangePasswordCommand({ OldPassword: 'x', NewPassword: 'Whatever-1' })))).name, 'NoSuchEntity');
    // D6: a user without the right cannot set another user's password.
    const other = await sdkError(pat.send(new UpdateLoginProfileCommand({ UserName: 'quinn', Password: 'Hijacked-Passw0rd!' })));
    assert.deepEqual([other.name, other.status], ['AccessDenied', 403]);
  });

  it('D7: a password longer than 72 bytes is not truncated', async () => {
    const iam = gh.iam();
    const prefix = 'Long-Passw0rd-'.padEnd(72, 'x');
    assert.equal(Buffer.byteLength(prefix), 72);
    const long = `${prefix}-tail-A1`;
    const lookalike = `${prefix}-tail-B2`;
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'pat', Password: long }));
    const pat = gh.iam(keys.pat);
    const refused = await sdkError(pat.send(new ChangePasswordCommand({ OldPassword: lookalike, NewPassword: 'Pat-fourth-4' })));
    assert.equal(refused.name, 'AccessDenied', 'only the first 72 bytes matching is not enough');
    const cut = await sdkError(pat.send(new ChangePasswordCommand({ OldPassword: prefix, NewPassword: 'Pat-fourth-4' })));
    assert.equal(cut.name, 'AccessDenied', 'the 72-byte prefix alone is refused');
    await pat.send(new ChangePasswordCommand({ OldPassword: long, NewPassword: 'Pat-fourth-4' }));
    const tooLong = await sdkError(iam.send(new UpdateLoginProfileCommand({ UserName: 'pat', Password: 'A1-'.padEnd(129, 'y') })));
    assert.equal(tooLong.name, 'ValidationError', 'over 128 characters is refused, not cut');
  });

  it('the AWS CLI: login profile, policy and change-password', async () => {
    await gh.iam().send(new DeleteLoginProfileCommand({ UserName: 'robin' })).catch(() => undefined);
    const created = await gh.cli(['iam', 'create-login-profile', '--user-name', 'robin', '--password', 'Robin-pass-1', '--password-reset-required']);
    assert.equal(created.status, 0, created.stderr);
    assert.equal(created.json.LoginProfile.UserName, 'robin');
    assert.equal(created.json.LoginProfile.PasswordResetRequired, true);
    assert.doesNotMatch(created.stdout, HASH);

    const got = await gh.cli(['iam', 'get-login-profile', '--user-name', 'robin']);
    assert.equal(got.status, 0, got.stderr);
    assert.deepEqual(Object.keys(got.json.LoginProfile).sort(), ['CreateDate', 'PasswordResetRequired', 'UserName']);

    const policy = await gh.cli(['iam', 'update-account-password-policy', '--minimum-password-length', '16', '--require-numbers', '--allow-users-to-change-password']);
    assert.equal(policy.status, 0, policy.stderr);
    const shown = await gh.cli(['iam', 'get-account-password-policy']);
    assert.equal(shown.json.PasswordPolicy.MinimumPasswordLength, 16);
    assert.equal(shown.json.PasswordPolicy.RequireNumbers, true);
    assert.equal(shown.json.PasswordPolicy.RequireSymbols, false);

    const weak = await gh.cli(['iam', 'change-password', '--old-password', 'Robin-pass-1', '--new-password', 'Robin-pass-2'], keys.robin);
    assert.notEqual(weak.status, 0);
    assert.match(weak.stderr, /PasswordPolicyViolation/);
    const changed = await gh.cli(['iam', 'change-password', '--old-password', 'Robin-pass-1', '--new-password', 'Robin-longer-pass-2'], keys.robin);
    assert.equal(changed.status, 0, changed.stderr);
    assert.equal((await gh.iam().send(new GetLoginProfileCommand({ UserName: 'robin' }))).LoginProfile?.PasswordResetRequired, false, 'changing clears reset-required');

    const deleted = await gh.cli(['iam', 'delete-account-password-policy']);
    assert.equal(deleted.status, 0, deleted.stderr);
    const raw = await call(gh.url, gh.root, { Action: 'GetAccountPasswordPolicy' });
    assert.equal(raw.status, 404);
    assert.equal(xmlText(raw.body, 'Code'), 'NoSuchEntity');
  });
});

describe('passwords: reuse prevention and expiry through the API (frozen clock)', () => {
  const DAY = 86_400_000;
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  let gh: TestGatehouse;
  let sam: Credentials;
  const iamAs = (c?: Credentials) => clientsAt(gh, clock).iam(c);

  before(async () => {
    gh = await startGatehouse({ clock });
    const iam = iamAs();
    await iam.send(new CreateUserCommand({ UserName: 'sam' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'sam' }));
    sam = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    await iam.send(new CreateLoginProfileCommand({ UserName: 'sam', Password: 'Sam-first-1' }));
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 8, AllowUsersToChangePassword: true, PasswordReusePrevention: 3, MaxPasswordAge: 90, HardExpiry: true }));
  });
  after(() => gh?.close());

  it('PasswordReusePrevention 3: the current password and the two before it are refused, and a refusal changes nothing', async () => {
    const change = (OldPassword: string, NewPassword: string) => iamAs(sam).send(new ChangePasswordCommand({ OldPassword, NewPassword }));
    const reused = await sdkError(change('Sam-first-1', 'Sam-first-1'));
    assert.deepEqual([reused.name, reused.status], ['PasswordPolicyViolation', 400]);
    assert.match(reused.message, /must not be one of your last 3 passwords/);
    await change('Sam-first-1', 'Sam-second-2'); // the old password still worked: nothing changed
    await change('Sam-second-2', 'Sam-third-3');
    for (const old of ['Sam-first-1', 'Sam-second-2', 'Sam-third-3']) assert.equal((await sdkError(change('Sam-third-3', old))).name, 'PasswordPolicyViolation', old);
    await change('Sam-third-3', 'Sam-fourth-4');
    await change('Sam-fourth-4', 'Sam-first-1'); // four back: allowed again
    // An administrator's reset joins the history too.
    await iamAs().send(new UpdateLoginProfileCommand({ UserName: 'sam', Password: 'Admin-set-5' }));
    assert.equal((await sdkError(change('Admin-set-5', 'Sam-first-1'))).name, 'PasswordPolicyViolation');
  });

  it('HardExpiry: once MaxPasswordAge has passed, ChangePassword is refused until an administrator resets the password', async () => {
    const change = (OldPassword: string, NewPassword: string) => iamAs(sam).send(new ChangePasswordCommand({ OldPassword, NewPassword }));
    await iamAs().send(new UpdateLoginProfileCommand({ UserName: 'sam', Password: 'Fresh-pass-6' }));
    clock.advance(89 * DAY);
    await change('Fresh-pass-6', 'Fresh-pass-7'); // within 90 days; and the change restarts the age
    clock.advance(89 * DAY);
    await change('Fresh-pass-7', 'Fresh-pass-8');
    clock.advance(91 * DAY);
    const expired = await sdkError(change('Fresh-pass-8', 'Fresh-pass-9'));
    assert.deepEqual([expired.name, expired.status], ['AccessDenied', 403]);
    assert.match(expired.message, /expired.*HardExpiry/);
    await iamAs().send(new UpdateLoginProfileCommand({ UserName: 'sam', Password: 'Admin-reset-10' }));
    await change('Admin-reset-10', 'Fresh-pass-11');
  });
});

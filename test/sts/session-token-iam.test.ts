/**
 * SECURITY.md H7: credentials from GetSessionToken without MFA cannot call IAM at all. AWS
 * (GetSessionToken API reference): "You cannot call any IAM API operations unless MFA
 * authentication information is included in the request" and "You cannot call any STS API
 * except AssumeRole or GetCallerIdentity". The rule is central, so it also holds for the
 * actions that authorise themselves (ChangePassword and GetAccountPasswordPolicy, which
 * AllowUsersToChangePassword grants to every IAM user): AccessDenied, and nothing changed.
 * Through the SDK and the AWS CLI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ChangePasswordCommand,
  CreateLoginProfileCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetAccountPasswordPolicyCommand,
  GetUserCommand,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { randomBytes } from 'node:crypto';
import { FixedClock } from '../../src/shared/clock.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { cliCode, clientsAt, creds, refused, stepOf, totp, userWithKey } from './helpers.js';

const password = () => `Pw-${randomBytes(12).toString('base64url')}-9a`;

describe('GetSessionToken credentials without MFA and IAM (SECURITY H7)', () => {
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  let gh: TestGatehouse;
  let at: ReturnType<typeof clientsAt>;
  let user: Credentials & { arn: string };
  let serial: string;
  let seed: string;
  let current: string;

  before(async () => {
    gh = await startGatehouse({ clock });
    at = clientsAt(gh, clock);
    // No policy of their own: AllowUsersToChangePassword alone lets them change the password and read the policy.
    user = await userWithKey(gh, 'pat');
    current = password();
    await at.iam().send(new CreateLoginProfileCommand({ UserName: 'pat', Password: current }));
    await at.iam().send(new UpdateAccountPasswordPolicyCommand({ AllowUsersToChangePassword: true, MinimumPasswordLength: 8 }));
    const device = (await at.iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'pat-phone' }))).VirtualMFADevice!;
    serial = device.SerialNumber!;
    seed = Buffer.from(device.Base32StringSeed!).toString('ascii');
    const step = stepOf(clock.now());
    await at.iam().send(new EnableMFADeviceCommand({ UserName: 'pat', SerialNumber: serial, AuthenticationCode1: totp(seed, step - 1), AuthenticationCode2: totp(seed, step) }));
  });
  after(() => gh?.close());

  it('the long-term key may change the password and read the policy (the baseline)', async () => {
    assert.equal((await at.iam(user).send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy?.AllowUsersToChangePassword, true);
    const next = password();
    await at.iam(user).send(new ChangePasswordCommand({ OldPassword: current, NewPassword: next }));
    current = next;
  });

  it('without MFA: ChangePassword and GetAccountPasswordPolicy are AccessDenied, and the password is unchanged', async () => {
    const plain = creds((await at.sts(user).send(new GetSessionTokenCommand({}))).Credentials);
    assert.equal((await at.sts(plain).send(new GetCallerIdentityCommand({}))).Arn, user.arn, 'GetCallerIdentity still works');
    await refused(at.iam(plain).send(new GetAccountPasswordPolicyCommand({})), 'AccessDenied', 403, /GetSessionToken without MFA cannot call IAM/);
    await refused(at.iam(plain).send(new ChangePasswordCommand({ OldPassword: current, NewPassword: password() })), 'AccessDenied', 403, /GetSessionToken without MFA cannot call IAM/);
    await refused(at.iam(plain).send(new GetUserCommand({})), 'AccessDenied', 403);
    assert.equal(cliCode(await gh.cli(['iam', 'get-account-password-policy'], plain)), 'AccessDenied');
    // Nothing changed: the current password is still the one that works.
    const next = password();
    await at.iam(user).send(new ChangePasswordCommand({ OldPassword: current, NewPassword: next }));
    current = next;
  });

  it('with MFA: the same calls work', async () => {
    clock.advance(30_000);
    const mfa = creds((await at.sts(user).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: totp(seed, stepOf(clock.now())) }))).Credentials);
    assert.equal((await clientsAt(gh, clock).iam(mfa).send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy?.MinimumPasswordLength, 8);
    const next = password();
    await clientsAt(gh, clock).iam(mfa).send(new ChangePasswordCommand({ OldPassword: current, NewPassword: next }));
    current = next;
  });
});

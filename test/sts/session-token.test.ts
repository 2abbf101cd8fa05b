/**
 * GetSessionToken end to end, through the SDK and the AWS CLI: DurationSeconds
 * bounds and the root's one-hour cap (D4); MFA with a real virtual device whose
 * TOTP codes the test computes from the seed (RFC 6238), a code accepted once
 * (D7); IAM only with MFA; the aws:MultiFactorAuthPresent and
 * aws:MultiFactorAuthAge condition keys, with a frozen clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateUserCommand, CreateVirtualMFADeviceCommand, EnableMFADeviceCommand, ListGroupsCommand, ListRolesCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand, type GetSessionTokenCommandInput } from '@aws-sdk/client-sts';
import { FixedClock } from '../../src/shared/clock.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { allow, cliCode, cliCreds, cliOk, cliUnvalidated, clientsAt, creds, doc, errorCode, refused, stepOf, stsCall, totp, userWithKey } from './helpers.js';

const MFA_FAILED = /^MultiFactorAuthentication failed with invalid MFA one time pass code\.$/;

describe('GetSessionToken', () => {
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  let gh: TestGatehouse;
  let at: ReturnType<typeof clientsAt>;
  let user: Credentials & { arn: string };
  let serial: string;
  let seed: string;
  const token = (input: GetSessionTokenCommandInput = {}, as: Credentials = user) => clientsAt(gh, clock).sts(as).send(new GetSessionTokenCommand(input));
  const expiresIn = (expiration: Date | undefined) => (expiration!.getTime() - clock.now()) / 1000;
  /** Moves to the next 30-second step and returns its code. */
  const nextCode = () => {
    clock.advance(30_000);
    return totp(seed, stepOf(clock.now()));
  };

  before(async () => {
    gh = await startGatehouse({ clock });
    at = clientsAt(gh, clock);
    const policy = doc(
      allow(['iam:ListUsers', 'iam:GetUser']),
      allow('iam:ListRoles', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
      allow('iam:ListGroups', '*', { Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '300' } } }),
    );
    user = await userWithKey(gh, 'mfa-user', policy);
    const device = (await at.iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'mfa-user-phone' }))).VirtualMFADevice!;
    serial = device.SerialNumber!;
    seed = Buffer.from(device.Base32StringSeed!).toString('ascii');
    assert.match(seed, /^[A-Z2-7]+=*$/);
    const step = stepOf(clock.now());
    await at.iam().send(new EnableMFADeviceCommand({ UserName: 'mfa-user', SerialNumber: serial, AuthenticationCode1: totp(seed, step - 1), AuthenticationCode2: totp(seed, step) }));
  });
  after(() => gh.close());

  describe('DurationSeconds (D4)', () => {
    it('900 and 129600 accepted; 899, 129601 and -1 are ValidationError; the default is 43200', async () => {
      assert.equal(expiresIn((await token({ DurationSeconds: 900 })).Credentials!.Expiration), 900);
      assert.equal(expiresIn((await token({ DurationSeconds: 129_600 })).Credentials!.Expiration), 129_600);
      assert.equal(expiresIn((await token()).Credentials!.Expiration), 43_200);
      await refused(token({ DurationSeconds: 899 }), 'ValidationError', 400, /Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900/);
      await refused(token({ DurationSeconds: 129_601 }), 'ValidationError', 400, /Member must have value less than or equal to 129600/);
      await refused(token({ DurationSeconds: -1 }), 'ValidationError', 400);
      await refused(token({ DurationSeconds: 1e20 }), 'ValidationError', 400, /Member must be a number/);
      const r = await stsCall(gh.url, user, { Action: 'GetSessionToken', DurationSeconds: 'abc' }, new Date(clock.now()));
      assert.equal(errorCode(r), 'ValidationError');
    });

    it('the CLI: default 43200; 129601 refused by the server', async () => {
      const [ok, bad] = await Promise.all([gh.cli(['sts', 'get-session-token'], user), cliUnvalidated(gh, ['sts', 'get-session-token', '--duration-seconds', '129601'], user)]);
      const c = cliOk(ok);
      assert.equal((Date.parse(c.Credentials.Expiration) - clock.now()) / 1000, 43_200);
      assert.equal(cliCode(bad), 'ValidationError');
    });

    it('the account root is capped at one hour (asks 7200, gets 3600; default 3600)', async () => {
      assert.equal(expiresIn((await token({ DurationSeconds: 7200 }, gh.root)).Credentials!.Expiration), 3600);
      assert.equal(expiresIn((await token({}, gh.root)).Credentials!.Expiration), 3600);
    });
  });

  describe('without MFA', () => {
    it('GetCallerIdentity shows the user; IAM is AccessDenied; STS other than AssumeRole is AccessDenied', async () => {
      const c = creds((await token()).Credentials);
      assert.match(c.accessKeyId, /^ASIA/);
      assert.equal((await at.sts(c).send(new GetCallerIdentityCommand({}))).Arn, user.arn);
      await refused(at.iam(c).send(new ListUsersCommand({})), 'AccessDenied', 403, /mfa-user is not authorized to perform: iam:ListUsers/);
      await refused(at.sts(c).send(new GetSessionTokenCommand({})), 'AccessDenied', 403);
      await refused(at.sts(c).send(new GetFederationTokenCommand({ Name: 'xy', Policy: doc(allow('*')) })), 'AccessDenied', 403);
      const cli = await gh.cli(['iam', 'list-users'], c);
      assert.equal(cliCode(cli), 'AccessDenied');
    });

    it('the long-term key does not satisfy aws:MultiFactorAuthPresent', async () => {
      await at.iam(user).send(new ListUsersCommand({}));
      await refused(at.iam(user).send(new ListRolesCommand({})), 'AccessDenied', 403);
    });
  });

  describe('with MFA', () => {
    it('a fresh code gives a session that can call IAM as the user', async () => {
      const r = await token({ SerialNumber: serial, TokenCode: nextCode(), DurationSeconds: 3600 });
      const c = creds(r.Credentials);
      assert.equal((await at.sts(c).send(new GetCallerIdentityCommand({}))).Arn, user.arn);
      const users = (await at.iam(c).send(new ListUsersCommand({}))).Users!.map((u) => u.UserName);
      assert.ok(users.includes('mfa-user'));
      // Only the user's own permissions: CreateUser is not in them.
      await refused(at.iam(c).send(new CreateUserCommand({ UserName: 'not-allowed' })), 'AccessDenied', 403, /because no identity-based policy allows the iam:CreateUser action/);
    });

    it('Bool aws:MultiFactorAuthPresent true allows only the MFA session', async () => {
      const mfa = creds((await token({ SerialNumber: serial, TokenCode: nextCode() })).Credentials);
      await at.iam(mfa).send(new ListRolesCommand({}));
      await refused(at.iam(user).send(new ListRolesCommand({})), 'AccessDenied', 403);
      const plain = creds((await token()).Credentials);
      await refused(at.iam(plain).send(new ListRolesCommand({})), 'AccessDenied', 403);
    });

    it('a wrong code, and a reused code, are AccessDenied with AWS’s message (SDK and CLI)', async () => {
      const code = nextCode();
      const wrong = code === '000000' ? '111111' : '000000';
      await refused(token({ SerialNumber: serial, TokenCode: wrong }), 'AccessDenied', 403, MFA_FAILED);
      await token({ SerialNumber: serial, TokenCode: code });
      await refused(token({ SerialNumber: serial, TokenCode: code }), 'AccessDenied', 403, MFA_FAILED);
      // An earlier step's code is also spent.
      await refused(token({ SerialNumber: serial, TokenCode: totp(seed, stepOf(clock.now()) - 1) }), 'AccessDenied', 403, MFA_FAILED);
      const cli = await gh.cli(['sts', 'get-session-token', '--serial-number', serial, '--token-code', code], user);
      assert.equal(cliCode(cli), 'AccessDenied');
      assert.match(cli.stderr, /MultiFactorAuthentication failed with invalid MFA one time pass code/);
    });

    it('the CLI with a fresh code gets an MFA session', async () => {
      const c = cliCreds(cliOk(await gh.cli(['sts', 'get-session-token', '--serial-number', serial, '--token-code', nextCode()], user)));
      await at.iam(c).send(new ListRolesCommand({}));
    });

    it('another user’s device, a device not enabled, and SerialNumber without TokenCode are refused', async () => {
      const other = await userWithKey(gh, 'other-user', doc(allow('iam:ListUsers')));
      await refused(token({ SerialNumber: serial, TokenCode: nextCode() }, other), 'AccessDenied', 403, MFA_FAILED);
      const spare = (await at.iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'spare' }))).VirtualMFADevice!;
      const spareSeed = Buffer.from(spare.Base32StringSeed!).toString('ascii');
      await refused(token({ SerialNumber: spare.SerialNumber!, TokenCode: totp(spareSeed, stepOf(clock.now())) }), 'AccessDenied', 403, MFA_FAILED);
      await refused(token({ SerialNumber: serial }), 'ValidationError', 400);
    });

    it('NumericLessThan aws:MultiFactorAuthAge 300 holds until the session’s MFA is 300 s old', async () => {
      const c = creds((await token({ SerialNumber: serial, TokenCode: nextCode() })).Credentials);
      await at.iam(c).send(new ListGroupsCommand({}));
      clock.advance(299_000);
      await clientsAt(gh, clock).iam(c).send(new ListGroupsCommand({}));
      clock.advance(2_000);
      const late = clientsAt(gh, clock).iam(c);
      await refused(late.send(new ListGroupsCommand({})), 'AccessDenied', 403, /iam:ListGroups/);
      // The unconditioned permission still holds.
      await late.send(new ListUsersCommand({}));
      // A long-term key has no MFA age: the condition does not match.
      await refused(clientsAt(gh, clock).iam(user).send(new ListGroupsCommand({})), 'AccessDenied', 403);
    });
  });
});

/**
 * AssumeRole end to end, through the SDK and the AWS CLI: the trust policy and
 * the caller's own sts:AssumeRole permission (both needed), the root refused,
 * RoleSessionName and DurationSeconds bounds (D4), sts:ExternalId and MFA in the
 * trust policy, session policies (inline and managed) scoping the role down,
 * session tags, the AssumedRoleUser shapes, role chaining, and the role's live
 * state (deleted, policy changed).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateVirtualMFADeviceCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  EnableMFADeviceCommand,
  GetRoleCommand,
  ListGroupsCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { FixedClock } from '../../src/shared/clock.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { allow, cliCode, cliCreds, cliOk, cliUnvalidated, clientsAt, creds, deny, doc, managedPolicy, refused, role, stepOf, totp, trustOf, userWithKey } from './helpers.js';

describe('AssumeRole', () => {
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  let gh: TestGatehouse;
  let at: ReturnType<typeof clientsAt>;
  let alice: Credentials & { arn: string };
  let bob: Credentials & { arn: string };
  let acct: string;
  const roleArn = (name: string) => `arn:aws:iam::${acct}:role/${name}`;
  const assume = (name: string, input: Partial<AssumeRoleCommandInput> = {}, as: Credentials = alice) =>
    at.sts(as).send(new AssumeRoleCommand({ RoleArn: roleArn(name), RoleSessionName: 'sess', ...input }));
  const expiresIn = (expiration: Date | undefined) => (expiration!.getTime() - clock.now()) / 1000;
  const READ = doc(allow('iam:List*'));

  before(async () => {
    gh = await startGatehouse({ clock });
    at = clientsAt(gh, clock);
    acct = gh.accountId;
    // alice may assume any role and tag sessions; bob has no sts:AssumeRole at all.
    alice = await userWithKey(gh, 'alice', doc(allow(['sts:AssumeRole', 'sts:TagSession', 'sts:GetFederationToken'], '*')));
    bob = await userWithKey(gh, 'bob', doc(allow('iam:ListUsers')));
    await role(gh, 'by-account', trustOf(`arn:aws:iam::${acct}:root`), { policy: READ, maxSessionDuration: 7200 });
    await role(gh, 'by-account-id', trustOf(acct), { policy: READ });
    await role(gh, 'by-alice', trustOf(alice.arn), { policy: READ });
    await role(gh, 'by-bob', trustOf(bob.arn), { policy: READ });
  });
  after(() => gh.close());

  describe('who may assume', () => {
    it('trust naming the account root, or the bare account id, admits the account’s users', async () => {
      await assume('by-account');
      await assume('by-account-id');
    });

    it('trust naming the exact user ARN admits that user only', async () => {
      await assume('by-alice');
      const other = await userWithKey(gh, 'carol', doc(allow('sts:AssumeRole')));
      await refused(assume('by-alice', {}, other), 'AccessDenied', 403, new RegExp(`^User: ${other.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn('by-alice')}$`));
    });

    it('the caller also needs sts:AssumeRole in its own policies (trust alone is not enough)', async () => {
      await refused(assume('by-bob', {}, bob), 'AccessDenied', 403, /bob is not authorized to perform: sts:AssumeRole/);
      const cli = await gh.cli(['sts', 'assume-role', '--role-arn', roleArn('by-bob'), '--role-session-name', 'cli'], bob);
      assert.equal(cliCode(cli), 'AccessDenied');
    });

    it('an unknown role, or a wrong path in the ARN, is AccessDenied (not NoSuchEntity)', async () => {
      await refused(assume('no-such-role'), 'AccessDenied', 403);
      await refused(at.sts(alice).send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/some/path/by-alice`, RoleSessionName: 'sess' })), 'AccessDenied', 403);
    });

    it('the account root cannot assume a role', async () => {
      await refused(assume('by-account', {}, gh.root), 'AccessDenied', 403, /Roles may not be assumed by root accounts/);
    });

    it('a federated user cannot assume a role', async () => {
      const fed = creds((await at.sts(alice).send(new GetFederationTokenCommand({ Name: 'fed', Policy: doc(allow('*')) }))).Credentials);
      await refused(assume('by-account', {}, fed), 'AccessDenied', 403);
    });
  });

  describe('parameters (D4)', () => {
    it('RoleSessionName: 2 and 64 characters accepted; 1 and 65 are ValidationError', async () => {
      await assume('by-account', { RoleSessionName: 'ab' });
      await assume('by-account', { RoleSessionName: 'x'.repeat(64) });
      await refused(assume('by-account', { RoleSessionName: 'a' }), 'ValidationError', 400, /Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2/);
      await refused(assume('by-account', { RoleSessionName: 'x'.repeat(65) }), 'ValidationError', 400, /at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64/);
      await refused(assume('by-account', { RoleSessionName: 'has space' }), 'ValidationError', 400, /regular expression pattern/);
      const cli = await cliUnvalidated(gh, ['sts', 'assume-role', '--role-arn', roleArn('by-account'), '--role-session-name', 'x'.repeat(65)], alice);
      assert.equal(cliCode(cli), 'ValidationError');
    });

    it('DurationSeconds: default 3600; up to the role’s MaxSessionDuration; above it ValidationError', async () => {
      assert.equal(expiresIn((await assume('by-account')).Credentials!.Expiration), 3600);
      assert.equal(expiresIn((await assume('by-account', { DurationSeconds: 7200 })).Credentials!.Expiration), 7200);
      assert.equal(expiresIn((await assume('by-account', { DurationSeconds: 900 })).Credentials!.Expiration), 900);
      await refused(assume('by-account', { DurationSeconds: 7201 }), 'ValidationError', 400, /The requested DurationSeconds exceeds the MaxSessionDuration set for this role\./);
      await refused(assume('by-alice', { DurationSeconds: 3601 }), 'ValidationError', 400, /MaxSessionDuration/);
      await refused(assume('by-account', { DurationSeconds: 899 }), 'ValidationError', 400, /greater than or equal to 900/);
      await refused(assume('by-account', { DurationSeconds: 43_201 }), 'ValidationError', 400, /less than or equal to 43200/);
      // Raising MaxSessionDuration takes effect at once.
      await at.iam().send(new UpdateRoleCommand({ RoleName: 'by-alice', MaxSessionDuration: 43_200 }));
      assert.equal(expiresIn((await assume('by-alice', { DurationSeconds: 43_200 })).Credentials!.Expiration), 43_200);
    });
  });

  describe('trust conditions', () => {
    it('sts:ExternalId must match', async () => {
      await role(gh, 'vendor', trustOf(`arn:aws:iam::${acct}:root`, { Condition: { StringEquals: { 'sts:ExternalId': 'ext-1234' } } }), { policy: READ });
      await refused(assume('vendor'), 'AccessDenied', 403);
      await refused(assume('vendor', { ExternalId: 'ext-9999' }), 'AccessDenied', 403);
      await assume('vendor', { ExternalId: 'ext-1234' });
      const ok = await gh.cli(['sts', 'assume-role', '--role-arn', roleArn('vendor'), '--role-session-name', 'cli', '--external-id', 'ext-1234'], alice);
      assert.equal(cliOk(ok).AssumedRoleUser.Arn, `arn:aws:sts::${acct}:assumed-role/vendor/cli`);
    });

    it('aws:MultiFactorAuthPresent in the trust policy: only with a valid MFA code (or an MFA session)', async () => {
      await role(gh, 'needs-mfa', trustOf(`arn:aws:iam::${acct}:root`, { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }), { policy: READ });
      const device = (await at.iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'alice-phone' }))).VirtualMFADevice!;
      const seed = Buffer.from(device.Base32StringSeed!).toString('ascii');
      const step = stepOf(clock.now());
      await at.iam().send(new EnableMFADeviceCommand({ UserName: 'alice', SerialNumber: device.SerialNumber!, AuthenticationCode1: totp(seed, step - 1), AuthenticationCode2: totp(seed, step) }));
      await refused(assume('needs-mfa'), 'AccessDenied', 403);
      clock.advance(30_000);
      const code = totp(seed, stepOf(clock.now()));
      await refused(assume('needs-mfa', { SerialNumber: device.SerialNumber!, TokenCode: code === '123456' ? '654321' : '123456' }), 'AccessDenied', 403);
      const r = await clientsAt(gh, clock).sts(alice).send(new AssumeRoleCommand({ RoleArn: roleArn('needs-mfa'), RoleSessionName: 'mfa', SerialNumber: device.SerialNumber!, TokenCode: code }));
      assert.equal(r.AssumedRoleUser!.Arn, `arn:aws:sts::${acct}:assumed-role/needs-mfa/mfa`);
      // A GetSessionToken session with MFA may assume it without a new code; one without MFA may not.
      clock.advance(30_000);
      const mfaSession = creds((await clientsAt(gh, clock).sts(alice).send(new GetSessionTokenCommand({ SerialNumber: device.SerialNumber!, TokenCode: totp(seed, stepOf(clock.now())) }))).Credentials);
      await clientsAt(gh, clock).sts(mfaSession).send(new AssumeRoleCommand({ RoleArn: roleArn('needs-mfa'), RoleSessionName: 'from-session' }));
      const plainSession = creds((await clientsAt(gh, clock).sts(alice).send(new GetSessionTokenCommand({}))).Credentials);
      await refused(clientsAt(gh, clock).sts(plainSession).send(new AssumeRoleCommand({ RoleArn: roleArn('needs-mfa'), RoleSessionName: 'from-session' })), 'AccessDenied', 403);
    });
  });

  describe('the role session', () => {
    it('AssumedRoleUser Id and Arn; GetCallerIdentity agrees', async () => {
      const role = (await at.iam().send(new GetRoleCommand({ RoleName: 'by-account' }))).Role!;
      assert.match(role.RoleId!, /^AROA[A-Z2-7]{17}$/);
      const r = await assume('by-account', { RoleSessionName: 'alice@example.com' });
      assert.deepEqual(r.AssumedRoleUser, { AssumedRoleId: `${role.RoleId}:alice@example.com`, Arn: `arn:aws:sts::${acct}:assumed-role/by-account/alice@example.com` });
      const c = creds(r.Credentials);
      assert.match(c.accessKeyId, /^ASIA/);
      const who = await at.sts(c).send(new GetCallerIdentityCommand({}));
      assert.deepEqual([who.Arn, who.UserId, who.Account], [r.AssumedRoleUser!.Arn, r.AssumedRoleUser!.AssumedRoleId, acct]);
    });

    it('the role’s permissions apply: iam:List* allowed, anything else denied', async () => {
      const c = creds((await assume('by-account')).Credentials);
      await at.iam(c).send(new ListUsersCommand({}));
      await at.iam(c).send(new ListRolesCommand({}));
      await refused(at.iam(c).send(new GetRoleCommand({ RoleName: 'by-account' })), 'AccessDenied', 403, /assumed-role\/by-account\/sess is not authorized to perform: iam:GetRole/);
    });

    it('a session policy scopes down: only iam:ListUsers of the role’s iam:List* (SDK and CLI)', async () => {
      const r = await assume('by-account', { Policy: doc(allow('iam:ListUsers')) });
      assert.ok(r.PackedPolicySize! > 0);
      const c = creds(r.Credentials);
      await at.iam(c).send(new ListUsersCommand({}));
      await refused(at.iam(c).send(new ListRolesCommand({})), 'AccessDenied', 403, /iam:ListRoles/);
      // A session policy cannot widen: GetRole is allowed by it but not by the role.
      const wide = creds((await assume('by-account', { Policy: doc(allow('iam:*')) })).Credentials);
      await refused(at.iam(wide).send(new GetRoleCommand({ RoleName: 'by-account' })), 'AccessDenied', 403);
      const out = cliOk(await gh.cli(['sts', 'assume-role', '--role-arn', roleArn('by-account'), '--role-session-name', 'cli-session', '--policy', doc(allow('iam:ListUsers'))], alice));
      assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${acct}:assumed-role/by-account/cli-session`);
      assert.equal((Date.parse(out.Credentials.Expiration) - clock.now()) / 1000, 3600);
      const viaCli = cliCreds(out);
      const [who, users, roles] = await Promise.all([gh.cli(['sts', 'get-caller-identity'], viaCli), gh.cli(['iam', 'list-users'], viaCli), gh.cli(['iam', 'list-roles'], viaCli)]);
      assert.equal(cliOk(who).Arn, out.AssumedRoleUser.Arn);
      cliOk(users);
      assert.equal(cliCode(roles), 'AccessDenied');
    });

    it('PolicyArns: a managed session policy scopes down; an unknown ARN → NoSuchEntity', async () => {
      const arn = await managedPolicy(gh, 'only-list-roles', doc(allow('iam:ListRoles')));
      const c = creds((await assume('by-account', { PolicyArns: [{ arn }] })).Credentials);
      await at.iam(c).send(new ListRolesCommand({}));
      await refused(at.iam(c).send(new ListUsersCommand({})), 'AccessDenied', 403);
      await refused(assume('by-account', { PolicyArns: [{ arn: `arn:aws:iam::${acct}:policy/nope` }] }), 'NoSuchEntity');
      // Inline and managed session policies together: the union of the session policies, within the role.
      const both = creds((await assume('by-account', { PolicyArns: [{ arn }], Policy: doc(allow('iam:ListUsers')) })).Credentials);
      await at.iam(both).send(new ListRolesCommand({}));
      await at.iam(both).send(new ListUsersCommand({}));
      await refused(at.iam(both).send(new ListGroupsCommand({})), 'AccessDenied', 403);
    });

    it('an explicit deny in the session policy wins', async () => {
      const c = creds((await assume('by-account', { Policy: doc(allow('iam:*'), deny('iam:ListUsers')) })).Credentials);
      await at.iam(c).send(new ListRolesCommand({}));
      await refused(at.iam(c).send(new ListUsersCommand({})), 'AccessDenied', 403, /explicit deny/);
    });

    it('session tags become aws:PrincipalTag; tagging needs sts:TagSession in trust and identity', async () => {
      const tagged = doc(allow('iam:ListUsers', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }));
      await role(gh, 'abac', doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] }), { policy: tagged });
      const blue = creds((await assume('abac', { Tags: [{ Key: 'team', Value: 'blue' }] })).Credentials);
      await at.iam(blue).send(new ListUsersCommand({}));
      const red = creds((await assume('abac', { Tags: [{ Key: 'team', Value: 'red' }] })).Credentials);
      await refused(at.iam(red).send(new ListUsersCommand({})), 'AccessDenied', 403);
      const none = creds((await assume('abac')).Credentials);
      await refused(at.iam(none).send(new ListUsersCommand({})), 'AccessDenied', 403);
      // The trust policy of by-account allows only sts:AssumeRole.
      await refused(assume('by-account', { Tags: [{ Key: 'team', Value: 'blue' }] }), 'AccessDenied', 403, /sts:TagSession/);
      // A caller whose own policies lack sts:TagSession.
      const dave = await userWithKey(gh, 'dave', doc(allow('sts:AssumeRole')));
      await assume('abac', {}, dave);
      await refused(assume('abac', { Tags: [{ Key: 'team', Value: 'blue' }] }, dave), 'AccessDenied', 403, /sts:TagSession/);
    });
  });

  describe('role chaining', () => {
    it('a role session may assume a role, for at most one hour', async () => {
      await role(gh, 'chain-source', trustOf(`arn:aws:iam::${acct}:root`), { policy: doc(allow('sts:AssumeRole')), maxSessionDuration: 43_200 });
      await role(gh, 'chain-target', trustOf(`arn:aws:iam::${acct}:role/chain-source`), { policy: READ, maxSessionDuration: 43_200 });
      const source = creds((await assume('chain-source', { DurationSeconds: 43_200 })).Credentials);
      const r = await assume('chain-target', { RoleSessionName: 'hop' }, source);
      assert.equal(expiresIn(r.Credentials!.Expiration), 3600);
      assert.equal(r.AssumedRoleUser!.Arn, `arn:aws:sts::${acct}:assumed-role/chain-target/hop`);
      await refused(assume('chain-target', { DurationSeconds: 3601 }, source), 'ValidationError', 400, /The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining\./);
      await at.iam(creds(r.Credentials)).send(new ListUsersCommand({}));
      // The trust names the role: alice herself is not admitted.
      await refused(assume('chain-target'), 'AccessDenied', 403);
    });
  });

  describe('live role state', () => {
    it('a change to the role’s policy takes effect on the next request', async () => {
      await role(gh, 'mutable', trustOf(`arn:aws:iam::${acct}:root`), { policy: READ });
      const c = creds((await assume('mutable')).Credentials);
      await at.iam(c).send(new ListUsersCommand({}));
      await at.iam().send(new PutRolePolicyCommand({ RoleName: 'mutable', PolicyName: 'inline', PolicyDocument: doc(allow('iam:ListRoles')) }));
      await refused(at.iam(c).send(new ListUsersCommand({})), 'AccessDenied', 403);
      await at.iam(c).send(new ListRolesCommand({}));
      await at.iam().send(new PutRolePolicyCommand({ RoleName: 'mutable', PolicyName: 'extra', PolicyDocument: doc(allow('iam:GetRole')) }));
      await at.iam(c).send(new GetRoleCommand({ RoleName: 'mutable' }));
    });

    it('deleting the role ends its sessions', async () => {
      await role(gh, 'doomed', trustOf(`arn:aws:iam::${acct}:root`), { policy: READ });
      const c = creds((await assume('doomed')).Credentials);
      await at.iam(c).send(new ListUsersCommand({}));
      await at.iam().send(new DeleteRolePolicyCommand({ RoleName: 'doomed', PolicyName: 'inline' }));
      await at.iam().send(new DeleteRoleCommand({ RoleName: 'doomed' }));
      await refused(at.iam(c).send(new ListUsersCommand({})), 'InvalidClientTokenId', 403);
      await refused(at.sts(c).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
      // A new role of the same name does not revive them.
      await role(gh, 'doomed', trustOf(`arn:aws:iam::${acct}:root`), { policy: READ });
      await refused(at.sts(c).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
      assert.equal(cliCode(await gh.cli(['sts', 'get-caller-identity'], c)), 'InvalidClientTokenId');
    });
  });
});

/**
 * Revocation of issued temporary credentials (D5), through the SDK and the AWS CLI,
 * on one server and across two server processes over one store:
 * - a role session loses what its role loses (policy detached, deny-all attached)
 *   on the very next request;
 * - a GetSessionToken (MFA) session loses what its user loses;
 * - deactivating the issuer's access key revokes nothing already issued (as in AWS);
 * - deleting the issuing user ends its federated sessions.
 * The broker is the `gatehouse-broker` user created at bootstrap. The bound is
 * measured: on the instance that made the change, the first request after the revoking call
 * returns must be refused; on a second instance, the first one too when its
 * `store.revocationBoundMs` is 0, and one sent once its bound (250 ms by default) has passed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateVirtualMFADeviceCommand,
  DeleteAccessKeyCommand,
  DeleteRolePolicyCommand,
  DeleteRoleCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  DetachRolePolicyCommand,
  EnableMFADeviceCommand,
  GetUserCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetFederationTokenCommand, GetSessionTokenCommand } from '@aws-sdk/client-sts';
import { start, type RunningServer } from '../../src/main.js';
import { loadConfig } from '../../src/config/index.js';
import { FixedClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { allow, cliCode, cliOk, clientsAt, creds, deny, doc, managedPolicy, refused, role, stepOf, totp, trustOf, userWithKey } from './helpers.js';

const BROKER = 'gatehouse-broker';

describe('revocation (D5)', () => {
  const clock = new FixedClock(Math.floor(Date.now() / 1000) * 1000);
  let gh: TestGatehouse;
  let at: ReturnType<typeof clientsAt>;
  let broker: Credentials;
  let brokerKeyId: string;
  let readArn: string;
  let denyAllArn: string;
  const roleArnOf = (name: string) => `arn:aws:iam::${gh.accountId}:role/${name}`;
  const assume = async (name: string, session = 'ops') => creds((await at.sts(broker).send(new AssumeRoleCommand({ RoleArn: roleArnOf(name), RoleSessionName: session }))).Credentials);

  before(async () => {
    gh = await startGatehouse({ clock });
    at = clientsAt(gh, clock);
    const brokerUser = (await at.iam().send(new GetUserCommand({ UserName: BROKER }))).User!;
    assert.equal(brokerUser.Path, '/gatehouse/');
    await at.iam().send(new PutUserPolicyCommand({ UserName: BROKER, PolicyName: 'broker', PolicyDocument: doc(allow(['sts:GetFederationToken', 'sts:AssumeRole'])) }));
    const key = (await at.iam().send(new CreateAccessKeyCommand({ UserName: BROKER }))).AccessKey!;
    broker = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    brokerKeyId = key.AccessKeyId!;
    readArn = await managedPolicy(gh, 'iam-read', doc(allow(['iam:ListUsers', 'iam:ListRoles'])));
    denyAllArn = await managedPolicy(gh, 'deny-all', doc(deny('*')));
    await role(gh, 'ops', trustOf(brokerUser.Arn!), { attach: [readArn] });
  });
  after(() => gh.close());

  it('(a) detaching the role’s policy: the session is AccessDenied on the next request (SDK and CLI)', async () => {
    const c = await assume('ops');
    await at.iam(c).send(new ListUsersCommand({}));
    cliOk(await gh.cli(['iam', 'list-roles'], c));
    await at.iam().send(new DetachRolePolicyCommand({ RoleName: 'ops', PolicyArn: readArn }));
    await refused(at.iam(c).send(new ListUsersCommand({})), 'AccessDenied', 403, /assumed-role\/ops\/ops is not authorized to perform: iam:ListUsers/);
    assert.equal(cliCode(await gh.cli(['iam', 'list-roles'], c)), 'AccessDenied');
    // Still the same principal: GetCallerIdentity needs no permission.
    await at.sts(c).send(new GetCallerIdentityCommand({}));
    await at.iam().send(new AttachRolePolicyCommand({ RoleName: 'ops', PolicyArn: readArn }));
    await at.iam(c).send(new ListUsersCommand({}));
  });

  it('(b) attaching a deny-all to the role: the next request is denied, with an explicit deny', async () => {
    const c = await assume('ops');
    await at.iam(c).send(new ListRolesCommand({}));
    await at.iam().send(new AttachRolePolicyCommand({ RoleName: 'ops', PolicyArn: denyAllArn }));
    await refused(at.iam(c).send(new ListRolesCommand({})), 'AccessDenied', 403, /with an explicit deny/);
    // Sessions minted afterwards are denied too; removing the deny restores both.
    const fresh = await assume('ops', 'fresh');
    await refused(at.iam(fresh).send(new ListUsersCommand({})), 'AccessDenied', 403);
    await at.iam().send(new DetachRolePolicyCommand({ RoleName: 'ops', PolicyArn: denyAllArn }));
    await at.iam(c).send(new ListRolesCommand({}));
    await at.iam(fresh).send(new ListRolesCommand({}));
  });

  it('the broker’s own policy does not bound a role session (the role’s does)', async () => {
    const c = await assume('ops');
    await at.iam().send(new PutUserPolicyCommand({ UserName: BROKER, PolicyName: 'deny', PolicyDocument: doc(deny('iam:*')) }));
    await at.iam(c).send(new ListUsersCommand({}));
    // …but the broker can no longer mint with a denied action.
    await at.iam().send(new PutUserPolicyCommand({ UserName: BROKER, PolicyName: 'deny', PolicyDocument: doc(deny('sts:AssumeRole')) }));
    await refused(at.sts(broker).send(new AssumeRoleCommand({ RoleArn: roleArnOf('ops'), RoleSessionName: 'late' })), 'AccessDenied', 403, /explicit deny/);
    await at.iam().send(new DeleteUserPolicyCommand({ UserName: BROKER, PolicyName: 'deny' }));
  });

  it('(c) a GetSessionToken MFA session loses its user’s permissions on the next request', async () => {
    const user = await userWithKey(gh, 'mfa-user', doc(allow('iam:ListUsers')), at.iam());
    const device = (await at.iam().send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'mfa-user' }))).VirtualMFADevice!;
    const seed = Buffer.from(device.Base32StringSeed!).toString('ascii');
    const step = stepOf(clock.now());
    await at.iam().send(new EnableMFADeviceCommand({ UserName: 'mfa-user', SerialNumber: device.SerialNumber!, AuthenticationCode1: totp(seed, step - 1), AuthenticationCode2: totp(seed, step) }));
    clock.advance(30_000);
    const c = creds((await at.sts(user).send(new GetSessionTokenCommand({ SerialNumber: device.SerialNumber!, TokenCode: totp(seed, stepOf(clock.now())) }))).Credentials);
    await at.iam(c).send(new ListUsersCommand({}));
    await at.iam().send(new DeleteUserPolicyCommand({ UserName: 'mfa-user', PolicyName: 'inline' }));
    await refused(at.iam(c).send(new ListUsersCommand({})), 'AccessDenied', 403, /mfa-user is not authorized to perform: iam:ListUsers/);
  });

  it('(d) deactivating the issuer’s access key revokes nothing already issued; it only stops minting', async () => {
    const roleSession = await assume('ops');
    const fed = creds((await at.sts(broker).send(new GetFederationTokenCommand({ Name: 'portal-user', Policy: doc(allow('*')) }))).Credentials);
    await at.iam().send(new UpdateAccessKeyCommand({ UserName: BROKER, AccessKeyId: brokerKeyId, Status: 'Inactive' }));
    await at.iam(roleSession).send(new ListUsersCommand({}));
    assert.equal((await at.sts(fed).send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${gh.accountId}:federated-user/portal-user`);
    cliOk(await gh.cli(['sts', 'get-caller-identity'], fed));
    await refused(at.sts(broker).send(new GetFederationTokenCommand({ Name: 'portal-user' })), 'InvalidClientTokenId', 403);
    await at.iam().send(new UpdateAccessKeyCommand({ UserName: BROKER, AccessKeyId: brokerKeyId, Status: 'Active' }));
  });

  it('(e) deleting the issuing user ends its federated sessions: InvalidClientTokenId (SDK and CLI)', async () => {
    const issuer = await userWithKey(gh, 'short-lived-issuer', doc(allow('sts:GetFederationToken')), at.iam());
    const fed = creds((await at.sts(issuer).send(new GetFederationTokenCommand({ Name: 'temp-fed' }))).Credentials);
    await at.sts(fed).send(new GetCallerIdentityCommand({}));
    await at.iam().send(new DeleteAccessKeyCommand({ UserName: 'short-lived-issuer', AccessKeyId: issuer.accessKeyId }));
    await at.sts(fed).send(new GetCallerIdentityCommand({}));
    await at.iam().send(new DeleteUserPolicyCommand({ UserName: 'short-lived-issuer', PolicyName: 'inline' }));
    await at.iam().send(new DeleteUserCommand({ UserName: 'short-lived-issuer' }));
    await refused(at.sts(fed).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
    assert.equal(cliCode(await gh.cli(['sts', 'get-caller-identity'], fed)), 'InvalidClientTokenId');
    // A new user with the same name is a new principal: the old sessions stay dead.
    await userWithKey(gh, 'short-lived-issuer', undefined, at.iam());
    await refused(at.sts(fed).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403);
  });

  describe('across two server processes over one store', () => {
    let b: RunningServer;
    const onB = (c: Credentials) => {
      const clients = clientsAt({ url: b.url, root: gh.root }, clock);
      return { sts: clients.sts(c), iam: clients.iam(c) };
    };
    /** Runs `revoke` on A, then sends requests on B until one is refused; returns how many succeeded after revoke, and the time. */
    async function bound(revoke: () => Promise<unknown>, probe: () => Promise<unknown>): Promise<{ stale: number; ms: number; error: string }> {
      await probe(); // B's caches are warm: the token is opened and the policy set cached.
      await probe();
      await revoke();
      const t0 = performance.now();
      for (let stale = 0; stale < 50; stale++) {
        try {
          await probe();
        } catch (err) {
          return { stale, ms: performance.now() - t0, error: (err as Error).name };
        }
      }
      assert.fail('B kept honouring the revoked credentials for 50 requests');
    }
    const measured: Record<string, { stale: number; ms: number }> = {};

    before(async () => {
      // Bound 0: B reads the account revision on every request.
      const env = { PORT: '0', GATEHOUSE_DATA_DIR: gh.server.config.dataDir };
      const config = loadConfig({ env });
      b = await start({ config: { ...config, store: { ...config.store, revocationBoundMs: 0 } }, env, logger: silentLogger, out: { write: () => undefined }, clock });
      assert.equal(b.accountId, gh.accountId);
      await role(gh, 'shared', trustOf(`arn:aws:iam::${gh.accountId}:user/gatehouse/${BROKER}`), { attach: [readArn] });
    });
    after(async () => {
      await b.close();
      console.log(`revocation bound on the second instance: ${JSON.stringify(measured)}`);
    });

    it('credentials minted on A work on B (one KEK, one store)', async () => {
      const c = await assume('shared');
      const who = await onB(c).sts.send(new GetCallerIdentityCommand({}));
      assert.equal(who.Arn, `arn:aws:sts::${gh.accountId}:assumed-role/shared/ops`);
      await onB(c).iam.send(new ListUsersCommand({}));
      // And the reverse: minted on B, used on A.
      const fromB = creds((await onB(broker).sts.send(new AssumeRoleCommand({ RoleArn: roleArnOf('shared'), RoleSessionName: 'from-b' }))).Credentials);
      await at.iam(fromB).send(new ListRolesCommand({}));
    });

    it('detaching the role’s policy on A: B refuses the next request', async () => {
      const c = await assume('shared');
      const r = await bound(() => at.iam().send(new DetachRolePolicyCommand({ RoleName: 'shared', PolicyArn: readArn })), () => onB(c).iam.send(new ListUsersCommand({})));
      measured.detach = r;
      assert.deepEqual([r.stale, r.error], [0, 'AccessDenied']);
      await at.iam().send(new AttachRolePolicyCommand({ RoleName: 'shared', PolicyArn: readArn }));
      await onB(c).iam.send(new ListUsersCommand({}));
    });

    it('attaching a deny-all on A: B refuses the next request', async () => {
      const c = await assume('shared');
      const r = await bound(() => at.iam().send(new AttachRolePolicyCommand({ RoleName: 'shared', PolicyArn: denyAllArn })), () => onB(c).iam.send(new ListRolesCommand({})));
      measured.denyAll = r;
      assert.deepEqual([r.stale, r.error], [0, 'AccessDenied']);
      await at.iam().send(new DetachRolePolicyCommand({ RoleName: 'shared', PolicyArn: denyAllArn }));
    });

    it('an inline deny added on A: B refuses the next request', async () => {
      const c = await assume('shared');
      const r = await bound(() => at.iam().send(new PutRolePolicyCommand({ RoleName: 'shared', PolicyName: 'stop', PolicyDocument: doc(deny('iam:ListUsers')) })), () => onB(c).iam.send(new ListUsersCommand({})));
      measured.inlineDeny = r;
      assert.deepEqual([r.stale, r.error], [0, 'AccessDenied']);
      await at.iam().send(new DeleteRolePolicyCommand({ RoleName: 'shared', PolicyName: 'stop' }));
    });

    it('deleting the issuing user on A: B refuses its federated session on the next request', async () => {
      const issuer = await userWithKey(gh, 'issuer-ab', doc(allow('sts:GetFederationToken')), at.iam());
      const fed = creds((await at.sts(issuer).send(new GetFederationTokenCommand({ Name: 'fed-ab' }))).Credentials);
      await at.iam().send(new DeleteAccessKeyCommand({ UserName: 'issuer-ab', AccessKeyId: issuer.accessKeyId }));
      await at.iam().send(new DeleteUserPolicyCommand({ UserName: 'issuer-ab', PolicyName: 'inline' }));
      const r = await bound(() => at.iam().send(new DeleteUserCommand({ UserName: 'issuer-ab' })), () => onB(fed).sts.send(new GetCallerIdentityCommand({})));
      measured.deleteIssuer = r;
      assert.deepEqual([r.stale, r.error], [0, 'InvalidClientTokenId']);
    });

    it('deleting the role on A: B refuses its sessions on the next request', async () => {
      await role(gh, 'ephemeral', trustOf(`arn:aws:iam::${gh.accountId}:user/gatehouse/${BROKER}`), { policy: doc(allow('iam:ListUsers')) });
      const c = await assume('ephemeral');
      await onB(c).iam.send(new ListUsersCommand({}));
      await at.iam().send(new DeleteRolePolicyCommand({ RoleName: 'ephemeral', PolicyName: 'inline' }));
      const r = await bound(() => at.iam().send(new DeleteRoleCommand({ RoleName: 'ephemeral' })), () => onB(c).sts.send(new GetCallerIdentityCommand({})));
      measured.deleteRole = r;
      assert.deepEqual([r.stale, r.error], [0, 'InvalidClientTokenId']);
    });

    it('with the default bound (250 ms), B refuses within the bound', async () => {
      const env = { PORT: '0', GATEHOUSE_DATA_DIR: gh.server.config.dataDir };
      const c250 = await start({ env, logger: silentLogger, out: { write: () => undefined }, clock });
      try {
        assert.equal(c250.config.store.revocationBoundMs, 250);
        const onC = (cr: Credentials) => clientsAt({ url: c250.url, root: gh.root }, clock).iam(cr);
        const c = await assume('shared');
        await onC(c).send(new ListUsersCommand({}));
        await at.iam().send(new PutRolePolicyCommand({ RoleName: 'shared', PolicyName: 'stop', PolicyDocument: doc(deny('iam:ListUsers')) }));
        const t0 = performance.now();
        // A is the instance that made the change: its next request is refused.
        await refused(at.iam(c).send(new ListUsersCommand({})), 'AccessDenied');
        let refusedAfter: number | undefined;
        while (refusedAfter === undefined && performance.now() - t0 < 2_000) {
          try {
            await onC(c).send(new ListUsersCommand({}));
            await new Promise((r) => setTimeout(r, 10));
          } catch (err) {
            assert.equal((err as Error).name, 'AccessDenied');
            refusedAfter = performance.now() - t0;
          }
        }
        measured.defaultBound = { stale: -1, ms: Math.round(refusedAfter ?? -1) };
        assert.ok(refusedAfter !== undefined, 'the second instance never refused the revoked session');
        // Refused within the bound (plus the time of one request), and by then every request is.
        assert.ok(refusedAfter <= 250 + 150, `refused only after ${refusedAfter} ms`);
        await refused(onC(c).send(new ListUsersCommand({})), 'AccessDenied');
      } finally {
        await at.iam().send(new DeleteRolePolicyCommand({ RoleName: 'shared', PolicyName: 'stop' }));
        await c250.close();
      }
    });
  });
});

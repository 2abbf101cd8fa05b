/**
 * Access keys end to end, through the SDK, the AWS CLI and raw signed HTTP:
 * create (self and another user, quota of 2), the secret shown once and encrypted
 * at rest (D7), Inactive keys refused, last use, delete, and another user's keys
 * out of reach (D6).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { sdkError } from './helpers.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { call, unknownKeyId, xmlText } from '../support/signed.js';

const SELF_SERVICE = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['iam:CreateAccessKey', 'iam:ListAccessKeys', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey', 'iam:GetAccessKeyLastUsed', 'iam:GetUser'],
      Resource: 'arn:aws:iam::*:user/${aws:username}',
    },
  ],
});


/** Every byte of the SQLite database, its WAL and shared-memory files. */
function databaseBytes(gh: TestGatehouse): Buffer {
  const base = join(gh.server.config.dataDir, 'gatehouse.db');
  assert.ok(existsSync(base), `the SQLite file is at ${base}`);
  return Buffer.concat([base, `${base}-wal`, `${base}-shm`].filter(existsSync).map((f) => readFileSync(f)));
}

describe('access keys', () => {
  let gh: TestGatehouse;
  let alice: Credentials;
  const keysOf = async (UserName: string) => (await gh.iam().send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata ?? [];

  before(async () => {
    gh = await startGatehouse();
    const iam = gh.iam();
    for (const UserName of ['alice', 'bob', 'carol']) await iam.send(new CreateUserCommand({ UserName }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'self-service', PolicyDocument: SELF_SERVICE }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'alice' }));
    alice = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  });
  after(() => gh?.close());

  it('creates a key for another user; the secret is returned once and works at once', async () => {
    const { AccessKey } = await gh.iam().send(new CreateAccessKeyCommand({ UserName: 'bob' }));
    assert.equal(AccessKey?.UserName, 'bob');
    assert.match(AccessKey?.AccessKeyId ?? '', /^AKIA[A-Z2-7]{16}$/);
    assert.equal(AccessKey?.SecretAccessKey?.length, 40);
    assert.equal(AccessKey?.Status, 'Active');
    assert.ok(AccessKey?.CreateDate instanceof Date);
    const bob = { accessKeyId: AccessKey.AccessKeyId!, secretAccessKey: AccessKey.SecretAccessKey! };
    // The key authenticates (bob has no policy, so the call itself is denied — not an auth error).
    assert.equal((await sdkError(gh.iam(bob).send(new ListUsersCommand({})))).name, 'AccessDenied');

    const listed = await keysOf('bob');
    assert.deepEqual(
      listed.map((k) => ({ ...k })),
      [{ UserName: 'bob', AccessKeyId: AccessKey.AccessKeyId, Status: 'Active', CreateDate: AccessKey.CreateDate }],
    );
    // On the wire too: no SecretAccessKey element in ListAccessKeys.
    const raw = await call(gh.url, gh.root, { Action: 'ListAccessKeys', UserName: 'bob' });
    assert.equal(raw.status, 200);
    assert.ok(raw.body.includes(AccessKey.AccessKeyId!));
    assert.ok(!raw.body.includes('SecretAccessKey') && !raw.body.includes(AccessKey.SecretAccessKey!));
  });

  it('without UserName a user creates its own key; a third key is LimitExceeded', async () => {
    const { AccessKey } = await gh.iam(alice).send(new CreateAccessKeyCommand({}));
    assert.equal(AccessKey?.UserName, 'alice');
    const ids = (await gh.iam(alice).send(new ListAccessKeysCommand({}))).AccessKeyMetadata?.map((k) => k.AccessKeyId);
    assert.deepEqual(new Set(ids), new Set([alice.accessKeyId, AccessKey!.AccessKeyId]));

    const third = await sdkError(gh.iam(alice).send(new CreateAccessKeyCommand({})));
    assert.deepEqual([third.name, third.status, third.message], ['LimitExceeded', 409, 'Cannot exceed quota for AccessKeysPerUser: 2']);
    const byRoot = await sdkError(gh.iam().send(new CreateAccessKeyCommand({ UserName: 'alice' })));
    assert.equal(byRoot.message, 'Cannot exceed quota for AccessKeysPerUser: 2');
    assert.equal((await keysOf('alice')).length, 2, 'nothing was created');

    await gh.iam(alice).send(new DeleteAccessKeyCommand({ AccessKeyId: AccessKey!.AccessKeyId! }));
    assert.deepEqual((await keysOf('alice')).map((k) => k.AccessKeyId), [alice.accessKeyId]);
  });

  it('an Inactive key is InvalidClientTokenId (403); Active again works', async () => {
    const { AccessKey } = await gh.iam().send(new CreateAccessKeyCommand({ UserName: 'carol' }));
    const carol = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    await gh.iam().send(new PutUserPolicyCommand({ UserName: 'carol', PolicyName: 'self', PolicyDocument: SELF_SERVICE }));
    assert.equal((await gh.iam(carol).send(new GetUserCommand({}))).User?.UserName, 'carol');

    await gh.iam().send(new UpdateAccessKeyCommand({ UserName: 'carol', AccessKeyId: carol.accessKeyId, Status: 'Inactive' }));
    assert.equal((await keysOf('carol'))[0]?.Status, 'Inactive');
    const refused = await sdkError(gh.iam(carol).send(new GetUserCommand({})));
    assert.deepEqual([refused.name, refused.status], ['InvalidClientTokenId', 403]);
    const raw = await call(gh.url, carol, { Action: 'GetUser' });
    assert.equal(raw.status, 403);
    assert.equal(xmlText(raw.body, 'Code'), 'InvalidClientTokenId');

    await gh.iam().send(new UpdateAccessKeyCommand({ UserName: 'carol', AccessKeyId: carol.accessKeyId, Status: 'Active' }));
    assert.equal((await gh.iam(carol).send(new GetUserCommand({}))).User?.UserName, 'carol');
  });

  it('GetAccessKeyLastUsed: N/A before use; date, service and region after', async () => {
    const { AccessKey } = await gh.iam().send(new CreateAccessKeyCommand({ UserName: 'bob' }));
    const id = AccessKey!.AccessKeyId!;
    const before = await gh.iam().send(new GetAccessKeyLastUsedCommand({ AccessKeyId: id }));
    assert.equal(before.UserName, 'bob');
    assert.deepEqual({ ...before.AccessKeyLastUsed }, { ServiceName: 'N/A', Region: 'N/A' });

    const t0 = Date.now();
    const used = await call(gh.url, { accessKeyId: id, secretAccessKey: AccessKey!.SecretAccessKey! }, { Action: 'ListUsers' }, { region: 'eu-west-3' });
    assert.equal(used.status, 403, 'signed correctly; bob may not ListUsers');
    const afterUse = await gh.iam().send(new GetAccessKeyLastUsedCommand({ AccessKeyId: id }));
    assert.equal(afterUse.AccessKeyLastUsed?.ServiceName, 'iam');
    assert.equal(afterUse.AccessKeyLastUsed?.Region, 'eu-west-3');
    const at = afterUse.AccessKeyLastUsed?.LastUsedDate?.getTime() ?? 0;
    assert.ok(at >= t0 - 1000 && at <= Date.now() + 1000, `LastUsedDate ${at} is around now`);
    await gh.iam().send(new DeleteAccessKeyCommand({ UserName: 'bob', AccessKeyId: id }));
  });

  it("another user's key id is NoSuchEntity; a non-admin cannot touch another user's keys (D6)", async () => {
    const [bobKey] = await keysOf('bob');
    const id = bobKey!.AccessKeyId!;
    const wrongOwner = await sdkError(gh.iam().send(new UpdateAccessKeyCommand({ UserName: 'carol', AccessKeyId: id, Status: 'Inactive' })));
    assert.deepEqual([wrongOwner.name, wrongOwner.status, wrongOwner.message], ['NoSuchEntity', 404, `The Access Key with id ${id} cannot be found.`]);
    // Without UserName the root means its own keys: bob's key is not one of them.
    assert.equal((await sdkError(gh.iam().send(new DeleteAccessKeyCommand({ AccessKeyId: id })))).name, 'NoSuchEntity');
    // Alice, acting on herself, cannot reach bob's key by id.
    assert.equal((await sdkError(gh.iam(alice).send(new DeleteAccessKeyCommand({ AccessKeyId: id })))).name, 'NoSuchEntity');
    assert.equal((await sdkError(gh.iam(alice).send(new UpdateAccessKeyCommand({ AccessKeyId: id, Status: 'Inactive' })))).name, 'NoSuchEntity');
    // Naming bob is AccessDenied for every key action.
    for (const cmd of [
      new CreateAccessKeyCommand({ UserName: 'bob' }),
      new ListAccessKeysCommand({ UserName: 'bob' }),
      new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: id, Status: 'Inactive' }),
      new DeleteAccessKeyCommand({ UserName: 'bob', AccessKeyId: id }),
      new GetAccessKeyLastUsedCommand({ AccessKeyId: id }),
    ]) {
      const e = await sdkError(gh.iam(alice).send(cmd as never));
      assert.deepEqual([e.name, e.status], ['AccessDenied', 403], cmd.constructor.name);
    }
    assert.equal((await keysOf('bob'))[0]?.Status, 'Active', 'bob’s key is untouched');
    assert.equal((await keysOf('bob')).length, 1);
    const unknown = await sdkError(gh.iam().send(new GetAccessKeyLastUsedCommand({ AccessKeyId: unknownKeyId() })));
    assert.equal(unknown.name, 'NoSuchEntity');
    assert.equal((await sdkError(gh.iam().send(new CreateAccessKeyCommand({ UserName: 'nobody' })))).name, 'NoSuchEntity');
    const badStatus = await sdkError(gh.iam().send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: id, Status: 'Disabled' as never })));
    assert.deepEqual([badStatus.name, badStatus.status], ['ValidationError', 400]);
  });

  it('DeleteAccessKey: the deleted key no longer authenticates', async () => {
    const { AccessKey } = await gh.iam().send(new CreateAccessKeyCommand({ UserName: 'carol' }));
    const creds = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    assert.equal((await gh.iam(creds).send(new GetUserCommand({}))).User?.UserName, 'carol');
    await gh.iam().send(new DeleteAccessKeyCommand({ UserName: 'carol', AccessKeyId: creds.accessKeyId }));
    assert.equal((await sdkError(gh.iam(creds).send(new GetUserCommand({})))).name, 'InvalidClientTokenId');
    assert.ok(!(await keysOf('carol')).some((k) => k.AccessKeyId === creds.accessKeyId));
    assert.equal((await sdkError(gh.iam().send(new DeleteAccessKeyCommand({ UserName: 'carol', AccessKeyId: creds.accessKeyId })))).name, 'NoSuchEntity');
  });

  it('the AWS CLI: create, list, deactivate, last used, delete', async () => {
    await gh.iam().send(new CreateUserCommand({ UserName: 'erin' }));
    const created = await gh.cli(['iam', 'create-access-key', '--user-name', 'erin']);
    assert.equal(created.status, 0, created.stderr);
    const key = created.json.AccessKey;
    assert.equal(key.UserName, 'erin');
    assert.equal(key.SecretAccessKey.length, 40);
    const erin = { accessKeyId: key.AccessKeyId as string, secretAccessKey: key.SecretAccessKey as string };

    const listed = await gh.cli(['iam', 'list-access-keys', '--user-name', 'erin']);
    assert.equal(listed.status, 0, listed.stderr);
    assert.deepEqual(
      listed.json.AccessKeyMetadata.map((k: Record<string, unknown>) => [k.AccessKeyId, k.Status]),
      [[erin.accessKeyId, 'Active']],
    );
    assert.ok(!listed.stdout.includes(erin.secretAccessKey) && !listed.stdout.includes('SecretAccessKey'));

    // Erin uses her key through the CLI (denied: she has no policy; but it is recorded as used).
    const denied = await gh.cli(['iam', 'list-users'], erin);
    assert.notEqual(denied.status, 0);
    assert.match(denied.stderr, /AccessDenied/);
    const lastUsed = await gh.cli(['iam', 'get-access-key-last-used', '--access-key-id', erin.accessKeyId]);
    assert.equal(lastUsed.status, 0, lastUsed.stderr);
    assert.equal(lastUsed.json.UserName, 'erin');
    assert.equal(lastUsed.json.AccessKeyLastUsed.ServiceName, 'iam');
    assert.equal(lastUsed.json.AccessKeyLastUsed.Region, 'us-east-1');
    assert.ok(lastUsed.json.AccessKeyLastUsed.LastUsedDate);

    const off = await gh.cli(['iam', 'update-access-key', '--user-name', 'erin', '--access-key-id', erin.accessKeyId, '--status', 'Inactive']);
    assert.equal(off.status, 0, off.stderr);
    const refused = await gh.cli(['iam', 'get-user'], erin);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /InvalidClientTokenId/);

    const other = await gh.cli(['iam', 'delete-access-key', '--user-name', 'bob', '--access-key-id', erin.accessKeyId]);
    assert.notEqual(other.status, 0);
    assert.match(other.stderr, /NoSuchEntity/);
    const deleted = await gh.cli(['iam', 'delete-access-key', '--user-name', 'erin', '--access-key-id', erin.accessKeyId]);
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.deepEqual((await gh.cli(['iam', 'list-access-keys', '--user-name', 'erin'])).json.AccessKeyMetadata, []);
  });

  it('D7: no secret key, root secret or password appears anywhere in the SQLite files', async () => {
    await gh.iam().send(new CreateUserCommand({ UserName: 'frank' }));
    const { AccessKey } = await gh.iam().send(new CreateAccessKeyCommand({ UserName: 'frank' }));
    const password = `Canary-${Date.now()}-pässwörd!`;
    await gh.iam().send(new CreateLoginProfileCommand({ UserName: 'frank', Password: password }));
    const bytes = databaseBytes(gh);
    assert.ok(bytes.includes(AccessKey!.AccessKeyId!), 'the key id itself is stored (so the files were read)');
    for (const [what, secret] of [
      ['frank’s secret', AccessKey!.SecretAccessKey!],
      ['alice’s secret', alice.secretAccessKey],
      ['the root secret', gh.root.secretAccessKey],
      ['the password', password],
    ] as const) {
      assert.ok(!bytes.includes(Buffer.from(secret, 'utf8')), `${what} is not stored in clear`);
      assert.ok(!bytes.includes(Buffer.from(secret, 'utf16le')), `${what} is not stored as UTF-16`);
      assert.ok(!bytes.includes(Buffer.from(Buffer.from(secret).toString('base64'))), `${what} is not stored as base64`);
    }
  });
});

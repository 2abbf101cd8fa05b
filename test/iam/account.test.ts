/**
 * The account end to end: the alias (create, list, delete, AWS's pattern) and
 * GetAccountSummary, whose counts move as entities are created and deleted.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateAccessKeyCommand,
  CreateAccountAliasCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeleteAccountAliasCommand,
  DeleteUserCommand,
  GetAccountSummaryCommand,
  ListAccountAliasesCommand,
} from '@aws-sdk/client-iam';
import { sdkError } from './helpers.js';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { call, xmlText } from '../support/signed.js';


const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });

describe('account', () => {
  let gh: TestGatehouse;
  let vera: Credentials;
  const summary = async (): Promise<Record<string, number | undefined>> => (await gh.iam().send(new GetAccountSummaryCommand({}))).SummaryMap ?? {};

  before(async () => {
    gh = await startGatehouse();
    await gh.iam().send(new CreateUserCommand({ UserName: 'vera' }));
    const { AccessKey } = await gh.iam().send(new CreateAccessKeyCommand({ UserName: 'vera' }));
    vera = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  });
  after(() => gh?.close());

  it('alias: create, list, delete; AWS’s pattern is enforced', async () => {
    const iam = gh.iam();
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, []);
    for (const bad of ['Upper-Case', 'under_score', '-leading', 'trailing-', 'double--dash', 'ab', 'x'.repeat(64), 'dots.not.allowed', '123456789012a!']) {
      const e = await sdkError(iam.send(new CreateAccountAliasCommand({ AccountAlias: bad })));
      assert.deepEqual([e.name, e.status], ['ValidationError', 400], bad);
    }
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, [], 'nothing was set');

    await iam.send(new CreateAccountAliasCommand({ AccountAlias: 'gate-house-1' }));
    const listed = await iam.send(new ListAccountAliasesCommand({}));
    assert.deepEqual(listed.AccountAliases, ['gate-house-1']);
    assert.equal(listed.IsTruncated, false);

    const wrong = await sdkError(iam.send(new DeleteAccountAliasCommand({ AccountAlias: 'other-alias' })));
    assert.deepEqual([wrong.name, wrong.status], ['NoSuchEntity', 404]);
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, ['gate-house-1']);
    await iam.send(new DeleteAccountAliasCommand({ AccountAlias: 'gate-house-1' }));
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, []);

    // D6: a user without rights cannot set, read or remove it.
    const denied = await sdkError(gh.iam(vera).send(new CreateAccountAliasCommand({ AccountAlias: 'vera-owns-it' })));
    assert.deepEqual([denied.name, denied.status], ['AccessDenied', 403]);
    assert.equal((await sdkError(gh.iam(vera).send(new ListAccountAliasesCommand({})))).name, 'AccessDenied');
    assert.deepEqual((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases, []);
  });

  it('GetAccountSummary: counts move as entities come and go; quotas are present', async () => {
    const before = await summary();
    for (const quota of ['UsersQuota', 'GroupsQuota', 'RolesQuota', 'PoliciesQuota', 'AccessKeysPerUserQuota', 'InstanceProfilesQuota', 'VersionsPerPolicyQuota']) {
      assert.equal(typeof before[quota], 'number', `${quota} present`);
    }
    assert.equal(before.RolesQuota, 250);
    assert.equal(before.AccessKeysPerUserQuota, 2);
    assert.equal(before.AccountAccessKeysPresent, 1, 'the root has a key');
    assert.ok((before.Users ?? 0) >= 1, 'vera (and the broker) are counted');

    const iam = gh.iam();
    await iam.send(new CreateUserCommand({ UserName: 'walt' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'auditors' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'builder', AssumeRolePolicyDocument: TRUST }));
    await iam.send(new CreatePolicyCommand({ PolicyName: 'read-objects', PolicyDocument: POLICY }));
    await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'walt-phone' }));
    const afterCreate = await summary();
    for (const key of ['Users', 'Groups', 'Roles', 'Policies', 'MFADevices']) {
      assert.equal(afterCreate[key], (before[key] ?? 0) + 1, key);
    }
    assert.equal(afterCreate.MFADevicesInUse, before.MFADevicesInUse);

    await iam.send(new DeleteUserCommand({ UserName: 'walt' }));
    assert.equal((await summary()).Users, before.Users);
    assert.equal((await sdkError(gh.iam(vera).send(new GetAccountSummaryCommand({})))).name, 'AccessDenied');
  });

  it('the AWS CLI: alias and summary', async () => {
    const bad = await gh.cli(['iam', 'create-account-alias', '--account-alias', 'Not_Valid']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /ValidationError/);
    const created = await gh.cli(['iam', 'create-account-alias', '--account-alias', 'cli-alias']);
    assert.equal(created.status, 0, created.stderr);
    const listed = await gh.cli(['iam', 'list-account-aliases']);
    assert.deepEqual(listed.json.AccountAliases, ['cli-alias']);
    const sum = await gh.cli(['iam', 'get-account-summary']);
    assert.equal(sum.status, 0, sum.stderr);
    assert.equal(sum.json.SummaryMap.RolesQuota, 250);
    assert.equal(typeof sum.json.SummaryMap.Users, 'number');
    const deleted = await gh.cli(['iam', 'delete-account-alias', '--account-alias', 'cli-alias']);
    assert.equal(deleted.status, 0, deleted.stderr);
    const raw = await call(gh.url, gh.root, { Action: 'ListAccountAliases' });
    assert.equal(raw.status, 200);
    assert.equal(xmlText(raw.body, 'IsTruncated'), 'false');
    assert.ok(raw.body.includes('<AccountAliases></AccountAliases>') || raw.body.includes('<AccountAliases/>'));
  });
});

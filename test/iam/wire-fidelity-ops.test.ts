/**
 * The IAM operations added for wire fidelity (issue 13), end to end through the SDK and the
 * AWS CLI, each with its error paths (NoSuchEntity, validation, LimitExceeded, conflicts,
 * read-only AWS policies): role, policy and MFA device tags; UpdateRoleDescription and
 * RoleLastUsed; ListEntitiesForPolicy; GetAccountAuthorizationDetails; context keys;
 * GetAccountSummary's full SummaryMap. Every refusal leaves the state unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddRoleToInstanceProfileCommand,
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  AddUserToGroupCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  GetAccountAuthorizationDetailsCommand,
  GetAccountSummaryCommand,
  GetContextKeysForCustomPolicyCommand,
  GetContextKeysForPrincipalPolicyCommand,
  GetPolicyCommand,
  GetRoleCommand,
  ListEntitiesForPolicyCommand,
  ListMFADeviceTagsCommand,
  ListPolicyTagsCommand,
  ListRoleTagsCommand,
  PutRolePermissionsBoundaryCommand,
  PutUserPolicyCommand,
  TagMFADeviceCommand,
  TagPolicyCommand,
  TagRoleCommand,
  UntagMFADeviceCommand,
  UntagPolicyCommand,
  UntagRoleCommand,
  UpdateRoleDescriptionCommand,
  type IAMClient,
  type Tag,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { allow, arn, cliOk, cliRefused, managedPolicy, policy, refused, sdkError, userWithKey } from './helpers.js';

const AWS = (name: string) => `arn:aws:iam::aws:policy/${name}`;
const tags = (n: number, prefix = 'k'): Tag[] => Array.from({ length: n }, (_, i) => ({ Key: `${prefix}${i}`, Value: `v${i}` }));

describe('wire-fidelity IAM operations', () => {
  let gh: TestGatehouse;
  let iam: IAMClient;
  let trustAll: string;

  before(async () => {
    gh = await startGatehouse();
    iam = gh.iam();
    trustAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${gh.accountId}:root` }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] });
    await iam.send(new CreateRoleCommand({ RoleName: 'tagged', AssumeRolePolicyDocument: trustAll, Description: 'first' }));
  });
  after(() => gh?.close());

  describe('TagRole, UntagRole, ListRoleTags', () => {
    it('tags (keys case-insensitive, new values replace), lists and untags', async () => {
      await iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'team', Value: 'a' }, { Key: 'env', Value: 'dev' }] }));
      await iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'TEAM', Value: 'b' }] }));
      const listed = (await iam.send(new ListRoleTagsCommand({ RoleName: 'tagged' }))).Tags;
      assert.deepEqual(listed, [{ Key: 'TEAM', Value: 'b' }, { Key: 'env', Value: 'dev' }]);
      assert.deepEqual((await iam.send(new GetRoleCommand({ RoleName: 'tagged' }))).Role!.Tags, listed);
      await iam.send(new UntagRoleCommand({ RoleName: 'tagged', TagKeys: ['team', 'absent'] }));
      assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'tagged' }))).Tags, [{ Key: 'env', Value: 'dev' }]);
    });

    it('refuses a 51st tag (LimitExceeded), a repeated key (InvalidInput), an unknown role and a bad key, changing nothing', async () => {
      await refused(iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: tags(50) })), 'LimitExceeded', /TagsPerRole: 50/);
      await refused(iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] })), 'InvalidInput', /Duplicate tag keys/);
      await refused(iam.send(new TagRoleCommand({ RoleName: 'nobody', Tags: tags(1) })), 'NoSuchEntity', /role with name nobody cannot be found/);
      await refused(iam.send(new ListRoleTagsCommand({ RoleName: 'nobody' })), 'NoSuchEntity');
      await refused(iam.send(new TagRoleCommand({ RoleName: 'tagged', Tags: [{ Key: 'x'.repeat(129), Value: '' }] })), 'ValidationError');
      assert.deepEqual((await iam.send(new ListRoleTagsCommand({ RoleName: 'tagged' }))).Tags, [{ Key: 'env', Value: 'dev' }]);
    });

    it('through the CLI: tag-role, list-role-tags, untag-role', async () => {
      cliOk(await gh.cli(['iam', 'tag-role', '--role-name', 'tagged', '--tags', 'Key=cli,Value=yes']));
      assert.deepEqual(cliOk(await gh.cli(['iam', 'list-role-tags', '--role-name', 'tagged'])).Tags, [{ Key: 'env', Value: 'dev' }, { Key: 'cli', Value: 'yes' }]);
      cliOk(await gh.cli(['iam', 'untag-role', '--role-name', 'tagged', '--tag-keys', 'cli']));
      cliRefused(await gh.cli(['iam', 'list-role-tags', '--role-name', 'nobody']), 'NoSuchEntity');
    });
  });

  describe('UpdateRoleDescription and RoleLastUsed', () => {
    it('updates the description and answers the role; unknown role and an over-long description are refused', async () => {
      const { Role } = await iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'tagged', Description: 'second' }));
      assert.equal(Role!.Description, 'second');
      assert.equal((await iam.send(new GetRoleCommand({ RoleName: 'tagged' }))).Role!.Description, 'second');
      await refused(iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'nobody', Description: 'x' })), 'NoSuchEntity');
      await refused(iam.send(new UpdateRoleDescriptionCommand({ RoleName: 'tagged', Description: 'x'.repeat(1001) })), 'ValidationError');
      const cli = cliOk(await gh.cli(['iam', 'update-role-description', '--role-name', 'tagged', '--description', 'third']));
      assert.equal(cli.Role.Description, 'third');
    });

    it('RoleLastUsed is always present: empty before any use, then the date and region of the last AssumeRole', async () => {
      const before = (await iam.send(new GetRoleCommand({ RoleName: 'tagged' }))).Role!;
      assert.deepEqual(before.RoleLastUsed, {});
      const cli = cliOk(await gh.cli(['iam', 'get-role', '--role-name', 'tagged'])).Role;
      assert.deepEqual(cli.RoleLastUsed, {});
      const keys = await userWithKey(iam, 'assumer', { inline: policy(allow('sts:AssumeRole')) });
      await gh.sts(keys).send(new AssumeRoleCommand({ RoleArn: arn(gh, 'role/tagged'), RoleSessionName: 's1' }));
      const used = (await iam.send(new GetRoleCommand({ RoleName: 'tagged' }))).Role!.RoleLastUsed!;
      assert.equal(used.Region, 'us-east-1');
      assert.ok(Math.abs(used.LastUsedDate!.getTime() - Date.now()) < 60_000);
    });
  });

  describe('TagPolicy, UntagPolicy, ListPolicyTags', () => {
    it('CreatePolicy with Tags, GetPolicy shows them; tag, list, untag; AWS policies are read-only', async () => {
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'tp', PolicyDocument: policy(allow('s3:GetObject')), Tags: [{ Key: 'a', Value: '1' }] }));
      assert.deepEqual(Policy!.Tags, [{ Key: 'a', Value: '1' }]);
      assert.deepEqual((await iam.send(new GetPolicyCommand({ PolicyArn: Policy!.Arn! }))).Policy!.Tags, [{ Key: 'a', Value: '1' }]);
      await iam.send(new TagPolicyCommand({ PolicyArn: Policy!.Arn!, Tags: [{ Key: 'b', Value: '2' }] }));
      assert.deepEqual((await iam.send(new ListPolicyTagsCommand({ PolicyArn: Policy!.Arn! }))).Tags, [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }]);
      await iam.send(new UntagPolicyCommand({ PolicyArn: Policy!.Arn!, TagKeys: ['A'] }));
      assert.deepEqual((await iam.send(new ListPolicyTagsCommand({ PolicyArn: Policy!.Arn! }))).Tags, [{ Key: 'b', Value: '2' }]);
      await refused(iam.send(new TagPolicyCommand({ PolicyArn: Policy!.Arn!, Tags: tags(50) })), 'LimitExceeded', /TagsPerPolicy: 50/);
      await refused(iam.send(new TagPolicyCommand({ PolicyArn: arn(gh, 'policy/none'), Tags: tags(1) })), 'NoSuchEntity');
      await refused(iam.send(new TagPolicyCommand({ PolicyArn: AWS('ReadOnlyAccess'), Tags: tags(1) })), 'AccessDenied', /iam:TagPolicy on resource: policy arn:aws:iam::aws:policy\/ReadOnlyAccess/);
      await refused(iam.send(new UntagPolicyCommand({ PolicyArn: AWS('ReadOnlyAccess'), TagKeys: ['k0'] })), 'AccessDenied');
      assert.deepEqual((await iam.send(new ListPolicyTagsCommand({ PolicyArn: AWS('ReadOnlyAccess') }))).Tags, []);
      assert.deepEqual(cliOk(await gh.cli(['iam', 'list-policy-tags', '--policy-arn', Policy!.Arn!])).Tags, [{ Key: 'b', Value: '2' }]);
    });
  });

  describe('TagMFADevice, UntagMFADevice, ListMFADeviceTags', () => {
    it('CreateVirtualMFADevice with Tags; tag, list, untag; an unknown serial is NoSuchEntity', async () => {
      const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'tagged-device', Tags: [{ Key: 'owner', Value: 'ops' }] }));
      const SerialNumber = VirtualMFADevice!.SerialNumber!;
      assert.deepEqual((await iam.send(new ListMFADeviceTagsCommand({ SerialNumber }))).Tags, [{ Key: 'owner', Value: 'ops' }]);
      await iam.send(new TagMFADeviceCommand({ SerialNumber, Tags: [{ Key: 'site', Value: 'b' }] }));
      await iam.send(new UntagMFADeviceCommand({ SerialNumber, TagKeys: ['owner'] }));
      assert.deepEqual((await iam.send(new ListMFADeviceTagsCommand({ SerialNumber }))).Tags, [{ Key: 'site', Value: 'b' }]);
      await refused(iam.send(new TagMFADeviceCommand({ SerialNumber: arn(gh, 'mfa/none'), Tags: tags(1) })), 'NoSuchEntity', /does not exist/);
      cliOk(await gh.cli(['iam', 'tag-mfa-device', '--serial-number', SerialNumber, '--tags', 'Key=cli,Value=1']));
      assert.equal(cliOk(await gh.cli(['iam', 'list-mfa-device-tags', '--serial-number', SerialNumber])).Tags.length, 2);
    });
  });

  describe('ListEntitiesForPolicy', () => {
    let mine: string;
    before(async () => {
      mine = await managedPolicy(iam, 'shared', policy(allow('s3:ListBucket')));
      await iam.send(new CreateUserCommand({ UserName: 'ent-user', Path: '/ops/' }));
      await iam.send(new CreateGroupCommand({ GroupName: 'ent-group' }));
      await iam.send(new AttachUserPolicyCommand({ UserName: 'ent-user', PolicyArn: mine }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: 'ent-group', PolicyArn: mine }));
      await iam.send(new AttachUserPolicyCommand({ UserName: 'ent-user', PolicyArn: AWS('SecurityAudit') }));
      await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'tagged', PermissionsBoundary: AWS('SecurityAudit') }));
    });

    it('lists users, groups and roles of a customer or AWS policy, filtered by kind, path and usage', async () => {
      const r = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: mine }));
      assert.deepEqual(r.PolicyUsers!.map((u) => u.UserName), ['ent-user']);
      assert.deepEqual(r.PolicyGroups!.map((g) => g.GroupName), ['ent-group']);
      assert.deepEqual(r.PolicyRoles, []);
      assert.match(r.PolicyUsers![0]!.UserId!, /^AIDA/);
      const users = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: mine, EntityFilter: 'User' }));
      assert.deepEqual([users.PolicyUsers!.length, users.PolicyGroups!.length], [1, 0]);
      assert.deepEqual((await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: mine, PathPrefix: '/ops/' }))).PolicyGroups, []);
      const aws = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: AWS('SecurityAudit') }));
      assert.deepEqual(aws.PolicyUsers!.map((u) => u.UserName), ['ent-user']);
      const bounded = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: AWS('SecurityAudit'), PolicyUsageFilter: 'PermissionsBoundary' }));
      assert.deepEqual([bounded.PolicyUsers, bounded.PolicyRoles!.map((x) => x.RoleName)], [[], ['tagged']]);
      const paged = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: mine, MaxItems: 1 }));
      assert.equal(paged.IsTruncated, true);
      const rest = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: mine, MaxItems: 1, Marker: paged.Marker }));
      assert.deepEqual([rest.IsTruncated, rest.PolicyGroups!.map((g) => g.GroupName)], [false, ['ent-group']]);
    });

    it('an unknown policy is NoSuchEntity, a bad filter ValidationError; the CLI lists the same', async () => {
      await refused(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn(gh, 'policy/none') })), 'NoSuchEntity');
      await refused(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: AWS('NoSuch') })), 'NoSuchEntity');
      await refused(iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: mine, EntityFilter: 'Thing' as 'User' })), 'ValidationError');
      const cli = cliOk(await gh.cli(['iam', 'list-entities-for-policy', '--policy-arn', mine]));
      assert.deepEqual([cli.PolicyUsers.length, cli.PolicyGroups.length, cli.PolicyRoles.length], [1, 1, 0]);
    });
  });

  describe('GetAccountAuthorizationDetails', () => {
    it('details users (groups, inline, attached), groups, roles (instance profiles, last use) and policies (local with versions, AWS attached)', async () => {
      await iam.send(new AddUserToGroupCommand({ GroupName: 'ent-group', UserName: 'ent-user' }));
      await iam.send(new PutUserPolicyCommand({ UserName: 'ent-user', PolicyName: 'inline', PolicyDocument: policy(allow('sqs:*')) }));
      await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'gaad-profile' }));
      await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'gaad-profile', RoleName: 'tagged' }));
      const d = await iam.send(new GetAccountAuthorizationDetailsCommand({}));
      const u = d.UserDetailList!.find((x) => x.UserName === 'ent-user')!;
      assert.deepEqual(u.GroupList, ['ent-group']);
      assert.deepEqual(u.UserPolicyList!.map((p) => p.PolicyName), ['inline']);
      assert.deepEqual(JSON.parse(decodeURIComponent(u.UserPolicyList![0]!.PolicyDocument!)), JSON.parse(policy(allow('sqs:*'))));
      assert.deepEqual(u.AttachedManagedPolicies!.map((p) => p.PolicyName), ['SecurityAudit', 'shared']);
      const role = d.RoleDetailList!.find((x) => x.RoleName === 'tagged')!;
      assert.deepEqual(role.InstanceProfileList!.map((p) => p.InstanceProfileName), ['gaad-profile']);
      assert.equal(role.PermissionsBoundary?.PermissionsBoundaryArn, AWS('SecurityAudit'));
      assert.ok(role.RoleLastUsed?.LastUsedDate);
      const shared = d.Policies!.find((p) => p.PolicyName === 'shared')!;
      assert.deepEqual(shared.PolicyVersionList!.map((v) => [v.VersionId, v.IsDefaultVersion]), [['v1', true]]);
      const audit = d.Policies!.find((p) => p.Arn === AWS('SecurityAudit'))!;
      assert.equal(audit.AttachmentCount, 1);
      assert.ok(!d.Policies!.some((p) => p.Arn === AWS('AdministratorAccess')), 'unattached AWS policies are not listed');
      const onlyRoles = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }));
      assert.deepEqual([onlyRoles.UserDetailList, onlyRoles.Policies], [[], []]);
      const first = await iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1 }));
      assert.equal(first.IsTruncated, true);
      await refused(iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Nothing' as 'User'] })), 'ValidationError');
      const cli = cliOk(await gh.cli(['iam', 'get-account-authorization-details', '--filter', 'User']));
      assert.ok(cli.UserDetailList.some((x: { UserName: string }) => x.UserName === 'ent-user'));
    });
  });

  describe('GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy', () => {
    const doc = JSON.stringify({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: 'dynamodb:*', Resource: 'arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2015-08-16T12:00:00Z' } } },
    });

    it('lists the keys of custom policies in order, once each; a malformed policy is InvalidInput', async () => {
      const r = await iam.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: [doc, doc.replace('aws:CurrentTime', 'AWS:CURRENTTIME')] }));
      assert.deepEqual(r.ContextKeyNames, ['aws:username', 'aws:CurrentTime']);
      await refused(iam.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: ['{"Version":"2012-10-17","Statement":'] })), 'InvalidInput');
      assert.deepEqual(cliOk(await gh.cli(['iam', 'get-context-keys-for-custom-policy', '--policy-input-list', doc])).ContextKeyNames, ['aws:username', 'aws:CurrentTime']);
    });

    it("lists the keys of a principal's policies (with its groups'), plus extra ones; an unknown principal is NoSuchEntity", async () => {
      await iam.send(new PutUserPolicyCommand({ UserName: 'ent-user', PolicyName: 'cond', PolicyDocument: policy(allow('s3:*', '*', { Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })) }));
      const r = await iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: arn(gh, 'user/ops/ent-user'), PolicyInputList: [doc] }));
      assert.ok(r.ContextKeyNames!.includes('aws:SourceIp'));
      assert.ok(r.ContextKeyNames!.includes('aws:CurrentTime'));
      for (const PolicySourceArn of [arn(gh, 'user/none'), arn(gh, 'user/ent-user'), 'arn:aws:iam::999999999999:user/ops/ent-user']) {
        await refused(iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn })), 'NoSuchEntity');
      }
    });
  });

  describe('GetAccountSummary', () => {
    it('has every key AWS returns, with usage and quotas', async () => {
      const map = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap! as Record<string, number>;
      const keys = `Users UsersQuota Groups GroupsQuota ServerCertificates ServerCertificatesQuota UserPolicySizeQuota GroupPolicySizeQuota
        GroupsPerUserQuota SigningCertificatesPerUserQuota AccessKeysPerUserQuota MFADevices MFADevicesInUse AccountMFAEnabled
        AccountAccessKeysPresent AccountSigningCertificatesPresent AttachedPoliciesPerGroupQuota AttachedPoliciesPerRoleQuota
        AttachedPoliciesPerUserQuota Policies PoliciesQuota PolicySizeQuota PolicyVersionsInUse PolicyVersionsInUseQuota
        VersionsPerPolicyQuota GlobalEndpointTokenVersion Roles RolesQuota RolePolicySizeQuota InstanceProfiles InstanceProfilesQuota
        AssumeRolePolicySizeQuota Providers`.split(/\s+/);
      for (const k of keys) assert.equal(typeof map[k], 'number', k);
      assert.equal(map.InstanceProfiles, 1);
      assert.equal(map.SigningCertificatesPerUserQuota, 2);
      assert.ok(map.PolicyVersionsInUse! >= 2, 'shared v1 and SecurityAudit');
      assert.equal(map.AccountAccessKeysPresent, 1);
      assert.ok(!('MFADevicesQuota' in map), 'only keys AWS returns');
    });
  });

  it('an operation Gatehouse does not serve is still InvalidAction', async () => {
    cliRefused(await gh.cli(['iam', 'list-open-id-connect-providers']), 'InvalidAction');
  });
});

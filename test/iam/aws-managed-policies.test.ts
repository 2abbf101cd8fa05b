/**
 * AWS managed policies end to end, through the SDK and the AWS CLI: the catalogue is listed
 * (Scope AWS|Local|All, PathPrefix, OnlyAttached, pagination), read (GetPolicy,
 * GetPolicyVersion, ListPolicyVersions), attached to users, groups and roles and used as a
 * permissions boundary, with per-account AttachmentCount / PermissionsBoundaryUsageCount; it
 * is read-only; and the policy engine evaluates it (ReadOnlyAccess reads, never writes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteUserCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  SetDefaultPolicyVersionCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { allow, cliOk, cliRefused, managedPolicy, pages, policy, refused, sdkError, trust, userWithKey } from './helpers.js';

const AWS = (name: string) => `arn:aws:iam::aws:policy/${name}`;
const READ_ONLY = AWS('ReadOnlyAccess');

describe('AWS managed policies', () => {
  let gh: TestGatehouse;
  let other: TestGatehouse;
  let iam: IAMClient;

  before(async () => {
    [gh, other] = await Promise.all([startGatehouse(), startGatehouse()]);
    iam = gh.iam();
  });
  after(async () => {
    await gh?.close();
    await other?.close();
  });

  describe('reading the catalogue', () => {
    it('GetPolicy returns AWS ids, ARNs with paths, dates and the default version', async () => {
      const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: READ_ONLY }));
      assert.equal(Policy!.PolicyName, 'ReadOnlyAccess');
      assert.equal(Policy!.PolicyId, 'ANPAILL3HVNFSB6DCOWYQ');
      assert.equal(Policy!.Path, '/');
      assert.match(Policy!.DefaultVersionId!, /^v\d+$/);
      assert.equal(Policy!.IsAttachable, true);
      assert.equal(Policy!.AttachmentCount, 0);
      assert.equal(Policy!.PermissionsBoundaryUsageCount, 0);
      assert.equal(Policy!.CreateDate!.toISOString(), '2015-02-06T18:39:48.000Z');
      const jobFunction = (await iam.send(new GetPolicyCommand({ PolicyArn: AWS('job-function/ViewOnlyAccess') }))).Policy!;
      assert.equal(jobFunction.Path, '/job-function/');
    });

    it('GetPolicyVersion returns the default document (URL-encoded); other versions and unknown policies are NoSuchEntity', async () => {
      const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: AWS('AdministratorAccess') }));
      const { PolicyVersion } = await iam.send(new GetPolicyVersionCommand({ PolicyArn: AWS('AdministratorAccess'), VersionId: Policy!.DefaultVersionId! }));
      assert.equal(PolicyVersion!.IsDefaultVersion, true);
      assert.deepEqual(JSON.parse(decodeURIComponent(PolicyVersion!.Document!)).Statement, [{ Action: '*', Resource: '*', Effect: 'Allow' }]);
      const versions = (await iam.send(new ListPolicyVersionsCommand({ PolicyArn: READ_ONLY }))).Versions!;
      assert.equal(versions.length, 1);
      assert.equal(versions[0]!.IsDefaultVersion, true);
      await refused(iam.send(new GetPolicyVersionCommand({ PolicyArn: AWS('AdministratorAccess'), VersionId: 'v99' })), 'NoSuchEntity', /version v99 does not exist/);
      for (const PolicyArn of [AWS('NoSuchPolicyAtAll'), AWS('job-function/ReadOnlyAccess')]) {
        await refused(iam.send(new GetPolicyCommand({ PolicyArn })), 'NoSuchEntity', /does not exist or is not attachable/);
      }
    });

    it('ListPolicies: Scope AWS is the catalogue, Local the account, All both; PathPrefix filters; pages follow', async () => {
      await managedPolicy(iam, 'mine', policy(allow('s3:GetObject')));
      const names = async (Scope: 'AWS' | 'Local' | 'All', PathPrefix?: string) => {
        const out: string[] = [];
        for (const p of await pages(async (Marker) => {
          const r = await iam.send(new ListPoliciesCommand({ Scope, Marker, MaxItems: 1000, ...(PathPrefix && { PathPrefix }) }));
          return { items: r.Policies!.map((x) => x.PolicyName!), IsTruncated: r.IsTruncated, Marker: r.Marker };
        })) out.push(...p.items);
        return out;
      };
      const aws = await names('AWS');
      assert.equal(aws.length, 1452);
      assert.ok(!aws.includes('mine'));
      assert.deepEqual(await names('Local'), ['mine']);
      assert.deepEqual(await names('All'), [...aws, 'mine']);
      const jobs = await names('AWS', '/job-function/');
      assert.ok(jobs.length === 8 && jobs.includes('ViewOnlyAccess'), jobs.join());
      // A page boundary inside the AWS half and one between the halves.
      const small = await pages(async (Marker) => {
        const r = await iam.send(new ListPoliciesCommand({ PathPrefix: '/job-function/', MaxItems: 3, Marker }));
        return { items: r.Policies!.map((x) => x.PolicyName!), IsTruncated: r.IsTruncated, Marker: r.Marker };
      });
      assert.deepEqual(small.flatMap((p) => p.items), jobs);
      assert.deepEqual(small.map((p) => p.items.length), [3, 3, 2]);
      // The AWS half ends exactly at a page's end: the account's own follow on the next page.
      await managedPolicy(iam, 'AaaLocalJob', policy(allow('s3:GetObject')), '/job-function/');
      const halves = await pages(async (Marker) => {
        const r = await iam.send(new ListPoliciesCommand({ PathPrefix: '/job-function/', MaxItems: 4, Marker }));
        return { items: r.Policies!.map((x) => x.PolicyName!), IsTruncated: r.IsTruncated, Marker: r.Marker };
      });
      assert.deepEqual(halves.map((p) => p.items.length), [4, 4, 1]);
      assert.deepEqual(halves.flatMap((p) => p.items), [...jobs, 'AaaLocalJob']);
    });
  });

  describe('attachment and per-account counts', () => {
    before(async () => {
      await iam.send(new CreateUserCommand({ UserName: 'aws-user' }));
      await iam.send(new CreateGroupCommand({ GroupName: 'aws-group' }));
      await iam.send(new CreateRoleCommand({ RoleName: 'aws-role', AssumeRolePolicyDocument: trust(gh.accountId) }));
    });

    it('attaches to a user, a group and a role; counts are per account; OnlyAttached lists it; detach undoes it', async () => {
      await iam.send(new AttachUserPolicyCommand({ UserName: 'aws-user', PolicyArn: READ_ONLY }));
      await iam.send(new AttachUserPolicyCommand({ UserName: 'aws-user', PolicyArn: READ_ONLY }));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: 'aws-group', PolicyArn: READ_ONLY }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'aws-role', PolicyArn: AWS('job-function/ViewOnlyAccess') }));
      assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: READ_ONLY }))).Policy!.AttachmentCount, 2);
      assert.equal((await other.iam().send(new GetPolicyCommand({ PolicyArn: READ_ONLY }))).Policy!.AttachmentCount, 0, 'another account');
      const attached = (await iam.send(new ListPoliciesCommand({ OnlyAttached: true, MaxItems: 1000 }))).Policies!.map((p) => `${p.PolicyName}:${p.AttachmentCount}`);
      assert.deepEqual(attached, ['ReadOnlyAccess:2', 'ViewOnlyAccess:1']);
      const roleList = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'aws-role' }))).AttachedPolicies!;
      assert.deepEqual(roleList, [{ PolicyName: 'ViewOnlyAccess', PolicyArn: AWS('job-function/ViewOnlyAccess') }]);
      await iam.send(new DetachGroupPolicyCommand({ GroupName: 'aws-group', PolicyArn: READ_ONLY }));
      await iam.send(new DetachRolePolicyCommand({ RoleName: 'aws-role', PolicyArn: AWS('job-function/ViewOnlyAccess') }));
      assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: READ_ONLY }))).Policy!.AttachmentCount, 1);
      await refused(iam.send(new DetachGroupPolicyCommand({ GroupName: 'aws-group', PolicyArn: READ_ONLY })), 'NoSuchEntity', /was not found/);
    });

    it('lists customer and AWS policies together by name, and refuses an 11th attachment', async () => {
      const mine = await managedPolicy(iam, 'Zeta-mine', policy(allow('s3:GetObject')));
      await iam.send(new AttachUserPolicyCommand({ UserName: 'aws-user', PolicyArn: mine }));
      const listed = (await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'aws-user' }))).AttachedPolicies!.map((p) => p.PolicyName);
      assert.deepEqual(listed, ['ReadOnlyAccess', 'Zeta-mine']);
      for (const name of ['AmazonS3ReadOnlyAccess', 'AmazonEC2ReadOnlyAccess', 'IAMReadOnlyAccess', 'SecurityAudit', 'PowerUserAccess', 'AWSCloudTrail_ReadOnlyAccess', 'AmazonSQSReadOnlyAccess', 'AmazonSNSReadOnlyAccess']) {
        await iam.send(new AttachUserPolicyCommand({ UserName: 'aws-user', PolicyArn: AWS(name) }));
      }
      await refused(iam.send(new AttachUserPolicyCommand({ UserName: 'aws-user', PolicyArn: AWS('AdministratorAccess') })), 'LimitExceeded', /PolicyAttachmentsPerUser: 10/);
      assert.equal((await iam.send(new GetPolicyCommand({ PolicyArn: AWS('AdministratorAccess') }))).Policy!.AttachmentCount, 0);
      for (const name of ['AmazonS3ReadOnlyAccess', 'AmazonEC2ReadOnlyAccess', 'IAMReadOnlyAccess', 'SecurityAudit', 'PowerUserAccess', 'AWSCloudTrail_ReadOnlyAccess', 'AmazonSQSReadOnlyAccess', 'AmazonSNSReadOnlyAccess']) {
        await iam.send(new DetachUserPolicyCommand({ UserName: 'aws-user', PolicyArn: AWS(name) }));
      }
      await iam.send(new DetachUserPolicyCommand({ UserName: 'aws-user', PolicyArn: mine }));
    });

    it('refuses an unknown AWS policy (NoSuchEntity) and a service-linked role policy (PolicyNotAttachable)', async () => {
      await refused(iam.send(new AttachUserPolicyCommand({ UserName: 'aws-user', PolicyArn: AWS('NotAPolicy') })), 'NoSuchEntity', /does not exist or is not attachable/);
      const e = await sdkError(iam.send(new AttachRolePolicyCommand({ RoleName: 'aws-role', PolicyArn: AWS('aws-service-role/AWSSupportServiceRolePolicy') })));
      assert.deepEqual(e, { name: 'PolicyNotAttachable', status: 400, message: 'Cannot attach a Service Role Policy to a Customer Role.' });
      assert.deepEqual((await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'aws-role' }))).AttachedPolicies, []);
    });

    it('DeleteUser and DeleteGroup refuse while an AWS policy is attached', async () => {
      await refused(iam.send(new DeleteUserCommand({ UserName: 'aws-user' })), 'DeleteConflict');
      await iam.send(new AttachGroupPolicyCommand({ GroupName: 'aws-group', PolicyArn: READ_ONLY }));
      await refused(iam.send(new DeleteGroupCommand({ GroupName: 'aws-group' })), 'DeleteConflict');
      await iam.send(new DetachGroupPolicyCommand({ GroupName: 'aws-group', PolicyArn: READ_ONLY }));
    });

    it('is a permissions boundary, counted in PermissionsBoundaryUsageCount and PolicyUsageFilter', async () => {
      await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'aws-user', PermissionsBoundary: AWS('job-function/ViewOnlyAccess') }));
      const p = (await iam.send(new GetPolicyCommand({ PolicyArn: AWS('job-function/ViewOnlyAccess') }))).Policy!;
      assert.equal(p.PermissionsBoundaryUsageCount, 1);
      const bounded = (await iam.send(new ListPoliciesCommand({ PolicyUsageFilter: 'PermissionsBoundary', MaxItems: 1000 }))).Policies!.map((x) => x.PolicyName);
      assert.deepEqual(bounded, ['ViewOnlyAccess']);
      await refused(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'aws-user', PermissionsBoundary: AWS('NotAPolicy') })), 'NoSuchEntity');
    });
  });

  describe('read-only', () => {
    it('CreatePolicyVersion, DeletePolicy, DeletePolicyVersion, SetDefaultPolicyVersion are AccessDenied, even for the root', async () => {
      const doc = policy(allow('s3:GetObject'));
      const { Policy } = await iam.send(new GetPolicyCommand({ PolicyArn: READ_ONLY }));
      for (const call of [
        iam.send(new CreatePolicyVersionCommand({ PolicyArn: READ_ONLY, PolicyDocument: doc, SetAsDefault: true })),
        iam.send(new DeletePolicyCommand({ PolicyArn: READ_ONLY })),
        iam.send(new DeletePolicyVersionCommand({ PolicyArn: READ_ONLY, VersionId: 'v1' })),
        iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: READ_ONLY, VersionId: 'v1' })),
      ]) {
        await refused(call, 'AccessDenied', /is not authorized to perform: iam:\w+ on resource: policy arn:aws:iam::aws:policy\/ReadOnlyAccess/);
      }
      const after = (await iam.send(new GetPolicyCommand({ PolicyArn: READ_ONLY }))).Policy!;
      assert.equal(after.DefaultVersionId, Policy!.DefaultVersionId);
      await refused(iam.send(new DeletePolicyCommand({ PolicyArn: AWS('NotAPolicy') })), 'NoSuchEntity');
    });
  });

  describe('evaluation', () => {
    it('a user with ReadOnlyAccess may read IAM but not write; with a ViewOnlyAccess boundary, less', async () => {
      const keys = await userWithKey(iam, 'reader');
      await iam.send(new AttachUserPolicyCommand({ UserName: 'reader', PolicyArn: READ_ONLY }));
      const reader = gh.iam(keys);
      assert.ok((await reader.send(new ListUsersCommand({}))).Users!.length >= 1);
      await refused(reader.send(new CreateUserCommand({ UserName: 'not-allowed' })), 'AccessDenied', /iam:CreateUser/);
      await refused(reader.send(new AttachUserPolicyCommand({ UserName: 'reader', PolicyArn: AWS('AdministratorAccess') })), 'AccessDenied');
      // A boundary that does not include iam:ListUsers... ViewOnlyAccess allows iam:List*, so use one that does not: AmazonS3ReadOnlyAccess.
      await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'reader', PermissionsBoundary: AWS('AmazonS3ReadOnlyAccess') }));
      await refused(reader.send(new ListUsersCommand({})), 'AccessDenied', /permissions boundary/);
    });
  });

  describe('as session policies (AssumeRole PolicyArns)', () => {
    it('scope a role session down to the AWS policy; an unknown one is refused at AssumeRole', async () => {
      await iam.send(new CreateRoleCommand({ RoleName: 'admin-role', AssumeRolePolicyDocument: trust(gh.accountId) }));
      await iam.send(new PutRolePolicyCommand({ RoleName: 'admin-role', PolicyName: 'all-iam', PolicyDocument: policy(allow('iam:*')) }));
      const keys = await userWithKey(iam, 'assumer', { inline: policy(allow('sts:AssumeRole')) });
      const RoleArn = `arn:aws:iam::${gh.accountId}:role/admin-role`;
      const session = async (arns: string[]) => {
        const { Credentials } = await gh.sts(keys).send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'session', PolicyArns: arns.map((arn) => ({ arn })) }));
        return gh.iam({ accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! });
      };
      const reader = await session([READ_ONLY]);
      assert.ok((await reader.send(new ListUsersCommand({}))).Users);
      await refused(reader.send(new CreateUserCommand({ UserName: 'nope' })), 'AccessDenied', /session policy/);
      const s3only = await session([AWS('AmazonS3ReadOnlyAccess')]);
      await refused(s3only.send(new ListUsersCommand({})), 'AccessDenied', /session policy/);
      const e = await sdkError(gh.sts(keys).send(new AssumeRoleCommand({ RoleArn, RoleSessionName: 'session', PolicyArns: [{ arn: AWS('NoSuchPolicy') }] })));
      assert.deepEqual([e.name, e.status], ['NoSuchEntity', 404]);
    });
  });

  describe('through the AWS CLI', () => {
    it('list-policies --scope AWS, get-policy, get-policy-version, attach-role-policy, and a refused delete-policy', async () => {
      const listed = cliOk(await gh.cli(['iam', 'list-policies', '--scope', 'AWS', '--path-prefix', '/job-function/']));
      assert.equal(listed.Policies.length, 8);
      const got = cliOk(await gh.cli(['iam', 'get-policy', '--policy-arn', AWS('SecurityAudit')])).Policy;
      assert.equal(got.Arn, AWS('SecurityAudit'));
      const version = cliOk(await gh.cli(['iam', 'get-policy-version', '--policy-arn', AWS('SecurityAudit'), '--version-id', got.DefaultVersionId])).PolicyVersion;
      assert.equal(typeof version.Document, 'object', 'the CLI decodes the document');
      cliOk(await gh.cli(['iam', 'attach-role-policy', '--role-name', 'aws-role', '--policy-arn', AWS('SecurityAudit')]));
      const attached = cliOk(await gh.cli(['iam', 'list-attached-role-policies', '--role-name', 'aws-role'])).AttachedPolicies;
      assert.deepEqual(attached, [{ PolicyName: 'SecurityAudit', PolicyArn: AWS('SecurityAudit') }]);
      cliRefused(await gh.cli(['iam', 'delete-policy', '--policy-arn', AWS('SecurityAudit')]), 'AccessDenied');
      cliOk(await gh.cli(['iam', 'detach-role-policy', '--role-name', 'aws-role', '--policy-arn', AWS('SecurityAudit')]));
    });
  });
});


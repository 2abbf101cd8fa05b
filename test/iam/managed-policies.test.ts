/**
 * Customer managed policies end to end, through the SDK and the AWS CLI:
 * create (6,144-character limit, unique names, validation), get, list (Scope,
 * OnlyAttached, PathPrefix, pagination), versions (at most 5, one default,
 * documents round-tripped), delete and its conflicts, and attachment to users,
 * groups and roles (at most 10 each) with AttachmentCount. Every refusal leaves
 * the store unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteUserPermissionsBoundaryCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  PutRolePermissionsBoundaryCommand,
  PutUserPermissionsBoundaryCommand,
  SetDefaultPolicyVersionCommand,
  type IAMClient,
  type PolicyScopeType,
} from '@aws-sdk/client-iam';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { allow, arn, cliOk, cliRefused, deny, documentOfSize, managedPolicy, pages, policy, refused, trust } from './helpers.js';

/** Attach, detach and list for each owner kind. */
const OWNERS = [
  {
    kind: 'User',
    owner: 'mp-user',
    attach: (iam: IAMClient, UserName: string, PolicyArn: string) => iam.send(new AttachUserPolicyCommand({ UserName, PolicyArn })),
    detach: (iam: IAMClient, UserName: string, PolicyArn: string) => iam.send(new DetachUserPolicyCommand({ UserName, PolicyArn })),
    list: async (iam: IAMClient, UserName: string) => (await iam.send(new ListAttachedUserPoliciesCommand({ UserName, MaxItems: 1000 }))).AttachedPolicies ?? [],
  },
  {
    kind: 'Group',
    owner: 'mp-group',
    attach: (iam: IAMClient, GroupName: string, PolicyArn: string) => iam.send(new AttachGroupPolicyCommand({ GroupName, PolicyArn })),
    detach: (iam: IAMClient, GroupName: string, PolicyArn: string) => iam.send(new DetachGroupPolicyCommand({ GroupName, PolicyArn })),
    list: async (iam: IAMClient, GroupName: string) => (await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName, MaxItems: 1000 }))).AttachedPolicies ?? [],
  },
  {
    kind: 'Role',
    owner: 'mp-role',
    attach: (iam: IAMClient, RoleName: string, PolicyArn: string) => iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn })),
    detach: (iam: IAMClient, RoleName: string, PolicyArn: string) => iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn })),
    list: async (iam: IAMClient, RoleName: string) => (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName, MaxItems: 1000 }))).AttachedPolicies ?? [],
  },
];

describe('managed policies', () => {
  let gh: TestGatehouse;
  let iam: IAMClient;
  const getPolicy = async (PolicyArn: string) => (await iam.send(new GetPolicyCommand({ PolicyArn }))).Policy!;
  const listNames = async (input: { Scope?: PolicyScopeType; OnlyAttached?: boolean; PathPrefix?: string } = {}) =>
    ((await iam.send(new ListPoliciesCommand({ ...input, MaxItems: 1000 }))).Policies ?? []).map((p) => p.PolicyName);
  const versions = async (PolicyArn: string) => ((await iam.send(new ListPolicyVersionsCommand({ PolicyArn }))).Versions ?? []).map((v) => `${v.VersionId}${v.IsDefaultVersion ? '*' : ''}`);

  before(async () => {
    gh = await startGatehouse();
    iam = gh.iam();
    await iam.send(new CreateUserCommand({ UserName: 'mp-user' }));
    await iam.send(new CreateGroupCommand({ GroupName: 'mp-group' }));
    await iam.send(new CreateRoleCommand({ RoleName: 'mp-role', AssumeRolePolicyDocument: trust(gh.accountId) }));
  });
  after(() => gh?.close());

  describe('CreatePolicy and GetPolicy', () => {
    it('creates a policy with a path and description; GetPolicy returns it', async () => {
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: 'readers', Path: '/team/', Description: 'read only', PolicyDocument: policy(allow('s3:Get*')) }));
      assert.equal(Policy!.Arn, arn(gh, 'policy/team/readers'));
      assert.equal(Policy!.DefaultVersionId, 'v1');
      assert.equal(Policy!.AttachmentCount, 0);
      assert.equal(Policy!.IsAttachable, true);
      assert.match(Policy!.PolicyId!, /^ANPA[A-Z2-7]{17}$/);
      const got = await getPolicy(Policy!.Arn!);
      assert.equal(got.PolicyId, Policy!.PolicyId);
      assert.equal(got.Description, 'read only');
      assert.equal(got.Path, '/team/');
    });

    it('accepts 6,144 characters whitespace-padded; 6,145 is LimitExceeded', async () => {
      await iam.send(new CreatePolicyCommand({ PolicyName: 'biggest', PolicyDocument: documentOfSize(6144, 4000) }));
      await refused(iam.send(new CreatePolicyCommand({ PolicyName: 'too-big', PolicyDocument: documentOfSize(6145) })), 'LimitExceeded', /^Cannot exceed quota for PolicySize: 6144$/);
      assert.ok(!(await listNames()).includes('too-big'));
    });

    it('refuses a duplicate name (also under another path) and a malformed document', async () => {
      for (const [PolicyName, Path] of [
        ['readers', '/team/'],
        ['READERS', '/other/'],
      ] as const) {
        await refused(iam.send(new CreatePolicyCommand({ PolicyName, Path, PolicyDocument: policy(allow('*')) })), 'EntityAlreadyExists', /A policy called \w+ already exists/);
      }
      await refused(
        iam.send(new CreatePolicyCommand({ PolicyName: 'malformed', PolicyDocument: policy({ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }) })),
        'MalformedPolicyDocument',
        /Principal/,
      );
      assert.deepEqual(await listNames({ PathPrefix: '/other/' }), []);
      assert.ok(!(await listNames()).includes('malformed'));
      assert.equal(decodeURIComponent((await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn(gh, 'policy/team/readers'), VersionId: 'v1' }))).PolicyVersion!.Document!), policy(allow('s3:Get*')));
    });

    it('GetPolicy of an unknown ARN, or of the right name under the wrong path, is NoSuchEntity', async () => {
      for (const PolicyArn of [arn(gh, 'policy/nothere'), arn(gh, 'policy/readers'), 'arn:aws:iam::999999999999:policy/team/readers']) {
        await refused(iam.send(new GetPolicyCommand({ PolicyArn })), 'NoSuchEntity', /does not exist or is not attachable/);
      }
      await refused(iam.send(new GetPolicyCommand({ PolicyArn: 'not-an-arn' })), 'ValidationError', /policyArn/);
    });
  });

  describe('ListPolicies', () => {
    before(async () => {
      for (const name of ['lp-c', 'lp-a', 'lp-e', 'lp-b', 'lp-d']) await managedPolicy(iam, name, policy(allow('s3:ListBucket')), '/listed/');
    });

    it('filters by Scope and PathPrefix', async () => {
      const local = await listNames({ Scope: 'Local' });
      for (const n of ['readers', 'biggest', 'lp-a', 'lp-e']) assert.ok(local.includes(n), n);
      // All (the default) is AWS's managed policies and then the account's own (aws-managed-policies.test.ts).
      assert.deepEqual(await listNames({ Scope: 'All', PathPrefix: '/listed/' }), await listNames({ Scope: 'Local', PathPrefix: '/listed/' }));
      const aws = await listNames({ Scope: 'AWS' });
      assert.ok(aws.includes('AdministratorAccess') && !aws.some((n) => local.includes(n!)));
      assert.deepEqual(await listNames({ PathPrefix: '/listed/' }), ['lp-a', 'lp-b', 'lp-c', 'lp-d', 'lp-e']);
      assert.deepEqual(await listNames({ PathPrefix: '/team/' }), ['readers']);
    });

    it('pages with Marker/MaxItems', async () => {
      const result = await pages(async (Marker) => {
        const r = await iam.send(new ListPoliciesCommand({ Scope: 'Local', PathPrefix: '/listed/', MaxItems: 2, Marker }));
        return { items: r.Policies!.map((p) => p.PolicyName!), IsTruncated: r.IsTruncated, Marker: r.Marker };
      });
      assert.deepEqual(
        result.map((p) => p.items),
        [['lp-a', 'lp-b'], ['lp-c', 'lp-d'], ['lp-e']],
      );
      assert.deepEqual(
        result.map((p) => p.truncated),
        [true, true, false],
      );
    });

    it('OnlyAttached lists the attached ones', async () => {
      const lpA = arn(gh, 'policy/listed/lp-a');
      assert.deepEqual(await listNames({ OnlyAttached: true, PathPrefix: '/listed/' }), []);
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'mp-role', PolicyArn: lpA }));
      assert.deepEqual(await listNames({ OnlyAttached: true, PathPrefix: '/listed/' }), ['lp-a']);
      assert.deepEqual(await listNames({ OnlyAttached: true, Scope: 'Local' }), ['lp-a']);
      await iam.send(new DetachRolePolicyCommand({ RoleName: 'mp-role', PolicyArn: lpA }));
      assert.deepEqual(await listNames({ OnlyAttached: true }), []);
    });
  });

  describe('versions', () => {
    let versioned: string;
    const docN = (n: number) => policy(allow(`s3:GetObject`, `arn:aws:s3:::bucket-${n}/*`));

    before(async () => {
      versioned = await managedPolicy(iam, 'versioned', docN(1));
    });

    it('CreatePolicyVersion adds versions; SetAsDefault makes one the default', async () => {
      const v2 = (await iam.send(new CreatePolicyVersionCommand({ PolicyArn: versioned, PolicyDocument: docN(2) }))).PolicyVersion!;
      assert.equal(v2.VersionId, 'v2');
      assert.equal(v2.IsDefaultVersion, false);
      assert.equal(v2.Document, undefined, 'CreatePolicyVersion does not echo the document');
      assert.equal((await getPolicy(versioned)).DefaultVersionId, 'v1');

      const v3 = (await iam.send(new CreatePolicyVersionCommand({ PolicyArn: versioned, PolicyDocument: docN(3), SetAsDefault: true }))).PolicyVersion!;
      assert.equal(v3.VersionId, 'v3');
      assert.equal(v3.IsDefaultVersion, true);
      assert.equal((await getPolicy(versioned)).DefaultVersionId, 'v3');
      assert.deepEqual((await versions(versioned)).sort(), ['v1', 'v2', 'v3*']);
    });

    it('GetPolicyVersion returns each document URL-encoded, exactly as sent', async () => {
      for (const n of [1, 2, 3]) {
        const v = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: versioned, VersionId: `v${n}` }))).PolicyVersion!;
        assert.equal(decodeURIComponent(v.Document!), docN(n));
        assert.equal(v.IsDefaultVersion, n === 3);
      }
      await refused(iam.send(new GetPolicyVersionCommand({ PolicyArn: versioned, VersionId: 'v9' })), 'NoSuchEntity');
      await refused(iam.send(new GetPolicyVersionCommand({ PolicyArn: versioned, VersionId: 'nine' })), 'ValidationError', /versionId/);
    });

    it('a 6th version is LimitExceeded', async () => {
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: versioned, PolicyDocument: docN(4) }));
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: versioned, PolicyDocument: docN(5) }));
      await refused(iam.send(new CreatePolicyVersionCommand({ PolicyArn: versioned, PolicyDocument: docN(6), SetAsDefault: true })), 'LimitExceeded', /up to 5 versions/);
      assert.deepEqual((await versions(versioned)).sort(), ['v1', 'v2', 'v3*', 'v4', 'v5']);
      assert.equal((await getPolicy(versioned)).DefaultVersionId, 'v3');
    });

    it('refuses an oversized or malformed version, changing nothing', async () => {
      await iam.send(new DeletePolicyVersionCommand({ PolicyArn: versioned, VersionId: 'v5' }));
      await refused(iam.send(new CreatePolicyVersionCommand({ PolicyArn: versioned, PolicyDocument: documentOfSize(6145) })), 'LimitExceeded', /PolicySize: 6144/);
      await refused(iam.send(new CreatePolicyVersionCommand({ PolicyArn: versioned, PolicyDocument: policy(allow('s3:Get', '*', { Effect: 'Maybe' })) })), 'MalformedPolicyDocument', /Effect/);
      await refused(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn(gh, 'policy/nothere'), PolicyDocument: docN(1) })), 'NoSuchEntity');
      assert.deepEqual((await versions(versioned)).sort(), ['v1', 'v2', 'v3*', 'v4']);
    });

    it('the default version cannot be deleted; SetDefaultPolicyVersion moves the default', async () => {
      await refused(iam.send(new DeletePolicyVersionCommand({ PolicyArn: versioned, VersionId: 'v3' })), 'DeleteConflict', /^Cannot delete the default version of a policy\.$/);
      assert.deepEqual((await versions(versioned)).sort(), ['v1', 'v2', 'v3*', 'v4']);

      await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: versioned, VersionId: 'v2' }));
      assert.equal((await getPolicy(versioned)).DefaultVersionId, 'v2');
      await iam.send(new DeletePolicyVersionCommand({ PolicyArn: versioned, VersionId: 'v3' }));
      assert.deepEqual((await versions(versioned)).sort(), ['v1', 'v2*', 'v4']);

      await refused(iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: versioned, VersionId: 'v3' })), 'NoSuchEntity');
      await refused(iam.send(new DeletePolicyVersionCommand({ PolicyArn: versioned, VersionId: 'v3' })), 'NoSuchEntity');
      assert.equal((await getPolicy(versioned)).DefaultVersionId, 'v2');
    });

    it('DeletePolicy refuses while non-default versions exist', async () => {
      await refused(iam.send(new DeletePolicyCommand({ PolicyArn: versioned })), 'DeleteConflict', /more than one version/);
      assert.deepEqual((await versions(versioned)).sort(), ['v1', 'v2*', 'v4']);
      for (const VersionId of ['v1', 'v4']) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: versioned, VersionId }));
      await iam.send(new DeletePolicyCommand({ PolicyArn: versioned }));
      await refused(iam.send(new GetPolicyCommand({ PolicyArn: versioned })), 'NoSuchEntity');
      await refused(iam.send(new DeletePolicyCommand({ PolicyArn: versioned })), 'NoSuchEntity');
    });
  });

  describe('attachment', () => {
    let shared: string;
    before(async () => {
      shared = await managedPolicy(iam, 'shared', policy(allow('s3:ListAllMyBuckets')));
    });

    for (const o of OWNERS) {
      it(`Attach${o.kind}Policy is idempotent, listed, counted; Detach${o.kind}Policy undoes it`, async () => {
        const before = (await getPolicy(shared)).AttachmentCount!;
        await o.attach(iam, o.owner, shared);
        await o.attach(iam, o.owner, shared);
        assert.deepEqual(await o.list(iam, o.owner), [{ PolicyName: 'shared', PolicyArn: shared }]);
        assert.equal((await getPolicy(shared)).AttachmentCount, before + 1);
        await o.detach(iam, o.owner, shared);
        assert.deepEqual(await o.list(iam, o.owner), []);
        assert.equal((await getPolicy(shared)).AttachmentCount, before);
      });

      it(`${o.kind}: detaching what is not attached, or an unknown policy or owner, is NoSuchEntity`, async () => {
        await refused(o.detach(iam, o.owner, shared), 'NoSuchEntity', new RegExp(`^Policy ${shared} was not found\\.$`));
        await refused(o.attach(iam, o.owner, arn(gh, 'policy/nothere')), 'NoSuchEntity', /does not exist or is not attachable/);
        await refused(o.attach(iam, 'nobody', shared), 'NoSuchEntity', /nobody cannot be found/);
        assert.deepEqual(await o.list(iam, o.owner), []);
        assert.equal((await getPolicy(shared)).AttachmentCount, 0);
      });

      it(`${o.kind}: an 11th attached policy is LimitExceeded`, async () => {
        const arns: string[] = [];
        for (let i = 0; i < 11; i++) arns.push(await managedPolicy(iam, `${o.kind}-quota-${String(i).padStart(2, '0')}`, policy(allow('s3:GetObject'))));
        for (const a of arns.slice(0, 10)) await o.attach(iam, o.owner, a);
        await o.attach(iam, o.owner, arns[0]!); // already attached: fine
        await refused(o.attach(iam, o.owner, arns[10]!), 'LimitExceeded', new RegExp(`Cannot exceed quota for PolicyAttachmentsPer${o.kind}: 10`));
        assert.equal((await o.list(iam, o.owner)).length, 10);
        assert.equal((await getPolicy(arns[10]!)).AttachmentCount, 0);
        for (const a of arns.slice(0, 10)) await o.detach(iam, o.owner, a);
      });
    }

    it('AttachmentCount counts users, groups and roles; DeletePolicy refuses while attached', async () => {
      for (const o of OWNERS) await o.attach(iam, o.owner, shared);
      assert.equal((await getPolicy(shared)).AttachmentCount, 3);
      await refused(iam.send(new DeletePolicyCommand({ PolicyArn: shared })), 'DeleteConflict', /^Cannot delete a policy attached to entities\.$/);
      for (const o of OWNERS) {
        await o.detach(iam, o.owner, shared);
        if (o.kind !== 'Role') await refused(iam.send(new DeletePolicyCommand({ PolicyArn: shared })), 'DeleteConflict');
      }
      assert.equal((await getPolicy(shared)).AttachmentCount, 0);
      await iam.send(new DeletePolicyCommand({ PolicyArn: shared }));
      await refused(iam.send(new GetPolicyCommand({ PolicyArn: shared })), 'NoSuchEntity');
    });

    it('DeletePolicy refuses while the policy is a permissions boundary', async () => {
      const boundary = await managedPolicy(iam, 'boundary', policy(allow('s3:*')));
      await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'mp-user', PermissionsBoundary: boundary }));
      await refused(iam.send(new DeletePolicyCommand({ PolicyArn: boundary })), 'DeleteConflict', /attached to entities/);
      assert.equal((await getPolicy(boundary)).Arn, boundary);
      await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'mp-user' }));
      await iam.send(new DeletePolicyCommand({ PolicyArn: boundary }));
    });

    it('PermissionsBoundaryUsageCount counts users and roles; PolicyUsageFilter lists by use', async () => {
      const fence = await managedPolicy(iam, 'usage-fence', policy(allow('s3:*')), '/fences/');
      const granted = await managedPolicy(iam, 'usage-granted', policy(allow('s3:GetObject')));
      const idle = await managedPolicy(iam, 'usage-idle', policy(allow('s3:ListBucket')));
      await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'mp-user', PermissionsBoundary: fence }));
      await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: 'mp-role', PermissionsBoundary: fence }));
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'mp-role', PolicyArn: granted }));
      try {
        assert.deepEqual([(await getPolicy(fence)).PermissionsBoundaryUsageCount, (await getPolicy(fence)).AttachmentCount], [2, 0]);
        assert.deepEqual([(await getPolicy(granted)).PermissionsBoundaryUsageCount, (await getPolicy(granted)).AttachmentCount], [0, 1]);
        const listed = async (PolicyUsageFilter?: 'PermissionsPolicy' | 'PermissionsBoundary') =>
          ((await iam.send(new ListPoliciesCommand({ Scope: 'Local', MaxItems: 1000, ...(PolicyUsageFilter && { PolicyUsageFilter }) }))).Policies ?? [])
            .filter((p) => p.PolicyName!.startsWith('usage-'))
            .map((p) => `${p.PolicyName}:${p.PermissionsBoundaryUsageCount}`);
        assert.deepEqual(await listed(), ['usage-fence:2', 'usage-granted:0', 'usage-idle:0']);
        assert.deepEqual(await listed('PermissionsBoundary'), ['usage-fence:2']);
        assert.deepEqual(await listed('PermissionsPolicy'), ['usage-granted:0']);
        await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'mp-user' }));
        assert.equal((await getPolicy(fence)).PermissionsBoundaryUsageCount, 1);
        await refused(iam.send(new ListPoliciesCommand({ PolicyUsageFilter: 'Everything' as 'PermissionsPolicy' })), 'ValidationError');
      } finally {
        await iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName: 'mp-role' }));
        await iam.send(new DetachRolePolicyCommand({ RoleName: 'mp-role', PolicyArn: granted }));
        for (const arn of [fence, granted, idle]) await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
      }
    });
  });

  describe('through the AWS CLI', () => {
    const object = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'iam:DeleteUser', Resource: '*' }] };

    it('create-policy, get-policy, create-policy-version, get-policy-version (decoded), list-policies, attach/list-attached/detach, delete', async () => {
      const created = cliOk(await gh.cli(['iam', 'create-policy', '--policy-name', 'cli-policy', '--path', '/cli/', '--policy-document', policy(deny('iam:CreateUser'))])).Policy;
      assert.equal(created.Arn, arn(gh, 'policy/cli/cli-policy'));
      assert.equal(created.DefaultVersionId, 'v1');
      const v2 = cliOk(await gh.cli(['iam', 'create-policy-version', '--policy-arn', created.Arn, '--policy-document', JSON.stringify(object), '--set-as-default'])).PolicyVersion;
      assert.deepEqual([v2.VersionId, v2.IsDefaultVersion], ['v2', true]);
      cliOk(await gh.cli(['iam', 'attach-role-policy', '--role-name', 'mp-role', '--policy-arn', created.Arn]));

      const [got, version, listed, attached] = await Promise.all([
        gh.cli(['iam', 'get-policy', '--policy-arn', created.Arn]),
        gh.cli(['iam', 'get-policy-version', '--policy-arn', created.Arn, '--version-id', 'v2']),
        gh.cli(['iam', 'list-policies', '--scope', 'Local', '--only-attached', '--path-prefix', '/cli/']),
        gh.cli(['iam', 'list-attached-role-policies', '--role-name', 'mp-role']),
      ]);
      assert.equal(cliOk(got).Policy.AttachmentCount, 1);
      assert.equal(cliOk(got).Policy.DefaultVersionId, 'v2');
      assert.deepEqual(cliOk(version).PolicyVersion.Document, object);
      assert.deepEqual(
        cliOk(listed).Policies.map((p: { PolicyName: string }) => p.PolicyName),
        ['cli-policy'],
      );
      assert.deepEqual(cliOk(attached).AttachedPolicies, [{ PolicyName: 'cli-policy', PolicyArn: created.Arn }]);

      cliRefused(await gh.cli(['iam', 'delete-policy', '--policy-arn', created.Arn]), 'DeleteConflict', /Cannot delete a policy attached to entities/);
      assert.equal((await getPolicy(created.Arn)).AttachmentCount, 1);
      await Promise.all([
        gh.cli(['iam', 'detach-role-policy', '--role-name', 'mp-role', '--policy-arn', created.Arn]).then(cliOk),
        gh.cli(['iam', 'delete-policy-version', '--policy-arn', created.Arn, '--version-id', 'v1']).then(cliOk),
      ]);
      cliOk(await gh.cli(['iam', 'delete-policy', '--policy-arn', created.Arn]));
      await refused(iam.send(new GetPolicyCommand({ PolicyArn: created.Arn })), 'NoSuchEntity');
    });

    it('errors: oversized, duplicate, default version, not attached', async () => {
      const readers = arn(gh, 'policy/team/readers');
      const [big, dup, defaultVersion, notAttached] = await Promise.all([
        gh.cli(['iam', 'create-policy', '--policy-name', 'cli-big', '--policy-document', documentOfSize(6145)]),
        gh.cli(['iam', 'create-policy', '--policy-name', 'readers', '--policy-document', policy(allow('s3:*'))]),
        gh.cli(['iam', 'delete-policy-version', '--policy-arn', readers, '--version-id', 'v1']),
        gh.cli(['iam', 'detach-user-policy', '--user-name', 'mp-user', '--policy-arn', readers]),
      ]);
      cliRefused(big, 'LimitExceeded', /Cannot exceed quota for PolicySize: 6144/);
      cliRefused(dup, 'EntityAlreadyExists', /A policy called readers already exists/);
      cliRefused(defaultVersion, 'DeleteConflict', /Cannot delete the default version/);
      cliRefused(notAttached, 'NoSuchEntity', /was not found/);
      assert.ok(!(await listNames()).includes('cli-big'));
      assert.deepEqual(await versions(readers), ['v1*']);
    });
  });
});

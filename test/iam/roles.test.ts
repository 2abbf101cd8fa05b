/**
 * IAM roles end to end, through the SDK and the AWS CLI: create with a trust
 * policy validated as one (no Resource, a Principal required, 2,048 characters),
 * MaxSessionDuration bounds, the trust policy round trip (URL-encoded for the SDK
 * as from AWS, decoded by the CLI), list with paths and pagination, update,
 * replace the trust policy, and delete with its conflicts. Every refusal leaves
 * the store unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { allow, arn, cliOk, cliRefused, managedPolicy, pages, policy, refused } from './helpers.js';

describe('IAM roles', () => {
  let gh: TestGatehouse;
  let iam: IAMClient;
  let trustDoc: string;
  let trustObject: unknown;
  const getRole = async (RoleName: string) => (await iam.send(new GetRoleCommand({ RoleName }))).Role!;
  const roleNames = async (PathPrefix = '/') => ((await iam.send(new ListRolesCommand({ PathPrefix, MaxItems: 1000 }))).Roles ?? []).map((r) => r.RoleName);
  const trustWith = (statement: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  const assume = { Effect: 'Allow', Action: 'sts:AssumeRole' };

  before(async () => {
    gh = await startGatehouse();
    iam = gh.iam();
    trustObject = {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Ec2', Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${gh.accountId}:root` }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } },
      ],
    };
    // Whitespace and characters that URL encoding must carry.
    trustDoc = JSON.stringify(trustObject, null, 2);
  });
  after(() => gh?.close());

  describe('CreateRole and GetRole', () => {
    it('creates a role; GetRole returns the trust policy URL-encoded, exactly as sent', async () => {
      const { Role } = await iam.send(
        new CreateRoleCommand({ RoleName: 'app', Path: '/svc/', AssumeRolePolicyDocument: trustDoc, Description: `the <app> & "friends" café`, MaxSessionDuration: 7200, Tags: [{ Key: 'env', Value: 'prod' }] }),
      );
      assert.equal(Role!.Arn, arn(gh, 'role/svc/app'));
      assert.match(Role!.RoleId!, /^AROA[A-Z2-7]{17}$/);
      assert.equal(Role!.MaxSessionDuration, 7200);
      assert.deepEqual(Role!.Tags, [{ Key: 'env', Value: 'prod' }]);

      const got = await getRole('app');
      assert.equal(got.RoleId, Role!.RoleId);
      assert.equal(got.Description, `the <app> & "friends" café`, 'XML-escaped on the wire, intact for the client');
      assert.equal(got.MaxSessionDuration, 7200);
      assert.deepEqual(got.Tags, [{ Key: 'env', Value: 'prod' }]);
      assert.match(got.AssumeRolePolicyDocument!, /^%7B/, 'URL-encoded, as AWS returns it');
      assert.equal(decodeURIComponent(got.AssumeRolePolicyDocument!), trustDoc);
    });

    it('MaxSessionDuration defaults to 3600 and accepts 3600 and 43200', async () => {
      const trust = trustWith({ ...assume, Principal: { Service: 'lambda.amazonaws.com' } });
      await iam.send(new CreateRoleCommand({ RoleName: 'default-duration', AssumeRolePolicyDocument: trust }));
      assert.equal((await getRole('default-duration')).MaxSessionDuration, 3600);
      await iam.send(new CreateRoleCommand({ RoleName: 'long', AssumeRolePolicyDocument: trust, MaxSessionDuration: 43200 }));
      assert.equal((await getRole('long')).MaxSessionDuration, 43200);
    });

    it('refuses MaxSessionDuration 3599 and 43201 (ValidationError), creating nothing', async () => {
      for (const MaxSessionDuration of [3599, 43201]) {
        await refused(
          iam.send(new CreateRoleCommand({ RoleName: `bad-${MaxSessionDuration}`, AssumeRolePolicyDocument: trustDoc, MaxSessionDuration })),
          'ValidationError',
          new RegExp(`Value '${MaxSessionDuration}' at 'maxSessionDuration' failed to satisfy constraint`),
        );
        await refused(iam.send(new GetRoleCommand({ RoleName: `bad-${MaxSessionDuration}` })), 'NoSuchEntity');
      }
    });

    it('refuses trust policies that are not trust policies (MalformedPolicyDocument), naming the problem', async () => {
      const cases: Array<[string, string, RegExp]> = [
        ['resource', trustWith({ ...assume, Principal: { Service: 'ec2.amazonaws.com' }, Resource: '*' }), /Resource/],
        ['no-principal', trustWith(assume), /Principal/],
        ['not-json', '{"Version": "2012-10-17", "Statement": [', /Syntax/i],
        ['bad-effect', trustWith({ ...assume, Effect: 'Permit', Principal: { Service: 'ec2.amazonaws.com' } }), /Effect/],
        ['duplicate', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}', /duplicate/i],
      ];
      for (const [name, doc, message] of cases) {
        await refused(iam.send(new CreateRoleCommand({ RoleName: `malformed-${name}`, AssumeRolePolicyDocument: doc })), 'MalformedPolicyDocument', message);
      }
      assert.deepEqual(
        (await roleNames()).filter((n) => n!.startsWith('malformed')),
        [],
      );
    });

    it('refuses a trust policy over 2,048 characters (LimitExceeded), whitespace not counted', async () => {
      const principals = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:iam::${gh.accountId}:user/u${String(i).padStart(4, '0')}`);
      const sized = (n: number) => trustWith({ ...assume, Principal: { AWS: principals(n) } });
      let n = 1;
      while (sized(n + 1).replace(/\s/g, '').length <= 2048) n++;
      const padded = sized(n).replace(/,/g, ',    ');
      assert.ok(padded.length > 2048);
      await iam.send(new CreateRoleCommand({ RoleName: 'big-trust', AssumeRolePolicyDocument: padded }));
      await refused(iam.send(new CreateRoleCommand({ RoleName: 'too-big-trust', AssumeRolePolicyDocument: sized(n + 1) })), 'LimitExceeded', /ACLSizePerRole: 2048/);
      await refused(iam.send(new GetRoleCommand({ RoleName: 'too-big-trust' })), 'NoSuchEntity');
    });

    it('refuses a duplicate name (case-insensitively) and an unknown role', async () => {
      const before = await getRole('app');
      await refused(iam.send(new CreateRoleCommand({ RoleName: 'APP', AssumeRolePolicyDocument: trustDoc })), 'EntityAlreadyExists', /Role with name APP already exists/);
      assert.deepEqual(await getRole('app'), before);
      await refused(iam.send(new GetRoleCommand({ RoleName: 'nothere' })), 'NoSuchEntity', /^The role with name nothere cannot be found\.$/);
    });

    it('refuses a permissions boundary that does not exist', async () => {
      await refused(
        iam.send(new CreateRoleCommand({ RoleName: 'unbounded', AssumeRolePolicyDocument: trustDoc, PermissionsBoundary: arn(gh, 'policy/missing') })),
        'NoSuchEntity',
        /does not exist or is not attachable/,
      );
      await refused(iam.send(new GetRoleCommand({ RoleName: 'unbounded' })), 'NoSuchEntity');
      const boundary = await managedPolicy(iam, 'role-boundary', policy(allow('s3:*')));
      await iam.send(new CreateRoleCommand({ RoleName: 'bounded', AssumeRolePolicyDocument: trustDoc, PermissionsBoundary: boundary }));
      assert.deepEqual((await getRole('bounded')).PermissionsBoundary, { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: boundary });
    });
  });

  describe('ListRoles', () => {
    it('filters by PathPrefix and pages with Marker/MaxItems, trust policies included', async () => {
      for (const RoleName of ['r-d', 'r-b', 'r-e', 'r-a', 'r-c']) await iam.send(new CreateRoleCommand({ RoleName, Path: '/paged/', AssumeRolePolicyDocument: trustDoc }));
      assert.deepEqual(await roleNames('/paged/'), ['r-a', 'r-b', 'r-c', 'r-d', 'r-e']);
      assert.deepEqual(await roleNames('/svc/'), ['app']);
      const result = await pages(async (Marker) => {
        const r = await iam.send(new ListRolesCommand({ PathPrefix: '/paged/', MaxItems: 2, Marker }));
        for (const role of r.Roles!) assert.equal(decodeURIComponent(role.AssumeRolePolicyDocument!), trustDoc);
        return { items: r.Roles!.map((x) => x.RoleName!), IsTruncated: r.IsTruncated, Marker: r.Marker };
      });
      assert.deepEqual(
        result.map((p) => p.items),
        [['r-a', 'r-b'], ['r-c', 'r-d'], ['r-e']],
      );
      assert.deepEqual(
        result.map((p) => p.truncated),
        [true, true, false],
      );
    });
  });

  describe('UpdateRole and UpdateAssumeRolePolicy', () => {
    it('UpdateRole changes the description and MaxSessionDuration', async () => {
      await iam.send(new UpdateRoleCommand({ RoleName: 'app', Description: 'renamed app', MaxSessionDuration: 10800 }));
      const role = await getRole('app');
      assert.equal(role.Description, 'renamed app');
      assert.equal(role.MaxSessionDuration, 10800);
      await iam.send(new UpdateRoleCommand({ RoleName: 'app', MaxSessionDuration: 3600 }));
      assert.equal((await getRole('app')).Description, 'renamed app', 'an absent member is left as it was');
    });

    it('UpdateRole refuses bad durations and unknown roles, changing nothing', async () => {
      const before = await getRole('app');
      await refused(iam.send(new UpdateRoleCommand({ RoleName: 'app', MaxSessionDuration: 43201 })), 'ValidationError', /maxSessionDuration/);
      await refused(iam.send(new UpdateRoleCommand({ RoleName: 'app', MaxSessionDuration: 3599 })), 'ValidationError', /maxSessionDuration/);
      await refused(iam.send(new UpdateRoleCommand({ RoleName: 'nothere', Description: 'x' })), 'NoSuchEntity');
      assert.deepEqual(await getRole('app'), before);
    });

    it('UpdateAssumeRolePolicy replaces the trust policy; a malformed one changes nothing', async () => {
      const next = trustWith({ ...assume, Principal: { Service: 'ecs-tasks.amazonaws.com' } });
      await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'long', PolicyDocument: next }));
      assert.equal(decodeURIComponent((await getRole('long')).AssumeRolePolicyDocument!), next);

      await refused(
        iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'long', PolicyDocument: trustWith({ ...assume, Principal: '*', Resource: '*' }) })),
        'MalformedPolicyDocument',
        /Resource/,
      );
      await refused(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'long', PolicyDocument: trustWith(assume) })), 'MalformedPolicyDocument', /Principal/);
      await refused(iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'nothere', PolicyDocument: next })), 'NoSuchEntity');
      assert.equal(decodeURIComponent((await getRole('long')).AssumeRolePolicyDocument!), next);
    });
  });

  describe('DeleteRole', () => {
    it('refuses while the role has inline or attached policies; then deletes', async () => {
      const trust = trustWith({ ...assume, Principal: { Service: 'ec2.amazonaws.com' } });
      await iam.send(new CreateRoleCommand({ RoleName: 'doomed', AssumeRolePolicyDocument: trust }));
      const id = (await getRole('doomed')).RoleId;
      const conflict = (what: RegExp) => refused(iam.send(new DeleteRoleCommand({ RoleName: 'doomed' })), 'DeleteConflict', what);

      await iam.send(new PutRolePolicyCommand({ RoleName: 'doomed', PolicyName: 'p', PolicyDocument: policy(allow('s3:GetObject')) }));
      await conflict(/^Cannot delete entity, must delete policies first\.$/);
      assert.equal((await getRole('doomed')).RoleId, id);
      await iam.send(new DeleteRolePolicyCommand({ RoleName: 'doomed', PolicyName: 'p' }));

      const policyArn = await managedPolicy(iam, 'for-doomed-role', policy(allow('s3:GetObject')));
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'doomed', PolicyArn: policyArn }));
      await conflict(/must detach all policies first/);
      assert.equal((await getRole('doomed')).RoleId, id);
      await iam.send(new DetachRolePolicyCommand({ RoleName: 'doomed', PolicyArn: policyArn }));

      await iam.send(new DeleteRoleCommand({ RoleName: 'doomed' }));
      await refused(iam.send(new GetRoleCommand({ RoleName: 'doomed' })), 'NoSuchEntity');
      await refused(iam.send(new DeleteRoleCommand({ RoleName: 'doomed' })), 'NoSuchEntity', /The role with name doomed cannot be found/);

      const again = (await iam.send(new CreateRoleCommand({ RoleName: 'doomed', AssumeRolePolicyDocument: trust }))).Role!;
      assert.notEqual(again.RoleId, id, 'a reused name gets a new id');
    });
  });

  describe('through the AWS CLI', () => {
    it('create-role, get-role (trust policy decoded), list-roles, update-role, delete-role', async () => {
      const created = cliOk(await gh.cli(['iam', 'create-role', '--role-name', 'cli-role', '--path', '/cli/', '--assume-role-policy-document', trustDoc, '--max-session-duration', '5400']));
      assert.equal(created.Role.Arn, arn(gh, 'role/cli/cli-role'));
      assert.deepEqual(created.Role.AssumeRolePolicyDocument, trustObject);

      cliOk(await gh.cli(['iam', 'update-role', '--role-name', 'cli-role', '--description', 'from the cli']));
      const [got, listed] = await Promise.all([gh.cli(['iam', 'get-role', '--role-name', 'cli-role']), gh.cli(['iam', 'list-roles', '--path-prefix', '/paged/', '--page-size', '2'])]);
      const role = cliOk(got).Role;
      assert.equal(role.RoleId, created.Role.RoleId);
      assert.equal(role.MaxSessionDuration, 5400);
      assert.equal(role.Description, 'from the cli');
      assert.deepEqual(role.AssumeRolePolicyDocument, trustObject, 'the CLI decodes the URL-encoded document');
      assert.deepEqual(
        cliOk(listed).Roles.map((r: { RoleName: string }) => r.RoleName),
        ['r-a', 'r-b', 'r-c', 'r-d', 'r-e'],
      );

      cliOk(await gh.cli(['iam', 'delete-role', '--role-name', 'cli-role']));
      await refused(iam.send(new GetRoleCommand({ RoleName: 'cli-role' })), 'NoSuchEntity');
    });

    it('errors: a Resource in a trust policy, a duplicate name, an unknown role', async () => {
      const withResource = trustWith({ ...assume, Principal: { Service: 'ec2.amazonaws.com' }, Resource: '*' });
      // (The CLI checks MaxSessionDuration itself, exit 252, so that error never reaches the server.)
      const [malformed, duplicate, missing] = await Promise.all([
        gh.cli(['iam', 'create-role', '--role-name', 'cli-bad', '--assume-role-policy-document', withResource]),
        gh.cli(['iam', 'create-role', '--role-name', 'App', '--assume-role-policy-document', trustDoc]),
        gh.cli(['iam', 'get-role', '--role-name', 'nothere']),
      ]);
      cliRefused(malformed, 'MalformedPolicyDocument', /Resource/);
      cliRefused(duplicate, 'EntityAlreadyExists', /Role with name App already exists/);
      cliRefused(missing, 'NoSuchEntity', /The role with name nothere cannot be found/);
      await refused(iam.send(new GetRoleCommand({ RoleName: 'cli-bad' })), 'NoSuchEntity');
      assert.equal((await getRole('app')).RoleName, 'app');
    });
  });
});

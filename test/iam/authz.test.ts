/**
 * Authorisation of IAM calls, live through the real server, with the SDK and
 * the AWS CLI signing as IAM users with their own keys:
 * - a new user may do nothing (AccessDenied naming the user, action and resource);
 * - inline, attached and group policies take effect on the very next request,
 *   and so does their removal or a new default version;
 * - an explicit Deny wins; a permissions boundary limits;
 * - resource ARNs with paths, `${aws:username}` in a Resource, aws:SourceIp,
 *   iam:PolicyARN;
 * - escalation (SECURITY.md D6): a non-admin attaching a policy to itself, or
 *   acting on another user's keys or password, is refused and nothing changes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreatePolicyVersionCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  SetDefaultPolicyVersionCommand,
  UpdateUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startGatehouse, type Credentials, type TestGatehouse } from '../support/gatehouse.js';
import { allow, arn, cliOk, cliRefused, deny, managedPolicy, policy, refused, userWithKey } from './helpers.js';

describe('IAM authorisation (live)', () => {
  let gh: TestGatehouse;
  let iam: IAMClient;
  let adminPolicy: string;
  const keysOf = async (UserName: string) => ((await iam.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata ?? []).map((k) => k.AccessKeyId);
  /** The AWS wording of a refusal. */
  const deniedText = (who: string, action: string, resource: string) =>
    new RegExp(`^User: ${arn(gh, `user/${who}`)} is not authorized to perform: ${action} on resource: ${resource.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} `);
  const userResource = (path: string) => arn(gh, `user${path}`);
  /** How a refusal names an existing entity: AWS's `user NAME`, from the request alone (SECURITY H4). */
  const named = (name: string) => `user ${name}`;

  before(async () => {
    gh = await startGatehouse();
    iam = gh.iam();
    for (const [UserName, Path] of [
      ['eng-a', '/eng/'],
      ['eng-b', '/eng/team/'],
      ['ops-a', '/ops/'],
      ['other', '/'],
    ] as const) {
      await iam.send(new CreateUserCommand({ UserName, Path }));
    }
    adminPolicy = await managedPolicy(iam, 'admin', policy(allow('*')));
  });
  after(() => gh?.close());

  it('a new IAM user with a key may do nothing', async () => {
    const creds = await userWithKey(iam, 'newbie');
    const client = gh.iam(creds);
    await refused(
      client.send(new GetUserCommand({ UserName: 'other' })),
      'AccessDenied',
      new RegExp(`${deniedText('newbie', 'iam:GetUser', named('other')).source}because no identity-based policy allows the iam:GetUser action$`),
    );
    await refused(client.send(new GetUserCommand({})), 'AccessDenied', deniedText('newbie', 'iam:GetUser', named('newbie')));
    await refused(client.send(new ListUsersCommand({})), 'AccessDenied', /iam:ListUsers/);
    await refused(client.send(new CreateUserCommand({ UserName: 'by-newbie' })), 'AccessDenied', deniedText('newbie', 'iam:CreateUser', userResource('/by-newbie')));
    await refused(client.send(new ListAccessKeysCommand({})), 'AccessDenied', /iam:ListAccessKeys/);
    await refused(iam.send(new GetUserCommand({ UserName: 'by-newbie' })), 'NoSuchEntity');

    const r = await gh.cli(['iam', 'get-user', '--user-name', 'other'], creds);
    cliRefused(r, 'AccessDenied', /is not authorized to perform: iam:GetUser on resource: user other /);
  });

  describe('a grant takes effect on the very next request, and so does its removal', () => {
    it('an inline policy', async () => {
      const creds = await userWithKey(iam, 'inline-grantee');
      const client = gh.iam(creds);
      const attempt = () => client.send(new GetUserCommand({ UserName: 'other' }));
      await refused(attempt(), 'AccessDenied');
      await iam.send(new PutUserPolicyCommand({ UserName: 'inline-grantee', PolicyName: 'get', PolicyDocument: policy(allow('iam:GetUser')) }));
      assert.equal((await attempt()).User!.UserName, 'other');
      await iam.send(new PutUserPolicyCommand({ UserName: 'inline-grantee', PolicyName: 'get', PolicyDocument: policy(allow('iam:ListUsers')) }));
      await refused(attempt(), 'AccessDenied');
      await client.send(new ListUsersCommand({}));
      await iam.send(new DeleteUserPolicyCommand({ UserName: 'inline-grantee', PolicyName: 'get' }));
      await refused(client.send(new ListUsersCommand({})), 'AccessDenied');
    });

    it('an attached managed policy, and a new default version of it', async () => {
      const creds = await userWithKey(iam, 'managed-grantee');
      const client = gh.iam(creds);
      const attempt = () => client.send(new GetUserCommand({ UserName: 'other' }));
      const readUsers = await managedPolicy(iam, 'read-users', policy(allow(['iam:GetUser', 'iam:ListUsers'])));
      await refused(attempt(), 'AccessDenied');
      await iam.send(new AttachUserPolicyCommand({ UserName: 'managed-grantee', PolicyArn: readUsers }));
      await attempt();
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: readUsers, PolicyDocument: policy(allow('iam:ListUsers')), SetAsDefault: true }));
      await refused(attempt(), 'AccessDenied');
      await client.send(new ListUsersCommand({}));
      await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: readUsers, VersionId: 'v1' }));
      await attempt();
      await iam.send(new DetachUserPolicyCommand({ UserName: 'managed-grantee', PolicyArn: readUsers }));
      await refused(attempt(), 'AccessDenied');
    });

    it('a group’s policy, through membership', async () => {
      const creds = await userWithKey(iam, 'group-grantee');
      const client = gh.iam(creds);
      const attempt = () => client.send(new GetUserCommand({ UserName: 'other' }));
      await iam.send(new CreateGroupCommand({ GroupName: 'readers' }));
      await iam.send(new PutGroupPolicyCommand({ GroupName: 'readers', PolicyName: 'get', PolicyDocument: policy(allow('iam:GetUser')) }));
      await refused(attempt(), 'AccessDenied');
      await iam.send(new AddUserToGroupCommand({ GroupName: 'readers', UserName: 'group-grantee' }));
      await attempt();
      await iam.send(new PutGroupPolicyCommand({ GroupName: 'readers', PolicyName: 'get', PolicyDocument: policy(deny('iam:GetUser'), allow('iam:GetUser')) }));
      await refused(attempt(), 'AccessDenied', /explicit deny/);
      await iam.send(new PutGroupPolicyCommand({ GroupName: 'readers', PolicyName: 'get', PolicyDocument: policy(allow('iam:GetUser')) }));
      await attempt();
      await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'readers', UserName: 'group-grantee' }));
      await refused(attempt(), 'AccessDenied');
    });
  });

  it('an explicit Deny wins over any Allow, and nothing is changed', async () => {
    const creds = await userWithKey(iam, 'denied', { inline: policy(allow('iam:*')) });
    await iam.send(new PutUserPolicyCommand({ UserName: 'denied', PolicyName: 'no-delete', PolicyDocument: policy(deny('iam:DeleteUser', userResource('/*'))) }));
    const client = gh.iam(creds);
    await client.send(new GetUserCommand({ UserName: 'other' }));
    await refused(
      client.send(new DeleteUserCommand({ UserName: 'other' })),
      'AccessDenied',
      new RegExp(`${deniedText('denied', 'iam:DeleteUser', named('other')).source}with an explicit deny in an identity-based policy$`),
    );
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'other' }))).User!.UserName, 'other');
    // The Deny also holds when the Allow comes from an attached policy.
    await iam.send(new AttachUserPolicyCommand({ UserName: 'denied', PolicyArn: adminPolicy }));
    await refused(client.send(new DeleteUserCommand({ UserName: 'other' })), 'AccessDenied', /explicit deny/);
    await iam.send(new DetachUserPolicyCommand({ UserName: 'denied', PolicyArn: adminPolicy }));
  });

  it('a permissions boundary limits what the identity policies allow', async () => {
    const boundary = await managedPolicy(iam, 'read-only-boundary', policy(allow(['iam:Get*', 'iam:List*'])));
    const creds = await userWithKey(iam, 'bounded', { inline: policy(allow('iam:*')) });
    const client = gh.iam(creds);
    await client.send(new CreateUserCommand({ UserName: 'before-boundary' }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: boundary }));

    await client.send(new GetUserCommand({ UserName: 'other' }));
    await refused(
      client.send(new CreateUserCommand({ UserName: 'after-boundary' })),
      'AccessDenied',
      new RegExp(`${deniedText('bounded', 'iam:CreateUser', userResource('/after-boundary')).source}because no permissions boundary allows the iam:CreateUser action$`),
    );
    // The boundary cannot be removed from inside it (no escalation).
    await refused(client.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'bounded' })), 'AccessDenied', /because no permissions boundary allows the iam:DeleteUserPermissionsBoundary action$/);
    await refused(iam.send(new GetUserCommand({ UserName: 'after-boundary' })), 'NoSuchEntity');
    assert.equal((await iam.send(new GetUserCommand({ UserName: 'bounded' }))).User!.PermissionsBoundary?.PermissionsBoundaryArn, boundary);

    // Allowed by the boundary but by no identity policy: still refused.
    await iam.send(new PutUserPolicyCommand({ UserName: 'bounded', PolicyName: 'base', PolicyDocument: policy(allow('iam:CreateUser')) }));
    await refused(client.send(new GetUserCommand({ UserName: 'other' })), 'AccessDenied', /no identity-based policy allows/);

    await iam.send(new PutUserPolicyCommand({ UserName: 'bounded', PolicyName: 'base', PolicyDocument: policy(allow('iam:*')) }));
    await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'bounded' }));
    await client.send(new CreateUserCommand({ UserName: 'after-boundary' }));
  });

  it('iam:PermissionsBoundary: a delegated admin may create users only with the required boundary', async () => {
    const boundary = await managedPolicy(iam, 'delegated-boundary', policy(allow('iam:Get*')));
    const creds = await userWithKey(iam, 'delegate', {
      inline: policy(allow('iam:CreateUser', userResource('/delegated/*'), { Condition: { StringEquals: { 'iam:PermissionsBoundary': boundary } } })),
    });
    const client = gh.iam(creds);
    await refused(client.send(new CreateUserCommand({ UserName: 'free', Path: '/delegated/' })), 'AccessDenied', /iam:CreateUser/);
    await refused(client.send(new CreateUserCommand({ UserName: 'free', Path: '/delegated/', PermissionsBoundary: adminPolicy })), 'AccessDenied', /iam:CreateUser/);
    await refused(iam.send(new GetUserCommand({ UserName: 'free' })), 'NoSuchEntity');
    const { User } = await client.send(new CreateUserCommand({ UserName: 'fenced', Path: '/delegated/', PermissionsBoundary: boundary }));
    assert.equal(User!.PermissionsBoundary?.PermissionsBoundaryArn, boundary);
  });

  it('resource ARNs with paths: iam:GetUser on user/eng/* reaches /eng/ users only', async () => {
    const creds = await userWithKey(iam, 'pathy', { inline: policy(allow('iam:GetUser', userResource('/eng/*'))) });
    const client = gh.iam(creds);
    assert.equal((await client.send(new GetUserCommand({ UserName: 'eng-a' }))).User!.Arn, userResource('/eng/eng-a'));
    assert.equal((await client.send(new GetUserCommand({ UserName: 'eng-b' }))).User!.Arn, userResource('/eng/team/eng-b'));
    await refused(client.send(new GetUserCommand({ UserName: 'ops-a' })), 'AccessDenied', deniedText('pathy', 'iam:GetUser', named('ops-a')));
    await refused(client.send(new GetUserCommand({ UserName: 'other' })), 'AccessDenied', deniedText('pathy', 'iam:GetUser', named('other')));
    // A user moved out of the path is out of reach on the next request.
    await iam.send(new UpdateUserCommand({ UserName: 'eng-b', NewPath: '/ops/' }));
    await refused(client.send(new GetUserCommand({ UserName: 'eng-b' })), 'AccessDenied', deniedText('pathy', 'iam:GetUser', named('eng-b')));
    await iam.send(new UpdateUserCommand({ UserName: 'eng-b', NewPath: '/eng/team/' }));

    const [ok, no] = await Promise.all([gh.cli(['iam', 'get-user', '--user-name', 'eng-a'], creds), gh.cli(['iam', 'get-user', '--user-name', 'ops-a'], creds)]);
    assert.equal(cliOk(ok).User.Arn, userResource('/eng/eng-a'));
    cliRefused(no, 'AccessDenied', /on resource: user ops-a because/);
  });

  it('${aws:username} in a Resource: a user manages only their own access keys', async () => {
    const selfService = policy(allow(['iam:CreateAccessKey', 'iam:ListAccessKeys', 'iam:DeleteAccessKey'], `arn:aws:iam::${gh.accountId}:user/\${aws:username}`));
    const creds = await userWithKey(iam, 'selfserve', { inline: selfService });
    const client = gh.iam(creds);
    const otherKey = (await iam.send(new CreateAccessKeyCommand({ UserName: 'other' }))).AccessKey!.AccessKeyId!;

    assert.deepEqual(
      ((await client.send(new ListAccessKeysCommand({}))).AccessKeyMetadata ?? []).map((k) => k.AccessKeyId),
      [creds.accessKeyId],
    );
    const second = (await client.send(new CreateAccessKeyCommand({}))).AccessKey!;
    assert.equal(second.UserName, 'selfserve');
    await client.send(new DeleteAccessKeyCommand({ UserName: 'selfserve', AccessKeyId: second.AccessKeyId }));

    await refused(client.send(new ListAccessKeysCommand({ UserName: 'other' })), 'AccessDenied', deniedText('selfserve', 'iam:ListAccessKeys', named('other')));
    await refused(client.send(new CreateAccessKeyCommand({ UserName: 'other' })), 'AccessDenied', deniedText('selfserve', 'iam:CreateAccessKey', named('other')));
    await refused(client.send(new DeleteAccessKeyCommand({ UserName: 'other', AccessKeyId: otherKey })), 'AccessDenied', /iam:DeleteAccessKey/);
    assert.deepEqual(await keysOf('other'), [otherKey]);
    assert.deepEqual(await keysOf('selfserve'), [creds.accessKeyId]);

    cliRefused(await gh.cli(['iam', 'create-access-key', '--user-name', 'other'], creds), 'AccessDenied', /iam:CreateAccessKey/);
    assert.deepEqual(await keysOf('other'), [otherKey]);
    await iam.send(new DeleteAccessKeyCommand({ UserName: 'other', AccessKeyId: otherKey }));
  });

  it('aws:SourceIp: IpAddress 127.0.0.0/8 allows from loopback; NotIpAddress denies from elsewhere', async () => {
    const creds = await userWithKey(iam, 'ipbound');
    const client = gh.iam(creds);
    const put = (...statements: Array<Record<string, unknown>>) => iam.send(new PutUserPolicyCommand({ UserName: 'ipbound', PolicyName: 'ip', PolicyDocument: policy(...statements) }));
    const attempt = () => client.send(new ListUsersCommand({}));
    const from = (operator: string, cidr: string) => ({ Condition: { [operator]: { 'aws:SourceIp': cidr } } });

    await put(allow('iam:ListUsers', '*', from('IpAddress', '127.0.0.0/8')));
    await attempt();
    await put(allow('iam:ListUsers', '*', from('IpAddress', '10.0.0.0/8')));
    await refused(attempt(), 'AccessDenied', /no identity-based policy allows/);
    await put(allow('iam:ListUsers'), deny('*', '*', from('NotIpAddress', '127.0.0.0/8')));
    await attempt();
    await put(allow('iam:ListUsers'), deny('*', '*', from('NotIpAddress', ['10.0.0.0/8', '192.168.0.0/16'] as unknown as string)));
    await refused(attempt(), 'AccessDenied', /explicit deny/);
  });

  describe('escalation (D6): a non-admin cannot raise its own privileges or reach other users', () => {
    let creds: Credentials;
    let client: IAMClient;
    let allowedPolicy: string;

    before(async () => {
      allowedPolicy = await managedPolicy(iam, 'harmless', policy(allow('iam:ListUsers')));
      await iam.send(new CreateGroupCommand({ GroupName: 'admins' }));
      creds = await userWithKey(iam, 'junior', {
        inline: policy(
          allow(['iam:Get*', 'iam:List*']),
          // Self-service on its own user only, and attaching only the harmless policy.
          allow(['iam:CreateAccessKey', 'iam:DeleteAccessKey'], `arn:aws:iam::${gh.accountId}:user/\${aws:username}`),
          allow('iam:AttachUserPolicy', `arn:aws:iam::${gh.accountId}:user/\${aws:username}`, { Condition: { ArnEquals: { 'iam:PolicyARN': allowedPolicy } } }),
        ),
      });
      client = gh.iam(creds);
    });

    it('attaching a powerful policy to itself is refused; only the permitted one attaches', async () => {
      await refused(client.send(new AttachUserPolicyCommand({ UserName: 'junior', PolicyArn: adminPolicy })), 'AccessDenied', deniedText('junior', 'iam:AttachUserPolicy', named('junior')));
      assert.deepEqual((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'junior' }))).AttachedPolicies, []);
      await client.send(new AttachUserPolicyCommand({ UserName: 'junior', PolicyArn: allowedPolicy }));
      assert.deepEqual((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'junior' }))).AttachedPolicies, [{ PolicyName: 'harmless', PolicyArn: allowedPolicy }]);
      await refused(client.send(new AttachUserPolicyCommand({ UserName: 'other', PolicyArn: allowedPolicy })), 'AccessDenied');
      assert.deepEqual((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'other' }))).AttachedPolicies, []);
    });

    it('writing its own inline policy, joining a group or renaming itself is refused', async () => {
      await refused(client.send(new PutUserPolicyCommand({ UserName: 'junior', PolicyName: 'pwn', PolicyDocument: policy(allow('*')) })), 'AccessDenied', /iam:PutUserPolicy/);
      await refused(client.send(new AddUserToGroupCommand({ GroupName: 'admins', UserName: 'junior' })), 'AccessDenied', /iam:AddUserToGroup on resource: group admins /);
      await refused(client.send(new UpdateUserCommand({ UserName: 'junior', NewUserName: 'senior' })), 'AccessDenied', /iam:UpdateUser/);
      assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'junior' }))).PolicyNames, ['base']);
      assert.deepEqual((await iam.send(new ListGroupsForUserCommand({ UserName: 'junior' }))).Groups, []);
      assert.equal((await iam.send(new GetUserCommand({ UserName: 'junior' }))).User!.UserName, 'junior');
    });

    it('creating keys for another user is refused and creates none', async () => {
      await refused(client.send(new CreateAccessKeyCommand({ UserName: 'eng-a' })), 'AccessDenied', deniedText('junior', 'iam:CreateAccessKey', named('eng-a')));
      assert.deepEqual(await keysOf('eng-a'), []);
    });

    it('putting a login profile on another user is refused and sets none', async () => {
      await refused(client.send(new CreateLoginProfileCommand({ UserName: 'eng-a', Password: 'Taken-Over-123!' })), 'AccessDenied', deniedText('junior', 'iam:CreateLoginProfile', named('eng-a')));
      await refused(iam.send(new GetLoginProfileCommand({ UserName: 'eng-a' })), 'NoSuchEntity');
      const r = await gh.cli(['iam', 'create-login-profile', '--user-name', 'eng-a', '--password', 'Taken-Over-123!'], creds);
      cliRefused(r, 'AccessDenied', /iam:CreateLoginProfile/);
      await refused(iam.send(new GetLoginProfileCommand({ UserName: 'eng-a' })), 'NoSuchEntity');
    });
  });
});

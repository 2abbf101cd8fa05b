/**
 * Inline policies of users, groups and roles end to end, through the SDK and
 * the AWS CLI: put, get (URL-encoded as from AWS; the CLI decodes it), list,
 * replace and delete; AWS's aggregate size limits per owner (user 2,048, group
 * 5,120, role 10,240 characters, whitespace not counted); malformed documents
 * with a message naming the problem. Every refusal leaves the store unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CreateGroupCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteGroupPolicyCommand,
  DeleteRolePolicyCommand,
  DeleteUserPolicyCommand,
  GetGroupPolicyCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListGroupPoliciesCommand,
  ListRolePoliciesCommand,
  ListUserPoliciesCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { allow, cliOk, cliRefused, deny, documentOfSize, policy, refused, trust } from './helpers.js';

/** The three owner kinds, with their commands, so every rule is checked for each. */
interface Kind {
  kind: 'user' | 'group' | 'role';
  quota: number;
  owner: string;
  create(iam: IAMClient, name: string): Promise<unknown>;
  put(iam: IAMClient, owner: string, PolicyName: string, PolicyDocument: string): Promise<unknown>;
  get(iam: IAMClient, owner: string, PolicyName: string): Promise<{ PolicyName?: string; PolicyDocument?: string; owner?: string }>;
  list(iam: IAMClient, owner: string, MaxItems?: number, Marker?: string): Promise<{ PolicyNames?: string[]; IsTruncated?: boolean; Marker?: string }>;
  del(iam: IAMClient, owner: string, PolicyName: string): Promise<unknown>;
}

const KINDS: Kind[] = [
  {
    kind: 'user',
    quota: 2048,
    owner: 'inline-user',
    create: (iam, UserName) => iam.send(new CreateUserCommand({ UserName })),
    put: (iam, UserName, PolicyName, PolicyDocument) => iam.send(new PutUserPolicyCommand({ UserName, PolicyName, PolicyDocument })),
    get: async (iam, UserName, PolicyName) => {
      const r = await iam.send(new GetUserPolicyCommand({ UserName, PolicyName }));
      return { ...r, owner: r.UserName };
    },
    list: (iam, UserName, MaxItems, Marker) => iam.send(new ListUserPoliciesCommand({ UserName, MaxItems, Marker })),
    del: (iam, UserName, PolicyName) => iam.send(new DeleteUserPolicyCommand({ UserName, PolicyName })),
  },
  {
    kind: 'group',
    quota: 5120,
    owner: 'inline-group',
    create: (iam, GroupName) => iam.send(new CreateGroupCommand({ GroupName })),
    put: (iam, GroupName, PolicyName, PolicyDocument) => iam.send(new PutGroupPolicyCommand({ GroupName, PolicyName, PolicyDocument })),
    get: async (iam, GroupName, PolicyName) => {
      const r = await iam.send(new GetGroupPolicyCommand({ GroupName, PolicyName }));
      return { ...r, owner: r.GroupName };
    },
    list: (iam, GroupName, MaxItems, Marker) => iam.send(new ListGroupPoliciesCommand({ GroupName, MaxItems, Marker })),
    del: (iam, GroupName, PolicyName) => iam.send(new DeleteGroupPolicyCommand({ GroupName, PolicyName })),
  },
  {
    kind: 'role',
    quota: 10240,
    owner: 'inline-role',
    create: (iam, RoleName) => iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust('123456789012') })),
    put: (iam, RoleName, PolicyName, PolicyDocument) => iam.send(new PutRolePolicyCommand({ RoleName, PolicyName, PolicyDocument })),
    get: async (iam, RoleName, PolicyName) => {
      const r = await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }));
      return { ...r, owner: r.RoleName };
    },
    list: (iam, RoleName, MaxItems, Marker) => iam.send(new ListRolePoliciesCommand({ RoleName, MaxItems, Marker })),
    del: (iam, RoleName, PolicyName) => iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName })),
  },
];

const MALFORMED: Array<[string, string, RegExp]> = [
  ['duplicate keys', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Action":"s3:PutObject","Resource":"*"}}', /duplicate key "Action"/i],
  ['a bad Effect', policy({ Effect: 'allow', Action: 's3:GetObject', Resource: '*' }), /Effect must be "Allow" or "Deny"/],
  ['a Principal', policy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: '*' }), /Principal/],
  ['an unknown condition operator', policy(allow('s3:GetObject', '*', { Condition: { StringEqualz: { 'aws:username': 'a' } } })), /StringEqualz/],
  ['no Resource', policy({ Effect: 'Allow', Action: 's3:GetObject' }), /Resource/],
  ['no Action', policy({ Effect: 'Allow', Resource: '*' }), /Action/],
  ['bad JSON', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",}]}', /Syntax/i],
  ['a bad Version', JSON.stringify({ Version: '2020-01-01', Statement: [allow('s3:GetObject')] }), /Version/],
];

describe('inline policies', () => {
  let gh: TestGatehouse;
  let iam: IAMClient;

  before(async () => {
    gh = await startGatehouse();
    iam = gh.iam();
    for (const k of KINDS) await k.create(iam, k.owner);
  });
  after(() => gh?.close());

  for (const k of KINDS) {
    describe(`of a ${k.kind}`, () => {
      const names = async () => (await k.list(iam, k.owner, 1000)).PolicyNames ?? [];

      it('Put, Get (URL-encoded, as sent), List, replace, Delete', async () => {
        const doc = JSON.stringify({ Version: '2012-10-17', Statement: [allow(['s3:GetObject', 's3:ListBucket'], 'arn:aws:s3:::my-bucket/*', { Sid: 'Read' })] }, null, 2);
        await k.put(iam, k.owner, 'read', doc);
        const got = await k.get(iam, k.owner, 'read');
        assert.equal(got.owner, k.owner);
        assert.equal(got.PolicyName, 'read');
        assert.match(got.PolicyDocument!, /^%7B/);
        assert.equal(decodeURIComponent(got.PolicyDocument!), doc);
        assert.deepEqual(await names(), ['read']);

        const replacement = policy(deny('s3:DeleteObject'));
        await k.put(iam, k.owner, 'read', replacement);
        assert.equal(decodeURIComponent((await k.get(iam, k.owner, 'read')).PolicyDocument!), replacement);
        assert.deepEqual(await names(), ['read']);

        await k.del(iam, k.owner, 'read');
        assert.deepEqual(await names(), []);
        await refused(k.get(iam, k.owner, 'read'), 'NoSuchEntity', new RegExp(`^The ${k.kind} policy with name read cannot be found\\.$`));
        await refused(k.del(iam, k.owner, 'read'), 'NoSuchEntity', /read cannot be found/);
      });

      it('List pages with Marker/MaxItems', async () => {
        for (const name of ['pc', 'pa', 'pb']) await k.put(iam, k.owner, name, policy(allow('s3:GetObject')));
        const first = await k.list(iam, k.owner, 2);
        assert.deepEqual(first.PolicyNames, ['pa', 'pb']);
        assert.equal(first.IsTruncated, true);
        const second = await k.list(iam, k.owner, 2, first.Marker);
        assert.deepEqual(second.PolicyNames, ['pc']);
        assert.equal(second.IsTruncated, false);
        for (const name of ['pa', 'pb', 'pc']) await k.del(iam, k.owner, name);
      });

      it(`accepts ${k.quota} characters however much whitespace pads them; ${k.quota + 1} is LimitExceeded`, async () => {
        const full = documentOfSize(k.quota, k.quota + 500);
        assert.ok(full.length > k.quota + 500);
        await k.put(iam, k.owner, 'full', full);
        // Replacing a policy counts its new size only, not the old one too.
        await k.put(iam, k.owner, 'full', documentOfSize(k.quota));
        assert.deepEqual(await names(), ['full']);
        await k.del(iam, k.owner, 'full');

        await refused(
          k.put(iam, k.owner, 'over', documentOfSize(k.quota + 1)),
          'LimitExceeded',
          new RegExp(`^Maximum policy size of ${k.quota} bytes exceeded for ${k.kind} ${k.owner}$`),
        );
        assert.deepEqual(await names(), []);
      });

      it('the limit is for all of the owner’s inline policies together', async () => {
        await k.put(iam, k.owner, 'first', documentOfSize(k.quota - 200));
        await refused(k.put(iam, k.owner, 'second', documentOfSize(201)), 'LimitExceeded', /Maximum policy size/);
        assert.deepEqual(await names(), ['first']);
        await k.put(iam, k.owner, 'second', documentOfSize(200));
        assert.deepEqual(await names(), ['first', 'second']);
        for (const name of ['first', 'second']) await k.del(iam, k.owner, name);
      });

      it('names are case-insensitive: a put under another case replaces the policy and counts once', async () => {
        await k.put(iam, k.owner, 'Big', documentOfSize(k.quota - 100));
        await k.put(iam, k.owner, 'big', documentOfSize(k.quota - 100));
        assert.deepEqual(await names(), ['big']);
        assert.equal(decodeURIComponent((await k.get(iam, k.owner, 'BIG')).PolicyDocument!), documentOfSize(k.quota - 100));
        await k.del(iam, k.owner, 'BIG');
        assert.deepEqual(await names(), []);
      });

      it('refuses malformed documents with a message naming the problem, storing nothing', async () => {
        for (const [what, doc, message] of MALFORMED) {
          const msg = await refused(k.put(iam, k.owner, 'bad', doc), 'MalformedPolicyDocument', message);
          assert.ok(msg.length > 0, what);
        }
        assert.deepEqual(await names(), []);
      });

      it('refuses an unknown owner (NoSuchEntity) and a bad policy name (ValidationError)', async () => {
        await refused(k.put(iam, 'nobody', 'p', policy(allow('s3:GetObject'))), 'NoSuchEntity', /nobody cannot be found/);
        await refused(k.list(iam, 'nobody'), 'NoSuchEntity');
        await refused(k.get(iam, 'nobody', 'p'), 'NoSuchEntity');
        await refused(k.del(iam, 'nobody', 'p'), 'NoSuchEntity');
        await refused(k.put(iam, k.owner, 'bad name', policy(allow('s3:GetObject'))), 'ValidationError', /policyName/);
        assert.deepEqual(await names(), []);
      });
    });
  }

  describe('through the AWS CLI', () => {
    const object = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }] };

    it('put-*-policy, get-*-policy (decoded), list-*-policies, delete-*-policy', async () => {
      const doc = JSON.stringify(object);
      await Promise.all([
        gh.cli(['iam', 'put-user-policy', '--user-name', 'inline-user', '--policy-name', 'cli', '--policy-document', doc]).then(cliOk),
        gh.cli(['iam', 'put-group-policy', '--group-name', 'inline-group', '--policy-name', 'cli', '--policy-document', doc]).then(cliOk),
        gh.cli(['iam', 'put-role-policy', '--role-name', 'inline-role', '--policy-name', 'cli', '--policy-document', doc]).then(cliOk),
      ]);
      const [user, group, role] = await Promise.all([
        gh.cli(['iam', 'get-user-policy', '--user-name', 'inline-user', '--policy-name', 'cli']),
        gh.cli(['iam', 'list-group-policies', '--group-name', 'inline-group']),
        gh.cli(['iam', 'get-role-policy', '--role-name', 'inline-role', '--policy-name', 'cli']),
      ]);
      assert.deepEqual(cliOk(user), { UserName: 'inline-user', PolicyName: 'cli', PolicyDocument: object });
      assert.deepEqual(cliOk(group).PolicyNames, ['cli']);
      assert.deepEqual(cliOk(role).PolicyDocument, object);

      await Promise.all([
        gh.cli(['iam', 'delete-user-policy', '--user-name', 'inline-user', '--policy-name', 'cli']).then(cliOk),
        gh.cli(['iam', 'delete-group-policy', '--group-name', 'inline-group', '--policy-name', 'cli']).then(cliOk),
        gh.cli(['iam', 'delete-role-policy', '--role-name', 'inline-role', '--policy-name', 'cli']).then(cliOk),
      ]);
      for (const k of KINDS) assert.deepEqual((await k.list(iam, k.owner)).PolicyNames, []);
    });

    it('errors: a malformed document, an oversized one, a missing policy', async () => {
      const [malformed, oversized, missing] = await Promise.all([
        gh.cli(['iam', 'put-user-policy', '--user-name', 'inline-user', '--policy-name', 'bad', '--policy-document', MALFORMED[0]![1]]),
        gh.cli(['iam', 'put-user-policy', '--user-name', 'inline-user', '--policy-name', 'big', '--policy-document', documentOfSize(2049)]),
        gh.cli(['iam', 'get-role-policy', '--role-name', 'inline-role', '--policy-name', 'nothere']),
      ]);
      cliRefused(malformed, 'MalformedPolicyDocument', /duplicate key/i);
      cliRefused(oversized, 'LimitExceeded', /Maximum policy size of 2048 bytes exceeded for user inline-user/);
      cliRefused(missing, 'NoSuchEntity', /The role policy with name nothere cannot be found/);
      assert.deepEqual((await iam.send(new ListUserPoliciesCommand({ UserName: 'inline-user' }))).PolicyNames, []);
    });
  });
});

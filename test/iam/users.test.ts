/**
 * IAM users end to end, through the SDK and the AWS CLI: create (path, tags,
 * permissions boundary), get (by name, as the caller, as the root), list with
 * paths and pagination, rename and move (the id is kept; clashes and missing
 * permission on the new ARN are refused), delete and its conflicts, tags,
 * permissions boundaries, and name reuse. Every refusal leaves the store unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddUserToGroupCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  DeleteUserPolicyCommand,
  DetachUserPolicyCommand,
  GetUserCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateUserCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { allow, arn, attachToUser, cliOk, cliRefused, managedPolicy, pages, policy, refused, userWithKey } from './helpers.js';

describe('IAM users', () => {
  let gh: TestGatehouse;
  let iam: IAMClient;
  let boundaryArn: string;
  const getUser = async (UserName: string) => (await iam.send(new GetUserCommand({ UserName }))).User!;
  const allNames = async (PathPrefix = '/') => ((await iam.send(new ListUsersCommand({ PathPrefix, MaxItems: 1000 }))).Users ?? []).map((u) => u.UserName);

  before(async () => {
    gh = await startGatehouse();
    iam = gh.iam();
    boundaryArn = await managedPolicy(iam, 'boundary', policy(allow(['iam:Get*', 'iam:List*'])));
  });
  after(() => gh?.close());

  describe('CreateUser and GetUser', () => {
    it('creates a user with a path, tags and a permissions boundary, and GetUser returns them', async () => {
      const { User } = await iam.send(
        new CreateUserCommand({ UserName: 'alice', Path: '/eng/', Tags: [{ Key: 'team', Value: 'core' }], PermissionsBoundary: boundaryArn }),
      );
      assert.equal(User!.UserName, 'alice');
      assert.equal(User!.Path, '/eng/');
      assert.equal(User!.Arn, arn(gh, 'user/eng/alice'));
      assert.match(User!.UserId!, /^AIDA[A-Z2-7]{17}$/);
      assert.ok(User!.CreateDate instanceof Date && Math.abs(User!.CreateDate.getTime() - Date.now()) < 60_000);
      assert.deepEqual(User!.Tags, [{ Key: 'team', Value: 'core' }]);
      assert.deepEqual(User!.PermissionsBoundary, { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: boundaryArn });

      const got = await getUser('alice');
      assert.equal(got.UserId, User!.UserId);
      assert.equal(got.Arn, User!.Arn);
      assert.deepEqual(got.Tags, [{ Key: 'team', Value: 'core' }]);
      assert.equal(got.PermissionsBoundary?.PermissionsBoundaryArn, boundaryArn);
    });

    it('GetUser without a name describes the calling user, and the root as the account', async () => {
      const creds = await userWithKey(iam, 'selfie', { Path: '/me/', inline: policy(allow('iam:GetUser', arn(gh, 'user/me/selfie'))) });
      const self = (await gh.iam(creds).send(new GetUserCommand({}))).User!;
      assert.equal(self.UserName, 'selfie');
      assert.equal(self.Arn, arn(gh, 'user/me/selfie'));

      const root = (await iam.send(new GetUserCommand({}))).User!;
      assert.equal(root.Arn, arn(gh, 'root'));
      assert.equal(root.UserId, gh.accountId);
      assert.equal(root.UserName, undefined);
      assert.ok(root.CreateDate instanceof Date);
    });

    it('refuses a duplicate name, case-insensitively, and keeps the original', async () => {
      const before = await getUser('alice');
      for (const UserName of ['alice', 'ALICE', 'Alice']) {
        await refused(iam.send(new CreateUserCommand({ UserName, Path: '/other/' })), 'EntityAlreadyExists', /User with name \w+ already exists/);
      }
      const after = await getUser('alice');
      assert.equal(after.UserId, before.UserId);
      assert.equal(after.Path, '/eng/');
      assert.deepEqual(await allNames('/other/'), []);
    });

    it('refuses a name or path that breaks AWS constraints (ValidationError), creating nothing', async () => {
      await refused(iam.send(new CreateUserCommand({ UserName: 'bad name!' })), 'ValidationError', /at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
      await refused(iam.send(new CreateUserCommand({ UserName: 'x'.repeat(65) })), 'ValidationError', /Member must have length less than or equal to 64/);
      await refused(iam.send(new CreateUserCommand({ UserName: 'nopath', Path: 'eng' })), 'ValidationError', /at 'path'/);
      const tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      await refused(iam.send(new CreateUserCommand({ UserName: 'toomanytags', Tags: tags })), 'ValidationError', /at 'tags'/);
      await refused(iam.send(new GetUserCommand({ UserName: 'nopath' })), 'NoSuchEntity');
      await refused(iam.send(new GetUserCommand({ UserName: 'toomanytags' })), 'NoSuchEntity');
    });

    it('refuses a permissions boundary that does not exist, creating nothing', async () => {
      await refused(
        iam.send(new CreateUserCommand({ UserName: 'unbounded', PermissionsBoundary: arn(gh, 'policy/missing') })),
        'NoSuchEntity',
        /policy\/missing does not exist or is not attachable/,
      );
      await refused(iam.send(new GetUserCommand({ UserName: 'unbounded' })), 'NoSuchEntity');
    });

    it('GetUser of an unknown name is NoSuchEntity with AWS wording', async () => {
      await refused(iam.send(new GetUserCommand({ UserName: 'nobody' })), 'NoSuchEntity', /^The user with name nobody cannot be found\.$/);
    });
  });

  describe('ListUsers', () => {
    const paged = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'];

    before(async () => {
      for (const UserName of [...paged].reverse()) await iam.send(new CreateUserCommand({ UserName, Path: '/paged/' }));
      await iam.send(new CreateUserCommand({ UserName: 'p8', Path: '/pagedother/' }));
    });

    it('filters by PathPrefix', async () => {
      assert.deepEqual(await allNames('/paged/'), paged);
      assert.deepEqual(await allNames('/paged'), [...paged, 'p8']);
      assert.deepEqual(await allNames('/nothing/'), []);
      const everyone = await allNames();
      for (const n of ['alice', 'selfie', ...paged, 'p8']) assert.ok(everyone.includes(n), n);
    });

    it('pages with Marker and MaxItems across several pages, in name order, IsTruncated on all but the last', async () => {
      const result = await pages(async (Marker) => {
        const r = await iam.send(new ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 3, Marker }));
        return { items: r.Users!.map((u) => u.UserName!), IsTruncated: r.IsTruncated, Marker: r.Marker };
      });
      assert.deepEqual(
        result.map((p) => p.items),
        [['p1', 'p2', 'p3'], ['p4', 'p5', 'p6'], ['p7']],
      );
      assert.deepEqual(
        result.map((p) => p.truncated),
        [true, true, false],
      );
    });

    it('an exact final page is not truncated', async () => {
      const r = await iam.send(new ListUsersCommand({ PathPrefix: '/paged/', MaxItems: 7 }));
      assert.equal(r.Users!.length, 7);
      assert.equal(r.IsTruncated, false);
      assert.equal(r.Marker, undefined);
    });

    it('refuses MaxItems outside 1–1000 (ValidationError)', async () => {
      await refused(iam.send(new ListUsersCommand({ MaxItems: 0 })), 'ValidationError', /maxItems/);
      await refused(iam.send(new ListUsersCommand({ MaxItems: 1001 })), 'ValidationError', /maxItems/);
    });

    it('the CLI follows the markers itself and lists every page', async () => {
      const [all, first] = await Promise.all([
        gh.cli(['iam', 'list-users', '--path-prefix', '/paged/', '--page-size', '2']),
        gh.cli(['iam', 'list-users', '--path-prefix', '/paged/', '--max-items', '4']),
      ]);
      assert.deepEqual(
        cliOk(all).Users.map((u: { UserName: string }) => u.UserName),
        paged,
      );
      const page = cliOk(first);
      assert.deepEqual(
        page.Users.map((u: { UserName: string }) => u.UserName),
        paged.slice(0, 4),
      );
      assert.ok(page.NextToken, 'the CLI offers a NextToken');
    });
  });

  describe('UpdateUser', () => {
    it('renames and moves a user, keeping its UserId', async () => {
      const { User } = await iam.send(new CreateUserCommand({ UserName: 'bob', Path: '/ops/' }));
      await iam.send(new UpdateUserCommand({ UserName: 'bob', NewUserName: 'robert', NewPath: '/eng/' }));
      const robert = await getUser('robert');
      assert.equal(robert.UserId, User!.UserId);
      assert.equal(robert.Arn, arn(gh, 'user/eng/robert'));
      await refused(iam.send(new GetUserCommand({ UserName: 'bob' })), 'NoSuchEntity');

      await iam.send(new UpdateUserCommand({ UserName: 'robert', NewPath: '/' }));
      assert.equal((await getUser('robert')).Arn, arn(gh, 'user/robert'));
      assert.equal((await getUser('robert')).UserId, User!.UserId);
    });

    it('refuses a rename onto an existing name, case-insensitively, changing neither user', async () => {
      const robert = await getUser('robert');
      const alice = await getUser('alice');
      for (const NewUserName of ['alice', 'ALICE']) {
        await refused(iam.send(new UpdateUserCommand({ UserName: 'robert', NewUserName })), 'EntityAlreadyExists', /already exists/);
      }
      assert.deepEqual(await getUser('robert'), robert);
      assert.deepEqual(await getUser('alice'), alice);
    });

    it('refuses to update an unknown user (NoSuchEntity)', async () => {
      await refused(iam.send(new UpdateUserCommand({ UserName: 'ghost', NewUserName: 'spirit' })), 'NoSuchEntity', /ghost/);
      await refused(iam.send(new GetUserCommand({ UserName: 'spirit' })), 'NoSuchEntity');
    });

    it('a rename needs permission on the new ARN as well as the old', async () => {
      const creds = await userWithKey(iam, 'renamer', { inline: policy(allow(['iam:UpdateUser', 'iam:GetUser'], arn(gh, 'user/team/*'))) });
      const client = gh.iam(creds);
      await iam.send(new CreateUserCommand({ UserName: 'movable', Path: '/team/' }));
      const id = (await getUser('movable')).UserId;

      // To a path the caller may not touch: refused, naming the new ARN, and nothing changes.
      await refused(
        client.send(new UpdateUserCommand({ UserName: 'movable', NewPath: '/admins/' })),
        'AccessDenied',
        new RegExp(`User: ${arn(gh, 'user/renamer')} is not authorized to perform: iam:UpdateUser on resource: ${arn(gh, 'user/admins/movable')}`),
      );
      assert.equal((await getUser('movable')).Arn, arn(gh, 'user/team/movable'));

      // Within the allowed path: fine.
      await client.send(new UpdateUserCommand({ UserName: 'movable', NewUserName: 'moved' }));
      const moved = await getUser('moved');
      assert.equal(moved.Arn, arn(gh, 'user/team/moved'));
      assert.equal(moved.UserId, id);
    });
  });

  describe('DeleteUser', () => {
    it('refuses while the user has keys, inline or attached policies, groups or a login profile; then deletes', async () => {
      await iam.send(new CreateUserCommand({ UserName: 'carol' }));
      const id = (await getUser('carol')).UserId;
      const stillThere = async () => assert.equal((await getUser('carol')).UserId, id);
      const conflict = (what: RegExp) => refused(iam.send(new DeleteUserCommand({ UserName: 'carol' })), 'DeleteConflict', what);

      const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'carol' }));
      await conflict(/^Cannot delete entity, must delete access keys first\.$/);
      await stillThere();
      await iam.send(new DeleteAccessKeyCommand({ UserName: 'carol', AccessKeyId: AccessKey!.AccessKeyId }));

      await iam.send(new PutUserPolicyCommand({ UserName: 'carol', PolicyName: 'p', PolicyDocument: policy(allow('iam:GetUser')) }));
      await conflict(/must delete policies first/);
      await stillThere();
      await iam.send(new DeleteUserPolicyCommand({ UserName: 'carol', PolicyName: 'p' }));

      await attachToUser(iam, 'carol', boundaryArn);
      await conflict(/must detach all policies first/);
      await stillThere();
      await iam.send(new DetachUserPolicyCommand({ UserName: 'carol', PolicyArn: boundaryArn }));

      await iam.send(new CreateGroupCommand({ GroupName: 'carols' }));
      await iam.send(new AddUserToGroupCommand({ GroupName: 'carols', UserName: 'carol' }));
      await conflict(/must remove user from all groups first/);
      await stillThere();
      await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'carols', UserName: 'carol' }));

      await iam.send(new CreateLoginProfileCommand({ UserName: 'carol', Password: 'Correct-Horse-9-battery' }));
      await conflict(/must delete login profile first/);
      await stillThere();
      await iam.send(new DeleteLoginProfileCommand({ UserName: 'carol' }));

      await iam.send(new DeleteUserCommand({ UserName: 'carol' }));
      await refused(iam.send(new GetUserCommand({ UserName: 'carol' })), 'NoSuchEntity');
      await refused(iam.send(new DeleteUserCommand({ UserName: 'carol' })), 'NoSuchEntity', /The user with name carol cannot be found/);
    });

    it('a deleted name can be reused by a new user with a new id', async () => {
      const first = (await iam.send(new CreateUserCommand({ UserName: 'reuse' }))).User!;
      await iam.send(new DeleteUserCommand({ UserName: 'reuse' }));
      const second = (await iam.send(new CreateUserCommand({ UserName: 'Reuse' }))).User!;
      assert.notEqual(second.UserId, first.UserId);
      assert.equal((await getUser('reuse')).UserId, second.UserId);
      assert.equal((await getUser('reuse')).UserName, 'Reuse');
    });
  });

  describe('tags', () => {
    it('TagUser adds and overwrites, ListUserTags lists, UntagUser removes', async () => {
      await iam.send(new CreateUserCommand({ UserName: 'tagged', Tags: [{ Key: 'a', Value: '1' }] }));
      await iam.send(new TagUserCommand({ UserName: 'tagged', Tags: [{ Key: 'b', Value: '2' }, { Key: 'a', Value: 'one' }] }));
      const listed = await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }));
      assert.deepEqual(
        [...listed.Tags!].sort((x, y) => x.Key!.localeCompare(y.Key!)),
        [
          { Key: 'a', Value: 'one' },
          { Key: 'b', Value: '2' },
        ],
      );
      assert.equal(listed.IsTruncated, false);
      await iam.send(new UntagUserCommand({ UserName: 'tagged', TagKeys: ['a', 'not-there'] }));
      assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }))).Tags, [{ Key: 'b', Value: '2' }]);
      assert.deepEqual((await getUser('tagged')).Tags, [{ Key: 'b', Value: '2' }]);
    });

    it('refuses tags on an unknown user and more than 50 tags, changing nothing', async () => {
      await refused(iam.send(new TagUserCommand({ UserName: 'ghost', Tags: [{ Key: 'a', Value: 'b' }] })), 'NoSuchEntity');
      await refused(iam.send(new ListUserTagsCommand({ UserName: 'ghost' })), 'NoSuchEntity');
      await refused(iam.send(new UntagUserCommand({ UserName: 'ghost', TagKeys: ['a'] })), 'NoSuchEntity');
      const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      await refused(iam.send(new TagUserCommand({ UserName: 'tagged', Tags: fifty })), 'ValidationError');
      assert.deepEqual((await iam.send(new ListUserTagsCommand({ UserName: 'tagged' }))).Tags, [{ Key: 'b', Value: '2' }]);
    });
  });

  describe('permissions boundary', () => {
    it('PutUserPermissionsBoundary sets it, DeleteUserPermissionsBoundary clears it', async () => {
      await iam.send(new CreateUserCommand({ UserName: 'bounded' }));
      assert.equal((await getUser('bounded')).PermissionsBoundary, undefined);
      await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: boundaryArn }));
      assert.deepEqual((await getUser('bounded')).PermissionsBoundary, { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: boundaryArn });
      await iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'bounded' }));
      assert.equal((await getUser('bounded')).PermissionsBoundary, undefined);
    });

    it('refuses a missing policy or user, leaving the boundary as it was', async () => {
      await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary: boundaryArn }));
      for (const PermissionsBoundary of [arn(gh, 'policy/missing'), arn(gh, 'policy/wrongpath/boundary')]) {
        await refused(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'bounded', PermissionsBoundary })), 'NoSuchEntity', /does not exist or is not attachable/);
      }
      assert.equal((await getUser('bounded')).PermissionsBoundary?.PermissionsBoundaryArn, boundaryArn);
      await refused(iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'ghost', PermissionsBoundary: boundaryArn })), 'NoSuchEntity');
      await refused(iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: 'ghost' })), 'NoSuchEntity');
    });
  });

  describe('through the AWS CLI', () => {
    it('create-user (with tags), get-user, list-users, update-user, delete-user', async () => {
      const created = cliOk(await gh.cli(['iam', 'create-user', '--user-name', 'cli-dave', '--path', '/cli/', '--tags', 'Key=k,Value=v']));
      assert.equal(created.User.Arn, arn(gh, 'user/cli/cli-dave'));
      assert.deepEqual(created.User.Tags, [{ Key: 'k', Value: 'v' }]);

      const [got, listed, root] = await Promise.all([
        gh.cli(['iam', 'get-user', '--user-name', 'cli-dave']),
        gh.cli(['iam', 'list-users', '--path-prefix', '/cli/']),
        gh.cli(['iam', 'get-user']),
      ]);
      assert.equal(cliOk(got).User.UserId, created.User.UserId);
      assert.deepEqual(
        cliOk(listed).Users.map((u: { UserName: string }) => u.UserName),
        ['cli-dave'],
      );
      assert.equal(cliOk(root).User.Arn, arn(gh, 'root'));

      cliOk(await gh.cli(['iam', 'update-user', '--user-name', 'cli-dave', '--new-user-name', 'cli-david']));
      assert.equal((await getUser('cli-david')).UserId, created.User.UserId);
      cliOk(await gh.cli(['iam', 'delete-user', '--user-name', 'cli-david']));
      await refused(iam.send(new GetUserCommand({ UserName: 'cli-david' })), 'NoSuchEntity');
    });

    it('errors: unknown user, duplicate, delete conflict', async () => {
      const [missing, dup, conflict] = await Promise.all([
        gh.cli(['iam', 'get-user', '--user-name', 'nobody']),
        gh.cli(['iam', 'create-user', '--user-name', 'ALICE']),
        gh.cli(['iam', 'delete-user', '--user-name', 'selfie']),
      ]);
      cliRefused(missing, 'NoSuchEntity', /The user with name nobody cannot be found/);
      cliRefused(dup, 'EntityAlreadyExists');
      cliRefused(conflict, 'DeleteConflict', /must delete access keys first/);
      assert.equal((await getUser('selfie')).Path, '/me/');
      assert.equal((await getUser('alice')).Path, '/eng/');
    });
  });
});

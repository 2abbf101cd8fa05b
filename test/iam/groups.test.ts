/**
 * IAM groups end to end, through the SDK and the AWS CLI: create, get with its
 * members (paginated), list, rename and move, membership (idempotent add, the
 * 10-group quota, removal), the groups of a user, and delete with its conflicts.
 * Every refusal leaves the store unchanged.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteGroupPolicyCommand,
  DetachGroupPolicyCommand,
  GetGroupCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  PutGroupPolicyCommand,
  RemoveUserFromGroupCommand,
  UpdateGroupCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { startGatehouse, type TestGatehouse } from '../support/gatehouse.js';
import { allow, arn, cliOk, cliRefused, managedPolicy, pages, policy, refused, userWithKey } from './helpers.js';

describe('IAM groups', () => {
  let gh: TestGatehouse;
  let iam: IAMClient;
  const getGroup = async (GroupName: string) => iam.send(new GetGroupCommand({ GroupName, MaxItems: 1000 }));
  const members = async (GroupName: string) => ((await getGroup(GroupName)).Users ?? []).map((u) => u.UserName);
  const groupsOf = async (UserName: string) => ((await iam.send(new ListGroupsForUserCommand({ UserName }))).Groups ?? []).map((g) => g.GroupName);
  const groupNames = async (PathPrefix = '/') => ((await iam.send(new ListGroupsCommand({ PathPrefix, MaxItems: 1000 }))).Groups ?? []).map((g) => g.GroupName);

  before(async () => {
    gh = await startGatehouse();
    iam = gh.iam();
    for (const UserName of ['u1', 'u2', 'u3', 'u4', 'u5']) await iam.send(new CreateUserCommand({ UserName, Path: '/members/' }));
  });
  after(() => gh?.close());

  describe('CreateGroup, GetGroup, ListGroups', () => {
    it('creates a group with a path; GetGroup returns it with no members', async () => {
      const { Group } = await iam.send(new CreateGroupCommand({ GroupName: 'devs', Path: '/eng/' }));
      assert.equal(Group!.GroupName, 'devs');
      assert.equal(Group!.Path, '/eng/');
      assert.equal(Group!.Arn, arn(gh, 'group/eng/devs'));
      assert.match(Group!.GroupId!, /^AGPA[A-Z2-7]{17}$/);
      const got = await getGroup('devs');
      assert.deepEqual(got.Group, Group);
      assert.deepEqual(got.Users, []);
      assert.equal(got.IsTruncated, false);
    });

    it('refuses a duplicate name (case-insensitively), a bad name, an unknown group', async () => {
      for (const GroupName of ['devs', 'DEVS']) {
        await refused(iam.send(new CreateGroupCommand({ GroupName, Path: '/dup/' })), 'EntityAlreadyExists', /Group with name \w+ already exists/);
      }
      await refused(iam.send(new CreateGroupCommand({ GroupName: 'no spaces' })), 'ValidationError', /groupName/);
      await refused(iam.send(new GetGroupCommand({ GroupName: 'nothere' })), 'NoSuchEntity', /^The group with name nothere cannot be found\.$/);
      assert.deepEqual(await groupNames('/dup/'), []);
      assert.equal((await getGroup('devs')).Group!.Path, '/eng/');
    });

    it('ListGroups filters by PathPrefix and pages with Marker/MaxItems', async () => {
      for (const GroupName of ['g-c', 'g-a', 'g-e', 'g-b', 'g-d']) await iam.send(new CreateGroupCommand({ GroupName, Path: '/paged/' }));
      assert.deepEqual(await groupNames('/paged/'), ['g-a', 'g-b', 'g-c', 'g-d', 'g-e']);
      assert.deepEqual(await groupNames('/eng/'), ['devs']);
      const result = await pages(async (Marker) => {
        const r = await iam.send(new ListGroupsCommand({ PathPrefix: '/paged/', MaxItems: 2, Marker }));
        return { items: r.Groups!.map((g) => g.GroupName!), IsTruncated: r.IsTruncated, Marker: r.Marker };
      });
      assert.deepEqual(
        result.map((p) => p.items),
        [['g-a', 'g-b'], ['g-c', 'g-d'], ['g-e']],
      );
      assert.deepEqual(
        result.map((p) => p.truncated),
        [true, true, false],
      );
    });
  });

  describe('membership', () => {
    it('AddUserToGroup is idempotent; GetGroup pages through the members', async () => {
      for (const UserName of ['u5', 'u3', 'u1', 'u4', 'u2']) await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName }));
      await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'u1' }));
      await iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'u1' }));
      assert.deepEqual(await members('devs'), ['u1', 'u2', 'u3', 'u4', 'u5']);
      assert.deepEqual(await groupsOf('u1'), ['devs']);

      const result = await pages(async (Marker) => {
        const r = await iam.send(new GetGroupCommand({ GroupName: 'devs', MaxItems: 2, Marker }));
        assert.equal(r.Group!.GroupName, 'devs');
        return { items: r.Users!.map((u) => u.UserName!), IsTruncated: r.IsTruncated, Marker: r.Marker };
      });
      assert.deepEqual(
        result.map((p) => p.items),
        [['u1', 'u2'], ['u3', 'u4'], ['u5']],
      );
      assert.equal((await getGroup('devs')).Users![0]!.Arn, arn(gh, 'user/members/u1'));
    });

    it('ListGroupsForUser lists a user’s groups in name order, paginated', async () => {
      for (const GroupName of ['g-b', 'g-a']) await iam.send(new AddUserToGroupCommand({ GroupName, UserName: 'u2' }));
      assert.deepEqual(await groupsOf('u2'), ['devs', 'g-a', 'g-b']);
      const first = await iam.send(new ListGroupsForUserCommand({ UserName: 'u2', MaxItems: 2 }));
      assert.deepEqual(
        first.Groups!.map((g) => g.GroupName),
        ['devs', 'g-a'],
      );
      assert.equal(first.IsTruncated, true);
      const second = await iam.send(new ListGroupsForUserCommand({ UserName: 'u2', MaxItems: 2, Marker: first.Marker }));
      assert.deepEqual(
        second.Groups!.map((g) => g.GroupName),
        ['g-b'],
      );
      assert.equal(second.IsTruncated, false);
      await refused(iam.send(new ListGroupsForUserCommand({ UserName: 'ghost' })), 'NoSuchEntity');
    });

    it('an 11th group is LimitExceeded and the user stays in 10', async () => {
      await iam.send(new CreateUserCommand({ UserName: 'joiner' }));
      const names = Array.from({ length: 11 }, (_, i) => `club${String(i).padStart(2, '0')}`);
      for (const GroupName of names) await iam.send(new CreateGroupCommand({ GroupName, Path: '/clubs/' }));
      for (const GroupName of names.slice(0, 10)) await iam.send(new AddUserToGroupCommand({ GroupName, UserName: 'joiner' }));
      await iam.send(new AddUserToGroupCommand({ GroupName: names[0], UserName: 'joiner' })); // already a member: fine
      await refused(iam.send(new AddUserToGroupCommand({ GroupName: names[10], UserName: 'joiner' })), 'LimitExceeded', /Cannot exceed quota for GroupsPerUser: 10/);
      assert.deepEqual(await groupsOf('joiner'), names.slice(0, 10));
      assert.deepEqual(await members(names[10]!), []);
    });

    it('refuses adding an unknown user or to an unknown group', async () => {
      await refused(iam.send(new AddUserToGroupCommand({ GroupName: 'devs', UserName: 'ghost' })), 'NoSuchEntity', /ghost/);
      await refused(iam.send(new AddUserToGroupCommand({ GroupName: 'ghosts', UserName: 'u1' })), 'NoSuchEntity', /ghosts/);
      assert.deepEqual(await groupsOf('u1'), ['devs']);
    });

    it('RemoveUserFromGroup removes; a non-member is NoSuchEntity', async () => {
      await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'devs', UserName: 'u5' }));
      assert.deepEqual(await members('devs'), ['u1', 'u2', 'u3', 'u4']);
      assert.deepEqual(await groupsOf('u5'), []);
      await refused(iam.send(new RemoveUserFromGroupCommand({ GroupName: 'devs', UserName: 'u5' })), 'NoSuchEntity');
      await refused(iam.send(new RemoveUserFromGroupCommand({ GroupName: 'ghosts', UserName: 'u1' })), 'NoSuchEntity');
      await refused(iam.send(new RemoveUserFromGroupCommand({ GroupName: 'devs', UserName: 'ghost' })), 'NoSuchEntity');
      assert.deepEqual(await members('devs'), ['u1', 'u2', 'u3', 'u4']);
    });
  });

  describe('UpdateGroup', () => {
    it('renames and moves a group, keeping its id and members', async () => {
      const before = await getGroup('devs');
      await iam.send(new UpdateGroupCommand({ GroupName: 'devs', NewGroupName: 'developers', NewPath: '/rd/' }));
      const after = await getGroup('developers');
      assert.equal(after.Group!.GroupId, before.Group!.GroupId);
      assert.equal(after.Group!.Arn, arn(gh, 'group/rd/developers'));
      assert.deepEqual(
        after.Users!.map((u) => u.UserName),
        ['u1', 'u2', 'u3', 'u4'],
      );
      await refused(iam.send(new GetGroupCommand({ GroupName: 'devs' })), 'NoSuchEntity');
      assert.deepEqual(await groupsOf('u1'), ['developers']);
    });

    it('refuses a rename onto an existing name or of an unknown group, changing nothing', async () => {
      const before = (await getGroup('developers')).Group;
      await refused(iam.send(new UpdateGroupCommand({ GroupName: 'developers', NewGroupName: 'G-A' })), 'EntityAlreadyExists', /already exists/);
      await refused(iam.send(new UpdateGroupCommand({ GroupName: 'ghosts', NewGroupName: 'spirits' })), 'NoSuchEntity');
      assert.deepEqual((await getGroup('developers')).Group, before);
      assert.equal((await getGroup('g-a')).Group!.GroupName, 'g-a');
      await refused(iam.send(new GetGroupCommand({ GroupName: 'spirits' })), 'NoSuchEntity');
    });
  });

  describe('UpdateGroup authorisation', () => {
    it('a rename or move needs permission on the new ARN as well as the old', async () => {
      const creds = await userWithKey(iam, 'group-renamer', { inline: policy(allow('iam:UpdateGroup', arn(gh, 'group/paged/*'))) });
      const client = gh.iam(creds);
      await refused(
        client.send(new UpdateGroupCommand({ GroupName: 'g-e', NewPath: '/admins/' })),
        'AccessDenied',
        new RegExp(`is not authorized to perform: iam:UpdateGroup on resource: ${arn(gh, 'group/admins/g-e')}`),
      );
      assert.equal((await getGroup('g-e')).Group!.Arn, arn(gh, 'group/paged/g-e'));
      await client.send(new UpdateGroupCommand({ GroupName: 'g-e', NewGroupName: 'g-f' }));
      assert.equal((await getGroup('g-f')).Group!.Arn, arn(gh, 'group/paged/g-f'));
      await client.send(new UpdateGroupCommand({ GroupName: 'g-f', NewGroupName: 'g-e' }));
    });
  });

  describe('DeleteGroup', () => {
    it('refuses while the group has members, inline or attached policies; then deletes', async () => {
      await iam.send(new CreateGroupCommand({ GroupName: 'doomed' }));
      await iam.send(new AddUserToGroupCommand({ GroupName: 'doomed', UserName: 'u3' }));
      const conflict = (what: RegExp) => refused(iam.send(new DeleteGroupCommand({ GroupName: 'doomed' })), 'DeleteConflict', what);

      await conflict(/^Cannot delete entity, must remove users from group first\.$/);
      assert.deepEqual(await members('doomed'), ['u3']);
      await iam.send(new RemoveUserFromGroupCommand({ GroupName: 'doomed', UserName: 'u3' }));

      await iam.send(new PutGroupPolicyCommand({ GroupName: 'doomed', PolicyName: 'p', PolicyDocument: policy(allow('iam:ListUsers')) }));
      await conflict(/must delete policies first/);
      await iam.send(new DeleteGroupPolicyCommand({ GroupName: 'doomed', PolicyName: 'p' }));

      const policyArn = await managedPolicy(iam, 'for-doomed', policy(allow('iam:ListUsers')));
      await iam.send(new AttachGroupPolicyCommand({ GroupName: 'doomed', PolicyArn: policyArn }));
      await conflict(/must detach all policies first/);
      assert.ok((await groupNames()).includes('doomed'));
      await iam.send(new DetachGroupPolicyCommand({ GroupName: 'doomed', PolicyArn: policyArn }));

      await iam.send(new DeleteGroupCommand({ GroupName: 'doomed' }));
      await refused(iam.send(new GetGroupCommand({ GroupName: 'doomed' })), 'NoSuchEntity');
      await refused(iam.send(new DeleteGroupCommand({ GroupName: 'doomed' })), 'NoSuchEntity', /The group with name doomed cannot be found/);
      assert.deepEqual(await groupsOf('u3'), ['developers']);
    });
  });

  describe('through the AWS CLI', () => {
    it('create-group, add-user-to-group, get-group, list-groups, list-groups-for-user, remove, delete', async () => {
      const created = cliOk(await gh.cli(['iam', 'create-group', '--group-name', 'cli-team', '--path', '/cli/']));
      assert.equal(created.Group.Arn, arn(gh, 'group/cli/cli-team'));
      cliOk(await gh.cli(['iam', 'add-user-to-group', '--group-name', 'cli-team', '--user-name', 'u4']));
      const [got, listed, forUser] = await Promise.all([
        gh.cli(['iam', 'get-group', '--group-name', 'cli-team']),
        gh.cli(['iam', 'list-groups', '--path-prefix', '/paged/', '--page-size', '2']),
        gh.cli(['iam', 'list-groups-for-user', '--user-name', 'u4']),
      ]);
      assert.deepEqual(
        cliOk(got).Users.map((u: { UserName: string }) => u.UserName),
        ['u4'],
      );
      assert.equal(cliOk(got).Group.GroupId, created.Group.GroupId);
      assert.deepEqual(
        cliOk(listed).Groups.map((g: { GroupName: string }) => g.GroupName),
        ['g-a', 'g-b', 'g-c', 'g-d', 'g-e'],
      );
      assert.deepEqual(
        cliOk(forUser).Groups.map((g: { GroupName: string }) => g.GroupName),
        ['cli-team', 'developers'],
      );

      cliRefused(await gh.cli(['iam', 'delete-group', '--group-name', 'cli-team']), 'DeleteConflict', /must remove users from group first/);
      assert.deepEqual(await members('cli-team'), ['u4']);
      cliOk(await gh.cli(['iam', 'remove-user-from-group', '--group-name', 'cli-team', '--user-name', 'u4']));
      cliOk(await gh.cli(['iam', 'delete-group', '--group-name', 'cli-team']));
      await refused(iam.send(new GetGroupCommand({ GroupName: 'cli-team' })), 'NoSuchEntity');
    });

    it('errors: unknown group, removing a non-member', async () => {
      const [missing, notMember] = await Promise.all([
        gh.cli(['iam', 'get-group', '--group-name', 'nothere']),
        gh.cli(['iam', 'remove-user-from-group', '--group-name', 'g-e', '--user-name', 'u1']),
      ]);
      cliRefused(missing, 'NoSuchEntity', /The group with name nothere cannot be found/);
      cliRefused(notMember, 'NoSuchEntity');
    });
  });
});

/**
 * Groups: CreateGroup, GetGroup (with its users), ListGroups, UpdateGroup,
 * DeleteGroup, AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser.
 * - A user belongs to at most 10 groups (GroupsPerUserQuota).
 * - DeleteGroup refuses while the group has members or policies.
 */
import { NoSuchEntity } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { groupArn, QUOTAS } from '../arns.js';
import { authorize, type ResourceRef } from '../authorize.js';
import { checkQuota, conflict, creating, findGroup, findUser, pageOutput, pageRequest } from './common.js';
import { groupShape, userShape } from './shapes.js';
import type { Operation, IamActionTable } from './types.js';
import { userResource } from './users.js';

/** The named group's real ARN (its path when it exists), shown in a refusal as AWS does: `group NAME`, from the request alone. */
export async function groupResource(op: Operation, name: string): Promise<ResourceRef> {
  const group = await op.deps.store.groups.get(op.caller.accountId, name);
  return { arn: groupArn(op.caller.accountId, group?.path ?? '/', group?.name ?? name), shown: `group ${name}` };
}

export const groupActions = {
  CreateGroup: {
    resource: (i, op) => groupArn(op.caller.accountId, i.Path ?? '/', i.GroupName),
    async run(input, op) {
      const name = input.GroupName;
      checkQuota('GroupsPerAccount', (await op.deps.store.groups.count(op.caller.accountId)) + 1, QUOTAS.GroupsQuota);
      const group = { id: newId('group'), accountId: op.caller.accountId, name, path: input.Path ?? '/', createdAt: op.facts.now };
      await creating(`Group with name ${name} already exists.`, () => op.deps.store.groups.create(group));
      return { Group: groupShape(group) };
    },
  },

  GetGroup: {
    resource: (i, op) => groupResource(op, i.GroupName),
    async run(input, op) {
      const group = await findGroup(op, input.GroupName);
      const page = await op.deps.store.groups.members(group.id, { ...pageRequest(input), pathPrefix: '/' });
      return { Group: groupShape(group), ...pageOutput(page, 'Users', (u) => userShape(u)) };
    },
  },

  ListGroups: {
    resource: (i, op) => groupArn(op.caller.accountId, i.PathPrefix ?? '/', '*'),
    async run(input, op) {
      return pageOutput(await op.deps.store.groups.list(op.caller.accountId, pageRequest(input)), 'Groups', groupShape);
    },
  },

  UpdateGroup: {
    resource: (i, op) => groupResource(op, i.GroupName),
    async run(input, op) {
      const group = await findGroup(op, input.GroupName);
      const newName = input.NewGroupName;
      const newPath = input.NewPath;
      if (newName !== undefined || newPath !== undefined) {
        await authorize(op, 'iam:UpdateGroup', groupArn(group.accountId, newPath ?? group.path, newName ?? group.name));
      }
      await creating(`Group with name ${newName} already exists.`, () =>
        op.deps.store.groups.update(group.id, { ...(newName !== undefined && { name: newName }), ...(newPath !== undefined && { path: newPath }) }),
      );
      return undefined;
    },
  },

  DeleteGroup: {
    resource: (i, op) => groupResource(op, i.GroupName),
    async run(input, op) {
      await op.deps.store.transaction(async (tx) => {
        const group = await tx.groups.get(op.caller.accountId, input.GroupName);
        if (!group) throw new NoSuchEntity(`The group with name ${input.GroupName} cannot be found.`);
        if ((await tx.groups.countMembers(group.id)) > 0) conflict('remove users from group');
        if ((await tx.inlinePolicies.count('group', group.id)) > 0) conflict('delete policies');
        if ((await tx.managedPolicies.countAttached('group', group.id)) > 0) conflict('detach all policies');
        await tx.groups.delete(group.id);
      });
      return undefined;
    },
  },

  AddUserToGroup: {
    resource: (i, op) => groupResource(op, i.GroupName),
    async run(input, op) {
      const group = await findGroup(op, input.GroupName);
      const user = await findUser(op, input.UserName);
      await op.deps.store.transaction(async (tx) => {
        const groups = await tx.groups.allGroupsOf(user.id);
        if (groups.some((g) => g.id === group.id)) return;
        checkQuota('GroupsPerUser', groups.length + 1, QUOTAS.GroupsPerUserQuota);
        await tx.groups.addMember(group.id, user.id);
      });
      return undefined;
    },
  },

  RemoveUserFromGroup: {
    resource: (i, op) => groupResource(op, i.GroupName),
    async run(input, op) {
      const group = await findGroup(op, input.GroupName);
      const user = await findUser(op, input.UserName);
      if (!(await op.deps.store.groups.removeMember(group.id, user.id))) {
        throw new NoSuchEntity(`User ${user.name} is not in group ${group.name}.`);
      }
      return undefined;
    },
  },

  ListGroupsForUser: {
    resource: (i, op) => userResource(op, i.UserName),
    async run(input, op) {
      const user = await findUser(op, input.UserName);
      return pageOutput(await op.deps.store.groups.groupsOf(user.id, { ...pageRequest(input), pathPrefix: '/' }), 'Groups', groupShape);
    },
  },
} satisfies IamActionTable;

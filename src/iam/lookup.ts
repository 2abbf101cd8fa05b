/**
 * Finding an account's users, groups and roles by name, with AWS's NoSuchEntity messages:
 * domain lookups the IAM actions and STS (AssumeRole) share.
 * - Names are matched case-insensitively (the store's rule).
 * - The calling user is not read again: it was read at this request's revision.
 * - A missing entity is NoSuchEntity; a store fault is thrown as it is (an outage, not a refusal).
 */
import { NoSuchEntity } from '../shared/errors.js';
import type { GroupRecord, RoleRecord, UserRecord } from '../store/types.js';
import type { Operation } from './actions/types.js';

export async function findUser(op: Operation, name: string): Promise<UserRecord> {
  const self = op.caller.type === 'User' && op.caller.user?.name.toLowerCase() === name.toLowerCase() ? op.caller.user : undefined;
  const user = self ?? (await op.deps.store.users.get(op.caller.accountId, name));
  if (!user) throw new NoSuchEntity(`The user with name ${name} cannot be found.`);
  return user;
}

export async function findGroup(op: Operation, name: string): Promise<GroupRecord> {
  const group = await op.deps.store.groups.get(op.caller.accountId, name);
  if (!group) throw new NoSuchEntity(`The group with name ${name} cannot be found.`);
  return group;
}

export async function findRole(op: Operation, name: string): Promise<RoleRecord> {
  const role = await op.deps.store.roles.get(op.caller.accountId, name);
  if (!role) throw new NoSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

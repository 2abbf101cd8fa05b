/**
 * The three kinds of policy owner (users, groups, roles) described once, so the
 * inline-policy and attachment actions are written once for all three.
 */
import type { OwnerKind } from '../../store/types.js';
import { QUOTAS } from '../arns.js';
import type { ResourceRef } from '../authorize.js';
import { findGroup, findRole, findUser } from './common.js';
import { groupResource } from './groups.js';
import { roleResource } from './roles.js';
import type { Input, Operation } from './types.js';
import { userResource } from './users.js';

export interface OwnerSpec {
  kind: OwnerKind;
  /** `User`, `Group`, `Role`: the action name infix. */
  noun: 'User' | 'Group' | 'Role';
  /** The input member naming the owner: `UserName`, … */
  param: string;
  inlineQuota: number;
  /** The owner's real ARN, and its name as sent for a refusal's wording. */
  resource(op: Operation, name: string): Promise<ResourceRef>;
  find(op: Operation, name: string): Promise<{ id: string; name: string }>;
}

export const OWNERS: readonly OwnerSpec[] = [
  { kind: 'user', noun: 'User', param: 'UserName', inlineQuota: QUOTAS.UserPolicySizeQuota, resource: userResource, find: findUser },
  { kind: 'group', noun: 'Group', param: 'GroupName', inlineQuota: QUOTAS.GroupPolicySizeQuota, resource: groupResource, find: findGroup },
  { kind: 'role', noun: 'Role', param: 'RoleName', inlineQuota: QUOTAS.RolePolicySizeQuota, resource: roleResource, find: findRole },
];

/** The owner's name from the input member the kind uses (UserName, GroupName, RoleName: required strings in AWS's model). */
export const ownerName = (spec: OwnerSpec, input: Input): string => {
  const name = input[spec.param];
  return typeof name === 'string' ? name : '';
};

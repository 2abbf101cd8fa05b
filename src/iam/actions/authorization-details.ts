/**
 * GetAccountAuthorizationDetails: every user, group, role and managed policy of the account
 * with their relationships, in one (paged) answer.
 * - Filter: any of User, Group, Role, LocalManagedPolicy, AWSManagedPolicy (default: all).
 * - AWS managed policies are those attached in the account (or used as a boundary), with
 *   their default version; customer managed policies come with every version.
 * - Documents are URL-encoded, as everywhere in IAM. Items page by MaxItems/Marker in the
 *   order users, groups, roles, policies.
 */
import type { IamInputs } from '../../api/types/iam.js';
import type { GroupRecord, ManagedPolicyRecord, OwnerKind, RoleRecord, UserRecord } from '../../store/types.js';
import { groupArn, policyArn, roleArn, userArn } from '../arns.js';
import { awsManagedPolicies, type AwsManagedPolicy } from '../managed/catalogue.js';
import { allAttached } from './attachments.js';
import { awsPolicyShape } from './aws-policies.js';
import { encodeDocument } from './common.js';
import { offsetPage } from './entities.js';
import { profilesOfRole } from './instance-profiles.js';
import { roleLastUsed } from './roles-extra.js';
import { policyShape } from './shapes.js';
import type { Operation, IamActionTable } from './types.js';

type Item =
  | { kind: 'user'; record: UserRecord }
  | { kind: 'group'; record: GroupRecord }
  | { kind: 'role'; record: RoleRecord }
  | { kind: 'local'; record: ManagedPolicyRecord }
  | { kind: 'aws'; record: AwsManagedPolicy };

const tags = (list: Array<{ key: string; value: string }>) => (list.length > 0 ? list.map((t) => ({ Key: t.key, Value: t.value })) : undefined);
const boundary = (arn: string | null) => (arn ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn } : undefined);

/** Every row of a paged store list. */
async function all<T>(fetch: (after: string | undefined) => Promise<{ items: T[]; marker?: string }>): Promise<T[]> {
  const out: T[] = [];
  let after: string | undefined;
  do {
    const page = await fetch(after);
    out.push(...page.items);
    after = page.marker;
  } while (after !== undefined);
  return out;
}

async function inline(op: Operation, kind: OwnerKind, id: string) {
  return (await op.deps.store.inlinePolicies.all(kind, id)).map((p) => ({ PolicyName: p.name, PolicyDocument: encodeDocument(p.document) }));
}

async function attached(op: Operation, kind: OwnerKind, id: string) {
  return (await allAttached(op, kind, id)).map((p) => ({ PolicyName: p.name, PolicyArn: p.arn }));
}

async function items(input: IamInputs['GetAccountAuthorizationDetails'], op: Operation): Promise<Item[]> {
  const filter = new Set(input.Filter ?? ['User', 'Group', 'Role', 'LocalManagedPolicy', 'AWSManagedPolicy']);
  const { store } = op.deps;
  const id = op.caller.accountId;
  const out: Item[] = [];
  if (filter.has('User')) out.push(...(await all((after) => store.users.list(id, { limit: 1000, ...(after && { after }) }))).map((record) => ({ kind: 'user' as const, record })));
  if (filter.has('Group')) out.push(...(await all((after) => store.groups.list(id, { limit: 1000, ...(after && { after }) }))).map((record) => ({ kind: 'group' as const, record })));
  if (filter.has('Role')) out.push(...(await all((after) => store.roles.list(id, { limit: 1000, ...(after && { after }) }))).map((record) => ({ kind: 'role' as const, record })));
  if (filter.has('LocalManagedPolicy')) {
    out.push(...(await all((after) => store.managedPolicies.list(id, { limit: 1000, ...(after && { after }) }))).map((record) => ({ kind: 'local' as const, record })));
  }
  if (filter.has('AWSManagedPolicy')) {
    const counts = await store.awsPolicyAttachments.counts(id);
    const bounds = await store.managedPolicies.boundaryUsage(id, awsManagedPolicies().map((p) => p.arn));
    for (const p of awsManagedPolicies()) if ((counts.get(p.arn) ?? 0) > 0 || (bounds.get(p.arn) ?? 0) > 0) out.push({ kind: 'aws', record: p });
  }
  return out;
}

async function userDetail(op: Operation, u: UserRecord) {
  const groups = await op.deps.store.groups.allGroupsOf(u.id);
  return {
    Path: u.path, UserName: u.name, UserId: u.id, Arn: userArn(u.accountId, u.path, u.name), CreateDate: u.createdAt,
    UserPolicyList: await inline(op, 'user', u.id), GroupList: groups.map((g) => g.name), AttachedManagedPolicies: await attached(op, 'user', u.id),
    PermissionsBoundary: boundary(u.permissionsBoundary), Tags: tags(u.tags),
  };
}

async function groupDetail(op: Operation, g: GroupRecord) {
  return {
    Path: g.path, GroupName: g.name, GroupId: g.id, Arn: groupArn(g.accountId, g.path, g.name), CreateDate: g.createdAt,
    GroupPolicyList: await inline(op, 'group', g.id), AttachedManagedPolicies: await attached(op, 'group', g.id),
  };
}

async function roleDetail(op: Operation, r: RoleRecord) {
  return {
    Path: r.path, RoleName: r.name, RoleId: r.id, Arn: roleArn(r.accountId, r.path, r.name), CreateDate: r.createdAt,
    AssumeRolePolicyDocument: encodeDocument(r.assumeRolePolicy), InstanceProfileList: await profilesOfRole(op, r),
    RolePolicyList: await inline(op, 'role', r.id), AttachedManagedPolicies: await attached(op, 'role', r.id),
    PermissionsBoundary: boundary(r.permissionsBoundary), Tags: tags(r.tags), RoleLastUsed: await roleLastUsed(op, r),
  };
}

async function localPolicyDetail(op: Operation, p: ManagedPolicyRecord) {
  const arn = policyArn(p.accountId, p.path, p.name);
  const usage = await op.deps.store.managedPolicies.boundaryUsage(p.accountId, [arn]);
  const { Tags: _tags, ...shape } = policyShape(p, usage.get(arn));
  const versions = await op.deps.store.managedPolicies.listVersions(p.id);
  return {
    ...shape,
    PolicyVersionList: versions.map((v) => ({ Document: encodeDocument(v.document), VersionId: v.versionId, IsDefaultVersion: v.versionId === p.defaultVersionId, CreateDate: v.createdAt })),
  };
}

async function awsPolicyDetail(op: Operation, p: AwsManagedPolicy) {
  const [counts, bounds] = await Promise.all([op.deps.store.awsPolicyAttachments.counts(op.caller.accountId), op.deps.store.managedPolicies.boundaryUsage(op.caller.accountId, [p.arn])]);
  return {
    ...awsPolicyShape(p, counts.get(p.arn) ?? 0, bounds.get(p.arn) ?? 0),
    PolicyVersionList: [{ Document: encodeDocument(p.document), VersionId: p.defaultVersionId, IsDefaultVersion: true, CreateDate: p.updatedAt }],
  };
}

export const authorizationDetailsActions = {
  GetAccountAuthorizationDetails: {
    async run(input, op) {
      const page = offsetPage(input, await items(input, op));
      const out = { UserDetailList: [] as unknown[], GroupDetailList: [] as unknown[], RoleDetailList: [] as unknown[], Policies: [] as unknown[] };
      for (const item of page.items) {
        if (item.kind === 'user') out.UserDetailList.push(await userDetail(op, item.record));
        else if (item.kind === 'group') out.GroupDetailList.push(await groupDetail(op, item.record));
        else if (item.kind === 'role') out.RoleDetailList.push(await roleDetail(op, item.record));
        else if (item.kind === 'local') out.Policies.push(await localPolicyDetail(op, item.record));
        else out.Policies.push(await awsPolicyDetail(op, item.record));
      }
      return { ...out, IsTruncated: page.IsTruncated, ...(page.Marker !== undefined && { Marker: page.Marker }) };
    },
  },
} satisfies IamActionTable;

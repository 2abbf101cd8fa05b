/**
 * ListEntitiesForPolicy: the users, groups and roles a managed policy (customer or AWS) is
 * attached to, or, with PolicyUsageFilter=PermissionsBoundary, that have it as their boundary.
 * - EntityFilter User|Group|Role narrows the kinds (LocalManagedPolicy / AWSManagedPolicy
 *   name the policy's kind: all entities when it matches, none otherwise).
 * - PathPrefix filters on the entity's path; results are users, then groups, then roles,
 *   each by name, paged by MaxItems/Marker.
 * - An unknown policy is NoSuchEntity.
 */
import type { GroupRecord, RoleRecord, UserRecord } from '../../store/types.js';
import { isAwsPolicyArn } from '../managed/catalogue.js';
import { findAwsPolicy } from './aws-policies.js';
import { findPolicy } from './managed.js';
import type { IamInputs } from '../../api/types/iam.js';
import type { Operation, IamActionTable } from './types.js';

type Entity = { kind: 'user'; record: UserRecord } | { kind: 'group'; record: GroupRecord } | { kind: 'role'; record: RoleRecord };

const KIND_ORDER = { user: 0, group: 1, role: 2 } as const;

/** The entities as the request asks for them, in output order. */
async function entitiesFor(input: IamInputs['ListEntitiesForPolicy'], op: Operation): Promise<Entity[]> {
  const arn = input.PolicyArn;
  const aws = isAwsPolicyArn(arn);
  const { store } = op.deps;
  let refs;
  if (input.PolicyUsageFilter === 'PermissionsBoundary') {
    if (aws) findAwsPolicy(arn);
    else await findPolicy(op, arn);
    refs = await store.awsPolicyAttachments.boundaryEntities(op.caller.accountId, arn);
  } else if (aws) {
    findAwsPolicy(arn);
    refs = await store.awsPolicyAttachments.entities(op.caller.accountId, arn);
  } else {
    refs = await store.awsPolicyAttachments.customerEntities((await findPolicy(op, arn)).id);
  }
  const filter = input.EntityFilter;
  if ((filter === 'LocalManagedPolicy' && aws) || (filter === 'AWSManagedPolicy' && !aws)) return [];
  const kinds = filter === 'User' ? ['user'] : filter === 'Group' ? ['group'] : filter === 'Role' ? ['role'] : ['user', 'group', 'role'];
  const prefix = input.PathPrefix ?? '/';
  const out: Entity[] = [];
  for (const ref of refs) {
    if (!kinds.includes(ref.kind)) continue;
    const record = ref.kind === 'user' ? await store.users.getById(ref.id) : ref.kind === 'group' ? await store.groups.getById(ref.id) : await store.roles.getById(ref.id);
    if (record && record.path.startsWith(prefix)) out.push({ kind: ref.kind, record } as Entity);
  }
  return out.sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || (a.record.name.toLowerCase() < b.record.name.toLowerCase() ? -1 : 1));
}

/** Offsets as opaque markers. */
const encodeOffset = (n: number) => Buffer.from(`o:${n}`, 'utf8').toString('base64url');
export function decodeOffset(marker: string | undefined): number {
  if (marker === undefined) return 0;
  const m = /^o:(\d+)$/.exec(Buffer.from(marker, 'base64url').toString('utf8'));
  return m ? Number(m[1]) : 0;
}

/** A page of `items` from the request's Marker/MaxItems, with IsTruncated and the next Marker. */
export function offsetPage<T>(input: { Marker?: string | undefined; MaxItems?: number | undefined }, items: T[]): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const start = decodeOffset(input.Marker);
  const limit = input.MaxItems ?? 100;
  const page = items.slice(start, start + limit);
  const more = start + limit < items.length;
  return { items: page, IsTruncated: more, ...(more && { Marker: encodeOffset(start + limit) }) };
}

export const entityActions = {
  ListEntitiesForPolicy: {
    resource: (i) => i.PolicyArn,
    async run(input, op) {
      const page = offsetPage(input, await entitiesFor(input, op));
      const of = <K extends Entity['kind']>(kind: K) => page.items.filter((e): e is Extract<Entity, { kind: K }> => e.kind === kind);
      return {
        PolicyGroups: of('group').map((e) => ({ GroupName: e.record.name, GroupId: e.record.id })),
        PolicyUsers: of('user').map((e) => ({ UserName: e.record.name, UserId: e.record.id })),
        PolicyRoles: of('role').map((e) => ({ RoleName: e.record.name, RoleId: e.record.id })),
        IsTruncated: page.IsTruncated,
        ...(page.Marker !== undefined && { Marker: page.Marker }),
      };
    },
  },
} satisfies IamActionTable;

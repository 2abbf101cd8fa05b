/**
 * Instance profiles: Create/Get/List/DeleteInstanceProfile, Add/RemoveRoleToInstanceProfile,
 * ListInstanceProfilesForRole. They are the ground for workload credentials later.
 * - Names are unique per account, case-insensitively (EntityAlreadyExists); at most 1,000
 *   per account (LimitExceeded).
 * - A profile holds at most one role: adding a second is LimitExceeded
 *   (InstanceSessionsPerInstanceProfile: 1), as in AWS.
 * - DeleteInstanceProfile, and DeleteRole, refuse while a role is in a profile (DeleteConflict).
 */
import { DeleteConflict, LimitExceeded, NoSuchEntity } from '../../shared/errors.js';
import { iamArn } from '../../shared/arn.js';
import { newId } from '../../shared/ids.js';
import { UniqueViolation, type InstanceProfileRecord, type RoleRecord } from '../../store/types.js';
import { checkQuota, creating, findRole, pageOutput, pageRequest } from './common.js';
import { roleResource } from './roles.js';
import { roleShape } from './shapes.js';
import { mergeTags, requestTags } from './tagging.js';
import type { ActionTable, Operation, IamActionTable } from './types.js';

export const INSTANCE_PROFILES_QUOTA = 1000;
export const ROLES_PER_INSTANCE_PROFILE = 1;

export const instanceProfileArn = (account: string, path: string, name: string) => iamArn(account, 'instance-profile', path, name);

const byName = (i: { InstanceProfileName: string }, op: Operation) => instanceProfileArn(op.caller.accountId, '/', i.InstanceProfileName);

async function findProfile(op: Operation, name: string): Promise<InstanceProfileRecord> {
  const p = await op.deps.store.instanceProfiles.get(op.caller.accountId, name);
  if (!p) throw new NoSuchEntity(`Instance Profile ${name} cannot be found.`);
  return p;
}

/** IAM's `InstanceProfile` structure, with its role (if any). */
export function instanceProfileShape(p: InstanceProfileRecord, role: RoleRecord | undefined): Record<string, unknown> {
  return {
    Path: p.path,
    InstanceProfileName: p.name,
    InstanceProfileId: p.id,
    Arn: instanceProfileArn(p.accountId, p.path, p.name),
    CreateDate: p.createdAt,
    Roles: role ? [roleShape(role)] : [],
    Tags: p.tags.length > 0 ? p.tags.map((t) => ({ Key: t.key, Value: t.value })) : undefined,
  };
}

/** The profiles a role is in, shaped (for ListInstanceProfilesForRole and GetAccountAuthorizationDetails). */
export async function profilesOfRole(op: Operation, role: RoleRecord): Promise<Record<string, unknown>[]> {
  const page = await op.deps.store.instanceProfiles.forRole(role.id, { limit: 1000 });
  return page.items.map((p) => instanceProfileShape(p, role));
}

export const instanceProfileActions = {
  CreateInstanceProfile: {
    resource: (i, op) => instanceProfileArn(op.caller.accountId, i.Path ?? '/', i.InstanceProfileName),
    async run(input, op) {
      const name = input.InstanceProfileName;
      const tags = mergeTags([], requestTags(input), 'InstanceProfile');
      checkQuota('InstanceProfilesPerAccount', (await op.deps.store.instanceProfiles.count(op.caller.accountId)) + 1, INSTANCE_PROFILES_QUOTA);
      const profile: InstanceProfileRecord = { id: newId('instanceProfile'), accountId: op.caller.accountId, name, path: input.Path ?? '/', tags, createdAt: op.facts.now };
      await creating(`Instance Profile ${name} already exists.`, () => op.deps.store.instanceProfiles.create(profile));
      return { InstanceProfile: instanceProfileShape(profile, undefined) };
    },
  },

  GetInstanceProfile: {
    resource: byName,
    async run(input, op) {
      const p = await findProfile(op, input.InstanceProfileName);
      return { InstanceProfile: instanceProfileShape(p, await op.deps.store.instanceProfiles.role(p.id)) };
    },
  },

  ListInstanceProfiles: {
    resource: (i, op) => instanceProfileArn(op.caller.accountId, i.PathPrefix ?? '/', '*'),
    async run(input, op) {
      const page = await op.deps.store.instanceProfiles.list(op.caller.accountId, pageRequest(input));
      const roles = await Promise.all(page.items.map((p) => op.deps.store.instanceProfiles.role(p.id)));
      return pageOutput({ ...page, items: page.items.map((p, i) => ({ p, role: roles[i] })) }, 'InstanceProfiles', (x) => instanceProfileShape(x.p, x.role));
    },
  },

  DeleteInstanceProfile: {
    resource: byName,
    async run(input, op) {
      const p = await findProfile(op, input.InstanceProfileName);
      await op.deps.store.transaction(async (tx) => {
        if (await tx.instanceProfiles.role(p.id)) throw new DeleteConflict('Cannot delete entity, must remove roles from instance profile first.');
        await tx.instanceProfiles.delete(p.id);
      });
      return undefined;
    },
  },

  AddRoleToInstanceProfile: {
    resource: byName,
    async run(input, op) {
      const p = await findProfile(op, input.InstanceProfileName);
      const role = await findRole(op, input.RoleName);
      const full = () => new LimitExceeded(`Cannot exceed quota for InstanceSessionsPerInstanceProfile: ${ROLES_PER_INSTANCE_PROFILE}`);
      if (await op.deps.store.instanceProfiles.role(p.id)) throw full();
      try {
        await op.deps.store.instanceProfiles.addRole(p.id, role.id);
      } catch (err) {
        if (err instanceof UniqueViolation) throw full();
        throw err;
      }
      return undefined;
    },
  },

  RemoveRoleFromInstanceProfile: {
    resource: byName,
    async run(input, op) {
      const p = await findProfile(op, input.InstanceProfileName);
      const role = await findRole(op, input.RoleName);
      if (!(await op.deps.store.instanceProfiles.removeRole(p.id, role.id))) {
        throw new NoSuchEntity(`The role with name ${role.name} cannot be found in instance profile ${p.name}.`);
      }
      return undefined;
    },
  },

  ListInstanceProfilesForRole: {
    resource: (i, op) => roleResource(op, i.RoleName),
    async run(input, op) {
      const role = await findRole(op, input.RoleName);
      const page = await op.deps.store.instanceProfiles.forRole(role.id, pageRequest({ ...input, PathPrefix: undefined }));
      return pageOutput(page, 'InstanceProfiles', (p) => instanceProfileShape(p, role));
    },
  },
} satisfies IamActionTable;

/** DeleteRole refuses while the role is in an instance profile (wrapping the handler in `core`). */
export function roleDeletionGuard(core: ActionTable): ActionTable {
  const { DeleteRole } = core;
  if (!DeleteRole) throw new Error('instance-profiles: no DeleteRole to guard');
  return {
    DeleteRole: {
      ...DeleteRole,
      async run(input, op) {
        const role = await op.deps.store.roles.get(op.caller.accountId, input.RoleName);
        if (role && (await op.deps.store.instanceProfiles.forRole(role.id, { limit: 1 })).items.length > 0) {
          throw new DeleteConflict('Cannot delete entity, must remove roles from instance profile first.');
        }
        return DeleteRole.run(input, op);
      },
    },
  } satisfies IamActionTable;
}

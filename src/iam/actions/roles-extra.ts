/**
 * Roles, the rest of AWS's surface: UpdateRoleDescription, and RoleLastUsed in GetRole.
 * - RoleLastUsed is always present, as in AWS: empty until the role is first assumed
 *   (AssumeRole, or a console session through it), then its date and region.
 * - UpdateRoleDescription answers the updated role.
 */
import { findRole } from './common.js';
import { roleResource } from './roles.js';
import { roleShape } from './shapes.js';
import type { ActionTable, Operation, IamActionTable } from './types.js';
import type { RoleRecord } from '../../store/types.js';

/** The role's `RoleLastUsed` structure (empty when never used). */
export async function roleLastUsed(op: Operation, role: RoleRecord): Promise<Record<string, unknown>> {
  const used = await op.deps.store.roleUsage.get(role.id);
  return used ? { LastUsedDate: used.at, Region: used.region } : {};
}

/** A role as GetRole shows it: with its boundary, tags and last use. */
export async function fullRoleShape(op: Operation, role: RoleRecord): Promise<Record<string, unknown>> {
  return { ...roleShape(role, true), RoleLastUsed: await roleLastUsed(op, role) };
}

export function roleExtraActions(core: ActionTable): ActionTable {
  const { GetRole } = core;
  if (!GetRole) throw new Error('roles-extra: no GetRole to extend');
  return {
    GetRole: {
      ...GetRole,
      async run(input, op) {
        return { Role: await fullRoleShape(op, await findRole(op, input.RoleName)) };
      },
    },

    UpdateRoleDescription: {
      resource: (i, op) => roleResource(op, i.RoleName),
      async run(input, op) {
        const role = await findRole(op, input.RoleName);
        const description = input.Description;
        await op.deps.store.roles.update(role.id, { description });
        return { Role: await fullRoleShape(op, { ...role, description }) };
      },
    },
  } satisfies IamActionTable;
}

/**
 * Roles: CreateRole, GetRole, ListRoles, UpdateRole, UpdateAssumeRolePolicy, DeleteRole.
 * - The trust policy is validated as a trust policy (Principal required, no Resource)
 *   and limited to 2,048 characters without whitespace.
 * - MaxSessionDuration is 3600–43200 seconds (default 3600).
 * - A permissions boundary must be an existing managed policy (NoSuchEntity).
 * - At most 250 roles per account (RolesQuota).
 * - DeleteRole refuses while the role has inline or attached policies.
 */
import { LimitExceeded, NoSuchEntity, ValidationError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { policySize } from '../../policy/index.js';
import type { Tag } from '../../store/types.js';
import { QUOTAS, roleArn } from '../arns.js';
import type { ResourceRef } from '../authorize.js';
import { checkPolicyDocument, checkQuota, conflict, creating, findRole, pageOutput, pageRequest } from './common.js';
import { roleShape } from './shapes.js';
import type { Operation, IamActionTable } from './types.js';
import { boundaryContext, checkBoundary } from './users.js';

/** The named role's real ARN (its path when it exists), shown in a refusal as AWS does: `role NAME`, from the request alone. */
export async function roleResource(op: Operation, name: string): Promise<ResourceRef> {
  const role = await op.deps.store.roles.get(op.caller.accountId, name);
  return { arn: roleArn(op.caller.accountId, role?.path ?? '/', role?.name ?? name), shown: `role ${name}` };
}

function checkTrustPolicy(doc: string): void {
  const size = policySize(doc);
  if (size > QUOTAS.AssumeRolePolicySizeQuota) throw new LimitExceeded(`Cannot exceed quota for ACLSizePerRole: ${QUOTAS.AssumeRolePolicySizeQuota}`);
  checkPolicyDocument(doc, 'trust');
}

function checkDuration(input: { MaxSessionDuration?: number | undefined }): number | undefined {
  const d = input.MaxSessionDuration;
  if (d !== undefined && (d < 3600 || d > 43200)) {
    throw new ValidationError(`1 validation error detected: Value '${d}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200 and greater than or equal to 3600`);
  }
  return d;
}

export const roleActions = {
  CreateRole: {
    resource: (i, op) => roleArn(op.caller.accountId, i.Path ?? '/', i.RoleName),
    context: boundaryContext,
    async run(input, op) {
      const name = input.RoleName;
      checkTrustPolicy(input.AssumeRolePolicyDocument);
      const duration = checkDuration(input) ?? 3600;
      await checkBoundary(op, input.PermissionsBoundary);
      checkQuota('RolesPerAccount', (await op.deps.store.roles.count(op.caller.accountId)) + 1, QUOTAS.RolesQuota);
      const role = {
        id: newId('role'),
        accountId: op.caller.accountId,
        name,
        path: input.Path ?? '/',
        assumeRolePolicy: input.AssumeRolePolicyDocument,
        description: input.Description ?? null,
        maxSessionDuration: duration,
        permissionsBoundary: input.PermissionsBoundary ?? null,
        tags: (input.Tags ?? []).map((t): Tag => ({ key: t.Key, value: t.Value })),
        createdAt: op.facts.now,
      };
      await creating(`Role with name ${name} already exists.`, () => op.deps.store.roles.create(role));
      return { Role: roleShape(role, true) };
    },
  },

  GetRole: {
    resource: (i, op) => roleResource(op, i.RoleName),
    async run(input, op) {
      return { Role: roleShape(await findRole(op, input.RoleName), true) };
    },
  },

  ListRoles: {
    resource: (i, op) => roleArn(op.caller.accountId, i.PathPrefix ?? '/', '*'),
    async run(input, op) {
      return pageOutput(await op.deps.store.roles.list(op.caller.accountId, pageRequest(input)), 'Roles', (r) => roleShape(r));
    },
  },

  UpdateRole: {
    resource: (i, op) => roleResource(op, i.RoleName),
    async run(input, op) {
      const role = await findRole(op, input.RoleName);
      const duration = checkDuration(input);
      const description = input.Description;
      await op.deps.store.roles.update(role.id, { ...(duration !== undefined && { maxSessionDuration: duration }), ...(description !== undefined && { description }) });
      return {};
    },
  },

  UpdateAssumeRolePolicy: {
    resource: (i, op) => roleResource(op, i.RoleName),
    async run(input, op) {
      const role = await findRole(op, input.RoleName);
      checkTrustPolicy(input.PolicyDocument);
      await op.deps.store.roles.update(role.id, { assumeRolePolicy: input.PolicyDocument });
      return undefined;
    },
  },

  DeleteRole: {
    resource: (i, op) => roleResource(op, i.RoleName),
    async run(input, op) {
      await op.deps.store.transaction(async (tx) => {
        const role = await tx.roles.get(op.caller.accountId, input.RoleName);
        if (!role) throw new NoSuchEntity(`The role with name ${input.RoleName} cannot be found.`);
        if ((await tx.inlinePolicies.count('role', role.id)) > 0) conflict('delete policies');
        if ((await tx.managedPolicies.countAttached('role', role.id)) > 0) conflict('detach all policies');
        await tx.roles.delete(role.id);
      });
      return undefined;
    },
  },

  PutRolePermissionsBoundary: {
    resource: (i, op) => roleResource(op, i.RoleName),
    context: (i) => ({ 'iam:PermissionsBoundary': i.PermissionsBoundary }),
    async run(input, op) {
      const role = await findRole(op, input.RoleName);
      await checkBoundary(op, input.PermissionsBoundary);
      await op.deps.store.roles.update(role.id, { permissionsBoundary: input.PermissionsBoundary });
      return undefined;
    },
  },

  DeleteRolePermissionsBoundary: {
    resource: (i, op) => roleResource(op, i.RoleName),
    async run(input, op) {
      const role = await findRole(op, input.RoleName);
      await op.deps.store.roles.update(role.id, { permissionsBoundary: null });
      return undefined;
    },
  },
} satisfies IamActionTable;

/**
 * Users: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, the user's
 * tags and permissions boundary.
 * - Names are unique per account case-insensitively; a rename keeps the id.
 * - GetUser with no name describes the caller.
 * - DeleteUser refuses (DeleteConflict) while the user has access keys, a login
 *   profile, MFA devices, inline or attached policies, or group memberships, and
 *   always for the portal's broker (broker-guard.ts).
 */
import { ValidationError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Tag } from '../../store/types.js';
import { rootArn, userArn } from '../arns.js';
import { resolveManagedPolicy } from '../managed/lookup.js';
import { authorize, type ResourceRef } from '../authorize.js';
import { conflict, creating, findUser, pageOutput, pageRequest } from './common.js';
import { userShape } from './shapes.js';
import { refuseBrokerDeletion, refuseBrokerRename } from './broker-guard.js';
import type { Operation, IamActionTable } from './types.js';
import { NoSuchEntity } from '../../shared/errors.js';

/**
 * The named user's ARN (with its real path when it exists, `/` otherwise), shown in a refusal
 * as AWS does: `user NAME`, the name as sent, so a refusal never tells whether it exists.
 */
export async function userResource(op: Operation, name: string): Promise<ResourceRef> {
  const self = op.caller.type === 'User' && op.caller.user?.name.toLowerCase() === name.toLowerCase() ? op.caller.user : undefined;
  const user = self ?? (await op.deps.store.users.get(op.caller.accountId, name));
  return { arn: userArn(op.caller.accountId, user?.path ?? '/', user?.name ?? name), shown: `user ${name}` };
}

/** The user named in `UserName`, defaulting to the calling IAM user. */
export function targetUserName(input: { UserName?: string | undefined }, op: Operation): string {
  const name = input.UserName ?? op.caller.user?.name;
  if (name === undefined) throw new ValidationError('Must specify userName when calling with non-User credentials');
  return name;
}

/** iam:PermissionsBoundary, for the delegation pattern "may create only with this boundary". */
export const boundaryContext = (input: { PermissionsBoundary?: string | undefined }): Record<string, string> => {
  const arn = input.PermissionsBoundary;
  return arn === undefined ? {} : { 'iam:PermissionsBoundary': arn };
};

const readTags = (input: { Tags?: ReadonlyArray<{ Key: string; Value: string }> | undefined }): Tag[] => (input.Tags ?? []).map((t) => ({ key: t.Key, value: t.Value }));

/** The boundary must be an existing customer managed policy of the account or an AWS managed policy, named by its exact ARN (path included). */
export async function checkBoundary(op: Operation, arn: string | undefined): Promise<void> {
  if (arn === undefined) return;
  const policy = await resolveManagedPolicy(op.deps.store, op.caller.accountId, arn);
  if (!policy || !policy.attachable) throw new NoSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
}

export const userActions = {
  CreateUser: {
    resource: (i, op) => userArn(op.caller.accountId, i.Path ?? '/', i.UserName),
    context: boundaryContext,
    async run(input, op) {
      const name = input.UserName;
      await checkBoundary(op, input.PermissionsBoundary);
      const user = {
        id: newId('user'),
        accountId: op.caller.accountId,
        name,
        path: input.Path ?? '/',
        permissionsBoundary: input.PermissionsBoundary ?? null,
        tags: readTags(input),
        createdAt: op.facts.now,
        passwordLastUsed: null,
      };
      await creating(`User with name ${name} already exists.`, () => op.deps.store.users.create(user));
      return { User: userShape(user, true) };
    },
  },

  GetUser: {
    resource: async (i, op) => (i.UserName === undefined && op.caller.type === 'Account' ? rootArn(op.caller.accountId) : userResource(op, targetUserName(i, op))),
    async run(input, op) {
      if (input.UserName === undefined && op.caller.type === 'Account') {
        const account = await op.deps.store.accounts.get(op.caller.accountId);
        return { User: { UserId: op.caller.accountId, Arn: rootArn(op.caller.accountId), CreateDate: account?.createdAt ?? 0 } };
      }
      return { User: userShape(await findUser(op, targetUserName(input, op)), true) };
    },
  },

  ListUsers: {
    resource: (i, op) => userArn(op.caller.accountId, i.PathPrefix ?? '/', '*'),
    async run(input, op) {
      const page = await op.deps.store.users.list(op.caller.accountId, pageRequest(input));
      return pageOutput(page, 'Users', (u) => userShape(u));
    },
  },

  UpdateUser: {
    resource: (i, op) => userResource(op, i.UserName),
    async run(input, op) {
      const user = await findUser(op, input.UserName);
      const newName = input.NewUserName;
      const newPath = input.NewPath;
      refuseBrokerRename(op, user, newName);
      if (newName !== undefined || newPath !== undefined) {
        // Renaming or moving needs permission on the target as well as the source.
        await authorize(op, 'iam:UpdateUser', userArn(user.accountId, newPath ?? user.path, newName ?? user.name));
      }
      await creating(`User with name ${newName} already exists.`, () =>
        op.deps.store.users.update(user.id, { ...(newName !== undefined && { name: newName }), ...(newPath !== undefined && { path: newPath }) }),
      );
      return undefined;
    },
  },

  DeleteUser: {
    resource: (i, op) => userResource(op, i.UserName),
    async run(input, op) {
      await op.deps.store.transaction(async (tx) => {
        const user = await tx.users.get(op.caller.accountId, input.UserName);
        if (!user) throw new NoSuchEntity(`The user with name ${input.UserName} cannot be found.`);
        refuseBrokerDeletion(op, user);
        if ((await tx.accessKeys.listFor(user.accountId, user.id)).length > 0) conflict('delete access keys');
        if (await tx.loginProfiles.get(user.id)) conflict('delete login profile');
        if ((await tx.mfaDevices.listForUser(user.id)).length > 0) conflict('delete MFA device');
        if ((await tx.inlinePolicies.count('user', user.id)) > 0) conflict('delete policies');
        if ((await tx.managedPolicies.countAttached('user', user.id)) > 0) conflict('detach all policies');
        if ((await tx.groups.allGroupsOf(user.id)).length > 0) conflict('remove user from all groups');
        await tx.users.delete(user.id);
      });
      return undefined;
    },
  },

  TagUser: {
    resource: (i, op) => userResource(op, i.UserName),
    async run(input, op) {
      const user = await findUser(op, input.UserName);
      const merged = new Map(user.tags.map((t) => [t.key.toLowerCase(), t]));
      for (const t of readTags(input)) merged.set(t.key.toLowerCase(), t);
      if (merged.size > 50) throw new ValidationError('1 validation error detected: a user can have at most 50 tags');
      await op.deps.store.users.update(user.id, { tags: [...merged.values()] });
      return undefined;
    },
  },

  UntagUser: {
    resource: (i, op) => userResource(op, i.UserName),
    async run(input, op) {
      const user = await findUser(op, input.UserName);
      const remove = new Set(input.TagKeys.map((k) => k.toLowerCase()));
      await op.deps.store.users.update(user.id, { tags: user.tags.filter((t) => !remove.has(t.key.toLowerCase())) });
      return undefined;
    },
  },

  ListUserTags: {
    resource: (i, op) => userResource(op, i.UserName),
    async run(input, op) {
      const user = await findUser(op, input.UserName);
      return { Tags: user.tags.map((t) => ({ Key: t.key, Value: t.value })), IsTruncated: false };
    },
  },

  PutUserPermissionsBoundary: {
    resource: (i, op) => userResource(op, i.UserName),
    context: (i) => ({ 'iam:PermissionsBoundary': i.PermissionsBoundary }),
    async run(input, op) {
      const user = await findUser(op, input.UserName);
      await checkBoundary(op, input.PermissionsBoundary);
      await op.deps.store.users.update(user.id, { permissionsBoundary: input.PermissionsBoundary });
      return undefined;
    },
  },

  DeleteUserPermissionsBoundary: {
    resource: (i, op) => userResource(op, i.UserName),
    async run(input, op) {
      const user = await findUser(op, input.UserName);
      await op.deps.store.users.update(user.id, { permissionsBoundary: null });
      return undefined;
    },
  },
} satisfies IamActionTable;

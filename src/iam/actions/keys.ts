/**
 * Access keys: CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey,
 * GetAccessKeyLastUsed.
 * - Without UserName the caller's own keys are meant (the root's, for the root).
 * - At most 2 keys per user (AccessKeysPerUserQuota).
 * - The secret is generated here, returned once by CreateAccessKey, and stored
 *   only encrypted (AES-256-GCM, bound to the key id).
 * - A key id that belongs to another user is NoSuchEntity, never revealed.
 */
import { NoSuchEntity } from '../../shared/errors.js';
import { newId, newSecretAccessKey } from '../../shared/ids.js';
import type { AccessKeyRecord } from '../../store/types.js';
import { QUOTAS, rootArn } from '../arns.js';
import type { AuthResource } from '../authorize.js';
import { checkQuota, findUser } from './common.js';
import type { Operation, IamActionTable } from './types.js';
import { targetUserName, userResource } from './users.js';

interface KeyOwner {
  userId: string | null;
  userName: string | undefined;
}

/** The owner the call is about: the named user, or the caller itself. */
async function keyOwner(input: { UserName?: string | undefined }, op: Operation): Promise<KeyOwner> {
  if (input.UserName === undefined && op.caller.type === 'Account') return { userId: null, userName: undefined };
  const user = await findUser(op, targetUserName(input, op));
  return { userId: user.id, userName: user.name };
}

async function ownerResource(input: { UserName?: string | undefined }, op: Operation): Promise<AuthResource> {
  const name = input.UserName ?? op.caller.user?.name;
  return name === undefined ? rootArn(op.caller.accountId) : userResource(op, name);
}

async function ownedKey(input: { UserName?: string | undefined; AccessKeyId: string }, op: Operation): Promise<{ key: AccessKeyRecord; owner: KeyOwner }> {
  const owner = await keyOwner(input, op);
  const key = await op.deps.store.accessKeys.get(input.AccessKeyId);
  if (!key || key.accountId !== op.caller.accountId || key.userId !== owner.userId) {
    throw new NoSuchEntity(`The Access Key with id ${input.AccessKeyId} cannot be found.`);
  }
  return { key, owner };
}

const metadata = (k: AccessKeyRecord, userName: string | undefined) => ({ UserName: userName, AccessKeyId: k.id, Status: k.status, CreateDate: k.createdAt });

export const accessKeyActions = {
  CreateAccessKey: {
    resource: ownerResource,
    async run(input, op) {
      const owner = await keyOwner(input, op);
      const id = newId('accessKey');
      const secret = newSecretAccessKey();
      const record: AccessKeyRecord = {
        id,
        accountId: op.caller.accountId,
        userId: owner.userId,
        secretCiphertext: op.deps.keyring.encrypt(secret, id),
        status: 'Active',
        createdAt: op.facts.now,
        lastUsedAt: null,
        lastUsedService: null,
        lastUsedRegion: null,
      };
      await op.deps.store.transaction(async (tx) => {
        checkQuota('AccessKeysPerUser', (await tx.accessKeys.listFor(op.caller.accountId, owner.userId)).length + 1, QUOTAS.AccessKeysPerUserQuota);
        await tx.accessKeys.create(record);
      });
      return { AccessKey: { ...metadata(record, owner.userName), UserName: owner.userName ?? '', SecretAccessKey: secret } };
    },
  },

  ListAccessKeys: {
    resource: ownerResource,
    async run(input, op) {
      const owner = await keyOwner(input, op);
      const keys = await op.deps.store.accessKeys.listFor(op.caller.accountId, owner.userId);
      return { AccessKeyMetadata: keys.map((k) => metadata(k, owner.userName)), IsTruncated: false };
    },
  },

  UpdateAccessKey: {
    resource: ownerResource,
    async run(input, op) {
      const { key } = await ownedKey(input, op);
      await op.deps.store.accessKeys.setStatus(key.id, input.Status);
      return undefined;
    },
  },

  DeleteAccessKey: {
    resource: ownerResource,
    async run(input, op) {
      const { key } = await ownedKey(input, op);
      await op.deps.store.accessKeys.delete(key.id);
      return undefined;
    },
  },

  GetAccessKeyLastUsed: {
    // Decided on the key owner's real ARN; a refusal names only the key id sent, never its owner.
    async resource(input, op) {
      const id = input.AccessKeyId;
      const key = await op.deps.store.accessKeys.get(id);
      const user = key?.userId && key.accountId === op.caller.accountId ? await op.deps.store.users.getById(key.userId) : undefined;
      const arn = user ? (await userResource(op, user.name)).arn : rootArn(op.caller.accountId);
      return { arn, shown: `access key ${id}` };
    },
    async run(input, op) {
      const key = await op.deps.store.accessKeys.get(input.AccessKeyId);
      if (!key || key.accountId !== op.caller.accountId) throw new NoSuchEntity(`The Access Key with id ${input.AccessKeyId} cannot be found.`);
      const user = key.userId ? await op.deps.store.users.getById(key.userId) : undefined;
      return {
        UserName: user?.name ?? 'root',
        AccessKeyLastUsed: {
          LastUsedDate: key.lastUsedAt ?? undefined,
          ServiceName: key.lastUsedService ?? 'N/A',
          Region: key.lastUsedRegion ?? 'N/A',
        },
      };
    },
  },
} satisfies IamActionTable;

/**
 * Bootstrap: the account and its first credentials.
 * - `ensureAccount` creates the account (a random 12-digit id) when the store has
 *   none, and the broker IAM user named in `federation.broker`.
 * - `createRootKey` adds a root access key and returns its secret — the only
 *   time the secret exists outside the store's encrypted column.
 */
import { newAccountId, newId, newSecretAccessKey } from '../shared/ids.js';
import type { Clock } from '../shared/clock.js';
import type { AccountRecord, Store } from '../store/types.js';
import type { Keyring } from './keyring.js';

export async function ensureAccount(store: Store, clock: Clock, brokerName: string): Promise<{ account: AccountRecord; created: boolean }> {
  return store.transaction(async (tx) => {
    let account = await tx.accounts.first();
    const created = account === undefined;
    if (!account) account = await tx.accounts.create({ id: newAccountId(), createdAt: clock.now() });
    if (!(await tx.users.get(account.id, brokerName))) {
      await tx.users.create({ id: newId('user'), accountId: account.id, name: brokerName, path: '/gatehouse/', permissionsBoundary: null, tags: [], createdAt: clock.now(), passwordLastUsed: null });
    }
    return { account, created };
  });
}

export async function createRootKey(store: Store, keyring: Keyring, clock: Clock, accountId: string): Promise<{ AccountId: string; AccessKeyId: string; SecretAccessKey: string }> {
  const id = newId('accessKey');
  const secret = newSecretAccessKey();
  await store.accessKeys.create({
    id,
    accountId,
    userId: null,
    secretCiphertext: keyring.encrypt(secret, id),
    status: 'Active',
    createdAt: clock.now(),
    lastUsedAt: null,
    lastUsedService: null,
    lastUsedRegion: null,
  });
  return { AccountId: accountId, AccessKeyId: id, SecretAccessKey: secret };
}

/** Record builders for the store conformance suite: fresh ids on every call, fixed times. */
import { newAccountId, newId } from '../../src/shared/ids.js';
import type {
  AccessKeyRecord, GroupRecord, ManagedPolicyRecord, MfaDeviceRecord, PolicyVersionRecord, RoleRecord, Store, UserRecord,
} from '../../src/store/index.js';

/** Base time for records; tests that need an earlier "first" account use smaller values. */
export const T0 = 1_767_225_600_000;
let tick = 0;

/** A new account (its own namespace, so tests never see each other's rows). */
export async function newAccount(store: Store): Promise<string> {
  const id = newAccountId();
  await store.accounts.create({ id, createdAt: T0 + ++tick });
  return id;
}

export const user = (accountId: string, name: string, over: Partial<UserRecord> = {}): UserRecord => ({
  id: newId('user'), accountId, name, path: '/', permissionsBoundary: null, tags: [], createdAt: T0, passwordLastUsed: null, ...over,
});

export const group = (accountId: string, name: string, over: Partial<GroupRecord> = {}): GroupRecord => ({
  id: newId('group'), accountId, name, path: '/', createdAt: T0, ...over,
});

export const role = (accountId: string, name: string, over: Partial<RoleRecord> = {}): RoleRecord => ({
  id: newId('role'), accountId, name, path: '/', assumeRolePolicy: '{"Version":"2012-10-17","Statement":[]}', description: null,
  maxSessionDuration: 3600, permissionsBoundary: null, tags: [], createdAt: T0, ...over,
});

export const doc = (action: string): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

export function policy(accountId: string, name: string, over: Partial<ManagedPolicyRecord> = {}): [Omit<ManagedPolicyRecord, 'attachmentCount'>, PolicyVersionRecord] {
  const { attachmentCount: _ignored, ...record } = {
    id: newId('policy'), accountId, name, path: '/', description: null, defaultVersionId: 'v1', attachmentCount: 0, createdAt: T0, updatedAt: T0, ...over,
  };
  return [record, { policyId: record.id, versionId: 'v1', document: doc('s3:GetObject'), createdAt: T0 }];
}

export const accessKey = (accountId: string, userId: string | null, over: Partial<AccessKeyRecord> = {}): AccessKeyRecord => ({
  id: newId('accessKey'), accountId, userId, secretCiphertext: `cipher-${newId('accessKey')}`, status: 'Active', createdAt: T0,
  lastUsedAt: null, lastUsedService: null, lastUsedRegion: null, ...over,
});

export const mfaDevice = (accountId: string, name: string, over: Partial<MfaDeviceRecord> = {}): MfaDeviceRecord => ({
  serial: `arn:aws:iam::${accountId}:mfa/${name}`, accountId, name, path: '/', seedCiphertext: 'seed-cipher', userId: null,
  enabledAt: null, lastTimeStep: null, createdAt: T0, ...over,
});

/** Every item of every page, following markers; also returns the page sizes. */
export async function allPages<T>(fetch: (after: string | undefined) => Promise<{ items: T[]; marker?: string }>): Promise<{ items: T[]; sizes: number[] }> {
  const items: T[] = [];
  const sizes: number[] = [];
  let after: string | undefined;
  do {
    const page = await fetch(after);
    items.push(...page.items);
    sizes.push(page.items.length);
    after = page.marker;
  } while (after !== undefined && sizes.length < 100);
  return { items, sizes };
}

/** `n` distinct names `prefix-00`… in a fixed shuffled order, every other one upper-cased. */
export function shuffledNames(prefix: string, n: number): string[] {
  const names = Array.from({ length: n }, (_, i) => `${i % 2 ? prefix.toUpperCase() : prefix}-${String(i).padStart(2, '0')}`);
  let seed = 7;
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 48271) % 2147483647;
    const j = seed % (i + 1);
    [names[i], names[j]] = [names[j]!, names[i]!];
  }
  return names;
}

/**
 * Whether an IAM user may sign in to the console, as a value (never a throw):
 * - the account is named by its 12-digit id or its alias;
 * - the user exists in it and has a login profile (a console password);
 * - the password matches (argon2id); when the user or profile is missing, a dummy hash
 *   is still verified, so the answer takes as long either way;
 * - when the user has an enabled MFA device, the 6-digit code matches it (±1 step) and
 *   its time step is recorded atomically, so a code is accepted once. The code is checked
 *   only after the password, so wrong passwords cannot spend codes.
 * The caller shows one generic message for every refusal; `reason` is for the log only.
 */
import { randomBytes } from 'node:crypto';
import type { Keyring } from '../iam/keyring.js';
import { hashPassword, verifyPassword } from '../iam/passwords.js';
import { matchStep } from '../iam/totp.js';
import type { AccountRecord, Store, UserRecord } from '../store/types.js';

export interface SigninInput {
  account: string;
  username: string;
  password: string;
  mfaCode: string;
}

export type SigninReason = 'unknown-account' | 'unknown-user' | 'no-password' | 'wrong-password' | 'mfa-required' | 'wrong-mfa';

export type SigninCheck = { ok: true; account: AccountRecord; user: UserRecord; resetRequired: boolean; mfa: boolean } | { ok: false; reason: SigninReason; accountId?: string };

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashPassword(randomBytes(18).toString('base64')));

/** The account named by a 12-digit id or an alias. */
export async function findAccount(store: Store, raw: string): Promise<AccountRecord | undefined> {
  const name = raw.trim().toLowerCase();
  if (/^\d{12}$/.test(name)) return store.accounts.get(name);
  if (/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])?$/.test(name)) return store.accounts.getByAlias(name);
  return undefined;
}

async function mfaOk(store: Store, keyring: Keyring, userId: string, code: string, now: number): Promise<'none' | 'ok' | 'missing' | 'wrong'> {
  const devices = (await store.mfaDevices.listForUser(userId)).filter((d) => d.enabledAt !== null);
  if (devices.length === 0) return 'none';
  if (code === '') return 'missing';
  for (const d of devices) {
    const step = matchStep(keyring.decrypt(d.seedCiphertext, d.serial), code, now);
    if (step !== undefined && (await store.mfaDevices.acceptTimeStep(d.serial, step))) return 'ok';
  }
  return 'wrong';
}

export async function checkSignin(store: Store, keyring: Keyring, input: SigninInput, now: number): Promise<SigninCheck> {
  const account = await findAccount(store, input.account);
  const user = account && /^[\w+=,.@-]{1,64}$/.test(input.username) ? await store.users.get(account.id, input.username) : undefined;
  const profile = user ? await store.loginProfiles.get(user.id) : undefined;
  const matches = await verifyPassword(profile?.passwordHash ?? (await dummyHash()), input.password);
  if (!account) return { ok: false, reason: 'unknown-account' };
  const refuse = (reason: SigninReason): SigninCheck => ({ ok: false, reason, accountId: account.id });
  if (!user) return refuse('unknown-user');
  if (!profile) return refuse('no-password');
  if (!matches) return refuse('wrong-password');
  const mfa = await mfaOk(store, keyring, user.id, input.mfaCode, now);
  if (mfa === 'missing') return refuse('mfa-required');
  if (mfa === 'wrong') return refuse('wrong-mfa');
  return { ok: true, account, user, resetRequired: profile.resetRequired, mfa: mfa === 'ok' };
}

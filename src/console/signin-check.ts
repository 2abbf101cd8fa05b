/**
 * Whether an IAM user may sign in to the console, as a value (never a throw):
 * - the account is named by its 12-digit id or its alias;
 * - the user exists in it and has a login profile (a console password);
 * - the password matches (argon2id); when the user or profile is missing, a dummy hash
 *   is still verified, so the answer takes as long either way;
 * - when the user has an enabled MFA device, the 6-digit code matches it (±1 step) and
 *   its time step is recorded atomically, so a code is accepted once. The code is checked
 *   only after the password, so wrong passwords cannot spend codes, and within the device's
 *   attempt budget shared with STS (iam/mfa-attempts.ts: 5 per 15 minutes; past it even the
 *   right code is refused, with the same generic message);
 * - a password past the policy's MaxPasswordAge with HardExpiry is refused (only an
 *   administrator can reset it); without HardExpiry, or with PasswordResetRequired, the user
 *   signs in but must change it first (`mustChangePassword`).
 * The caller shows one generic message for every refusal; `reason` is for the log only.
 */
import { randomBytes } from 'node:crypto';
import { hashPassword, passwordStatus, verifyPassword } from '../iam/passwords.js';
import { userArn } from '../iam/arns.js';
import { checkMfaCode, type MfaCheckDeps } from '../iam/mfa-attempts.js';
import type { AccountRecord, Store, UserRecord } from '../store/types.js';

export interface SigninInput {
  account: string;
  username: string;
  password: string;
  mfaCode: string;
}

export type SigninReason = 'unknown-account' | 'unknown-user' | 'no-password' | 'wrong-password' | 'mfa-required' | 'wrong-mfa' | 'password-expired';

export type SigninCheck =
  | { ok: true; account: AccountRecord; user: UserRecord; mustChangePassword: 'change-required' | 'expired' | undefined; mfa: boolean }
  | { ok: false; reason: SigninReason; accountId?: string };

/** What the console tells a user who must choose a new password before anything else. */
export const MUST_CHANGE: Record<'change-required' | 'expired', string> = {
  'change-required': 'Your password must be changed: choose a new one below.',
  expired: 'Your password has expired: choose a new one below.',
};

/** What the console tells a user whose password has expired under HardExpiry (after password and MFA were right). */
export const HARD_EXPIRED = 'Your password has expired. Only an administrator can reset it under this account’s password policy.';

let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashPassword(randomBytes(18).toString('base64')));

/** The account named by a 12-digit id or an alias. */
export async function findAccount(store: Store, raw: string): Promise<AccountRecord | undefined> {
  const name = raw.trim().toLowerCase();
  if (/^\d{12}$/.test(name)) return store.accounts.get(name);
  if (/^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])?$/.test(name)) return store.accounts.getByAlias(name);
  return undefined;
}

/** Where a sign-in's MFA attempts are logged from. */
export interface SigninDeps extends MfaCheckDeps {
  requestId: string;
}

async function mfaOk(deps: SigninDeps, account: AccountRecord, user: UserRecord, code: string, now: number): Promise<'none' | 'ok' | 'missing' | 'wrong'> {
  const devices = (await deps.store.mfaDevices.listForUser(user.id)).filter((d) => d.enabledAt !== null);
  if (devices.length === 0) return 'none';
  if (code === '') return 'missing';
  const principal = userArn(account.id, user.path, user.name);
  for (const device of devices) {
    if ((await checkMfaCode(deps, { device, code, now, principal, requestId: deps.requestId, via: 'console:signin' })) === 'ok') return 'ok';
  }
  return 'wrong';
}

export async function checkSignin(deps: SigninDeps, input: SigninInput, now: number): Promise<SigninCheck> {
  const { store } = deps;
  const account = await findAccount(store, input.account);
  const user = account && /^[\w+=,.@-]{1,64}$/.test(input.username) ? await store.users.get(account.id, input.username) : undefined;
  const profile = user ? await store.loginProfiles.get(user.id) : undefined;
  const matches = await verifyPassword(profile?.passwordHash ?? (await dummyHash()), input.password);
  if (!account) return { ok: false, reason: 'unknown-account' };
  const refuse = (reason: SigninReason): SigninCheck => ({ ok: false, reason, accountId: account.id });
  if (!user) return refuse('unknown-user');
  if (!profile) return refuse('no-password');
  if (!matches) return refuse('wrong-password');
  const mfa = await mfaOk(deps, account, user, input.mfaCode, now);
  if (mfa === 'missing') return refuse('mfa-required');
  if (mfa === 'wrong') return refuse('wrong-mfa');
  const status = passwordStatus(profile, account.passwordPolicy, now);
  if (status === 'hard-expired') return refuse('password-expired');
  return { ok: true, account, user, mustChangePassword: status === 'ok' ? undefined : status, mfa: mfa === 'ok' };
}

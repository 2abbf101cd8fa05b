/**
 * Passwords: argon2id hashes (m = 19 MiB, t = 2, p = 1, OWASP's recommendation),
 * never truncated, and the account password policy's rules (AWS's default
 * policy when the account has none).
 */
import { hash, verify } from '@node-rs/argon2';
import type { LoginProfileRecord, PasswordPolicy } from '../store/types.js';

const ARGON2ID = 2;
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/**
 * AWS's default password policy, used when the account has none: at least 8
 * characters, with at least three of the four classes (lowercase, uppercase,
 * numbers, symbols).
 */
export const DEFAULT_MINIMUM_LENGTH = 8;
const DEFAULT_MINIMUM_CLASSES = 3;

const CLASSES = {
  lowercase: { test: (p: string) => /[a-z]/.test(p), rule: 'contain a lowercase letter' },
  uppercase: { test: (p: string) => /[A-Z]/.test(p), rule: 'contain an uppercase letter' },
  numbers: { test: (p: string) => /[0-9]/.test(p), rule: 'contain a number' },
  symbols: { test: (p: string) => /[!@#$%^&*()_+\-=[\]{}|']/.test(p), rule: 'contain a symbol' },
} as const;

/** What is wrong with `password` under `policy`, or undefined when it complies. */
export function passwordPolicyViolation(password: string, policy: PasswordPolicy | null): string | undefined {
  const min = policy?.minimumPasswordLength ?? DEFAULT_MINIMUM_LENGTH;
  const problems: string[] = [];
  if ([...password].length < min) problems.push(`be at least ${min} characters long`);
  if (policy === null) {
    const classes = Object.values(CLASSES).filter((c) => c.test(password)).length;
    if (classes < DEFAULT_MINIMUM_CLASSES) problems.push('contain at least three of: lowercase letters, uppercase letters, numbers and symbols');
  } else {
    if (policy.requireLowercaseCharacters && !CLASSES.lowercase.test(password)) problems.push(CLASSES.lowercase.rule);
    if (policy.requireUppercaseCharacters && !CLASSES.uppercase.test(password)) problems.push(CLASSES.uppercase.rule);
    if (policy.requireNumbers && !CLASSES.numbers.test(password)) problems.push(CLASSES.numbers.rule);
    if (policy.requireSymbols && !CLASSES.symbols.test(password)) problems.push(CLASSES.symbols.rule);
  }
  if (problems.length === 0) return undefined;
  return `Password does not conform to the account password policy: it must ${problems.join(', ')}.`;
}

const DAY_MS = 86_400_000;

/**
 * Where a console password stands under the account policy:
 * - `hard-expired`: older than MaxPasswordAge days with HardExpiry on; only an administrator
 *   (UpdateLoginProfile) can set a new one, and the console refuses it;
 * - `expired`: older than MaxPasswordAge days; the user must choose a new one before anything else;
 * - `change-required`: an administrator set PasswordResetRequired;
 * - `ok`.
 */
export type PasswordStatus = 'ok' | 'change-required' | 'expired' | 'hard-expired';

export function passwordStatus(profile: Pick<LoginProfileRecord, 'passwordChangedAt' | 'resetRequired'>, policy: PasswordPolicy | null, now: number): PasswordStatus {
  const maxAge = policy?.maxPasswordAge ?? null;
  if (maxAge !== null && now >= profile.passwordChangedAt + maxAge * DAY_MS) return policy?.hardExpiry ? 'hard-expired' : 'expired';
  return profile.resetRequired ? 'change-required' : 'ok';
}

/**
 * Whether `password` is the current one or one of the previous ones the policy's
 * PasswordReusePrevention (N) forbids: the current password and the N - 1 before it.
 */
export async function reusesPassword(password: string, profile: Pick<LoginProfileRecord, 'passwordHash' | 'previousHashes'>, policy: PasswordPolicy | null): Promise<boolean> {
  const remembered = policy?.passwordReusePrevention ?? 0;
  if (remembered <= 0) return false;
  for (const stored of [profile.passwordHash, ...profile.previousHashes].slice(0, remembered)) {
    if (await verifyPassword(stored, password)) return true;
  }
  return false;
}

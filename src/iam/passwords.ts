/**
 * Passwords: argon2id hashes (m = 19 MiB, t = 2, p = 1, OWASP's recommendation),
 * never truncated, and the account password policy's rules.
 */
import { hash, verify } from '@node-rs/argon2';
import type { PasswordPolicy } from '../store/types.js';

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

/** AWS's defaults when no account password policy is set. */
export const DEFAULT_MINIMUM_LENGTH = 8;

/** What is wrong with `password` under `policy`, or undefined when it complies. */
export function passwordPolicyViolation(password: string, policy: PasswordPolicy | null): string | undefined {
  const min = policy?.minimumPasswordLength ?? DEFAULT_MINIMUM_LENGTH;
  const problems: string[] = [];
  if ([...password].length < min) problems.push(`be at least ${min} characters long`);
  if (policy?.requireLowercaseCharacters && !/[a-z]/.test(password)) problems.push('contain a lowercase letter');
  if (policy?.requireUppercaseCharacters && !/[A-Z]/.test(password)) problems.push('contain an uppercase letter');
  if (policy?.requireNumbers && !/[0-9]/.test(password)) problems.push('contain a number');
  if (policy?.requireSymbols && !/[!@#$%^&*()_+\-=[\]{}|']/.test(password)) problems.push('contain a symbol');
  if (problems.length === 0) return undefined;
  return `Password does not conform to the account password policy: it must ${problems.join(', ')}.`;
}

/**
 * Unique identifiers with AWS's prefixes. Ids are 20 characters: a four-letter
 * prefix and 16 characters of base32 (A–Z, 2–7) from the CSPRNG.
 */
import { randomBytes, randomInt } from 'node:crypto';

export const ID_PREFIX = {
  user: 'AIDA',
  group: 'AGPA',
  role: 'AROA',
  policy: 'ANPA',
  accessKey: 'AKIA',
  temporaryKey: 'ASIA',
  mfa: 'AIPA',
  instanceProfile: 'AIPA',
} as const;

export type IdKind = keyof typeof ID_PREFIX;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Random base32 text of the given length (5 bits per character). */
export function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += BASE32[bytes[i]! & 31];
  return out;
}

/** A new unique id such as `AIDA…` (20 characters). */
export function newId(kind: IdKind): string {
  return ID_PREFIX[kind] + randomBase32(16);
}

/** A 40-character secret access key carrying 240 bits of randomness. */
export function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/** A new 12-digit account id (never starting with 0). */
export function newAccountId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 11; i++) id += String(randomInt(0, 10));
  return id;
}

/** A request id in the UUID form AWS uses. */
export function newRequestId(): string {
  return crypto.randomUUID();
}

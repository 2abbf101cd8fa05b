/**
 * Unique identifiers with AWS's prefixes and lengths, from the CSPRNG (base32: A–Z, 2–7):
 * - unique ids of entities (users, groups, roles, policies, instance profiles) are 21
 *   characters, a four-letter prefix and 17, as AWS's are; signing certificate ids are 24
 *   (`ASCA` and 20: AWS's model requires at least 24);
 * - access key ids (AKIA, ASIA) are 20 characters, a prefix and 16, as AWS's are.
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
  signingCertificate: 'ASCA',
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

/** Kinds whose ids are access key ids (20 characters); every other id is 21. */
const KEY_IDS: ReadonlySet<IdKind> = new Set(['accessKey', 'temporaryKey']);

/**
 * The length of a new id of this kind: 20 for access key ids, 24 for signing certificate ids
 * (AWS's model requires at least 24), 21 for every other unique id.
 */
export const idLength = (kind: IdKind): number => (KEY_IDS.has(kind) ? 20 : kind === 'signingCertificate' ? 24 : 21);

/** A new id such as `AIDA…` (21 characters) or `AKIA…` (20). */
export function newId(kind: IdKind): string {
  return ID_PREFIX[kind] + randomBase32(idLength(kind) - 4);
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

/**
 * CLI sign-in (RFC 8628) state, over the store: device codes, user codes and CLI grants.
 * - A device code and a grant are 32 random bytes (base64url, `ghd_`/`ghg_` prefixed so a
 *   leaked one is recognisable); only their SHA-256 is stored, so the database alone can
 *   neither poll nor use one. They never go to a log.
 * - A user code is 8 letters of RFC 8628 §6.1's base-20 alphabet (no vowels, nothing that reads
 *   alike: 0/O, 1/I/L), shown `XXXX-XXXX`; typed in any case, with or without the dash.
 * - A device authorization lives 10 minutes; its poll interval starts at 5 s.
 * - A grant lives `portal.cliGrantHours`. Using it is the caller's business (api-grant.ts):
 *   every use re-reads the person's groups with the service account.
 */
import { createHash } from 'node:crypto';
import { tokenBytes } from '../shared/random.js';
import { UniqueViolation, type CliGrantRecord, type DeviceAuthorizationRecord, type Store } from '../store/types.js';

/** The store parts CLI sign-in uses. */
export type CliStore = Pick<Store, 'deviceAuthorizations' | 'cliGrants' | 'transaction'>;

export const CLIENT_ID = 'gatehouse-cli';
export const DEVICE_CODE_SECONDS = 600;
export const POLL_INTERVAL_SECONDS = 5;
const ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';

export const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('base64url');
const secret = (prefix: string): string => `${prefix}${tokenBytes(32).toString('base64url')}`;

/** A fresh user code, `XXXX-XXXX` (rejection sampling: no modulo bias). */
export function newUserCode(): string {
  let out = '';
  while (out.length < 8) {
    for (const b of tokenBytes(16)) if (b < 240 && out.length < 8) out += ALPHABET[b % 20];
  }
  return `${out.slice(0, 4)}-${out.slice(4)}`;
}

/** The canonical `XXXX-XXXX` form of what someone typed, or undefined when it cannot be a user code. */
export function normalizeUserCode(input: unknown): string | undefined {
  if (typeof input !== 'string' || input.length > 20) return undefined;
  const letters = input.toUpperCase().replace(/[\s-]/g, '');
  if (letters.length !== 8 || [...letters].some((c) => !ALPHABET.includes(c))) return undefined;
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}

export class CliSignin {
  constructor(
    private readonly store: CliStore,
    private readonly grantHours: number,
  ) {}

  /** Starts a device authorization; returns the device code (once) and the record. */
  async start(sourceIp: string, now: number): Promise<{ deviceCode: string; authorization: DeviceAuthorizationRecord }> {
    // Expired rows are dropped as new sign-ins start (an indexed delete): nothing else keeps them.
    await this.store.deviceAuthorizations.sweep(now);
    await this.store.cliGrants.sweep(now);
    for (let attempt = 0; ; attempt++) {
      const deviceCode = secret('ghd_');
      const authorization: DeviceAuthorizationRecord = {
        id: hashOf(deviceCode), userCode: newUserCode(), clientId: CLIENT_ID, sourceIp, createdAt: now, expiresAt: now + DEVICE_CODE_SECONDS * 1000,
        intervalSeconds: POLL_INTERVAL_SECONDS, lastPolledAt: null, status: 'pending', subject: null, username: null, subjectDn: null, stableId: null, decidedAt: null,
      };
      try {
        await this.store.deviceAuthorizations.create(authorization);
        return { deviceCode, authorization };
      } catch (err) {
        // A user code already in use (about one in 10^7 per live code): draw again.
        if (!(err instanceof UniqueViolation) || attempt >= 4) throw err;
      }
    }
  }

  /**
   * Exchanges an approved device authorization for a new grant, exactly once (one transaction:
   * the authorization is marked used and the grant's hash stored). Undefined when another
   * exchange won.
   */
  async exchange(authorizationId: string, now: number): Promise<{ grant: string; record: CliGrantRecord } | undefined> {
    return this.store.transaction(async (tx) => {
      const a = await tx.deviceAuthorizations.consume(authorizationId, now);
      if (!a || a.subject === null || a.username === null || a.subjectDn === null) return undefined;
      const grant = secret('ghg_');
      const record: CliGrantRecord = {
        id: tokenBytes(12).toString('base64url'), tokenHash: hashOf(grant), subject: a.subject, username: a.username, subjectDn: a.subjectDn, stableId: a.stableId,
        clientId: a.clientId, sourceIp: a.sourceIp, createdAt: now, expiresAt: now + this.grantHours * 3600_000, lastUsedAt: null,
      };
      await tx.cliGrants.create(record);
      return { grant, record };
    });
  }

  /** The unexpired grant presented as `Authorization: Bearer <grant>`, if any. */
  async grantFor(grant: string, now: number): Promise<CliGrantRecord | undefined> {
    if (!/^ghg_[\w-]{43}$/.test(grant)) return undefined;
    return this.store.cliGrants.findByTokenHash(hashOf(grant), now);
  }

  get grants(): CliStore['cliGrants'] {
    return this.store.cliGrants;
  }

  get authorizations(): CliStore['deviceAuthorizations'] {
    return this.store.deviceAuthorizations;
  }
}

/** The person key of grants and sign-outs: the directory user name, lower-cased. */
export const subjectOf = (username: string): string => username.toLowerCase();

/**
 * Session tokens: self-contained, authenticated and encrypted (JWE compact,
 * `dir` + `A256GCM`, algorithms pinned on both sides). The token carries the
 * temporary secret and everything needed to evaluate the session, so any
 * instance that shares the key ring verifies it without a database lookup.
 *
 * Key ring: token keys are derived with HKDF-SHA256 from the key-encryption key
 * (KEK), one per UTC day (`kid` = `d<day number>`), so keys rotate daily with no
 * shared state and every instance with the KEK derives the same ones. A token
 * names its key; keys older than the longest session (36 h) plus a day are no
 * longer accepted.
 *
 * Opening a token is ~100 µs (WebCrypto), so verified tokens are cached in a
 * bounded LRU keyed by the token's SHA-256, each until its own expiry.
 */
import { createCipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';

export type SessionKind = 'federation' | 'session' | 'role';

/** What a session token carries. */
export interface SessionClaims {
  /** Format version. */
  v: 1;
  kind: SessionKind;
  /** The temporary access key id (ASIA…) and its secret. */
  akid: string;
  secret: string;
  account: string;
  /** Issue and expiry, epoch ms. */
  iat: number;
  exp: number;
  /** The principal: federated-user name, or role session name. */
  name?: string;
  /** The issuing IAM user's id (federation, session), null for the root. */
  userId?: string | null;
  /** The role's id and name (role sessions). */
  roleId?: string;
  roleName?: string;
  /** Session policy documents and managed policy ARNs. */
  policies?: string[];
  policyArns?: string[];
  /** When MFA was presented (epoch ms). */
  mfa?: number;
  tags?: Record<string, string>;
  sourceIdentity?: string;
  /** The person in the directory behind a portal mint: DN, stable id, user name (mint-identity.ts). */
  dir?: { dn: string; id?: string; u?: string };
}

const DAY_MS = 86_400_000;
const ENC = 'A256GCM';
const ALG = 'dir';
/** Keys older than this many days are refused (36 h sessions + a day of slack). */
const KEY_LIFETIME_DAYS = 3;
const CACHE_MAX = 50_000;

export type OpenResult = { ok: true; claims: SessionClaims } | { ok: false; reason: 'invalid' | 'expired' };

export class TokenService {
  private readonly keys = new Map<number, Uint8Array>();
  private readonly cache = new Map<string, SessionClaims>();

  constructor(private readonly kek: Buffer) {}

  /**
   * Seals claims as a compact JWE (RFC 7516: `dir` + `A256GCM`, the protected header as the
   * AAD). Built on node:crypto's AES-256-GCM, which is ~10× faster than WebCrypto for this;
   * the output is a standard JWE that jose opens (a unit test checks both directions), and
   * opening always goes through jose with the algorithms pinned.
   */
  async seal(claims: SessionClaims, now: number): Promise<string> {
    const day = Math.floor(now / DAY_MS);
    const header = Buffer.from(JSON.stringify({ alg: ALG, enc: ENC, kid: `d${day}`, typ: 'gatehouse-session' })).toString('base64url');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key(day), iv);
    cipher.setAAD(Buffer.from(header, 'ascii'));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(claims), 'utf8'), cipher.final()]);
    return `${header}..${iv.toString('base64url')}.${ciphertext.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
  }

  /** Seals with jose (kept for the interoperability test). */
  async sealWithJose(claims: SessionClaims, now: number): Promise<string> {
    const day = Math.floor(now / DAY_MS);
    return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: ALG, enc: ENC, kid: `d${day}`, typ: 'gatehouse-session' })
      .encrypt(this.key(day));
  }

  /** Verifies and decrypts a token; an expired one is reported as such. */
  async open(token: string, now: number): Promise<OpenResult> {
    const digest = createHash('sha256').update(token).digest('base64');
    let claims = this.cache.get(digest);
    if (claims === undefined) {
      const opened = await this.decrypt(token, now);
      if (opened === undefined) return { ok: false, reason: 'invalid' };
      claims = opened;
      if (this.cache.size >= CACHE_MAX) this.evictExpired(now);
      this.cache.set(digest, claims);
    }
    if (now >= claims.exp) {
      this.cache.delete(digest);
      return { ok: false, reason: 'expired' };
    }
    return { ok: true, claims };
  }

  private async decrypt(token: string, now: number): Promise<SessionClaims | undefined> {
    if (token.length > 16_384 || token.split('.').length !== 5) return undefined;
    try {
      const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as { kid?: unknown };
      const day = typeof header.kid === 'string' && /^d\d{1,7}$/.test(header.kid) ? Number(header.kid.slice(1)) : NaN;
      const today = Math.floor(now / DAY_MS);
      if (!(day <= today + 1 && day >= today - KEY_LIFETIME_DAYS)) return undefined;
      const { plaintext } = await compactDecrypt(token, this.key(day), { keyManagementAlgorithms: [ALG], contentEncryptionAlgorithms: [ENC] });
      const claims = JSON.parse(new TextDecoder().decode(plaintext)) as SessionClaims;
      return claims.v === 1 && typeof claims.akid === 'string' && typeof claims.exp === 'number' ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  private key(day: number): Uint8Array {
    let k = this.keys.get(day);
    if (!k) {
      k = new Uint8Array(hkdfSync('sha256', this.kek, 'gatehouse-session-token', `day:${day}`, 32));
      if (this.keys.size > 16) this.keys.clear();
      this.keys.set(day, k);
    }
    return k;
  }

  private evictExpired(now: number): void {
    for (const [k, c] of this.cache) if (c.exp <= now) this.cache.delete(k);
    while (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value!);
  }
}

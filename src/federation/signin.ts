/**
 * The two steps of console federation, as AWS's federation endpoint does them.
 *
 * getSigninToken(Session, SessionDuration?)
 * - Session is JSON {sessionId, sessionKey, sessionToken}: valid, unexpired temporary
 *   credentials from GetFederationToken or AssumeRole whose secret matches.
 * - GetSessionToken credentials and long-term keys are refused ("Only federation
 *   tokens or assume role tokens may be used for federated login").
 * - SessionDuration (900–43200) only for AssumeRole credentials; refused for
 *   GetFederationToken ones. The console session never outlives the credentials.
 * - The sign-in token is 256 random bits; only its SHA-256 is stored, with the
 *   session token encrypted; it is valid for 15 minutes and for one use, on any
 *   instance sharing the store.
 * login(SigninToken) consumes the token atomically and returns the console session.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { tokenBytes } from '../shared/random.js';
import type { Keyring } from '../iam/keyring.js';
import { temporaryPrincipalArn } from '../iam/principals.js';
import type { Store } from '../store/types.js';
import type { TokenService, SessionClaims } from '../sts/tokens.js';

export const SIGNIN_TOKEN_TTL_MS = 15 * 60_000;
export const ONLY_FEDERATION = 'Only federation tokens or assume role tokens may be used for federated login.';

export type SigninResult = { ok: true; token: string } | { ok: false; status: 400 | 403; message: string };

export interface ConsoleGrant {
  accountId: string;
  /** The temporary credentials' session token; kept server-side only. */
  sessionToken: string;
  accessKeyId: string;
  /** The session's principal ARN (federated user or assumed-role session). */
  principalArn: string;
  expiresAt: number;
}

interface SessionParam {
  sessionId: string;
  sessionKey: string;
  sessionToken: string;
}

function readSession(raw: string | undefined): SessionParam | undefined {
  if (typeof raw !== 'string' || raw.length > 20_000) return undefined;
  try {
    const v = JSON.parse(raw) as Record<string, unknown>;
    if (typeof v !== 'object' || v === null) return undefined;
    const { sessionId, sessionKey, sessionToken } = v;
    if (typeof sessionId !== 'string' || typeof sessionKey !== 'string' || typeof sessionToken !== 'string') return undefined;
    return { sessionId, sessionKey, sessionToken };
  } catch {
    return undefined;
  }
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64url');

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Signin {
  constructor(
    private readonly store: Store,
    private readonly tokens: TokenService,
    private readonly keyring: Keyring,
  ) {}

  async getSigninToken(sessionRaw: string | undefined, durationRaw: string | undefined, now: number): Promise<SigninResult> {
    const s = readSession(sessionRaw);
    if (!s) return { ok: false, status: 400, message: 'The Session parameter must be JSON with sessionId, sessionKey and sessionToken.' };
    if (!s.sessionId.startsWith('ASIA')) return { ok: false, status: 403, message: ONLY_FEDERATION };
    const opened = await this.tokens.open(s.sessionToken, now);
    if (!opened.ok) return { ok: false, status: 403, message: opened.reason === 'expired' ? 'The security token included in the request is expired.' : 'The security token included in the request is invalid.' };
    const c: SessionClaims = opened.claims;
    if (c.akid !== s.sessionId || !sameSecret(c.secret, s.sessionKey)) return { ok: false, status: 403, message: 'The security token included in the request is invalid.' };
    if (c.kind === 'session') return { ok: false, status: 403, message: ONLY_FEDERATION };
    let expiresAt = c.exp;
    if (durationRaw !== undefined) {
      if (c.kind !== 'role') return { ok: false, status: 400, message: 'SessionDuration is allowed only for credentials from AssumeRole; a console session from GetFederationToken lasts as long as its credentials.' };
      if (!/^\d{3,5}$/.test(durationRaw) || Number(durationRaw) < 900 || Number(durationRaw) > 43_200) {
        return { ok: false, status: 400, message: 'SessionDuration must be between 900 and 43200 seconds.' };
      }
      expiresAt = Math.min(c.exp, now + Number(durationRaw) * 1000);
    }
    const token = tokenBytes(32).toString('base64url');
    const id = digest(token);
    await this.store.signinTokens.create({
      id,
      accountId: c.account,
      payloadCiphertext: this.keyring.encrypt(s.sessionToken, id),
      sessionExpiresAt: expiresAt,
      createdAt: now,
      expiresAt: now + SIGNIN_TOKEN_TTL_MS,
    });
    return { ok: true, token };
  }

  /** Consumes a sign-in token; undefined when unknown, used, expired, or its credentials are. */
  async login(token: string | undefined, now: number): Promise<ConsoleGrant | undefined> {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const id = digest(token);
    const record = await this.store.signinTokens.consume(id, now);
    if (!record || record.sessionExpiresAt <= now) return undefined;
    const sessionToken = this.keyring.decrypt(record.payloadCiphertext, id);
    const opened = await this.tokens.open(sessionToken, now);
    if (!opened.ok) return undefined;
    const c = opened.claims;
    const principalArn = temporaryPrincipalArn(c);
    return { accountId: record.accountId, sessionToken, accessKeyId: c.akid, principalArn, expiresAt: record.sessionExpiresAt };
  }
}

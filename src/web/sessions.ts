/**
 * Session cookies for the console and the portal (express-session).
 * - HttpOnly, SameSite=Lax, and Secure with the `__Host-` prefix when publicUrl is https.
 * - Session ids are express-session's (uid-safe, 24 bytes = 192 bits).
 * - The cookie-signing secret is derived from the KEK, so every instance agrees.
 * - No session is saved until something is stored in it (saveUninitialized: false).
 */
import session from 'express-session';
import type { RequestHandler } from 'express';

declare module 'express-session' {
  interface SessionData {
    console?: ConsoleSessionData;
    portal?: Record<string, unknown>;
    flash?: { kind: 'notice' | 'error'; text: string };
  }
}

/** What the console remembers about its signed-in principal (server-side only). */
export interface ConsoleSessionData {
  kind: 'federated' | 'user';
  accountId: string;
  principalArn: string;
  /** Federated sessions: the temporary credentials' key id and session token. */
  accessKeyId?: string;
  sessionToken?: string;
  /** IAM users signed in with a password. */
  userId?: string;
  /** The normalised, trusted Issuer, if any. */
  issuer?: string;
  /** Epoch ms; never later than the credentials' expiry. */
  expiresAt: number;
  /** IAM-user sessions: when the user signed in, and when MFA was presented (if it was). */
  signedInAt?: number;
  mfaAt?: number;
}

export interface CookieOptions {
  /** `console` or `portal`. */
  name: string;
  secure: boolean;
  secret: string;
  store: session.Store;
  /** Idle lifetime of the cookie (ms); the server-side expiry rules are enforced separately. */
  maxAgeMs: number;
}

export function cookieName(name: string, secure: boolean): string {
  return secure ? `__Host-gatehouse-${name}` : `gatehouse-${name}`;
}

export function sessionMiddleware(o: CookieOptions): RequestHandler {
  return session({
    name: cookieName(o.name, o.secure),
    secret: o.secret,
    store: o.store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: undefined,
    cookie: { httpOnly: true, sameSite: 'lax', secure: o.secure, path: '/', maxAge: o.maxAgeMs },
  });
}

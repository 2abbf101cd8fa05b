/**
 * Session cookies for the console and the portal (express-session).
 * - HttpOnly, SameSite=Lax, and Secure with the `__Host-` prefix when publicUrl is https.
 * - Session ids are express-session's (uid-safe, 24 bytes = 192 bits).
 * - The cookie-signing secret is derived from the KEK, so every instance agrees.
 * - No session is saved until something is stored in it (saveUninitialized: false).
 * - `issuedHere(req)` tells whether the request's session id was generated while serving it
 *   (no stored session came with the request): such an id is fresh and known to no one, so
 *   signing in on it needs no regeneration (which would destroy a row that does not exist and
 *   make express-session write the new session twice).
 */
import { tokenBytes } from '../shared/random.js';
import session from 'express-session';
import type { Request, RequestHandler } from 'express';

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

/** Requests whose session id was generated while serving them (express-session calls genid). */
const generated = new WeakSet<object>();

/** Whether `req.session` was created for this request rather than loaded from the store. */
export function issuedHere(req: Request): boolean {
  return generated.has(req);
}

export function sessionMiddleware(o: CookieOptions): RequestHandler {
  return session({
    name: cookieName(o.name, o.secure),
    // express-session's own ids are uid-safe(24): 24 random bytes, base64url. The same here,
    // with a note that this request got a fresh one.
    genid: (req) => {
      generated.add(req);
      return tokenBytes(24).toString('base64url');
    },
    secret: o.secret,
    store: o.store,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    proxy: undefined,
    cookie: { httpOnly: true, sameSite: 'lax', secure: o.secure, path: '/', maxAge: o.maxAgeMs },
  });
}

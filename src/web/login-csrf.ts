/**
 * CSRF protection for the sign-in form, without a session: a signed double-submit cookie.
 *
 * Before sign-in there is nothing worth a server-side session, so the sign-in page stores
 * nothing (a GET of it writes nothing to the session store). Instead:
 * - the page carries a random token (32 bytes, hex) in its hidden `_csrf` field, and sets a
 *   cookie holding the same token, its expiry and an HMAC-SHA256 of both under a key derived
 *   from the KEK (so every instance accepts the others' tokens);
 * - the cookie is HttpOnly, SameSite=Strict, Path=/portal/ (or /console/ for the console's IAM-user
 *   sign-in, `area: 'console'`, under its own name and MAC label), and `__Host-`-prefixed + Secure
 *   when publicUrl is https (then no subdomain can plant one); it lives as long as the token;
 * - a sign-in POST is refused (403, the same error as csrf-sync's) unless the cookie's MAC is
 *   valid, it has not expired, and the form's `_csrf` equals its token (constant-time compares);
 *   a cross-site form post has no way to read the token, and SameSite=Strict keeps the cookie
 *   off cross-site requests anyway;
 * - after a successful sign-in the cookie is cleared; the signed-in pages use the session's
 *   synchronizer token (csrf.ts).
 * The token protects against login CSRF (signing a victim into the attacker's account); it is
 * worth exactly what a pre-login session holding a token was, without its two store writes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { tokenBytes } from '../shared/random.js';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { invalidCsrfTokenError } from './csrf.js';

export interface LoginCsrfOptions {
  /** HMAC key (at least 32 bytes), derived from the KEK so every instance agrees. */
  key: Buffer;
  /** https publicUrl: `__Host-` prefix and Secure. */
  secure: boolean;
  /** How long a sign-in form stays usable (ms). */
  lifetimeMs: number;
  /** Epoch ms (the injected clock). */
  now: () => number;
  /** Which sign-in form: names the cookie (`gatehouse-<area>-csrf`), its path (`/<area>/`) and the MAC's label. Default `portal`. */
  area?: 'portal' | 'console';
}

export interface LoginCsrf {
  /** Sets the cookie on `res` and returns the token for the form's `_csrf` field. */
  issue(res: Response): string;
  /** Middleware: 403 unless the request carries a valid cookie and the matching `_csrf`. */
  protect: RequestHandler;
  /** Clears the cookie (after a successful sign-in). */
  clear(res: Response): void;
}

export function loginCsrf(o: LoginCsrfOptions): LoginCsrf {
  if (o.key.length < 32) throw new Error('loginCsrf: the key must be at least 32 bytes');
  const area = o.area ?? 'portal';
  const name = o.secure ? `__Host-gatehouse-${area}-csrf` : `gatehouse-${area}-csrf`;
  // __Host- cookies must have Path=/ (RFC 6265bis); otherwise the cookie is kept to its area.
  const path = o.secure ? '/' : `/${area}/`;
  const flags = `; Path=${path}; HttpOnly; SameSite=Strict${o.secure ? '; Secure' : ''}`;
  // The label keeps one area's cookie from passing as the other's.
  const mac = (payload: string) => createHmac('sha256', o.key).update(`${area}-login-csrf\0${payload}`).digest('base64url');

  const issue = (res: Response): string => {
    const token = tokenBytes(32).toString('hex');
    const expires = o.now() + o.lifetimeMs;
    const payload = `${token}.${expires.toString(36)}`;
    appendCookie(res, `${name}=${payload}.${mac(payload)}${flags}; Max-Age=${Math.floor(o.lifetimeMs / 1000)}`);
    return token;
  };

  /** The token of a valid, unexpired cookie, or undefined. */
  const tokenOf = (req: Request): string | undefined => {
    const value = cookieValue(req.headers.cookie, name);
    const parts = value?.split('.');
    if (!parts || parts.length !== 3) return undefined;
    const [token, expires, sig] = parts as [string, string, string];
    if (!/^[0-9a-f]{64}$/.test(token) || !(Number.parseInt(expires, 36) > o.now())) return undefined;
    return equal(sig, mac(`${token}.${expires}`)) ? token : undefined;
  };

  const protect = (req: Request, _res: Response, next: NextFunction): void => {
    const sent: unknown = (req.body as Record<string, unknown> | undefined)?._csrf;
    const token = tokenOf(req);
    next(token !== undefined && typeof sent === 'string' && equal(sent, token) ? undefined : invalidCsrfTokenError);
  };

  const clear = (res: Response): void => appendCookie(res, `${name}=${flags}; Max-Age=0`);

  return { issue, protect, clear };
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The value of the first cookie called `name` in a Cookie header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function appendCookie(res: Response, cookie: string): void {
  const prev = res.getHeader('Set-Cookie');
  res.setHeader('Set-Cookie', prev === undefined ? [cookie] : [...(Array.isArray(prev) ? prev : [String(prev)]), cookie]);
}

/**
 * The way back to the Issuer, kept beyond the console session: a signed cookie.
 *
 * The console session and its cookie end with the credentials, and the server may forget the
 * session (a restart, a sweep); the page that then answers must still know where the person
 * came from. So every federation `login` also sets this cookie:
 * - set to the normalised, trusted Issuer when `login` named one; cleared when it named none;
 * - value `<issuer, base64url>.<expiry, base36 epoch ms>.<HMAC-SHA256, base64url>`, the MAC
 *   under a key derived from the KEK (every instance agrees; nobody else can make or alter
 *   one) over both fields, so a cookie kept past its lifetime is refused on the server too;
 * - HttpOnly, SameSite=Lax, Path=/, and `__Host-` + Secure when publicUrl is https;
 *   Max-Age = `federation.issuerCookieDays`;
 * - it is a hint, never an authority: `recall` gives the Issuer only while it is still under
 *   `federation.trustedIssuers` (checked at every read, so an Issuer removed from the config is
 *   never linked again), and a cookie that is malformed, forged or expired is ignored.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { cookieValue } from '../web/login-csrf.js';
import { checkIssuer } from './urls.js';

export interface IssuerMemoryOptions {
  /** HMAC key (at least 32 bytes), derived from the KEK. */
  key: Buffer;
  /** https publicUrl: `__Host-` prefix and Secure. */
  secure: boolean;
  /** `federation.issuerCookieDays`. */
  lifetimeDays: number;
  /** `federation.trustedIssuers`, re-checked at every read. */
  trustedIssuers: readonly string[];
  /** Epoch ms (the injected clock). */
  now: () => number;
}

export interface IssuerMemory {
  /** Sets the cookie to `issuer` (already checked by the caller; checked again on read). */
  remember(res: Response, issuer: string): void;
  /** Clears the cookie (a federation sign-in without an Issuer). */
  forget(res: Response): void;
  /** The remembered Issuer, if the cookie is genuine, unexpired, and the Issuer still trusted. */
  recall(req: Request): string | undefined;
  /** `issuer` normalised if it is still trusted, else undefined (for a session's own Issuer). */
  trusted(issuer: string | undefined): string | undefined;
}

export const ISSUER_COOKIE = 'gatehouse-issuer';
const DAY_MS = 86_400_000;

export function issuerCookieName(secure: boolean): string {
  return secure ? `__Host-${ISSUER_COOKIE}` : ISSUER_COOKIE;
}

export function issuerMemory(o: IssuerMemoryOptions): IssuerMemory {
  if (o.key.length < 32) throw new Error('issuerMemory: the key must be at least 32 bytes');
  const name = issuerCookieName(o.secure);
  const lifetimeMs = o.lifetimeDays * DAY_MS;
  const flags = { httpOnly: true, sameSite: 'lax' as const, secure: o.secure, path: '/' };
  const mac = (payload: string) => createHmac('sha256', o.key).update(`federation-issuer\0${payload}`).digest('base64url');
  const trusted = (issuer: string | undefined) => (issuer ? checkIssuer(issuer, o.trustedIssuers) : undefined);

  return {
    remember(res, issuer) {
      const payload = `${Buffer.from(issuer, 'utf8').toString('base64url')}.${(o.now() + lifetimeMs).toString(36)}`;
      res.cookie(name, `${payload}.${mac(payload)}`, { ...flags, maxAge: lifetimeMs, encode: String });
    },
    forget(res) {
      res.clearCookie(name, flags);
    },
    recall(req) {
      const parts = cookieValue(req.headers.cookie, name)?.split('.');
      if (!parts || parts.length !== 3) return undefined;
      const [issuer64, expires, sig] = parts as [string, string, string];
      if (!/^[A-Za-z0-9_-]{1,4096}$/.test(issuer64) || !/^[0-9a-z]{1,12}$/.test(expires)) return undefined;
      if (!equal(sig, mac(`${issuer64}.${expires}`)) || !(Number.parseInt(expires, 36) > o.now())) return undefined;
      return trusted(Buffer.from(issuer64, 'base64url').toString('utf8'));
    },
    trusted,
  };
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

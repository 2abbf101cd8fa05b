/**
 * Sign-in rate limits (express-rate-limit), for the login form and the CLI API alike:
 * - per client IP: every attempt counts (`portal.attemptsPerIp` per 15 minutes);
 * - per user name (web/account-limits.ts, SECURITY H9): only refused passwords (401) count; per
 *   user name and client IP `portal.failuresPerAccount` per 15 minutes, then that pair is
 *   blocked; from all IPs, past `portal.accountCeiling` the name is slowed to one attempt per
 *   `portal.slowDownSeconds`, never locked, so nobody can lock a named person out through the
 *   portal (the directory's own lockout policy stays the authority); a directory outage (503)
 *   is never counted as a bad password.
 * Create them once and put the same instances before every sign-in route (form and API),
 * so that the routes share one budget.
 * Over the limit: 429 with Retry-After. No RateLimit-* or X-RateLimit-* headers on other
 * answers: they would tell anyone how many password tries an account has left, and cost a
 * SHA-256 and five headers per limiter per sign-in. The client IP is Express's `req.ip`, which
 * honours X-Forwarded-For only when `server.trustProxy` says so.
 */
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { Request, RequestHandler } from 'express';
import type { PortalConfig } from '../config/portal.js';
import type { RateLimitStoreFactory } from '../web/rate-limit-store.js';
import { accountLimits } from '../web/account-limits.js';

const WINDOW_MS = 15 * 60_000;

export function signinLimits(config: PortalConfig, onLimit: RequestHandler, stores?: RateLimitStoreFactory): RequestHandler[] {
  const handler: RequestHandler = (req, res, next) => {
    const resetTime = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    const seconds = resetTime ? Math.ceil((resetTime.getTime() - Date.now()) / 1000) : WINDOW_MS / 1000;
    res.setHeader('Retry-After', String(Math.min(WINDOW_MS / 1000, Math.max(1, seconds))));
    return onLimit(req, res, next);
  };
  const common = { windowMs: WINDOW_MS, standardHeaders: false, legacyHeaders: false, handler };
  const store = (prefix: string) => {
    const s = stores?.(prefix);
    return s ? { store: s } : {};
  };
  return [
    rateLimit({ ...common, ...store('portal-ip'), limit: config.attemptsPerIp, keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? '0.0.0.0')}` }),
    ...accountLimits(
      { windowMs: WINDOW_MS, perAccountAndIp: config.failuresPerAccount, accountCeiling: config.accountCeiling, slowDownMs: config.slowDownSeconds * 1000 },
      {
        prefix: 'portal',
        account: (req) => {
          const u = (req.body as { username?: unknown } | undefined)?.username;
          return `user:${typeof u === 'string' ? u.trim().toLowerCase().slice(0, 256) : '(none)'}`;
        },
        failed: (res) => res.statusCode === 401,
        // Retry-After is set by accountLimits; onLimit answers (a page or JSON).
        onLimit: (req, res) => void onLimit(req, res, () => undefined),
        ...(stores && { stores }),
      },
    ).handlers,
  ];
}

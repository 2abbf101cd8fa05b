/**
 * Per-account sign-in limits that stop password guessing without handing anyone a way to lock a
 * named person out (SECURITY H9). Used by the portal sign-in and the console's IAM-user sign-in:
 * - per (account, client IP): `perAccountAndIp` failed sign-ins per window, then that pair is
 *   blocked (429 with Retry-After) until the window ends; the same person elsewhere is not;
 * - per account, from all IPs: past `accountCeiling` failures in a window the account is not
 *   locked but slowed: one attempt per `slowDownMs` (429 with Retry-After for the rest), so
 *   spraying from many addresses gains little and the person can still get in;
 * - a known place is never slowed: an (account, client IP) pair that signed in successfully
 *   skips the ceiling for 7 days from that success (it keeps its own per-pair limit), so someone
 *   flooding a name from elsewhere cannot keep its owner out at their usual address;
 * - successes are never counted. The directory's own lockout policy (or, for IAM users, none)
 *   stays the authority: these limits never lock an account.
 * Counters live in the rate-limit store (rate-limit-store.ts: Redis, shared by every instance,
 * when configured). No RateLimit-* headers: they would tell anyone how many tries are left.
 * The client IP is Express's `req.ip` (X-Forwarded-For only when `server.trustProxy` says so),
 * IPv6 addresses grouped by /56.
 */
import { ipKeyGenerator, MemoryStore, rateLimit, type Options } from 'express-rate-limit';
import type { Request, RequestHandler, Response } from 'express';
import type { RateLimitStoreFactory } from './rate-limit-store.js';

export interface AccountLimitSettings {
  /** Counting window (ms). */
  windowMs: number;
  /** Failed sign-ins per (account, client IP) per window before that pair is blocked. */
  perAccountAndIp: number;
  /** Failed sign-ins per account from all IPs per window before its attempts are slowed. */
  accountCeiling: number;
  /** While slowed, one attempt per this many ms for the account. */
  slowDownMs: number;
}

export interface AccountLimitOptions {
  /** Prefix of the counters in the shared store (`portal`, `console`). */
  prefix: string;
  /** The account a request signs in to, normalised (one key for every spelling). */
  account(req: Request): string | Promise<string>;
  /** Whether the answer was a refused password (only those count). */
  failed(res: Response): boolean;
  /** Answers a limited request; `retryAfter` (seconds) is already in the Retry-After header. */
  onLimit(req: Request, res: Response): void;
  stores?: RateLimitStoreFactory;
}

export interface AccountLimits {
  handlers: RequestHandler[];
  /** Forgets the failures of this account from this client IP (after a successful sign-in). */
  reset(req: Request): Promise<void>;
}

type Limited = Request & Record<string, { resetTime?: Date } | undefined>;

const clientIp = (req: Request) => ipKeyGenerator(req.ip ?? '0.0.0.0');

/** How long a successful sign-in makes its (account, IP) pair known. Under 2^31 ms: MemoryStore's timer. */
export const KNOWN_PAIR_MS = 7 * 86_400_000;

export function accountLimits(s: AccountLimitSettings, o: AccountLimitOptions): AccountLimits {
  const store = (name: string) => {
    const st = o.stores?.(`${o.prefix}-${name}`);
    return st ? { store: st } : {};
  };
  /** Sets Retry-After from the limiter's reset time (at most its window) and answers. */
  const limited = (property: string, windowMs: number) => (req: Request, res: Response) => {
    const reset = (req as Limited)[property]?.resetTime;
    const seconds = reset ? Math.ceil((reset.getTime() - Date.now()) / 1000) : windowMs / 1000;
    res.setHeader('Retry-After', String(Math.min(Math.ceil(windowMs / 1000), Math.max(1, seconds))));
    o.onLimit(req, res);
  };
  const common = { standardHeaders: false as const, legacyHeaders: false, skipSuccessfulRequests: true, requestWasSuccessful: (_req: Request, res: Response) => !o.failed(res) };
  const pairKey = async (req: Request) => `${await o.account(req)}|${clientIp(req)}`;
  const pair = rateLimit({
    ...common,
    ...store('pair'),
    windowMs: s.windowMs,
    limit: s.perAccountAndIp,
    requestPropertyName: 'accountIpLimit',
    keyGenerator: pairKey,
    handler: limited('accountIpLimit', s.windowMs),
  });
  const slow = rateLimit({
    ...store('slow'),
    standardHeaders: false,
    legacyHeaders: false,
    windowMs: s.slowDownMs,
    limit: 1,
    requestPropertyName: 'accountSlowDown',
    keyGenerator: (req) => o.account(req),
    handler: limited('accountSlowDown', s.slowDownMs),
  });
  // Past the ceiling, the request is not refused here: it goes on to the slow-down.
  const overCeiling = rateLimit({
    ...common,
    ...store('account'),
    windowMs: s.windowMs,
    limit: s.accountCeiling,
    requestPropertyName: 'accountLimit',
    keyGenerator: (req) => o.account(req),
    handler: (req, res, next) => void slow(req, res, next),
  });
  // Pairs that signed in successfully: a counter per pair, kept KNOWN_PAIR_MS from its first success.
  const known = o.stores?.(`${o.prefix}-known`) ?? new MemoryStore();
  known.init?.({ windowMs: KNOWN_PAIR_MS } as Options);
  const ceiling: RequestHandler = async (req, res, next) => {
    const key = await pairKey(req);
    res.on('finish', () => {
      if (res.statusCode < 400 && !o.failed(res)) void Promise.resolve(known.increment(key)).catch(() => undefined);
    });
    if (((await known.get?.(key))?.totalHits ?? 0) > 0) return next();
    return overCeiling(req, res, next);
  };
  return { handlers: [pair, ceiling], reset: async (req) => pair.resetKey(await pairKey(req)) };
}

/**
 * The wait a 429 answer announces, so that its page can say it in words ("Try again in 14
 * minutes.", src/web/in-words.ts) and agree with its Retry-After header:
 * - a Retry-After already set on the response (by express-rate-limit or our own handler) wins;
 * - otherwise it is read from express-rate-limit's `req.rateLimit.resetTime` and the header is
 *   set from it; failing both, the whole window.
 * Always at least 1 second and at most the window.
 */
import type { Request, Response } from 'express';
import { retryAfterInWords } from './in-words.js';

export function retryAfterSeconds(req: Request, res: Response, windowMs: number, now: number = Date.now()): number {
  const max = Math.ceil(windowMs / 1000);
  const set = Number(res.getHeader('Retry-After'));
  if (Number.isFinite(set) && set > 0) return Math.min(max, Math.ceil(set));
  const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
  const seconds = Math.min(max, Math.max(1, reset ? Math.ceil((reset.getTime() - now) / 1000) : max));
  res.setHeader('Retry-After', String(seconds));
  return seconds;
}

/** "Try again in 14 minutes.", for the 429 answer `res` is about to send. */
export function tryAgainIn(req: Request, res: Response, windowMs: number): string {
  return retryAfterInWords(retryAfterSeconds(req, res, windowMs));
}

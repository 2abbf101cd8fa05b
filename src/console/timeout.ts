/**
 * The console's 401 page, and the way back it offers, whatever state browser and server are in.
 *
 * Endings (what the gate found):
 * - `missing`:   no console session came with the request (never signed in, or the browser
 *                dropped the cookie, which expires with the session);
 * - `forgotten`: the browser sent a console session cookie the server no longer knows (the
 *                session ended and was swept, or the server was restarted after its end);
 * - `expired`:   the session is past its end (never later than its credentials');
 * - `revoked`:   its credentials no longer resolve, or can no longer do anything;
 * - `password-expired`: an IAM user's password expired under HardExpiry.
 * The way back:
 * - the session's own Issuer when it still has one that is still trusted; otherwise the Issuer
 *   of this browser's last federation sign-in (the signed cookie, issuer-cookie.ts), again only
 *   while trusted; IAM-user sessions are sent to the IAM-user sign-in instead;
 * - with no Issuer at all, the portal and the IAM-user sign-in, and for someone who was not
 *   signed in the page says so (not "timed out").
 * The answer is 401 and `no-store`; it never shows the session's identity or credentials.
 */
import type { Request, Response } from 'express';
import type { IssuerMemory } from '../federation/issuer-cookie.js';
import { cookieValue } from '../web/login-csrf.js';
import type { ConsoleSessionData } from '../web/sessions.js';

export type Ending = 'missing' | 'forgotten' | 'expired' | 'revoked' | 'password-expired';

export interface WayBack {
  /** The Issuer cookie; without it only a live session's own Issuer can be linked. */
  issuers?: IssuerMemory;
  /** The console session cookie's name, to tell `forgotten` from `missing`. */
  sessionCookie?: string;
}

const REASONS: Record<Ending, string> = {
  missing: 'Your browser no longer holds a console session: the session ended, and its cookie with it.',
  forgotten: 'This console session has ended, and the server no longer holds it.',
  expired: 'Your console session has reached the end of its lifetime.',
  revoked: 'The credentials behind this session have been revoked, or can no longer be used.',
  'password-expired': 'Your password has expired. Ask an administrator to reset it.',
};

/** `missing` or `forgotten`, for a request that reached the gate without a console session. */
export function endingWithoutSession(req: Request, w: WayBack): Ending {
  return w.sessionCookie && cookieValue(req.headers.cookie, w.sessionCookie) !== undefined ? 'forgotten' : 'missing';
}

/** The Issuer the 401 page (and the header) may link to, re-checked against the trusted list. */
export function issuerFor(req: Request, w: WayBack, s: ConsoleSessionData | undefined): string | undefined {
  if (s?.kind === 'user') return undefined;
  return w.issuers?.trusted(s?.issuer) ?? w.issuers?.recall(req);
}

export function timeoutPage(req: Request, res: Response, w: WayBack, ending: Ending, s?: ConsoleSessionData, reason?: string): void {
  const issuer = issuerFor(req, w, s);
  const notSignedIn = ending === 'missing' && !issuer;
  const heading = notSignedIn ? 'You are not signed in' : ending === 'revoked' || ending === 'password-expired' ? 'Your session has ended' : 'Your session has timed out';
  res
    .status(401)
    .set('Cache-Control', 'no-store')
    .render('console/timeout', {
      heading,
      reason: notSignedIn ? 'You are not signed in to the console.' : (reason ?? REASONS[ending]),
      issuer,
      issuerHost: issuer ? new URL(issuer).host : '',
      userFirst: s?.kind === 'user',
    });
}

/**
 * The signed-in person's side of CLI sign-in, and their CLI grants.
 * - GET  /portal/device[?user_code=XXXX-XXXX]  the code's request (when, from which address) and
 *   the permission sets the CLI will be able to use (groups read again with the service account);
 *   without a code, a form to type one. Not signed in: the sign-in form, which comes back here.
 * - POST /portal/device  (_csrf, user_code, decision=approve|deny)  approves or denies it.
 * - POST /portal/grants/revoke  (_csrf, grant)  revokes one of the person's CLI grants.
 * - POST /portal/logout with `everywhere=1`  revokes every grant of the person and ends every
 *   portal session of theirs (signed in before now), then signs out as usual.
 * Rules: every POST carries the session's CSRF token (403 without); nothing changes state on GET;
 * a code that is malformed, unknown, expired or already decided is one 404 answer, and those
 * lookups are limited per client IP (20 per 15 minutes: a user code has about 34 bits); one
 * decision per code (the store's conditional update); a person revokes only their own grants.
 * No user code or device code is logged.
 */
import type { WebAudit } from '../audit/portal-events.js';
import { auditFacts } from './origin.js';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { DirectoryConnector, DirectoryUser } from '../directory/index.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { csrfSynchronisedProtection } from '../web/csrf.js';
import type { RateLimitStoreFactory } from '../web/rate-limit-store.js';
import { normalizeUserCode, subjectOf, type CliSignin } from './grants.js';
import { setsFor, type PermissionSet } from './permission-sets.js';

/** What the portal's routes lend these pages (routes.ts). */
export interface PortalPages {
  /** The signed-in session (timeouts applied), or undefined. */
  current(req: Request): Promise<{ user: DirectoryUser } | undefined>;
  /** Renders a signed-in page with the session's CSRF token, after saving the session. */
  page(req: Request, res: Response, view: string, locals: Record<string, unknown>): Promise<void>;
  /** The sign-in form, returning to `next` (a /portal/ path) once signed in. */
  signin(req: Request, res: Response, next: string): void;
}

export interface DeviceDeps {
  cli: CliSignin;
  directory: DirectoryConnector;
  sets: readonly PermissionSet[];
  clock: Clock;
  logger: Logger;
  pages: PortalPages;
  limitStores?: RateLimitStoreFactory | undefined;
  /** The audit trail's portal events (ApproveCliSignIn, DenyCliSignIn). */
  audit?: WebAudit | undefined;
}

const NOT_VALID = 'This code is not valid, has expired or has already been used. Run gatehouse login again to get a new one.';

export function deviceRoutes(deps: DeviceDeps): Router {
  const router = Router();
  const store = deps.limitStores?.('portal-user-code');
  // Only refused codes count (404), so a person approving their own sign-ins is never limited.
  const lookups = rateLimit({
    windowMs: 15 * 60_000, limit: 20, standardHeaders: false, legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 404,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? '0.0.0.0')}`,
    ...(store && { store }),
    handler: (_req, res) => void res.status(429).set('Retry-After', '900').render('error', { title: 'Too many codes', message: 'Too many wrong codes from this address. Try again in 15 minutes.', requestId: String(res.locals.requestId ?? '') }),
  });

  /** The pending authorization for the request's user code, with the person's current sets; else an answer was sent. */
  const pending = async (req: Request, res: Response, user: DirectoryUser, raw: unknown) => {
    const userCode = normalizeUserCode(raw);
    const a = userCode === undefined ? undefined : await deps.cli.authorizations.getByUserCode(userCode, deps.clock.now());
    if (!a || a.status !== 'pending') {
      res.status(404);
      await deps.pages.page(req, res, 'portal/device', { user, userCode: typeof raw === 'string' ? raw.slice(0, 20) : '', authorization: undefined, sets: [], error: NOT_VALID });
      return undefined;
    }
    let groups: string[] | undefined;
    try {
      groups = await deps.directory.currentGroups(user.username);
    } catch {
      res.status(503).render('portal/unavailable');
      return undefined;
    }
    return { a, sets: setsFor(deps.sets, groups ?? []) };
  };

  router.get('/portal/device', lookups, async (req, res) => {
    const raw = typeof req.query.user_code === 'string' ? req.query.user_code : undefined;
    const s = await deps.pages.current(req);
    if (!s) return deps.pages.signin(req, res, raw === undefined ? '/portal/device' : `/portal/device?user_code=${encodeURIComponent(raw.slice(0, 20))}`);
    if (raw === undefined) return deps.pages.page(req, res, 'portal/device', { user: s.user, userCode: '', authorization: undefined, sets: [], error: '' });
    const found = await pending(req, res, s.user, raw);
    if (!found) return;
    await deps.pages.page(req, res, 'portal/device', { user: s.user, userCode: found.a.userCode, authorization: found.a, sets: found.sets, error: '' });
  });

  router.post('/portal/device', csrfSynchronisedProtection, lookups, async (req, res) => {
    const s = await deps.pages.current(req);
    if (!s) return deps.pages.signin(req, res.status(401), '/portal/device');
    const decision = req.body.decision;
    if (decision !== 'approve' && decision !== 'deny') return void res.status(400).render('error', { title: 'Request refused', message: 'Choose approve or deny.', requestId: String(res.locals.requestId ?? '') });
    const found = await pending(req, res, s.user, req.body.user_code);
    if (!found) return;
    const now = deps.clock.now();
    const approved = decision === 'approve';
    const ok = await deps.cli.authorizations.decide(
      found.a.userCode,
      now,
      approved ? { status: 'approved', subject: subjectOf(s.user.username), username: s.user.username, subjectDn: s.user.dn, stableId: s.user.stableId ?? null } : { status: 'denied' },
    );
    if (!ok) {
      res.status(404);
      return deps.pages.page(req, res, 'portal/device', { user: s.user, userCode: found.a.userCode, authorization: undefined, sets: [], error: NOT_VALID });
    }
    deps.logger.info({ event: approved ? 'portal.device.approved' : 'portal.device.denied', dn: s.user.dn, sourceIp: found.a.sourceIp }, approved ? 'CLI sign-in approved' : 'CLI sign-in denied');
    deps.audit?.person(s.user, auditFacts(req, res, now), {
      source: 'portal',
      name: approved ? 'ApproveCliSignIn' : 'DenyCliSignIn',
      parameters: { userCode: found.a.userCode, cliSourceIPAddress: found.a.sourceIp },
    });
    await deps.pages.page(req, res, 'portal/device-done', { user: s.user, approved, sets: found.sets });
  });

  router.post('/portal/grants/revoke', csrfSynchronisedProtection, async (req, res) => {
    const s = await deps.pages.current(req);
    if (!s) return deps.pages.signin(req, res.status(401), '/portal/');
    const id = typeof req.body.grant === 'string' ? req.body.grant.slice(0, 64) : '';
    if (await deps.cli.grants.revoke(id, subjectOf(s.user.username))) {
      deps.logger.info({ event: 'portal.cli.grant.revoked', grantId: id, dn: s.user.dn, reason: 'revoked by the person' }, 'CLI grant revoked');
    }
    res.redirect(303, '/portal/');
  });

  const everywhere: RequestHandler = async (req, res, next) => {
    if (req.body?.everywhere !== '1') return next();
    const s = await deps.pages.current(req);
    if (s) {
      const revoked = await deps.cli.grants.signOutEverywhere(subjectOf(s.user.username), deps.clock.now());
      deps.logger.info({ event: 'portal.logout.everywhere', dn: s.user.dn, grantsRevoked: revoked }, 'signed out everywhere');
    }
    next();
  };
  router.post('/portal/logout', csrfSynchronisedProtection, everywhere);
  return router;
}

/** The person's unexpired CLI grants, for the portal home. */
export async function grantsOf(cli: CliSignin, user: DirectoryUser, now: number) {
  return cli.grants.listFor(subjectOf(user.username), now);
}

/**
 * A safe place to return to after signing in: a path under /portal/ on this site, or undefined.
 * Refused: anything with a scheme or host (`https:`, `//`, `/\`), control characters, dot
 * segments, or characters outside a conservative set.
 */
export function returnPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 200) return undefined;
  if (!/^\/portal\/[A-Za-z0-9_\-/?=&%.]*$/.test(value) || value.includes('//') || /(^|\/)\.\.?(\/|$|\?)/.test(value)) return undefined;
  const u = new URL(value, 'http://gatehouse.invalid');
  return u.origin === 'http://gatehouse.invalid' && u.pathname.startsWith('/portal/') ? `${u.pathname}${u.search}` : undefined;
}

/**
 * The console's gate. Every /console/ page (but sign-in and static files) passes here:
 * - no console session → the 401 page (timeout.ts): "not signed in", or, when the browser sent
 *   a session cookie the server has forgotten or still holds the Issuer cookie, "timed out";
 *   it links to the Issuer of this browser's last federation sign-in while that is trusted;
 * - the session past its expiry (never later than its credentials') → the session is
 *   destroyed and the 401 page links to its Issuer (or the remembered one), when trusted;
 * - the session's identity is re-resolved on every request: credentials that were
 *   revoked (role or issuing user deleted, token expired, or revoked.ts) give the 401 page too;
 * - an outage is not a refusal: a store that cannot be read is a 503, and the session is kept;
 * - an IAM user whose password must be changed (PasswordResetRequired, or older than the
 *   policy's MaxPasswordAge) reaches only the change-password page and sign-out until it
 *   is; one whose password expired under HardExpiry is signed out. Checked live, so an
 *   administrator's reset or a policy change applies to open sessions too;
 * - on success `res.locals.op` is the Operation every console action runs as, so it is
 *   authorised live, through the same path as an API call; `res.locals.wayBack` is where the
 *   header's "Back to the portal" goes (the session's trusted Issuer, or the portal).
 */
import type { WebAudit } from '../audit/portal-events.js';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Caller } from '../iam/caller.js';
import { userArn } from '../iam/arns.js';
import type { IamDeps, Operation } from '../iam/actions/types.js';
import type { SigV4Auth } from '../auth/sigv4-types.js';
import type { ConsoleSessionData } from '../web/sessions.js';
import { passwordStatus, type PasswordStatus } from '../iam/passwords.js';
import { ServiceError, ServiceUnavailable } from '../shared/errors.js';
import { HARD_EXPIRED, MUST_CHANGE } from './signin-check.js';
import { revoked } from './revoked.js';
import { endingWithoutSession, issuerFor, timeoutPage, type WayBack } from './timeout.js';

/** What a user who must change their password may still reach. */
const PASSWORD_PAGES = new Set(['GET /security-credentials', 'POST /security-credentials/password', 'POST /logout']);

async function passwordState(deps: ConsoleGateDeps, caller: Caller, now: number): Promise<PasswordStatus> {
  const profile = caller.user ? await deps.iam.store.loginProfiles.get(caller.user.id) : undefined;
  if (!profile) return 'ok';
  const account = await deps.iam.store.accounts.get(caller.accountId);
  return passwordStatus(profile, account?.passwordPolicy ?? null, now);
}

export type TemporaryResolve = (auth: SigV4Auth, now: number) => Promise<{ caller: Caller; secret: string }>;

export interface ConsoleGateDeps extends WayBack {
  iam: IamDeps;
  resolveTemporary: TemporaryResolve;
  /** The audit trail's session events (ConsoleSessionTimeout, ConsoleSignOut). */
  audit?: WebAudit;
}

/**
 * The session's caller, or undefined when its credentials are refused (revoked, expired).
 * A refusal is confirmed against the store first: the resolver reads the store, and an outage
 * must not pass for a revocation. Faults are thrown (the gate answers 503).
 */
async function resolveCaller(deps: ConsoleGateDeps, s: ConsoleSessionData, now: number): Promise<Caller | undefined> {
  if (s.kind === 'federated' && s.accessKeyId && s.sessionToken) {
    const auth = { accessKeyId: s.accessKeyId, securityToken: s.sessionToken } as SigV4Auth;
    try {
      return (await deps.resolveTemporary(auth, now)).caller;
    } catch (err) {
      if (!(err instanceof ServiceError && err.expose)) throw err;
      const up = await deps.iam.store.ping().catch(() => false);
      if (!up) throw new ServiceUnavailable('console: the store did not answer while resolving a session', { cause: err });
      return undefined;
    }
  }
  if (s.kind === 'user' && s.userId) {
    const user = await deps.iam.store.users.getById(s.userId);
    if (!user) return undefined;
    // A console session: the user's own permissions, with aws:MultiFactorAuthPresent/Age from its sign-in.
    const session = { kind: 'console' as const, issuedAt: s.signedInAt ?? now, expiresAt: s.expiresAt, policies: [], ...(s.mfaAt !== undefined && { mfaAuthenticatedAt: s.mfaAt }) };
    return { accountId: user.accountId, type: 'User', arn: userArn(user.accountId, user.path, user.name), userId: user.id, accessKeyId: `console:${user.id}`, user, session };
  }
  return undefined;
}

/** Any fault while checking a session is an outage (503), never a refusal; the session is kept. */
function unavailable(err: unknown): ServiceError {
  if (err instanceof ServiceError && err.status === 503) return err;
  return new ServiceUnavailable('console: the session could not be checked', { cause: err });
}

export function consoleGate(deps: ConsoleGateDeps): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const s = req.session.console;
    const now = deps.iam.clock.now();
    if (!s) return timeoutPage(req, res, deps, endingWithoutSession(req, deps));
    if (now >= s.expiresAt) return end(req, res, deps, 'expired', s);
    let op: Operation;
    try {
      const caller = await resolveCaller(deps, s, now);
      if (!caller) return end(req, res, deps, 'revoked', s);
      op = operation(deps, req, caller, now);
      if (s.kind === 'federated' && (await revoked(op))) return end(req, res, deps, 'revoked', s);
      if (s.kind === 'user') {
        const status = await passwordState(deps, caller, now);
        if (status === 'hard-expired') return end(req, res, deps, 'password-expired', s, HARD_EXPIRED);
        if (status !== 'ok' && !PASSWORD_PAGES.has(`${req.method} ${req.path}`)) {
          req.session.flash = { kind: 'error', text: MUST_CHANGE[status] };
          return res.redirect(303, '/console/security-credentials');
        }
      }
    } catch (err) {
      return next(unavailable(err));
    }
    res.locals.op = op;
    res.locals.consoleSession = s;
    res.locals.wayBack = { href: issuerFor(req, deps, s) ?? '/portal/' };
    next();
  };
}

/** Ends the session server-side, then answers the 401 page. */
function end(req: Request, res: Response, deps: ConsoleGateDeps, ending: 'expired' | 'revoked' | 'password-expired', s: ConsoleSessionData, reason?: string): void {
  deps.audit?.session(s, { sourceIp: (req.ip ?? '0.0.0.0').replace(/^::ffff:/, ''), userAgent: req.headers['user-agent'], now: deps.iam.clock.now() }, { source: 'signin', name: 'ConsoleSessionTimeout', signIn: true, additional: { reason: ending } });
  req.session.destroy(() => timeoutPage(req, res, deps, ending, s, reason));
}

function operation(deps: ConsoleGateDeps, req: Request, caller: Caller, now: number): Operation {
  return {
    deps: deps.iam,
    caller,
    facts: {
      requestId: randomUUID(),
      now,
      sourceIp: (req.ip ?? req.socket.remoteAddress ?? '0.0.0.0').replace(/^::ffff:/, ''),
      secureTransport: req.secure,
      region: 'us-east-1',
      ...(req.get('user-agent') !== undefined && { userAgent: req.get('user-agent')! }),
    },
  };
}

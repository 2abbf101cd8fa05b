/**
 * The console's gate. Every /console/ page (but sign-in and static files) passes here:
 * - no console session → 401 "session has timed out" page (with the sign-in link);
 * - the session past its expiry (never later than its credentials') → the session is
 *   destroyed and the 401 page links to its Issuer, when it had a trusted one;
 * - the session's identity is re-resolved on every request: credentials that were
 *   revoked (role or issuing user deleted, token expired) give the same 401 page;
 * - an IAM user whose password must be changed (PasswordResetRequired, or older than the
 *   policy's MaxPasswordAge) reaches only the change-password page and sign-out until it
 *   is; one whose password expired under HardExpiry is signed out. Checked live, so an
 *   administrator's reset or a policy change applies to open sessions too;
 * - on success `res.locals.op` is the Operation every console action runs as, so it is
 *   authorised live, through the same path as an API call.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Caller } from '../iam/caller.js';
import { userArn } from '../iam/arns.js';
import type { IamDeps, Operation } from '../iam/actions/types.js';
import type { SigV4Auth } from '../auth/sigv4-types.js';
import type { ConsoleSessionData } from '../web/sessions.js';
import { passwordStatus, type PasswordStatus } from '../iam/passwords.js';
import { HARD_EXPIRED, MUST_CHANGE } from './signin-check.js';

/** What a user who must change their password may still reach. */
const PASSWORD_PAGES = new Set(['GET /security-credentials', 'POST /security-credentials/password', 'POST /logout']);

async function passwordState(deps: ConsoleGateDeps, caller: Caller, now: number): Promise<PasswordStatus> {
  const profile = caller.user ? await deps.iam.store.loginProfiles.get(caller.user.id) : undefined;
  if (!profile) return 'ok';
  const account = await deps.iam.store.accounts.get(caller.accountId);
  return passwordStatus(profile, account?.passwordPolicy ?? null, now);
}

export type TemporaryResolve = (auth: SigV4Auth, now: number) => Promise<{ caller: Caller; secret: string }>;

export interface ConsoleGateDeps {
  iam: IamDeps;
  resolveTemporary: TemporaryResolve;
}

export function timeoutPage(res: Response, reason: string, issuer: string | undefined): void {
  res.status(401).set('Cache-Control', 'no-store').render('console/timeout', { reason, issuer, issuerHost: issuer ? new URL(issuer).host : '' });
}

async function resolveCaller(deps: ConsoleGateDeps, s: ConsoleSessionData, now: number): Promise<Caller | undefined> {
  try {
    if (s.kind === 'federated' && s.accessKeyId && s.sessionToken) {
      const auth = { accessKeyId: s.accessKeyId, securityToken: s.sessionToken } as SigV4Auth;
      return (await deps.resolveTemporary(auth, now)).caller;
    }
    if (s.kind === 'user' && s.userId) {
      const user = await deps.iam.store.users.getById(s.userId);
      if (!user) return undefined;
      // A console session: the user's own permissions, with aws:MultiFactorAuthPresent/Age from its sign-in.
      const session = { kind: 'console' as const, issuedAt: s.signedInAt ?? now, expiresAt: s.expiresAt, policies: [], ...(s.mfaAt !== undefined && { mfaAuthenticatedAt: s.mfaAt }) };
      return { accountId: user.accountId, type: 'User', arn: userArn(user.accountId, user.path, user.name), userId: user.id, accessKeyId: `console:${user.id}`, user, session };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

export function consoleGate(deps: ConsoleGateDeps): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const s = req.session.console;
    const now = deps.iam.clock.now();
    if (!s) return timeoutPage(res, 'You are not signed in to the console, or your session has ended.', undefined);
    if (now >= s.expiresAt) {
      const issuer = s.issuer;
      req.session.destroy(() => timeoutPage(res, 'Your console session has reached the end of its lifetime.', issuer));
      return;
    }
    const caller = await resolveCaller(deps, s, now);
    if (!caller) {
      const issuer = s.issuer;
      req.session.destroy(() => timeoutPage(res, 'The credentials behind this session are no longer valid.', issuer));
      return;
    }
    if (s.kind === 'user') {
      const status = await passwordState(deps, caller, now);
      if (status === 'hard-expired') {
        req.session.destroy(() => timeoutPage(res, HARD_EXPIRED, undefined));
        return;
      }
      if (status !== 'ok' && !PASSWORD_PAGES.has(`${req.method} ${req.path}`)) {
        req.session.flash = { kind: 'error', text: MUST_CHANGE[status] };
        return res.redirect(303, '/console/security-credentials');
      }
    }
    const op: Operation = {
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
    res.locals.op = op;
    res.locals.consoleSession = s;
    next();
  };
}

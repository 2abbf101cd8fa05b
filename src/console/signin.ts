/**
 * IAM-user sign-in: GET/POST /console/signin (mounted before the console gate).
 * - GET shows the form, with `?account=` (12-digit id or alias), else the account
 *   remembered in the `gatehouse-account` cookie, pre-filled. Its CSRF token is a signed
 *   double-submit cookie (web/login-csrf.ts, `gatehouse-console-csrf`), so showing the form
 *   writes nothing to the session store.
 * - POST takes account, username, password and, when the user has an MFA device, its
 *   code (signin-check.ts). It needs the form's token and its cookie (403 otherwise).
 * - Every refusal is 401 with one generic message. Failed sign-ins are rate-limited per
 *   account + user and client IP (blocking that pair), per account + user from all IPs (a
 *   ceiling past which attempts are slowed, never locked: nobody can lock a named person out),
 *   and per client IP: 429 with Retry-After, and no RateLimit headers (they would count the
 *   tries left). A successful sign-in clears the user's count from that IP.
 * - Success: a new session id (the pre-login session is destroyed), a 12-hour console
 *   session for the user, PasswordLastUsed recorded, the account remembered, 303 → /console/.
 */
import type { WebAudit, WebFacts } from '../audit/portal-events.js';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { RateLimitStoreFactory } from '../web/rate-limit-store.js';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { accountLimits } from '../web/account-limits.js';
import type { IamDeps } from '../iam/actions/types.js';
import { userArn } from '../iam/arns.js';
import { loginCsrf, type LoginCsrf } from '../web/login-csrf.js';
import { tryAgainIn } from '../web/retry-after.js';
import { field, form, rawForm } from './page.js';
import { checkSignin, findAccount, HARD_EXPIRED, MUST_CHANGE } from './signin-check.js';

export const USER_SESSION_MS = 12 * 3600_000;
export const ACCOUNT_COOKIE = 'gatehouse-account';
const GENERIC = 'Your sign-in details are not correct, or you need to enter your MFA code. Check them and try again.';
const ACCOUNT_SHAPE = /^(\d{12}|[a-z0-9][a-z0-9-]{1,61}[a-z0-9])$/;
/** How long a sign-in form stays usable. */
const FORM_LIFETIME_MS = 30 * 60_000;

export interface SigninDeps {
  iam: IamDeps;
  /** publicUrl is https: the account cookie is Secure. */
  secure: boolean;
  /**
   * Failed sign-ins allowed per window. Defaults: 5 per account + user and client IP (then 429),
   * 20 per account + user from all IPs (then one attempt per 30 s), 20 per client IP; 15 minutes.
   */
  limits?: { perUser?: number; accountCeiling?: number; slowDownMs?: number; perIp?: number; windowMs?: number };
  /** Shared rate-limit counters (Redis), when sessions are in Redis; in memory otherwise. */
  limitStores?: RateLimitStoreFactory;
  /** The audit trail's sign-in events (ConsoleLogin, channel console). */
  audit?: WebAudit;
}

function cookieValue(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

interface FormState {
  account: string;
  username: string;
  error?: string;
}

/** Renders the form with a fresh CSRF cookie; nothing is stored in the session. */
type Page = (res: Response, state: FormState, status?: number) => void;

function pageWith(csrf: LoginCsrf): Page {
  return (res, state, status = 200) => res.status(status).render('console/signin', { title: 'Sign in', csrfToken: csrf.issue(res), ...state });
}

interface Limiters {
  handlers: RequestHandler[];
  /** Forgets the user's failures from this client IP (after a successful sign-in). */
  reset(req: Request): Promise<void>;
}

/**
 * Failed sign-ins (SECURITY H9, web/account-limits.ts): per account + user and client IP, 5 per
 * 15 minutes, then 429 for that pair; per account + user from all IPs, past 20 the attempts are
 * slowed to one per 30 seconds (429 for the rest), never locked; per client IP, 20 failures.
 */
function limiters(deps: SigninDeps, page: Page): Limiters {
  const windowMs = deps.limits?.windowMs ?? 15 * 60_000;
  const onLimit = (req: Request, res: Response) =>
    page(res, { account: form(req, 'account'), username: form(req, 'username'), error: `Too many failed sign-ins. ${tryAgainIn(req, res, windowMs)}` }, 429);
  // The account is resolved, so its id and its alias share one counter.
  const userKey = async (req: Request) => {
    const account = await findAccount(deps.iam.store, form(req, 'account'));
    return `${account?.id ?? form(req, 'account').toLowerCase()}|${form(req, 'username').toLowerCase()}`;
  };
  const failed = (res: Response) => res.statusCode === 401;
  const perUser = accountLimits(
    {
      windowMs,
      perAccountAndIp: deps.limits?.perUser ?? 5,
      accountCeiling: deps.limits?.accountCeiling ?? 20,
      slowDownMs: deps.limits?.slowDownMs ?? 30_000,
    },
    { prefix: 'console', account: userKey, failed, onLimit, ...(deps.limitStores && { stores: deps.limitStores }) },
  );
  const ipStore = deps.limitStores?.('console-ip');
  const perIp = rateLimit({
    windowMs,
    standardHeaders: false,
    legacyHeaders: false,
    skipSuccessfulRequests: true, // every refusal counts, 429s included
    ...(ipStore && { store: ipStore }),
    limit: deps.limits?.perIp ?? 20,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? '0.0.0.0'),
    handler: onLimit,
  });
  return { handlers: [perIp, ...perUser.handlers], reset: perUser.reset };
}

const regenerate = (req: Request) => new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
const save = (req: Request) => new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));

export function signinRoutes(deps: SigninDeps): Router {
  const router = Router();
  const { store, keyring, clock, logger } = deps.iam;
  const csrf = loginCsrf({ key: keyring.deriveKey('console-login-csrf'), secure: deps.secure, lifetimeMs: FORM_LIFETIME_MS, now: () => clock.now(), area: 'console' });
  const page = pageWith(csrf);

  router.get('/signin', (req, res) => {
    const fromQuery = field(req.query, 'account').trim().toLowerCase();
    const remembered = cookieValue(req, ACCOUNT_COOKIE) ?? '';
    const account = [fromQuery, remembered].find((a) => ACCOUNT_SHAPE.test(a)) ?? '';
    page(res, { account, username: '' });
  });

  const limit = limiters(deps, page);
  router.post('/signin', csrf.protect, ...limit.handlers, async (req, res) => {
    const input = { account: form(req, 'account').toLowerCase(), username: form(req, 'username'), password: rawForm(req, 'password'), mfaCode: form(req, 'mfaCode') };
    const now = clock.now();
    const result = await checkSignin({ store, keyring, logger, requestId: String(res.locals.requestId ?? '') }, input, now);
    if (!result.ok) {
      logger.info({ event: 'console.signin', outcome: 'refused', reason: result.reason, accountId: result.accountId, username: input.username.slice(0, 64) }, 'console sign-in refused');
      if (result.accountId !== undefined) {
        deps.audit?.iamUser(result.accountId, input.username.slice(0, 64), auditFacts(req, res, now), {
          source: 'signin',
          name: 'ConsoleLogin',
          channel: 'console',
          signIn: true,
          response: { ConsoleLogin: 'Failure' },
          error: { code: result.reason, message: 'Failed authentication' },
          additional: { LoginTo: '/console/', MobileVersion: 'No' },
        });
      }
      // Only someone who proved the password (and MFA) learns that it has expired.
      const error = result.reason === 'password-expired' ? HARD_EXPIRED : GENERIC;
      return page(res, { account: input.account, username: input.username, error }, 401);
    }
    const { account, user } = result;
    await limit.reset(req);
    await regenerate(req);
    csrf.clear(res);
    const expiresAt = now + USER_SESSION_MS;
    req.session.console = { kind: 'user', accountId: account.id, principalArn: userArn(account.id, user.path, user.name), userId: user.id, expiresAt, signedInAt: now, ...(result.mfa && { mfaAt: now }) };
    req.session.cookie.expires = new Date(expiresAt);
    if (result.mustChangePassword) req.session.flash = { kind: 'error', text: MUST_CHANGE[result.mustChangePassword] };
    await save(req);
    await store.users.setPasswordLastUsed(user.id, now);
    logger.info({ event: 'console.signin', outcome: 'ok', accountId: account.id, userId: user.id }, 'console sign-in');
    deps.audit?.session({ accountId: account.id, principalArn: req.session.console.principalArn, userId: user.id }, auditFacts(req, res, now), {
      source: 'signin',
      name: 'ConsoleLogin',
      channel: 'console',
      signIn: true,
      response: { ConsoleLogin: 'Success' },
      additional: { LoginTo: '/console/', MobileVersion: 'No', MFAUsed: result.mfa ? 'Yes' : 'No' },
    });
    res.cookie(ACCOUNT_COOKIE, account.alias ?? account.id, { httpOnly: true, sameSite: 'lax', secure: deps.secure, path: '/console', maxAge: 90 * 86_400_000 });
    res.redirect(303, result.mustChangePassword ? '/console/security-credentials' : '/console/');
  });
  return router;
}

/** The request's facts for an audit event. */
function auditFacts(req: Request, res: Response, now: number): WebFacts {
  const requestId: unknown = res.locals.requestId;
  return { sourceIp: (req.ip ?? '0.0.0.0').replace(/^::ffff:/, ''), userAgent: req.headers['user-agent'], ...(typeof requestId === 'string' && { requestId }), now };
}

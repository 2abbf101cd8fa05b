/**
 * /portal/…: the employee portal.
 * - GET  /portal/             sign-in page, or the user's permission sets (`?set=` focuses one)
 * - GET  /portal/login        the sign-in form (home when signed in); GET /portal/credentials
 *                             and GET /portal/console redirect to /portal/
 * - POST /portal/login        directory sign-in; the session is regenerated (no fixation)
 * - POST /portal/console      mint → sign-in token → 303 to /federation?Action=login&Issuer&Destination
 * - POST /portal/credentials  a no-store page with the credentials in every useful form
 * - POST /portal/logout       ends the portal session
 * - POST /portal/api/credentials  JSON for `gatehouse credentials` (no cookies, same limits)
 * Rules: credentials are read from the body only (never the query string), as strings
 * (anything else is a 400 with the generic message); every form has a CSRF token; nothing
 * that mints credentials answers GET; idle and absolute timeouts, measured on the injected
 * clock, end the session server-side (a new session id); a directory that is down is a 503,
 * never a bad password. The form and the API share one set of rate limits.
 * Sessions exist only once signed in. The sign-in form's CSRF token is a signed double-submit
 * cookie (web/login-csrf.ts), so showing the sign-in page writes nothing to the session store;
 * a sign-in on a session id generated for this request keeps that fresh id, and one that came
 * with a stored session regenerates it. A signed-in page with a CSRF token is rendered only
 * once its session is saved: a session store that is down is a 503, never a page backed by no
 * session.
 */
import express, { Router, type Request, type Response } from 'express';
import type { SessionData } from 'express-session';
import type { PortalConfig } from '../config/portal.js';
import type { DirectoryConnector, DirectoryUser } from '../directory/index.js';
import type { Logger } from '../shared/logger.js';
import type { Clock } from '../shared/clock.js';
import { ServiceError } from '../shared/errors.js';
import { csrfSynchronisedProtection, generateToken } from '../web/csrf.js';
import { loginCsrf, type LoginCsrf } from '../web/login-csrf.js';
import { cookieName, issuedHere } from '../web/sessions.js';
import type { Broker } from './broker.js';
import { mintOrigin } from './origin.js';
import type { WebAudit, WebFacts } from '../audit/portal-events.js';
import { logUnloggedFailures, noteFailureLogged } from '../web/failure-log.js';
import { signinLimits } from './limits.js';
import type { RateLimitStoreFactory } from '../web/rate-limit-store.js';
import { setsFor, type PermissionSet } from './permission-sets.js';
import { grantApiRoutes } from './api-grant.js';
import { helperFileRoute } from './cli-file.js';
import { deviceRoutes, grantsOf, returnPath } from './device.js';
import { CliSignin, subjectOf, type CliStore } from './grants.js';
import { oauthRoutes } from './oauth.js';
import { credentialsPage } from './credentials-page.js';
import { brokerTroubleMessage, mintOrExplain } from './broker-trouble.js';
import { tryAgainIn } from '../web/retry-after.js';

export interface PortalDeps {
  directory: DirectoryConnector;
  broker: Broker;
  sets: readonly PermissionSet[];
  config: PortalConfig;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  consoleUrl: string;
  /** The portal's express-session middleware (cookie sessions for the pages). */
  session: express.RequestHandler;
  /** Shared rate-limit counters (Redis), when sessions are in Redis; in memory otherwise. */
  limitStores?: RateLimitStoreFactory;
  /** HMAC key of the sign-in form's CSRF cookie (derived from the KEK: every instance agrees). */
  loginCsrfKey: Buffer;
  /** CLI sign-in (RFC 8628 device grant, CLI grants, sign out everywhere); without it those routes are absent. */
  cliStore?: CliStore;
  /** The audit trail's portal events (PortalSignIn, PortalSignOut, PortalSessionTimeout). */
  audit?: WebAudit;
}

interface PortalSession {
  user: DirectoryUser;
  loginAt: number;
  /** Epoch ms of the last request (idle timeout). */
  seenAt: number;
}

const GENERIC = 'The user name or password is incorrect.';

interface SigninLocals {
  error: string;
  username: string;
  /** The permission set to return to after signing in. */
  set: string;
  /** A /portal/ path to return to after signing in (device.ts returnPath); default: the form's `next`. */
  next?: string;
}
/** Renders the sign-in form with a fresh CSRF cookie; it stores nothing in the session. */
type SigninPage = (req: Request, res: Response, locals: SigninLocals) => void;

export function portalRoutes(deps: PortalDeps): Router {
  const router = Router();
  // Every 5xx under /portal is logged once with its request id (web/failure-log.ts).
  router.use('/portal', logUnloggedFailures(deps.logger));
  const signinCsrf = loginCsrf({
    key: deps.loginCsrfKey,
    secure: deps.publicUrl.startsWith('https:'),
    lifetimeMs: deps.config.idleTimeoutMinutes * 60_000,
    now: () => deps.clock.now(),
  });
  const signinPage: SigninPage = (req, res, locals) => res.render('portal/login', { next: returnPath(req.body?.next) ?? '', ...locals, csrfToken: signinCsrf.issue(res) });
  // One set of limits for the form and the API, so that neither adds to the other's budget.
  const limits = signinLimits(deps.config, (req: Request, res: Response) => {
    // limits.ts has set Retry-After; the message says the same wait in words.
    const message = `Too many sign-in attempts. ${tryAgainIn(req, res, 15 * 60_000)}`;
    if (req.path.startsWith('/portal/api/')) res.status(429).json({ code: 'Throttling', message });
    else signinPage(req, res.status(429), { error: message, username: '', set: '' });
  }, deps.limitStores);
  const cli = deps.cliStore && new CliSignin(deps.cliStore, deps.config.cliGrantHours);
  const cliDeps = { directory: deps.directory, sets: deps.sets, clock: deps.clock, logger: deps.logger, limitStores: deps.limitStores, audit: deps.audit };
  if (cli) router.use(helperFileRoute(), oauthRoutes({ ...cliDeps, cli, publicUrl: deps.publicUrl }), grantApiRoutes({ ...cliDeps, cli, broker: deps.broker }));
  router.post(
    '/portal/api/credentials',
    (req, res, next) => (req.is('application/json') ? next() : void res.status(415).set('Cache-Control', 'no-store').json({ code: 'UnsupportedMediaType', message: 'Send the credentials as application/json.' })),
    express.json({ limit: '8kb' }),
    ...limits,
    (req, res) => apiCredentials(deps, req, res),
  );

  // A GET without a session cookie can only show the sign-in form, which needs no session:
  // express-session is skipped (no id generated, nothing hashed or looked up).
  const sessionCookie = `${cookieName('portal', deps.publicUrl.startsWith('https:'))}=`;
  const session: express.RequestHandler = (req, res, next) =>
    (req.method === 'GET' || req.method === 'HEAD') && !req.headers.cookie?.includes(sessionCookie) ? next() : deps.session(req, res, next);
  router.use('/portal', express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }), session, (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });
  if (cli) {
    const pages = { current: (req: Request) => current(deps, req), page, signin: (req: Request, res: Response, next: string) => signinPage(req, res, { error: '', username: '', set: '', next }) };
    router.use(deviceRoutes({ ...cliDeps, cli, pages }));
  }
  router.get('/portal/', async (req, res) => {
    const s = await current(deps, req);
    const focus = typeof req.query.set === 'string' ? req.query.set.slice(0, 64) : '';
    if (!s) return signinPage(req, res, { error: '', username: '', set: focus });
    const grants = cli ? await grantsOf(cli, s.user, deps.clock.now()) : undefined;
    const brokerStatus = await deps.broker.status().catch(() => 'ok' as const); // explained on the page when it cannot issue
    await page(req, res, 'portal/home', { user: s.user, sets: setsFor(deps.sets, s.user.groups), focus, grants, portalUrl: `${deps.publicUrl}/portal/`, brokerStatus, broker: deps.broker.name });
  });
  // Addresses people type, bookmark or reload after a POST: the sign-in form (or, signed in,
  // the home page); nothing here mints anything, so the POST-only pages send GETs home.
  router.get('/portal/login', async (req, res) => {
    if (await current(deps, req)) return res.redirect(302, '/portal/');
    signinPage(req, res, { error: '', username: '', set: typeof req.query.set === 'string' ? req.query.set.slice(0, 64) : '' });
  });
  router.get(['/portal/credentials', '/portal/console'], (_req, res) => res.redirect(302, '/portal/'));
  router.post('/portal/login', signinCsrf.protect, ...limits, async (req, res) => {
    const set = typeof req.body.set === 'string' ? req.body.set.slice(0, 64) : '';
    if (typeof req.body.username !== 'string' || typeof req.body.password !== 'string') {
      return signinPage(req, res.status(400), { error: GENERIC, username: '', set });
    }
    const result = await deps.directory.login(req.body.username, req.body.password);
    webFacts(deps, req, res, (facts) =>
      result.ok
        ? deps.audit?.person({ ...result.user, since: facts.now }, facts, { source: 'portal', name: 'PortalSignIn', signIn: true, response: { PortalSignIn: 'Success' } })
        : deps.audit?.person({ username: String(req.body.username).slice(0, 64) }, facts, {
            source: 'portal',
            name: 'PortalSignIn',
            signIn: true,
            response: { PortalSignIn: 'Failure' },
            error: { code: result.reason, message: result.reason === 'unavailable' ? 'The directory is unavailable.' : 'Failed authentication' },
          }),
    );
    if (!result.ok) {
      if (result.reason === 'unavailable') return res.status(503).render('portal/unavailable');
      const username = typeof req.body.username === 'string' ? req.body.username.slice(0, 64) : '';
      return signinPage(req, res.status(401), { error: GENERIC, username, set });
    }
    // No fixation: a session that came with the request (someone's, maybe planted) is replaced by
    // a new id and deleted; an id generated for this request is already new and stored nowhere.
    if (!issuedHere(req)) await regenerate(req);
    signinCsrf.clear(res);
    const now = deps.clock.now();
    req.session.portal = { user: result.user, loginAt: now, seenAt: now } satisfies PortalSession;
    await save(req); // before the redirect: a store that cannot keep the session is a 503
    deps.logger.info({ event: 'portal.login', dn: result.user.dn, stableId: result.user.stableId }, 'portal sign-in');
    res.redirect(303, returnPath(req.body.next) ?? (set ? `/portal/?set=${encodeURIComponent(set)}` : '/portal/'));
  });
  router.post('/portal/logout', csrfSynchronisedProtection, (req, res, next) => {
    const s = (req.session as Partial<SessionData> | undefined)?.portal as PortalSession | undefined;
    if (s) webFacts(deps, req, res, (facts) => deps.audit?.person({ ...s.user, since: s.loginAt }, facts, { source: 'portal', name: 'PortalSignOut', signIn: true }));
    req.session.destroy((err) => (err ? next(err) : res.redirect(303, '/portal/')));
  });
  router.post('/portal/console', csrfSynchronisedProtection, async (req, res) => {
    const picked = await pick(deps, req, res, signinPage);
    if (!picked) return;
    const token = await mintOrExplain(deps, req, res, picked.set, () => deps.broker.consoleSigninToken(picked.set, picked.user, mintOrigin(req, res)));
    if (token === undefined) return;
    const issuer = `${deps.publicUrl}/portal/?set=${encodeURIComponent(picked.set.name)}`;
    const q = new URLSearchParams({ Action: 'login', Issuer: issuer, Destination: deps.consoleUrl, SigninToken: token });
    res.redirect(303, `/federation?${q.toString()}`);
  });
  router.post('/portal/credentials', csrfSynchronisedProtection, async (req, res) => {
    const picked = await pick(deps, req, res, signinPage);
    if (!picked) return;
    const c = await mintOrExplain(deps, req, res, picked.set, () => deps.broker.credentials(picked.set, picked.user, mintOrigin(req, res)));
    if (c === undefined) return;
    res.render('portal/credentials', credentialsPage({ credentials: c, set: picked.set.name, publicUrl: deps.publicUrl, region: deps.config.region, now: deps.clock.now() }));
  });
  return router;
}

/**
 * The signed-in portal session, or undefined. Past its idle or absolute timeout (on the
 * injected clock) the session is ended server-side: deleted from the store, so the old id is
 * dead (and no empty session is stored in its place).
 */
async function current(deps: PortalDeps, req: Request): Promise<PortalSession | undefined> {
  const s = (req.session as Partial<SessionData> | undefined)?.portal as PortalSession | undefined;
  if (!s) return undefined;
  const now = deps.clock.now();
  const idle = now - (s.seenAt ?? s.loginAt) > deps.config.idleTimeoutMinutes * 60_000;
  if (idle || now - s.loginAt > deps.config.absoluteTimeoutHours * 3600_000) {
    deps.logger.info({ event: 'portal.timeout', dn: s.user.dn, reason: idle ? 'idle' : 'absolute' }, 'portal session ended');
    deps.audit?.person({ ...s.user, since: s.loginAt }, { sourceIp: (req.ip ?? '0.0.0.0').replace(/^::ffff:/, ''), now }, { source: 'portal', name: 'PortalSessionTimeout', signIn: true, additional: { reason: idle ? 'idle' : 'absolute' } });
    await end(req);
    return undefined;
  }
  // "Sign out everywhere" (device.ts) ends every session of the person signed in before it.
  const signedOut = deps.cliStore && (await deps.cliStore.cliGrants.signedOutAt(subjectOf(s.user.username)));
  if (signedOut !== undefined && s.loginAt < signedOut) {
    deps.logger.info({ event: 'portal.timeout', dn: s.user.dn, reason: 'signed out everywhere' }, 'portal session ended');
    await end(req);
    return undefined;
  }
  s.seenAt = now;
  return s;
}

async function pick(deps: PortalDeps, req: Request, res: Response, signinPage: SigninPage): Promise<{ user: DirectoryUser; set: PermissionSet } | undefined> {
  const name = typeof req.body.permissionSet === 'string' ? req.body.permissionSet : '';
  const s = await current(deps, req);
  if (!s) {
    // Signing in again returns to the set that was asked for.
    signinPage(req, res.status(401), { error: 'Your portal session has ended. Please sign in again.', username: '', set: name.slice(0, 64) });
    return undefined;
  }
  // Membership is read again (service account, no password) before every mint, so removing
  // someone from a group takes effect on their next click, not at their next sign-in.
  let groups: string[] | undefined;
  try {
    groups = await deps.directory.currentGroups(s.user.username);
  } catch (err) {
    deps.logger.warn({ event: 'portal.mint', outcome: 'directory-unavailable', requestId: res.locals.requestId, dn: s.user.dn, permissionSet: name.slice(0, 64), err }, 'mint refused: the directory is unavailable');
    noteFailureLogged(res);
    res.status(503).render('portal/unavailable');
    return undefined;
  }
  if (groups === undefined) {
    await end(req);
    signinPage(req, res.status(401), { error: 'Your portal session has ended. Please sign in again.', username: '', set: name.slice(0, 64) });
    return undefined;
  }
  s.user = { ...s.user, groups };
  const set = setsFor(deps.sets, groups).find((x) => x.name === name);
  if (!set) {
    res.status(403).render('error', { title: 'Not entitled', message: `You are not entitled to the permission set "${name.slice(0, 64)}".`, requestId: String(res.locals.requestId ?? '') });
    return undefined;
  }
  return { user: s.user, set };
}

async function apiCredentials(deps: PortalDeps, req: Request, res: Response): Promise<void> {
  res.set('Cache-Control', 'no-store');
  const body = (req.body ?? {}) as Record<string, unknown>;
  if (typeof body.username !== 'string' || typeof body.password !== 'string') return void res.status(400).json({ code: 'InvalidCredentials', message: GENERIC });
  const result = await deps.directory.login(body.username, body.password);
  if (!result.ok) {
    if (result.reason === 'unavailable') {
      deps.logger.warn({ event: 'portal.api.credentials', outcome: 'directory-unavailable', status: 503, requestId: res.locals.requestId }, 'CLI credentials refused: the directory is unavailable');
      noteFailureLogged(res);
      return void res.status(503).json({ code: 'ServiceUnavailable', message: 'The directory is unavailable.' });
    }
    return void res.status(401).json({ code: 'InvalidCredentials', message: GENERIC });
  }
  const set = setsFor(deps.sets, result.user.groups).find((x) => x.name === body.permissionSet);
  if (!set) return void res.status(403).json({ code: 'AccessDenied', message: 'You are not entitled to that permission set.' });
  try {
    const c = await deps.broker.credentials(set, result.user, mintOrigin(req, res));
    res.json({ Version: 1, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: new Date(c.Expiration).toISOString() });
  } catch (err) {
    const trouble = await brokerTroubleMessage(deps.broker, err, set.name);
    const e = err instanceof ServiceError ? err : undefined;
    const status = trouble ? 503 : (e?.status ?? 500);
    if (status >= 500) {
      const fields = { event: 'portal.api.credentials', outcome: trouble ? 'broker' : 'failed', status, requestId: res.locals.requestId, permissionSet: set.name, err };
      if (status === 500) deps.logger.error(fields, 'CLI credentials failed');
      else deps.logger.warn(fields, 'CLI credentials failed');
      noteFailureLogged(res);
    }
    if (trouble) return void res.status(503).json({ code: 'ServiceUnavailable', message: trouble });
    res.status(e?.status ?? 500).json({ code: e?.code ?? 'InternalError', message: e?.expose ? e.message : 'Could not issue credentials.' });
  }
}

/**
 * Renders a page holding the session's CSRF token, after saving the session: when the store
 * cannot keep it, the error (503) goes to the error handler instead of a form no session backs.
 */
async function page(req: Request, res: Response, view: string, locals: Record<string, unknown>): Promise<void> {
  const csrfToken = generateToken(req);
  await save(req);
  res.render(view, { ...locals, csrfToken });
}

function save(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
}

/** Deletes the session from the store; the request goes on without one. */
function end(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}

function regenerate(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
}

/** The request's facts for a portal audit event (the client address behind trustProxy, the request id). */
function webFacts(deps: PortalDeps, req: Request, res: Response, fn: (facts: WebFacts) => void): void {
  if (!deps.audit) return;
  const origin = mintOrigin(req, res);
  fn({ sourceIp: origin.sourceIp, userAgent: req.headers['user-agent'], requestId: origin.requestId, now: deps.clock.now() });
}

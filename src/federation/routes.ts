/**
 * GET /federation — AWS's federation endpoint, for Gatehouse's console.
 * - Action=getSigninToken&Session=…[&SessionDuration=…][&SessionType=json] → {"SigninToken":"…"}
 * - Action=login&Issuer=…&Destination=…&SigninToken=… → a new console session, 302 to Destination.
 * Unknown parameters are tolerated. Refusals of getSigninToken are JSON errors (it is called by
 * programs); refusals of login are an HTML page with 400/403 (it is opened in a browser).
 * The query string (with its credentials and tokens) is never logged. A successful login also
 * sets the Issuer cookie (issuer-cookie.ts), which outlives the console session.
 */
import type { WebAudit } from '../audit/portal-events.js';
import type { Caller } from '../iam/caller.js';
import type { ConsoleGrant } from './signin.js';
import { Router, type Request, type Response } from 'express';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { checkDestination, checkIssuer } from './urls.js';
import type { Signin } from './signin.js';
import type { IssuerMemory } from './issuer-cookie.js';

export interface FederationDeps {
  signin: Signin;
  clock: Clock;
  logger: Logger;
  consoleUrl: string;
  trustedIssuers: readonly string[];
  /** The signed cookie that keeps the way back to the Issuer beyond the session. */
  issuers: IssuerMemory;
  /** The audit trail's sign-in events (GetSigninToken, ConsoleLogin) and the caller of a console grant. */
  audit?: { web: WebAudit; callerOf(grant: ConsoleGrant): Promise<Caller | undefined> };
}

const one = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function federationRoutes(deps: FederationDeps): Router {
  const router = Router();
  router.get('/federation', async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const action = one(req.query.Action);
    if (action === 'getSigninToken') return getSigninToken(deps, req, res);
    if (action === 'login') return login(deps, req, res);
    res.status(400).json({ code: 'InvalidAction', message: 'Action must be getSigninToken or login.' });
  });
  return router;
}

async function getSigninToken(deps: FederationDeps, req: Request, res: Response): Promise<void> {
  const result = await deps.signin.getSigninToken(one(req.query.Session), one(req.query.SessionDuration), deps.clock.now());
  const facts = { sourceIp: (req.ip ?? '0.0.0.0').replace(/^::ffff:/, ''), userAgent: req.headers['user-agent'], now: deps.clock.now() };
  deps.audit?.web.anonymous(facts, {
    source: 'signin',
    name: 'GetSigninToken',
    ...(result.ok ? { response: { signinToken: deps.audit.web.redactor.hmac(result.token) } } : { error: { code: result.status === 403 ? 'AccessDenied' : 'InvalidParameter', message: result.message } }),
  });
  if (!result.ok) {
    deps.logger.info({ status: result.status }, 'getSigninToken refused');
    res.status(result.status).json({ code: result.status === 403 ? 'AccessDenied' : 'InvalidParameter', message: result.message });
    return;
  }
  res.json({ SigninToken: result.token });
}

async function login(deps: FederationDeps, req: Request, res: Response): Promise<void> {
  const refuse = (status: 400 | 403, message: string) => res.status(status).render('federation/error', { title: 'Sign-in refused', message });
  const destination = checkDestination(one(req.query.Destination) ?? '', deps.consoleUrl);
  if (!destination) return refuse(400, 'The Destination is not a page of this console.');
  const issuerRaw = one(req.query.Issuer);
  const issuer = issuerRaw === undefined || issuerRaw === '' ? undefined : checkIssuer(issuerRaw, deps.trustedIssuers);
  if (issuerRaw && !issuer) return refuse(400, 'The Issuer is not one this console trusts.');
  const grant = await deps.signin.login(one(req.query.SigninToken), deps.clock.now());
  if (deps.audit) {
    const facts = { sourceIp: (req.ip ?? '0.0.0.0').replace(/^::ffff:/, ''), userAgent: req.headers['user-agent'], now: deps.clock.now() };
    const event = { source: 'signin' as const, name: 'ConsoleLogin', signIn: true, additional: { LoginTo: destination, MobileVersion: 'No' } };
    const caller = grant ? await deps.audit.callerOf(grant).catch(() => undefined) : undefined;
    if (caller) deps.audit.web.caller(caller, facts, { ...event, response: { ConsoleLogin: 'Success' } });
    else deps.audit.web.anonymous(facts, { ...event, response: { ConsoleLogin: 'Failure' }, error: { code: 'InvalidSigninToken', message: 'The sign-in token is invalid, expired or already used.' } });
  }
  if (!grant) return refuse(403, 'The sign-in token is invalid, expired or already used.');
  const opened = grant;
  await new Promise<void>((resolve, reject) => req.session.regenerate((err) => (err ? reject(err) : resolve())));
  req.session.console = {
    kind: 'federated',
    accountId: opened.accountId,
    principalArn: opened.principalArn,
    accessKeyId: opened.accessKeyId,
    sessionToken: opened.sessionToken,
    expiresAt: opened.expiresAt,
    ...(issuer && { issuer }),
  };
  req.session.cookie.expires = new Date(opened.expiresAt);
  await new Promise<void>((resolve, reject) => req.session.save((err) => (err ? reject(err) : resolve())));
  // The way back outlives the session: the Issuer of this (the last) federation sign-in, or none.
  if (issuer) deps.issuers.remember(res, issuer);
  else deps.issuers.forget(res);
  res.redirect(302, destination);
}

/**
 * POST /portal/api/credentials with `Authorization: Bearer <CLI grant>` and JSON
 * `{permissionSet[, check: true]}`: credential_process JSON for `gatehouse credentials`.
 * Requests without a bearer token fall through to the password path (routes.ts).
 * Rules, in order:
 * - the grant must exist and be unexpired (only its hash is looked up): else 401 InvalidGrant
 *   with `WWW-Authenticate: Bearer error="invalid_token"`; such failures are limited per client
 *   IP (30 per 15 minutes, then 429), successes are not counted (a CLI may ask many times);
 * - `permissionSet` must be a string (400);
 * - the person's groups are read again with the service account, every time: a directory that
 *   cannot answer is 503 (never a pass); a person no longer in the directory loses the grant
 *   (revoked, 401); a set their groups no longer map to is 403 AccessDenied at once;
 * - `check: true` only confirms the grant still entitles to the set (204, nothing minted): the
 *   CLI asks this before reusing credentials it cached, so a removed membership ends their use;
 * - otherwise the broker mints for the person, as the portal does, and the use is recorded.
 * No cookies are read or set; every answer is `Cache-Control: no-store`. The grant never goes
 * to a log (only its public id does).
 */
import type { WebAudit } from '../audit/portal-events.js';
import { auditFacts } from './origin.js';
import express, { Router, type RequestHandler, type Response } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { DirectoryConnector } from '../directory/index.js';
import type { Clock } from '../shared/clock.js';
import { ServiceError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import type { RateLimitStoreFactory } from '../web/rate-limit-store.js';
import type { Broker } from './broker.js';
import { mintOrigin } from './origin.js';
import { noteFailureLogged } from '../web/failure-log.js';
import type { CliSignin } from './grants.js';
import { setsFor, type PermissionSet } from './permission-sets.js';

export interface GrantApiDeps {
  cli: CliSignin;
  directory: DirectoryConnector;
  broker: Broker;
  sets: readonly PermissionSet[];
  clock: Clock;
  logger: Logger;
  limitStores?: RateLimitStoreFactory | undefined;
  /** The audit trail's portal events (UseCliGrant). */
  audit?: WebAudit | undefined;
}

const BEARER = /^Bearer ([\x21-\x7e]{1,200})$/;

function answer(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ code, message });
}

export function grantApiRoutes(deps: GrantApiDeps): Router {
  const router = Router();
  const store = deps.limitStores?.('portal-grant');
  const failures = rateLimit({
    windowMs: 15 * 60_000, limit: 30, standardHeaders: false, legacyHeaders: false,
    skipSuccessfulRequests: true,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? '0.0.0.0')}`,
    ...(store && { store }),
    handler: (_req, res) => void res.status(429).set('Retry-After', '900').json({ code: 'Throttling', message: 'Too many refused CLI grants from this address. Try again later.' }),
  });
  /** Only requests that carry a bearer token; the others go on to the password path. */
  const bearerOnly: RequestHandler = (req, res, next) => {
    if (!/^bearer /i.test(req.headers.authorization ?? '')) return next('router');
    res.set('Cache-Control', 'no-store');
    if (!req.is('application/json')) return answer(res, 415, 'UnsupportedMediaType', 'Send the request as application/json.');
    next();
  };

  router.post('/portal/api/credentials', bearerOnly, express.json({ limit: '8kb' }), failures, async (req, res) => {
    const now = deps.clock.now();
    const presented = BEARER.exec(req.headers.authorization ?? '')?.[1];
    const grant = presented === undefined ? undefined : await deps.cli.grantFor(presented, now);
    const refuse = () => {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      answer(res, 401, 'InvalidGrant', 'The CLI sign-in has expired or was revoked. Run gatehouse login again.');
    };
    if (!grant) {
      deps.audit?.anonymous(auditFacts(req, res, now), {
        source: 'portal',
        name: 'UseCliGrant',
        ...(presented !== undefined && { parameters: { grant: presented } }),
        error: { code: 'InvalidGrant', message: 'The CLI sign-in has expired or was revoked.' },
      });
      return refuse();
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const person = { username: grant.username, dn: grant.subjectDn, ...(grant.stableId !== null && { stableId: grant.stableId }) };
    const used = (error?: { code: string; message: string }) =>
      deps.audit?.person(person, auditFacts(req, res, now), {
        source: 'portal',
        name: 'UseCliGrant',
        parameters: { grantId: grant.id, ...(typeof body.permissionSet === 'string' && { permissionSet: body.permissionSet.slice(0, 64) }), ...(body.check === true && { check: true }) },
        ...(error && { error }),
      });
    if (typeof body.permissionSet !== 'string') return answer(res, 400, 'ValidationError', 'permissionSet must be a string.');
    let groups: string[] | undefined;
    try {
      groups = await deps.directory.currentGroups(grant.username);
    } catch (err) {
      deps.logger.warn({ event: 'portal.mint', outcome: 'directory-unavailable', requestId: res.locals.requestId, grantId: grant.id, err }, 'mint refused: the directory is unavailable');
      noteFailureLogged(res);
      return answer(res, 503, 'ServiceUnavailable', 'The directory is unavailable.');
    }
    if (groups === undefined) {
      await deps.cli.grants.revoke(grant.id, grant.subject);
      deps.logger.info({ event: 'portal.cli.grant.revoked', grantId: grant.id, dn: grant.subjectDn, reason: 'no longer in the directory' }, 'CLI grant revoked');
      return refuse();
    }
    const set = setsFor(deps.sets, groups).find((s) => s.name === body.permissionSet);
    if (!set) {
      used({ code: 'AccessDenied', message: 'Not entitled to that permission set.' });
      return answer(res, 403, 'AccessDenied', 'You are not entitled to that permission set.');
    }
    await deps.cli.grants.recordUse(grant.id, now);
    used();
    if (body.check === true) return void res.status(204).end();
    try {
      const c = await deps.broker.credentials(set, { username: grant.username, dn: grant.subjectDn, groups, ...(grant.stableId !== null && { stableId: grant.stableId }) }, mintOrigin(req, res));
      res.json({ Version: 1, AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: new Date(c.Expiration).toISOString() });
    } catch (err) {
      const e = err instanceof ServiceError ? err : undefined;
      if (!e?.expose) {
        deps.logger.warn({ err, requestId: res.locals.requestId, grantId: grant.id }, 'CLI credentials failed');
        noteFailureLogged(res);
      }
      answer(res, e?.status ?? 500, e?.code ?? 'InternalError', e?.expose ? e.message : 'Could not issue credentials.');
    }
  });
  return router;
}

/**
 * The OAuth 2.0 Device Authorization Grant (RFC 8628) on its wire format, for `gatehouse login`.
 * - POST /portal/oauth/device_authorization  (form: client_id[, scope])
 *     200 {device_code, user_code, verification_uri, verification_uri_complete, expires_in, interval}
 * - POST /portal/oauth/token  (form: grant_type=urn:ietf:params:oauth:grant-type:device_code,
 *   device_code, client_id)
 *     200 {access_token, token_type: "Bearer", expires_in, refresh_token} once approved; the
 *     grant is the same opaque string in both fields (the CLI presents it as a bearer token at
 *     /portal/api/credentials; there is no separate refresh exchange).
 * Errors are RFC 6749 §5.2 JSON `{error, error_description}`, status 400 (401 for
 * invalid_client), with `Cache-Control: no-store` and `Pragma: no-cache`, as is every answer.
 * Rules, in the order they are checked at the token endpoint (RFC 8628 §3.5):
 * - the body must be a form; `grant_type` must be the device-code URN (unsupported_grant_type);
 *   `device_code` and `client_id` are required (invalid_request); the client must be ours
 *   (invalid_client);
 * - an unknown device code, or one already exchanged (a replay), is invalid_grant;
 * - past `expires_in` it is expired_token; once denied, access_denied;
 * - while pending: a poll sooner than `interval` after the previous one is slow_down, and the
 *   interval grows by 5 s for this and every later poll (the new value is in `interval`);
 *   otherwise authorization_pending;
 * - approved: exchanged for a grant exactly once (store transaction), then invalid_grant.
 * No device code, grant or user code is ever logged.
 */
import type { WebAudit } from '../audit/portal-events.js';
import { auditFacts } from './origin.js';
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { RateLimitStoreFactory } from '../web/rate-limit-store.js';
import { CLIENT_ID, hashOf, type CliSignin } from './grants.js';

export const DEVICE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:device_code';

export interface OAuthDeps {
  cli: CliSignin;
  clock: Clock;
  logger: Logger;
  publicUrl: string;
  limitStores?: RateLimitStoreFactory | undefined;
  /** The audit trail's portal events (CreateCliGrant). */
  audit?: WebAudit | undefined;
}

type OAuthError = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'authorization_pending' | 'slow_down' | 'access_denied' | 'expired_token';

function noStore(res: Response): Response {
  return res.set('Cache-Control', 'no-store').set('Pragma', 'no-cache');
}

function fail(res: Response, error: OAuthError, description: string, extra: Record<string, unknown> = {}): void {
  noStore(res)
    .status(error === 'invalid_client' ? 401 : 400)
    .json({ error, error_description: description, ...extra });
}

/** Form bodies only (RFC 6749 §4.1.3 / RFC 8628 §3.1, §3.4). */
const formOnly: RequestHandler = (req, res, next) => (req.is('application/x-www-form-urlencoded') ? next() : fail(res, 'invalid_request', 'Send the parameters as application/x-www-form-urlencoded.'));

/** One value of a form field, or undefined (missing, repeated or not a string). */
function field(req: Request, name: string): string | undefined {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' && v.length > 0 && v.length <= 512 ? v : undefined;
}

export function oauthRoutes(deps: OAuthDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  // Starting sign-ins writes rows: bounded per client IP (60 per 15 minutes).
  const store = deps.limitStores?.('portal-device');
  const starts = rateLimit({
    windowMs: 15 * 60_000, limit: 60, standardHeaders: false, legacyHeaders: false,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? '0.0.0.0')}`,
    ...(store && { store }),
    handler: (_req, res) => noStore(res).status(429).set('Retry-After', '900').json({ error: 'slow_down', error_description: 'Too many sign-ins started from this address. Try again later.' }),
  });

  router.post('/portal/oauth/device_authorization', formOnly, form, starts, async (req, res) => {
    const clientId = field(req, 'client_id');
    if (clientId === undefined) return fail(res, 'invalid_request', 'client_id is required.');
    if (clientId !== CLIENT_ID) return fail(res, 'invalid_client', 'Unknown client.');
    const now = deps.clock.now();
    const { deviceCode, authorization: a } = await deps.cli.start(req.ip ?? '0.0.0.0', now);
    const verificationUri = `${deps.publicUrl}/portal/device`;
    deps.logger.info({ event: 'portal.device.start', sourceIp: a.sourceIp }, 'CLI sign-in started');
    noStore(res).json({
      device_code: deviceCode,
      user_code: a.userCode,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?user_code=${a.userCode}`,
      expires_in: Math.round((a.expiresAt - now) / 1000),
      interval: a.intervalSeconds,
    });
  });

  router.post('/portal/oauth/token', formOnly, form, async (req, res) => {
    const grantType = field(req, 'grant_type');
    if (grantType === undefined) return fail(res, 'invalid_request', 'grant_type is required.');
    if (grantType !== DEVICE_GRANT_TYPE) return fail(res, 'unsupported_grant_type', `Only ${DEVICE_GRANT_TYPE} is supported.`);
    const deviceCode = field(req, 'device_code');
    const clientId = field(req, 'client_id');
    if (deviceCode === undefined || clientId === undefined) return fail(res, 'invalid_request', 'device_code and client_id are required.');
    if (clientId !== CLIENT_ID) return fail(res, 'invalid_client', 'Unknown client.');
    const now = deps.clock.now();
    const poll = await deps.cli.authorizations.poll(hashOf(deviceCode), now);
    if (poll.kind === 'unknown') return fail(res, 'invalid_grant', 'The device code is not valid.');
    const a = poll.authorization;
    if (a.status === 'used') return fail(res, 'invalid_grant', 'The device code has already been used.');
    if (now >= a.expiresAt) return fail(res, 'expired_token', 'The device code has expired. Run gatehouse login again.');
    if (a.status === 'denied') return fail(res, 'access_denied', 'The sign-in was denied in the portal.');
    if (a.status === 'pending') {
      return poll.kind === 'too-fast'
        ? fail(res, 'slow_down', `Polling too fast: wait ${a.intervalSeconds} seconds between requests.`, { interval: a.intervalSeconds })
        : fail(res, 'authorization_pending', 'Waiting for approval in the portal.');
    }
    const issued = await deps.cli.exchange(a.id, now);
    if (!issued) return fail(res, 'invalid_grant', 'The device code has already been used.');
    deps.logger.info({ event: 'portal.cli.grant', grantId: issued.record.id, dn: issued.record.subjectDn, expires: issued.record.expiresAt }, 'CLI grant issued');
    const r = issued.record;
    deps.audit?.person({ username: r.username, dn: r.subjectDn, ...(r.stableId !== null && r.stableId !== undefined && { stableId: r.stableId }) }, auditFacts(req, res, now), {
      source: 'portal',
      name: 'CreateCliGrant',
      parameters: { deviceCode, clientId },
      response: { grantId: r.id, grant: deps.audit.redactor.hmac(issued.grant), expiration: new Date(r.expiresAt).toISOString() },
    });
    const expiresIn = Math.round((issued.record.expiresAt - now) / 1000);
    noStore(res).json({ access_token: issued.grant, token_type: 'Bearer', expires_in: expiresIn, refresh_token: issued.grant });
  });
  return router;
}

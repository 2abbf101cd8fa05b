/**
 * The AWS query API over plain node:http, in front of the Express app: the hot
 * path needs none of Express's middleware.
 *
 * - Serves `POST /` (form body) and `GET /?Action=…`; everything else goes to Express.
 * - Bodies over 1 MiB get 413; slow bodies are cut by the server's timeouts.
 * - Every response has `x-amzn-RequestId`; errors use AWS's XML envelope, and
 *   5xx answers are generic (the cause is logged with the request id).
 * - aws:SourceIp is the socket's address unless `trustProxy` is on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { randomUUID } from 'node:crypto';
import proxyaddr from 'proxy-addr';
import { PayloadTooLarge, publicMessage, toServiceError } from '../../shared/errors.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { Authenticator } from '../../auth/authenticate.js';
import type { IamDeps } from '../../iam/actions/types.js';
import type { RequestFacts } from '../../iam/caller.js';
import type { Api } from '../../api/invoke.js';
import { dispatch, serviceOf } from './dispatch.js';
import { encodeError } from './encode.js';
import { MODELS } from '../../api/model.js';
import { readParams } from './params.js';
import { MAX_BODY_BYTES, readBody, sendAnswer } from '../wire.js';
import { refuseUnsupportedUnsigned, UNSIGNED_STS_ACTIONS } from './unsupported.js';


export interface QueryApiDeps {
  iam: IamDeps;
  /** The operation layer (src/api): every decoded request runs through it. */
  api: Api;
  authenticator: Authenticator;
  clock: Clock;
  logger: Logger;
  /** Express-style `trust proxy`: false, true, a hop count, or addresses/subnets. */
  trustProxy: boolean | number | string | string[];
  /** Told of every request refused before it reached the dispatcher (authentication, parsing): the audit trail and metrics. */
  refused?: (refusal: QueryRefusal) => void;
}

/** A request refused before dispatch (the dispatcher's hook records the rest). */
export interface QueryRefusal {
  requestId: string;
  now: number;
  sourceIp: string;
  userAgent?: string;
  /** From `Version`, else `iam`. */
  service: 'iam' | 'sts';
  action?: string;
  /** The access key id the request claimed (Authorization or X-Amz-Credential), if well-formed. */
  accessKeyId?: string;
  code: string;
  message: string;
}

type TrustFn = (addr: string, i: number) => boolean;

/** Compiles `trust proxy` the way Express does. */
export function compileTrust(value: QueryApiDeps['trustProxy']): TrustFn {
  if (typeof value === 'boolean') return () => value;
  if (typeof value === 'number') return (_a, i) => i < value;
  return proxyaddr.compile(typeof value === 'string' ? value.split(',').map((v) => v.trim()) : value);
}

/** Whether a request is for the query API (and not the portal, console, …). */
export function isQueryRequest(req: IncomingMessage): boolean {
  const url = req.url ?? '';
  if (req.method === 'POST') return url === '/' || url.startsWith('/?');
  return req.method === 'GET' && url.startsWith('/?') && /(^|&)Action=/.test(url.slice(2));
}

export function queryApiHandler(deps: QueryApiDeps) {
  const trust = compileTrust(deps.trustProxy);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    let namespace = MODELS.iam.metadata.xmlNamespace;
    let claimed: { action?: string; version?: string } = {};
    let dispatched = false;
    try {
      const body = await readBody(req, () => new PayloadTooLarge(`Request body larger than ${MAX_BODY_BYTES} bytes.`));
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const params = readParams(q < 0 ? '' : url.slice(q + 1), body.toString('utf8'));
      claimed = { action: params.get('Action'), version: params.get('Version') };
      // Web identity and SAML come unsigned: a clear InvalidAction, not MissingAuthenticationToken (unsupported.ts).
      if (UNSIGNED_STS_ACTIONS.has(params.get('Action') ?? '')) {
        namespace = MODELS.sts.metadata.xmlNamespace;
        refuseUnsupportedUnsigned(params);
      }
      const now = deps.clock.now();
      const { caller, auth } = await deps.authenticator.authenticate(
        { method: req.method ?? 'GET', url, headers: req.headers, rawHeaders: req.rawHeaders, body },
        now,
        params.get('SecurityToken'),
      );
      const service = serviceOf(params, auth.scope.service);
      namespace = MODELS[service].metadata.xmlNamespace;
      const facts = requestFacts(req, trust, requestId, now, auth.scope.region);
      dispatched = true;
      const xml = await dispatch(deps.api, service, params, { deps: deps.iam, caller, facts });
      sendAnswer(res, 200, 'text/xml', xml, requestId);
    } catch (err) {
      const e = toServiceError(err);
      if (e.status >= 500) deps.logger.error({ err, requestId }, 'query API failure');
      else deps.logger.debug({ code: e.code, requestId }, 'query API refusal');
      if (!dispatched && deps.refused) {
        const facts = requestFacts(req, trust, requestId, deps.clock.now(), 'us-east-1');
        const accessKeyId = /Credential=([A-Z0-9]{16,128})(?:\/|%2F)/i.exec(`${req.headers.authorization ?? ''} ${req.url ?? ''}`)?.[1];
        deps.refused({
          requestId,
          now: facts.now,
          sourceIp: facts.sourceIp,
          ...(facts.userAgent !== undefined && { userAgent: facts.userAgent }),
          service: claimed.version === '2011-06-15' ? 'sts' : 'iam',
          ...(claimed.action !== undefined && { action: claimed.action }),
          ...(accessKeyId !== undefined && { accessKeyId }),
          code: e.code,
          message: publicMessage(e),
        });
      }
      if (e instanceof PayloadTooLarge) res.setHeader('connection', 'close');
      sendAnswer(res, e.status, 'text/xml', encodeError(namespace, e.type, e.code, publicMessage(e), requestId), requestId);
    }
  };
}

export function requestFacts(req: IncomingMessage, trust: TrustFn, requestId: string, now: number, region: string): RequestFacts {
  const peer = req.socket.remoteAddress;
  const viaTrustedProxy = peer !== undefined && trust(peer, 0);
  // X-Forwarded-For is read only when the peer is a trusted proxy (proxyaddr walks it otherwise too).
  const sourceIp = (viaTrustedProxy ? proxyaddr(req, trust) : peer) || '0.0.0.0';
  const secure = (req.socket as TLSSocket).encrypted === true || (viaTrustedProxy && req.headers['x-forwarded-proto'] === 'https');
  const facts: RequestFacts = { requestId, now, sourceIp: sourceIp.replace(/^::ffff:/, ''), secureTransport: secure, region };
  const ua = req.headers['user-agent'];
  if (ua !== undefined) facts.userAgent = ua;
  return facts;
}


/**
 * CloudTrail's JSON 1.1 protocol, for one operation: LookupEvents over the audit trail.
 *
 * - `POST /` with `X-Amz-Target: [com.amazonaws.cloudtrail.v20131101.]CloudTrail_20131101.<Op>`;
 *   any other operation is UnknownOperationException.
 * - SigV4 with the service `cloudtrail` (session tokens as for the query API).
 * - Authorised by policy: `cloudtrail:LookupEvents` on `*` (AccessDeniedException).
 * - Answers `application/x-amz-json-1.1`; errors `{"__type": code, "message": …}` with
 *   CloudTrail's names for the authentication errors; 5xx answers are generic.
 * - The call is itself recorded (eventSource `cloudtrail.amazonaws.com`, read-only).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { publicMessage, toServiceError } from '../shared/errors.js';
import type { Authenticator } from '../auth/authenticate.js';
import { authorize } from '../iam/authorize.js';
import type { IamDeps } from '../iam/actions/types.js';
import type { RequestFacts } from '../iam/caller.js';
import { lookupEvents } from '../audit/lookup.js';
import { SerializationException, UnknownOperation } from '../audit/lookup-errors.js';
import { cloudTrailTime, identityOf, newEventId } from '../audit/record.js';
import type { AuditRecorder } from '../audit/recorder.js';
import { readBody, sendAnswer } from './wire.js';

const JSON_11 = 'application/x-amz-json-1.1';

export const CLOUDTRAIL_TARGET_PREFIX = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.';
/** The AWS CLI sends the full prefix; the v3 SDK only `CloudTrail_20131101.<Op>`. */
const TARGET = /^(?:com\.amazonaws\.cloudtrail\.v20131101\.)?CloudTrail_20131101\.(\w+)$/;

/** Whether a request is for the CloudTrail JSON 1.1 API. */
export function isCloudTrailRequest(req: IncomingMessage): boolean {
  const target = req.headers['x-amz-target'];
  return req.method === 'POST' && (req.url === '/' || req.url?.startsWith('/?') === true) && typeof target === 'string' && TARGET.test(target);
}

/** The query API's names → CloudTrail's (JSON protocols name these differently). */
const JSON_CODES: Record<string, string> = {
  InvalidClientTokenId: 'UnrecognizedClientException',
  SignatureDoesNotMatch: 'InvalidSignatureException',
  AccessDenied: 'AccessDeniedException',
  MissingAuthenticationToken: 'MissingAuthenticationTokenException',
  ExpiredToken: 'ExpiredTokenException',
  ServiceUnavailable: 'ServiceUnavailableException',
  InternalFailure: 'InternalFailure',
};

export interface CloudTrailDeps {
  iam: IamDeps;
  authenticator: Authenticator;
  /** Absent when auditing is off (LookupEvents then finds nothing new). */
  recorder?: AuditRecorder;
  /** Counts and times the call (gatehouse_requests_total{service="cloudtrail"}). */
  metrics?: { apiCall(service: string, action: string, seconds: number, errorCode?: string): void };
  /** The request's facts as the query API finds them (client address behind trustProxy, TLS). */
  facts(req: IncomingMessage, requestId: string, now: number, region: string): RequestFacts;
}

export function cloudTrailHandler(deps: CloudTrailDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const body = await readBody(req, () => new SerializationException('The request body is too large.'));
      const now = deps.iam.clock.now();
      const { caller, auth } = await deps.authenticator.authenticate(
        { method: 'POST', url: req.url ?? '/', headers: req.headers, rawHeaders: req.rawHeaders, body },
        now,
        undefined,
        ['cloudtrail'],
      );
      const operation = TARGET.exec(String(req.headers['x-amz-target']))?.[1];
      if (operation !== 'LookupEvents') throw new UnknownOperation(`The operation ${operation} is not supported.`);
      let input: unknown;
      try {
        input = JSON.parse(body.toString('utf8') || '{}');
      } catch {
        throw new SerializationException('The request body is not valid JSON.');
      }
      const ua = req.headers['user-agent'];
      const facts = deps.facts(req, requestId, now, auth.scope.region);
      const op = { deps: deps.iam, caller, facts };
      const record = (errorCode?: string, errorMessage?: string) =>
        deps.recorder?.record({
          record: {
            eventVersion: '1.08',
            userIdentity: identityOf(caller),
            eventTime: cloudTrailTime(now),
            eventSource: 'cloudtrail.amazonaws.com',
            eventName: 'LookupEvents',
            awsRegion: facts.region,
            sourceIPAddress: facts.sourceIp,
            userAgent: ua ?? '',
            ...(errorCode !== undefined && { errorCode, errorMessage: errorMessage ?? '' }),
            requestParameters: input && typeof input === 'object' ? { ...(input as object), ...('NextToken' in (input as object) && { nextToken: 'HIDDEN_DUE_TO_SECURITY_REASONS' }) } : null,
            responseElements: null,
            requestID: requestId,
            eventID: newEventId(now),
            readOnly: true,
            eventType: 'AwsApiCall',
            managementEvent: true,
            recipientAccountId: caller.accountId,
            eventCategory: 'Management',
          },
        });
      try {
        await authorize(op, 'cloudtrail:LookupEvents', '*');
        const out = await lookupEvents(deps.iam.store, caller.accountId, input);
        record();
        deps.metrics?.apiCall('cloudtrail', 'LookupEvents', seconds());
        sendAnswer(res, 200, JSON_11, JSON.stringify(out), requestId);
      } catch (err) {
        const e = toServiceError(err);
        record(JSON_CODES[e.code] ?? e.code, e.status < 500 ? e.message : undefined);
        deps.metrics?.apiCall('cloudtrail', 'LookupEvents', seconds(), JSON_CODES[e.code] ?? e.code);
        throw err;
      }
    } catch (err) {
      const e = toServiceError(err);
      if (e.status >= 500) deps.iam.logger.error({ err, requestId }, 'cloudtrail API failure');
      const type = JSON_CODES[e.code] ?? e.code;
      sendAnswer(res, e.status, JSON_11, JSON.stringify({ __type: type, message: publicMessage(e) }), requestId);
    }
  };
}


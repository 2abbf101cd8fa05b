/**
 * An IAM or STS call as a CloudTrail event: identity, parameters (secrets removed), outcome.
 *
 * - `readOnly` as CloudTrail marks it: Get*, List*, Simulate*, Generate*Report reads and every
 *   STS call (AssumeRole, GetFederationToken, … are read-only management events in AWS).
 * - responseElements: null for IAM calls (AWS records them for a few writes; Gatehouse writes
 *   the event inside the write's transaction, before the response exists); for STS calls the
 *   issued identity and the access key id, expiry and packed size, never the secret or the
 *   session token (its HMAC instead).
 * - The resource a call names (user, group, role, policy, access key, federated user) is kept
 *   beside the record for the ResourceType / ResourceName lookups.
 */
import type { Operation } from '../iam/actions/types.js';
import { cloudTrailTime, EVENT_SOURCES, identityOf, newEventId, type RecordFacets } from './record.js';
import type { Outcome, PendingEvent } from './recorder.js';
import type { Redactor } from './secrets.js';

const READ = /^(Get|List|Simulate|Generate(Credential|ServiceLastAccessed|OrganizationsAccessReport)|Decode)/;

/** Whether CloudTrail marks the action read-only. */
export function isReadOnly(service: 'iam' | 'sts', action: string): boolean {
  return service === 'sts' || READ.test(action);
}

/** The resource an action's input names. */
export function facetsOf(service: 'iam' | 'sts', action: string, input: Record<string, unknown>): RecordFacets {
  const str = (k: string) => (typeof input[k] === 'string' ? (input[k] as string) : undefined);
  if (service === 'sts') {
    if (str('RoleArn')) return { resourceType: 'AWS::IAM::Role', resourceName: str('RoleArn')! };
    if (action === 'GetFederationToken' && str('Name')) return { resourceType: 'AWS::STS::FederatedUser', resourceName: str('Name')! };
    return {};
  }
  if (str('AccessKeyId')) return { resourceType: 'AWS::IAM::AccessKey', resourceName: str('AccessKeyId')! };
  if (str('PolicyArn')) return { resourceType: 'AWS::IAM::Policy', resourceName: str('PolicyArn')! };
  if (str('RoleName')) return { resourceType: 'AWS::IAM::Role', resourceName: str('RoleName')! };
  if (str('GroupName')) return { resourceType: 'AWS::IAM::Group', resourceName: str('GroupName')! };
  if (str('UserName')) return { resourceType: 'AWS::IAM::User', resourceName: str('UserName')! };
  if (str('InstanceProfileName')) return { resourceType: 'AWS::IAM::InstanceProfile', resourceName: str('InstanceProfileName')! };
  return {};
}

export interface ApiCallFacts {
  service: 'iam' | 'sts';
  action: string;
  op: Operation;
  /** The decoded input, once decoding succeeded. */
  input?: Record<string, unknown>;
}

/** Builds the event of a call for an outcome. */
export function apiEvent(call: ApiCallFacts, outcome: Outcome, redactor: Redactor): PendingEvent {
  const { op, service, action } = call;
  const f = op.facts;
  const record: PendingEvent['record'] = {
    eventVersion: '1.08',
    userIdentity: identityOf(op.caller),
    eventTime: cloudTrailTime(f.now),
    eventSource: EVENT_SOURCES[service],
    eventName: action.slice(0, 128),
    awsRegion: f.region,
    sourceIPAddress: f.sourceIp,
    userAgent: f.userAgent ?? '',
    requestParameters: redactor.parameters(call.input),
    responseElements: outcome.ok === true && service === 'sts' ? stsResponse(outcome.output, redactor) : null,
    requestID: f.requestId,
    eventID: newEventId(f.now),
    readOnly: isReadOnly(service, action),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: op.caller.accountId,
    eventCategory: 'Management',
  };
  if (outcome.ok === false) {
    record.errorCode = outcome.code;
    record.errorMessage = outcome.message;
  }
  return { record, facets: call.input ? facetsOf(service, action, call.input) : {} };
}

/** The STS output without secrets: credentials keep their key id and expiry, the token its HMAC. */
function stsResponse(output: unknown, redactor: Redactor): Record<string, unknown> | null {
  // The dispatcher's run resolves to `{ action, output }`; a typed invoke may resolve to the output itself.
  const value = output as ({ action?: unknown; output?: Record<string, unknown> } & Record<string, unknown>) | undefined;
  const o = value && typeof value.action === 'string' && 'output' in value ? value.output : value;
  if (!o || typeof o !== 'object') return null;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    const key = k.charAt(0).toLowerCase() + k.slice(1);
    if (k === 'Credentials' && v && typeof v === 'object') {
      const c = v as { AccessKeyId?: string; SessionToken?: string; Expiration?: unknown };
      out.credentials = {
        accessKeyId: c.AccessKeyId,
        ...(c.SessionToken && { sessionToken: redactor.hmac(c.SessionToken) }),
        expiration: c.Expiration instanceof Date ? c.Expiration.toISOString() : typeof c.Expiration === 'number' ? new Date(c.Expiration).toISOString() : c.Expiration,
      };
    } else if (!/secret|token|password/i.test(k)) {
      out[key] = v instanceof Date ? v.toISOString() : v;
    }
  }
  return out;
}

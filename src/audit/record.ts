/**
 * The event record, in CloudTrail's format (eventVersion 1.08), and how a request becomes one.
 *
 * - `userIdentity` follows CloudTrail's shapes: IAMUser, Root, AssumedRole and FederatedUser
 *   (with `sessionContext.sessionIssuer` and `attributes`), `Unknown` before authentication.
 * - Gatehouse extensions, under names AWS does not use: `sessionContext.directoryIdentity`
 *   (`{dn, stableId, username}`: the person in the directory behind a portal-minted session),
 *   the `DirectoryUser` identity type (a person at the portal, before any credentials exist)
 *   and the portal's event source `portal.gatehouse.amazonaws.com`.
 * - No secret is ever placed in a record: requestParameters pass through `redact` (secrets.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from '../iam/caller.js';
import { roleArnOf } from '../iam/principals.js';
import { iamArn, rootArn } from '../shared/arn.js';

export const EVENT_SOURCES = {
  iam: 'iam.amazonaws.com',
  sts: 'sts.amazonaws.com',
  signin: 'signin.amazonaws.com',
  /** Gatehouse's own: portal sign-ins, refusals, set choices, hand-offs, mints, CLI grants. */
  portal: 'portal.gatehouse.amazonaws.com',
} as const;

export interface DirectoryIdentity {
  dn: string;
  /** entryUUID or objectGUID. */
  stableId?: string;
  username?: string;
}

export interface UserIdentity {
  type: 'IAMUser' | 'Root' | 'AssumedRole' | 'FederatedUser' | 'Unknown' | 'DirectoryUser';
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  sessionContext?: {
    sessionIssuer?: { type: 'Role' | 'IAMUser' | 'Root'; principalId: string; arn?: string; accountId: string; userName?: string };
    attributes: { creationDate: string; mfaAuthenticated: 'true' | 'false' };
    sourceIdentity?: string;
    directoryIdentity?: DirectoryIdentity;
  };
}

export interface CloudTrailRecord {
  eventVersion: '1.08';
  userIdentity: UserIdentity;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown>;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  eventType: 'AwsApiCall' | 'AwsConsoleSignIn';
  managementEvent: true;
  recipientAccountId: string;
  eventCategory: 'Management';
}

/** The lookup columns that go beside a record. */
export interface RecordFacets {
  resourceType?: string;
  resourceName?: string;
}

let lastSecond = NaN;
let lastText = '';

/** CloudTrail's time format: ISO 8601 to the second (the last one formatted is kept). */
export function cloudTrailTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastSecond) {
    lastText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    lastSecond = second;
  }
  return lastText;
}

/**
 * A fresh event id: a UUID as CloudTrail's, in the time-ordered version 7 layout (RFC 9562:
 * 48 bits of epoch ms, then random), so the store's unique index grows at its end instead of
 * at random places (which matters at millions of events).
 */
export function newEventId(now: number = Date.now()): string {
  // randomUUID draws from a pooled buffer (randomBytes per call is a syscall): keep its random
  // bits and variant, put the time in front and the version 7 nibble in place.
  const random = randomUUID();
  const time = Math.max(0, Math.floor(now)).toString(16).padStart(12, '0').slice(-12);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${random.slice(15)}`;
}

/** userIdentity for an authenticated caller. */
export function identityOf(caller: Caller): UserIdentity {
  const base = { principalId: caller.userId, arn: caller.arn, accountId: caller.accountId, accessKeyId: caller.accessKeyId };
  const s = caller.session;
  const sessionContext = s && {
    attributes: { creationDate: cloudTrailTime(s.issuedAt), mfaAuthenticated: s.mfaAuthenticatedAt !== undefined ? ('true' as const) : ('false' as const) },
    ...(s.sourceIdentity !== undefined && { sourceIdentity: s.sourceIdentity }),
    ...(s.directory && { directoryIdentity: s.directory }),
  };
  switch (caller.type) {
    case 'Account':
      return { type: 'Root', ...base, ...(sessionContext && { sessionContext }) };
    case 'User':
      return { type: 'IAMUser', ...base, ...(caller.user && { userName: caller.user.name }), ...(sessionContext && { sessionContext }) };
    case 'AssumedRole': {
      const role = caller.role;
      const issuer = role && { type: 'Role' as const, principalId: role.id, arn: roleArnOf({ accountId: caller.accountId, path: role.path, name: role.name }), accountId: caller.accountId, userName: role.name };
      return { type: 'AssumedRole', ...base, ...(sessionContext && { sessionContext: { ...(issuer && { sessionIssuer: issuer }), ...sessionContext } }) };
    }
    case 'FederatedUser': {
      const issuerId = s?.issuerUserId ?? caller.accountId;
      const issuer =
        issuerId === caller.accountId
          ? { type: 'Root' as const, principalId: caller.accountId, arn: rootArn(caller.accountId), accountId: caller.accountId }
          : { type: 'IAMUser' as const, principalId: issuerId, accountId: caller.accountId, ...(caller.user && { userName: caller.user.name, arn: iamArn(caller.accountId, 'user', caller.user.path, caller.user.name) }) };
      return { type: 'FederatedUser', ...base, ...(sessionContext && { sessionContext: { sessionIssuer: issuer, ...sessionContext } }) };
    }
  }
}

/** The Username lookup value of an identity, as CloudTrail fills it. */
export function usernameOf(id: UserIdentity): string | null {
  if (id.type === 'IAMUser' || id.type === 'DirectoryUser') return id.userName ?? null;
  if (id.type === 'Root') return 'root';
  if (id.type === 'AssumedRole' || id.type === 'FederatedUser') {
    // The session name / federated user name: the last path element of the ARN.
    const name = id.arn?.split('/').at(-1);
    return name ?? null;
  }
  return id.userName ?? null;
}

/** The directory identity of a record, if any. */
export function directoryOf(id: UserIdentity): DirectoryIdentity | undefined {
  return id.sessionContext?.directoryIdentity;
}

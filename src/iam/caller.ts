/**
 * Who is making a request, as established by authentication, and the
 * per-request context every IAM and STS operation receives.
 */
import type { ContextValue, PrincipalType } from '../policy/index.js';
import type { RoleRecord, UserRecord } from '../store/types.js';
import { sessionPrincipalArn } from './principals.js';

export interface Caller {
  accountId: string;
  /** `Account` for the root, `User`, `AssumedRole` or `FederatedUser`. */
  type: Exclude<PrincipalType, 'Anonymous'>;
  /** The principal's ARN (root, user, assumed-role session or federated user). */
  arn: string;
  /** The value of aws:userid (user id, `AROA…:session`, `account:name`). */
  userId: string;
  /** The access key id the request was signed with. */
  accessKeyId: string;
  /** For IAM users. */
  user?: UserRecord;
  /** For role sessions. */
  role?: RoleRecord;
  /** For temporary credentials: the session they belong to. */
  session?: CallerSession;
  /** The account revision this caller was resolved at (lets the permission check skip a read). */
  revision?: number;
}

export interface CallerSession {
  /** Epoch ms. */
  issuedAt: number;
  expiresAt: number;
  /** Inline session policy documents, already validated. */
  policies: string[];
  /** Managed session policy ARNs, resolved live on every request. */
  policyArns?: string[];
  mfaAuthenticatedAt?: number;
  tags?: Record<string, string>;
  sourceIdentity?: string;
  /** The person in the directory behind a portal-minted session (the audit trail names them). */
  directory?: { dn: string; stableId?: string; username?: string };
  /** The issuing user, for federated sessions. */
  issuerUserId?: string;
  /** GetSessionToken credentials carry the user's own permissions. */
  /** `console`: an IAM user signed in to the console with a password (and MFA, if it has a device). */
  kind: 'federation' | 'session' | 'role' | 'console';
}

/** Request facts that become condition keys (aws:SourceIp, aws:SecureTransport, …). */
export interface RequestFacts {
  requestId: string;
  now: number;
  sourceIp: string;
  secureTransport: boolean;
  userAgent?: string;
  region: string;
  /** The person in the directory a mint in this request is for (sts/mint-identity.ts). */
  person?: { dn: string; stableId?: string; username?: string; sourceIdentity?: string };
}

/** The global condition keys for this caller and request. */
export function requestContextValues(caller: Caller, facts: RequestFacts): Record<string, ContextValue> {
  const v: Record<string, ContextValue> = {
    'aws:SourceIp': facts.sourceIp,
    'aws:SecureTransport': String(facts.secureTransport),
    'aws:PrincipalType': caller.type,
    'aws:PrincipalArn': sessionPrincipalArn(caller),
    'aws:PrincipalAccount': caller.accountId,
    'aws:userid': caller.userId,
    'aws:RequestedRegion': facts.region,
  };
  if (facts.userAgent !== undefined) v['aws:UserAgent'] = facts.userAgent;
  if (caller.type === 'User' && caller.user) v['aws:username'] = caller.user.name;
  const tags = caller.type === 'User' ? (caller.user?.tags ?? []) : (caller.role?.tags ?? []);
  for (const t of tags) v[`aws:PrincipalTag/${t.key}`] = t.value;
  const s = caller.session;
  if (s) {
    v['aws:TokenIssueTime'] = new Date(s.issuedAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const [k, val] of Object.entries(s.tags ?? {})) v[`aws:PrincipalTag/${k}`] = val;
    if (s.mfaAuthenticatedAt !== undefined) {
      v['aws:MultiFactorAuthPresent'] = 'true';
      v['aws:MultiFactorAuthAge'] = String(Math.max(0, Math.floor((facts.now - s.mfaAuthenticatedAt) / 1000)));
    } else {
      v['aws:MultiFactorAuthPresent'] = 'false';
    }
    if (s.sourceIdentity !== undefined) v['aws:SourceIdentity'] = s.sourceIdentity;
  }
  return v;
}

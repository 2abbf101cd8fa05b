/**
 * The STS action table: GetFederationToken, GetSessionToken, AssumeRole, GetCallerIdentity.
 * Each operation is one file in operations/, written as a chain of named checks; the rules
 * they share are one file each in checks/:
 * - caller.ts: which credential kinds may call what (long-term only; no root or federated AssumeRole);
 * - durations.ts: DurationSeconds defaults and limits, the root cap, role chaining;
 * - names.ts: session names and SourceIdentity;
 * - mfa.ts: SerialNumber + TokenCode;
 * - trust.ts: the role's trust policy;
 * - session-tags.ts: Tags and sts:TagSession;
 * - source-identity.ts: SourceIdentity kept through chaining, sts:SetSourceIdentity.
 * Inputs are typed (src/api/types/sts.ts) and validated against AWS's model before a handler runs.
 */
import type { ActionTable } from '../iam/actions/types.js';
import { assumeRole } from './operations/assume-role.js';
import { getCallerIdentity } from './operations/get-caller-identity.js';
import { getFederationToken } from './operations/get-federation-token.js';
import { getSessionToken } from './operations/get-session-token.js';
import type { TokenService } from './tokens.js';

export function stsActions(tokens: TokenService): ActionTable {
  return {
    GetCallerIdentity: getCallerIdentity,
    GetFederationToken: getFederationToken(tokens),
    GetSessionToken: getSessionToken(tokens),
    AssumeRole: assumeRole(tokens),
  };
}

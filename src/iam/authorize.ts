/**
 * Authorising one action for a caller with the policy engine.
 *
 * - The account root may do everything.
 * - Federated-user sessions may call no IAM action (as in AWS).
 * - Everyone else needs an Allow from their live policies, within their
 *   permissions boundary and session policies, and no explicit Deny.
 * A refusal is AccessDenied with AWS's wording, naming the caller, the action,
 * the resource and why. The decision uses the resource's real ARN (an entity's real path);
 * the refusal names it as the request did (`user NAME`, as AWS words it), never with what
 * exists, so a caller without permissions cannot tell an existing entity from a missing one.
 */
import { authorize as decide, createContext, explain, type Explanation } from '../policy/index.js';
import { AccessDenied } from '../shared/errors.js';
import { requestContextValues } from './caller.js';
import type { AuthResource, Operation } from './actions/types.js';

export type { AuthResource, ResourceRef } from './actions/types.js';

export const arnOf = (r: AuthResource): string => (typeof r === 'string' ? r : r.arn);
const shownOf = (r: AuthResource): string => (typeof r === 'string' ? r : r.shown);

export interface AuthorizeOptions {
  /** Extra condition keys for this action. */
  context?: Record<string, string>;
  /** Time zone of the gatehouse:MinuteOfDay / DayOfWeek keys. */
  timeZone?: string;
}

const STS_FOR_SESSION_TOKENS = new Set(['sts:assumerole', 'sts:tagsession']);

let timeZone = 'UTC';
/** Sets the zone of the time-of-day keys (from config `policy.timeZone`). */
export function setPolicyTimeZone(zone: string): void {
  timeZone = zone;
}

/**
 * What a kind of credential may never call, whatever its policies say; checked for every
 * action, including those that authorise themselves (`public` handlers: GetCallerIdentity,
 * GetSessionToken, ChangePassword, GetAccountPasswordPolicy). As in AWS:
 * - federated-user sessions call no IAM and no STS action but GetCallerIdentity;
 * - GetSessionToken credentials call IAM only when MFA was presented, and STS only for
 *   AssumeRole (with the session tagging it may carry) and GetCallerIdentity.
 */
/** `resource` is only for the refusal's wording: as the request named it (ResourceRef.shown). */
export function checkCredentialScope(op: Operation, action: string, resource = '*'): void {
  const { caller } = op;
  const refuse = (why: string) => new AccessDenied(`User: ${caller.arn} is not authorized to perform: ${action} on resource: ${resource} ${why}`);
  const service = action.slice(0, action.indexOf(':')).toLowerCase();
  if (action.toLowerCase() === 'sts:getcalleridentity') return;
  if (caller.type === 'FederatedUser' && (service === 'iam' || service === 'sts')) {
    throw refuse(`because federated user sessions cannot call ${service.toUpperCase()}`);
  }
  if (caller.session?.kind === 'session') {
    if (service === 'iam' && caller.session.mfaAuthenticatedAt === undefined) throw refuse('because credentials from GetSessionToken without MFA cannot call IAM');
    if (service === 'sts' && !STS_FOR_SESSION_TOKENS.has(action.toLowerCase())) throw refuse('because credentials from GetSessionToken cannot call this STS action');
  }
}

export async function authorize(op: Operation, action: string, target: AuthResource, options: AuthorizeOptions = {}): Promise<void> {
  const { caller } = op;
  const resource = arnOf(target);
  const shown = shownOf(target);
  const refuse = (why: string) => new AccessDenied(`User: ${caller.arn} is not authorized to perform: ${action} on resource: ${shown} ${why}`);
  checkCredentialScope(op, action, shown);
  if (caller.type === 'Account') return;
  const set = await op.deps.permissions.policySet(caller);
  const values = { ...requestContextValues(caller, op.facts), ...options.context };
  const context = createContext(values, { now: op.facts.now, timeZone: options.timeZone ?? timeZone });
  // The fast, allocation-light decision first; the full explanation only to word a refusal.
  if (decide({ action, resource, context }, set) === 'Allow') return;
  const result = explain({ action, resource, context }, set);
  if (result.decision === 'Allow') return;
  throw refuse(whyDenied(result, action));
}

/** AWS's wording: the kind of policy that denied, never its name or statements (those stay in the server's explanation). */
const POLICY_TYPE: Record<string, string> = { identity: 'an identity-based policy', boundary: 'a permissions boundary', session: 'a session policy' };

function whyDenied(result: Explanation, action: string): string {
  if (result.decision === 'ExplicitDeny') {
    const deny = result.matchedStatements.find((m) => m.effect === 'Deny');
    return `with an explicit deny in ${POLICY_TYPE[deny?.policyType ?? 'identity'] ?? POLICY_TYPE.identity}`;
  }
  if (result.reason.startsWith('No identity-based')) return `because no identity-based policy allows the ${action} action`;
  if (result.reason.startsWith('The permissions boundary')) return `because no permissions boundary allows the ${action} action`;
  if (result.reason.startsWith('No session policy')) return `because no session policy allows the ${action} action`;
  return `because ${result.reason.charAt(0).toLowerCase()}${result.reason.slice(1).replace(/\.$/, '')}`;
}

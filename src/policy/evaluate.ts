/**
 * The decision flow for an identity-based request, as AWS documents it:
 *
 * 1. An explicit Deny in any policy (identity, permissions boundary, session) → ExplicitDeny.
 * 2. A FederatedUser session with no session policy → ImplicitDeny.
 * 3. Some identity policy must Allow; the boundary (if any) must Allow; some
 *    session policy (if any) must Allow → Allow. Otherwise ImplicitDeny.
 *
 * `authorize` is the hot path: no parsing, no regex construction, and it stops
 * at the first deciding statement. `explain` walks everything and says why.
 */
import type { RequestContext } from './context.js';
import type { CompiledPolicy } from './parse.js';
import { ResourceName } from './resource.js';
import type { CompiledStatement } from './statement.js';
import type { Decision, Explanation, MatchedStatement, PolicyKind, PrincipalType } from './types.js';

/** A compiled policy and the name it is shown under. */
export interface PolicyEntry {
  name: string;
  policy: CompiledPolicy;
}

export interface PolicySet {
  principalType?: PrincipalType;
  identity: readonly PolicyEntry[];
  /** The permissions boundary, when the principal has one. */
  boundary?: PolicyEntry | undefined;
  /** Session policies (inline and managed), when the session has any. */
  session?: readonly PolicyEntry[] | undefined;
}

export interface AuthorizationRequest {
  action: string;
  resource: string;
  context: RequestContext;
}

export function authorize(req: AuthorizationRequest, set: PolicySet): Decision {
  const action = req.action.toLowerCase();
  const colon = action.indexOf(':');
  const service = colon < 0 ? action : action.slice(0, colon);
  const { context } = req;
  const resource = new ResourceName(req.resource);
  const session = set.session !== undefined && set.session.length > 0 ? set.session : undefined;
  const boundary = set.boundary?.policy.forService(service);
  if (
    anyApplies(set.identity, service, true, action, resource, context) ||
    (boundary !== undefined && someApplies(boundary.denies, action, resource, context)) ||
    (session !== undefined && anyApplies(session, service, true, action, resource, context))
  ) {
    return 'ExplicitDeny';
  }
  if (set.principalType === 'FederatedUser' && session === undefined) return 'ImplicitDeny';
  if (!anyApplies(set.identity, service, false, action, resource, context)) return 'ImplicitDeny';
  if (boundary !== undefined && !someApplies(boundary.allows, action, resource, context)) return 'ImplicitDeny';
  if (session !== undefined && !anyApplies(session, service, false, action, resource, context)) return 'ImplicitDeny';
  return 'Allow';
}

function anyApplies(entries: readonly PolicyEntry[], service: string, denies: boolean, action: string, resource: ResourceName, ctx: RequestContext): boolean {
  for (let i = 0; i < entries.length; i++) {
    const s = entries[i]!.policy.forService(service);
    if (someApplies(denies ? s.denies : s.allows, action, resource, ctx)) return true;
  }
  return false;
}

function someApplies(statements: readonly CompiledStatement[], action: string, resource: ResourceName, ctx: RequestContext): boolean {
  for (let i = 0; i < statements.length; i++) if (statements[i]!.applies(action, resource, ctx)) return true;
  return false;
}

/** The decision with every matching statement and a reason. */
export function explain(req: AuthorizationRequest, set: PolicySet): Explanation {
  const action = req.action.toLowerCase();
  const resource = new ResourceName(req.resource);
  const matched: MatchedStatement[] = [];
  const collect = (entries: readonly PolicyEntry[], policyType: PolicyKind) => {
    let allow: MatchedStatement | undefined;
    for (const { name, policy } of entries) {
      for (const st of policy.statements) {
        if (!st.applies(action, resource, req.context)) continue;
        const m: MatchedStatement = { policy: name, policyType, statementIndex: st.index, effect: st.effect };
        if (st.sid !== undefined) m.sid = st.sid;
        matched.push(m);
        if (st.effect === 'Allow') allow ??= m;
      }
    }
    return allow;
  };
  const session = set.session !== undefined && set.session.length > 0 ? set.session : undefined;
  const identityAllow = collect(set.identity, 'identity');
  const boundaryAllow = set.boundary ? collect([set.boundary], 'boundary') : undefined;
  const sessionAllow = session ? collect(session, 'session') : undefined;
  const deny = matched.find((m) => m.effect === 'Deny');
  const done = (decision: Explanation['decision'], reason: string): Explanation => ({ decision, reason, matchedStatements: matched });
  if (deny) return done('ExplicitDeny', `Explicitly denied by ${describe(deny)}.`);
  if (set.principalType === 'FederatedUser' && !session) {
    return done('ImplicitDeny', 'A federated user session without a session policy has no permissions.');
  }
  if (!identityAllow) return done('ImplicitDeny', `No identity-based policy allows ${req.action} on ${req.resource}.`);
  if (set.boundary && !boundaryAllow) return done('ImplicitDeny', `The permissions boundary ${set.boundary.name} does not allow ${req.action}.`);
  if (session && !sessionAllow) return done('ImplicitDeny', `No session policy allows ${req.action} on ${req.resource}.`);
  return done('Allow', `Allowed by ${describe(identityAllow)}.`);
}

export function describe(m: MatchedStatement): string {
  const sid = m.sid !== undefined ? ` (Sid ${m.sid})` : '';
  return `${m.policyType} policy ${m.policy}, statement ${m.statementIndex + 1}${sid}`;
}

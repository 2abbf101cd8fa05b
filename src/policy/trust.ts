/**
 * Evaluating a trust policy (or any resource policy with a Principal element):
 * may this principal perform this action (e.g. sts:AssumeRole) here?
 *
 * - A statement applies when its Principal/NotPrincipal, Action/NotAction,
 *   Resource (if any) and Condition all match.
 * - An explicit Deny wins; otherwise an Allow is needed; otherwise ImplicitDeny.
 */
import type { RequestContext } from './context.js';
import { describe } from './evaluate.js';
import { ResourceName } from './resource.js';
import type { CompiledPolicy } from './parse.js';
import type { Decision, Explanation, MatchedStatement, TrustPrincipal } from './types.js';

export interface TrustRequest {
  principal: TrustPrincipal;
  action: string;
  /** The resource, for resource policies; trust policies have no Resource element. */
  resource?: string;
  context: RequestContext;
}

/** The decision alone. */
export function evaluateTrust(policy: CompiledPolicy, req: TrustRequest): Decision {
  return explainTrust(policy, req).decision;
}

/** The decision, the statements that matched, and why. */
export function explainTrust(policy: CompiledPolicy, req: TrustRequest, name = 'trust'): Explanation {
  const action = req.action.toLowerCase();
  const resource = new ResourceName(req.resource ?? '*');
  const matched: MatchedStatement[] = [];
  for (const st of policy.statements) {
    if (!st.matchesPrincipal(req.principal) || !st.applies(action, resource, req.context)) continue;
    const m: MatchedStatement = { policy: name, policyType: policy.kind, statementIndex: st.index, effect: st.effect };
    if (st.sid !== undefined) m.sid = st.sid;
    matched.push(m);
  }
  const deny = matched.find((m) => m.effect === 'Deny');
  const allow = matched.find((m) => m.effect === 'Allow');
  const decision: Decision = deny ? 'ExplicitDeny' : allow ? 'Allow' : 'ImplicitDeny';
  const reason = deny
    ? `Explicitly denied by ${describe(deny)}.`
    : allow
      ? `Allowed by ${describe(allow)}.`
      : `No statement in ${name} allows ${req.principal.id} to perform ${req.action}.`;
  return { decision, reason, matchedStatements: matched };
}

/**
 * Whether a federated console session's credentials are revoked although they still resolve
 * (a deleted role or issuing user is caught earlier: the credentials no longer resolve).
 * - An explicit Deny covers every action: AWS's "revoke active sessions" (Deny `*` on `*` while
 *   `aws:TokenIssueTime` is before the revocation), or a deny-all attached to the role or the
 *   broker. Probed with an action and a resource that only a full wildcard names.
 * - A federated user whose issuing user (the broker) has no identity policy left: nothing can be
 *   allowed any more (removing the broker's permissions revokes every credential it issued).
 * A role session whose role merely lost its policies is not revoked (as in AWS): it stays open
 * and its pages show AccessDenied, and a restored policy works again at once.
 */
import { authorize, createContext } from '../policy/index.js';
import { requestContextValues } from '../iam/caller.js';
import type { Operation } from '../iam/actions/types.js';

/** An action no policy names except through `*` (or `gatehouse:*`). */
const PROBE = { action: 'gatehouse:UseConsoleSession', resource: '*' };

export async function revoked(op: Operation): Promise<boolean> {
  const { caller } = op;
  if (caller.type === 'Account') return false;
  const set = await op.deps.permissions.policySet(caller);
  if (caller.type === 'FederatedUser' && caller.user && set.identity.length === 0) return true;
  const context = createContext(requestContextValues(caller, op.facts), { now: op.facts.now });
  return authorize({ ...PROBE, context }, set) === 'ExplicitDeny';
}

/**
 * Who may call which STS operation (the credential kind, before anything else is read).
 * - GetFederationToken and GetSessionToken need long-term credentials (an IAM user's or the
 *   root's access key): temporary credentials are AccessDenied.
 * - The account root cannot assume roles (AccessDenied).
 * - A federated user cannot assume roles (AccessDenied).
 * - A role session can (role chaining; durations.ts caps it).
 * GetCallerIdentity is open to every credential (its handler is public).
 */
import { AccessDenied } from '../../shared/errors.js';
import type { Operation } from '../../iam/actions/types.js';

export function requireLongTermCredentials(op: Operation, action: string): void {
  if (op.caller.session) throw new AccessDenied(`Cannot call ${action} with session credentials`);
}

export function requireRoleAssumer(op: Operation): void {
  if (op.caller.type === 'Account') throw new AccessDenied('Roles may not be assumed by root accounts.');
  if (op.caller.type === 'FederatedUser') throw new AccessDenied('Federated users may not assume roles.');
}

/**
 * AssumeRole's SourceIdentity.
 * - A session that has one keeps it: a chained AssumeRole carries it on, and asking for a
 *   different one is AccessDenied.
 * - A new one must be a valid name (names.ts) and needs sts:SetSourceIdentity both in the
 *   caller's own policies and in the role's trust policy (sts:SourceIdentity in the context).
 */
import { AccessDenied } from '../../shared/errors.js';
import { authorize } from '../../iam/authorize.js';
import type { Operation } from '../../iam/actions/types.js';
import type { ContextValue } from '../../policy/index.js';
import { checkSourceIdentityName } from './names.js';
import { requireTrust, type TrustPolicy } from './trust.js';

export async function checkSourceIdentity(op: Operation, asked: string | undefined, roleArn: string, trust: TrustPolicy, values: Record<string, ContextValue>): Promise<string | undefined> {
  const held = op.caller.session?.sourceIdentity;
  if (held !== undefined) {
    if (asked !== undefined && asked !== held) throw new AccessDenied('The source identity of a session cannot be changed: a role assumed with it keeps it (role chaining).');
    return held;
  }
  if (asked === undefined) return undefined;
  checkSourceIdentityName(asked);
  const keys = { 'sts:SourceIdentity': asked };
  await authorize(op, 'sts:SetSourceIdentity', roleArn, { context: keys });
  requireTrust(op, trust, 'sts:SetSourceIdentity', { ...values, ...keys }, roleArn);
  return asked;
}

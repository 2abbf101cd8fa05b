/**
 * A role's trust policy, asked on AssumeRole for each thing the caller wants of the role.
 * - sts:AssumeRole must be allowed for the caller as a trust principal (its ARN, and for a role
 *   session also its role's ARN), in the request's context (source IP, MFA, ExternalId, session
 *   name, requested tags); otherwise AccessDenied naming the role ARN as the request gave it.
 * - sts:TagSession and sts:SetSourceIdentity are asked the same way (session-tags.ts,
 *   source-identity.ts).
 */
import { AccessDenied } from '../../shared/errors.js';
import { createContext, evaluateTrust, type ContextValue, type TrustPrincipal } from '../../policy/index.js';
import { sessionPrincipalArn } from '../../iam/principals.js';
import type { Operation } from '../../iam/actions/types.js';

export type TrustPolicy = Parameters<typeof evaluateTrust>[0];

/** The caller as a trust-policy principal. */
export function trustPrincipal(op: Operation): TrustPrincipal {
  const { caller } = op;
  if (caller.role) return { type: 'AWS', id: caller.arn, roleArn: sessionPrincipalArn(caller) };
  return { type: 'AWS', id: caller.arn };
}

/** Throws AccessDenied unless the trust policy allows `action` for the caller with `values`. */
export function requireTrust(op: Operation, trust: TrustPolicy, action: string, values: Record<string, ContextValue>, roleArn: string): void {
  const context = createContext(values, { now: op.facts.now });
  if (evaluateTrust(trust, { principal: trustPrincipal(op), action, context }) !== 'Allow') {
    throw new AccessDenied(`User: ${op.caller.arn} is not authorized to perform: ${action} on resource: ${roleArn}`);
  }
}

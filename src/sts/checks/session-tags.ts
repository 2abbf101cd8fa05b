/**
 * Session tags (GetFederationToken, AssumeRole).
 * - Tags are `Key`/`Value` pairs (at most 50, AWS's model); a later key replaces an earlier one.
 * - Passing Tags (or TransitiveTagKeys) needs sts:TagSession in the caller's own policies
 *   (aws:RequestTag/KEY in the context) and, for AssumeRole, in the role's trust policy too.
 */
import { authorize } from '../../iam/authorize.js';
import type { Operation } from '../../iam/actions/types.js';
import { requireTrust, type TrustPolicy } from './trust.js';
import type { ContextValue } from '../../policy/index.js';

export function tagsOf(list: ReadonlyArray<{ Key: string; Value: string }> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) out[t.Key] = t.Value;
  return out;
}

/** aws:RequestTag/… for a request that passes session tags. */
export function tagContext(tags: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) out[`aws:RequestTag/${k}`] = v;
  return out;
}

/** sts:TagSession in the caller's policies on `resource`. */
export async function checkTagSession(op: Operation, tags: Record<string, string>, resource: string): Promise<void> {
  await authorize(op, 'sts:TagSession', resource, { context: tagContext(tags) });
}

/** AssumeRole: sts:TagSession in the caller's policies and in the role's trust policy. */
export async function checkRoleTagSession(op: Operation, tags: Record<string, string>, trust: TrustPolicy, values: Record<string, ContextValue>, roleArn: string): Promise<void> {
  await checkTagSession(op, tags, roleArn);
  requireTrust(op, trust, 'sts:TagSession', values, roleArn);
}

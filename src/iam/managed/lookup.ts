/**
 * One place that turns a managed policy ARN into its current default document, whether the
 * policy is the account's own (customer managed, in the store) or AWS's (the catalogue).
 * Used for permissions boundaries, session policy ARNs and their existence checks.
 *
 * - A customer policy is found only in the caller's account, by its exact ARN (path included).
 * - An AWS policy is found by its exact ARN in the catalogue.
 */
import type { Repositories } from '../../store/types.js';
import { parsePolicyArn, policyArn } from '../arns.js';
import { awsManagedPolicy, isAwsPolicyArn } from './catalogue.js';

export interface ResolvedManagedPolicy {
  arn: string;
  /** The default version's document. */
  document: string;
  /** Whether it is one of AWS's managed policies. */
  aws: boolean;
  /** Whether it may be attached (not a service-linked role's policy). */
  attachable: boolean;
}

/** The policy named by `arn` as the account `accountId` sees it; undefined when there is none. */
export async function resolveManagedPolicy(store: Pick<Repositories, 'managedPolicies'>, accountId: string, arn: string): Promise<ResolvedManagedPolicy | undefined> {
  if (isAwsPolicyArn(arn)) {
    const p = awsManagedPolicy(arn);
    return p && { arn, document: p.document, aws: true, attachable: p.attachable };
  }
  const parsed = parsePolicyArn(arn);
  if (!parsed || parsed.account !== accountId) return undefined;
  const policy = await store.managedPolicies.get(parsed.account, parsed.name);
  if (!policy || policyArn(policy.accountId, policy.path, policy.name) !== arn) return undefined;
  const version = await store.managedPolicies.getVersion(policy.id, policy.defaultVersionId);
  return version && { arn, document: version.document, aws: false, attachable: true };
}

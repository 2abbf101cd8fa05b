/**
 * AWS managed policies (`arn:aws:iam::aws:policy/…`) through the managed-policy actions.
 * - GetPolicy, GetPolicyVersion and ListPolicyVersions answer from the catalogue (its default
 *   version only); AttachmentCount and PermissionsBoundaryUsageCount are the account's own.
 * - They are read-only: CreatePolicyVersion, DeletePolicy, DeletePolicyVersion,
 *   SetDefaultPolicyVersion (and the tagging actions) are refused with AccessDenied, as for any
 *   resource of another account.
 * - ListPolicies: `Scope` AWS (the catalogue), Local (the account's own) or All (default: AWS's
 *   then the account's), with PathPrefix, OnlyAttached, PolicyUsageFilter, MaxItems and Marker.
 * Customer managed ARNs fall through to the handlers of managed.ts.
 */
import { AccessDenied, NoSuchEntity } from '../../shared/errors.js';
import type { PolicyUsage } from '../../store/types.js';
import { policyArn } from '../arns.js';
import { awsManagedPolicies, awsManagedPolicy, isAwsPolicyArn, type AwsManagedPolicy } from '../managed/catalogue.js';
import { encodeDocument, pageRequest } from './common.js';
import { policyShape } from './shapes.js';
import type { ActionHandler, ActionTable, Operation, Output } from './types.js';
import type { IamInputs } from '../../api/types/iam.js';

/** An AWS managed policy as IAM's `Policy` structure, with the account's usage counts. */
export function awsPolicyShape(p: AwsManagedPolicy, attachments: number, boundaryUsage: number): Record<string, unknown> {
  return {
    PolicyName: p.name,
    PolicyId: p.id,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: attachments,
    PermissionsBoundaryUsageCount: boundaryUsage,
    IsAttachable: p.attachable,
    CreateDate: p.createdAt,
    UpdateDate: p.updatedAt,
  };
}

/** The AWS managed policy named by the input's PolicyArn; NoSuchEntity as AWS words it. */
export function findAwsPolicy(arn: string): AwsManagedPolicy {
  const p = awsManagedPolicy(arn);
  if (!p) throw new NoSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return p;
}

/** The refusal of any write to an AWS managed policy. */
export function refuseAwsWrite(op: Operation, action: string, arn: string): never {
  throw new AccessDenied(`User: ${op.caller.arn} is not authorized to perform: iam:${action} on resource: policy ${arn} because no resource-based policy allows the iam:${action} action`);
}

async function usage(op: Operation, arn: string): Promise<{ attachments: number; boundary: number }> {
  const [counts, boundary] = await Promise.all([
    op.deps.store.awsPolicyAttachments.counts(op.caller.accountId),
    op.deps.store.managedPolicies.boundaryUsage(op.caller.accountId, [arn]),
  ]);
  return { attachments: counts.get(arn) ?? 0, boundary: boundary.get(arn) ?? 0 };
}

const versionOf = (p: AwsManagedPolicy, withDocument: boolean) => ({
  Document: withDocument ? encodeDocument(p.document) : undefined,
  VersionId: p.defaultVersionId,
  IsDefaultVersion: true,
  CreateDate: p.updatedAt,
});

/** AWS-catalogue behaviour for an action; other ARNs go to `fallback`. */
function forAwsArns<I extends { PolicyArn: string }>(fallback: ActionHandler | undefined, run: (input: I, op: Operation) => Promise<Output>): ActionHandler<I> {
  if (!fallback) throw new Error('aws-policies: no customer managed handler to fall back to');
  return {
    ...fallback,
    run: (input, op) => (isAwsPolicyArn(input.PolicyArn) ? run(input, op) : fallback.run(input, op)),
  };
}

const readOnly = (action: string) => async (input: { PolicyArn: string }, op: Operation): Promise<never> => {
  const arn = input.PolicyArn;
  findAwsPolicy(arn);
  refuseAwsWrite(op, action, arn);
};

/** The AWS part of ListPolicies: the catalogue filtered as the request asks, after `after` (a lower-cased name). */
async function awsPage(input: IamInputs['ListPolicies'], op: Operation, after: string | undefined, limit: number) {
  const prefix = input.PathPrefix ?? '/';
  const usageFilter: PolicyUsage | undefined = input.PolicyUsageFilter;
  const counts = await op.deps.store.awsPolicyAttachments.counts(op.caller.accountId);
  const attachedOnly = input.OnlyAttached === true || usageFilter === 'PermissionsPolicy';
  let candidates = awsManagedPolicies().filter((p) => p.path.startsWith(prefix) && (after === undefined || p.name.toLowerCase() > after) && (!attachedOnly || (counts.get(p.arn) ?? 0) > 0));
  let boundaries = new Map<string, number>();
  if (usageFilter === 'PermissionsBoundary') {
    boundaries = await op.deps.store.managedPolicies.boundaryUsage(op.caller.accountId, candidates.map((p) => p.arn));
    candidates = candidates.filter((p) => (boundaries.get(p.arn) ?? 0) > 0);
  }
  const items = candidates.slice(0, limit);
  if (usageFilter !== 'PermissionsBoundary') boundaries = await op.deps.store.managedPolicies.boundaryUsage(op.caller.accountId, items.map((p) => p.arn));
  return {
    policies: items.map((p) => awsPolicyShape(p, counts.get(p.arn) ?? 0, boundaries.get(p.arn) ?? 0)),
    more: candidates.length > limit,
    last: items.at(-1)?.name.toLowerCase(),
  };
}

/** Markers of ListPolicies: which half of an `All` listing, and where in it. */
type ListMarker = { s: 'A'; k: string } | { s: 'L'; k?: string };
const encodeMarker = (m: ListMarker) => Buffer.from(JSON.stringify(m), 'utf8').toString('base64url');
function decodeMarker(text: string | undefined): ListMarker | undefined {
  if (text === undefined) return undefined;
  try {
    const m = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as ListMarker;
    if ((m.s === 'A' && typeof m.k === 'string') || (m.s === 'L' && (m.k === undefined || typeof m.k === 'string'))) return m;
  } catch {
    // fall through
  }
  return { s: 'L', k: undefined };
}

async function listPolicies(input: IamInputs['ListPolicies'], op: Operation): Promise<Output> {
  const scope = input.Scope ?? 'All';
  const limit = input.MaxItems ?? 100;
  const marker = decodeMarker(input.Marker);
  const out: Record<string, unknown>[] = [];
  if (scope !== 'Local' && marker?.s !== 'L') {
    const page = await awsPage(input, op, marker?.k, limit);
    out.push(...page.policies);
    if (page.more) return { Policies: out, IsTruncated: true, Marker: encodeMarker({ s: 'A', k: page.last! }) };
  }
  if (scope !== 'AWS' && out.length < limit) {
    const usageFilter: PolicyUsage | undefined = input.PolicyUsageFilter;
    const request = { ...pageRequest({ ...input, Marker: undefined }), limit: limit - out.length, ...(marker?.s === 'L' && marker.k !== undefined && { after: marker.k }) };
    const page = await op.deps.store.managedPolicies.list(op.caller.accountId, { ...request, onlyAttached: input.OnlyAttached === true, ...(usageFilter && { usage: usageFilter }) });
    const arns = page.items.map((p) => policyArn(p.accountId, p.path, p.name));
    const counts = await op.deps.store.managedPolicies.boundaryUsage(op.caller.accountId, arns);
    out.push(...page.items.map((p) => policyShape(p, counts.get(policyArn(p.accountId, p.path, p.name)))));
    if (page.marker !== undefined) return { Policies: out, IsTruncated: true, Marker: encodeMarker({ s: 'L', k: page.marker }) };
  } else if (scope !== 'AWS') {
    // The AWS half filled this page exactly: the account's own follow.
    return { Policies: out, IsTruncated: true, Marker: encodeMarker({ s: 'L' }) };
  }
  return { Policies: out, IsTruncated: false };
}

/** Overrides for the managed-policy table (spread after it). */
export function awsPolicyActions(core: ActionTable): ActionTable {
  return {
    GetPolicy: forAwsArns(core.GetPolicy, async (input: IamInputs['GetPolicy'], op) => {
      const p = findAwsPolicy(input.PolicyArn);
      const u = await usage(op, p.arn);
      return { Policy: awsPolicyShape(p, u.attachments, u.boundary) };
    }),
    GetPolicyVersion: forAwsArns(core.GetPolicyVersion, async (input: IamInputs['GetPolicyVersion']) => {
      const p = findAwsPolicy(input.PolicyArn);
      if (input.VersionId !== p.defaultVersionId) {
        throw new NoSuchEntity(`Policy ${p.arn} version ${input.VersionId} does not exist or is not attachable.`);
      }
      return { PolicyVersion: versionOf(p, true) };
    }),
    ListPolicyVersions: forAwsArns(core.ListPolicyVersions, async (input: IamInputs['ListPolicyVersions']) => {
      const p = findAwsPolicy(input.PolicyArn);
      return { Versions: [versionOf(p, false)], IsTruncated: false };
    }),
    CreatePolicyVersion: forAwsArns(core.CreatePolicyVersion, readOnly('CreatePolicyVersion')),
    DeletePolicy: forAwsArns(core.DeletePolicy, readOnly('DeletePolicy')),
    DeletePolicyVersion: forAwsArns(core.DeletePolicyVersion, readOnly('DeletePolicyVersion')),
    SetDefaultPolicyVersion: forAwsArns(core.SetDefaultPolicyVersion, readOnly('SetDefaultPolicyVersion')),
    ListPolicies: { ...core.ListPolicies, run: listPolicies },
  };
}

/**
 * Attaching managed policies, customer or AWS, to users, groups and roles:
 * Attach/Detach{User,Group,Role}Policy and ListAttached{User,Group,Role}Policies.
 * - At most 10 attached policies per owner, customer and AWS together (LimitExceeded).
 * - An AWS managed policy must exist in the catalogue (NoSuchEntity); one of a service-linked
 *   role (`/aws-service-role/`) cannot be attached (PolicyNotAttachable).
 * - Attaching twice is a no-op; detaching what is not attached is NoSuchEntity.
 * - Lists merge both kinds by name; PathPrefix filters on the policy's path.
 */
import { NoSuchEntity, PolicyNotAttachable } from '../../shared/errors.js';
import type { OwnerKind } from '../../store/types.js';
import { policyArn, QUOTAS } from '../arns.js';
import { awsManagedPolicy, isAwsPolicyArn } from '../managed/catalogue.js';
import { checkQuota } from './common.js';
import { findPolicy } from './managed.js';
import { OWNERS, ownerName, type OwnerSpec } from './owners.js';
import type { ActionHandler, ActionTable, Input, Operation } from './types.js';
import type { IamInputs } from '../../api/types/iam.js';

/** The input of one attachment operation, whichever the owner kind (the owner member is read by ownerName). */
type AttachInput = IamInputs['AttachUserPolicy'] | IamInputs['AttachGroupPolicy'] | IamInputs['AttachRolePolicy'];
type DetachInput = IamInputs['DetachUserPolicy'] | IamInputs['DetachGroupPolicy'] | IamInputs['DetachRolePolicy'];
type ListAttachedInput = IamInputs['ListAttachedUserPolicies'] | IamInputs['ListAttachedGroupPolicies'] | IamInputs['ListAttachedRolePolicies'];

export interface AttachedPolicy {
  name: string;
  arn: string;
  path: string;
}

/** Every managed policy attached to an owner, customer and AWS, sorted by name (case-insensitively). */
export async function allAttached(op: Operation, kind: OwnerKind, id: string): Promise<AttachedPolicy[]> {
  const customer = await op.deps.store.managedPolicies.attached(kind, id, { limit: 1000 });
  const out: AttachedPolicy[] = customer.items.map((p) => ({ name: p.name, arn: policyArn(p.accountId, p.path, p.name), path: p.path }));
  for (const arn of await op.deps.store.awsPolicyAttachments.attached({ kind, id })) {
    const p = awsManagedPolicy(arn);
    if (p) out.push({ name: p.name, arn, path: p.path });
  }
  return out.sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : a.arn < b.arn ? -1 : 1));
}

/** The AWS managed policy to attach: it must exist and be attachable. */
function attachableAwsPolicy(arn: string) {
  const p = awsManagedPolicy(arn);
  if (!p) throw new NoSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  if (!p.attachable) throw new PolicyNotAttachable('Cannot attach a Service Role Policy to a Customer Role.');
  return p;
}

function attachmentActions(spec: OwnerSpec): Record<string, ActionHandler> {
  const resource = (i: Input, op: Operation) => spec.resource(op, ownerName(spec, i));
  const context = (i: { PolicyArn: string }) => ({ 'iam:PolicyARN': i.PolicyArn });
  return {
    [`Attach${spec.noun}Policy`]: {
      resource,
      context,
      async run(input: AttachInput, op) {
        const owner = await spec.find(op, ownerName(spec, input));
        const arn = input.PolicyArn;
        const aws = isAwsPolicyArn(arn) ? attachableAwsPolicy(arn) : undefined;
        const policy = aws ? undefined : await findPolicy(op, arn);
        await op.deps.store.transaction(async (tx) => {
          const ref = { kind: spec.kind, id: owner.id };
          const customer = await tx.managedPolicies.attached(spec.kind, owner.id, { limit: 1000 });
          const awsArns = await tx.awsPolicyAttachments.attached(ref);
          if (policy ? customer.items.some((p) => p.id === policy.id) : awsArns.includes(arn)) return;
          checkQuota(`PolicyAttachmentsPer${spec.noun}`, customer.items.length + awsArns.length + 1, QUOTAS.AttachedPoliciesPerUserQuota);
          if (policy) await tx.managedPolicies.attach(spec.kind, owner.id, policy.id);
          else await tx.awsPolicyAttachments.attach(op.caller.accountId, ref, arn);
        });
        return undefined;
      },
    },
    [`Detach${spec.noun}Policy`]: {
      resource,
      context,
      async run(input: DetachInput, op) {
        const owner = await spec.find(op, ownerName(spec, input));
        const arn = input.PolicyArn;
        let detached: boolean;
        if (isAwsPolicyArn(arn)) {
          if (!awsManagedPolicy(arn)) throw new NoSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
          detached = await op.deps.store.awsPolicyAttachments.detach({ kind: spec.kind, id: owner.id }, arn);
        } else {
          const policy = await findPolicy(op, arn);
          detached = await op.deps.store.managedPolicies.detach(spec.kind, owner.id, policy.id);
        }
        if (!detached) throw new NoSuchEntity(`Policy ${arn} was not found.`);
        return undefined;
      },
    },
    [`ListAttached${spec.noun}Policies`]: {
      resource,
      async run(input: ListAttachedInput, op) {
        const owner = await spec.find(op, ownerName(spec, input));
        const prefix = input.PathPrefix ?? '/';
        const limit = input.MaxItems ?? 100;
        const marker = input.Marker;
        const after = marker === undefined ? undefined : Buffer.from(marker, 'base64url').toString('utf8');
        const all = (await allAttached(op, spec.kind, owner.id)).filter((p) => p.path.startsWith(prefix) && (after === undefined || `${p.name.toLowerCase()}\u0000${p.arn}` > after));
        const items = all.slice(0, limit);
        const out: Record<string, unknown> = { AttachedPolicies: items.map((p) => ({ PolicyName: p.name, PolicyArn: p.arn })), IsTruncated: all.length > limit };
        const last = items.at(-1);
        if (all.length > limit && last) out.Marker = Buffer.from(`${last.name.toLowerCase()}\u0000${last.arn}`, 'utf8').toString('base64url');
        return out;
      },
    },
  };
}

export const attachmentActionTable: ActionTable = Object.assign({}, ...OWNERS.map(attachmentActions));

/**
 * Inline policies of users, groups and roles: Put, Get, Delete and List, for each owner kind.
 * - The document is validated as an identity policy (MalformedPolicyDocument).
 * - The owner's inline policies together may not exceed AWS's aggregate size
 *   (user 2,048, group 5,120, role 10,240 characters, whitespace not counted).
 * - Documents are returned URL-encoded, as AWS returns them.
 */
import { LimitExceeded, NoSuchEntity } from '../../shared/errors.js';
import { policySize } from '../../policy/index.js';
import { checkPolicyDocument, encodeDocument, pageOutput, pageRequest } from './common.js';
import { OWNERS, ownerName, type OwnerSpec } from './owners.js';
import type { ActionTable, ActionHandler } from './types.js';
import type { IamInputs } from '../../api/types/iam.js';

/** The input of one inline-policy operation, whichever the owner kind (the owner member is read by ownerName). */
type InlineInput<Verb extends 'Put' | 'Get' | 'Delete'> = IamInputs[`${Verb}UserPolicy`] | IamInputs[`${Verb}GroupPolicy`] | IamInputs[`${Verb}RolePolicy`];
type ListInput = IamInputs['ListUserPolicies'] | IamInputs['ListGroupPolicies'] | IamInputs['ListRolePolicies'];

function inlineActions(spec: OwnerSpec): Record<string, ActionHandler> {
  const resource = (i: Record<string, unknown>, op: Parameters<OwnerSpec['resource']>[0]) => spec.resource(op, ownerName(spec, i));
  const missing = (name: string) => new NoSuchEntity(`The ${spec.kind} policy with name ${name} cannot be found.`);
  return {
    [`Put${spec.noun}Policy`]: {
      resource,
      async run(input: InlineInput<'Put'>, op) {
        const owner = await spec.find(op, ownerName(spec, input));
        const name = input.PolicyName;
        const document = input.PolicyDocument;
        checkPolicyDocument(document, 'identity');
        await op.deps.store.transaction(async (tx) => {
          // Names are case-insensitive: a put of `Read` replaces `read`, so only the others count.
          const others = (await tx.inlinePolicies.all(spec.kind, owner.id)).filter((p) => p.name.toLowerCase() !== name.toLowerCase());
          const total = others.reduce((n, p) => n + policySize(p.document), policySize(document));
          if (total > spec.inlineQuota) throw new LimitExceeded(`Maximum policy size of ${spec.inlineQuota} bytes exceeded for ${spec.kind} ${owner.name}`);
          await tx.inlinePolicies.put({ ownerKind: spec.kind, ownerId: owner.id, name, document });
        });
        return undefined;
      },
    },
    [`Get${spec.noun}Policy`]: {
      resource,
      async run(input: InlineInput<'Get'>, op) {
        const owner = await spec.find(op, ownerName(spec, input));
        const policy = await op.deps.store.inlinePolicies.get(spec.kind, owner.id, input.PolicyName);
        if (!policy) throw missing(input.PolicyName);
        return { [spec.param]: owner.name, PolicyName: policy.name, PolicyDocument: encodeDocument(policy.document) };
      },
    },
    [`Delete${spec.noun}Policy`]: {
      resource,
      async run(input: InlineInput<'Delete'>, op) {
        const owner = await spec.find(op, ownerName(spec, input));
        if (!(await op.deps.store.inlinePolicies.delete(spec.kind, owner.id, input.PolicyName))) throw missing(input.PolicyName);
        return undefined;
      },
    },
    [`List${spec.noun}Policies`]: {
      resource,
      async run(input: ListInput, op) {
        const owner = await spec.find(op, ownerName(spec, input));
        const page = await op.deps.store.inlinePolicies.list(spec.kind, owner.id, { ...pageRequest(input), pathPrefix: '/' });
        return pageOutput(page, 'PolicyNames', (n) => n);
      },
    },
  };
}

export const inlinePolicyActions: ActionTable = Object.assign({}, ...OWNERS.map(inlineActions));

/**
 * Customer managed policies: Create, Get, Delete, List; versions (at most 5,
 * one default); attachment to users, groups and roles (at most 10 each).
 * - Documents are validated as identity policies and limited to 6,144
 *   characters, whitespace not counted (PolicySizeQuota).
 * - DeletePolicy refuses while the policy is attached, is a user's or role's
 *   permissions boundary, or has non-default versions.
 * AWS managed policies: aws-policies.ts; attachments of both kinds: attachments.ts.
 */
import { DeleteConflict, LimitExceeded, NoSuchEntity } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { policySize } from '../../policy/index.js';
import type { ManagedPolicyRecord, PolicyUsage, Repositories } from '../../store/types.js';
import { parsePolicyArn, policyArn, QUOTAS } from '../arns.js';
import { checkPolicyDocument, checkQuota, creating, encodeDocument, pageOutput, pageRequest } from './common.js';
import { awsPolicyActions } from './aws-policies.js';
import { policyShape } from './shapes.js';
import type { ActionTable, Operation, IamActionTable } from './types.js';

function checkManagedDocument(doc: string): void {
  if (policySize(doc) > QUOTAS.PolicySizeQuota) throw new LimitExceeded(`Cannot exceed quota for PolicySize: ${QUOTAS.PolicySizeQuota}`);
  checkPolicyDocument(doc, 'identity');
}

export async function findPolicy(op: Operation, arn: string): Promise<ManagedPolicyRecord> {
  const p = parsePolicyArn(arn);
  const policy = p && p.account === op.caller.accountId ? await op.deps.store.managedPolicies.get(p.account, p.name) : undefined;
  if (!policy || policyArn(policy.accountId, policy.path, policy.name) !== arn) throw new NoSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return policy;
}

const versionShape = (v: { versionId: string; createdAt: number; document?: string }, defaultId: string) => ({
  Document: v.document === undefined ? undefined : encodeDocument(v.document),
  VersionId: v.versionId,
  IsDefaultVersion: v.versionId === defaultId,
  CreateDate: v.createdAt,
});

const byArn = (i: { PolicyArn: string }) => i.PolicyArn;

/** Whether a user or role of the account has the policy as its permissions boundary (AWS refuses to delete it then). */
async function usedAsBoundary(tx: Repositories, accountId: string, arn: string): Promise<boolean> {
  return ((await tx.managedPolicies.boundaryUsage(accountId, [arn])).get(arn) ?? 0) > 0;
}

export const managedPolicyCoreActions = {
  CreatePolicy: {
    resource: (i, op) => policyArn(op.caller.accountId, i.Path ?? '/', i.PolicyName),
    async run(input, op) {
      const name = input.PolicyName;
      const document = input.PolicyDocument;
      checkManagedDocument(document);
      checkQuota('PoliciesPerAccount', (await op.deps.store.managedPolicies.count(op.caller.accountId)) + 1, QUOTAS.PoliciesQuota);
      const now = op.facts.now;
      const policy = { id: newId('policy'), accountId: op.caller.accountId, name, path: input.Path ?? '/', description: input.Description ?? null, defaultVersionId: 'v1', createdAt: now, updatedAt: now };
      await creating(`A policy called ${name} already exists. Duplicate names are not allowed.`, () =>
        op.deps.store.managedPolicies.create(policy, { policyId: policy.id, versionId: 'v1', document, createdAt: now }),
      );
      return { Policy: policyShape({ ...policy, attachmentCount: 0 }) };
    },
  },

  GetPolicy: {
    resource: byArn,
    async run(input, op) {
      const policy = await findPolicy(op, input.PolicyArn);
      const arn = policyArn(policy.accountId, policy.path, policy.name);
      const usage = await op.deps.store.managedPolicies.boundaryUsage(policy.accountId, [arn]);
      return { Policy: policyShape(policy, usage.get(arn)) };
    },
  },

  DeletePolicy: {
    resource: byArn,
    async run(input, op) {
      const policy = await findPolicy(op, input.PolicyArn);
      await op.deps.store.transaction(async (tx) => {
        const current = await tx.managedPolicies.getById(policy.id);
        if (!current) throw new NoSuchEntity(`Policy ${input.PolicyArn} does not exist or is not attachable.`);
        if (current.attachmentCount > 0 || (await usedAsBoundary(tx, policy.accountId, input.PolicyArn))) {
          throw new DeleteConflict('Cannot delete a policy attached to entities.');
        }
        if ((await tx.managedPolicies.listVersions(policy.id)).length > 1) {
          throw new DeleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
        }
        await tx.managedPolicies.delete(policy.id);
      });
      return undefined;
    },
  },

  ListPolicies: {
    resource: (i, op) => policyArn(op.caller.accountId, i.PathPrefix ?? '/', '*'),
    async run(input, op) {
      if (input.Scope === 'AWS') return { Policies: [], IsTruncated: false };
      const usage: PolicyUsage | undefined = input.PolicyUsageFilter;
      const page = await op.deps.store.managedPolicies.list(op.caller.accountId, { ...pageRequest(input), onlyAttached: input.OnlyAttached === true, ...(usage && { usage }) });
      const arns = page.items.map((p) => policyArn(p.accountId, p.path, p.name));
      const counts = await op.deps.store.managedPolicies.boundaryUsage(op.caller.accountId, arns);
      return pageOutput(page, 'Policies', (p) => policyShape(p, counts.get(policyArn(p.accountId, p.path, p.name))));
    },
  },

  CreatePolicyVersion: {
    resource: byArn,
    async run(input, op) {
      const policy = await findPolicy(op, input.PolicyArn);
      const document = input.PolicyDocument;
      checkManagedDocument(document);
      const makeDefault = input.SetAsDefault === true;
      const version = await op.deps.store.transaction(async (tx) => {
        const versions = await tx.managedPolicies.listVersions(policy.id);
        if (versions.length >= QUOTAS.VersionsPerPolicyQuota) {
          throw new LimitExceeded('A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.');
        }
        const next = Math.max(0, ...versions.map((v) => Number(v.versionId.slice(1)))) + 1;
        const v = { policyId: policy.id, versionId: `v${next}`, document, createdAt: op.facts.now };
        await tx.managedPolicies.addVersion(v, makeDefault, op.facts.now);
        return v;
      });
      return { PolicyVersion: versionShape({ versionId: version.versionId, createdAt: version.createdAt }, makeDefault ? version.versionId : policy.defaultVersionId) };
    },
  },

  GetPolicyVersion: {
    resource: byArn,
    async run(input, op) {
      const policy = await findPolicy(op, input.PolicyArn);
      const v = await op.deps.store.managedPolicies.getVersion(policy.id, input.VersionId);
      if (!v) throw new NoSuchEntity(`Policy ${input.PolicyArn} version ${input.VersionId} does not exist or is not attachable.`);
      return { PolicyVersion: versionShape(v, policy.defaultVersionId) };
    },
  },

  ListPolicyVersions: {
    resource: byArn,
    async run(input, op) {
      const policy = await findPolicy(op, input.PolicyArn);
      const versions = await op.deps.store.managedPolicies.listVersions(policy.id);
      return { Versions: versions.map((v) => versionShape({ versionId: v.versionId, createdAt: v.createdAt }, policy.defaultVersionId)), IsTruncated: false };
    },
  },

  DeletePolicyVersion: {
    resource: byArn,
    async run(input, op) {
      const policy = await findPolicy(op, input.PolicyArn);
      const versionId = input.VersionId;
      if (versionId === policy.defaultVersionId) throw new DeleteConflict('Cannot delete the default version of a policy.');
      if (!(await op.deps.store.managedPolicies.deleteVersion(policy.id, versionId))) {
        throw new NoSuchEntity(`Policy ${input.PolicyArn} version ${versionId} does not exist or is not attachable.`);
      }
      return undefined;
    },
  },

  SetDefaultPolicyVersion: {
    resource: byArn,
    async run(input, op) {
      const policy = await findPolicy(op, input.PolicyArn);
      const versionId = input.VersionId;
      if (!(await op.deps.store.managedPolicies.getVersion(policy.id, versionId))) {
        throw new NoSuchEntity(`Policy ${input.PolicyArn} version ${versionId} does not exist or is not attachable.`);
      }
      await op.deps.store.managedPolicies.setDefaultVersion(policy.id, versionId, op.facts.now);
      return undefined;
    },
  },
} satisfies IamActionTable;

/** Customer managed policies, with AWS managed ones (aws-policies.ts) and attachments of both (attachments.ts). */
export const managedPolicyActions: ActionTable = { ...managedPolicyCoreActions, ...awsPolicyActions(managedPolicyCoreActions) };

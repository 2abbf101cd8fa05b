/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy, answered by the policy engine.
 * - ContextEntries carry their AWS types; list types become multivalued keys.
 * - SimulatePrincipalPolicy uses the entity's attached permissions boundary unless the
 *   request passes one (PermissionsBoundaryPolicyInputList), which then replaces it.
 * - Each action × resource pair gets an EvaluationResult with the decision
 *   (allowed / explicitDeny / implicitDeny) and the statements that matched.
 */
import { NoSuchEntity } from '../../shared/errors.js';
import { createContext, explain, parsePolicy, type ContextValue, type PolicyEntry, type PolicySet } from '../../policy/index.js';
import { parseArn } from '../../shared/arn.js';
import { parsePolicyArn } from '../arns.js';
import { optStr } from './common.js';
import type { ActionTable, Input, Operation } from './types.js';

interface ContextEntry {
  ContextKeyName?: string;
  ContextKeyValues?: string[];
  ContextKeyType?: string;
}

const DECISION = { Allow: 'allowed', ExplicitDeny: 'explicitDeny', ImplicitDeny: 'implicitDeny' } as const;

function contextValues(input: Input): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const e of (input.ContextEntries as ContextEntry[] | undefined) ?? []) {
    if (!e.ContextKeyName) continue;
    const values = e.ContextKeyValues ?? [];
    out[e.ContextKeyName] = e.ContextKeyType?.endsWith('List') ? values : (values[0] ?? '');
  }
  return out;
}

function inputPolicies(input: Input, key: string, kind: 'identity' | 'boundary'): PolicyEntry[] {
  return ((input[key] as string[] | undefined) ?? []).map((doc, i) => ({ name: `${key}.${i + 1}`, policy: parsePolicy(doc, { kind }) }));
}

function results(input: Input, set: PolicySet, op: Operation, principalValues: Record<string, ContextValue>): Record<string, unknown> {
  const resources = (input.ResourceArns as string[] | undefined) ?? ['*'];
  const values = { ...principalValues, ...contextValues(input) };
  const out = [];
  for (const action of input.ActionNames as string[]) {
    for (const resource of resources) {
      const r = explain({ action, resource, context: createContext(values, { now: op.facts.now }) }, set);
      out.push({
        EvalActionName: action,
        EvalResourceName: resource,
        EvalDecision: DECISION[r.decision],
        MatchedStatements: r.matchedStatements.map((m) => ({ SourcePolicyId: m.policy, SourcePolicyType: m.policyType === 'boundary' ? 'none' : 'IAM Policy' })),
        MissingContextValues: [],
      });
    }
  }
  return { EvaluationResults: out, IsTruncated: false };
}

/** The permissions boundary attached to a user or role (a managed policy's default version). */
async function managedBoundary(op: Operation, arn: string | null): Promise<PolicyEntry | undefined> {
  const parsed = arn ? parsePolicyArn(arn) : undefined;
  const policy = parsed && (await op.deps.store.managedPolicies.get(parsed.account, parsed.name));
  const version = policy && (await op.deps.store.managedPolicies.getVersion(policy.id, policy.defaultVersionId));
  return version ? { name: arn!, policy: op.deps.permissions.policies.get(version.document, { kind: 'boundary' }) } : undefined;
}

export const simulateActions: ActionTable = {
  SimulateCustomPolicy: {
    async run(input, op) {
      const boundaries = inputPolicies(input, 'PermissionsBoundaryPolicyInputList', 'boundary');
      const set: PolicySet = { identity: inputPolicies(input, 'PolicyInputList', 'identity'), boundary: boundaries[0] };
      const caller = optStr(input, 'CallerArn');
      return results(input, set, op, caller ? { 'aws:PrincipalArn': caller } : {});
    },
  },

  SimulatePrincipalPolicy: {
    resource: (i) => optStr(i, 'PolicySourceArn') ?? '*',
    async run(input, op) {
      const arn = optStr(input, 'PolicySourceArn')!;
      const parsed = parseArn(arn);
      const [kind, ...rest] = (parsed?.resource ?? '').split('/');
      const name = rest[rest.length - 1] ?? '';
      const { store, permissions } = op.deps;
      const id = op.caller.accountId;
      let identity: PolicyEntry[];
      let attachedBoundary: string | null = null;
      let principalValues: Record<string, ContextValue> = { 'aws:PrincipalArn': arn };
      if (kind === 'user') {
        const user = await store.users.get(id, name);
        if (!user) throw new NoSuchEntity(`The user with name ${name} cannot be found.`);
        attachedBoundary = user.permissionsBoundary;
        identity = await permissions.ownerPolicies('user', user.id);
        for (const g of await store.groups.allGroupsOf(user.id)) identity.push(...(await permissions.ownerPolicies('group', g.id)));
        principalValues = { ...principalValues, 'aws:username': user.name, 'aws:userid': user.id };
      } else if (kind === 'group') {
        const group = await store.groups.get(id, name);
        if (!group) throw new NoSuchEntity(`The group with name ${name} cannot be found.`);
        identity = await permissions.ownerPolicies('group', group.id);
      } else if (kind === 'role') {
        const role = await store.roles.get(id, name);
        if (!role) throw new NoSuchEntity(`The role with name ${name} cannot be found.`);
        attachedBoundary = role.permissionsBoundary;
        identity = await permissions.ownerPolicies('role', role.id);
      } else {
        throw new NoSuchEntity(`The entity ${arn} cannot be found.`);
      }
      identity.push(...inputPolicies(input, 'PolicyInputList', 'identity'));
      // A boundary given in the request replaces the one attached to the entity.
      const boundary = inputPolicies(input, 'PermissionsBoundaryPolicyInputList', 'boundary')[0] ?? (await managedBoundary(op, attachedBoundary));
      return results(input, { identity, boundary }, op, principalValues);
    },
  },
};

/**
 * GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy: the condition keys a
 * set of policies refers to, as the simulator needs them supplied.
 * - A key is listed once (case-insensitively), spelled as first written, in document order.
 * - Keys come from Condition blocks and from policy variables (`${aws:username}`) anywhere
 *   in a statement; `${*}`, `${?}` and `${$}` are escapes, not keys.
 * - A malformed policy is InvalidInput (the only error AWS models for these actions).
 * - The principal's policies are its inline and attached (customer and AWS) policies and,
 *   for a user, those of its groups; PolicyInputList adds more.
 */
import { InvalidInput, MalformedPolicyDocument, NoSuchEntity } from '../../shared/errors.js';
import { parsePolicy } from '../../policy/index.js';
import { parseArn } from '../../shared/arn.js';
import type { OwnerKind } from '../../store/types.js';
import { groupArn, roleArn, userArn } from '../arns.js';
import { awsManagedPolicy } from '../managed/catalogue.js';
import {  } from './common.js';
import type { Operation, IamActionTable } from './types.js';

const ESCAPES = new Set(['*', '?', '$']);

/** Adds the keys of one policy document to `keys` (lower-cased name → spelling). */
export function collectContextKeys(document: string, keys: Map<string, string>): void {
  try {
    parsePolicy(document, { kind: 'identity' });
  } catch (err) {
    if (err instanceof MalformedPolicyDocument) throw new InvalidInput(err.message, { cause: err });
    throw err;
  }
  const add = (key: string) => {
    if (!keys.has(key.toLowerCase())) keys.set(key.toLowerCase(), key);
  };
  const variables = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(/\$\{([^}]*)\}/g)) {
        const name = m[1]!.split(',')[0]!.trim();
        if (!ESCAPES.has(name) && name !== '') add(name);
      }
    } else if (Array.isArray(value)) value.forEach(variables);
    else if (value && typeof value === 'object') Object.values(value).forEach(variables);
  };
  const doc = JSON.parse(document) as { Statement?: unknown };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  for (const statement of statements as Array<Record<string, unknown>>) {
    for (const [field, value] of Object.entries(statement ?? {})) {
      if (field !== 'Condition') {
        variables(value);
        continue;
      }
      for (const block of Object.values((value ?? {}) as Record<string, Record<string, unknown>>)) {
        for (const [key, values] of Object.entries(block ?? {})) {
          add(key);
          variables(values);
        }
      }
    }
  }
}

function keysOf(documents: readonly string[]): { ContextKeyNames: string[] } {
  const keys = new Map<string, string>();
  for (const d of documents) collectContextKeys(d, keys);
  return { ContextKeyNames: [...keys.values()] };
}

/** Inline and attached (customer and AWS) policy documents of one owner. */
async function ownerDocuments(op: Operation, kind: OwnerKind, id: string): Promise<string[]> {
  const { store } = op.deps;
  const out = (await store.inlinePolicies.all(kind, id)).map((p) => p.document);
  out.push(...(await store.managedPolicies.attachedDocuments(kind, id)).map((p) => p.document));
  for (const arn of await store.awsPolicyAttachments.attached({ kind, id })) {
    const p = awsManagedPolicy(arn);
    if (p) out.push(p.document);
  }
  return out;
}

/** The documents of the user, group or role named by PolicySourceArn (its exact ARN, in the caller's account). */
async function principalDocuments(op: Operation, arn: string): Promise<string[]> {
  const missing = () => new NoSuchEntity(`The entity ${arn} cannot be found.`);
  const a = parseArn(arn);
  if (!a || a.service !== 'iam' || a.account !== op.caller.accountId) throw missing();
  const name = a.resource.slice(a.resource.lastIndexOf('/') + 1);
  const { store } = op.deps;
  const id = op.caller.accountId;
  if (a.resource.startsWith('user/')) {
    const user = await store.users.get(id, name);
    if (!user || userArn(id, user.path, user.name) !== arn) throw missing();
    const docs = await ownerDocuments(op, 'user', user.id);
    for (const g of await store.groups.allGroupsOf(user.id)) docs.push(...(await ownerDocuments(op, 'group', g.id)));
    return docs;
  }
  if (a.resource.startsWith('group/')) {
    const group = await store.groups.get(id, name);
    if (!group || groupArn(id, group.path, group.name) !== arn) throw missing();
    return ownerDocuments(op, 'group', group.id);
  }
  if (a.resource.startsWith('role/')) {
    const role = await store.roles.get(id, name);
    if (!role || roleArn(id, role.path, role.name) !== arn) throw missing();
    return ownerDocuments(op, 'role', role.id);
  }
  throw missing();
}

const inputList = (input: { PolicyInputList?: string[] | undefined }) => input.PolicyInputList ?? [];

export const contextKeyActions = {
  GetContextKeysForCustomPolicy: {
    async run(input) {
      return keysOf(inputList(input));
    },
  },

  GetContextKeysForPrincipalPolicy: {
    resource: (i) => i.PolicySourceArn,
    async run(input, op) {
      return keysOf([...(await principalDocuments(op, input.PolicySourceArn)), ...inputList(input)]);
    },
  },
} satisfies IamActionTable;

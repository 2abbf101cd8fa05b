/**
 * Tagging of roles, customer managed policies and virtual MFA devices:
 * Tag/Untag/List{Role,Policy,MFADevice}Tags, and the Tags of CreatePolicy, GetPolicy and
 * CreateVirtualMFADevice.
 * - At most 50 tags per entity (LimitExceeded); a key given twice in one request, in any
 *   case, is InvalidInput; keys are case-insensitive (a new value replaces the old one).
 * - UntagX of keys that are not there is a no-op.
 * - AWS managed policies cannot be tagged (AccessDenied, as any write to them); they list none.
 * - An unknown role, policy or device is NoSuchEntity.
 */
import { InvalidInput, LimitExceeded, NoSuchEntity } from '../../shared/errors.js';
import type { Tag } from '../../store/types.js';
import { mfaArn } from '../arns.js';
import { isAwsPolicyArn } from '../managed/catalogue.js';
import { refuseAwsWrite, findAwsPolicy } from './aws-policies.js';
import { findRole } from './common.js';
import { findPolicy } from './managed.js';
import { roleResource } from './roles.js';
import type { ActionHandler, ActionTable, IamActionTable, Input, Operation } from './types.js';
import type { AuthResource } from '../authorize.js';
import type { IamInputs } from '../../api/types/iam.js';

export const MAX_TAGS = 50;

/** The request's `Tags` member; InvalidInput when a key repeats (case-insensitively). */
export function requestTags(input: { Tags?: ReadonlyArray<{ Key: string; Value: string }> | undefined }): Tag[] {
  const tags = (input.Tags ?? []).map((t): Tag => ({ key: t.Key, value: t.Value }));
  const seen = new Set<string>();
  for (const t of tags) {
    if (seen.has(t.key.toLowerCase())) throw new InvalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(t.key.toLowerCase());
  }
  return tags;
}

/** `current` with `added` merged in (keys case-insensitive); LimitExceeded past 50. */
export function mergeTags(current: Tag[], added: Tag[], noun: string): Tag[] {
  const merged = new Map(current.map((t) => [t.key.toLowerCase(), t]));
  for (const t of added) merged.set(t.key.toLowerCase(), t);
  if (merged.size > MAX_TAGS) throw new LimitExceeded(`Cannot exceed quota for TagsPer${noun}: ${MAX_TAGS}`);
  return [...merged.values()];
}

const shape = (tags: Tag[]) => tags.map((t) => ({ Key: t.key, Value: t.value }));

/** One taggable kind: how to name it for authorisation, and how to read and write its tags. */
interface TagTarget {
  noun: 'Role' | 'Policy' | 'MFADevice';
  resource(input: Input, op: Operation): AuthResource | Promise<AuthResource>;
  /** The entity's tags and how to replace them; throws NoSuchEntity (or AccessDenied for a read-only entity when `write`). */
  open(input: Input, op: Operation, write: string | undefined): Promise<{ tags: Tag[]; save(tags: Tag[]): Promise<void> }>;
}

const TARGETS: readonly TagTarget[] = [
  {
    noun: 'Role',
    resource: (i: { RoleName: string }, op: Operation) => roleResource(op, i.RoleName),
    async open(input: { RoleName: string }, op: Operation) {
      const role = await findRole(op, input.RoleName);
      return { tags: role.tags, save: (tags) => op.deps.store.roles.update(role.id, { tags }) };
    },
  },
  {
    noun: 'Policy',
    resource: (i: { PolicyArn: string }) => i.PolicyArn,
    async open(input: { PolicyArn: string }, op: Operation, write: string | undefined) {
      const arn = input.PolicyArn;
      if (isAwsPolicyArn(arn)) {
        findAwsPolicy(arn);
        if (write) refuseAwsWrite(op, write, arn);
        return { tags: [], save: async () => undefined };
      }
      const policy = await findPolicy(op, arn);
      return { tags: await op.deps.store.tags.get('policy', policy.id), save: async (tags) => void (await op.deps.store.tags.set('policy', policy.id, tags)) };
    },
  },
  {
    noun: 'MFADevice',
    resource: (i: { SerialNumber: string }) => i.SerialNumber,
    async open(input: { SerialNumber: string }, op: Operation) {
      const serial = input.SerialNumber;
      const device = await op.deps.store.mfaDevices.get(serial);
      if (!device || device.accountId !== op.caller.accountId) throw new NoSuchEntity(`MFA device with serial number ${serial} does not exist.`);
      return { tags: await op.deps.store.tags.get('mfa', serial), save: async (tags) => void (await op.deps.store.tags.set('mfa', serial, tags)) };
    },
  },
];

function tagActions(t: TagTarget): Record<string, ActionHandler> {
  const resource = t.resource;
  return {
    [`Tag${t.noun}`]: {
      resource,
      async run(input: IamInputs['TagRole'] | IamInputs['TagPolicy'] | IamInputs['TagMFADevice'], op) {
        const added = requestTags(input);
        const target = await t.open(input, op, `Tag${t.noun}`);
        await target.save(mergeTags(target.tags, added, t.noun));
        return undefined;
      },
    },
    [`Untag${t.noun}`]: {
      resource,
      async run(input: IamInputs['UntagRole'] | IamInputs['UntagPolicy'] | IamInputs['UntagMFADevice'], op) {
        const target = await t.open(input, op, `Untag${t.noun}`);
        const remove = new Set(input.TagKeys.map((k) => k.toLowerCase()));
        const kept = target.tags.filter((x) => !remove.has(x.key.toLowerCase()));
        if (kept.length !== target.tags.length) await target.save(kept);
        return undefined;
      },
    },
    [`List${t.noun}Tags`]: {
      resource,
      async run(input, op) {
        const target = await t.open(input, op, undefined);
        return { Tags: shape(target.tags), IsTruncated: false };
      },
    },
  };
}

/** CreatePolicy, GetPolicy and CreateVirtualMFADevice with their Tags (wrapping the handlers in `core`). */
function withTags(core: ActionTable): ActionTable {
  const { CreatePolicy, GetPolicy, CreateVirtualMFADevice } = core;
  if (!CreatePolicy || !GetPolicy || !CreateVirtualMFADevice) throw new Error('tagging: missing handlers to wrap');
  return {
    CreatePolicy: {
      ...CreatePolicy,
      async run(input, op) {
        const tags = mergeTags([], requestTags(input), 'Policy');
        const out = (await CreatePolicy.run(input, op)) as { Policy: Record<string, unknown> };
        if (tags.length === 0) return out;
        const created = await op.deps.store.managedPolicies.get(op.caller.accountId, input.PolicyName);
        if (created) await op.deps.store.tags.set('policy', created.id, tags);
        return { Policy: { ...out.Policy, Tags: shape(tags) } };
      },
    },
    GetPolicy: {
      ...GetPolicy,
      async run(input, op) {
        const out = (await GetPolicy.run(input, op)) as { Policy: Record<string, unknown> };
        if (isAwsPolicyArn(input.PolicyArn)) return out;
        const policy = await findPolicy(op, input.PolicyArn);
        const tags = await op.deps.store.tags.get('policy', policy.id);
        return { Policy: { ...out.Policy, ...(tags.length > 0 && { Tags: shape(tags) }) } };
      },
    },
    CreateVirtualMFADevice: {
      ...CreateVirtualMFADevice,
      async run(input, op) {
        const tags = mergeTags([], requestTags(input), 'MFADevice');
        const out = (await CreateVirtualMFADevice.run(input, op)) as { VirtualMFADevice: Record<string, unknown> };
        if (tags.length === 0) return out;
        await op.deps.store.tags.set('mfa', mfaArn(op.caller.accountId, input.Path ?? '/', input.VirtualMFADeviceName), tags);
        return { VirtualMFADevice: { ...out.VirtualMFADevice, Tags: shape(tags) } };
      },
    },
  } satisfies IamActionTable;
}

/** The tag actions, and the wrapped creators; spread after the tables they wrap. */
export function taggingActions(core: ActionTable): ActionTable {
  return Object.assign({}, withTags(core), ...TARGETS.map(tagActions));
}

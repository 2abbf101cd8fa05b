/**
 * The caller's effective policies, gathered from the store and compiled once.
 *
 * - A user: its inline and attached policies and those of its groups, and its
 *   permissions boundary (a managed policy) if it has one. A boundary whose
 *   policy cannot be found allows nothing.
 * - A role session: the role's inline and attached policies, its boundary, and
 *   the session policies.
 * - A federated session: the issuing user's policies, and the session policies.
 * Sets are cached per principal and reused only while the account's revision
 * (bumped by every IAM write) is unchanged, so a change is seen by the next
 * request on every instance.
 */
import { PolicyCache, type PolicyEntry, type PolicySet } from '../policy/index.js';
import type { OwnerKind, Store } from '../store/types.js';
import { awsManagedPolicy } from './managed/catalogue.js';
import { resolveManagedPolicy } from './managed/lookup.js';
import type { Caller } from './caller.js';

interface Cached {
  revision: number;
  set: PolicySet;
}

const MAX_CACHED = 10_000;
/** Stands in for a boundary policy that is missing: no action is within it. */
const ALLOWS_NOTHING = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"*","Resource":"*"}]}';
const ALLOW_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
const DENY_ALL = '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}';

export class PermissionResolver {
  private readonly cache = new Map<string, Cached>();
  constructor(
    private readonly store: Store,
    readonly policies: PolicyCache = new PolicyCache(),
  ) {}

  /** The policy set to evaluate the caller's requests against (the root has none: it may do everything). */
  async policySet(caller: Caller): Promise<PolicySet> {
    const revision = caller.revision ?? (await this.store.knownRevision(caller.accountId));
    const key = `${caller.accessKeyId}|${caller.arn}`;
    const hit = this.cache.get(key);
    if (hit && hit.revision === revision) return hit.set;
    const set = await this.load(caller);
    if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { revision, set });
    return set;
  }

  private async load(caller: Caller): Promise<PolicySet> {
    const sessionPolicies = caller.session && caller.session.kind !== 'session' ? await this.sessionPolicies(caller) : undefined;
    if (caller.role) {
      return {
        principalType: 'AssumedRole',
        identity: await this.ownerPolicies('role', caller.role.id),
        boundary: await this.boundary(caller.role.permissionsBoundary, caller.accountId),
        session: sessionPolicies,
      };
    }
    const userId = caller.user?.id;
    // A federated session issued by the account root starts from the root's "everything".
    if (!userId) return { principalType: caller.type, identity: caller.type === 'FederatedUser' ? [this.rootEverything()] : [], session: sessionPolicies };
    const identity = await this.ownerPolicies('user', userId);
    for (const group of await this.store.groups.allGroupsOf(userId)) identity.push(...(await this.ownerPolicies('group', group.id)));
    return {
      principalType: caller.type,
      identity,
      boundary: await this.boundary(caller.user?.permissionsBoundary ?? null, caller.accountId),
      session: sessionPolicies,
    };
  }

  /** The session's inline policies and its managed policy ARNs' current default versions. */
  private async sessionPolicies(caller: Caller): Promise<PolicyEntry[]> {
    const s = caller.session!;
    const out: PolicyEntry[] = s.policies.map((doc, i) => ({ name: `session-policy[${i}]`, policy: this.policies.get(doc, { kind: 'session' }) }));
    for (const arn of s.policyArns ?? []) {
      const resolved = await resolveManagedPolicy(this.store, caller.accountId, arn);
      if (resolved) out.push({ name: arn, policy: this.policies.get(resolved.document, { kind: 'session' }) });
    }
    // A session whose policies all vanished must still be scoped down: an empty set would mean "no session policy".
    if (out.length === 0 && (s.policies.length > 0 || (s.policyArns?.length ?? 0) > 0)) out.push({ name: 'session-policy', policy: this.policies.get(DENY_ALL, { kind: 'session' }) });
    return out;
  }

  private rootEverything(): PolicyEntry {
    return { name: 'account-root', policy: this.policies.get(ALLOW_ALL, { kind: 'identity' }) };
  }

  /** Inline and attached policies of a user, group or role, labelled for explanations. */
  async ownerPolicies(kind: OwnerKind, id: string): Promise<PolicyEntry[]> {
    const out: PolicyEntry[] = [];
    for (const p of await this.store.inlinePolicies.all(kind, id)) {
      out.push({ name: `${kind}-inline:${p.name}`, policy: this.policies.get(p.document, { kind: 'identity' }) });
    }
    for (const { policy, document } of await this.store.managedPolicies.attachedDocuments(kind, id)) {
      out.push({ name: `arn:aws:iam::${policy.accountId}:policy${policy.path}${policy.name}`, policy: this.policies.get(document, { kind: 'identity' }) });
    }
    // AWS managed policies attached to the owner, from the catalogue (their documents are AWS's, parsed as any other).
    for (const arn of await this.store.awsPolicyAttachments.attached({ kind, id })) {
      const policy = awsManagedPolicy(arn);
      if (policy) out.push({ name: arn, policy: this.policies.get(policy.document, { kind: 'identity' }) });
    }
    return out;
  }

  /** The permissions boundary; one that cannot be found allows nothing (fail closed, never unbounded). */
  private async boundary(arn: string | null, accountId: string): Promise<PolicyEntry | undefined> {
    if (!arn) return undefined;
    const resolved = await resolveManagedPolicy(this.store, accountId, arn);
    return { name: arn, policy: this.policies.get(resolved?.document ?? ALLOWS_NOTHING, { kind: 'boundary' }) };
  }
}

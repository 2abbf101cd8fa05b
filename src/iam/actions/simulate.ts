/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy, answered by the policy engine.
 *
 * A request goes through these checks, in order:
 * - readActions: each ActionNames entry is `service:action` (InvalidInput, as AWS answers
 *   a malformed action name; the model already refused empty and over-long ones).
 * - resolveSource (SimulatePrincipalPolicy): the user, group or role behind PolicySourceArn,
 *   found by name in the caller's account, must have exactly that ARN: another path, another
 *   account or partition is NoSuchEntity, worded as for an entity that does not exist
 *   (SECURITY.md H3). The caller is authorised on that ARN, so on the entity's real one.
 * - inputPolicies: each policy in the request is at most 32 KB (InvalidInput).
 * - readPage: results come in pages of MaxItems (default 100, at most 1000) action × resource
 *   pairs, action-major; Marker is the opaque offset of the next page (InvalidInput if forged).
 *   A page also ends early once it holds 2,000 results and matched statements.
 * - checkBudget: the page's work estimate (src/policy/simulation.ts) is within one pair's and
 *   one request's ceilings, or the request is refused with InvalidInput before any evaluation.
 * - evaluate: pairs are explained in slices of bounded work; the slices of all simulations
 *   take turns, one per event-loop iteration, so no request holds the loop for long and I/O
 *   waits for at most one slice (SECURITY.md H1).
 *
 * Each result carries the decision (allowed / explicitDeny / implicitDeny) and the statements
 * that matched, named as AWS names them: SourcePolicyId is the policy's name (or
 * `PolicyInputList.N` for a policy in the request), SourcePolicyType "IAM Policy", and the
 * statement's StartPosition / EndPosition (line, column) in the policy text (positions.ts).
 * SimulatePrincipalPolicy uses the entity's attached permissions boundary unless the request
 * passes one (PermissionsBoundaryPolicyInputList), which then replaces it.
 */
import { InvalidInput, NoSuchEntity } from '../../shared/errors.js';
import { createContext, explain, parsePolicy, type ContextValue, type MatchedStatement, type PolicyEntry, type PolicySet } from '../../policy/index.js';
import { statementSpans, type StatementSpan } from '../../policy/positions.js';
import { actionNameProblem, pairUnits, policyWeight, SIMULATION_LIMITS, totalWeight } from '../../policy/simulation.js';
import { parseArn } from '../../shared/arn.js';
import { takeTurn } from '../../shared/turns.js';
import { groupArn, parsePolicyArn, roleArn, userArn } from '../arns.js';
import { resolveManagedPolicy } from '../managed/lookup.js';
import type { IamActionTable, Operation, Output } from './types.js';
import type { IamInputs } from '../../api/types/iam.js';

/** What both simulations read (the custom one has no PolicySourceArn). */
type SimulationInput = IamInputs['SimulateCustomPolicy'] | IamInputs['SimulatePrincipalPolicy'];

const DECISION = { Allow: 'allowed', ExplicitDeny: 'explicitDeny', ImplicitDeny: 'implicitDeny' } as const;

function readActions(input: SimulationInput): string[] {
  const actions = input.ActionNames ?? [];
  if (actions.length === 0) throw new InvalidInput('ActionNames must name at least one action, for example iam:CreateUser.');
  for (const a of actions) {
    const problem = actionNameProblem(a);
    if (problem) throw new InvalidInput(problem);
  }
  return actions;
}

function contextValues(input: SimulationInput): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const e of input.ContextEntries ?? []) {
    if (!e.ContextKeyName) continue;
    const values = e.ContextKeyValues ?? [];
    out[e.ContextKeyName] = e.ContextKeyType?.endsWith('List') ? values : (values[0] ?? '');
  }
  return out;
}

/** Σ (key + value + 1) over the context: the text each condition may be matched against. */
function contextChars(values: Record<string, ContextValue>): number {
  let n = 0;
  for (const [key, v] of Object.entries(values)) {
    if (typeof v === 'string') n += key.length + v.length + 1;
    else for (const x of v) n += key.length + x.length + 1;
  }
  return n;
}

/**
 * The request's own policies, each at most SIMULATION_LIMITS.documentChars long, parsed one
 * at a time with a yield between them.
 */
async function inputPolicies(input: SimulationInput, key: 'PolicyInputList' | 'PermissionsBoundaryPolicyInputList', kind: 'identity' | 'boundary'): Promise<PolicyEntry[]> {
  const docs = input[key] ?? [];
  const limit = SIMULATION_LIMITS.documentChars;
  for (const [i, doc] of docs.entries()) {
    if (doc.length > limit) {
      throw new InvalidInput(`The simulation budget is exceeded: ${key}.${i + 1} has ${doc.length.toLocaleString('en-US')} characters, and a simulated policy may have at most ${limit.toLocaleString('en-US')}.`);
    }
  }
  const out: PolicyEntry[] = [];
  for (const [i, doc] of docs.entries()) {
    await takeTurn();
    out.push({ name: `${key}.${i + 1}`, policy: parsePolicy(doc, { kind }) });
  }
  return out;
}

interface Page {
  start: number;
  end: number;
  total: number;
}

function readPage(input: SimulationInput, total: number): Page {
  const size = input.MaxItems ?? SIMULATION_LIMITS.defaultMaxItems;
  const marker = input.Marker;
  let start = 0;
  if (marker !== undefined) {
    const decoded = Buffer.from(marker, 'base64url').toString('utf8');
    start = /^sim:\d{1,9}$/.test(decoded) ? Number(decoded.slice(4)) : -1;
    if (start <= 0 || start >= total) throw new InvalidInput('Invalid Marker: it does not belong to this simulation.');
  }
  return { start, end: Math.min(total, start + size), total };
}

/**
 * Refuses, before any evaluation, a page whose estimated work is past the ceilings.
 * Returns each pair's estimate, used to slice the evaluation.
 */
function checkBudget(set: PolicySet, actions: readonly string[], resources: readonly string[], page: Page, context: number): number[] {
  const entries = [...set.identity, ...(set.boundary ? [set.boundary] : [])];
  const weights = totalWeight(entries.map((e) => policyWeight(e.policy.text)));
  const units: number[] = [];
  let total = 0;
  for (let k = page.start; k < page.end; k++) {
    const action = actions[Math.floor(k / resources.length)]!;
    const resource = resources[k % resources.length]!;
    const u = pairUnits(weights, { action: action.length, resource: resource.length, context });
    if (u > SIMULATION_LIMITS.pairUnits) {
      throw new InvalidInput(
        `The simulation budget is exceeded: one action and resource would need ${u.toLocaleString('en-US')} units of work, and the limit is ${SIMULATION_LIMITS.pairUnits.toLocaleString('en-US')}. Use shorter or fewer policies, resources or context values.`,
      );
    }
    total += u;
    units.push(u);
  }
  if (total > SIMULATION_LIMITS.requestUnits) {
    throw new InvalidInput(
      `The simulation budget is exceeded: these ${page.end - page.start} results would need ${total.toLocaleString('en-US')} units of work, and the limit per request is ${SIMULATION_LIMITS.requestUnits.toLocaleString('en-US')}. Ask for fewer results per page (MaxItems) or simulate fewer policies at a time.`,
    );
  }
  return units;
}

/**
 * SourcePolicyId and SourcePolicyType as AWS answers them, from the engine's policy label: the
 * policy's name (inline or managed, AWS's or the account's) or `PolicyInputList.N`, and the type
 * "IAM Policy" for every identity-based policy (what IAM returns, e.g. for AdministratorAccess,
 * though its API reference lists user | group | role | aws-managed | user-managed); a
 * permissions boundary's type is "none".
 */
function source(m: MatchedStatement): { id: string; type: string } {
  const inline = /^(?:user|group|role)-inline:(.*)$/s.exec(m.policy);
  const id = inline ? inline[1]! : (parsePolicyArn(m.policy)?.name ?? m.policy);
  return { id, type: m.policyType === 'boundary' ? 'none' : 'IAM Policy' };
}

async function evaluate(input: SimulationInput, op: Operation, set: PolicySet, principalValues: Record<string, ContextValue>): Promise<Output> {
  const actions = readActions(input);
  const resources = input.ResourceArns ?? ['*'];
  const values = { ...principalValues, ...contextValues(input) };
  const page = readPage(input, actions.length * resources.length);
  const units = checkBudget(set, actions, resources, page, contextChars(values));
  const context = createContext(values, { now: op.facts.now });
  const texts = new Map<string, string>([...set.identity, ...(set.boundary ? [set.boundary] : [])].map((e) => [e.name, e.policy.text]));
  const spans = new Map<string, StatementSpan[] | undefined>();
  const spanOf = (m: MatchedStatement): StatementSpan | undefined => {
    if (!spans.has(m.policy)) spans.set(m.policy, statementSpans(texts.get(m.policy) ?? ''));
    return spans.get(m.policy)?.[m.statementIndex];
  };
  const out = [];
  let slice = 0;
  let entries = 0;
  let end = page.end;
  for (let k = page.start; k < end; k++) {
    const u = units[k - page.start]!;
    if (k === page.start || slice + u > SIMULATION_LIMITS.sliceUnits) {
      await takeTurn();
      slice = 0;
    }
    slice += u;
    const action = actions[Math.floor(k / resources.length)]!;
    const resource = resources[k % resources.length]!;
    const r = explain({ action, resource, context }, set);
    out.push({
      EvalActionName: action,
      EvalResourceName: resource,
      EvalDecision: DECISION[r.decision],
      MatchedStatements: r.matchedStatements.map((m) => {
        const { id, type } = source(m);
        const span = spanOf(m);
        return { SourcePolicyId: id, SourcePolicyType: type, ...(span && { StartPosition: span.start, EndPosition: span.end }) };
      }),
      MissingContextValues: [],
    });
    // A page ends early once its answer is large; the caller asks for the rest with Marker.
    entries += 1 + r.matchedStatements.length;
    if (entries >= SIMULATION_LIMITS.pageEntries) end = k + 1;
  }
  const truncated = end < page.total;
  return { EvaluationResults: out, IsTruncated: truncated, ...(truncated && { Marker: Buffer.from(`sim:${end}`, 'utf8').toString('base64url') }) };
}

/** Stands in for a boundary policy that cannot be found: no action is within it. */
const ALLOWS_NOTHING = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"*","Resource":"*"}]}';

/**
 * The permissions boundary attached to a user or role: a customer or AWS managed policy's
 * default version, as a real request sees it (permissions.ts); one that cannot be found allows
 * nothing (fail closed, never unbounded).
 */
async function managedBoundary(op: Operation, arn: string | null): Promise<PolicyEntry | undefined> {
  if (!arn) return undefined;
  const resolved = await resolveManagedPolicy(op.deps.store, op.caller.accountId, arn);
  return { name: arn, policy: op.deps.permissions.policies.get(resolved?.document ?? ALLOWS_NOTHING, { kind: 'boundary' }) };
}

type Source =
  | { kind: 'user'; arn: string; record: NonNullable<Awaited<ReturnType<Operation['deps']['store']['users']['get']>>> }
  | { kind: 'group'; arn: string; record: NonNullable<Awaited<ReturnType<Operation['deps']['store']['groups']['get']>>> }
  | { kind: 'role'; arn: string; record: NonNullable<Awaited<ReturnType<Operation['deps']['store']['roles']['get']>>> };

/** The entity whose real ARN is exactly `arn`, in the caller's account, or undefined. */
async function resolveSource(op: Operation, arn: string): Promise<Source | undefined> {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'iam' || parsed.account !== op.caller.accountId) return undefined;
  const { store } = op.deps;
  const id = op.caller.accountId;
  const kind = parsed.resource.slice(0, parsed.resource.indexOf('/'));
  const name = parsed.resource.slice(parsed.resource.lastIndexOf('/') + 1);
  if (name === '') return undefined;
  let found: Source | undefined;
  if (kind === 'user') {
    const record = await store.users.get(id, name);
    found = record && { kind, record, arn: userArn(id, record.path, record.name) };
  } else if (kind === 'group') {
    const record = await store.groups.get(id, name);
    found = record && { kind, record, arn: groupArn(id, record.path, record.name) };
  } else if (kind === 'role') {
    const record = await store.roles.get(id, name);
    found = record && { kind, record, arn: roleArn(id, record.path, record.name) };
  }
  return found?.arn === arn ? found : undefined;
}

/** NoSuchEntity for an ARN that names no entity: the same words whatever exists elsewhere. */
function noSuchEntity(arn: string): NoSuchEntity {
  const resource = parseArn(arn)?.resource ?? '';
  const kind = resource.slice(0, resource.indexOf('/'));
  const name = resource.slice(resource.lastIndexOf('/') + 1);
  if ((kind === 'user' || kind === 'group' || kind === 'role') && name !== '') return new NoSuchEntity(`The ${kind} with name ${name} cannot be found.`);
  return new NoSuchEntity(`The entity ${arn} cannot be found.`);
}

export const simulateActions = {
  SimulateCustomPolicy: {
    async run(input, op) {
      readActions(input);
      const boundaries = await inputPolicies(input, 'PermissionsBoundaryPolicyInputList', 'boundary');
      const set: PolicySet = { identity: await inputPolicies(input, 'PolicyInputList', 'identity'), boundary: boundaries[0] };
      const caller = input.CallerArn;
      return evaluate(input, op, set, caller ? { 'aws:PrincipalArn': caller } : {});
    },
  },

  SimulatePrincipalPolicy: {
    // Authorised on the entity's real ARN: resolveSource accepts only an exact match, and an
    // ARN that names no entity is authorised as given, then answered NoSuchEntity.
    resource: async (i, op) => (await resolveSource(op, i.PolicySourceArn))?.arn ?? i.PolicySourceArn,
    async run(input, op) {
      const arn = input.PolicySourceArn;
      readActions(input);
      const src = await resolveSource(op, arn);
      if (!src) throw noSuchEntity(arn);
      const { store, permissions } = op.deps;
      let identity: PolicyEntry[];
      let attachedBoundary: string | null = null;
      let principalValues: Record<string, ContextValue> = { 'aws:PrincipalArn': src.arn };
      if (src.kind === 'user') {
        attachedBoundary = src.record.permissionsBoundary;
        identity = await permissions.ownerPolicies('user', src.record.id);
        for (const g of await store.groups.allGroupsOf(src.record.id)) identity.push(...(await permissions.ownerPolicies('group', g.id)));
        principalValues = { ...principalValues, 'aws:username': src.record.name, 'aws:userid': src.record.id };
      } else if (src.kind === 'group') {
        identity = await permissions.ownerPolicies('group', src.record.id);
      } else {
        attachedBoundary = src.record.permissionsBoundary;
        identity = await permissions.ownerPolicies('role', src.record.id);
      }
      identity.push(...(await inputPolicies(input, 'PolicyInputList', 'identity')));
      // A boundary given in the request replaces the one attached to the entity.
      const boundary = (await inputPolicies(input, 'PermissionsBoundaryPolicyInputList', 'boundary'))[0] ?? (await managedBoundary(op, attachedBoundary));
      return evaluate(input, op, { identity, boundary }, principalValues);
    },
  },
} satisfies IamActionTable;

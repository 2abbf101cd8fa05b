/**
 * Permission sets at run time, validated once at start-up (a bad set stops start-up
 * with a message naming it):
 * - a session policy (inline or file) must be a valid session policy within the
 *   2,048-character session budget; managed policy ARNs must exist in the account;
 * - a `via: role` set's role must exist and its trust policy must let the broker assume it;
 * - `sessionHours` must not exceed the role's MaxSessionDuration.
 * A user sees the sets one of their directory groups maps to (DNs compared normalised,
 * or bare CNs).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PermissionSetConfig } from '../config/permission-sets.js';
import { createContext, evaluateTrust, parsePolicy, policySize } from '../policy/index.js';
import { groupMatches } from '../directory/index.js';
import { userArn } from '../iam/arns.js';
import { roleArnOf } from '../iam/principals.js';
import { resolveManagedPolicy } from '../iam/managed/lookup.js';
import type { Store } from '../store/types.js';

export interface PermissionSet {
  name: string;
  description: string;
  groups: string[];
  via: 'federation' | 'role';
  /** The session policy text, when the set has one. */
  policy?: string;
  policyArns: string[];
  roleArn?: string;
  sessionHours: number;
  /**
   * The directory's `groupSearchBase`, set by the composition root (`scopedToDirectory`): a bare
   * CN in `groups` matches only a group under it; without it a bare CN matches nothing.
   */
  groupSearchBase?: string;
}

export class PermissionSetError extends Error {}

export async function loadPermissionSets(configs: readonly PermissionSetConfig[], store: Store, accountId: string, brokerName: string, cwd = process.cwd()): Promise<PermissionSet[]> {
  const out: PermissionSet[] = [];
  for (const c of configs) {
    const fail = (why: string): never => {
      throw new PermissionSetError(`permission set "${c.name}": ${why}`);
    };
    let policy: string | undefined;
    try {
      policy = c.policyFile !== undefined ? readFileSync(resolve(cwd, c.policyFile), 'utf8') : c.policy !== undefined ? JSON.stringify(c.policy) : undefined;
      if (policy !== undefined) parsePolicy(policy, { kind: 'session' });
    } catch (err) {
      fail(`its session policy is invalid: ${(err as Error).message}`);
    }
    if (policy !== undefined && policySize(policy) > 2048) fail('its session policy exceeds 2,048 characters (whitespace not counted)');
    for (const arn of c.policyArns) {
      // A customer managed policy of the account, or an AWS managed policy (arn:aws:iam::aws:policy/…).
      if (!(await resolveManagedPolicy(store, accountId, arn))) fail(`policy ${arn} does not exist in account ${accountId}`);
    }
    if (c.via === 'role') await checkRole(c, store, accountId, brokerName, fail);
    out.push({
      name: c.name,
      description: c.description ?? '',
      groups: c.groups,
      via: c.via,
      ...(policy !== undefined && { policy }),
      policyArns: c.policyArns,
      ...(c.roleArn !== undefined && { roleArn: c.roleArn }),
      sessionHours: c.sessionHours,
    });
  }
  return out;
}

async function checkRole(c: PermissionSetConfig, store: Store, accountId: string, brokerName: string, fail: (why: string) => never): Promise<void> {
  const arn = c.roleArn!;
  const name = arn.slice(arn.lastIndexOf('/') + 1);
  const role = await store.roles.get(accountId, name);
  if (!role || roleArnOf(role) !== arn) fail(`role ${arn} does not exist`);
  const broker = await store.users.get(accountId, brokerName);
  if (!broker) fail(`the broker user ${brokerName} does not exist`);
  const trust = parsePolicy(role!.assumeRolePolicy, { kind: 'trust' });
  const principal = { type: 'AWS' as const, id: userArn(accountId, broker!.path, broker!.name) };
  if (evaluateTrust(trust, { principal, action: 'sts:AssumeRole', context: createContext({}, { now: Date.now() }) }) !== 'Allow') {
    fail(`role ${arn} does not trust the broker ${brokerName}`);
  }
  if (c.sessionHours * 3600 > role!.maxSessionDuration) fail(`sessionHours ${c.sessionHours} exceeds the role's MaxSessionDuration (${role!.maxSessionDuration} s)`);
}

/** The sets a user's groups entitle them to (a bare CN only under the set's `groupSearchBase`). */
export function setsFor(sets: readonly PermissionSet[], userGroups: readonly string[]): PermissionSet[] {
  return sets.filter((s) => s.groups.some((g) => groupMatches(userGroups, g, s.groupSearchBase)));
}

/** The sets with the directory's `groupSearchBase`, under which alone a bare CN matches. */
export function scopedToDirectory(sets: readonly PermissionSet[], groupSearchBase: string): PermissionSet[] {
  return sets.map((s) => ({ ...s, groupSearchBase }));
}

/**
 * A user's groups: direct ones, then the groups those groups are in.
 *
 * - direct groups come from the user's `memberOf` attribute (one value arrives as a string: it
 *   is normalised to an array) and from the `groupSearchFilter` search, merged;
 * - nested groups are resolved here, level by level, with the same filter applied to the groups
 *   found so far (`(|(member=<group 1>)(member=<group 2>)…)`), because OpenLDAP has no
 *   LDAP_MATCHING_RULE_IN_CHAIN;
 * - at most `MAX_NESTING_DEPTH` levels, each group visited once (cycles end), at most
 *   `GROUPS_PER_FILTER` groups per search;
 * - when the filter already asks for the chain (Active Directory,
 *   `(member:1.2.840.113556.1.4.1941:={{dn}})`) or does not use `{{dn}}` (posixGroup
 *   `(memberUid={{username}})`), no extra searches are made;
 * - with `tokenGroups` (Active Directory), the user's computed `tokenGroups` attribute (every
 *   security group, nested ones and the primary group included) is read with one base search,
 *   and its SIDs are turned into group DNs under `groupSearchBase` by objectSid, at most
 *   `SIDS_PER_FILTER` a search; `memberOf` is merged in (it also lists distribution groups);
 * - the result is normalised DNs (see dn.ts), direct groups first, without duplicates.
 */
import type { Logger } from '../shared/logger.js';
import { normalizeDn } from './dn.js';
import { sidFilterValue } from './binary.js';
import { isInChainFilter, renderFilter } from './filter.js';
import { attributeValues, type LdapEntry } from './options.js';

export const MAX_NESTING_DEPTH = 8;
export const GROUPS_PER_FILTER = 50;
export const SIDS_PER_FILTER = 250;

/** The one operation nesting needs: a subtree search returning entries with their DNs. */
export type GroupSearch = (base: string, filter: string, attributes: string[]) => Promise<LdapEntry[]>;
/** A search of one entry (scope base). */
export type EntrySearch = (dn: string, attributes: string[]) => Promise<LdapEntry | undefined>;

/**
 * The user's groups from `tokenGroups`: one base search of the user's entry (`readEntry`, always
 * live), then the groups by objectSid under `groupSearchBase` (`search`, which may be cached:
 * which group has a SID depends on the group tree only). Normalised, `memberOf` first.
 */
export async function tokenGroups(user: LdapEntry, groupSearchBase: string, readEntry: EntrySearch, search: GroupSearch): Promise<string[]> {
  const entry = await readEntry(user.dn, ['tokenGroups']);
  const sids = (entry ? attributeValues(entry, 'tokenGroups') : []).map(sidFilterValue).filter((v): v is string => v !== undefined);
  const found: string[] = [...attributeValues(user, 'memberOf')];
  for (let i = 0; i < sids.length; i += SIDS_PER_FILTER) {
    const parts = sids.slice(i, i + SIDS_PER_FILTER).map((v) => `(objectSid=${v})`);
    const filter = `(&(objectClass=group)${parts.length === 1 ? parts[0] : `(|${parts.join('')})`})`;
    for (const group of await search(groupSearchBase, filter, ['cn'])) found.push(group.dn);
  }
  return [...new Set(found.map(normalizeDn))];
}

export interface GroupSettings {
  groupSearchBase: string;
  groupSearchFilter: string;
}

/** The direct groups: the user's `memberOf` values, then the group search's entries. */
export function directGroups(user: LdapEntry, groupEntries: LdapEntry[] = []): string[] {
  return [...attributeValues(user, 'memberOf'), ...groupEntries.map((g) => g.dn)];
}

function parentFilter(template: string, groups: string[]): string {
  const parts = groups.map((dn) => renderFilter(template, { dn, username: '' }));
  return parts.length === 1 ? parts[0]! : `(|${parts.join('')})`;
}

/** Direct groups plus every group above them, as normalised DNs. */
export async function resolveGroups(
  direct: string[],
  settings: GroupSettings,
  search: GroupSearch,
  logger: Logger,
): Promise<string[]> {
  const seen = new Set<string>();
  let frontier: string[] = [];
  for (const dn of direct) {
    const key = normalizeDn(dn);
    if (!seen.has(key)) {
      seen.add(key);
      frontier.push(dn);
    }
  }
  const template = settings.groupSearchFilter;
  if (!template.includes('{{dn}}') || isInChainFilter(template)) return [...seen];

  for (let depth = 1; frontier.length > 0; depth++) {
    if (depth > MAX_NESTING_DEPTH) {
      logger.warn({ event: 'directory.groups', depth: MAX_NESTING_DEPTH }, 'group nesting deeper than the limit; deeper groups ignored');
      break;
    }
    const next: string[] = [];
    for (let i = 0; i < frontier.length; i += GROUPS_PER_FILTER) {
      const filter = parentFilter(template, frontier.slice(i, i + GROUPS_PER_FILTER));
      for (const parent of await search(settings.groupSearchBase, filter, ['cn'])) {
        const key = normalizeDn(parent.dn);
        if (!seen.has(key)) {
          seen.add(key);
          next.push(parent.dn);
        }
      }
    }
    frontier = next;
  }
  return [...seen];
}

/**
 * The demo directory's data: LDIF records in memory, with what slapd's dynlist overlay would add.
 *
 * - entries are keyed by normalised DN; every parent of an entry must exist;
 * - `memberOf` (operational: returned only when asked for by name) is computed from the groups'
 *   `member` values, direct memberships only, like slapd;
 * - filters: equality, presence, substring, and/or/not; values compare case-insensitively, and
 *   DN-valued attributes (member, memberOf, …) compare as normalised DNs; other filter types
 *   match nothing;
 * - `userPassword` is never stored, returned or matched (passwords live beside the tree).
 */
import { normalizeDn } from '../dn.js';
import type { LdapFilter } from '../ldapjs.js';
import type { LdifRecord } from './ldif.js';

export interface DemoEntry {
  dn: string;
  /** lower-case attribute name → { name as written, values } */
  attributes: Map<string, { name: string; values: string[] }>;
}

const DN_VALUED = new Set(['member', 'memberof', 'uniquemember', 'owner', 'manager', 'seealso']);
const OPERATIONAL = new Set(['memberof']);
const SECRET = new Set(['userpassword']);

/** The parent of a normalised DN (the text after the first unescaped comma). */
function parentDn(dn: string): string | undefined {
  for (let i = 0; i < dn.length; i++) {
    if (dn[i] === '\\') i++;
    else if (dn[i] === ',') return dn.slice(i + 1);
  }
  return undefined;
}

function sameValue(attribute: string, a: string, b: string): boolean {
  if (DN_VALUED.has(attribute)) return normalizeDn(a) === normalizeDn(b);
  const fold = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
  return fold(a) === fold(b);
}

export class DemoTree {
  readonly entries = new Map<string, DemoEntry>();

  constructor(records: LdifRecord[]) {
    for (const r of records) {
      const key = normalizeDn(r.dn);
      const parent = parentDn(key);
      if (this.entries.size > 0 && (parent === undefined || !this.entries.has(parent))) {
        throw new Error(`demo directory: ${r.dn}: parent entry missing (entries must follow their parents)`);
      }
      const attributes = new Map<string, { name: string; values: string[] }>();
      for (const [name, values] of r.attributes) {
        if (SECRET.has(name.toLowerCase())) throw new Error(`demo directory: ${r.dn}: userPassword does not belong in the LDIF`);
        attributes.set(name.toLowerCase(), { name, values: [...values] });
      }
      this.entries.set(key, { dn: r.dn, attributes });
    }
    for (const group of this.entries.values()) {
      for (const member of group.attributes.get('member')?.values ?? []) {
        const target = this.entries.get(normalizeDn(member));
        if (!target) continue;
        const memberOf = target.attributes.get('memberof') ?? { name: 'memberOf', values: [] };
        memberOf.values.push(group.dn);
        target.attributes.set('memberof', memberOf);
      }
    }
  }

  get(dn: string): DemoEntry | undefined {
    return this.entries.get(normalizeDn(dn));
  }

  values(entry: DemoEntry, attribute: string): string[] {
    return entry.attributes.get(attribute.toLowerCase())?.values ?? [];
  }

  matches(filter: LdapFilter, entry: DemoEntry): boolean {
    const attribute = (filter.attribute ?? '').toLowerCase();
    switch (filter.type) {
      case 'AndFilter':
        return (filter.filters ?? []).every((f) => this.matches(f, entry));
      case 'OrFilter':
        return (filter.filters ?? []).some((f) => this.matches(f, entry));
      case 'NotFilter':
        return filter.filter !== undefined && !this.matches(filter.filter, entry);
      case 'PresenceFilter':
        return !SECRET.has(attribute) && this.values(entry, attribute).length > 0;
      case 'EqualityFilter':
        return !SECRET.has(attribute) && this.values(entry, attribute).some((v) => sameValue(attribute, v, String(filter.value)));
      case 'SubstringFilter': {
        if (SECRET.has(attribute)) return false;
        const parts = [filter.initial ?? '', ...(filter.any ?? []), filter.final ?? ''].map((p) => p.toLowerCase());
        return this.values(entry, attribute).some((v) => {
          const value = v.toLowerCase();
          if (!value.startsWith(parts[0]!) || !value.endsWith(parts[parts.length - 1]!)) return false;
          let at = parts[0]!.length;
          for (const part of parts.slice(1, -1)) {
            const found = value.indexOf(part, at);
            if (found < 0) return false;
            at = found + part.length;
          }
          return at <= value.length - parts[parts.length - 1]!.length;
        });
      }
      default:
        return false;
    }
  }

  /** Entries under `base` in `scope` that match `filter`. */
  search(base: string, scope: 'base' | 'one' | 'sub', filter: LdapFilter): DemoEntry[] {
    const key = normalizeDn(base);
    const out: DemoEntry[] = [];
    for (const [dn, entry] of this.entries) {
      const inScope =
        scope === 'base' ? dn === key : scope === 'one' ? parentDn(dn) === key : dn === key || dn.endsWith(`,${key}`);
      if (inScope && this.matches(filter, entry)) out.push(entry);
    }
    return out;
  }

  /** The attributes to send: user attributes for none/`*`, operational ones only by name. */
  project(entry: DemoEntry, requested: string[]): Record<string, string[]> {
    const wanted = requested.map((a) => a.toLowerCase());
    const all = wanted.length === 0 || wanted.includes('*');
    const out: Record<string, string[]> = {};
    if (wanted.includes('1.1') && wanted.length === 1) return out;
    for (const [lower, { name, values }] of entry.attributes) {
      const asked = wanted.includes(lower);
      if (asked || (all && !OPERATIONAL.has(lower))) out[name] = [...values];
    }
    return out;
  }

  /** Normalised DNs of every group `dn` is in, nested ones included (cycle-safe). */
  groupsOf(dn: string): string[] {
    const seen = new Set<string>();
    let frontier = [dn];
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const member of frontier) {
        const entry = this.get(member);
        for (const group of entry ? this.values(entry, 'memberOf') : []) {
          const key = normalizeDn(group);
          if (!seen.has(key)) {
            seen.add(key);
            next.push(group);
          }
        }
      }
      frontier = next;
    }
    return [...seen];
  }
}

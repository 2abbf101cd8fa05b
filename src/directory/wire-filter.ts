/**
 * wireFilter: a filter string as ldapjs 3 should have sent it.
 *
 * ldapjs 3.0.7 (@ldapjs/filter 2.1.1) parses `(uid=o\2abrien)` but puts the characters `\2a`
 * on the wire instead of the byte `*`, so every RFC 4515 escape reaches the server undecoded:
 * an escaped name never matches, and a group DN with an escaped comma (`CN=Doe\, Jane`, common
 * in Active Directory) is mangled. This parses with ldapjs, then decodes the escapes of every
 * assertion value (equality, ordering, approximate, extensible) into the raw value.
 *
 * Substring filters are left as ldapjs builds them; no filter built from user input is one
 * (`*` in a name is refused, and escaped anyway).
 */
import { ldapjs, type LdapFilter } from './ldapjs.js';

/** The bytes an RFC 4515 assertion value stands for: `\HH` is one byte, the rest is UTF-8. */
export function decodeFilterValue(value: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const hex = value.slice(i + 1, i + 3);
    if (value[i] === '\\' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      const cp = value.codePointAt(i)!;
      if (cp > 0xffff) i++;
      bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

const VALUE_FILTERS = new Set(['GreaterThanEqualsFilter', 'LessThanEqualsFilter', 'ApproximateFilter', 'ExtensibleFilter']);

function decodeValues(filter: LdapFilter): LdapFilter {
  for (const child of filter.clauses ?? []) decodeValues(child); // and, or, not
  const value = filter.value;
  if (typeof value !== 'string') return filter;
  if (filter.type === 'EqualityFilter') filter.value = decodeFilterValue(value);
  else if (VALUE_FILTERS.has(filter.type)) filter.value = decodeFilterValue(value).toString('utf8');
  return filter;
}

/** Parses an RFC 4515 filter string into an ldapjs filter whose values are decoded. */
export function wireFilter(filter: string): LdapFilter {
  return decodeValues(ldapjs.parseFilter(filter));
}

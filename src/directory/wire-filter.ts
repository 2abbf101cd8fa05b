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
  if (!value.includes('\\')) return Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  let plain = 0; // start of the text not yet copied
  for (let i = value.indexOf('\\'); i !== -1; i = value.indexOf('\\', i)) {
    const hex = value.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
      i++; // a lone backslash stands for itself
      continue;
    }
    parts.push(Buffer.from(value.slice(plain, i), 'utf8'), Buffer.of(parseInt(hex, 16)));
    plain = i += 3;
  }
  parts.push(Buffer.from(value.slice(plain), 'utf8'));
  return Buffer.concat(parts);
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

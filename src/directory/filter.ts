/**
 * Search filters built from templates (`(member={{dn}})`), with every substituted value escaped
 * as RFC 4515 section 3 requires: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`, `\5c`,
 * `\00`. Escaping is one pass over the input, so an escape is never escaped again.
 */

const ESCAPES: Record<string, string> = { '*': '\\2a', '(': '\\28', ')': '\\29', '\\': '\\5c', '\0': '\\00' };

/** RFC 4515 escape of an assertion value. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => ESCAPES[c]!);
}

/** Replaces `{{name}}` placeholders with escaped values; unknown placeholders are left alone. */
export function renderFilter(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    return value === undefined ? whole : escapeFilterValue(value);
  });
}

/**
 * The attribute a user filter compares the login name with, e.g. `uid` for `(uid={{username}})`
 * and `sAMAccountName` for `(&(objectClass=user)(sAMAccountName={{username}}))`.
 */
export function usernameAttribute(searchFilter: string): string | undefined {
  return /\(([\w-]+)=\{\{username\}\}\)/.exec(searchFilter)?.[1];
}

/**
 * Whether a group filter asks the directory for nested groups itself (Active Directory's
 * LDAP_MATCHING_RULE_IN_CHAIN, `(member:1.2.840.113556.1.4.1941:={{dn}})`).
 */
export function isInChainFilter(groupSearchFilter: string): boolean {
  return groupSearchFilter.includes(':1.2.840.113556.1.4.1941:');
}

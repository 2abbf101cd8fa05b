/**
 * From the `directory:` config block to ldapauth-fork's options (passport-ldapauth's `server`
 * options, same names).
 *
 * - `searchAttributes` is always an explicit list (uid, sAMAccountName, cn, displayName, mail,
 *   memberOf and the login attribute of `searchFilter`): never `userPassword`, never "all";
 * - `groupSearchAttributes` is `['cn']`: only the group DNs are used;
 * - the group filter is rendered by our RFC 4515 escaping (ldapauth-fork's own escapes `\` after
 *   `(`, which mangles a DN such as `cn=Ada (Ops),…`);
 * - `cache` is off, `reconnect` is off: a connection that drops is never silently reopened (the
 *   connector keeps sessions between logins itself, and discards any that faulted; pool.ts);
 * - `timeout` and `connectTimeout` are `timeoutMs` (our own deadline sits above them anyway);
 * - TLS always verifies the certificate and host name (`tlsOptions.servername` when the
 *   certificate names the DC but the URL has its IP); `tlsOptions.ca` names PEM files, read once;
 * - the entry's stable id (objectGUID or entryUUID) is always asked for.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { Options as LdapAuthOptions } from 'ldapauth-fork';
import type { DirectoryConfig } from '../config/directory.js';
import { renderFilter, usernameAttribute } from './filter.js';

/**
 * The connector's settings: the `directory:` block (presets applied) with a real URL; the keys
 * with defaults may be left out here (tests, the embedded directory).
 */
export type DirectorySettings = Omit<DirectoryConfig, 'url' | 'kind' | 'starttls' | 'tokenGroups' | 'poolSize' | 'poolIdleMs' | 'nestedGroupCacheMs'> & {
  url: string;
  kind?: DirectoryConfig['kind'];
  /** Upgrade an `ldap://` connection with StartTLS before any bind (passport-ldapauth's option name). */
  starttls?: boolean;
  /** Nested groups from the user's `tokenGroups` (AD) instead of `groupSearchFilter`. */
  tokenGroups?: boolean;
  /** Default DIRECTORY_POOL_DEFAULTS (config/directory.ts). */
  poolSize?: number;
  poolIdleMs?: number;
  /** Default DIRECTORY_NESTED_GROUP_CACHE_MS (config/directory.ts). */
  nestedGroupCacheMs?: number;
};

/** The attribute whose value is the person's name in Gatehouse (see config `usernameAttribute`). */
export function loginAttributeOf(settings: Pick<DirectorySettings, 'usernameAttribute' | 'searchFilter'>): string {
  return settings.usernameAttribute ?? usernameAttribute(settings.searchFilter) ?? 'uid';
}

export const BASE_SEARCH_ATTRIBUTES = ['uid', 'sAMAccountName', 'cn', 'displayName', 'mail', 'memberOf'] as const;
/**
 * The stable identity of a person, next to the DN (which changes when they move OU): AD's
 * `objectGUID` (binary, shown as a GUID string; see binary.ts) or OpenLDAP's `entryUUID`
 * (operational: only sent when asked for).
 */
export const STABLE_ID_ATTRIBUTES = ['objectGUID', 'entryUUID'] as const;

/** An entry as ldapauth-fork returns it: single values as strings, several as arrays. */
export type LdapEntry = { dn: string } & Record<string, string | string[] | undefined>;

/** Reads an attribute regardless of case; always an array. */
export function attributeValues(entry: LdapEntry, name: string): string[] {
  const lower = name.toLowerCase();
  const key = Object.keys(entry).find((k) => k.toLowerCase() === lower);
  const value = key === undefined ? undefined : entry[key];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

export function searchAttributes(searchFilter: string, loginAttribute?: string): string[] {
  const list: string[] = [...BASE_SEARCH_ATTRIBUTES, ...STABLE_ID_ATTRIBUTES];
  for (const login of [usernameAttribute(searchFilter), loginAttribute]) {
    if (login && !list.some((a) => a.toLowerCase() === login.toLowerCase())) list.push(login);
  }
  return list;
}

/** The stable id in an entry (objectGUID, else entryUUID), if the directory sent one. */
export function stableIdOf(entry: LdapEntry): string | undefined {
  for (const name of STABLE_ID_ATTRIBUTES) {
    const value = attributeValues(entry, name)[0];
    if (value) return value;
  }
  return undefined;
}

/** Verified TLS for ldaps:// and StartTLS; throws naming the key when a CA file is unreadable. */
export function tlsOptionsFor(settings: DirectorySettings): ConnectionOptions {
  const host = new URL(settings.url).hostname.replace(/^\[|\]$/g, '');
  const ca = settings.tlsOptions?.ca?.map((path, i) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw new Error(`directory.tlsOptions.ca[${i}]: cannot read ${path}`, { cause: err });
    }
  });
  const servername = settings.tlsOptions?.servername ?? (isIP(host) ? undefined : host);
  return {
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    host,
    ...(servername === undefined ? {} : { servername }),
    ...(ca ? { ca } : {}),
  };
}

/** Fresh ldapauth-fork options for one login (it mutates what it is given). */
export function ldapAuthOptions(settings: DirectorySettings, tlsOptions: ConnectionOptions): LdapAuthOptions {
  const loginAttribute = loginAttributeOf(settings);
  const template = settings.groupSearchFilter;
  return {
    url: settings.url,
    ...(settings.bindDN === undefined ? {} : { bindDN: settings.bindDN }),
    ...(settings.bindCredentials === undefined ? {} : { bindCredentials: settings.bindCredentials }),
    searchBase: settings.searchBase,
    searchFilter: settings.searchFilter,
    searchScope: 'sub',
    searchAttributes: searchAttributes(settings.searchFilter, settings.usernameAttribute),
    // With tokenGroups the connector reads the groups itself (groups.ts); no group search here.
    ...(settings.tokenGroups
      ? {}
      : {
          groupSearchBase: settings.groupSearchBase,
          groupSearchFilter: (user: LdapEntry) => renderFilter(template, { dn: user.dn, username: attributeValues(user, loginAttribute)[0] ?? '' }),
        }),
    groupSearchScope: 'sub',
    groupSearchAttributes: ['cn'],
    tlsOptions,
    timeout: settings.timeoutMs,
    connectTimeout: settings.timeoutMs,
    reconnect: false,
    cache: false,
    starttls: false, // done by LdapSession before any bind; see session.ts
  } as LdapAuthOptions;
}

/**
 * directory: signing users in against an LDAP directory, and the directory behind the demo.
 *
 * Flow: the portal calls `DirectoryConnector.login(username, password)` and gets a value, never an
 * exception: `{ ok: true, user }` with the user's groups (nested ones included, as normalised
 * DNs), `invalid-credentials` (one generic answer for every refusal) or `unavailable` (503).
 * `LdapConnector` implements it over passport-ldapauth's ldapauth-fork (one LdapAuth serves one
 * login at a time, under one deadline, and is kept for the next while it stays healthy);
 * `createLdapStrategy` wraps a connector as a passport-ldapauth Strategy that reads credentials
 * from the request body only. `normalizeDn`/`groupMatches` compare a
 * user's groups with the groups a permission set names (DNs or bare CNs).
 *
 * The rules, each enforced in one place:
 * - blank, non-string, over-long or metacharacter-bearing input is refused before any connection
 *   (credentials.ts); every filter value is RFC 4515-escaped anyway (filter.ts);
 * - `searchAttributes` is always explicit (never `userPassword`); ldapauth-fork's cache is never
 *   enabled (options.ts);
 * - zero or several matches for a name are refused before the user bind; a refused user bind
 *   (AD sub-codes 525/52e/530/531/532/533/701/773/775, any other logged raw; ppolicy locks) is
 *   the same generic refusal, with the exact reason in the log only, never the password
 *   (bind-errors.ts; the sub-code reaches us through `bindWithDiagnostic`, ldapjs.ts);
 *   refusals without a user bind make one failing bind so all refusals cost the same;
 * - an ldapauth-fork instance serves one login at a time, never two at once; it is kept for the
 *   next login only while healthy, and discarded after any fault or deadline (session.ts, pool.ts);
 * - ldapjs 3 sends filter escapes undecoded: every search filter is re-encoded (wire-filter.ts);
 * - one deadline, `timeoutMs`, over every login and ping: down, silent or untrusted-TLS
 *   directories are `unavailable` within it, never a bad password, never a login; the sockets
 *   are destroyed (ldap-connector.ts, deadline.ts);
 * - `ldaps://` and StartTLS verify the certificate against `tlsOptions.ca` (PEM files) or the
 *   system CAs; a failure is `unavailable`, never a downgrade (options.ts, session.ts);
 * - every search is paged (RFC 2696; AD stops unpaged searches at 1,000 entries) and ignores
 *   continuation references (AD's referrals at a domain-root base), never following them;
 * - groups from `memberOf` and `groupSearchFilter`, nested levels resolved with a bound and
 *   cycle-safe (groups.ts); Active Directory's in-chain filter is honoured as is, or the
 *   user's `tokenGroups` read and resolved by SID (`tokenGroups: true`, the AD preset's
 *   default; binary.ts decodes SIDs and GUIDs);
 * - the person's stable id (objectGUID or entryUUID) is carried next to the DN (`stableId`);
 * - a permission set's bare CN matches only groups under `groupSearchBase`, a DN exactly
 *   (dn.ts).
 *
 * `startEmbeddedDirectory` (`directory.url: embedded`) runs an in-process ldapjs server on
 * 127.0.0.1 seeded from `config/demo-directory.ldif`, with passwords generated at first start:
 * demonstration only, and it says so loudly. `openDirectory(config.directory, { dataDir, logger })`
 * chooses between the two for the composition root.
 *
 * Imports: ldapjs, ldapauth-fork, passport-ldapauth, node built-ins, src/shared and the config
 * types. Never express (the strategy only sees the request's `body`).
 */
export type { DirectoryConnector, DirectoryUser, LoginResult, RefusalReason } from './types.js';
export { DirectoryUnavailable } from './types.js';
export { LdapConnector } from './ldap-connector.js';
export type { DirectorySettings } from './options.js';
export { checkCredentials } from './credentials.js';
export { escapeFilterValue, renderFilter } from './filter.js';
export { normalizeDn, groupMatches } from './dn.js';
export { MAX_NESTING_DEPTH } from './groups.js';
export { createLdapStrategy, bodyCredentials, INVALID_CREDENTIALS_MESSAGE } from './strategy.js';
export { openDirectory, type OpenDirectory } from './open.js';
export { startEmbeddedDirectory, type EmbeddedDirectory, type EmbeddedDirectoryOptions, type DemoLogin } from './embedded/index.js';

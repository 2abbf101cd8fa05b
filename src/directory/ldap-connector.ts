/**
 * LdapConnector: `DirectoryConnector` over passport-ldapauth's ldapauth-fork, one session per login
 * at a time.
 *
 * login() is a chain of named steps:
 * - checkCredentials: refuse blank, non-string, over-long or metacharacter input before any
 *   connection is opened (credentials.ts);
 * - starttls, if configured: both connections are verified TLS before the first bind, or the
 *   directory is unavailable (never a silent downgrade to clear text);
 * - authenticate: service bind, user search with the escaped name, refusal of zero or several
 *   matches before the user bind, user bind, group search (session.ts);
 * - equalise: a refusal without a user bind (unknown or ambiguous name) makes one bind that
 *   must fail (a DN that does not exist, a random password; never the user's), so that every
 *   refusal costs the same round trips;
 * - resolveGroups: memberOf and group search, nested groups, normalised DNs (groups.ts);
 * - the whole chain runs under one deadline, `timeoutMs`: past it the sockets are destroyed and
 *   the answer is `unavailable`, never `invalid-credentials` and never a login;
 * - connections: a session that ended its login cleanly is kept idle (`poolSize`, `poolIdleMs`;
 *   pool.ts) and lent to the next login, which then skips the connects and the service bind.
 *   When a kept session faults before the user bind was sent (the directory closed it while it
 *   sat idle), the login runs once more on a new session within the same deadline; after the
 *   user bind a fault is `unavailable`, so one password is never tried twice;
 * - nested groups: which groups contain the user's groups depends on the group tree only, so
 *   those searches are kept for `nestedGroupCacheMs` (default 5 s; 0 = always live). The user's
 *   entry and direct groups are always read live.
 * Every refusal is the same `invalid-credentials`; its reason goes to the log with the user name,
 * never with the password.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import type { Options as LdapAuthOptions } from 'ldapauth-fork';
import { DIRECTORY_NESTED_GROUP_CACHE_MS, DIRECTORY_POOL_DEFAULTS as POOL_DEFAULTS } from '../config/directory.js';
import type { Logger } from '../shared/logger.js';
import { classifyUserBindError } from './bind-errors.js';
import { checkCredentials } from './credentials.js';
import { withDeadline } from './deadline.js';
import { directGroups, resolveGroups, tokenGroups, type GroupSearch } from './groups.js';
import { ldapjs } from './ldapjs.js';
import { attributeValues, ldapAuthOptions, loginAttributeOf, stableIdOf, tlsOptionsFor, type DirectorySettings, type LdapEntry } from './options.js';
import { IdlePool, type Pooled } from './pool.js';
import { DirectoryFault, LdapSession, type AuthOutcome } from './session.js';
import { ServiceSession } from './service-session.js';
import { TtlCache } from './ttl-cache.js';
import { DirectoryUnavailable, type DirectoryConnector, type LoginResult, type RefusalReason } from './types.js';

/** No kept connection outlives this, so a changed service password or ACL applies within it. */
const POOL_MAX_AGE_MS = 10 * 60_000;
/** Distinct nested-group searches kept (each a set of groups and its parents). */
const PARENT_CACHE_ENTRIES = 10_000;

const INVALID: LoginResult = Object.freeze({ ok: false, reason: 'invalid-credentials' });

/** A user name fit for a log line: at most 128 characters (pino escapes the rest). */
function shown(username: unknown): unknown {
  return typeof username === 'string' ? username.slice(0, 128) : typeof username;
}

export class LdapConnector implements DirectoryConnector {
  private readonly tls: ConnectionOptions;
  private readonly inFlight = new Set<Promise<LoginResult>>();
  private readonly logins: IdlePool<LdapSession>;
  private readonly lookups: IdlePool<ServiceSession>;
  /** Which groups contain a set of groups: the same for every member, so briefly kept. */
  private readonly parents: TtlCache<LdapEntry[]>;
  private closed = false;

  /** Throws (naming the key) when a `tlsOptions.ca` file cannot be read. */
  constructor(
    private readonly settings: DirectorySettings,
    private readonly logger: Logger,
  ) {
    if (!/^ldaps?:\/\//i.test(settings.url)) throw new Error(`directory.url: the LDAP connector needs an ldap:// or ldaps:// URL`);
    this.tls = tlsOptionsFor(settings);
    const pool = { size: settings.poolSize ?? POOL_DEFAULTS.size, idleMs: settings.poolIdleMs ?? POOL_DEFAULTS.idleMs, maxAgeMs: POOL_MAX_AGE_MS };
    this.logins = new IdlePool(pool);
    this.lookups = new IdlePool(pool);
    this.parents = new TtlCache(settings.nestedGroupCacheMs ?? DIRECTORY_NESTED_GROUP_CACHE_MS, PARENT_CACHE_ENTRIES);
  }

  /** Where groups are searched: a permission set's bare CN matches only groups under it (dn.ts). */
  get groupSearchBase(): string {
    return this.settings.groupSearchBase;
  }

  /** Idle sessions kept for logins and for group lookups (tests, metrics). */
  get idleSessions(): { logins: number; lookups: number } {
    return { logins: this.logins.idleCount, lookups: this.lookups.idleCount };
  }

  /** The ldapauth-fork (passport-ldapauth `server`) options one login uses; a fresh object. */
  serverOptions(): LdapAuthOptions {
    return ldapAuthOptions(this.settings, this.tls);
  }

  login(username: unknown, password: unknown): Promise<LoginResult> {
    if (this.closed) return Promise.resolve(this.unavailable(new DirectoryUnavailable('directory connector closed'), username));
    const check = checkCredentials(username, password);
    if (!check.ok) return Promise.resolve(this.refuse(check.reason, username));
    const result = this.attempt(check.username, check.password);
    this.inFlight.add(result);
    void result.finally(() => this.inFlight.delete(result));
    return result;
  }

  private async attempt(username: string, password: string): Promise<LoginResult> {
    try {
      return await this.withSession('directory login', this.logins, () => new LdapSession(this.serverOptions()), (s) => this.run(s, username, password));
    } catch (err) {
      return this.unavailable(new DirectoryUnavailable('directory login failed', { cause: err }), username);
    }
  }

  /**
   * `work` on a kept session, or on a new one, within one `timeoutMs` deadline. The session goes
   * back to the pool when the work settled without a fault or deadline, else it is destroyed. A
   * kept session's fault is retried once on a new session when the session says it may be.
   */
  private async withSession<S extends Pooled, R>(what: string, pool: IdlePool<S>, open: () => S, work: (s: S) => Promise<R>): Promise<R> {
    const { timeoutMs } = this.settings;
    const kept = pool.take();
    if (!kept) return this.onSession(what, pool, pool.adopt(open()), timeoutMs, work);
    const started = performance.now();
    try {
      return await this.onSession(what, pool, kept, timeoutMs, work);
    } catch (err) {
      if (!(err instanceof DirectoryFault) || !kept.mayRetry() || this.closed) throw err;
      const left = Math.floor(timeoutMs - (performance.now() - started));
      if (left <= 0) throw err;
      this.logger.debug({ event: 'directory.retry', what, err }, 'kept directory connection failed; retrying on a new one');
      return this.onSession(what, pool, pool.adopt(open()), left, work);
    }
  }

  private async onSession<S extends Pooled, R>(what: string, pool: IdlePool<S>, session: S, ms: number, work: (s: S) => Promise<R>): Promise<R> {
    let clean = false;
    try {
      const result = await withDeadline(what, ms, work(session), () => session.destroy());
      clean = true;
      return result;
    } finally {
      if (clean && !this.closed) pool.give(session);
      else session.destroy();
    }
  }

  private async run(session: LdapSession, username: string, password: string): Promise<LoginResult> {
    if (this.settings.starttls) await session.starttls(this.tls);
    const outcome: AuthOutcome = await session.authenticate(username, password);
    switch (outcome.kind) {
      case 'unknown-user':
      case 'ambiguous-user':
        await session.equalisingBind(`cn=gatehouse-no-such-entry-${randomBytes(8).toString('hex')},${this.settings.searchBase}`, randomBytes(18).toString('base64url'));
        return this.refuse(outcome.kind, username);
      case 'refused': {
        const refusal = classifyUserBindError(outcome.error);
        if (!refusal) throw new DirectoryFault('user bind', outcome.error);
        return this.refuse(refusal.reason, username, refusal.adCode);
      }
      case 'ok': {
        const groups = await this.groupsOf(outcome.user, outcome.groupEntries, session);
        const entry = outcome.user;
        const displayName = attributeValues(entry, 'displayName')[0] ?? attributeValues(entry, 'cn')[0];
        const email = attributeValues(entry, 'mail')[0];
        const stableId = stableIdOf(entry);
        const user = {
          username: attributeValues(entry, loginAttributeOf(this.settings))[0] ?? username,
          dn: entry.dn,
          ...(stableId === undefined ? {} : { stableId }),
          ...(displayName === undefined ? {} : { displayName }),
          ...(email === undefined ? {} : { email }),
          groups,
        };
        this.logger.info({ event: 'directory.login', outcome: 'ok', username: shown(user.username), stableId, groups: groups.length }, 'directory login succeeded');
        return { ok: true, user };
      }
    }
  }

  /**
   * The groups of a user who already signed in, read with the service account (no password),
   * so that a permission set is checked against current membership each time credentials are
   * minted, on one connection (ServiceSession: no user bind, so not ldapauth-fork's two).
   * Undefined when the user no longer exists (or is ambiguous); throws
   * DirectoryUnavailable when the directory cannot answer within `timeoutMs`.
   */
  async currentGroups(username: string): Promise<string[] | undefined> {
    const check = checkCredentials(username, 'x');
    if (!check.ok) return undefined;
    if (this.closed) throw new DirectoryUnavailable('directory connector closed');
    const lookup = async (s: ServiceSession) => {
      await s.open();
      const found = await s.lookup(check.username);
      if (!found) return undefined;
      return this.groupsOf(found.user, found.groupEntries, s);
    };
    try {
      return await this.withSession('directory group lookup', this.lookups, () => new ServiceSession(this.settings, this.tls), lookup);
    } catch (err) {
      throw new DirectoryUnavailable('directory group lookup failed', { cause: err });
    }
  }

  /**
   * Every group of a found user, as normalised DNs: from `tokenGroups` (AD, when configured), or
   * from memberOf and the group search with nested levels resolved (groups.ts).
   */
  private groupsOf(user: LdapEntry, groupEntries: LdapEntry[], on: { search(b: string, f: string, a: string[]): Promise<LdapEntry[]>; readEntry(dn: string, a: string[]): Promise<LdapEntry | undefined> }): Promise<string[]> {
    const search = this.parentSearch((b, f, a) => on.search(b, f, a));
    if (this.settings.tokenGroups) return tokenGroups(user, this.settings.groupSearchBase, (dn, a) => on.readEntry(dn, a), search);
    return resolveGroups(directGroups(user, groupEntries), this.settings, search, this.logger);
  }

  /** The nested-group search on `search`'s connection, through the short-lived parent-group cache. */
  private parentSearch(search: GroupSearch): GroupSearch {
    return (base, filter, attributes) => this.parents.get(`${base}\n${filter}\n${attributes.join(',')}`, () => search(base, filter, attributes));
  }

  private refuse(reason: RefusalReason, username: unknown, adCode?: string): LoginResult {
    this.logger.info({ event: 'directory.login', outcome: 'refused', reason, ...(adCode === undefined ? {} : { adCode }), username: shown(username) }, 'directory login refused');
    return INVALID;
  }

  private unavailable(error: DirectoryUnavailable, username: unknown): LoginResult {
    this.logger.warn({ event: 'directory.login', outcome: 'unavailable', username: shown(username), err: error }, 'directory unavailable');
    return { ok: false, reason: 'unavailable', error };
  }

  /** Readiness: a service-account bind (after StartTLS, if configured) within `timeoutMs`. */
  async ping(): Promise<boolean> {
    const { url, timeoutMs, bindDN, bindCredentials } = this.settings;
    const client = ldapjs.createClient({ url, tlsOptions: { ...this.tls }, timeout: timeoutMs, connectTimeout: timeoutMs });
    const work = new Promise<void>((resolve, reject) => {
      client.on('error', (err) => reject(err as Error));
      const bind = () => client.bind(bindDN ?? '', bindCredentials ?? '', (err) => (err ? reject(err) : resolve()));
      if (this.settings.starttls) client.starttls({ ...this.tls }, [], (err) => (err ? reject(err) : bind()));
      else bind();
    });
    try {
      await withDeadline('directory ping', timeoutMs, work, () => client.destroy());
      return true;
    } catch (err) {
      this.logger.warn({ event: 'directory.ping', err }, 'directory not reachable');
      return false;
    } finally {
      client.destroy();
    }
  }

  /** Refuses new logins (they answer `unavailable`), waits for those in flight, and drops every kept connection. */
  async close(): Promise<void> {
    this.closed = true;
    this.logins.close();
    this.lookups.close();
    await Promise.allSettled([...this.inFlight]);
  }
}

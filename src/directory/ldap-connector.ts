/**
 * LdapConnector: `DirectoryConnector` over passport-ldapauth's ldapauth-fork, one session per login.
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
 *   the answer is `unavailable`, never `invalid-credentials` and never a login.
 * Every refusal is the same `invalid-credentials`; its reason goes to the log with the user name,
 * never with the password.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import type { Options as LdapAuthOptions } from 'ldapauth-fork';
import type { Logger } from '../shared/logger.js';
import { classifyUserBindError } from './bind-errors.js';
import { checkCredentials } from './credentials.js';
import { withDeadline } from './deadline.js';
import { directGroups, resolveGroups } from './groups.js';
import { ldapjs } from './ldapjs.js';
import { attributeValues, ldapAuthOptions, tlsOptionsFor, type DirectorySettings } from './options.js';
import { DirectoryFault, LdapSession, type AuthOutcome } from './session.js';
import { ServiceSession } from './service-session.js';
import { usernameAttribute } from './filter.js';
import { DirectoryUnavailable, type DirectoryConnector, type LoginResult, type RefusalReason } from './types.js';

const INVALID: LoginResult = Object.freeze({ ok: false, reason: 'invalid-credentials' });

/** A user name fit for a log line: at most 128 characters (pino escapes the rest). */
function shown(username: unknown): unknown {
  return typeof username === 'string' ? username.slice(0, 128) : typeof username;
}

export class LdapConnector implements DirectoryConnector {
  private readonly tls: ConnectionOptions;
  private readonly inFlight = new Set<Promise<LoginResult>>();
  private closed = false;

  /** Throws (naming the key) when a `tlsOptions.ca` file cannot be read. */
  constructor(
    private readonly settings: DirectorySettings,
    private readonly logger: Logger,
  ) {
    if (!/^ldaps?:\/\//i.test(settings.url)) throw new Error(`directory.url: the LDAP connector needs an ldap:// or ldaps:// URL`);
    this.tls = tlsOptionsFor(settings);
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
    let session: LdapSession | undefined;
    try {
      const s = (session = new LdapSession(this.serverOptions()));
      return await withDeadline('directory login', this.settings.timeoutMs, this.run(s, username, password), () => s.destroy());
    } catch (err) {
      return this.unavailable(new DirectoryUnavailable('directory login failed', { cause: err }), username);
    } finally {
      session?.close();
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
        const reason = classifyUserBindError(outcome.error);
        if (!reason) throw new DirectoryFault('user bind', outcome.error);
        return this.refuse(reason, username);
      }
      case 'ok': {
        const groups = await resolveGroups(directGroups(outcome.user, outcome.groupEntries), this.settings, (b, f, a) => session.search(b, f, a), this.logger);
        const entry = outcome.user;
        const loginAttribute = usernameAttribute(this.settings.searchFilter) ?? 'uid';
        const displayName = attributeValues(entry, 'displayName')[0] ?? attributeValues(entry, 'cn')[0];
        const email = attributeValues(entry, 'mail')[0];
        const user = {
          username: attributeValues(entry, loginAttribute)[0] ?? username,
          dn: entry.dn,
          ...(displayName === undefined ? {} : { displayName }),
          ...(email === undefined ? {} : { email }),
          groups,
        };
        this.logger.info({ event: 'directory.login', outcome: 'ok', username: shown(user.username), groups: groups.length }, 'directory login succeeded');
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
    let session: ServiceSession | undefined;
    try {
      const s = (session = new ServiceSession(this.settings, this.tls));
      const work = (async () => {
        await s.open();
        const found = await s.lookup(check.username);
        if (!found) return undefined;
        return resolveGroups(directGroups(found.user, found.groupEntries), this.settings, (b, f, a) => s.search(b, f, a), this.logger);
      })();
      return await withDeadline('directory group lookup', this.settings.timeoutMs, work, () => s.destroy());
    } catch (err) {
      throw new DirectoryUnavailable('directory group lookup failed', { cause: err });
    } finally {
      session?.destroy();
    }
  }

  private refuse(reason: RefusalReason, username: unknown): LoginResult {
    this.logger.info({ event: 'directory.login', outcome: 'refused', reason, username: shown(username) }, 'directory login refused');
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

  /** Refuses new logins (they answer `unavailable`) and waits for those in flight. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.inFlight]);
  }
}

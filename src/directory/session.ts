/**
 * LdapSession: one ldapauth-fork `LdapAuth` for one login, used the way passport-ldapauth uses it
 * (a new instance per login, never reused), turned into promises.
 *
 * - one instance per login, never shared: concurrent binds on one ldapauth-fork client can
 *   abandon each other's requests and leave callbacks unfired;
 * - a connection-level `error` event (refused, reset, TLS failure) rejects whatever is pending at
 *   once instead of waiting for a callback that may never come;
 * - StartTLS is negotiated on both connections before anything else is sent (ldapauth-fork's own
 *   `starttls` queues the service bind right behind the StartTLS request, before TLS is up);
 * - every search filter goes out with its RFC 4515 escapes decoded (wire-filter.ts: ldapjs 3
 *   sends them undecoded);
 * - the user bind's own error is recognised by identity, so a refused user bind (a bad password)
 *   is never confused with a refused service bind (a fault);
 * - `destroy()` drops both sockets at once (after a deadline, or when the login is over; no
 *   UnbindRequests, see `close()`).
 *
 * It relies on ldapauth-fork 6.1.0 internals (`_adminClient`, `_userClient`, `_search`), which is
 * why package.json pins that version through `overrides`.
 */
import type { ConnectionOptions } from 'node:tls';
import LdapAuth from 'ldapauth-fork';
import type { Options as LdapAuthOptions } from 'ldapauth-fork';
import type { Callback, LdapClient } from './ldapjs.js';
import type { LdapEntry } from './options.js';
import { wireFilter } from './wire-filter.js';

interface Internals {
  _adminClient: LdapClient;
  _userClient: LdapClient;
  _search(base: string, options: { filter: string; scope: string; attributes: string[] }, cb: (err: unknown, items?: LdapEntry[]) => void): void;
}

/** What `authenticate` found. A `fault` is anything that is not a verdict on the credentials. */
export type AuthOutcome =
  | { kind: 'ok'; user: LdapEntry; groupEntries: LdapEntry[] }
  | { kind: 'unknown-user' }
  | { kind: 'ambiguous-user'; detail: string }
  | { kind: 'refused'; error: unknown };

/** A fault, with the step it happened in. */
export class DirectoryFault extends Error {
  constructor(step: string, cause: unknown) {
    super(`${step} failed`, { cause: cause instanceof Error ? cause : new Error(String(cause)) });
    this.name = 'DirectoryFault';
  }
}

export class LdapSession {
  private readonly auth: LdapAuth;
  private readonly internals: Internals;
  private readonly rawUserBind: LdapClient['bind'];
  private readonly broken: Promise<never>;
  private userBindError: unknown;
  private done = false;

  constructor(options: LdapAuthOptions) {
    this.auth = new LdapAuth(options);
    this.internals = this.auth as unknown as Internals;
    this.broken = new Promise<never>((_, reject) => {
      this.auth.once('error', (err: unknown) => reject(new DirectoryFault('connection', err)));
    });
    this.broken.catch(() => {}); // observed through race(); never an unhandled rejection
    this.auth.on('error', () => {}); // later errors (after a destroy) are expected and ignored
    const adminClient = this.internals._adminClient;
    const rawSearch = adminClient.search.bind(adminClient);
    adminClient.search = (base, options, ...rest) => {
      const filter = typeof options.filter === 'string' ? wireFilter(options.filter) : options.filter;
      rawSearch(base, { ...options, filter }, ...rest);
    };
    const userClient = this.internals._userClient;
    this.rawUserBind = userClient.bind.bind(userClient);
    userClient.bind = (dn: string, password: string, cb: Callback) => {
      this.rawUserBind(dn, password, (err) => {
        if (err) this.userBindError = err;
        cb(err);
      });
    };
  }

  private race<T>(work: Promise<T>): Promise<T> {
    return Promise.race([work, this.broken]);
  }

  /** StartTLS on the service and the user connection; rejects if either cannot be verified. */
  starttls(tlsOptions: ConnectionOptions): Promise<void> {
    const upgrade = (client: LdapClient) =>
      new Promise<void>((resolve, reject) => {
        client.starttls({ ...tlsOptions }, [], (err) => (err ? reject(new DirectoryFault('starttls', err)) : resolve()));
      });
    return this.race(Promise.all([upgrade(this.internals._adminClient), upgrade(this.internals._userClient)]).then(() => undefined));
  }

  /** Service bind, user search, user bind and group search, as ldapauth-fork does them. */
  authenticate(username: string, password: string): Promise<AuthOutcome> {
    const work = new Promise<AuthOutcome>((resolve, reject) => {
      this.auth.authenticate(username, password, (err, user?: LdapEntry) => {
        if (!err && user) {
          const groupEntries = (user as { _groups?: LdapEntry[] })._groups ?? [];
          return resolve({ kind: 'ok', user, groupEntries });
        }
        if (typeof err === 'string' && /^no such user/.test(err)) return resolve({ kind: 'unknown-user' });
        if (typeof err === 'string' && /^unexpected number of matches/.test(err)) {
          return resolve({ kind: 'ambiguous-user', detail: err });
        }
        if (err !== undefined && err !== null && err === this.userBindError) return resolve({ kind: 'refused', error: err });
        const step = this.userBindError === undefined ? 'service bind or user search' : 'group search';
        reject(new DirectoryFault(step, err ?? 'no user returned'));
      });
    });
    return this.race(work);
  }

  /** A search on the (already bound) service connection. */
  search(base: string, filter: string, attributes: string[]): Promise<LdapEntry[]> {
    const work = new Promise<LdapEntry[]>((resolve, reject) => {
      this.internals._search(base, { filter, scope: 'sub', attributes: [...attributes] }, (err, items) =>
        err ? reject(new DirectoryFault('group search', err)) : resolve(items ?? []),
      );
    });
    return this.race(work);
  }

  /**
   * A bind that must fail (a DN that does not exist, a random password), so that a refusal
   * without a user bind takes as long as one with. Its outcome is irrelevant.
   */
  equalisingBind(dn: string, password: string): Promise<void> {
    return this.race(new Promise<void>((resolve) => this.rawUserBind(dn, password, () => resolve()))).catch(() => {});
  }

  /** Drops both connections now. Idempotent. */
  destroy(): void {
    this.done = true;
    this.internals._adminClient.destroy();
    this.internals._userClient.destroy();
  }

  /**
   * Ends the login: drops both connections. ldapauth-fork's own close() sends an UnbindRequest on
   * each first; an LDAP client may end a connection by just closing it (RFC 4511 4.3 makes unbind
   * a courtesy with no answer), and skipping it saves two socket writes per login.
   */
  close(): void {
    if (this.done) return;
    this.destroy();
  }
}

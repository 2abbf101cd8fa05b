/**
 * LdapSession: one ldapauth-fork `LdapAuth`, used the way passport-ldapauth uses it, turned into
 * promises. It serves one login at a time; the connector may keep it between logins (pool.ts).
 *
 * - never shared by two logins at once: concurrent binds on one ldapauth-fork client can abandon
 *   each other's requests and leave callbacks unfired;
 * - a connection-level `error` event (refused, reset, TLS failure) rejects whatever is pending at
 *   once instead of waiting for a callback that may never come, and the session is never reused;
 * - kept for another login only when the last one ended cleanly and both sockets are still
 *   connected (`reusable()`); ldapauth-fork keeps the service bind, so the next login starts with
 *   the user search, and its user bind replaces the last one's;
 * - StartTLS is negotiated on both connections before anything else is sent (ldapauth-fork's own
 *   `starttls` queues the service bind right behind the StartTLS request, before TLS is up);
 * - every search filter goes out with its RFC 4515 escapes decoded (wire-filter.ts: ldapjs 3
 *   sends them undecoded), and every search is paged (PAGE_SIZE, ldapjs.ts: AD stops an unpaged
 *   search at 1,000 entries); continuation references are ignored, never followed;
 * - the user bind's error carries the server's diagnostic message (AD's sub-code), which
 *   ldapjs 3.0.7 alone drops (`bindWithDiagnostic`, ldapjs.ts);
 * - the user bind's own error is recognised by identity, so a refused user bind (a bad password)
 *   is never confused with a refused service bind (a fault);
 * - `destroy()` drops both sockets at once (after a deadline or a fault, or when the session is
 *   not kept; no UnbindRequests).
 *
 * It relies on ldapauth-fork 6.1.0 internals (`_adminClient`, `_userClient`, `_search`), which is
 * why package.json pins that version through `overrides`.
 */
import type { ConnectionOptions } from 'node:tls';
import LdapAuth from 'ldapauth-fork';
import type { Options as LdapAuthOptions } from 'ldapauth-fork';
import { DirectoryFault } from './fault.js';
import { FaultLatch } from './fault-latch.js';
import { bindWithDiagnostic, holdProcess, PAGED, pagedCallback, searchBaseDn, type Callback, type LdapClient } from './ldapjs.js';
import type { LdapEntry } from './options.js';
import { wireFilter } from './wire-filter.js';

export { DirectoryFault } from './fault.js';

interface Internals {
  _adminBound: boolean;
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

export class LdapSession {
  private readonly auth: LdapAuth;
  private readonly internals: Internals;
  private readonly rawUserBind: LdapClient['bind'];
  private readonly latch = new FaultLatch();
  private userBindError: unknown;
  private userBindSent = false;
  private tlsUp = false;
  private done = false;

  constructor(options: LdapAuthOptions) {
    this.auth = new LdapAuth(options);
    this.internals = this.auth as unknown as Internals;
    this.auth.on('error', (err: unknown) => this.latch.trip('connection', err));
    const adminClient = this.internals._adminClient;
    const rawSearch = adminClient.search.bind(adminClient);
    adminClient.search = (base, options, ...rest) => {
      const filter = typeof options.filter === 'string' ? wireFilter(options.filter) : options.filter;
      const last = rest.length - 1;
      if (typeof rest[last] === 'function') rest[last] = pagedCallback(rest[last] as Parameters<typeof pagedCallback>[0]);
      rawSearch(typeof base === 'string' ? searchBaseDn(base) : base, { ...options, filter, paged: PAGED }, ...rest);
    };
    const userClient = this.internals._userClient;
    this.rawUserBind = userClient.bind.bind(userClient);
    userClient.bind = (dn: string, password: string, cb: Callback) => {
      this.userBindSent = true;
      bindWithDiagnostic(userClient, dn, password, (err) => {
        if (err) this.userBindError = err;
        cb(err);
      }, this.rawUserBind);
    };
  }

  /** StartTLS on the service and the user connection; rejects if either cannot be verified. Once per session. */
  starttls(tlsOptions: ConnectionOptions): Promise<void> {
    if (this.tlsUp) return Promise.resolve();
    const upgrade = (client: LdapClient) =>
      new Promise<void>((resolve, reject) => {
        client.starttls({ ...tlsOptions }, [], (err) => (err ? reject(new DirectoryFault('starttls', err)) : resolve()));
      });
    return this.latch.guard(Promise.all([upgrade(this.internals._adminClient), upgrade(this.internals._userClient)]).then(() => void (this.tlsUp = true)));
  }

  /** Service bind (unless still bound from the last login), user search, user bind and group search, as ldapauth-fork does them. */
  authenticate(username: string, password: string): Promise<AuthOutcome> {
    this.userBindError = undefined;
    this.userBindSent = false;
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
        const step = this.userBindError === undefined && !this.userBindSent ? 'service bind or user search' : 'group search';
        reject(new DirectoryFault(step, err ?? 'no user returned'));
      });
    });
    return this.latch.guard(work);
  }

  /** A search on the (already bound) service connection; subtree unless `scope` says `base`. */
  search(base: string, filter: string, attributes: string[], scope: 'sub' | 'base' = 'sub'): Promise<LdapEntry[]> {
    const work = new Promise<LdapEntry[]>((resolve, reject) => {
      this.internals._search(base, { filter, scope, attributes: [...attributes] }, (err, items) =>
        err ? reject(new DirectoryFault('group search', err)) : resolve(items ?? []),
      );
    });
    return this.latch.guard(work);
  }

  /** One entry's attributes (a base search on the service connection), e.g. `tokenGroups`. */
  async readEntry(dn: string, attributes: string[]): Promise<LdapEntry | undefined> {
    return (await this.search(dn, '(objectClass=*)', attributes, 'base'))[0];
  }

  /**
   * A bind that must fail (a DN that does not exist, a random password), so that a refusal
   * without a user bind takes as long as one with. Its outcome is irrelevant.
   */
  equalisingBind(dn: string, password: string): Promise<void> {
    return this.latch.guard(new Promise<void>((resolve) => this.rawUserBind(dn, password, () => resolve()))).catch(() => {});
  }

  /**
   * True when the session can serve another login: no fault, not destroyed, the service account
   * still bound and both sockets connected.
   */
  reusable(): boolean {
    const { _adminClient: admin, _userClient: user, _adminBound: bound } = this.internals;
    return !this.done && !this.latch.tripped && bound && admin.connected === true && user.connected === true;
  }

  /**
   * True when a fault in the login now running may be retried on another session: no user bind
   * was sent yet, so a retry cannot count one password attempt twice.
   */
  mayRetry(): boolean {
    return !this.userBindSent;
  }

  /** Kept idle between logins: its sockets do not hold the process open. */
  idle(): void {
    holdProcess(this.internals._adminClient, false);
    holdProcess(this.internals._userClient, false);
  }

  busy(): void {
    holdProcess(this.internals._adminClient, true);
    holdProcess(this.internals._userClient, true);
  }

  /**
   * Drops both connections now, without UnbindRequests: an LDAP client may end a connection by
   * just closing it (RFC 4511 4.3 makes unbind a courtesy with no answer), and skipping them
   * saves two socket writes. Idempotent.
   */
  destroy(): void {
    if (this.done) return;
    this.done = true;
    this.internals._adminClient.destroy();
    this.internals._userClient.destroy();
  }
}

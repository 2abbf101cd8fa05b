/**
 * ServiceSession: one ldapjs connection bound as the service account, for reading a signed-in
 * user's entry and groups without their password (the group re-check before every mint).
 *
 * ldapauth-fork opens two connections per instance (service and user) as soon as it is built;
 * a lookup needs only the first, so it is done here on one connection, with the same search
 * as ldapauth-fork's: the same filter (RFC 4515-escaped, re-encoded for the wire), scope,
 * attributes and entry shape (one value as a string, several as an array).
 * - a connection `error` rejects whatever is pending at once, and the session is never reused;
 * - StartTLS, when configured, is verified before the bind; both happen once per session, and the
 *   connector keeps a session between lookups while it stays `reusable()` (pool.ts);
 * - every search is paged (PAGE_SIZE, ldapjs.ts), so more than AD's 1,000 groups still arrive;
 *   continuation references (a domain-root search on AD) are ignored, never followed;
 * - zero or several matching entries is `undefined`;
 * - `destroy()` drops the socket (after the caller's deadline or a fault, or when not kept).
 */
import type { ConnectionOptions } from 'node:tls';
import { renderFilter } from './filter.js';
import { FaultLatch } from './fault-latch.js';
import { holdProcess, ldapjs, PAGED, pagedCallback, searchBaseDn, type LdapClient } from './ldapjs.js';
import { attributeValues, loginAttributeOf, searchAttributes, type DirectorySettings, type LdapEntry } from './options.js';
import { DirectoryFault } from './fault.js';
import { wireFilter } from './wire-filter.js';

interface SearchEntry {
  pojo: { objectName: string; attributes: Array<{ type: string; values: string[] }> };
}
interface SearchResult {
  on(event: 'searchEntry', listener: (entry: SearchEntry) => void): void;
  on(event: 'error', listener: (err: Error) => void): void;
  on(event: 'end', listener: (result: { status: number }) => void): void;
  on(event: string, listener: (...args: unknown[]) => void): void;
}

export class ServiceSession {
  private readonly client: LdapClient;
  private readonly latch = new FaultLatch();
  private opened: Promise<void> | undefined;
  private bound = false;
  private destroyed = false;

  constructor(
    private readonly settings: DirectorySettings,
    private readonly tls: ConnectionOptions,
  ) {
    this.client = ldapjs.createClient({ url: settings.url, tlsOptions: { ...tls }, timeout: settings.timeoutMs, connectTimeout: settings.timeoutMs });
    this.client.on('error', (err) => this.latch.trip('connection', err));
    this.client.on('connectTimeout', (err) => this.latch.trip('connection', err));
  }

  /** StartTLS (if configured), then the service bind; once per session. */
  open(): Promise<void> {
    this.opened ??= this.connect().then(() => void (this.bound = true));
    return this.opened;
  }

  private connect(): Promise<void> {
    const { bindDN, bindCredentials } = this.settings;
    const bind = () =>
      new Promise<void>((resolve, reject) => {
        if (bindDN === undefined) return resolve();
        this.client.bind(bindDN, bindCredentials ?? '', (err) => (err ? reject(new DirectoryFault('service bind', err)) : resolve()));
      });
    if (!this.settings.starttls) return this.latch.guard(bind());
    const tls = new Promise<void>((resolve, reject) => this.client.starttls({ ...this.tls }, [], (err) => (err ? reject(new DirectoryFault('starttls', err)) : resolve())));
    return this.latch.guard(tls.then(bind));
  }

  /** The user's entry and direct groups (group search), or undefined for zero or several matches. */
  async lookup(username: string): Promise<{ user: LdapEntry; groupEntries: LdapEntry[] } | undefined> {
    const s = this.settings;
    const found = await this.search(s.searchBase, renderFilter(s.searchFilter, { username }), [...searchAttributes(s.searchFilter, s.usernameAttribute), 'dn'], 'user search');
    if (found.length !== 1) return undefined;
    const user = found[0]!;
    if (s.tokenGroups || !s.groupSearchBase || !s.groupSearchFilter) return { user, groupEntries: [] };
    const loginAttribute = loginAttributeOf(s);
    const filter = renderFilter(s.groupSearchFilter, { dn: user.dn, username: attributeValues(user, loginAttribute)[0] ?? '' });
    return { user, groupEntries: await this.search(s.groupSearchBase, filter, ['cn'], 'group search') };
  }

  /** A subtree search on the bound connection; entries shaped as ldapauth-fork shapes them. */
  search(base: string, filter: string, attributes: string[], step = 'group search', scope: 'sub' | 'base' = 'sub'): Promise<LdapEntry[]> {
    const work = new Promise<LdapEntry[]>((resolve, reject) => {
      const fail = (err: unknown) => reject(new DirectoryFault(step, err));
      this.client.search(searchBaseDn(base), { filter: wireFilter(filter), scope, attributes: [...attributes], paged: PAGED }, pagedCallback((err: Error | null, res: SearchResult) => {
        if (err) return fail(err);
        const items: LdapEntry[] = [];
        res.on('searchEntry', (entry) => {
          const pojo = entry.pojo;
          const item = Object.fromEntries(pojo.attributes.map((a) => [a.type, a.values.length === 1 ? a.values[0] : a.values])) as LdapEntry;
          item.dn = pojo.objectName;
          items.push(item);
        });
        res.on('error', fail);
        res.on('end', (result) => (result.status === 0 ? resolve(items) : fail(`non-zero status from LDAP search: ${result.status}`)));
      }));
    });
    return this.latch.guard(work);
  }

  /** One entry's attributes (a base search), e.g. `tokenGroups`. */
  async readEntry(dn: string, attributes: string[]): Promise<LdapEntry | undefined> {
    return (await this.search(dn, '(objectClass=*)', attributes, 'entry read', 'base'))[0];
  }

  /** True when the session can serve another lookup: bound, connected, no fault. */
  reusable(): boolean {
    return !this.destroyed && this.bound && !this.latch.tripped && this.client.connected === true;
  }

  /** A lookup sends no password, so a fault can always be retried on another session. */
  mayRetry(): boolean {
    return true;
  }

  idle(): void {
    holdProcess(this.client, false);
  }

  busy(): void {
    holdProcess(this.client, true);
  }

  /** Drops the connection. Idempotent. */
  destroy(): void {
    this.destroyed = true;
    this.client.destroy();
  }
}

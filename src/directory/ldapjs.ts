/**
 * The part of ldapjs 3 (CommonJS, no bundled types) that this folder uses, typed here once.
 * ldapjs is archived and can hang: every call through these types sits under a deadline.
 */
import { createRequire } from 'node:module';
import type { ConnectionOptions } from 'node:tls';
import { decodeBinaryAttributes } from './binary.js';

export type Callback = (err: Error | null) => void;

/** An ldapjs client, as used for ping and by ldapauth-fork. */
export interface LdapClient {
  bind(dn: string, password: string, callback: Callback): void;
  starttls(options: ConnectionOptions, controls: unknown[], callback: Callback): void;
  unbind(callback?: Callback): void;
  search(base: string | LdapDn, options: { filter?: string | LdapFilter } & Record<string, unknown>, ...rest: unknown[]): void;
  destroy(err?: Error): void;
  on(event: string, listener: (...args: unknown[]) => void): this;
  /** ldapjs sets this when the socket is up and clears it when the socket closes. */
  readonly connected?: boolean;
}

/** ldapjs keeps its socket in `_socket` (a net or TLS socket; null once closed). */
function socketOf(client: LdapClient): { ref(): unknown; unref(): unknown } | undefined {
  return (client as unknown as { _socket?: { ref(): unknown; unref(): unknown } | null })._socket ?? undefined;
}

/** Lets (false) or stops (true) an idle client's socket from keeping the process alive. */
export function holdProcess(client: LdapClient, hold: boolean): void {
  const socket = socketOf(client);
  if (hold) socket?.ref();
  else socket?.unref();
}

export interface ClientOptions {
  url: string;
  tlsOptions?: ConnectionOptions;
  timeout?: number;
  connectTimeout?: number;
}

/** A parsed search filter from @ldapjs/filter (only the fields the embedded server reads). */
export interface LdapFilter {
  type: string;
  attribute?: string;
  value?: string | Buffer;
  filters?: LdapFilter[];
  /** The inner filter of a NotFilter (on other types, the filter itself: never recurse on it). */
  filter?: LdapFilter;
  /** The sub-filters of and, or and not filters. */
  clauses?: LdapFilter[];
  initial?: string;
  any?: string[];
  final?: string;
  toString(): string;
}

export interface DnObject {
  toString(): string;
}

interface Connection {
  ldap: { bindDN: DnObject };
  remoteAddress?: string;
}

export interface BindRequest {
  dn: DnObject;
  credentials: string;
  connection: Connection;
}

export interface SearchRequest {
  dn: DnObject;
  /** 'base', 'single' or 'subtree'. */
  scopeName: string;
  filter: LdapFilter;
  attributes: string[];
  connection: Connection;
}

export interface LdapResponse {
  /**
   * Search only: the requested attributes, by which `send` drops every attribute whose
   * lower-cased name is not listed (so a request for `displayName` loses it). Set to `[]` after
   * projecting the entry yourself.
   */
  attributes?: string[];
  send(entry: { dn: string; attributes: Record<string, string[]> }, noFiltering?: boolean): void;
  end(status?: number): void;
}

export type Next = (err?: Error) => void;
type Handler<R> = (req: R, res: LdapResponse, next: Next) => void;

export interface LdapServer {
  bind(base: string, handler: Handler<BindRequest>): void;
  search(base: string, handler: Handler<SearchRequest>): void;
  listen(port: number, host: string, callback: () => void): void;
  close(callback?: () => void): void;
  address(): { port: number };
  on(event: string, listener: (...args: unknown[]) => void): this;
  /** The underlying net.Server (or tls.Server). */
  server: import('node:net').Server;
}

export type LdapErrorClass = new (message?: string) => Error;

/** ldapjs's parsed DN (@ldapjs/dn); opaque here. */
export interface LdapDn {
  toString(): string;
}

interface LdapJs {
  createClient(options: ClientOptions): LdapClient;
  parseDN(dn: string): LdapDn;
  parseFilter(filter: string): LdapFilter;
  createServer(options?: { certificate?: string | Buffer; key?: string | Buffer }): LdapServer;
  InvalidCredentialsError: LdapErrorClass;
  InsufficientAccessRightsError: LdapErrorClass;
  NoSuchObjectError: LdapErrorClass;
  UnwillingToPerformError: LdapErrorClass;
  ConstraintViolationError: LdapErrorClass;
}

const require = createRequire(import.meta.url);

export const ldapjs = require('ldapjs') as LdapJs;

/** An LDAPResult as @ldapjs/messages parses it (the fields read here). */
interface LdapResultMessage {
  status: number;
  diagnosticMessage?: string;
  matchedDN?: unknown;
}
type Send = (message: unknown, expect: unknown, emitter: unknown, callback: (err: Error | null, res?: LdapResultMessage) => void, bypass?: unknown) => unknown;
/** `expect` for ldapjs's `_send` that accepts every result code, so the result itself comes back. */
const ANY_RESULT = { indexOf: () => 0 };
const getError = (ldapjs as unknown as { getError(res: LdapResultMessage): Error }).getError;

/**
 * The error for a non-zero LDAP result, carrying the server's diagnostic message. ldapjs 3.0.7
 * builds its error text from `res.errorMessage`, which @ldapjs/messages no longer sets (it has
 * `diagnosticMessage`; upstream ldapjs/node-ldapjs#878), so Active Directory's
 * `… AcceptSecurityContext error, data 533, …` would otherwise be lost. An unknown code becomes
 * a plain Error with that `code` (ldapjs would throw on it).
 */
export function resultError(res: LdapResultMessage): Error {
  let err: Error & { lde_message?: string; code?: number };
  try {
    err = getError(res);
  } catch {
    err = Object.assign(new Error(`LDAP result ${res.status}`), { code: res.status });
  }
  if (res.diagnosticMessage) err.lde_message = res.diagnosticMessage;
  return err;
}

/**
 * A simple bind whose error (for a non-zero result) carries the server's diagnostic message
 * (see `resultError`). It asks ldapjs, for this one request, to hand back the result whatever
 * its code, then makes the error itself; everything else is ldapjs's own `bind`.
 */
export function bindWithDiagnostic(client: LdapClient, dn: string, password: string, callback: Callback, bind: LdapClient['bind'] = client.bind): void {
  const c = client as unknown as { _send: Send };
  const own = Object.prototype.hasOwnProperty.call(c, '_send');
  const previous = c._send;
  c._send = function (this: unknown, message, _expect, emitter, cb, bypass) {
    if (own) c._send = previous;
    else delete (c as Partial<typeof c>)._send;
    return previous.call(this, message, ANY_RESULT, emitter, (err, res) => {
      if (err) return cb(err);
      if (res && res.status !== 0) return cb(resultError(res));
      cb(null, res);
    }, bypass);
  };
  try {
    bind.call(client, dn, password, callback);
  } finally {
    if (c._send !== previous && !own) delete (c as Partial<typeof c>)._send;
    else if (own) c._send = previous;
  }
}

/**
 * Entries per page of a paged search (RFC 2696, control 1.2.840.113556.1.4.319). Active
 * Directory answers an unpaged search with at most MaxPageSize (1,000) entries, then "size limit
 * exceeded"; every search here asks for pages of this size instead, so a person in more groups
 * than that still signs in.
 */
export const PAGE_SIZE = 500;

/** `paged` search options for ldapjs: pages of PAGE_SIZE, fetched one after another. */
export const PAGED = Object.freeze({ pageSize: PAGE_SIZE, pagePause: false });

/**
 * A search callback for a paged search, for servers without paging too: ldapjs turns a final
 * result without a paged-results control into an `error` unless someone listens for
 * `pageError`; with this listener such a result ends the search normally (every entry had
 * already arrived on one page). Each entry's binary AD attributes (objectGUID, objectSid,
 * tokenGroups) are decoded to text before any other listener sees it (binary.ts).
 */
export function pagedCallback<R extends { on(event: string, listener: (...args: unknown[]) => void): unknown }>(cb: (err: Error | null, res: R) => void): (err: Error | null, res: R) => void {
  return (err, res) => {
    if (!err && res) {
      res.on('pageError', () => {});
      res.on('searchEntry', decodeBinaryAttributes);
    }
    cb(err, res);
  };
}

const parsedBases = new Map<string, LdapDn>();
const MAX_PARSED_BASES = 64;

/**
 * A search base as ldapjs's DN, parsed once: ldapjs parses a string base on every search, and
 * the bases are a few configured values (`searchBase`, `groupSearchBase`). Throws, as ldapjs
 * would, for a malformed DN.
 */
export function searchBaseDn(base: string): LdapDn {
  let dn = parsedBases.get(base);
  if (!dn) {
    dn = ldapjs.parseDN(base);
    if (parsedBases.size < MAX_PARSED_BASES) parsedBases.set(base, dn);
  }
  return dn;
}

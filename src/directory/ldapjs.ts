/**
 * The part of ldapjs 3 (CommonJS, no bundled types) that this folder uses, typed here once.
 * ldapjs is archived and can hang: every call through these types sits under a deadline.
 */
import { createRequire } from 'node:module';
import type { ConnectionOptions } from 'node:tls';

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

/**
 * store: where Gatehouse's state lives (accounts, users, groups, roles, policies, keys, login
 * profiles, MFA devices, console sign-in tokens). Domain code sees only the interfaces in
 * types.ts; `openStore` picks the adapter from the URL scheme, opens it and brings its schema
 * up to date.
 *
 * Flow: openStore(url) → driver (sql/sqlite.ts | sql/postgres.ts) → migrate (sql/migrations.ts)
 * → repositories written once over the driver (sql/*.ts) → Store. `store.transaction(fn)` hands
 * fn repositories bound to one transaction: all of fn's writes commit, or none do; inside fn,
 * use only those (the store's own repositories throw there rather than deadlock). Transactions
 * run one at a time on both adapters. Every write bumps the account's revision in its
 * transaction, once per transaction (bookkeeping writes excepted: key last use, password last
 * used, MFA time step, sign-in tokens). Both adapters pass test/store/conformance.ts.
 *
 * Imports: src/shared, node built-ins, better-sqlite3 and pg. Nothing above it.
 */
import { isAbsolute, resolve } from 'node:path';
import type { SqlDriver } from './sql/driver.js';
import { migrate } from './sql/migrations.js';
import { openPostgres } from './sql/postgres.js';
import { sqlStore } from './sql/repositories.js';
import { openSqlite } from './sql/sqlite.js';
import type { Store } from './types.js';

export * from './types.js';
export type { WriteHook } from './sql/write-hook.js';
export { chainHash, GENESIS_HASH } from './sql/audit-events.js';

export interface OpenStoreOptions {
  /** The data directory (config `dataDir`). The SQLite file's place comes from the URL, which
   * config already puts under it; the store creates the file's directory (0700) itself. */
  dataDir: string;
  /**
   * How long, in ms, `knownRevision` may reuse an account revision when no write was made
   * through this store: the bound for changes made by other processes or instances. Default 0
   * (read every time); the server passes `store.revocationBoundMs`.
   */
  revisionBoundMs?: number;
}

/** The file of `sqlite:PATH` (relative to the working directory), or `:memory:`. */
function sqliteFile(url: string): string {
  const path = url.slice('sqlite:'.length);
  if (path === '') throw new Error('store: sqlite URL without a path; expected sqlite:PATH or sqlite::memory:');
  return path === ':memory:' ? path : isAbsolute(path) ? path : resolve(process.cwd(), path);
}

/** `sqlite:PATH` (relative to the working directory) or `sqlite::memory:`. */
function sqliteDriver(url: string): SqlDriver {
  return openSqlite(sqliteFile(url));
}

/** The adapters, by URL scheme. */
const ADAPTERS: Readonly<Record<string, (url: string) => SqlDriver>> = {
  'sqlite:': sqliteDriver,
  'postgres:': openPostgres,
  'postgresql:': openPostgres,
};

/**
 * Opens the store named by `url` and applies pending migrations.
 * @throws Error for an unknown scheme, an unreachable database, or a schema newer than this code
 */
export async function openStore(url: string, options: OpenStoreOptions): Promise<Store> {
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0].toLowerCase();
  const adapter = scheme === undefined ? undefined : ADAPTERS[scheme];
  if (!adapter) throw new Error(`store: unsupported URL scheme in ${JSON.stringify(redact(url))}; expected sqlite:PATH or postgres://`);
  const driver = adapter(url);
  try {
    await migrate(driver);
  } catch (err) {
    await driver.close().catch(() => {});
    throw new Error(`store: cannot open ${redact(url)}: ${(err as Error).message}`, { cause: err });
  }
  const file = scheme === 'sqlite:' ? sqliteFile(url) : undefined;
  return sqlStore(driver, { revisionBoundMs: options.revisionBoundMs ?? 0, ...(file !== undefined && file !== ':memory:' && { file }) });
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

/**
 * The SQLite driver (better-sqlite3 12): one synchronous connection per process, WAL journal,
 * foreign keys on, a busy timeout for other processes sharing the file.
 *
 * Serialisation: better-sqlite3 runs each statement to completion, but a transaction's callback
 * is async, so other flows could otherwise slip statements into it. A FIFO mutex is held from
 * BEGIN IMMEDIATE to COMMIT/ROLLBACK; plain (root) calls run at once when the mutex is free and
 * otherwise queue behind it. Transactions therefore run one at a time, in arrival order.
 *
 * WAL checkpoints of a file database run on a worker thread (checkpointer.ts), never on a commit.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UniqueViolation } from '../types.js';
import { BACKSTOP_PAGES, startCheckpointer, type Checkpointer } from './checkpointer.js';
import { TxGuard, type Row, type SqlDriver, type SqlValue } from './driver.js';
import { keepAlive } from './keep-alive.js';
import { Mutex } from './mutex.js';

const BUSY_TIMEOUT_MS = 5000;
const UNIQUE_CODES = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/** Creates the directory (0700) and the file (0600) when absent; existing ones are left as they are. */
function createFile(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return;
    throw new Error(`sqlite: cannot create ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function mapError(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && UNIQUE_CODES.has(code)) return new UniqueViolation((err as Error).message, { cause: err });
  return err;
}

/** Opens `path` (absolute, or `:memory:`). */
export function openSqlite(path: string): SqliteDriver {
  if (path !== ':memory:') createFile(path);
  let db: Database.Database;
  try {
    db = keepAlive(new Database(path));
  } catch (err) {
    throw new Error(`sqlite: cannot open ${path}: ${(err as Error).message}`, { cause: err });
  }
  const mode = keepAlive(db.prepare('PRAGMA journal_mode = WAL')).pluck().get();
  if (path !== ':memory:' && mode !== 'wal') {
    db.close();
    throw new Error(`sqlite: ${path}: cannot switch to WAL journal mode (got ${String(mode)})`);
  }
  db.exec('PRAGMA foreign_keys = ON');
  db.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (path === ':memory:') return new SqliteDriver(db);
  db.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  return new SqliteDriver(db, startCheckpointer(path));
}

export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite';
  readonly #db: Database.Database;
  readonly #mutex = new Mutex();
  readonly #guard = new TxGuard();
  readonly #statements = new Map<string, Database.Statement>();
  readonly #checkpointer: Checkpointer | undefined;

  constructor(db: Database.Database, checkpointer?: Checkpointer) {
    this.#db = db;
    this.#checkpointer = checkpointer;
  }

  /** The journal mode in use (`wal` for files, `memory` for `:memory:`). */
  journalMode(): string {
    return String(this.#statement('PRAGMA journal_mode').pluck().get());
  }

  all<R extends Row>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    return this.#root(() => this.#all<R>(sql, params));
  }

  get<R extends Row>(sql: string, params: readonly SqlValue[] = []): Promise<R | undefined> {
    return this.#root(() => this.#all<R>(sql, params)[0]);
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    return this.#root(() => this.#run(sql, params));
  }

  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    this.#guard.assertOutside();
    await this.#mutex.lock();
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      let open = true;
      const tx = this.#bound(() => open);
      try {
        const result = await this.#guard.within(() => fn(tx));
        open = false;
        this.#db.exec('COMMIT');
        return result;
      } catch (err) {
        open = false;
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      this.#mutex.unlock();
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.get<{ one: number }>('SELECT 1 AS one'))?.one === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.#mutex.lock();
    try {
      await this.#checkpointer?.close();
      this.#db.close();
    } finally {
      this.#mutex.unlock();
    }
  }

  /** A driver bound to the open transaction: runs directly (the mutex is already held). */
  #bound(isOpen: () => boolean): SqlDriver {
    const check = () => {
      if (!isOpen()) throw new Error('sqlite: the transaction has already finished');
    };
    const tx: SqlDriver = {
      dialect: 'sqlite',
      all: async <R extends Row>(sql: string, params: readonly SqlValue[] = []) => (check(), this.#all<R>(sql, params)),
      get: async <R extends Row>(sql: string, params: readonly SqlValue[] = []) => (check(), this.#all<R>(sql, params)[0]),
      run: async (sql, params = []) => (check(), this.#run(sql, params)),
      transaction: async (fn) => (check(), fn(tx)),
      ping: async () => isOpen(),
      close: async () => {
        throw new Error('sqlite: close() called on a transaction');
      },
    };
    return tx;
  }

  /** Runs a root call now when no transaction is open, else after it. */
  async #root<T>(op: () => T): Promise<T> {
    this.#guard.assertOutside();
    if (this.#mutex.idle) return op();
    await this.#mutex.lock();
    try {
      return op();
    } finally {
      this.#mutex.unlock();
    }
  }

  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = keepAlive(this.#db.prepare(sql));
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #all<R>(sql: string, params: readonly SqlValue[]): R[] {
    try {
      return this.#statement(sql).all(...params) as R[];
    } catch (err) {
      throw mapError(err);
    }
  }

  #run(sql: string, params: readonly SqlValue[]): { changes: number } {
    try {
      return { changes: this.#statement(sql).run(...params).changes };
    } catch (err) {
      throw mapError(err);
    }
  }
}

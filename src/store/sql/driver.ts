/**
 * SqlDriver: the few calls the repositories need from a database, so they are written once for
 * SQLite and PostgreSQL. SQL uses `?` placeholders (never put a `?` inside a string literal);
 * the PostgreSQL driver rewrites them to `$1…`.
 *
 * A driver passed to a `transaction` callback is bound to that transaction; calling
 * `transaction` on it runs the callback in the same transaction (no savepoint), so a nested
 * throw that the outer callback catches does not undo the nested writes.
 *
 * Using the store's own (root) driver from inside a transaction would wait for that very
 * transaction (SQLite) or for its locks (PostgreSQL): TxGuard makes that a loud error instead
 * of a deadlock.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type Dialect = 'sqlite' | 'postgres';

/** A bound parameter: what both drivers accept. Booleans are stored as 0/1. */
export type SqlValue = string | number | null;

export type Row = Record<string, unknown>;

export interface SqlDriver {
  readonly dialect: Dialect;
  all<R extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  get<R extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<R | undefined>;
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
  /** Runs fn in one transaction: commit when it resolves, roll back when it throws. */
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  /** Whether the database answers. Never throws. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Marks the async flow of an open transaction, so a root call made from inside it fails loudly.
 * A development guard: AsyncLocalStorage puts a hook on every promise, so with
 * NODE_ENV=production it is off (such a call would then wait for the transaction instead).
 */
export class TxGuard {
  readonly #current = new AsyncLocalStorage<{ open: boolean }>();
  readonly #enabled = process.env.NODE_ENV !== 'production';

  /** Runs fn marked as inside a transaction; the mark is lifted when fn settles. */
  async within<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.#enabled) return fn();
    const mark = { open: true };
    try {
      return await this.#current.run(mark, fn);
    } finally {
      mark.open = false;
    }
  }

  /** Throws when called from inside an open transaction of this driver. */
  assertOutside(): void {
    if (this.#enabled && this.#current.getStore()?.open) {
      throw new Error('store: the root repositories were used inside a transaction; use the repositories passed to the transaction callback');
    }
  }
}

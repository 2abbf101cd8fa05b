/**
 * The PostgreSQL driver (pg 8): a pool; each transaction checks out one client.
 *
 * - `?` placeholders become `$1…` (a `?` inside a quoted literal is left alone).
 * - BIGINT (INT8, also COUNT(*)) is parsed to a number, for this pool only.
 * - Unique violations (SQLSTATE 23505) become UniqueViolation; every other error, connection
 *   errors included, propagates unchanged.
 * - Transactions take a transaction-scoped advisory lock (one per schema) right after BEGIN, so
 *   they run one at a time across every instance, as on SQLite: a read-modify-write inside a
 *   transaction never loses an update. Plain calls (reads, single-row bookkeeping) do not take it.
 */
import pg from 'pg';
import { UniqueViolation } from '../types.js';
import { TxGuard, type Row, type SqlDriver, type SqlValue } from './driver.js';

const INT8_OID = 20;
const UNIQUE_VIOLATION = '23505';
/** Advisory-lock class for Gatehouse transactions (the second key is the schema's hash). */
const LOCK_CLASS = 74_683;
const BEGIN = `BEGIN; SELECT pg_advisory_xact_lock(${LOCK_CLASS}, hashtext(coalesce(current_schema(), '')))`;

const types = {
  // Epoch milliseconds and counts are far below 2^53.
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

const positional = new Map<string, string>();

/** Rewrites `?` to `$1…`, outside single-quoted literals. */
export function toPositional(sql: string): string {
  let out = positional.get(sql);
  if (out !== undefined) return out;
  let n = 0;
  let quoted = false;
  out = '';
  for (const ch of sql) {
    if (ch === "'") quoted = !quoted;
    out += ch === '?' && !quoted ? `$${++n}` : ch;
  }
  positional.set(sql, out);
  return out;
}

async function query<R extends Row>(on: pg.Pool | pg.PoolClient, sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult<R>> {
  try {
    return await on.query<R>(toPositional(sql), params as SqlValue[]);
  } catch (err) {
    if ((err as { code?: unknown }).code === UNIQUE_VIOLATION) {
      const detail = (err as pg.DatabaseError).detail;
      throw new UniqueViolation(`${(err as Error).message}${detail ? ` (${detail})` : ''}`, { cause: err });
    }
    throw err;
  }
}

/** Opens a pool on a `postgres://` URL; nothing connects until the first query. */
export function openPostgres(url: string): PostgresDriver {
  const pool = new pg.Pool({ connectionString: url, types, connectionTimeoutMillis: 5000 });
  // An idle client that loses its connection is discarded by the pool; the next query
  // reconnects, or fails with its own error. Without a listener the error would crash the process.
  pool.on('error', () => {});
  return new PostgresDriver(pool);
}

export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres';
  readonly #pool: pg.Pool;
  readonly #guard = new TxGuard();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async all<R extends Row>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    this.#guard.assertOutside();
    return (await query<R>(this.#pool, sql, params)).rows;
  }

  async get<R extends Row>(sql: string, params: readonly SqlValue[] = []): Promise<R | undefined> {
    return (await this.all<R>(sql, params))[0];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<{ changes: number }> {
    this.#guard.assertOutside();
    return { changes: (await query(this.#pool, sql, params)).rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
    this.#guard.assertOutside();
    const client = await this.#pool.connect();
    let open = true;
    try {
      await client.query(BEGIN);
      const result = await this.#guard.within(() => fn(bound(client, () => open)));
      open = false;
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (err) {
      open = false;
      await client.query('ROLLBACK').then(
        () => client.release(),
        (rollbackError: unknown) => client.release(rollbackError instanceof Error ? rollbackError : true),
      );
      throw err;
    }
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.#pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one === 1;
    } catch {
      return false;
    }
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}

/** A driver bound to one client inside an open transaction. */
function bound(client: pg.PoolClient, isOpen: () => boolean): SqlDriver {
  const check = () => {
    if (!isOpen()) throw new Error('postgres: the transaction has already finished');
  };
  const tx: SqlDriver = {
    dialect: 'postgres',
    all: async <R extends Row>(sql: string, params: readonly SqlValue[] = []) => (check(), (await query<R>(client, sql, params)).rows),
    get: async <R extends Row>(sql: string, params: readonly SqlValue[] = []) => (check(), (await query<R>(client, sql, params)).rows[0]),
    run: async (sql, params = []) => (check(), { changes: (await query(client, sql, params)).rowCount ?? 0 }),
    transaction: async (fn) => (check(), fn(tx)),
    ping: async () => isOpen(),
    close: async () => {
      throw new Error('postgres: close() called on a transaction');
    },
  };
  return tx;
}

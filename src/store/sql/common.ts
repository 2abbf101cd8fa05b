/**
 * Helpers shared by the SQL repositories: keyset pages, markers, the revision bump, owner
 * tables, partial updates and JSON columns.
 */
import type { OwnerKind, Page, PageRequest, Tag } from '../types.js';
import type { Row, SqlDriver, SqlValue } from './driver.js';

/** The entity table of each owner kind (names are interpolated only from this table). */
export const OWNER_TABLES: Readonly<Record<OwnerKind, string>> = { user: 'users', group: 'groups', role: 'roles' };

export const lower = (name: string): string => name.toLowerCase();

export const toJson = (value: unknown): string => JSON.stringify(value);
export const tagsOf = (text: string): Tag[] => JSON.parse(text) as Tag[];

/** The accounts already bumped by each open transaction (keyed by its bound driver). */
const bumped = new WeakMap<SqlDriver, Set<string>>();

/**
 * Bumps the account's change counter; call inside the transaction of the write. Once per
 * account per transaction is enough (its writes become visible together), and it keeps a bulk
 * transaction from updating one row thousands of times, which PostgreSQL handles badly.
 */
export async function bump(tx: SqlDriver, accountId: string): Promise<void> {
  let accounts = bumped.get(tx);
  if (accounts?.has(accountId)) return;
  await tx.run('UPDATE accounts SET revision = revision + 1 WHERE id = ?', [accountId]);
  if (!accounts) bumped.set(tx, (accounts = new Set()));
  accounts.add(accountId);
}

/** The account of a row of `table` (a constant), or undefined when the row is absent. */
export async function accountOf(tx: SqlDriver, table: string, id: string): Promise<string | undefined> {
  return (await tx.get<{ account_id: string }>(`SELECT account_id FROM ${table} WHERE id = ?`, [id]))?.account_id;
}

/** Like accountOf, but a missing row is a caller bug: the IAM layer checks existence first. */
export async function requireAccountOf(tx: SqlDriver, table: string, id: string): Promise<string> {
  const accountId = await accountOf(tx, table, id);
  if (accountId === undefined) throw new Error(`store: no row ${id} in ${table}`);
  return accountId;
}

/** `SET a = ?, b = ?` for the fields whose value is not undefined; undefined when there are none. */
export function setClause(fields: Record<string, SqlValue | undefined>): { sql: string; params: SqlValue[] } | undefined {
  const entries = Object.entries(fields).filter((e): e is [string, SqlValue] => e[1] !== undefined);
  if (entries.length === 0) return undefined;
  return { sql: `SET ${entries.map(([column]) => `${column} = ?`).join(', ')}`, params: entries.map(([, value]) => value) };
}

export const encodeMarker = (key: string): string => Buffer.from(key, 'utf8').toString('base64url');
export const decodeMarker = (marker: string): string => Buffer.from(marker, 'base64url').toString('utf8');

export interface KeysetQuery {
  /** `SELECT … FROM … [JOIN …]`, without WHERE. */
  select: string;
  where: string[];
  params: SqlValue[];
  /** The indexed sort column, e.g. `u.name_lower`. */
  key: string;
  /** The result column holding the sort key, e.g. `name_lower`. */
  keyField: string;
  /** The path column PathPrefix filters on; absent when the entity has no path. */
  pathColumn?: string;
}

/**
 * One page: rows after the marker in key order, LIMIT n+1 to learn whether more follow, so the
 * cost is the page size (plus rows skipped by a PathPrefix filter). The prefix test is
 * `substr(path, 1, n) = prefix`: exact and case-sensitive on both adapters, no escaping needed.
 */
export async function keysetPage<R extends Row, T>(db: SqlDriver, query: KeysetQuery, page: PageRequest, map: (row: R) => T): Promise<Page<T>> {
  if (!Number.isInteger(page.limit) || page.limit < 1 || page.limit > 1000) throw new RangeError(`store: page limit must be 1-1000, got ${page.limit}`);
  const where = [...query.where];
  const params = [...query.params];
  const prefix = page.pathPrefix;
  if (query.pathColumn && prefix !== undefined && prefix !== '/') {
    where.push(`substr(${query.pathColumn}, 1, ?) = ?`);
    params.push(prefix.length, prefix);
  }
  if (page.after !== undefined) {
    where.push(`${query.key} > ?`);
    params.push(decodeMarker(page.after));
  }
  const sql = `${query.select} WHERE ${where.join(' AND ')} ORDER BY ${query.key} LIMIT ?`;
  const rows = await db.all<R>(sql, [...params, page.limit + 1]);
  if (rows.length <= page.limit) return { items: rows.map(map) };
  const items = rows.slice(0, page.limit);
  return { items: items.map(map), marker: encodeMarker(String(items[items.length - 1]![query.keyField])) };
}

export async function countOf(db: SqlDriver, sql: string, params: SqlValue[]): Promise<number> {
  return (await db.get<{ n: number }>(sql, params))?.n ?? 0;
}

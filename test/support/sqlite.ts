/**
 * A better-sqlite3 connection for tests that look inside a database file, whose statements are
 * kept for the life of the process (src/store/sql/keep-alive.ts: on Node 24 a collected
 * better-sqlite3 12 statement aborts the process, test runners included).
 */
import Database from 'better-sqlite3';
import { keepAlive } from '../../src/store/sql/keep-alive.js';

export function rawDatabase(file: string, options?: Database.Options): Database.Database {
  const db = keepAlive(new Database(file, options));
  const prepare = db.prepare.bind(db);
  db.prepare = ((sql: string) => keepAlive(prepare(sql))) as typeof db.prepare;
  db.pragma = ((source: string, opts?: Database.PragmaOptions) => {
    const statement = db.prepare(`PRAGMA ${source}`);
    return opts?.simple ? statement.pluck().get() : statement.all();
  }) as typeof db.pragma;
  return db;
}

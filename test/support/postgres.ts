/**
 * A throwaway PostgreSQL schema for one test file. The server comes from TEST_DATABASE_URL
 * (default postgres://postgres@127.0.0.1:5432/test). `scratchSchema` creates a fresh schema at
 * import time and says whether the server was reachable: a suite skips with `skip` when it was
 * not, except with CI=true, where `skip` is false and the suite's `before` should call
 * `requireReachable()` so that a missing PostgreSQL is a failure.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** host:port of the test server, for messages. */
export const postgresWhere = (() => {
  const u = new URL(POSTGRES_URL);
  return `${u.hostname}:${u.port || '5432'}`;
})();

/** Runs one statement on its own connection; resolves to the error message when it fails. */
export async function adminQuery(sql: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query(sql);
    return undefined;
  } catch (err) {
    return (err as Error).message || String((err as { code?: unknown }).code ?? err);
  } finally {
    await client.end().catch(() => {});
  }
}

export interface ScratchSchema {
  name: string;
  /** Why PostgreSQL could not be used, or undefined when the schema exists. */
  unreachable: string | undefined;
  /** The `skip` option for a suite: a reason, or false (always false with CI=true). */
  skip: string | false;
  /** A connection URL whose search_path is this schema. */
  url: string;
  /** Fails the suite when PostgreSQL was unreachable (call it in `before`). */
  requireReachable(): void;
  /** Drops the schema; resolves to the error message when that fails. */
  drop(): Promise<string | undefined>;
}

/** Creates `<prefix>_<random>` now (top-level await in the test file). */
export async function scratchSchema(prefix: string): Promise<ScratchSchema> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const unreachable = await adminQuery(`CREATE SCHEMA ${name}`);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${name}`);
  return {
    name,
    unreachable,
    skip: unreachable === undefined || process.env.CI === 'true' ? false : `PostgreSQL not reachable at ${postgresWhere}: ${unreachable}`,
    url: url.toString(),
    requireReachable: () => assert.equal(unreachable, undefined, `CI=true requires PostgreSQL at ${postgresWhere} (TEST_DATABASE_URL): ${unreachable}`),
    drop: () => adminQuery(`DROP SCHEMA ${name} CASCADE`),
  };
}

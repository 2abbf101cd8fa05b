/**
 * The conformance suite on PostgreSQL, in a fresh schema per run (dropped at the end). The
 * server comes from TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test. When it
 * is unreachable the suite is skipped, saying why; with CI=true that is a failure instead.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/store/index.js';
import { storeConformance } from './conformance.js';

const baseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const where = (() => {
  const u = new URL(baseUrl);
  return `${u.hostname}:${u.port || '5432'}`;
})();
const schema = `gh_test_${randomBytes(6).toString('hex')}`;

/** Runs one statement on its own connection; resolves to the error message when unreachable. */
async function admin(sql: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: baseUrl, connectionTimeoutMillis: 3000 });
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

const unreachable = await admin(`CREATE SCHEMA ${schema}`);

if (unreachable === undefined) {
  after(async () => {
    const failed = await admin(`DROP SCHEMA ${schema} CASCADE`);
    if (failed) throw new Error(`cannot drop test schema ${schema}: ${failed}`);
  });
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  storeConformance('postgres', (options) => openStore(url.toString(), { dataDir: '.', ...options }));

  describe('postgres store', () => {
    it('opens an already-migrated schema without re-running migrations', async () => {
      const store = await openStore(url.toString(), { dataDir: '.' });
      assert.equal(store.kind, 'postgres');
      assert.equal(await store.ping(), true);
      await store.close();
    });

  });
} else if (process.env.CI === 'true') {
  it('PostgreSQL is reachable (required when CI=true)', () => {
    assert.fail(`CI=true requires PostgreSQL at ${where} (TEST_DATABASE_URL): ${unreachable}`);
  });
} else {
  // A skipped test (not a skipped suite), so the runner's summary counts it as skipped.
  it('store conformance: postgres', { skip: `PostgreSQL not reachable at ${where}: ${unreachable}` }, () => {});
}

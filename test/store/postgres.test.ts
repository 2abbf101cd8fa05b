/**
 * The conformance suite on PostgreSQL, in a fresh schema per run (dropped at the end). The
 * server comes from TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test. When it
 * is unreachable the suite is skipped, saying why; with CI=true that is a failure instead.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { postgresWhere, scratchSchema } from '../support/postgres.js';
import { storeConformance } from './conformance.js';

const pgSchema = await scratchSchema('gh_test');
const { unreachable } = pgSchema;
const where = postgresWhere;

if (unreachable === undefined) {
  after(async () => {
    const failed = await pgSchema.drop();
    if (failed) throw new Error(`cannot drop test schema ${pgSchema.name}: ${failed}`);
  });
  const url = pgSchema.url;
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

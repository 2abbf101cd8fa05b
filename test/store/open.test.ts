/** openStore: the adapter table, URL checks, and error messages that never show a password. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/index.js';
import { openPostgres } from '../../src/store/sql/postgres.js';

describe('openStore', () => {
  it('refuses an unknown scheme and a sqlite URL without a path', async () => {
    await assert.rejects(openStore('mysql://localhost/db', { dataDir: '.' }), /unsupported URL scheme in "mysql:\/\/localhost\/db"/);
    await assert.rejects(openStore('gatehouse.db', { dataDir: '.' }), /unsupported URL scheme/);
    await assert.rejects(openStore('sqlite:', { dataDir: '.' }), /sqlite URL without a path/);
  });

  it('fails to open an unreachable PostgreSQL, naming it without its password', async () => {
    const err = await openStore('postgresql://gatehouse:hunter2@127.0.0.1:1/gh', { dataDir: '.' }).then(
      () => assert.fail('opened'),
      (e: unknown) => e as Error,
    );
    assert.match(err.message, /^store: cannot open postgresql:\/\/gatehouse:\*\*\*@127\.0\.0\.1:1\/gh: /);
    assert.doesNotMatch(err.message, /hunter2/);
    assert.equal((err.cause as { code?: string }).code, 'ECONNREFUSED');
  });

  it('answers ping with false, not an error, when PostgreSQL is down', async () => {
    const driver = openPostgres('postgres://postgres@127.0.0.1:1/test');
    assert.equal(await driver.ping(), false);
    await driver.close();
  });
});

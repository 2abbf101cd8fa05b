/**
 * The conformance suite on SQLite (a temp file), plus what only SQLite has: WAL mode, file
 * and directory modes, migrations on reopen, the refusal of a newer schema, and query plans
 * that page by index.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { rawDatabase } from '../support/sqlite.js';
import { openStore } from '../../src/store/index.js';
import { migrate, MIGRATIONS } from '../../src/store/sql/migrations.js';
import { openSqlite } from '../../src/store/sql/sqlite.js';
import { tempDir } from '../support/files.js';
import { storeConformance } from './conformance.js';
import { newAccount, user } from './fixtures.js';

const tmp = tempDir();
after(() => tmp.cleanup());

storeConformance('sqlite', (options) => openStore(`sqlite:${join(tmp.dir, 'conformance', 'gatehouse.db')}`, { dataDir: tmp.dir, ...options }));

describe('sqlite store', () => {
  it('creates the directory 0700 and the file 0600, in WAL mode with foreign keys', async () => {
    const dir = join(tmp.dir, 'fresh', 'data');
    const file = join(dir, 'gatehouse.db');
    const store = await openStore(`sqlite:${file}`, { dataDir: dir });
    await store.users.count('000000000000');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(`${file}-wal`).mode & 0o777, 0o600);
    const raw = rawDatabase(file, { readonly: true });
    try {
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      assert.deepEqual(raw.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all(), MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    } finally {
      raw.close();
    }
    await store.close();
  });

  it('resolves a relative path against the working directory', async () => {
    const cwd = process.cwd();
    process.chdir(tmp.dir);
    try {
      const store = await openStore('sqlite:./rel/here.db', { dataDir: './rel' });
      await store.close();
    } finally {
      process.chdir(cwd);
    }
    assert.ok(statSync(join(tmp.dir, 'rel', 'here.db')).isFile());
  });

  it('keeps data across reopening and does not re-run migrations', async () => {
    const file = join(tmp.dir, 'reopen.db');
    const first = await openStore(`sqlite:${file}`, { dataDir: tmp.dir });
    const account = await newAccount(first);
    await first.users.create(user(account, 'persisted'));
    await first.close();
    const second = await openStore(`sqlite:${file}`, { dataDir: tmp.dir });
    assert.equal((await second.users.get(account, 'PERSISTED'))?.name, 'persisted');
    await second.close();
    const raw = rawDatabase(file, { readonly: true });
    assert.deepEqual(raw.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get(), { n: MIGRATIONS.length });
    raw.close();
  });

  it('migration 3 dates existing console passwords from their profile and starts their history empty', async () => {
    const file = join(tmp.dir, 'v2.db');
    const driver = openSqlite(file);
    await migrate(driver, MIGRATIONS.filter((m) => m.version <= 2));
    await driver.run("INSERT INTO accounts (id, alias, password_policy, created_at, revision) VALUES ('111122223333', NULL, NULL, 5, 1)");
    await driver.run("INSERT INTO users (id, account_id, name, name_lower, path, permissions_boundary, tags, created_at, password_last_used) VALUES ('AIDAV2USER0000000000', '111122223333', 'old', 'old', '/', NULL, '[]', 5, NULL)");
    await driver.run("INSERT INTO login_profiles (user_id, password_hash, reset_required, created_at) VALUES ('AIDAV2USER0000000000', '$argon2id$old', 0, 1234)");
    await driver.close();
    const store = await openStore(`sqlite:${file}`, { dataDir: tmp.dir });
    assert.deepEqual(await store.loginProfiles.get('AIDAV2USER0000000000'), {
      userId: 'AIDAV2USER0000000000', passwordHash: '$argon2id$old', resetRequired: false, createdAt: 1234, passwordChangedAt: 1234, previousHashes: [],
    });
    await store.close();
  });

  it('refuses a database whose schema is newer than the code', async () => {
    const file = join(tmp.dir, 'newer.db');
    await (await openStore(`sqlite:${file}`, { dataDir: tmp.dir })).close();
    const raw = rawDatabase(file);
    raw.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)").run();
    raw.close();
    const latest = MIGRATIONS.at(-1)!.version;
    await assert.rejects(openStore(`sqlite:${file}`, { dataDir: tmp.dir }), new RegExp(`schema is at version 99, newer than this Gatehouse knows \\(${latest}\\)`));
  });

  it('applies a migration wholly or not at all', async () => {
    const driver = openSqlite(':memory:');
    const good = { version: 1, name: 'one', up: { sqlite: ['CREATE TABLE one (x INTEGER)'], postgres: [] } };
    const bad = { version: 2, name: 'two', up: { sqlite: ['CREATE TABLE two (x INTEGER)', 'CREATE TABLE one (x INTEGER)'], postgres: [] } };
    await assert.rejects(migrate(driver, [good, bad]), /table one already exists/);
    assert.deepEqual(await driver.all("SELECT name FROM sqlite_master WHERE name IN ('one', 'two', 'schema_migrations')"), []);
    assert.deepEqual(await migrate(driver, [good]), [1]);
    assert.deepEqual(await migrate(driver, [good]), []);
    assert.deepEqual(await driver.all('SELECT version, name FROM schema_migrations'), [{ version: 1, name: 'one' }]);
    await driver.close();
  });

  it('works in memory', async () => {
    const store = await openStore('sqlite::memory:', { dataDir: tmp.dir });
    assert.equal(store.kind, 'sqlite');
    assert.equal(await store.ping(), true);
    await store.close();
  });

  it('pages by index, never sorting the whole table', async () => {
    const file = join(tmp.dir, 'conformance', 'gatehouse.db');
    const raw = rawDatabase(file, { readonly: true });
    const plan = (sql: string, ...params: unknown[]) =>
      (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail).join(' | ');
    try {
      const queries = [
        'SELECT * FROM users WHERE account_id = ? AND name_lower > ? ORDER BY name_lower LIMIT ?',
        'SELECT * FROM groups WHERE account_id = ? ORDER BY name_lower LIMIT ?',
        'SELECT * FROM roles WHERE account_id = ? AND substr(path, 1, ?) = ? ORDER BY name_lower LIMIT ?',
        'SELECT u.* FROM group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = ? AND m.user_name_lower > ? ORDER BY m.user_name_lower LIMIT ?',
        'SELECT * FROM managed_policies WHERE account_id = ? AND attachment_count > 0 ORDER BY name_lower LIMIT ?',
        'SELECT * FROM mfa_devices WHERE account_id = ? AND serial > ? ORDER BY serial LIMIT ?',
      ];
      for (const sql of queries) {
        const params = Array.from(sql.matchAll(/\?/g), () => 1);
        const detail = plan(sql, ...params);
        assert.match(detail, /USING (COVERING )?INDEX/, `${sql}: ${detail}`);
        assert.doesNotMatch(detail, /TEMP B-TREE|SCAN/, `${sql}: ${detail}`);
      }
    } finally {
      raw.close();
    }
  });
});

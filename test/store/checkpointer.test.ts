/**
 * WAL checkpoints on a worker thread (src/store/sql/checkpointer.ts): the main connection's
 * commits no longer copy WAL pages into the database file; the worker does, and a last time on
 * close. Observed through the database file itself, which only grows when a checkpoint copies
 * pages into it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { rawDatabase } from '../support/sqlite.js';
import { BACKSTOP_PAGES, startCheckpointer } from '../../src/store/sql/checkpointer.js';
import { openSqlite } from '../../src/store/sql/sqlite.js';
import { SqliteSessionStore } from '../../src/web/session-store.js';
import { tempDir } from '../support/files.js';

function walDatabase(file: string): Database.Database {
  const db = rawDatabase(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  db.exec('CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  return db;
}

function write(db: Database.Database, rows: number): void {
  const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
  for (let i = 0; i < rows; i++) insert.run('x'.repeat(500));
}

describe('WAL checkpointer', () => {
  it('copies committed pages into the database file from its own thread; without it they stay in the WAL', async () => {
    const tmp = tempDir();
    try {
      const without = walDatabase(join(tmp.dir, 'without.db'));
      const withIt = walDatabase(join(tmp.dir, 'with.db'));
      const checkpointer = startCheckpointer(join(tmp.dir, 'with.db'), { everyMs: 50 });
      write(without, 2000);
      write(withIt, 2000);
      // The worker may have copied part of it while the writes went on: wait for the rest.
      for (let i = 0; i < 100 && statSync(join(tmp.dir, 'with.db')).size <= 1_000_000; i++) await sleep(50);
      assert.ok(statSync(join(tmp.dir, 'with.db')).size > 1_000_000, 'the worker checkpointed about 1 MB into the database file');
      assert.ok(statSync(join(tmp.dir, 'without.db')).size < 100_000, 'below the backstop, nothing on the main thread checkpointed');
      assert.equal((withIt.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 2000);
      await checkpointer.close();
      await checkpointer.close(); // idempotent
      without.close();
      withIt.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('close() makes a last checkpoint: rows written just before are in the database file', async () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'last.db');
      const db = walDatabase(file);
      const checkpointer = startCheckpointer(file, { everyMs: 60_000 });
      write(db, 1000);
      const before = statSync(file).size;
      await checkpointer.close();
      assert.ok(statSync(file).size > before + 400_000, `${before} → ${statSync(file).size}`);
      db.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('reports a checkpoint error instead of dying silently (a file that is not a database)', async () => {
    const tmp = tempDir();
    try {
      const file = tmp.write('not-a-db', 'this is not an SQLite file, just text '.repeat(200));
      const errors: string[] = [];
      const checkpointer = startCheckpointer(file, { everyMs: 20, onError: (m) => errors.push(m) });
      for (let i = 0; i < 100 && errors.length === 0; i++) await sleep(20);
      assert.ok(errors.length > 0 && /not a database|file is not/i.test(errors[0]!), errors.join('; '));
      await checkpointer.close();
    } finally {
      tmp.cleanup();
    }
  });

  it('never keeps the process alive: a process that forgets close() still exits', () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'forgotten.db');
      walDatabase(file).close();
      const module = new URL('../../src/store/sql/checkpointer.ts', import.meta.url).href;
      // A script file, not -e: on Node 22 only a main module run from a file showed the hang.
      const script = tmp.write(
        'forget.mts',
        [
          `import { startCheckpointer } from ${JSON.stringify(module)};`,
          `startCheckpointer(${JSON.stringify(file)}, { everyMs: 20, onError: () => {} });`,
          `setTimeout(() => console.log('done'), 100);`,
        ].join('\n'),
      );
      const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 15_000, cwd: new URL('../..', import.meta.url).pathname });
      assert.equal(child.signal, null, 'killed by the timeout: the worker kept the process alive');
      assert.equal(child.status, 0, child.stderr);
      assert.equal(child.stdout.trim(), 'done');
    } finally {
      tmp.cleanup();
    }
  });

  it('the store driver and the session store close cleanly with it, and their data stays', async () => {
    const tmp = tempDir();
    try {
      const file = join(tmp.dir, 'store.db');
      const driver = openSqlite(file);
      await driver.run('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)');
      await driver.run('INSERT INTO kv VALUES (?, ?)', ['a', '1']);
      await driver.close();
      const again = openSqlite(file);
      assert.deepEqual(await again.get('SELECT v FROM kv WHERE k = ?', ['a']), { v: '1' });
      await again.close();

      const sessions = new SqliteSessionStore(join(tmp.dir, 'sessions.db'));
      await new Promise<void>((resolve, reject) => sessions.set('sid-1', { cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000) } } as never, (err) => (err ? reject(err as Error) : resolve())));
      await sessions.close();
      const reopened = new SqliteSessionStore(join(tmp.dir, 'sessions.db'));
      const got = await new Promise((resolve, reject) => reopened.get('sid-1', (err, s) => (err ? reject(err as Error) : resolve(s))));
      assert.ok(got, 'the session survived close and reopen');
      await reopened.close();
    } finally {
      tmp.cleanup();
    }
  });
});

/**
 * The SQLite session store: the file is the owner's alone (it holds console credentials'
 * tokens), sessions expire server-side, and the sweep removes expired rows.
 */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type session from 'express-session';
import { openSessionStore, SqliteSessionStore } from '../../src/web/session-store.js';
import { silentLogger } from '../../src/shared/logger.js';
import { tempDir } from '../support/files.js';

const call = <T>(fn: (cb: (err?: unknown, v?: T) => void) => void) => new Promise<T | undefined>((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));
const data = (expiresInMs: number) => ({ cookie: { expires: new Date(Date.now() + expiresInMs), originalMaxAge: expiresInMs }, flash: { kind: 'notice', text: 'hi' } }) as unknown as session.SessionData;

describe('SQLite session store', () => {
  const tmp = tempDir();
  after(() => tmp.cleanup());

  it('creates sessions.db with mode 0600 and round-trips, expires and sweeps sessions', async () => {
    const handle = await openSessionStore('sqlite', tmp.dir, silentLogger);
    try {
      assert.equal(statSync(join(tmp.dir, 'sessions.db')).mode & 0o777, 0o600);
      const store = handle.store as SqliteSessionStore;
      await call((cb) => store.set('live', data(60_000), cb));
      await call((cb) => store.set('gone', data(-1_000), cb));
      assert.deepEqual((await call<session.SessionData | null>((cb) => store.get('live', cb)))?.flash, { kind: 'notice', text: 'hi' });
      assert.equal(await call((cb) => store.get('gone', cb)), null, 'an expired session is never returned');
      assert.equal(store.sweep(), 1);
      await call((cb) => store.destroy('live', cb));
      assert.equal(await call((cb) => store.get('live', cb)), null);
    } finally {
      await handle.close();
    }
  });
});

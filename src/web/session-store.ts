/**
 * Browser session stores for express-session, chosen by `sessions.store`:
 * - `sqlite` (default, one instance only): a small Store over better-sqlite3 in
 *   `<dataDir>/sessions.db`, with an expiry sweep once a minute.
 * - `redis://…`: connect-redis 9 over node-redis 5, shared by every instance.
 * Any store failure becomes ServiceUnavailable (503): a request is never served
 * with an anonymous session because the store could not be read.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import session from 'express-session';
import { RedisStore } from 'connect-redis';
import { createClient } from 'redis';
import { ServiceUnavailable } from '../shared/errors.js';
import { BACKSTOP_PAGES, startCheckpointer, type Checkpointer } from '../store/sql/checkpointer.js';
import { keepAlive } from '../store/sql/keep-alive.js';
import type { Logger } from '../shared/logger.js';

type Callback<T = unknown> = (err?: unknown, value?: T) => void;

export class SqliteSessionStore extends session.Store {
  private readonly db: Database.Database;
  private readonly sweeper: NodeJS.Timeout;
  private liveSql: Database.Statement<[number]> | undefined;
  private readonly checkpointer: Checkpointer;
  private readonly sql: {
    get: Database.Statement<[string]>;
    set: Database.Statement<[string, number, string]>;
    touch: Database.Statement<[number, string]>;
    destroy: Database.Statement<[string]>;
    sweep: Database.Statement<[number]>;
  };

  /** `onCheckpointError`: a WAL checkpoint failed (not fatal: the next one, or the backstop, catches up). */
  constructor(file: string, onCheckpointError?: (message: string) => void) {
    super();
    this.db = keepAlive(new Database(file));
    this.db.exec('PRAGMA journal_mode = WAL');
    // Sessions are cheap to lose and written on most requests: with WAL, NORMAL stays consistent
    // and skips the fsync per commit (a power cut may forget the last sessions, never corrupt).
    this.db.exec('PRAGMA synchronous = NORMAL');
    this.db.exec('PRAGMA busy_timeout = 5000');
    // Checkpoints on a worker thread, not on the commit of whichever sign-in crosses the mark.
    this.db.exec(`PRAGMA wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    this.db.exec('CREATE TABLE IF NOT EXISTS sessions (sid TEXT PRIMARY KEY, expires INTEGER NOT NULL, sess TEXT NOT NULL)');
    this.db.exec('CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires)');
    // Prepared once (preparing costs more than running these one-row statements), and kept
    // for the process's life (keep-alive.ts: a collected statement aborts Node 24).
    this.sql = keepAlive({
      get: this.db.prepare('SELECT sess, expires FROM sessions WHERE sid = ?'),
      set: this.db.prepare('INSERT INTO sessions (sid, expires, sess) VALUES (?, ?, ?) ON CONFLICT (sid) DO UPDATE SET expires = excluded.expires, sess = excluded.sess'),
      touch: this.db.prepare('UPDATE sessions SET expires = ? WHERE sid = ?'),
      destroy: this.db.prepare('DELETE FROM sessions WHERE sid = ?'),
      sweep: this.db.prepare('DELETE FROM sessions WHERE expires <= ?'),
    });
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
    this.checkpointer = startCheckpointer(file, { ...(onCheckpointError && { onError: onCheckpointError }) });
  }

  override get(sid: string, cb: Callback<session.SessionData | null>): void {
    this.run(cb, () => {
      const row = this.sql.get.get(sid) as { sess: string; expires: number } | undefined;
      return row && row.expires > Date.now() ? (JSON.parse(row.sess) as session.SessionData) : null;
    });
  }

  override set(sid: string, sess: session.SessionData, cb?: Callback): void {
    this.run(cb, () => {
      this.sql.set.run(sid, expiry(sess), JSON.stringify(sess));
    });
  }

  override touch(sid: string, sess: session.SessionData, cb?: Callback): void {
    this.run(cb, () => {
      this.sql.touch.run(expiry(sess), sid);
    });
  }

  override destroy(sid: string, cb?: Callback): void {
    this.run(cb, () => {
      this.sql.destroy.run(sid);
    });
  }

  sweep(now = Date.now()): number {
    return this.sql.sweep.run(now).changes;
  }

  /** Unexpired sessions that hold a portal or a console sign-in (the metrics' live-session gauges). */
  live(now: number): { portal: number; console: number } {
    this.liveSql ??= keepAlive(
      this.db.prepare(
        "SELECT COALESCE(SUM(json_extract(sess, '$.portal') IS NOT NULL), 0) AS portal, COALESCE(SUM(json_extract(sess, '$.console') IS NOT NULL), 0) AS console FROM sessions WHERE expires > ?",
      ),
    );
    const row = this.liveSql.get(now) as { portal: number; console: number };
    return { portal: Number(row.portal), console: Number(row.console) };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.checkpointer.close();
    this.db.close();
  }

  private run<T>(cb: Callback<T> | undefined, fn: () => T): void {
    let value: T;
    try {
      value = fn();
    } catch (err) {
      cb?.(new ServiceUnavailable('The session store is unavailable.', { cause: err }));
      return;
    }
    cb?.(undefined, value);
  }
}

function expiry(sess: session.SessionData): number {
  const e = sess.cookie?.expires;
  return e ? new Date(e).getTime() : Date.now() + 86_400_000;
}

/** Wraps a store so that every error it reports becomes ServiceUnavailable. */
function guarded(store: session.Store): session.Store {
  for (const method of ['get', 'set', 'touch', 'destroy'] as const) {
    const original = (store[method] as ((...args: unknown[]) => unknown) | undefined)?.bind(store);
    if (!original) continue;
    (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const cb = args.at(-1) as Callback | undefined;
      const wrapped: Callback = (err, value) => cb?.(err ? new ServiceUnavailable('The session store is unavailable.', { cause: err }) : undefined, value);
      try {
        return original(...args.slice(0, -1), wrapped);
      } catch (err) {
        return wrapped(err);
      }
    };
  }
  return store;
}

export interface LiveSessions {
  portal: number;
  console: number;
}

export interface SessionStoreHandle {
  store: session.Store;
  kind: 'sqlite' | 'redis';
  /** Redis only: raw commands, for the shared rate-limit counters. */
  sendCommand?: (args: string[]) => Promise<unknown>;
  /** Live portal and console sessions (metrics): a query on SQLite, a key scan on Redis. */
  live?: (now: number) => LiveSessions | Promise<LiveSessions>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export async function openSessionStore(setting: string, dataDir: string, logger: Logger): Promise<SessionStoreHandle> {
  if (setting === 'sqlite') {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Sessions hold console credentials' tokens: the file is the owner's alone (0600), like the store's.
    const file = join(dataDir, 'sessions.db');
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
    const store = new SqliteSessionStore(file, (message) => logger.warn({ err: message }, 'session store: WAL checkpoint failed'));
    return { store, kind: 'sqlite', live: (now) => store.live(now), ping: async () => true, close: async () => store.close() };
  }
  const client = createClient({ url: setting, disableOfflineQueue: true, socket: { connectTimeout: 2000, reconnectStrategy: (n: number) => Math.min(100 * 2 ** n, 2000) } });
  client.on('error', (err: unknown) => logger.warn({ err: String(err) }, 'session store (redis) error'));
  // Wait for Redis at most 2 s at start-up: an unreachable Redis must not hang start(). Until it
  // answers, every session read or write fails (offline queue disabled), which is a 503.
  const connecting = client.connect();
  connecting.catch((err: unknown) => logger.warn({ err: String(err) }, 'session store (redis) not connected'));
  await Promise.race([connecting, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
  const prefix = 'gatehouse:sess:';
  const store = guarded(new RedisStore({ client, prefix }));
  return {
    store,
    kind: 'redis',
    live: redisLiveSessions(client, prefix),
    sendCommand: (args) => client.sendCommand(args),
    ping: async () => (await client.ping()) === 'PONG',
    close: async () => {
      if (client.isReady) await client.quit().catch(() => undefined);
      else client.destroy(); // not connected: stop the reconnect loop (quit would wait for it)
    },
  };
}

/** How long a Redis count of live sessions is reused (a scrape every few seconds scans once). */
const LIVE_CACHE_MS = 5_000;

/**
 * Live sessions in Redis: SCAN over the session keys (expired ones are gone: Redis expires them
 * with the session's TTL), MGET each page, count those holding a portal or a console sign-in.
 * One scan per LIVE_CACHE_MS at most; a scan costs Redis about as much as reading every session.
 */
function redisLiveSessions(client: ReturnType<typeof createClient>, prefix: string): () => Promise<LiveSessions> {
  let cached: { at: number; value: LiveSessions } | undefined;
  return async () => {
    if (cached && Date.now() - cached.at < LIVE_CACHE_MS) return cached.value;
    const value: LiveSessions = { portal: 0, console: 0 };
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length === 0) continue;
      for (const raw of await client.mGet(keys)) {
        if (raw === null) continue; // expired or signed out since the scan saw it
        try {
          const sess = JSON.parse(raw) as { portal?: unknown; console?: unknown };
          if (sess.portal != null) value.portal++;
          if (sess.console != null) value.console++;
        } catch {
          // not a session this server wrote
        }
      }
    }
    cached = { at: Date.now(), value };
    return value;
  };
}

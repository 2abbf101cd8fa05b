/**
 * Where queued events are written (the recorder's flushes; an IAM write's event is always
 * written by the write's own transaction on the main connection).
 *
 * - `storeWriter`: `store.auditEvents.append` on the main thread (PostgreSQL, in-memory SQLite).
 * - `sqliteWorkerWriter`: a worker thread with its own better-sqlite3 connection to the same
 *   file, so a flush's synchronous SQLite work (index updates, the WAL commit) is off the event
 *   loop. Each batch is one `BEGIN IMMEDIATE` transaction that reads the account's chain head and
 *   appends exactly as SqlAuditEvents.append does (`hash = sha256(prev + "\n" + record)`,
 *   store/sql/audit-events.ts); SQLite's write lock orders it with the main connection's
 *   transactions, so the chain stays one sequence. If the worker dies, batches go through the
 *   main thread instead.
 *
 *   A batch crosses to the worker as one flat array of the events' fields (FIELDS per event):
 *   cloning it costs the event loop about a third of what an array of objects does. The worker's
 *   connection runs with `synchronous = NORMAL`, which in WAL mode loses nothing when the
 *   process is killed (the loss rule of queued events: recorder.ts) and only skips the fsync
 *   of each commit; after a power cut the last batches may be rolled back. An IAM write and its
 *   event commit on the main connection, at SQLite's default (FULL).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { AuditEventInput, Store } from '../store/index.js';
import { AUDIT_INSERT_ONE, AUDIT_UPSERT_HEAD, GENESIS_HASH } from '../store/sql/audit-events.js';

export interface EventWriter {
  append(events: readonly AuditEventInput[]): Promise<void>;
  close(): Promise<void>;
}

export function storeWriter(store: Store): EventWriter {
  return { append: (events) => store.auditEvents.append(events), close: async () => {} };
}

const require = createRequire(import.meta.url);

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 10000');
db.pragma('synchronous = NORMAL');
const head = db.prepare('SELECT seq, hash FROM audit_heads WHERE account_id = ?');
const insert = db.prepare(workerData.insertOne);
const upsert = db.prepare(workerData.upsertHead);
const FIELDS = workerData.fields;
const append = db.transaction((f) => {
  const heads = new Map();
  // f: FIELDS values per event, in writer.ts's order (flatten).
  for (let i = 0; i < f.length; i += FIELDS) {
    const accountId = f[i];
    const record = f[i + 12];
    let h = heads.get(accountId);
    if (!h) {
      const row = head.get(accountId);
      h = row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: workerData.genesis };
    }
    const seq = h.seq + 1;
    const hash = createHash('sha256').update(h.hash).update('\\n').update(record).digest('hex');
    insert.run(accountId, seq, f[i + 1], f[i + 2], f[i + 3], f[i + 4], f[i + 5] ? 1 : 0, f[i + 6], f[i + 7], f[i + 8], f[i + 9], f[i + 10], f[i + 11], record, h.hash, hash);
    heads.set(accountId, { seq, hash });
  }
  for (const [accountId, h] of heads) upsert.run(accountId, h.seq, h.hash);
});
parentPort.on('message', (m) => {
  if (m.close) {
    db.close();
    parentPort.close();
    return;
  }
  try {
    append.immediate(m.events);
    parentPort.postMessage({ id: m.id });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
});
`;

export function sqliteWorkerWriter(file: string, fallback: EventWriter): EventWriter {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { fields: FIELDS, file, module: require.resolve('better-sqlite3'), insertOne: AUDIT_INSERT_ONE, upsertHead: AUDIT_UPSERT_HEAD, genesis: GENESIS_HASH },
  });
  const pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  let next = 0;
  let dead = false;
  // Kept alive only while a batch is in flight (an idle writer must not hold the process open).
  worker.on('message', (m: { id: number; error?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (pending.size === 0) worker.unref();
    if (m.error === undefined) p?.resolve();
    else p?.reject(new Error(`audit writer: ${m.error}`));
  });
  const die = (why: Error) => {
    dead = true;
    for (const p of pending.values()) p.reject(why);
    pending.clear();
  };
  worker.on('error', (err) => die(new Error(`audit writer failed: ${err.message}`, { cause: err })));
  worker.on('exit', () => die(new Error('audit writer exited')));
  worker.unref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return {
    append(events) {
      if (dead) return fallback.append(events);
      const id = next++;
      return new Promise<void>((resolve, reject) => {
        if (pending.size === 0) worker.ref();
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, events: flatten(events) });
      });
    },
    async close() {
      if (!dead) {
        worker.ref();
        worker.postMessage({ close: true });
        await exited;
      }
    },
  };
}

/** Values per event in a batch sent to the worker. */
const FIELDS = 13;

/** A batch as one flat array, FIELDS values per event, in the order the worker reads them. */
function flatten(events: readonly AuditEventInput[]): unknown[] {
  const f: unknown[] = [];
  for (const e of events) {
    f.push(e.accountId, e.eventId, e.eventTime, e.eventName, e.eventSource, e.readOnly, e.username, e.accessKeyId, e.resourceType, e.resourceName, e.directoryId, e.directoryDn, e.record);
  }
  return f;
}

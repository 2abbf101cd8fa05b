/**
 * WAL checkpoints on a worker thread, so that they never stall the event loop.
 *
 * better-sqlite3 is synchronous: with SQLite's automatic checkpoint (every 1,000 WAL pages) the
 * commit that crosses the mark copies those pages into the database file and fsyncs it, on the
 * event loop. Measured here: one insert in about 250 took 11 ms, and every request in flight
 * waited for it. Instead:
 * - a worker thread holds its own connection to the same file and runs
 *   `PRAGMA wal_checkpoint(PASSIVE)` every `everyMs` (PASSIVE never waits for, or blocks, the
 *   writer; what it cannot copy now it copies next time);
 * - the main connection's automatic checkpoint stays on with a far higher mark
 *   (`BACKSTOP_PAGES`), so the WAL stays bounded even if the worker stopped;
 * - the worker does not keep the process alive; `close()` runs a last checkpoint and ends it.
 * The worker's code is plain CommonJS evaluated in the thread (no TypeScript loader needed).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The main connection's automatic checkpoint mark, a backstop (about 40 MB of WAL). */
export const BACKSTOP_PAGES = 10_000;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file, { fileMustExist: true });
let statement; // prepared once and kept (keep-alive.ts: a collected statement aborts Node 24)
const checkpoint = () => {
  try {
    statement ??= db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
    statement.get();
  } catch (err) {
    if (err && err.code !== 'SQLITE_BUSY' && err.code !== 'SQLITE_LOCKED') parentPort.postMessage({ error: String(err.message || err) });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
parentPort.postMessage({ ready: true });
`;

export interface Checkpointer {
  /** A last checkpoint, then the worker ends. Idempotent. */
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Starts checkpointing `file` (a WAL-mode SQLite database that exists) every `everyMs`. */
export function startCheckpointer(file: string, options: { everyMs?: number; onError?: (message: string) => void } = {}): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, module: require.resolve('better-sqlite3'), everyMs: options.everyMs ?? 500 } });
  worker.on('message', (m: { error?: string }) => {
    if (m.error) options.onError?.(m.error);
  });
  worker.on('error', (err) => options.onError?.(String(err)));
  worker.unref(); // after the listeners: on Node 22 adding a 'message' listener refs the worker again
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let closing: Promise<void> | undefined;
  return {
    close() {
      closing ??= (async () => {
        worker.postMessage('close');
        const timeout = setTimeout(() => void worker.terminate(), 2000);
        await exited;
        clearTimeout(timeout);
      })();
      return closing;
    },
  };
}

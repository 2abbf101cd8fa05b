/**
 * The write hook: lets a caller (the audit trail) add rows to the first transaction that
 * writes during an async flow, so the write and those rows commit together or not at all.
 *
 * `withWriteHook(hook, fn)` runs fn; the first write made through the store's root
 * repositories in fn's flow (a transaction, or a single statement, which is then wrapped in
 * one) calls `hook.write(tx)` inside that transaction before it commits. If the transaction
 * rolls back, the hook counts as not written and fires again on the next write.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Repositories } from '../types.js';

export interface WriteHook {
  /** Called inside the first writing transaction, before it commits. A throw rolls it back. */
  write(tx: Repositories): Promise<void>;
  /** Set once a transaction that called `write` committed. */
  written: boolean;
}

const current = new AsyncLocalStorage<WriteHook>();

/** Runs fn with `hook` armed for its flow. */
export function withWriteHook<T>(hook: WriteHook, fn: () => Promise<T>): Promise<T> {
  return current.run(hook, fn);
}

/** The hook armed for the current flow and not yet written, if any. */
export function pendingWriteHook(): WriteHook | undefined {
  const hook = current.getStore();
  return hook && !hook.written ? hook : undefined;
}

/** Runs fn with no hook armed (the audit queue's own flushes). */
export function withoutWriteHook<T>(fn: () => Promise<T>): Promise<T> {
  return current.exit(fn);
}

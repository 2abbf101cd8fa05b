/**
 * The write hook: lets a caller (the audit trail) add rows to the first transaction that
 * writes through a store view, so the write and those rows commit together or not at all.
 *
 * `store.withWriteHook(hook)` is a view of the store whose first write (a transaction, or a
 * single statement, which is then wrapped in one) calls `hook.write(tx)` inside that
 * transaction before it commits. If the transaction rolls back, the hook counts as not written
 * and fires again on the next write through the view.
 *
 * (A view passed explicitly, not AsyncLocalStorage: that would put a hook on every promise of
 * the process; see driver.ts.)
 */
export type { WriteHook } from '../types.js';

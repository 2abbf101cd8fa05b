/**
 * KnownRevisions: an account's revision as this process may rely on it without a store read on
 * every request (a read costs more than the rest of a signed request on a small host).
 *
 * - After any write made through this store has finished (committed or not), the next call
 *   reads again: a change made through this process applies to the very next request.
 * - Otherwise a value is reused for at most `boundMs` (monotonic clock): a change made by
 *   another process or instance sharing the database applies within that bound.
 * - `boundMs` 0 reads on every call.
 *
 * A read that overlaps a write is recorded with the write count from before it started, so it
 * is never trusted past that write.
 */
import { performance } from 'node:perf_hooks';

interface Known {
  revision: number;
  /** performance.now() just before the read started. */
  readAt: number;
  /** The store's write count just before the read started. */
  writes: number;
}

const MAX_ACCOUNTS = 10_000;

export class KnownRevisions {
  readonly #known = new Map<string, Known>();

  constructor(
    private readonly read: (accountId: string) => Promise<number>,
    private readonly writes: () => number,
    readonly boundMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(Number.isFinite(boundMs) && boundMs >= 0)) throw new RangeError(`revision bound must be a non-negative number of ms, got ${boundMs}`);
  }

  async get(accountId: string): Promise<number> {
    const writes = this.writes();
    const readAt = this.now();
    const known = this.#known.get(accountId);
    if (known !== undefined && known.writes === writes && readAt - known.readAt < this.boundMs) return known.revision;
    const revision = await this.read(accountId);
    if (this.#known.size >= MAX_ACCOUNTS) this.#known.clear();
    this.#known.set(accountId, { revision, readAt, writes });
    return revision;
  }
}

/**
 * TtlCache: answers kept for a short, fixed time, for directory reads that many logins repeat.
 *
 * Used for one thing: the nested-group searches (which groups contain these groups), whose
 * answer depends only on the group tree, not on the person signing in. A user's own entry and
 * direct groups are always read live.
 * - an entry is served until `ttlMs` after it was stored, never after; `ttlMs` 0 stores nothing;
 * - at most `maxEntries`: when full, the oldest entry goes (insertion order);
 * - a failed read is not stored; concurrent misses each read on their own connection, so one
 *   login's connection fault never becomes another's.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The stored answer for `key` while fresh, else `read()`'s (stored when it succeeds). */
  get(key: string, read: () => Promise<V>): Promise<V> {
    if (this.ttlMs <= 0) return read();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > this.now()) return Promise.resolve(hit.value);
    if (hit) this.entries.delete(key);
    const started = this.now();
    return read().then((value) => {
      this.entries.delete(key);
      if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(key, { value, expiresAt: started + this.ttlMs });
      return value;
    });
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}

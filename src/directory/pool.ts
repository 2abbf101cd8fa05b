/**
 * IdlePool: directory connections kept open between logins, each lent to one login at a time.
 *
 * A login borrows an idle connection (already connected, TLS up, service account bound) or opens
 * a new one, and gives it back when its work ended cleanly. Nothing is ever shared by two logins
 * at once: concurrent binds on one ldapauth-fork client abandon each other's requests.
 * - only a connection that says it is `reusable()` (no fault, no deadline, both sockets still
 *   connected) is kept; anything else is destroyed;
 * - it is checked again when borrowed, because the directory may close it while idle;
 * - at most `size` idle connections; an idle one is dropped after `idleMs`, and none is kept
 *   past `maxAgeMs` from when it opened (a changed service password or group ACL applies within
 *   that bound);
 * - idle sockets do not keep the process alive (`idle()` unrefs them, `busy()` refs them);
 * - `close()` destroys every idle connection and makes later give-backs destroy theirs.
 */

export interface Pooled {
  /** True while the connection can serve another login. */
  reusable(): boolean;
  /** Entering the pool: stop keeping the process alive. */
  idle(): void;
  /** Leaving the pool for a login. */
  busy(): void;
  /** After a fault: whether the work may run again on another connection. */
  mayRetry(): boolean;
  destroy(): void;
}

export interface PoolOptions {
  /** Most idle connections kept; 0 keeps none (a new connection per login). */
  size: number;
  idleMs: number;
  maxAgeMs: number;
  now?: () => number;
}

interface Entry<T> {
  item: T;
  openedAt: number;
  idleSince: number;
}

export class IdlePool<T extends Pooled> {
  private readonly idleEntries: Entry<T>[] = [];
  private readonly openedAt = new WeakMap<T, number>();
  private readonly now: () => number;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: PoolOptions) {
    this.now = options.now ?? Date.now;
  }

  /** An idle connection fit for reuse, or undefined (the caller opens a new one and `adopt`s it). */
  take(): T | undefined {
    const now = this.now();
    while (this.idleEntries.length > 0) {
      const entry = this.idleEntries.pop()!; // most recently used first: the warmest
      if (this.fresh(entry, now) && entry.item.reusable()) {
        entry.item.busy();
        return entry.item;
      }
      entry.item.destroy();
    }
    return undefined;
  }

  /** Records when a new connection opened, for `maxAgeMs`. */
  adopt(item: T): T {
    this.openedAt.set(item, this.now());
    return item;
  }

  /** Gives a connection back after a clean login; destroys it when it cannot be kept. */
  give(item: T): void {
    const now = this.now();
    const openedAt = this.openedAt.get(item) ?? now;
    const entry = { item, openedAt, idleSince: now };
    if (this.closed || this.idleEntries.length >= this.options.size || !this.fresh(entry, now) || !item.reusable()) {
      item.destroy();
      return;
    }
    item.idle();
    this.idleEntries.push(entry);
    this.scheduleSweep();
  }

  /** Idle connections now held (for tests and metrics). */
  get idleCount(): number {
    return this.idleEntries.length;
  }

  /** Destroys every idle connection; later give-backs are destroyed too. */
  close(): void {
    this.closed = true;
    this.clearSweep();
    for (const entry of this.idleEntries.splice(0)) entry.item.destroy();
  }

  private fresh(entry: Entry<T>, now: number): boolean {
    return now - entry.idleSince < this.options.idleMs && now - entry.openedAt < this.options.maxAgeMs;
  }

  private scheduleSweep(): void {
    if (this.sweeper) return;
    this.sweeper = setInterval(() => this.sweep(), Math.max(250, Math.min(this.options.idleMs, 5000)));
    this.sweeper.unref();
  }

  private clearSweep(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Drops idle connections past their time, and any the directory closed. */
  sweep(): void {
    const now = this.now();
    for (let i = this.idleEntries.length - 1; i >= 0; i--) {
      const entry = this.idleEntries[i]!;
      if (this.fresh(entry, now) && entry.item.reusable()) continue;
      this.idleEntries.splice(i, 1);
      entry.item.destroy();
    }
    if (this.idleEntries.length === 0) this.clearSweep();
  }
}

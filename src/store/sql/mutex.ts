/**
 * A FIFO async mutex. The SQLite driver holds it for a whole transaction, and plain calls
 * wait for it, so nothing from another async flow runs inside someone else's transaction.
 */
export class Mutex {
  #locked = false;
  readonly #waiters: Array<() => void> = [];

  /** True when nobody holds the lock (and so nobody waits for it). */
  get idle(): boolean {
    return !this.#locked;
  }

  async lock(): Promise<void> {
    if (!this.#locked) {
      this.#locked = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  /** Hands the lock to the next waiter, or frees it. */
  unlock(): void {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#locked = false;
  }
}

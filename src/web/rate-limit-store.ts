/**
 * Where sign-in rate-limit counters live. With `sessions.store: redis://…` they are kept in
 * Redis (rate-limit-redis), so every instance shares one budget per account and per IP;
 * with the SQLite session store (one instance) they stay in memory. A Redis failure while
 * counting is ServiceUnavailable (503): an attempt is never let through uncounted.
 */
import type { ClientRateLimitInfo, Store, IncrementResponse, Options } from 'express-rate-limit';
import { RedisStore } from 'rate-limit-redis';
import { ServiceUnavailable } from '../shared/errors.js';

export type RateLimitStoreFactory = (prefix: string) => Store | undefined;

type SendCommand = (args: string[]) => Promise<unknown>;

/** Counters in Redis, shared by every instance; errors become 503. */
export function redisLimitStores(sendCommand: SendCommand): RateLimitStoreFactory {
  return (prefix) => new Guarded(new RedisStore({ sendCommand: (...args: string[]) => sendCommand(args) as never, prefix: `gatehouse:rl:${prefix}:` }));
}

class Guarded implements Store {
  private options: Options | undefined;
  constructor(private readonly inner: Store) {}
  get localKeys(): boolean {
    return false;
  }
  get prefix(): string | undefined {
    return this.inner.prefix;
  }
  /** Loads the store's scripts; Redis may be down now, so a failure is retried on the next increment. */
  init(options: Options): void {
    this.options = options;
    void Promise.resolve(this.inner.init?.(options)).catch(() => undefined);
  }
  async increment(key: string): Promise<IncrementResponse> {
    try {
      return await this.inner.increment(key);
    } catch (err) {
      if (this.options) this.init(this.options);
      throw new ServiceUnavailable('The rate-limit store is unavailable.', { cause: err });
    }
  }
  /** A counter's current value (web/account-limits.ts reads known sign-in pairs); errors become 503. */
  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    try {
      return await this.inner.get?.(key);
    } catch (err) {
      throw new ServiceUnavailable('The rate-limit store is unavailable.', { cause: err });
    }
  }
  async decrement(key: string): Promise<void> {
    await Promise.resolve(this.inner.decrement(key)).catch(() => undefined);
  }
  async resetKey(key: string): Promise<void> {
    await Promise.resolve(this.inner.resetKey(key)).catch(() => undefined);
  }
}

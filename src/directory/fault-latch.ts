/**
 * FaultLatch: the first connection-level fault of a directory connection, delivered at once to
 * every operation pending on it and to every later one.
 *
 * A `Promise.race` against a never-settling "broken" promise would add one reaction to it per
 * operation, and a connection kept between logins would accumulate them; here each operation
 * registers while pending and unregisters when it settles.
 */
import { DirectoryFault } from './fault.js';

export class FaultLatch {
  private readonly pending = new Set<(err: DirectoryFault) => void>();
  private fault: DirectoryFault | undefined;

  /** True once a fault was recorded: the connection must not be used again. */
  get tripped(): boolean {
    return this.fault !== undefined;
  }

  /** Records the first fault and rejects everything pending with it. */
  trip(step: string, cause: unknown): void {
    this.fault ??= new DirectoryFault(step, cause);
    const fault = this.fault;
    const pending = [...this.pending];
    this.pending.clear();
    for (const reject of pending) reject(fault);
  }

  /** `work`, or the connection's fault if one comes first (or already came). */
  guard<T>(work: Promise<T>): Promise<T> {
    if (this.fault) {
      work.catch(() => {});
      return Promise.reject(this.fault);
    }
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      work.then(
        (value) => {
          this.pending.delete(reject);
          resolve(value);
        },
        (err: unknown) => {
          this.pending.delete(reject);
          reject(err);
        },
      );
    });
  }
}

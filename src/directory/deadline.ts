/**
 * Our own deadline around a directory operation, because ldapjs can leave a callback unfired.
 * When time runs out, `onTimeout` runs (it destroys the sockets) and the promise rejects with a
 * `DeadlineExceeded`; a late settlement of the operation is ignored.
 */

export class DeadlineExceeded extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'DeadlineExceeded';
  }
}

export function withDeadline<T>(what: string, ms: number, work: Promise<T>, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        onTimeout?.();
      } finally {
        reject(new DeadlineExceeded(what, ms));
      }
    }, ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

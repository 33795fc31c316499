/**
 * One-at-a-time access to an engine within a process: while a transaction's asynchronous work is
 * in flight, other calls on the same engine wait for it instead of running inside it.
 */

export interface SerialGate {
  /** Runs `work` once every earlier piece of work has settled. */
  run<T>(work: () => Promise<T> | T): Promise<T>;
  /** How many times run() was called so far (group commit: was anything queued since?). */
  readonly calls: number;
}

export function createSerialGate(): SerialGate {
  let tail: Promise<unknown> = Promise.resolve();
  let pending = 0;
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    run<T>(work: () => Promise<T> | T): Promise<T> {
      calls++;
      if (pending === 0) {
        // Nothing in flight: start now (synchronous engines answer within this call).
        pending++;
        let result: Promise<T>;
        try {
          result = Promise.resolve(work());
        } catch (error) {
          result = Promise.reject(error);
        }
        const settled = result.then(
          () => undefined,
          () => undefined,
        );
        tail = settled.then(() => {
          pending--;
        });
        return result;
      }
      pending++;
      const result = tail.then(() => work());
      tail = result.then(
        () => {
          pending--;
        },
        () => {
          pending--;
        },
      );
      return result;
    },
  };
}

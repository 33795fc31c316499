/**
 * The sync service's MIME worker pool, created on first use. The service owns it so that stop()
 * can let parses already handed to the workers finish there: closing the pool with work queued
 * would hand that work back to this thread, which would then parse a whole abandoned batch
 * before it could exit.
 */
import { createParsePool, defaultParseWorkers, type ParsePool } from '../../mime/parse-pool.js';
import type { ParseMessage } from '../folder-sync.js';

export interface ServiceParsePool {
  parse: ParseMessage;
  /** Waits up to 1 s for the parses in flight, then closes the workers (a later parse starts a
   * new pool). */
  close(): Promise<void>;
}

export function createServiceParsePool(workers: number | undefined): ServiceParsePool {
  let pool: ParsePool | null = null;
  let parsing = 0;
  return {
    parse: (raw, parseOptions) => {
      pool ??= createParsePool(workers ?? defaultParseWorkers());
      parsing++;
      return pool.parse(raw, parseOptions).finally(() => parsing--);
    },
    async close() {
      for (const until = Date.now() + 1000; parsing > 0 && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 20));
      const closing = pool;
      pool = null;
      await closing?.close();
    },
  };
}

/**
 * The sync service's runner states (backoff, failures per job): held in memory, read from there
 * by the scheduler and status(), and written through to the store in the background. A write
 * that fails is logged (`store_failed`) and syncing goes on; `settled()` waits for the writes
 * in flight (before a reload restarts accounts, and at stop).
 */
import type { Store } from '../../store/index.js';
import type { RunnerJobState } from '../runner.js';
import { errorCode } from './backoff.js';
import type { Logger } from '../email-plugin.js';

export interface RunnerStateCache {
  readonly states: Map<string, RunnerJobState>;
  put(key: string, state: RunnerJobState): void;
  settled(): Promise<void>;
}

export function createRunnerStateCache(store: Store, logger: Logger): RunnerStateCache {
  const states = new Map<string, RunnerJobState>();
  const pending = new Set<Promise<void>>();
  return {
    states,
    put(key, state) {
      states.set(key, state);
      const write = (async () => {
        await store.putRunnerState(key, state);
        await store.saveIfDirty();
      })()
        .catch((error) => logger.error?.({ event: 'store_failed', code: errorCode(error), message: (error as Error)?.message }, 'could not save the runner state'))
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    async settled() {
      await Promise.allSettled([...pending]);
    },
  };
}

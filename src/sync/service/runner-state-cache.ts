/**
 * The sync service's runner states (backoff, failures per job): held in memory, read from there
 * by the scheduler and status(), and written behind to the store. One write is in flight at a
 * time; the states put meanwhile are written together by the next one (one transaction for all
 * of them, `putRunnerStates`), so jobs ending together cost one commit, not one each. A write
 * that fails is logged (`store_failed`) and syncing goes on; `settled()` waits until every state
 * put so far was written (before a reload restarts accounts, and at stop). A crash loses at most
 * the states not yet written: their jobs run again, their mail being stored with its cursor.
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
  /** Put since the write in flight started: the next write's entries (the latest per key). */
  const queued = new Map<string, RunnerJobState>();
  let writing: Promise<void> | null = null;
  const writeQueued = async (): Promise<void> => {
    // Starts after put() returned (so `writing` is set before it is cleared below), with the
    // states put in the same turn.
    await Promise.resolve();
    while (queued.size > 0) {
      const entries = [...queued];
      queued.clear();
      try {
        await store.putRunnerStates(entries);
        await store.saveIfDirty();
      } catch (error) {
        logger.error?.({ event: 'store_failed', code: errorCode(error), message: (error as Error)?.message }, 'could not save the runner state');
      }
    }
    writing = null;
  };
  return {
    states,
    put(key, state) {
      states.set(key, state);
      queued.set(key, state);
      writing ??= writeQueued();
    },
    async settled() {
      while (writing) await writing;
    },
  };
}

/**
 * Persisted scheduler state per job key (`account::folder`): when the job may run next, how many
 * failures in a row it had, its last error, and when it was last attempted (for fairness). The
 * shape is the runner's own (`RunnerJobState`, src/sync/runner.ts); this module stores it.
 */

import type { RunnerJobState } from '../sync/runner.js';
import type { Database } from './database.js';

export type { RunnerJobState };

export async function getRunnerState(db: Database, key: string): Promise<RunnerJobState | null> {
  const row = await db.one('SELECT * FROM runner_state WHERE job_key = ?', [key]);
  if (!row) return null;
  return {
    nextAllowedAt: Number(row.next_allowed_at),
    failureCount: Number(row.failure_count),
    lastError: row.last_error === null ? null : String(row.last_error),
    lastAttemptAt: row.last_attempt_at === null ? null : Number(row.last_attempt_at),
  };
}

export async function putRunnerState(db: Database, key: string, state: RunnerJobState): Promise<void> {
  await putRunnerStates(db, [[key, state]]);
}

/**
 * Saves several jobs' states in one transaction (the runner writes a tick's states at once: one
 * commit per tick instead of one per job). A state equal to the stored one is not rewritten, so a
 * tick that changed nothing writes no page. Nothing to save: no transaction at all.
 */
export async function putRunnerStates(db: Database, entries: ReadonlyArray<readonly [string, RunnerJobState]>): Promise<void> {
  if (entries.length === 0) return;
  await db.transaction(async (db) => {
    for (const [key, state] of entries) {
      await db.run(
        `INSERT INTO runner_state (job_key, next_allowed_at, failure_count, last_error, last_attempt_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (job_key) DO UPDATE SET next_allowed_at = excluded.next_allowed_at,
           failure_count = excluded.failure_count, last_error = excluded.last_error,
           last_attempt_at = excluded.last_attempt_at
         WHERE runner_state.next_allowed_at IS NOT excluded.next_allowed_at
            OR runner_state.failure_count IS NOT excluded.failure_count
            OR runner_state.last_error IS NOT excluded.last_error
            OR runner_state.last_attempt_at IS NOT excluded.last_attempt_at`,
        [key, state.nextAllowedAt, state.failureCount, state.lastError, state.lastAttemptAt],
      );
    }
  });
}

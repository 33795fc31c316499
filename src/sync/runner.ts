/**
 * The multi-job sync runner. Per tick: jobs still in their
 * backoff window are skipped; the due ones are ordered by when they last ran (so jobs deferred
 * by the cap go first next tick), at most `maxConcurrency` of them run — truly concurrently, with
 * at most `maxConnectionsPerAccount` jobs of one account at a time — and the rest are deferred.
 * Failures back off exponentially (`min(base * 2^(failures-1), max)`: the first failure waits
 * `base`), AUTH and CONFIG errors wait the maximum at once, THROTTLED honours the server's
 * suggested time; success resets the count. State lives in the store, so it survives restarts.
 *
 * A state store with `putMany` gets the states of a tick all at once, when the tick's last job
 * has ended (one write transaction per tick, not one per job); without it, each job's state is
 * `put` as the job ends. Losing a tick's states in a crash only means that its jobs run again
 * (and, for failed ones, that their backoff is forgotten): what a job stored is durable on its
 * own, each batch committed with the cursor that covers it.
 */

import { isPrxError, type ErrorCode } from '../errors.js';

/** One unit of work for the sync runner: sync one folder of one account. */
export interface SyncJob {
  /** The account's id in the store. */
  accountId: number;
  /** The folder to sync, as the server names it. */
  folder: string;
  /** Most new messages to store in this run; the rest is left for the next one. */
  maxMessages: number;
}

/** Limits and backoff of `runSyncRunner`; every field is optional. */
export interface SyncRunnerConfig {
  /** Most jobs run at once; further due jobs are deferred to the next tick (default 4, at least 1). */
  maxConcurrency?: number;
  /** Wait after a job's first failure, in seconds; doubles per further failure (default 10). */
  baseBackoffSeconds?: number;
  /** Longest backoff, in seconds; AUTH and CONFIG failures wait this long at once (default 300). */
  maxBackoffSeconds?: number;
  /** Most jobs of one account run at once (default 1, at least 1). */
  maxConnectionsPerAccount?: number;
}

/** A job's scheduling state, persisted by the store between runs. */
export interface RunnerJobState {
  nextAllowedAt: number;
  failureCount: number;
  lastError: string | null;
  lastAttemptAt: number | null;
}

/** Persisted runner state; the store's methods are asynchronous, plain objects may answer directly. */
export interface RunnerStateStore {
  get(key: string): Promise<RunnerJobState | null> | RunnerJobState | null;
  put(key: string, state: RunnerJobState): Promise<void> | void;
  /** When present, replaces `put`: the states of a whole tick, written together once its last
   * job has ended (a store writes them in one transaction). If it throws, `runSyncRunner`
   * rejects with that error, after every job of the tick has ended. */
  putMany?(entries: ReadonlyArray<readonly [string, RunnerJobState]>): Promise<void> | void;
}

export interface JobOutcome {
  newMessages: number;
  bytes: number;
}

export type JobStatus = 'ok' | 'failed' | 'skipped-backoff' | 'deferred';

export interface JobReport<R> {
  key: string;
  accountId: number;
  folder: string;
  status: JobStatus;
  result?: R;
  error?: { code: ErrorCode | 'UNKNOWN'; message: string };
  nextAllowedAt: number;
}

/** What one tick of `runSyncRunner` did, with one entry per job given. */
export interface SyncRunnerReport<R> {
  /** Random id of this tick, for logs. */
  runId: string;
  /** Jobs that were run. */
  attempted: number;
  /** Jobs that ran without error. */
  succeeded: number;
  /** Jobs that threw; each now backs off. */
  failed: number;
  /** Jobs not run because they were still in their backoff window. */
  skipped: number;
  /** Due jobs not run because `maxConcurrency` was reached; they go first next tick. */
  deferred: number;
  /** One report per job, in the order they finished (skipped and deferred ones first). */
  results: JobReport<R>[];
}

export interface RunnerMetrics {
  attempts: number;
  successes: number;
  failures: number;
  messages: number;
  bytes: number;
}

export function createRunnerMetrics(): RunnerMetrics {
  return { attempts: 0, successes: 0, failures: 0, messages: 0, bytes: 0 };
}

export const jobKey = (job: { accountId: number; folder: string }): string => `${job.accountId}::${job.folder}`;

export function backoffSeconds(failureCount: number, code: string, config: Required<SyncRunnerConfig>, retryAfterMs?: number): number {
  const exponential = Math.min(config.baseBackoffSeconds * 2 ** Math.max(0, failureCount - 1), config.maxBackoffSeconds);
  if (code === 'AUTH' || code === 'CONFIG') return config.maxBackoffSeconds;
  if (code === 'THROTTLED' && retryAfterMs !== undefined) return Math.max(exponential, Math.ceil(retryAfterMs / 1000));
  return exponential;
}

export async function runSyncRunner<R extends JobOutcome>(
  jobs: SyncJob[],
  nowTs: number,
  config: SyncRunnerConfig,
  deps: {
    runJob(job: SyncJob): Promise<R>;
    state: RunnerStateStore;
    metrics?: RunnerMetrics;
    /** Replaces `backoffSeconds` (the service adds jitter and a longer AUTH wait). */
    retryDelaySeconds?: (failureCount: number, error: unknown) => number;
  },
): Promise<SyncRunnerReport<R>> {
  const settings: Required<SyncRunnerConfig> = {
    maxConcurrency: Math.max(1, config.maxConcurrency ?? 4),
    baseBackoffSeconds: config.baseBackoffSeconds ?? 10,
    maxBackoffSeconds: config.maxBackoffSeconds ?? 300,
    maxConnectionsPerAccount: Math.max(1, config.maxConnectionsPerAccount ?? 1),
  };
  const report: SyncRunnerReport<R> = {
    runId: `run-${nowTs}-${Math.random().toString(36).slice(2, 10)}`,
    attempted: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    deferred: 0,
    results: [],
  };
  const due: Array<{ job: SyncJob; state: RunnerJobState; index: number }> = [];
  /** With `putMany`: the tick's new states, written when its last job has ended. */
  const pending: Array<readonly [string, RunnerJobState]> = [];
  for (const [index, job] of jobs.entries()) {
    const state = (await deps.state.get(jobKey(job))) ?? { nextAllowedAt: 0, failureCount: 0, lastError: null, lastAttemptAt: null };
    if (nowTs < state.nextAllowedAt) {
      report.skipped++;
      report.results.push({ key: jobKey(job), accountId: job.accountId, folder: job.folder, status: 'skipped-backoff', nextAllowedAt: state.nextAllowedAt });
    } else due.push({ job, state, index });
  }
  due.sort((a, b) => (a.state.lastAttemptAt ?? -Infinity) - (b.state.lastAttemptAt ?? -Infinity) || a.index - b.index);
  const selected = due.slice(0, settings.maxConcurrency);
  for (const { job, state } of due.slice(settings.maxConcurrency)) {
    report.deferred++;
    report.results.push({ key: jobKey(job), accountId: job.accountId, folder: job.folder, status: 'deferred', nextAllowedAt: state.nextAllowedAt });
  }

  const activePerAccount = new Map<number, number>();
  const waiting = [...selected];
  await new Promise<void>((resolveAll) => {
    let running = 0;
    const startMore = (): void => {
      for (let i = 0; i < waiting.length; ) {
        const entry = waiting[i] as (typeof waiting)[number];
        if ((activePerAccount.get(entry.job.accountId) ?? 0) >= settings.maxConnectionsPerAccount) {
          i++;
          continue;
        }
        waiting.splice(i, 1);
        running++;
        activePerAccount.set(entry.job.accountId, (activePerAccount.get(entry.job.accountId) ?? 0) + 1);
        void runOne(entry.job, entry.state).finally(() => {
          running--;
          activePerAccount.set(entry.job.accountId, (activePerAccount.get(entry.job.accountId) ?? 1) - 1);
          startMore();
        });
      }
      if (running === 0 && waiting.length === 0) resolveAll();
    };
    startMore();
  });
  if (deps.state.putMany && pending.length > 0) await deps.state.putMany(pending);
  return report;

  /** Records a job's new state: kept for `putMany`, or `put` at once. */
  async function save(key: string, state: RunnerJobState): Promise<void> {
    if (deps.state.putMany) pending.push([key, state]);
    else await deps.state.put(key, state);
  }

  async function runOne(job: SyncJob, previous: RunnerJobState): Promise<void> {
    const key = jobKey(job);
    report.attempted++;
    if (deps.metrics) deps.metrics.attempts++;
    try {
      const result = await deps.runJob(job);
      const state: RunnerJobState = { nextAllowedAt: nowTs, failureCount: 0, lastError: null, lastAttemptAt: nowTs };
      await save(key, state);
      report.succeeded++;
      if (deps.metrics) {
        deps.metrics.successes++;
        deps.metrics.messages += result.newMessages;
        deps.metrics.bytes += result.bytes;
      }
      report.results.push({ key, accountId: job.accountId, folder: job.folder, status: 'ok', result, nextAllowedAt: nowTs });
    } catch (error) {
      const code = isPrxError(error) ? error.code : 'UNKNOWN';
      const message = error instanceof Error ? error.message : String(error);
      const failureCount = previous.failureCount + 1;
      const wait = deps.retryDelaySeconds
        ? Math.max(1, Math.ceil(deps.retryDelaySeconds(failureCount, error)))
        : backoffSeconds(failureCount, code, settings, isPrxError(error) ? error.retryAfterMs : undefined);
      const state: RunnerJobState = { nextAllowedAt: nowTs + wait, failureCount, lastError: `${code}: ${message}`, lastAttemptAt: nowTs };
      // A state that cannot be written (STORAGE, LOCKED) must not turn into an unhandled rejection.
      await Promise.resolve()
        .then(() => save(key, state))
        .catch(() => undefined);
      report.failed++;
      if (deps.metrics) deps.metrics.failures++;
      report.results.push({ key, accountId: job.accountId, folder: job.folder, status: 'failed', error: { code, message }, nextAllowedAt: state.nextAllowedAt });
    }
  }
}

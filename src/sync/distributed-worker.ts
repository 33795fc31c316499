/**
 * One worker of the distributed runner: claims due jobs from the shared work queue (up to
 * `concurrency` at a time), runs each under its lease — renewed every third of the lease time,
 * and aborted when a renewal finds the lease gone — and releases it with the outcome: success
 * makes the job due again after `intervalMs` (at once when messages are still waiting), failure
 * backs off as the single-process runner does (runner.ts `backoffSeconds`). Several workers, in
 * any number of processes or hosts, share one PostgreSQL database; a worker that dies stops
 * renewing and its jobs are claimed again when the lease expires, resuming from the stored cursor.
 * Between claims it sleeps until the next job is due, `pollMs` at most, or a NOTIFY wakes it.
 * Stopping (its signal) interrupts running jobs; they are released due at once, without a
 * failure, and their next holder resumes from the stored cursor.
 */

import { isPrxError, type ErrorCode } from '../errors.js';
import type { Lease, LeaseOutcome, LeaseQueue } from './lease-queue.js';
import { backoffSeconds } from './runner.js';

export interface WorkerJobResult {
  /** New messages still waiting on the server: the job is due again at once. */
  remaining: number;
  newMessages: number;
}

export interface DistributedWorkerOptions {
  workerId: string;
  queue: LeaseQueue;
  /** Runs one job; must stop soon after `signal` aborts (the lease was lost or the worker stops). */
  runJob(lease: Lease, signal: AbortSignal): Promise<WorkerJobResult>;
  /** Jobs this worker runs at once (default 4). */
  concurrency?: number;
  /** Lease time (default 30 s); renewed every third of it. */
  leaseMs?: number;
  /** After a success, the job is due again after this long (default 60 s). */
  intervalMs?: number;
  baseBackoffSeconds?: number;
  maxBackoffSeconds?: number;
  /** Longest sleep between claim attempts when idle (default 1 s). */
  pollMs?: number;
  /** Return once no job is due or leased anywhere (batch runs, tests, benches). */
  exitWhenIdle?: boolean;
  /** Wakes the idle loop early (e.g. a LISTEN prx_jobs notification); see listenForJobs. */
  wake?: { subscribe(listener: () => void): () => void };
  signal?: AbortSignal;
  onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { kind: 'claimed'; lease: Lease }
  | { kind: 'released'; lease: Lease; outcome: LeaseOutcome; ours: boolean }
  | { kind: 'lease-lost'; lease: Lease };

export interface WorkerReport {
  claimed: number;
  succeeded: number;
  failed: number;
  leasesLost: number;
  newMessages: number;
}

export async function runDistributedWorker(options: DistributedWorkerOptions): Promise<WorkerReport> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const leaseMs = options.leaseMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 60_000;
  const pollMs = options.pollMs ?? 1000;
  const backoff = {
    maxConcurrency: concurrency,
    baseBackoffSeconds: options.baseBackoffSeconds ?? 10,
    maxBackoffSeconds: options.maxBackoffSeconds ?? 300,
    maxConnectionsPerAccount: 1,
  };
  const report: WorkerReport = { claimed: 0, succeeded: 0, failed: 0, leasesLost: 0, newMessages: 0 };
  const running = new Set<Promise<void>>();
  let wakeUp: (() => void) | null = null;
  const wake = (): void => {
    const resolve = wakeUp;
    wakeUp = null;
    resolve?.();
  };
  const unsubscribe = options.wake?.subscribe(wake);
  options.signal?.addEventListener('abort', wake, { once: true });

  /** Jobs running here, by account/folder: a re-grant of one of them to this worker (its lease
   * expired while this process was too busy to renew) supersedes the older run. */
  const local = new Map<string, AbortController>();

  const runOne = async (lease: Lease): Promise<void> => {
    const controller = new AbortController();
    const key = `${lease.accountId}\u0000${lease.folder}`;
    local.get(key)?.abort();
    local.set(key, controller);
    const stop = (): void => controller.abort();
    options.signal?.addEventListener('abort', stop, { once: true });
    let lost = false;
    let ended = false; // a renewal still in flight after the release is not a lost lease
    const renewal = setInterval(() => {
      options.queue.renew(lease, leaseMs).then(
        (ok) => {
          if (!ok && !lost && !ended) {
            lost = true;
            report.leasesLost++;
            options.onEvent?.({ kind: 'lease-lost', lease });
            controller.abort();
          }
        },
        () => undefined, // a failed renewal is retried at the next tick; expiry decides
      );
    }, Math.max(50, Math.floor(leaseMs / 3)));
    let outcome: LeaseOutcome;
    try {
      const result = await options.runJob(lease, controller.signal);
      report.newMessages += result.newMessages;
      outcome = { kind: 'ok', nextInMs: result.remaining > 0 ? 0 : intervalMs };
    } catch (error) {
      if (options.signal?.aborted && !lost) {
        outcome = { kind: 'interrupted' };
        return finish(outcome);
      }
      const code: ErrorCode | 'UNKNOWN' = isPrxError(error) ? error.code : 'UNKNOWN';
      const message = error instanceof Error ? error.message : String(error);
      const seconds = backoffSeconds(lease.failureCount + 1, code, backoff, isPrxError(error) ? error.retryAfterMs : undefined);
      outcome = { kind: 'failed', error: `${code}: ${message}`, backoffMs: seconds * 1000 };
    } finally {
      ended = true;
      if (local.get(key) === controller) local.delete(key);
      clearInterval(renewal);
      options.signal?.removeEventListener('abort', stop);
    }
    return finish(outcome);

    async function finish(result: LeaseOutcome): Promise<void> {
      const ours = await options.queue.release(lease, result).catch(() => false);
      if (result.kind === 'ok' && ours) report.succeeded++;
      else if (result.kind === 'failed') report.failed++;
      options.onEvent?.({ kind: 'released', lease, outcome: result, ours });
    }
  };

  try {
    while (!options.signal?.aborted) {
      let claimedAny = false;
      while (running.size < concurrency && !options.signal?.aborted) {
        let lease: Lease | null;
        try {
          lease = await options.queue.claim(options.workerId, leaseMs);
        } catch {
          lease = null; // the database is unreachable: sleep and try again
        }
        if (!lease) break;
        claimedAny = true;
        report.claimed++;
        options.onEvent?.({ kind: 'claimed', lease });
        const job: Promise<void> = runOne(lease).finally(() => {
          running.delete(job);
          wake();
        });
        running.add(job);
      }
      if (options.signal?.aborted) break;
      if (!claimedAny && running.size === 0 && options.exitWhenIdle) {
        const pending = await options.queue.pending().catch(() => 1);
        if (pending === 0) break;
      }
      let sleep = pollMs;
      if (running.size === 0) {
        const due = await options.queue.nextDueInMs().catch(() => null);
        if (due !== null) sleep = Math.min(pollMs, Math.max(10, due));
      }
      if (claimedAny && running.size < concurrency) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sleep);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = null;
    }
  } finally {
    await Promise.allSettled([...running]);
    unsubscribe?.();
    options.signal?.removeEventListener('abort', wake);
  }
  return report;
}

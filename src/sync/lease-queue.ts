/**
 * The distributed worker's port (distributed-worker.ts): the jobs, leases and outcomes it deals
 * in, and the five operations it needs from a shared queue. Types only; the PostgreSQL work queue
 * (src/store/work-queue.ts) implements `LeaseQueue`.
 */

export interface QueueJob {
  accountId: number;
  folder: string;
  maxMessages: number;
}

export interface Lease extends QueueJob {
  workerId: string;
  /** Grant number of this job: increases with every grant (a fencing token). */
  seq: number;
  /** Failures in a row before this run (for the backoff). */
  failureCount: number;
}

export type LeaseOutcome =
  | { kind: 'ok'; /** run again after this many ms (0: now, e.g. more messages are waiting) */ nextInMs: number }
  | { kind: 'failed'; error: string; backoffMs: number }
  /** The worker is shutting down: due again at once, failure count and last error unchanged. */
  | { kind: 'interrupted' };

export interface LeaseQueue {
  /** Leases one due job whose account is under its cap, or null when none can be had now. */
  claim(workerId: string, leaseMs: number): Promise<Lease | null>;
  /** Extends the lease; false when it is no longer ours (taken by another worker after it
   * expired, or released). A lease that expired but was not claimed again (same grant number)
   * is still ours: nobody else ran the job in between. */
  renew(lease: Lease, leaseMs: number): Promise<boolean>;
  /** Ends the lease with the outcome; false when it was no longer ours (nothing is changed). */
  release(lease: Lease, outcome: LeaseOutcome): Promise<boolean>;
  /** Jobs due now or leased (live or expired): 0 when the queue has nothing to do now. */
  pending(): Promise<number>;
  /** ms until the next job becomes due (null when there are no jobs). */
  nextDueInMs(): Promise<number | null>;
}

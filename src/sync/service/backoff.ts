/**
 * Reconnect and retry delays of the service: the runner's exponential backoff
 * (`backoffSeconds`: base * 2^(n-1) capped, THROTTLED honours the server) with "equal jitter"
 * (half fixed, half random) so that many connections cut at once do not come back at once, and
 * a long fixed wait for rejected credentials (AUTH / CONFIG) that retrying will not fix.
 */
import { isPrxError } from '../../errors.js';
import { backoffSeconds } from '../runner.js';

export interface BackoffPolicy {
  baseBackoffSeconds: number;
  maxBackoffSeconds: number;
  authBackoffSeconds: number;
}

export function errorCode(error: unknown): string {
  return isPrxError(error) ? error.code : 'UNKNOWN';
}

/** True for errors that waiting a little will not fix. */
export function isPermanent(code: string): boolean {
  return code === 'AUTH' || code === 'CONFIG' || code === 'TLS';
}

/** Seconds to wait after the `failures`-th failure in a row (1 = first) with `error`. */
export function retryDelaySeconds(failures: number, error: unknown, policy: BackoffPolicy, random: () => number = Math.random): number {
  const code = errorCode(error);
  if (isPermanent(code)) return policy.authBackoffSeconds;
  const settings = { maxConcurrency: 1, maxConnectionsPerAccount: 1, baseBackoffSeconds: policy.baseBackoffSeconds, maxBackoffSeconds: policy.maxBackoffSeconds };
  const exact = backoffSeconds(failures, code, settings, isPrxError(error) ? error.retryAfterMs : undefined);
  if (code === 'THROTTLED') return exact; // the server said how long; never earlier
  return exact / 2 + (exact / 2) * Math.min(1, Math.max(0, random()));
}

/**
 * What the sync service keeps in memory per configured account: its folder jobs, IDLE watchers,
 * state and backoff (`AccountRuntime`), and the pure readings of it — the status it reports, the
 * configuration fingerprint that decides whether a reload restarts it, when the scheduler must
 * wake next — plus the NOOP probe of a connection left unused for a while.
 */
import type { ImapClient } from '../../imap/session/client.js';
import { jobKey, type RunnerJobState } from '../runner.js';
import type { ServiceSchedule } from './config.js';
import type { IdleWatcher } from './idle-watcher.js';
import type { AccountStatus, ServiceAccount, ServiceState, SyncTrigger } from './service-types.js';

export interface JobRuntime {
  folder: string;
  dirty: boolean;
  trigger: SyncTrigger;
  running: boolean;
  lastOkAt: number;
  remaining: number | null;
  lastError: string | null;
}

export interface AccountRuntime {
  config: ServiceAccount;
  fingerprint: string;
  accountId: number | null;
  jobs: Map<string, JobRuntime>;
  watchers: Map<string, IdleWatcher>;
  state: ServiceState;
  lastError: string | null;
  blockedUntil: number;
  setupFailures: number;
  settingUp: boolean;
  /** When the folder list was last resolved (0: not yet). */
  resolvedAt: number;
  removed: boolean;
  lastUsedAt: number;
}

/** Runner states of the jobs, by `jobKey`. */
export type RunnerStates = ReadonlyMap<string, RunnerJobState>;

/** Connections unused this long are probed with NOOP before a sync trusts them. */
export const PROBE_AFTER_MS = 120_000;

/** The error code at the start of a stored `CODE: message`. */
export function codeOf(lastError: string | null): string {
  return /^([A-Z_]+):/.exec(lastError ?? '')?.[1] ?? 'UNKNOWN';
}

export function describeDetail(detail: { code?: string; retryAt?: number }): string {
  if (detail.code === undefined) return '';
  return ` (${detail.code}${detail.retryAt !== undefined ? `, retry at ${new Date(detail.retryAt).toISOString()}` : ''})`;
}

/** Everything of an account's configuration that a reload compares (secrets included). */
export function fingerprint(account: ServiceAccount): string {
  const auth = account.imap.auth;
  return JSON.stringify({
    ...account,
    imap: { ...account.imap, tls: { mode: account.imap.tls?.mode, ca: account.imap.tls?.ca ? String(account.imap.tls.ca) : undefined }, auth: { p: auth.password, t: auth.oauthToken, f: typeof auth.oauthTokenProvider } },
  });
}

/** A configured account before its first setup. */
export function newAccountRuntime(config: ServiceAccount): AccountRuntime {
  return {
    config,
    fingerprint: fingerprint(config),
    accountId: null,
    jobs: new Map(),
    watchers: new Map(),
    state: 'starting',
    lastError: null,
    blockedUntil: 0,
    setupFailures: 0,
    settingUp: false,
    resolvedAt: 0,
    removed: false,
    lastUsedAt: 0,
  };
}

export function restingState(account: AccountRuntime): ServiceState {
  return account.watchers.size > 0 ? 'watching' : 'polling';
}

export function accountStatus(account: AccountRuntime, runnerStates: RunnerStates): AccountStatus {
  return {
    name: account.config.name,
    accountId: account.accountId,
    state: account.state,
    lastError: account.lastError,
    folders: [...account.jobs.values()].map((job) => {
      const state = account.accountId === null ? null : (runnerStates.get(jobKey({ accountId: account.accountId, folder: job.folder })) ?? null);
      return {
        folder: job.folder,
        watching: account.watchers.has(job.folder),
        running: job.running,
        lastSyncAt: job.lastOkAt || null,
        remaining: job.remaining,
        lastError: job.lastError,
        nextAttemptAt: state && state.nextAllowedAt * 1000 > Date.now() ? state.nextAllowedAt * 1000 : null,
      };
    }),
  };
}

/** When the scheduler must look again (Unix ms): the earliest job due, backoff or account block
 * over, an hour from `now` at most. */
export function nextWakeUpAt(accounts: Iterable<AccountRuntime>, runnerStates: RunnerStates, schedule: ServiceSchedule, now: number): number {
  let next = now + 3_600_000;
  for (const account of accounts) {
    if (account.removed) continue;
    if (account.blockedUntil > now) next = Math.min(next, account.blockedUntil);
    for (const job of account.jobs.values()) {
      if (job.running) continue;
      let at = job.dirty ? now : job.lastOkAt + schedule.intervalSeconds * 1000;
      if (account.accountId !== null) {
        const state = runnerStates.get(jobKey({ accountId: account.accountId, folder: job.folder }));
        if (state && state.nextAllowedAt * 1000 > at) at = state.nextAllowedAt * 1000;
      }
      next = Math.min(next, Math.max(at, account.blockedUntil));
    }
  }
  return next;
}

/** NOOP, closing the connection when no answer comes within 10 s. */
export async function probe(client: ImapClient): Promise<void> {
  let timeout: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.noop(),
      new Promise((_, reject) => {
        timeout = setTimeout(() => {
          client.close();
          reject(new Error('probe timed out'));
        }, 10_000);
      }),
    ]);
  } finally {
    clearTimeout(timeout);
  }
}

/** The runner states of an account's jobs with their backoff lifted (`nextAllowedAt` 0): what a
 * restarted account with changed settings (a corrected password, say) starts from, instead of
 * the wait its old settings earned. */
export function liftedBackoffs(account: AccountRuntime, runnerStates: RunnerStates): Array<[string, RunnerJobState]> {
  if (account.accountId === null) return [];
  const lifted: Array<[string, RunnerJobState]> = [];
  for (const job of account.jobs.values()) {
    const key = jobKey({ accountId: account.accountId, folder: job.folder });
    const state = runnerStates.get(key);
    if (state && state.nextAllowedAt > 0) lifted.push([key, { ...state, nextAllowedAt: 0 }]);
  }
  return lifted;
}

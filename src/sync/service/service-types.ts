/**
 * The sync service's vocabulary: the accounts it runs, its options, the events it emits, the
 * per-account and per-folder status it reports, and the service handle itself. Behaviour is in
 * sync-service.ts.
 */
import type { Store } from '../../store/index.js';
import type { AccountConfig, EmailPluginOptions, Logger } from '../email-plugin.js';
import type { ProviderName } from '../providers.js';
import type { RunnerMetrics } from '../runner.js';
import type { FolderSelector, ServiceSchedule } from './config.js';

/** An account as the service runs it: connection settings with the secret already resolved. */
export interface ServiceAccount {
  /** Unique name of the account within the service; used in events, logs and status. */
  name: string;
  /** The account's e-mail address; with the provider it identifies the account in the store. */
  email: string;
  /** Provider preset that fills in host, port and TLS mode left out of `imap`. */
  provider?: ProviderName;
  /** IMAP connection settings, with the secret already in `auth`. */
  imap: AccountConfig['imap'];
  /** Folders to sync: names and special-use selectors, or `'all'` for every selectable folder. */
  folders: FolderSelector[] | 'all';
  /** Folders that get an IDLE connection for push (default: INBOX when synced, else the first folder); capped at `maxConnections - 1`. */
  idleFolders?: string[];
  /** One connection syncs, the others IDLE (default 2). */
  maxConnections?: number;
  /** Default 500. */
  maxMessagesPerSync?: number;
}

/** Why a folder was synced: service start, the poll interval, an IDLE push, a reconnect, a detected wake from sleep, or a retry after a failure. */
export type SyncTrigger = 'start' | 'poll' | 'push' | 'reconnect' | 'wake' | 'retry';

/** Payload of the `synced` event: one folder synced until its backlog was empty (or the service stopped), with totals over the sync calls this took. */
export interface SyncedEvent {
  /** Name of the account (`ServiceAccount.name`). */
  account: string;
  /** The account's id in the store. */
  accountId: number;
  /** The folder synced, as the server names it. */
  folder: string;
  /** What caused this sync. */
  trigger: SyncTrigger;
  /** Messages newly stored. */
  new: number;
  /** Stored messages whose flags changed on the server. */
  updated: number;
  /** Stored messages tombstoned because they are gone from the server. */
  deleted: number;
  /** Of the new messages, those whose MIME parsing failed (stored raw, with the parse error). */
  failed: number;
  /** Messages still to fetch after the last call (0 unless the service stopped or the account was removed mid-backlog). */
  remaining: number;
  /** Bytes of message data fetched. */
  bytes: number;
  /** True when the server's UIDVALIDITY changed (RFC 3501) and the folder's cache was rebuilt. */
  uidvalidityChanged: boolean;
  /** Wall-clock time of the run, in milliseconds. */
  durationMs: number;
  /** When the run finished, in Unix milliseconds. */
  at: number;
}

/** Payload of the `error` event: a failed sync or account setup, with the time of the next attempt. */
export interface ServiceErrorEvent {
  /** Name of the account. */
  account: string;
  /** The folder whose sync failed, or null when the account itself failed (connecting, login, folder list). */
  folder: string | null;
  /** Error code of the library's error (`AUTH`, `TLS`, `NETWORK`, `THROTTLED`, ...), or `UNKNOWN` for other errors. */
  code: string;
  /** Human-readable error message. */
  message: string;
  /** Unix ms of the next attempt. */
  retryAt: number;
}

/** State of an account (or of one IDLE connection) in the sync service: `starting` before its first setup, `syncing` while a sync runs, `watching` when IDLE connections push changes (for an IDLE connection: it is idling), `polling` when it is only polled, `connecting` (IDLE connections only), `backoff` after a failure that will be retried, `auth-failed` after rejected credentials (or a CONFIG/TLS error), retried only after `authBackoffSeconds`, and `stopped`. */
export type ServiceState = 'starting' | 'syncing' | 'watching' | 'polling' | 'connecting' | 'backoff' | 'auth-failed' | 'stopped';

/** Payload of the `state` event: an account or one of its IDLE connections changed state. */
export interface StateEvent {
  /** Name of the account. */
  account: string;
  /** null: the account as a whole (sync connection / folder list); else an IDLE connection. */
  folder: string | null;
  /** The new state. */
  state: ServiceState;
  /** The state before, or null for an IDLE connection's first state. */
  previous: ServiceState | null;
  /** Error code that caused the change, for `backoff` and `auth-failed`. */
  code?: string;
  /** When the next attempt is due, in Unix milliseconds, for `backoff` and `auth-failed`. */
  retryAt?: number;
}

/** The events of a `SyncService` and their payloads, for `SyncService.on`. */
export interface ServiceEvents {
  /** A folder was synced. */
  synced: SyncedEvent;
  /** A sync or account setup failed; it will be retried at `retryAt`. */
  error: ServiceErrorEvent;
  /** An account or IDLE connection changed state. */
  state: StateEvent;
}

/** Status of one synced folder, as `SyncService.status()` reports it. */
export interface FolderStatus {
  /** The folder, as the server names it. */
  folder: string;
  /** True when an IDLE connection watches this folder for push. */
  watching: boolean;
  /** True while a sync of this folder runs. */
  running: boolean;
  /** When the last successful sync finished, in Unix milliseconds; null before the first one since the service started. */
  lastSyncAt: number | null;
  /** Messages still to fetch after the last sync call; null before the first one. */
  remaining: number | null;
  /** The last sync failure as `CODE: message`; null after a success. */
  lastError: string | null;
  /** When a failed folder may be retried, in Unix milliseconds; null when it is not backing off. */
  nextAttemptAt: number | null;
}

/** Status of one configured account, as `SyncService.status()` reports it. */
export interface AccountStatus {
  /** Name of the account. */
  name: string;
  /** The account's id in the store; null until the account was first set up. */
  accountId: number | null;
  /** The account's current state. */
  state: ServiceState;
  /** The most recent failure of the account or one of its folders as `CODE: message`, kept after later successes; null if there was none. */
  lastError: string | null;
  /** Status of each folder the account syncs (empty until the folder list is resolved). */
  folders: FolderStatus[];
}

/** Options of `createSyncService`. */
export interface SyncServiceOptions {
  /** The store the messages are synced into; the service saves it when it stops. */
  store: Store;
  /** The accounts to run; names must be unique (else `start()` throws a ConfigError). */
  accounts: ServiceAccount[];
  /** Overrides of `DEFAULT_SCHEDULE` (intervals, concurrency, backoff, IDLE). */
  schedule?: Partial<ServiceSchedule>;
  /** Receives structured log records; nothing is logged without one. */
  logger?: Logger;
  /** Extra session options for every connection (timeouts, transcript...). */
  session?: EmailPluginOptions['session'];
  /** Worker threads for MIME parsing (default: one per CPU core beyond the first, at most 3); the pool is started on first use. */
  parseWorkers?: number;
  /** Grace period for in-flight syncs at stop() before they are aborted (default 500 ms). */
  stopGraceMs?: number;
  /** Randomness for jitter (tests). */
  random?: () => number;
  /** Sleep/wake detection: tick, the jump that counts as a wake, and the clock (tests). */
  wake?: {
    /** How often the clock is checked, in ms (default 5000). */
    tickMs?: number;
    /** Time beyond the tick that counts as a sleep, in ms (default 30000). */
    thresholdMs?: number;
    /** Clock in Unix ms (default `Date.now`). */
    now?: () => number;
  };
}

/** A running multi-account sync service, created by `createSyncService`. */
export interface SyncService {
  /** Starts syncing every account: sets each up (store account, folder list, IDLE watchers) and schedules its folders. Does nothing if already running; throws a ConfigError for a duplicate account name or invalid connection settings. */
  start(): Promise<void>;
  /** Stops the service: lets in-flight sync calls finish within `stopGraceMs`, then aborts them, closes every connection, saves the store and ends every `changes()` iterator. Does nothing if not running. */
  stop(): Promise<void>;
  /** Applies a new configuration without a restart: accounts whose settings (secrets included) changed or that are gone are stopped, new or changed ones are started (a changed account's backoff is forgotten); the schedule is replaced (unset fields take their defaults). On a service that is not running it only replaces what the next `start()` runs. Throws a ConfigError, changing nothing, for a duplicate account name or invalid connection settings. */
  reload(config: { accounts: ServiceAccount[]; schedule?: Partial<ServiceSchedule> }): Promise<void>;
  /** Subscribes `listener` to an event; returns a function that unsubscribes it. A listener that throws is logged, never propagated. */
  on<E extends keyof ServiceEvents>(event: E, listener: (data: ServiceEvents[E]) => void): () => void;
  /** Syncs that stored, updated or deleted something, until the service stops. */
  changes(): AsyncIterableIterator<SyncedEvent>;
  /** The current status of every account and its folders. */
  status(): AccountStatus[];
  /** Counters over every sync job since the service was created: attempts, successes, failures, new messages and bytes fetched. */
  readonly metrics: RunnerMetrics;
  /** True between `start()` and `stop()`. */
  readonly running: boolean;
}

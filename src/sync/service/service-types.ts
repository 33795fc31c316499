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
  name: string;
  email: string;
  provider?: ProviderName;
  imap: AccountConfig['imap'];
  folders: FolderSelector[] | 'all';
  idleFolders?: string[];
  /** One connection syncs, the others IDLE (default 2). */
  maxConnections?: number;
  /** Default 500. */
  maxMessagesPerSync?: number;
}

export type SyncTrigger = 'start' | 'poll' | 'push' | 'reconnect' | 'wake' | 'retry';

export interface SyncedEvent {
  account: string;
  accountId: number;
  folder: string;
  trigger: SyncTrigger;
  new: number;
  updated: number;
  deleted: number;
  failed: number;
  remaining: number;
  bytes: number;
  uidvalidityChanged: boolean;
  durationMs: number;
  at: number;
}

export interface ServiceErrorEvent {
  account: string;
  folder: string | null;
  code: string;
  message: string;
  /** Unix ms of the next attempt. */
  retryAt: number;
}

export type ServiceState = 'starting' | 'syncing' | 'watching' | 'polling' | 'connecting' | 'backoff' | 'auth-failed' | 'stopped';

export interface StateEvent {
  account: string;
  /** null: the account as a whole (sync connection / folder list); else an IDLE connection. */
  folder: string | null;
  state: ServiceState;
  previous: ServiceState | null;
  code?: string;
  retryAt?: number;
}

export interface ServiceEvents {
  synced: SyncedEvent;
  error: ServiceErrorEvent;
  state: StateEvent;
}

export interface FolderStatus {
  folder: string;
  watching: boolean;
  running: boolean;
  lastSyncAt: number | null;
  remaining: number | null;
  lastError: string | null;
  nextAttemptAt: number | null;
}

export interface AccountStatus {
  name: string;
  accountId: number | null;
  state: ServiceState;
  lastError: string | null;
  folders: FolderStatus[];
}

export interface SyncServiceOptions {
  store: Store;
  accounts: ServiceAccount[];
  schedule?: Partial<ServiceSchedule>;
  logger?: Logger;
  /** Extra session options for every connection (timeouts, transcript...). */
  session?: EmailPluginOptions['session'];
  parseWorkers?: number;
  /** Grace period for in-flight syncs at stop() before they are aborted (default 500 ms). */
  stopGraceMs?: number;
  /** Randomness for jitter (tests). */
  random?: () => number;
  /** Sleep/wake detection: tick, the jump that counts as a wake, and the clock (tests). */
  wake?: { tickMs?: number; thresholdMs?: number; now?: () => number };
}

export interface SyncService {
  start(): Promise<void>;
  stop(): Promise<void>;
  reload(config: { accounts: ServiceAccount[]; schedule?: Partial<ServiceSchedule> }): Promise<void>;
  on<E extends keyof ServiceEvents>(event: E, listener: (data: ServiceEvents[E]) => void): () => void;
  /** Syncs that stored, updated or deleted something, until the service stops. */
  changes(): AsyncIterableIterator<SyncedEvent>;
  status(): AccountStatus[];
  readonly metrics: RunnerMetrics;
  readonly running: boolean;
}

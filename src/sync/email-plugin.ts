/**
 * The public API, `EmailPlugin`: register accounts (secrets stay
 * in memory, never in the database), sync one folder or all of them, run the multi-job runner.
 * One IMAP connection per account, reused across folders and calls; a broken connection is
 * dropped and reopened by the next call.
 */

import { CommandError, ConfigError, isPrxError } from '../errors.js';
import { openImapSession, type ImapClient, type ImapSessionOptions, type MailboxInfo } from '../imap/session/client.js';
import { createParsePool, defaultParseWorkers, type ParsePool } from '../mime/parse-pool.js';
import type { Store } from '../store/index.js';
import { syncFolder, type FolderSyncResult, type ParseMessage } from './folder-sync.js';
import { planFolderLifecycle, type LifecyclePlan } from './folder-lifecycle.js';
import { canonicalFolder, resolveSpecialUse, specialUseSelector, type KnownFolder } from './folder-names.js';
import {
  createRunnerMetrics,
  runSyncRunner,
  type RunnerMetrics,
  type SyncJob,
  type SyncRunnerConfig,
  type SyncRunnerReport,
} from './runner.js';
import { withParseBackPressure } from './parse-back-pressure.js';
import { createFolderSession } from './session-adapter.js';
import { createSyncStore } from './store-adapter.js';
import { resolveAccount, type AccountConfig } from './account-config.js';
import { asPrxError, deletedFolderResult, sinceDay, type FolderOutcome, type SyncRequest } from './sync-request.js';

export { resolveAccount, type AccountConfig } from './account-config.js';
export { asPrxError, sinceDay, type FolderOutcome, type SyncRequest } from './sync-request.js';

/** Where the library sends log records: any object with some of these methods, e.g. a pino logger. Each record is a structured object (with an `event` field) and an optional human-readable message; missing methods drop their level. Records never contain secrets. */
export interface Logger {
  /** Normal operation: state changes, folders synced, reloads. */
  info?(obj: object, msg?: string): void;
  /** Recoverable problems: failed syncs that will be retried, missing folders. */
  warn?(obj: object, msg?: string): void;
  /** Failures the library cannot handle itself, e.g. a store write or an event listener that threw. */
  error?(obj: object, msg?: string): void;
  /** Detail for troubleshooting. */
  debug?(obj: object, msg?: string): void;
}

/** Options of `new EmailPlugin(...)`. */
export interface EmailPluginOptions {
  /** The store that messages, folder state and runner state are written to. */
  store: Store;
  /** Receives structured log records; nothing is logged without one. */
  logger?: Logger;
  /** Extra session options for every connection (timeouts, compress, trace). */
  session?: Partial<Omit<ImapSessionOptions, 'host' | 'port' | 'user' | 'auth' | 'tls'>>;
  /** Messages above this size are stored with headers only (default 25 MiB). */
  maxMessageBytes?: number;
  /** Override the MIME parser (tests). */
  parse?: ParseMessage;
  /** Worker threads for MIME parsing (default: one per core beyond the first, at most 3; 0 =
   * parse on the calling thread, without a time budget). */
  parseWorkers?: number;
  /** Wall-clock budget of one message's parse in a worker (default 20 s): over it, the worker is
   * replaced and the message stored headers-only with parseError. */
  parseTimeoutMs?: number;
  /** Stop reading from the server while the parse queue holds more than this (default 64 MiB). */
  maxQueuedParseBytes?: number;
}

interface AccountRuntime {
  options: ImapSessionOptions;
  connection: Promise<ImapClient> | null;
  /** Serialises operations on the account's single connection. */
  queue: Promise<unknown>;
}

/** The library's main entry point: register accounts (secrets stay in memory, never in the database), list and sync folders into the store, run the multi-job runner. One IMAP connection per account, reused across calls, one operation at a time; a broken connection is reopened by the next call. */
export class EmailPlugin {
  /** Counters over every job `runSyncRunner` ran on this plugin: attempts, successes, failures, new messages and bytes fetched. */
  readonly metrics: RunnerMetrics = createRunnerMetrics();
  private readonly accounts = new Map<number, AccountRuntime>();
  private readonly store: Store;
  private readonly logger: Logger;
  private readonly parse: ParseMessage;

  constructor(private readonly options: EmailPluginOptions) {
    this.store = options.store;
    this.logger = options.logger ?? {};
    this.parse =
      options.parse ??
      ((raw, opts) => {
        this.parsePool ??= createParsePool(this.options.parseWorkers ?? defaultParseWorkers(), {
          ...(this.options.parseTimeoutMs !== undefined ? { parseTimeoutMs: this.options.parseTimeoutMs } : {}),
        });
        return this.parsePool.parse(raw, opts);
      });
  }

  private parsePool: ParsePool | null = null;

  /** Registers (or re-registers, e.g. at start-up with fresh credentials) an account. */
  async addAccount(config: AccountConfig, nowTs = Math.floor(Date.now() / 1000)): Promise<number> {
    const options = resolveAccount(config);
    const settings = { host: options.host, port: options.port, user: options.user, tlsMode: options.tls?.mode ?? 'implicit' };
    const id = await this.store.upsertAccount({ email: config.email, provider: config.provider ?? null, settings }, nowTs);
    const previous = this.accounts.get(id);
    if (previous?.connection) void previous.connection.then((client) => client.logout(), () => undefined);
    this.accounts.set(id, { options: { ...this.options.session, ...options }, connection: null, queue: Promise.resolve() });
    await this.store.saveIfDirty();
    return id;
  }

  private runtime(accountId: number): AccountRuntime {
    const runtime = this.accounts.get(accountId);
    if (!runtime) throw new ConfigError(`account ${accountId} is not registered in this process (call addAccount with its credentials)`);
    return runtime;
  }

  /** Runs `work` with the account's connection, one operation at a time per account. */
  private withConnection<T>(accountId: number, signal: AbortSignal | undefined, work: (client: ImapClient) => Promise<T>): Promise<T> {
    const runtime = this.runtime(accountId);
    const run = async (): Promise<T> => {
      if (runtime.connection) {
        const existing = await runtime.connection.catch(() => null);
        if (!existing || existing.closed) runtime.connection = null;
      }
      runtime.connection ??= openImapSession({ ...runtime.options, ...(signal ? { signal } : {}) });
      let client: ImapClient;
      try {
        client = await runtime.connection;
      } catch (error) {
        runtime.connection = null;
        throw error;
      }
      try {
        return await work(client);
      } catch (error) {
        // Anything but a tagged NO/BAD (throttling is one) may have left the connection in an
        // unknown state.
        const code = isPrxError(error) ? error.code : 'UNKNOWN';
        if (code !== 'NO' && code !== 'BAD' && code !== 'THROTTLED') {
          client.close();
          runtime.connection = null;
        }
        throw error;
      }
    };
    const next = runtime.queue.then(run, run);
    runtime.queue = next.catch(() => undefined);
    return next;
  }

  /**
   * The folder a request means, as the store keys it: a special-use selector (`\\Sent`) through
   * LIST, a display or wire name through the folders the store knows (see folder-names.ts).
   */
  private async resolveFolder(client: ImapClient, accountId: number, requested: string, signal?: AbortSignal): Promise<KnownFolder> {
    const selector = specialUseSelector(requested);
    if (selector === null) return canonicalFolder(requested, await this.store.listFolders(accountId), client.enabled.has('UTF8=ACCEPT'));
    const folders = await client.list({}, signal);
    await this.reconcileFolders(client, accountId, folders, Math.floor(Date.now() / 1000), signal);
    const found = resolveSpecialUse(folders, selector);
    if (!found) throw new CommandError('NO', `no folder for ${selector} on this server`, { command: 'LIST', responseCode: 'NONEXISTENT' });
    return { name: found.name, displayName: found.displayName };
  }

  /**
   * Applies what a full LIST says (folder-lifecycle.ts): renamed folders keep their rows under
   * the new name, gone ones are tombstoned and marked, returning ones are live again; then every
   * listed folder is recorded. Returns the plan with the tombstone count per gone folder.
   */
  private async reconcileFolders(
    client: ImapClient,
    accountId: number,
    folders: MailboxInfo[],
    nowTs: number,
    signal?: AbortSignal,
  ): Promise<{ plan: LifecyclePlan; tombstoned: Map<number, number> }> {
    const plan = await planFolderLifecycle(await this.store.listFolderLifecycle(accountId), folders, async (folder) => {
      try {
        const status = await client.status(folder.name, ['UIDVALIDITY', 'UIDNEXT'], signal);
        return { uidValidity: status.uidValidity ?? null, uidNext: status.uidNext ?? null };
      } catch (error) {
        if (isPrxError(error) && error.code === 'NO') return null;
        throw error;
      }
    }, async (name) => {
      try {
        await client.status(name, ['UIDVALIDITY'], signal);
        return true;
      } catch (error) {
        if (isPrxError(error) && error.code === 'NO') return false;
        throw error;
      }
    });
    for (const rename of plan.renames) {
      await this.store.renameFolder(accountId, rename.folderId, {
        name: rename.to.name,
        displayName: rename.to.displayName,
        delimiter: rename.to.delimiter,
        specialUse: rename.to.specialUse,
      });
      this.logger.info?.({ event: 'folder_renamed', account: accountId, from: rename.from, to: rename.to.name }, 'folder renamed on the server');
    }
    const tombstoned = new Map<number, number>();
    for (const gone of plan.gone) {
      tombstoned.set(gone.folderId, await this.store.markFolderDeleted(accountId, gone.folderId, nowTs));
      this.logger.info?.({ event: 'folder_deleted', account: accountId, folder: gone.name }, 'folder no longer on the server');
    }
    for (const folderId of plan.back) await this.store.markFolderPresent(folderId);
    await this.recordFolders(accountId, folders);
    return { plan, tombstoned };
  }

  private async recordFolders(accountId: number, folders: MailboxInfo[]): Promise<void> {
    for (const folder of folders) {
      await this.store.ensureFolder(accountId, folder.name, {
        displayName: folder.displayName,
        delimiter: folder.delimiter,
        specialUse: folder.specialUse,
      });
    }
  }

  /** Syncs one folder; see docs/sync.md for the rules. `folder` may be a special-use selector
   * (`\\Sent`), a display name or the server's name. */
  async sync(request: SyncRequest): Promise<FolderSyncResult> {
    let folder = request.folder ?? 'INBOX';
    let cursor: number | undefined;
    if (request.cursor !== undefined && request.cursor !== null && request.cursor !== '') {
      cursor = Number(request.cursor);
      if (!Number.isInteger(cursor) || cursor < 0) throw new ConfigError(`cursor must be a UID (got ${String(request.cursor)})`);
    }
    const since = request.since === undefined ? undefined : sinceDay(request.since);
    const started = Date.now();
    try {
      const result = await this.withConnection(request.accountId, request.signal, async (client) => {
        const target = await this.resolveFolder(client, request.accountId, folder, request.signal);
        folder = target.name;
        const run = syncFolder(createFolderSession(client, { maxMessageBytes: this.options.maxMessageBytes }), createSyncStore(this.store), withParseBackPressure(this.parse, client, this.options.maxQueuedParseBytes), {
          accountId: request.accountId,
          folder: target.name,
          displayName: target.displayName,
          nowTs: request.nowTs,
          maxMessages: request.maxMessages ?? 100,
          ...(cursor !== undefined ? { cursor } : {}),
          ...(since !== undefined ? { since } : {}),
          ...(this.options.maxMessageBytes !== undefined ? { maxMessageBytes: this.options.maxMessageBytes } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
          ...(request.onProgress ? { onProgress: request.onProgress } : {}),
          ...(request.onBacklog ? { onBacklog: request.onBacklog } : {}),
        });
        return run.catch((error: unknown) => this.goneOrThrow(client, request, target.name, error, started));
      });
      await this.store.saveIfDirty();
      this.logger.info?.({ event: 'sync_ok', account: request.accountId, folder, new: result.new, ms: Date.now() - started }, 'folder synced');
      return result;
    } catch (error) {
      await this.store.saveIfDirty().catch(() => undefined);
      this.logger.warn?.(
        { event: 'sync_failed', account: request.accountId, folder, code: isPrxError(error) ? error.code : 'UNKNOWN' },
        (error as Error).message,
      );
      throw error;
    }
  }

  /**
   * A synced folder that EXAMINE refused and LIST no longer shows was deleted on the server: its
   * locations are tombstoned, its state marked 'deleted', and the call succeeds with
   * `folderDeleted` (a runner job for it does not fail and back off forever). Anything else is
   * rethrown.
   */
  private async goneOrThrow(client: ImapClient, request: SyncRequest, name: string, error: unknown, started: number): Promise<FolderSyncResult> {
    if (!isPrxError(error) || error.code !== 'NO') throw error;
    const known = (await this.store.listFolderLifecycle(request.accountId)).find((folder) => folder.name === name);
    if (!known?.synced) throw error;
    const listed = await client.list({ pattern: name }, request.signal);
    if (listed.some((folder) => folder.name === name && folder.selectable)) throw error;
    const tombstoned = await this.store.markFolderDeleted(request.accountId, known.id, request.nowTs);
    const state = await this.store.loadFolderState(request.accountId, name);
    return deletedFolderResult(name, state, tombstoned, Date.now() - started);
  }

  /** LISTs the account's folders (special-use resolved by the server), applies renames and
   * deletions found on the server (see folder-lifecycle.ts) and records them. */
  async listFolders(accountId: number, signal?: AbortSignal, nowTs = Math.floor(Date.now() / 1000)): Promise<MailboxInfo[]> {
    return (await this.listAndReconcile(accountId, signal, nowTs)).folders;
  }

  private async listAndReconcile(
    accountId: number,
    signal: AbortSignal | undefined,
    nowTs: number,
  ): Promise<{ folders: MailboxInfo[]; plan: LifecyclePlan; tombstoned: Map<number, number> }> {
    const outcome = await this.withConnection(accountId, signal, async (client) => {
      const folders = await client.list({}, signal);
      return { folders, ...(await this.reconcileFolders(client, accountId, folders, nowTs, signal)) };
    });
    await this.store.saveIfDirty();
    return outcome;
  }

  /**
   * Syncs every selectable folder of the account, INBOX first. A folder that fails (NO on
   * EXAMINE, deleted meanwhile, a limit, a dropped connection) gets its own `error` entry and the
   * other folders are still synced; only the caller's abort stops the loop.
   */
  async syncAll(accountId: number, request: Omit<SyncRequest, 'accountId' | 'folder' | 'cursor'>): Promise<FolderOutcome[]> {
    const listing = await this.listAndReconcile(accountId, request.signal, request.nowTs);
    const folders = listing.folders.filter((f) => f.selectable);
    folders.sort((a, b) => (a.name.toUpperCase() === 'INBOX' ? -1 : b.name.toUpperCase() === 'INBOX' ? 1 : a.name.localeCompare(b.name)));
    const out: FolderOutcome[] = [];
    // Folders deleted on the server since the last LIST: reported, not synced.
    for (const gone of listing.plan.gone) {
      const state = await this.store.loadFolderState(accountId, gone.name);
      out.push({
        folder: gone.name,
        displayName: (await this.store.getFolder(accountId, gone.name))?.displayName ?? gone.name,
        result: deletedFolderResult(gone.name, state, listing.tombstoned.get(gone.folderId) ?? 0, 0),
      });
    }
    for (const folder of folders) {
      try {
        out.push({ folder: folder.name, displayName: folder.displayName, result: await this.sync({ ...request, accountId, folder: folder.name }) });
      } catch (error) {
        out.push({ folder: folder.name, displayName: folder.displayName, error: asPrxError(error) });
        if (request.signal?.aborted) break;
      }
    }
    return out;
  }

  /** The runner: see src/sync/runner.ts. */
  runSyncRunner(jobs: SyncJob[], nowTs: number, config: SyncRunnerConfig = {}): Promise<SyncRunnerReport<FolderSyncResult & {
      /** Same as `new`: messages newly stored. */
      newMessages: number;
    }>> {
    return runSyncRunner(jobs, nowTs, config, {
      runJob: async (job) => {
        const result = await this.sync({ accountId: job.accountId, folder: job.folder, nowTs, maxMessages: job.maxMessages });
        return { ...result, newMessages: result.new };
      },
      // The tick's runner states are written in one transaction once its last job has ended
      // (runner.ts): a crash before that only makes those jobs run again, their mail being
      // already stored batch by batch with its cursor.
      state: {
        get: (key) => this.store.getRunnerState(key),
        put: async (key, state) => {
          await this.store.putRunnerState(key, state);
          await this.store.saveIfDirty();
        },
        putMany: async (entries) => {
          await this.store.putRunnerStates(entries);
          await this.store.saveIfDirty();
        },
      },
      metrics: this.metrics,
    });
  }

  /** The account's connection, for low-level use (IDLE in `prx-email watch`). */
  connection<T>(accountId: number, work: (client: ImapClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.withConnection(accountId, signal, work);
  }

  /** Logs the account's connection out (the next call opens a new one), e.g. after a job of a
   * distributed worker so idle accounts hold no connection. */
  async disconnect(accountId: number): Promise<void> {
    const runtime = this.accounts.get(accountId);
    if (!runtime) return;
    const closing = runtime.queue.then(async () => {
      const client = await runtime.connection?.catch(() => null);
      runtime.connection = null;
      await client?.logout().catch(() => undefined);
    });
    runtime.queue = closing.catch(() => undefined);
    await closing;
  }

  /** Forgets the account's connection (closed, not logged out) so the next call opens a fresh one:
   * for a connection that may have died unnoticed (after a sleep). */
  dropConnection(accountId: number): void {
    const runtime = this.accounts.get(accountId);
    if (!runtime?.connection) return;
    const pending = runtime.connection;
    runtime.connection = null;
    void pending.then((client) => client.close(), () => undefined);
  }

  /** Logs out every account's connection, saves the store if it has unsaved changes, and stops the MIME parse workers. Call it before the process exits. */
  async close(): Promise<void> {
    for (const runtime of this.accounts.values()) {
      const client = await runtime.connection?.catch(() => null);
      await client?.logout();
      runtime.connection = null;
    }
    await this.store.saveIfDirty();
    const pool = this.parsePool;
    this.parsePool = null;
    await pool?.close();
  }
}

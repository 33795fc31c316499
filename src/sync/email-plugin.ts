/**
 * The public API (the seed's EmailPlugin in TypeScript idiom): register accounts (secrets stay
 * in memory, never in the database), sync one folder or all of them, run the multi-job runner.
 * One IMAP connection per account, reused across folders and calls; a broken connection is
 * dropped and reopened by the next call.
 */

import { ConfigError, isPrxError, type PrxError } from '../errors.js';
import { openImapSession, type ImapClient, type ImapSessionOptions, type MailboxInfo } from '../imap/session/client.js';
import type { ImapAuth } from '../imap/session/validate-config.js';
import { validateImapConfig } from '../imap/session/validate-config.js';
import { createParsePool, defaultParseWorkers, type ParsePool } from '../mime/parse-pool.js';
import type { Store } from '../store/index.js';
import { syncFolder, type FolderSyncResult, type ParseMessage } from './folder-sync.js';
import { PROVIDERS, isProviderName, type ProviderName } from './providers.js';
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

export interface Logger {
  info?(obj: object, msg?: string): void;
  warn?(obj: object, msg?: string): void;
  error?(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface AccountConfig {
  email: string;
  provider?: ProviderName;
  imap: {
    host?: string;
    port?: number;
    user: string;
    auth: ImapAuth;
    tls?: { mode?: 'implicit' | 'starttls'; ca?: string | Uint8Array };
  };
}

export interface SyncRequest {
  accountId: number;
  /** Default INBOX. */
  folder?: string;
  /** Start after this UID; undefined resumes from the stored cursor. */
  cursor?: number | string;
  /** Caller's clock, Unix seconds. */
  nowTs: number;
  /** At most this many new messages in this call (default 100). */
  maxMessages?: number;
  signal?: AbortSignal;
  onProgress?: (progress: { stored: number; total: number; bytes: number }) => void;
  /** Called once per call with the folder's whole backlog (messages, bytes) before fetching. */
  onBacklog?: (backlog: { messages: number; bytes: number }) => void;
}

export interface EmailPluginOptions {
  store: Store;
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

/** Provider preset + explicit settings -> validated session options. */
export function resolveAccount(config: AccountConfig): ImapSessionOptions {
  if (typeof config.email !== 'string' || config.email.trim() === '') throw new ConfigError('email is required');
  if (config.provider !== undefined && !isProviderName(config.provider)) throw new ConfigError(`unknown provider '${String(config.provider)}'`);
  const preset = config.provider ? PROVIDERS[config.provider] : undefined;
  const mode = config.imap.tls?.mode ?? preset?.mode ?? 'implicit';
  const options: ImapSessionOptions = {
    host: config.imap.host ?? preset?.host ?? '',
    port: config.imap.port ?? preset?.port ?? (mode === 'starttls' ? 143 : 993),
    user: config.imap.user,
    auth: config.imap.auth,
    tls: { mode, ...(config.imap.tls?.ca !== undefined ? { ca: config.imap.tls.ca } : {}) },
  };
  validateImapConfig(options);
  return options;
}

export class EmailPlugin {
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

  /** Syncs one folder; see docs/sync.md for the rules. */
  async sync(request: SyncRequest): Promise<FolderSyncResult> {
    const folder = request.folder ?? 'INBOX';
    let cursor: number | undefined;
    if (request.cursor !== undefined && request.cursor !== null && request.cursor !== '') {
      cursor = Number(request.cursor);
      if (!Number.isInteger(cursor) || cursor < 0) throw new ConfigError(`cursor must be a UID (got ${String(request.cursor)})`);
    }
    const started = Date.now();
    try {
      const result = await this.withConnection(request.accountId, request.signal, (client) =>
        syncFolder(createFolderSession(client, { maxMessageBytes: this.options.maxMessageBytes }), createSyncStore(this.store), withParseBackPressure(this.parse, client, this.options.maxQueuedParseBytes), {
          accountId: request.accountId,
          folder,
          nowTs: request.nowTs,
          maxMessages: request.maxMessages ?? 100,
          ...(cursor !== undefined ? { cursor } : {}),
          ...(this.options.maxMessageBytes !== undefined ? { maxMessageBytes: this.options.maxMessageBytes } : {}),
          ...(request.signal ? { signal: request.signal } : {}),
          ...(request.onProgress ? { onProgress: request.onProgress } : {}),
          ...(request.onBacklog ? { onBacklog: request.onBacklog } : {}),
        }),
      );
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

  /** LISTs the account's folders (special-use resolved by the server) and records them. */
  async listFolders(accountId: number, signal?: AbortSignal): Promise<MailboxInfo[]> {
    const folders = await this.withConnection(accountId, signal, (client) => client.list({}, signal));
    for (const folder of folders) {
      await this.store.ensureFolder(accountId, folder.name, {
        displayName: folder.displayName,
        delimiter: folder.delimiter,
        specialUse: folder.specialUse,
      });
    }
    await this.store.saveIfDirty();
    return folders;
  }

  /** Syncs every selectable folder of the account, INBOX first. Failures are per folder. */
  async syncAll(
    accountId: number,
    request: Omit<SyncRequest, 'accountId' | 'folder' | 'cursor'>,
  ): Promise<Array<{ folder: string; result?: FolderSyncResult; error?: PrxError }>> {
    const folders = (await this.listFolders(accountId, request.signal)).filter((f) => f.selectable);
    folders.sort((a, b) => (a.name.toUpperCase() === 'INBOX' ? -1 : b.name.toUpperCase() === 'INBOX' ? 1 : a.name.localeCompare(b.name)));
    const out: Array<{ folder: string; result?: FolderSyncResult; error?: PrxError }> = [];
    for (const folder of folders) {
      try {
        out.push({ folder: folder.name, result: await this.sync({ ...request, accountId, folder: folder.name }) });
      } catch (error) {
        out.push({ folder: folder.name, error: error as PrxError });
      }
    }
    return out;
  }

  /** The runner: see src/sync/runner.ts. */
  runSyncRunner(jobs: SyncJob[], nowTs: number, config: SyncRunnerConfig = {}): Promise<SyncRunnerReport<FolderSyncResult & { newMessages: number }>> {
    return runSyncRunner(jobs, nowTs, config, {
      runJob: async (job) => {
        const result = await this.sync({ accountId: job.accountId, folder: job.folder, nowTs, maxMessages: job.maxMessages });
        return { ...result, newMessages: result.new };
      },
      state: {
        get: (key) => this.store.getRunnerState(key),
        put: async (key, state) => {
          await this.store.putRunnerState(key, state);
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

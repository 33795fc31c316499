/**
 * The long-running multi-account sync service. It keeps every configured folder of every account
 * current: each folder is a runner job (src/sync/runner.ts: concurrency cap, backoff, due checks,
 * state in the store's runner_state), due when IDLE pushed a change for it, when it was last
 * synced `intervalSeconds` ago, or after a reconnect; a job syncs until its backlog is empty.
 * Push comes from one IDLE connection per watched folder (idle-watcher.ts), within the account's
 * connection cap. Rejected credentials block only their account, for `authBackoffSeconds`.
 * Suspected sleep (wake-detector.ts) makes every connection be probed or replaced.
 * `stop()` lets in-flight sync calls finish for a short grace period, then aborts them (the
 * cursor only ever covers committed rows), logs out, and saves the store.
 * Events: `synced`, `error`, `state`; `changes()` iterates over syncs that changed something.
 * Per-account runtime: account-runtime.ts; account checks: accounts.ts; the event hub:
 * service-events.ts; its MIME worker pool: service-parse-pool.ts; public types: service-types.ts.
 */
import { openImapSession, type ImapClient } from '../../imap/session/client.js';
import { EmailPlugin, resolveAccount } from '../email-plugin.js';
import { createRunnerMetrics, jobKey, runSyncRunner, type RunnerJobState } from '../runner.js';
import { errorCode, isPermanent, retryDelaySeconds } from './backoff.js';
import { DEFAULT_SCHEDULE, type ServiceSchedule } from './config.js';
import { idleFolders, namedFolders, needsFolderList, selectFolders } from './folder-selection.js';
import { startIdleWatcher } from './idle-watcher.js';
import { startWakeDetector, type WakeDetector } from './wake-detector.js';
import { PROBE_AFTER_MS, accountStatus, codeOf, fingerprint, liftedBackoffs, newAccountRuntime, nextWakeUpAt, probe, restingState, type AccountRuntime, type JobRuntime } from './account-runtime.js';
import { checkServiceAccounts } from './accounts.js';
import { createRunnerStateCache } from './runner-state-cache.js';
import { addSyncResult, createServiceEvents, emptySyncTotals } from './service-events.js';
import { createServiceParsePool } from './service-parse-pool.js';
import type { ServiceAccount, ServiceErrorEvent, ServiceState, SyncService, SyncServiceOptions, SyncTrigger } from './service-types.js';

export type * from './service-types.js';

export function createSyncService(options: SyncServiceOptions): SyncService {
  const store = options.store;
  const logger = options.logger ?? {};
  const random = options.random ?? Math.random;
  let schedule: ServiceSchedule = { ...DEFAULT_SCHEDULE, ...options.schedule };
  let configured: ServiceAccount[] = options.accounts;
  const pool = createServiceParsePool(options.parseWorkers);
  const plugin = new EmailPlugin({ store, parse: pool.parse, ...(options.session ? { session: options.session } : {}) });
  const metrics = createRunnerMetrics();
  const accounts = new Map<string, AccountRuntime>();
  const events = createServiceEvents(logger);
  const watcherStates = new Map<string, ServiceState>();
  const inflight = new Set<Promise<void>>();
  let running = false;
  let stopping = false;
  let stopController = new AbortController();
  let tickScheduled = false;
  let timer: NodeJS.Timeout | null = null;
  let wake: WakeDetector | null = null;
  let runningJobs = 0;
  // Runner state (backoff, failures) of the jobs: loaded from the store when an account is set
  // up, written through to it, read from here by the scheduler and status().
  const runnerStateCache = createRunnerStateCache(store, logger);
  const runnerStates = runnerStateCache.states;
  const putRunnerState = runnerStateCache.put;

  function setState(account: AccountRuntime, state: ServiceState, detail: { code?: string; retryAt?: number } = {}): void {
    if (account.state === state && detail.code === undefined) return;
    const previous = account.state;
    account.state = state;
    events.announceState({ account: account.config.name, folder: null, state, previous, ...detail });
  }

  function setWatcherState(account: AccountRuntime, folder: string, state: ServiceState, detail: { code?: string; retryAt?: number } = {}): void {
    const key = `${account.config.name}\u0000${folder}`;
    const previous = watcherStates.get(key) ?? null;
    if (previous === state && detail.code === undefined) return;
    watcherStates.set(key, state);
    events.announceState({ account: account.config.name, folder, state, previous, ...detail });
  }

  function kick(): void {
    if (!running || tickScheduled) return;
    tickScheduled = true;
    setImmediate(() => {
      tickScheduled = false;
      tick();
    });
  }

  function markDirty(account: AccountRuntime, folder: string | null, trigger: SyncTrigger): void {
    for (const job of account.jobs.values()) {
      if (folder !== null && job.folder !== folder) continue;
      job.dirty = true;
      job.trigger = trigger;
    }
    kick();
  }

  async function setUp(account: AccountRuntime): Promise<void> {
    account.settingUp = true;
    try {
      account.accountId ??= await plugin.addAccount({ email: account.config.email, ...(account.config.provider ? { provider: account.config.provider } : {}), imap: account.config.imap });
      const accountId = account.accountId;
      let folders: string[];
      if (needsFolderList(account.config.folders)) {
        const listed = await plugin.listFolders(accountId, stopController.signal);
        account.lastUsedAt = Date.now();
        const selected = selectFolders(account.config.folders, listed);
        if (selected.missing.length > 0) logger.warn?.({ event: 'folders_missing', account: account.config.name, missing: selected.missing }, 'no folder has these special uses');
        folders = selected.folders;
      } else {
        folders = namedFolders(account.config.folders);
        for (const folder of folders) await store.ensureFolder(accountId, folder);
        await store.saveIfDirty();
      }
      if (folders.length === 0) logger.warn?.({ event: 'no_folders', account: account.config.name }, `${account.config.name}: no folder to sync`);
      let blocked: RunnerJobState | null = null;
      for (const folder of folders) {
        const key = jobKey({ accountId, folder });
        if (account.jobs.has(folder)) continue;
        const stored = await store.getRunnerState(key);
        if (stored) {
          runnerStates.set(key, stored);
          // Rejected credentials are remembered across restarts: no new login before the wait is over.
          if (isPermanent(codeOf(stored.lastError)) && stored.nextAllowedAt * 1000 > Date.now()) blocked = stored;
        }
        account.jobs.set(folder, { folder, dirty: true, trigger: 'start', running: false, lastOkAt: 0, remaining: null, lastError: null });
      }
      // Stopped or removed meanwhile (after the last await): no IDLE connection, no state change.
      if (account.removed) return;
      account.setupFailures = 0;
      account.resolvedAt = Date.now();
      if (blocked) {
        account.blockedUntil = Math.max(account.blockedUntil, blocked.nextAllowedAt * 1000);
        account.lastError = blocked.lastError;
        setState(account, 'auth-failed', { code: codeOf(blocked.lastError), retryAt: blocked.nextAllowedAt * 1000 });
        return;
      }
      if (schedule.idle) startWatchers(account);
      if (account.state !== 'syncing') setState(account, restingState(account));
    } catch (error) {
      account.setupFailures++;
      const delayMs = Math.round(retryDelaySeconds(account.setupFailures, error, schedule, random) * 1000);
      if (!stopping) fail(account, null, errorCode(error), (error as Error)?.message ?? String(error), Date.now() + delayMs);
    } finally {
      account.settingUp = false;
      kick();
    }
  }

  function fail(account: AccountRuntime, folder: string | null, code: string, message: string, retryAt: number): void {
    account.lastError = `${code}: ${message}`;
    if (folder === null || isPermanent(code)) account.blockedUntil = Math.max(account.blockedUntil, retryAt);
    const event: ServiceErrorEvent = { account: account.config.name, folder, code, message, retryAt };
    logger.warn?.({ event: 'error', ...event }, `${account.config.name}${folder ? `/${folder}` : ''}: ${code}: ${message}`);
    events.emit('error', event);
    setState(account, isPermanent(code) ? 'auth-failed' : 'backoff', { code, retryAt });
  }

  function startWatchers(account: AccountRuntime): void {
    if (account.accountId === null) return;
    const wanted = idleFolders([...account.jobs.keys()], account.config.idleFolders, account.config.maxConnections ?? 2);
    const sessionOptions = { ...options.session, ...resolveAccount(account.config) };
    for (const folder of wanted) {
      if (account.watchers.has(folder)) continue;
      const watcher = startIdleWatcher({
        folder,
        open: (signal: AbortSignal): Promise<ImapClient> => openImapSession({ ...sessionOptions, signal }),
        onChange: () => markDirty(account, folder, 'push'),
        onConnected: (reconnected) => {
          if (!reconnected) return;
          // The server answers again: what failed for network reasons may retry now, and what
          // changed while we were away was never pushed.
          if (account.accountId !== null) {
            for (const job of account.jobs.values()) {
              const key = jobKey({ accountId: account.accountId, folder: job.folder });
              const state = runnerStates.get(key);
              if (state && state.nextAllowedAt > 0 && !isPermanent(codeOf(state.lastError))) {
                putRunnerState(key, { ...state, nextAllowedAt: 0 });
              }
            }
            if (!isPermanent(codeOf(account.lastError))) account.blockedUntil = 0;
          }
          markDirty(account, null, 'reconnect');
        },
        onState: (state, detail) => {
          const mapped: ServiceState = state === 'idling' ? 'watching' : state === 'backoff' ? (detail && isPermanent(detail.code) ? 'auth-failed' : 'backoff') : state;
          setWatcherState(account, folder, mapped, detail ? { code: detail.code, retryAt: Date.now() + detail.retryInMs } : {});
        },
        policy: schedule,
        idleRefreshMs: schedule.idleRefreshSeconds * 1000,
        livenessMs: schedule.livenessSeconds * 1000,
        random,
      });
      account.watchers.set(folder, watcher);
    }
  }

  async function tearDown(account: AccountRuntime): Promise<void> {
    account.removed = true;
    const watchers = [...account.watchers.values()];
    account.watchers.clear();
    await Promise.all(watchers.map((w) => w.stop()));
  }

  function tick(): void {
    if (!running || stopping) return;
    const now = Date.now();
    const due: Array<{ account: AccountRuntime; job: JobRuntime }> = [];
    for (const account of accounts.values()) {
      if (account.removed || account.blockedUntil > now || account.settingUp) continue;
      if (account.resolvedAt === 0) {
        void setUp(account);
        continue;
      }
      // "all" and special-use selectors are looked up again every interval (new folders).
      if (needsFolderList(account.config.folders) && now - account.resolvedAt >= schedule.intervalSeconds * 1000) void setUp(account);
      if (schedule.idle && account.watchers.size === 0) startWatchers(account); // e.g. after an AUTH wait
      for (const job of account.jobs.values()) {
        if (job.running) continue;
        // Still in its backoff window: the runner would only skip it, and a dirty job would be
        // picked again at once (a busy loop until the window ends); planWakeUp wakes us then.
        const backoff = account.accountId === null ? undefined : runnerStates.get(jobKey({ accountId: account.accountId, folder: job.folder }));
        if (backoff && backoff.nextAllowedAt * 1000 > now) continue;
        if (job.dirty || now >= job.lastOkAt + schedule.intervalSeconds * 1000) {
          if (!job.dirty) job.trigger = 'poll';
          due.push({ account, job });
        }
      }
    }
    // Pushed changes first, then the longest-waiting folders.
    due.sort((a, b) => Number(b.job.dirty) - Number(a.job.dirty) || a.job.lastOkAt - b.job.lastOkAt);
    const free = Math.max(0, schedule.maxConcurrency - runningJobs);
    const selected = due.slice(0, free);
    if (selected.length > 0) {
      const run = runJobs(selected).finally(() => {
        inflight.delete(run);
        kick();
      });
      inflight.add(run);
    }
    planWakeUp(now);
  }

  function planWakeUp(now: number): void {
    if (timer) clearTimeout(timer);
    timer = null;
    const next = nextWakeUpAt(accounts.values(), runnerStates, schedule, now);
    timer = setTimeout(kick, Math.max(50, next - now));
  }

  async function runJobs(selected: Array<{ account: AccountRuntime; job: JobRuntime }>): Promise<void> {
    const byKey = new Map<string, { account: AccountRuntime; job: JobRuntime; trigger: SyncTrigger }>();
    for (const { account, job } of selected) {
      job.running = true;
      runningJobs++;
      byKey.set(jobKey({ accountId: account.accountId as number, folder: job.folder }), { account, job, trigger: job.trigger });
      job.dirty = false;
    }
    const nowTs = Math.floor(Date.now() / 1000);
    try {
      const report = await runSyncRunner(
        selected.map(({ account, job }) => ({ accountId: account.accountId as number, folder: job.folder, maxMessages: account.config.maxMessagesPerSync ?? 500 })),
        nowTs,
        { maxConcurrency: selected.length, baseBackoffSeconds: schedule.baseBackoffSeconds, maxBackoffSeconds: schedule.maxBackoffSeconds, maxConnectionsPerAccount: 1 },
        {
          runJob: async (job) => {
            const entry = byKey.get(jobKey(job)) as { account: AccountRuntime; job: JobRuntime; trigger: SyncTrigger };
            return syncUntilDone(entry.account, entry.job, entry.trigger);
          },
          state: {
            get: (key) => runnerStates.get(key) ?? null,
            // A sync aborted by stop() is not a failure of the server: keep the state it had, or
            // the next start would wait out a backoff it never earned.
            put: (key, state) => {
              if (!(stopping && state.failureCount > 0)) putRunnerState(key, state);
            },
          },
          metrics,
          retryDelaySeconds: (failures, error) => retryDelaySeconds(failures, error, schedule, random),
        },
      );
      for (const result of report.results) {
        const entry = byKey.get(result.key);
        if (!entry) continue;
        const { account, job } = entry;
        if (result.status === 'ok') {
          job.lastOkAt = Date.now();
          job.lastError = null;
        } else if (result.status === 'failed' && result.error) {
          job.dirty = true;
          job.trigger = 'retry';
          job.lastError = `${result.error.code}: ${result.error.message}`;
          if (!stopping) fail(account, job.folder, result.error.code, result.error.message, result.nextAllowedAt * 1000);
        } // none is skipped or deferred: tick() passes only jobs out of backoff, all at once
      }
    } finally {
      for (const { account, job } of byKey.values()) {
        job.running = false;
        runningJobs--;
        if (!account.removed && !stopping && [...account.jobs.values()].every((j) => !j.running) && account.state === 'syncing') setState(account, restingState(account));
      }
    }
  }

  async function syncUntilDone(account: AccountRuntime, job: JobRuntime, trigger: SyncTrigger): Promise<{ newMessages: number; bytes: number }> {
    const accountId = account.accountId as number;
    setState(account, 'syncing');
    if (account.lastUsedAt > 0 && Date.now() - account.lastUsedAt > PROBE_AFTER_MS) {
      // A connection idle this long may have died silently (sleep, NAT timeout): ask before trusting it.
      await plugin.connection(accountId, (client) => probe(client), stopController.signal).catch(() => plugin.dropConnection(accountId));
    }
    const started = Date.now();
    const total = emptySyncTotals();
    for (;;) {
      const result = await plugin.sync({ accountId, folder: job.folder, nowTs: Math.floor(Date.now() / 1000), maxMessages: account.config.maxMessagesPerSync ?? 500, signal: stopController.signal });
      account.lastUsedAt = Date.now();
      addSyncResult(total, result);
      job.remaining = result.remaining;
      if (result.remaining === 0 || stopping || account.removed) break;
    }
    events.announceSynced({ account: account.config.name, accountId, folder: job.folder, trigger, ...total, durationMs: Date.now() - started, at: Date.now() });
    return { newMessages: total.new, bytes: total.bytes };
  }

  const service: SyncService = {
    metrics,
    get running() {
      return running;
    },
    async start() {
      if (running) return;
      stopController = new AbortController();
      stopping = false;
      accounts.clear();
      for (const [name, account] of checkServiceAccounts(configured)) accounts.set(name, newAccountRuntime(account));
      running = true;
      wake = startWakeDetector((sleptMs) => {
        logger.info?.({ event: 'wake', sleptMs }, 'the clock jumped: probing every connection');
        for (const account of accounts.values()) {
          for (const watcher of account.watchers.values()) watcher.probe();
          if (account.accountId !== null) plugin.dropConnection(account.accountId);
          markDirty(account, null, 'wake');
        }
      }, options.wake ?? {});
      kick();
    },
    async stop() {
      if (!running) return;
      stopping = true;
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      wake?.stop();
      // In-flight sync calls may finish their batch for a moment; then they are aborted (only
      // committed batches ever move a cursor).
      const grace = setTimeout(() => stopController.abort(), options.stopGraceMs ?? 500);
      await Promise.all([...accounts.values()].map((account) => tearDown(account)));
      await Promise.allSettled([...inflight]);
      clearTimeout(grace);
      stopController.abort();
      await Promise.race([plugin.close(), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      await runnerStateCache.settled();
      await store.saveIfDirty();
      await pool.close();
      for (const account of accounts.values()) setState(account, 'stopped');
      accounts.clear();
      events.closeAll();
    },
    async reload(config) {
      // Everything is checked first: a rejected configuration leaves the current one in place.
      const wanted = checkServiceAccounts(config.accounts);
      schedule = { ...DEFAULT_SCHEDULE, ...config.schedule };
      configured = config.accounts;
      // Not running: start() sets the accounts up from `configured`.
      if (running) {
        for (const [name, account] of [...accounts]) {
          const next = wanted.get(name);
          if (next && fingerprint(next) === account.fingerprint) continue;
          accounts.delete(name);
          await tearDown(account);
          setState(account, 'stopped');
          if (next) for (const [key, state] of liftedBackoffs(account, runnerStates)) putRunnerState(key, state);
        }
        await runnerStateCache.settled();
        for (const [name, account] of wanted) if (!accounts.has(name)) accounts.set(name, newAccountRuntime(account));
      }
      logger.info?.({ event: 'reloaded', accounts: config.accounts.length }, 'configuration reloaded');
      kick();
    },
    on: events.on,
    changes: events.changes,
    status() {
      return [...accounts.values()].map((account) => accountStatus(account, runnerStates));
    },
  };

  return service;
}

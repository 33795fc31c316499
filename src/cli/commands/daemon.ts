/**
 * `prx-email daemon --config FILE` (and `watch`, the same service for one account given by
 * flags): runs the sync service until SIGTERM or SIGINT, which stop it gracefully and exit 0
 * (a hard deadline saves the database and exits even if a server does not answer LOGOUT);
 * SIGHUP re-reads the config file and its secrets (a bad file is logged and the running
 * configuration kept). One log line per sync and per state change.
 */
import { ConfigError } from '../../errors.js';
import { openStore, type Store } from '../../store/index.js';
import { loadServiceConfig } from '../../sync/service/config.js';
import { resolveServiceAccounts } from '../../sync/service/accounts.js';
import { createSyncService, type ServiceAccount } from '../../sync/service/sync-service.js';
import type { ServiceSchedule } from '../../sync/service/config.js';
import type { CliCommand } from '../args.js';
import { errorInfo, pathFromConfig, type CliIO } from './common.js';
import { createLineLogger } from './log.js';
import { runWorker, type WorkerAccount } from './worker.js';
import { accountFromFlags } from './sync.js';

type DaemonCommand = Extract<CliCommand, { command: 'daemon' }>;
type WatchCommand = Extract<CliCommand, { command: 'watch' }>;

/** Stop must be done by then (the supervisors expect exit within 5 s of SIGTERM). */
const STOP_DEADLINE_MS = 3_000;

interface Loaded {
  accounts: ServiceAccount[];
  schedule: ServiceSchedule | undefined;
  db: string;
}

async function serve(
  initial: Loaded,
  reloadConfig: (() => Promise<Loaded>) | null,
  logFormat: 'json' | 'text',
  io: CliIO,
): Promise<number> {
  const logger = createLineLogger(logFormat, io.stderr);
  const store: Store = await openStore(initial.db);
  const service = createSyncService({ store, accounts: initial.accounts, ...(initial.schedule ? { schedule: initial.schedule } : {}), logger });
  await service.start();
  logger.info?.({ event: 'started', accounts: initial.accounts.map((a) => a.name), db: initial.db, pid: process.pid }, `prx-email daemon started: ${initial.accounts.length} account(s), database ${initial.db}`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info?.({ event: 'stopping', signal }, `${signal}: stopping`);
      const deadline = setTimeout(() => {
        // Every sql.js transaction is synchronous, so between two events the database holds only
        // whole batches: saving now is consistent even if a sync is still waiting on the network.
        logger.warn?.({ event: 'stop_deadline' }, 'stop took too long: saving and exiting');
        void finish();
      }, STOP_DEADLINE_MS);
      let finished = false;
      const finish = async (): Promise<void> => {
        if (finished) return;
        finished = true;
        clearTimeout(deadline);
        try {
          await store.saveIfDirty();
          await store.close();
        } catch (error) {
          logger.error?.({ event: 'save_failed', ...errorInfo(error) }, 'could not save the database');
        }
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        process.off('SIGHUP', onHup);
        logger.info?.({ event: 'stopped' }, 'stopped');
        io.exit?.(0);
        resolve(0);
      };
      service.stop().then(finish, (error) => {
        logger.error?.({ event: 'stop_failed', ...errorInfo(error) }, 'stop failed');
        return finish();
      });
    };
    const onTerm = (): void => stop('SIGTERM');
    const onInt = (): void => stop('SIGINT');
    const onHup = (): void => {
      if (!reloadConfig) {
        logger.info?.({ event: 'reload_skipped' }, 'SIGHUP: nothing to reload (no config file)');
        return;
      }
      reloadConfig()
        .then((next) => service.reload({ accounts: next.accounts, ...(next.schedule ? { schedule: next.schedule } : {}) }))
        .catch((error) => logger.error?.({ event: 'reload_failed', ...errorInfo(error) }, `reload failed, keeping the running configuration: ${errorInfo(error).code}: ${errorInfo(error).message}`));
    };
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
    process.on('SIGHUP', onHup);
  });
}

export async function runDaemon(command: DaemonCommand, io: CliIO, env: Record<string, string | undefined>): Promise<number> {
  if (command.workerId !== undefined) return runDaemonWorker(command, command.workerId, io, env);
  const load = async (): Promise<Loaded> => {
    const config = loadServiceConfig(command.config);
    return {
      accounts: await resolveServiceAccounts(config.accounts, env),
      schedule: config.schedule,
      db: command.db ?? (config.db !== undefined ? pathFromConfig(command.config, config.db) : 'mail.db'),
    };
  };
  return serve(await load(), load, command.logFormat, io);
}

/** `watch`: the daemon for one account from flags, IDLE on its first folder. */
export async function runWatch(command: WatchCommand, io: CliIO): Promise<number> {
  const flags = accountFromFlags(command.connection);
  const account: ServiceAccount = {
    name: command.connection.user,
    ...flags,
    folders: command.folders.map((name) => ({ kind: 'name' as const, name })),
    idleFolders: command.folders.slice(0, 1),
    maxMessagesPerSync: command.maxMessages,
  };
  return serve({ accounts: [account], schedule: undefined, db: command.db }, null, command.logFormat, io);
}

/**
 * `daemon --db postgres://… --worker-id W`: one worker of the distributed runner. The config
 * file's accounts (secrets resolved here, never stored) and folders become jobs in the shared
 * queue; the worker claims due jobs under leases until SIGTERM/SIGINT, then exits 0. Folders are
 * names or special-use selectors (`"all"` needs a LIST per account and is not supported here).
 */
async function runDaemonWorker(command: DaemonCommand, workerId: string, io: CliIO, env: Record<string, string | undefined>): Promise<number> {
  const config = loadServiceConfig(command.config);
  const accounts = await resolveServiceAccounts(config.accounts, env);
  const workerAccounts = accounts.map((account): WorkerAccount => {
    if (account.folders === 'all') throw new ConfigError(`account ${account.name}: "folders": "all" is not supported with --worker-id; name the folders`);
    return {
      account: { email: account.email, ...(account.provider ? { provider: account.provider } : {}), imap: account.imap },
      folders: account.folders.map((selector) => (selector.kind === 'name' ? selector.name : selector.use)),
    };
  });
  const schedule = config.schedule;
  const logger = createLineLogger(command.logFormat, io.stderr);
  const controller = new AbortController();
  const stop = (signal: string): void => {
    logger.info?.({ event: 'stopping', signal }, `${signal}: stopping`);
    controller.abort();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  logger.info?.({ event: 'started', worker: workerId, accounts: accounts.map((a) => a.name) }, `prx-email worker ${workerId} started: ${accounts.length} account(s)`);
  const report = await runWorker(
    {
      db: command.db as string,
      workerId,
      concurrency: schedule?.maxConcurrency ?? 4,
      leaseMs: 30_000,
      intervalMs: (schedule?.intervalSeconds ?? 300) * 1000,
      maxMessages: Math.min(...accounts.map((a) => a.maxMessagesPerSync ?? 1000)),
      maxConnections: Math.min(...accounts.map((a) => a.maxConnections ?? 4)),
      exitWhenIdle: false,
      listen: true,
    },
    workerAccounts,
    controller.signal,
  );
  logger.info?.({ event: 'stopped', worker: workerId, ...report }, `prx-email worker ${workerId} stopped`);
  return 0;
}

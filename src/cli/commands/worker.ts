#!/usr/bin/env node
/**
 * `prx-email daemon --config FILE --db postgres://… --worker-id W` (runWorker, called by daemon.ts)
 * and this module's own `worker` entry point (accounts from a JSON file; tests and bench): run
 * one worker of the distributed runner against a PostgreSQL store. Accounts (with their
 * credentials, which stay in this process) come from a JSON file; their account x folder jobs are
 * added to the shared queue (idempotently), then the worker claims and syncs jobs until SIGINT or
 * SIGTERM (or, with --exit-when-idle, until nothing is due or leased). Prints a JSON report.
 *
 *   worker --db URL --worker-id W --accounts FILE [--folders INBOX,Sent] [--concurrency 4]
 *          [--lease-ms 30000] [--interval-ms 60000] [--max-messages 100] [--max-connections N]
 *          [--exit-when-idle] [--listen]
 *
 * Accounts file: [{ "email": "...", "imap": { "host", "port", "user", "auth": { "password" },
 * "tls": { "caFile" } }, "folders": ["INBOX"] }] — folders default to --folders (default INBOX).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, isPrxError } from '../../errors.js';
import { openStore } from '../../store/index.js';
import { listenForJobs, openWorkQueue, type QueueJob } from '../../store/work-queue.js';
import { runDistributedWorker, type WorkerReport } from '../../sync/distributed-worker.js';
import { EmailPlugin, type AccountConfig } from '../../sync/email-plugin.js';

/** How one worker runs (the `worker` entry point's flags, or the daemon's config file). */
export interface WorkerOptions {
  db: string;
  workerId: string;
  concurrency: number;
  leaseMs: number;
  intervalMs: number;
  maxMessages: number;
  maxConnections: number | null;
  exitWhenIdle: boolean;
  listen: boolean;
}

export interface WorkerArgs extends WorkerOptions {
  accountsFile: string;
  folders: string[];
}

/** An account the worker adds to the shared queue, with the folders (names or special-use
 * selectors such as `\\Sent`) that become its jobs. */
export interface WorkerAccount {
  account: AccountConfig;
  folders: string[];
}

const positiveInt = (name: string, value: string | undefined): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${name} needs a positive integer (got ${String(value)})`);
  return n;
};

export function parseWorkerArgs(argv: string[]): WorkerArgs {
  const args: Partial<WorkerArgs> = { folders: ['INBOX'], concurrency: 4, leaseMs: 30_000, intervalMs: 60_000, maxMessages: 100, maxConnections: null, exitWhenIdle: false, listen: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new ConfigError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--db': args.db = value(); break;
      case '--worker-id': args.workerId = value(); break;
      case '--accounts': args.accountsFile = value(); break;
      case '--folders': args.folders = value().split(',').map((f) => f.trim()).filter(Boolean); break;
      case '--concurrency': args.concurrency = positiveInt(flag, value()); break;
      case '--lease-ms': args.leaseMs = positiveInt(flag, value()); break;
      case '--interval-ms': args.intervalMs = positiveInt(flag, value()); break;
      case '--max-messages': args.maxMessages = positiveInt(flag, value()); break;
      case '--max-connections': args.maxConnections = positiveInt(flag, value()); break;
      case '--exit-when-idle': args.exitWhenIdle = true; break;
      case '--listen': args.listen = true; break;
      default: throw new ConfigError(`unknown option ${String(flag)}`);
    }
  }
  if (!args.db || !/^postgres(ql)?:\/\//i.test(args.db)) throw new ConfigError('--db postgres://… is required');
  if (!args.workerId) throw new ConfigError('--worker-id is required');
  if (!args.accountsFile) throw new ConfigError('--accounts FILE is required');
  return args as WorkerArgs;
}

type AccountEntry = AccountConfig & { folders?: string[]; imap: AccountConfig['imap'] & { tls?: { caFile?: string } } };

export async function runWorkerCommand(args: WorkerArgs, signal?: AbortSignal): Promise<WorkerReport> {
  let entries: AccountEntry[];
  try {
    entries = JSON.parse(readFileSync(args.accountsFile, 'utf8')) as AccountEntry[];
  } catch (error) {
    throw new ConfigError(`cannot read the accounts file ${args.accountsFile}: ${(error as Error).message}`);
  }
  if (!Array.isArray(entries)) throw new ConfigError('the accounts file must hold a JSON array');
  const accounts = entries.map(({ folders, ...entry }): WorkerAccount => {
    const { caFile, ...tls } = entry.imap.tls ?? {};
    return { account: { ...entry, imap: { ...entry.imap, tls: { ...tls, ...(caFile ? { ca: readFileSync(caFile, 'utf8') } : {}) } } }, folders: folders ?? args.folders };
  });
  return runWorker(args, accounts, signal);
}

/** Adds the accounts' jobs to the shared queue (idempotently), then claims and syncs due jobs
 * under leases until `signal` (or, with exitWhenIdle, until nothing is due or leased). */
export async function runWorker(options: WorkerOptions, accounts: WorkerAccount[], signal?: AbortSignal): Promise<WorkerReport> {
  const store = await openStore(options.db, { postgres: { poolSize: options.concurrency + 3, applicationName: `prx-email worker ${options.workerId}` } });
  // MIME is parsed on worker threads (the default) so a large batch never delays lease renewals.
  const plugin = new EmailPlugin({ store });
  const listener = options.listen ? await listenForJobs(store.db) : null;
  try {
    const queue = await openWorkQueue(store.db);
    const jobs: QueueJob[] = [];
    for (const { account, folders } of accounts) {
      const accountId = await plugin.addAccount(account);
      if (options.maxConnections !== null) await queue.setAccountLimit(accountId, options.maxConnections);
      for (const folder of folders) jobs.push({ accountId, folder, maxMessages: options.maxMessages });
    }
    await queue.addJobs(jobs);
    return await runDistributedWorker({
      workerId: options.workerId,
      queue,
      concurrency: options.concurrency,
      leaseMs: options.leaseMs,
      intervalMs: options.intervalMs,
      exitWhenIdle: options.exitWhenIdle,
      ...(listener ? { wake: listener } : {}),
      ...(signal ? { signal } : {}),
      runJob: async (lease, jobSignal) => {
        try {
          const result = await plugin.sync({ accountId: lease.accountId, folder: lease.folder, nowTs: Math.floor(Date.now() / 1000), maxMessages: lease.maxMessages, signal: jobSignal });
          return { remaining: result.remaining, newMessages: result.new };
        } finally {
          await plugin.disconnect(lease.accountId);
        }
      },
    });
  } finally {
    await listener?.close();
    await plugin.close().catch(() => undefined);
    await store.close();
  }
}

async function main(): Promise<void> {
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  process.on('SIGTERM', () => controller.abort());
  try {
    const report = await runWorkerCommand(parseWorkerArgs(process.argv.slice(2)), controller.signal);
    process.stdout.write(`${JSON.stringify({ ok: true, ...report })}\n`);
  } catch (error) {
    const code = isPrxError(error) ? error.code : 'UNKNOWN';
    process.stdout.write(`${JSON.stringify({ ok: false, code, message: (error as Error).message })}\n`);
    process.exitCode = 1;
  }
}

const invokedDirectly = (() => {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
})();
if (invokedDirectly) void main();

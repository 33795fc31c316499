#!/usr/bin/env node
/**
 * `prx-email worker` (to be wired into `prx-email daemon --db postgres://… --worker-id W`): runs
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

export interface WorkerArgs {
  db: string;
  workerId: string;
  accountsFile: string;
  folders: string[];
  concurrency: number;
  leaseMs: number;
  intervalMs: number;
  maxMessages: number;
  maxConnections: number | null;
  exitWhenIdle: boolean;
  listen: boolean;
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
  const store = await openStore(args.db, { postgres: { poolSize: args.concurrency + 3, applicationName: `prx-email worker ${args.workerId}` } });
  // MIME is parsed on worker threads (the default) so a large batch never delays lease renewals.
  const plugin = new EmailPlugin({ store });
  const listener = args.listen ? await listenForJobs(store.db) : null;
  try {
    const queue = await openWorkQueue(store.db);
    const jobs: QueueJob[] = [];
    for (const entry of entries) {
      const { caFile, ...tls } = entry.imap.tls ?? {};
      const accountId = await plugin.addAccount({ ...entry, imap: { ...entry.imap, tls: { ...tls, ...(caFile ? { ca: readFileSync(caFile, 'utf8') } : {}) } } });
      if (args.maxConnections !== null) await queue.setAccountLimit(accountId, args.maxConnections);
      for (const folder of entry.folders ?? args.folders) jobs.push({ accountId, folder, maxMessages: args.maxMessages });
    }
    await queue.addJobs(jobs);
    return await runDistributedWorker({
      workerId: args.workerId,
      queue,
      concurrency: args.concurrency,
      leaseMs: args.leaseMs,
      intervalMs: args.intervalMs,
      exitWhenIdle: args.exitWhenIdle,
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

/**
 * `prx-email status`: per-account and per-folder health read from the database (it may be open
 * in a running daemon): messages, last sync, last error with its code, the backlog the last sync
 * left (a count), failures in a row and the next attempt of a folder in backoff. A table on a TTY (and in
 * pipes), one JSON object with `--json`.
 */
import { jobKey } from '../../sync/runner.js';
import type { CliCommand } from '../args.js';
import { renderTable } from '../progress.js';
import { cell, isoTime, openExistingStore, type CliIO } from './common.js';

type StatusCommand = Extract<CliCommand, { command: 'status' }>;

export interface FolderHealth {
  folder: string;
  live: number;
  deleted: number;
  cursor: number;
  status: string;
  lastSyncAt: number | null;
  /** Messages the last sync left for later calls (0: the folder is fully stored); null before a
   * sync recorded it. */
  backlog: number | null;
  lastError: string | null;
  errorCode: string | null;
  failures: number;
  nextAttemptAt: number | null;
}

export async function runStatus(command: StatusCommand, io: CliIO): Promise<number> {
  const store = await openExistingStore(command.db);
  try {
    const now = Math.floor(Date.now() / 1000);
    const accounts = [];
    for (const account of await store.listAccounts()) {
      const folders: FolderHealth[] = [];
      for (const counts of await store.folderCounts(account.id)) {
        const runner = await store.getRunnerState(jobKey({ accountId: account.id, folder: counts.folder }));
        const lastError = runner?.lastError ?? counts.lastError;
        folders.push({
          folder: counts.folder,
          live: counts.live,
          deleted: counts.deleted,
          cursor: counts.cursor,
          status: runner && runner.failureCount > 0 ? 'error' : counts.status,
          lastSyncAt: counts.lastSyncAt,
          backlog: counts.remaining,
          lastError,
          errorCode: lastError ? (/^([A-Z_]+):/.exec(lastError)?.[1] ?? null) : null,
          failures: runner?.failureCount ?? 0,
          nextAttemptAt: runner && runner.nextAllowedAt > now ? runner.nextAllowedAt : null,
        });
      }
      accounts.push({ id: account.id, email: account.email, messages: await store.countMessages(account.id), folders });
    }
    if (command.json) {
      io.stdout.write(`${JSON.stringify({ ok: true, accounts })}\n`);
      return 0;
    }
    if (accounts.length === 0) io.stdout.write('no accounts in the database\n');
    for (const account of accounts) {
      const failing = account.folders.filter((f) => f.failures > 0).length;
      io.stdout.write(`${cell(account.email)}: ${account.messages} messages, ${account.folders.length} folders${failing ? `, ${failing} failing` : ''}\n`);
      const header = ['folder', 'live', 'deleted', 'status', 'last sync', 'backlog', 'next attempt', 'last error'];
      const cells = account.folders.map((f) => [
        cell(f.folder, 32),
        String(f.live),
        String(f.deleted),
        f.failures > 1 ? `error x${f.failures}` : f.status,
        isoTime(f.lastSyncAt),
        f.backlog === null ? '-' : String(f.backlog),
        f.nextAttemptAt ? isoTime(f.nextAttemptAt) : '-',
        cell(f.lastError, 70),
      ]);
      io.stdout.write(`${renderTable(header, cells).replace(/^/gm, '  ')}\n`);
    }
    return 0;
  } finally {
    await store.close();
  }
}

#!/usr/bin/env node
/**
 * The `prx-email` command: `sync` a mailbox into a SQLite file, `watch` it with IDLE, show
 * `status`. Exit code 0 on success; 3 ("partial") when some folders synced and others failed
 * (each failed folder's `error {code, message}` is in its row); otherwise 1 and the error's
 * stable code (printed, and in the `--json` object).
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isPrxError, PrxError, type ErrorCode } from '../errors.js';
import { openStore, type Store } from '../store/index.js';
import { EmailPlugin } from '../sync/email-plugin.js';
import { parseCliArgs, USAGE, type ConnectionArgs, type SyncLimits } from './args.js';
import { renderProgress, renderSummaryTable, type SummaryRow } from './progress.js';

function errorInfo(error: unknown): { code: ErrorCode | 'UNKNOWN'; message: string } {
  return isPrxError(error) ? { code: error.code, message: error.message } : { code: 'UNKNOWN', message: String((error as Error)?.message ?? error) };
}

async function addAccount(plugin: EmailPlugin, c: ConnectionArgs): Promise<number> {
  return plugin.addAccount({
    email: c.user,
    ...(c.provider ? { provider: c.provider } : {}),
    imap: {
      ...(c.host !== undefined ? { host: c.host } : {}),
      ...(c.port !== undefined ? { port: c.port } : {}),
      user: c.user,
      auth: c.password !== undefined ? { password: c.password } : { oauthToken: c.oauthToken as string },
      tls: { ...(c.starttls ? { mode: 'starttls' as const } : {}), ...(c.caFile ? { ca: readFileSync(c.caFile, 'utf8') } : {}) },
    },
  });
}

async function runSync(
  plugin: EmailPlugin,
  store: Store,
  accountId: number,
  folders: string[],
  maxMessages: number,
  limits: SyncLimits,
  showProgress: boolean,
): Promise<SummaryRow[]> {
  const rows: SummaryRow[] = [];
  // --max-messages caps what the whole invocation stores; without it each folder's backlog is
  // fetched to the end, maxMessages per call.
  let budget = limits.cap ?? Number.POSITIVE_INFINITY;
  for (const folder of folders) {
    const started = Date.now();
    let lastDraw = 0;
    const row: SummaryRow = { folder, new: 0, updated: 0, deleted: 0, failed: 0, cursor: 0, uidvalidityChanged: false };
    // Keep calling until the backlog is done or the budget spent (one call with a zero budget
    // still brings flags and deletions up to date).
    for (;;) {
      try {
        const result = await plugin.sync({
          accountId,
          folder,
          nowTs: Math.floor(Date.now() / 1000),
          maxMessages: Math.min(maxMessages, budget),
          ...(limits.since !== null ? { since: limits.since } : {}),
          onProgress: (p) => {
            if (!showProgress || Date.now() - lastDraw < 100) return;
            lastDraw = Date.now();
            process.stderr.write(`\r${renderProgress({ folder, done: row.new + p.stored, total: row.new + p.total, bytes: p.bytes, elapsedMs: Date.now() - started })}\u001b[K`);
          },
        });
        row.new += result.new;
        row.updated += result.updated;
        row.deleted += result.deleted;
        row.failed += result.failed;
        row.cursor = result.cursor;
        // A selector (`\\Sent`) or display name reports the folder the server calls it.
        row.folder = result.folder;
        row.displayName = (await store.getFolder(accountId, result.folder))?.displayName ?? result.folder;
        row.uidvalidityChanged ||= result.uidvalidityChanged;
        row.remaining = result.remaining;
        budget -= result.new;
        if (result.remaining === 0 || budget <= 0) break;
      } catch (error) {
        // This folder's failure is this folder's: record it and go on with the next one.
        row.error = `${errorInfo(error).code}: ${errorInfo(error).message}`;
        row.errorInfo = errorInfo(error);
        break;
      }
    }
    if (row.errorInfo) {
      if (showProgress) process.stderr.write('\n');
      rows.push(row);
      continue;
    }
    if (showProgress) process.stderr.write(`\r${renderProgress({ folder, done: row.new, total: row.new, bytes: 0, elapsedMs: Date.now() - started })}\u001b[K\n`);
    rows.push(row);
  }
  return rows;
}

function status(store: Store, json: boolean): void {
  const accounts = store.listAccounts().map((account) => ({
    email: account.email,
    messages: store.countMessages(account.id),
    folders: store.folderCounts(account.id),
  }));
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: true, accounts })}\n`);
    return;
  }
  for (const account of accounts) {
    process.stdout.write(`${account.email}: ${account.messages} messages\n`);
    for (const f of account.folders) {
      const when = f.lastSyncAt ? new Date(f.lastSyncAt * 1000).toISOString() : 'never';
      process.stdout.write(`  ${f.folder.padEnd(24)} ${String(f.live).padStart(7)} live ${String(f.deleted).padStart(6)} deleted  cursor ${f.cursor}  ${f.status} ${when}${f.lastError ? `  ${f.lastError}` : ''}\n`);
    }
  }
}

/** Exit code when some folders synced and others failed (each failure is in its row). */
export const EXIT_PARTIAL = 3;

/** Prints the per-folder outcome; exit 0 when every folder synced, 1 when none did (the first
 * folder's error is the command's error), EXIT_PARTIAL otherwise. */
function report(rows: SummaryRow[], json: boolean): number {
  const failed = rows.filter((row) => row.errorInfo);
  const code = failed.length === 0 ? 0 : failed.length === rows.length ? 1 : EXIT_PARTIAL;
  if (json) {
    const folders = rows.map(({ error: _e, errorInfo, ...r }) => (errorInfo ? { ...r, error: errorInfo } : r));
    const first = failed[0]?.errorInfo;
    process.stdout.write(`${JSON.stringify({ ok: code === 0, ...(code === EXIT_PARTIAL ? { partial: true } : {}), folders, ...(code === 1 && first ? { error: first } : {}) })}\n`);
  } else {
    process.stdout.write(`${renderSummaryTable(rows)}\n`);
    if (code === 1 && failed[0]?.errorInfo) process.stderr.write(`prx-email: ${failed[0].errorInfo.code}: ${failed[0].errorInfo.message}\n`);
  }
  return code;
}

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  let json = argv.includes('--json');
  try {
    const command = parseCliArgs(argv, env);
    if (command.command === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    json = command.json;
    const store = await openStore(command.db);
    if (command.command === 'status') {
      status(store, json);
      store.close();
      return 0;
    }
    const plugin = new EmailPlugin({ store });
    const accountId = await addAccount(plugin, command.connection);
    try {
      let folders = command.folders;
      if (command.command === 'sync' && command.allFolders) {
        folders = (await plugin.listFolders(accountId)).filter((f) => f.selectable).map((f) => f.name);
      }
      const showProgress = !json && process.stderr.isTTY === true;
      const rows = await runSync(plugin, store, accountId, folders, command.maxMessages, command.sync, showProgress);
      if (command.command === 'watch' && !rows.some((row) => row.errorInfo)) {
        process.stderr.write(`watching ${folders[0]} with IDLE (Ctrl-C to stop)\n`);
        for (;;) {
          await plugin.connection(accountId, async (client) => {
            await client.select(folders[0] as string, { readOnly: true });
            const stop = client.onUnsolicited((data) => {
              if (data.type === 'exists' || data.type === 'expunge' || data.type === 'vanished' || data.type === 'fetch') client.stopIdle?.();
            });
            try {
              await client.idle({ maxIdleMs: 5 * 60_000 });
            } finally {
              stop();
            }
          });
          const more = await runSync(plugin, store, accountId, folders.slice(0, 1), command.maxMessages, command.sync, false);
          process.stderr.write(`${renderSummaryTable(more)}\n`);
        }
      }
      return report(rows, json);
    } finally {
      await plugin.close();
      store.close();
    }
  } catch (error) {
    const info = errorInfo(error);
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, folders: [], error: info })}\n`);
    else process.stderr.write(`prx-email: ${info.code}: ${info.message}\n`);
    return error instanceof PrxError || isPrxError(error) ? 1 : 2;
  }
}

function invokedDirectly(): boolean {
  try {
    return process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}
if (invokedDirectly()) {
  main(process.argv.slice(2), process.env).then((code) => {
    process.exitCode = code;
  });
}

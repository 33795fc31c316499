/**
 * `prx-email sync`: one pass over one account given by flags, or over the accounts of a config
 * file (`--config FILE [--account NAME]`). Each folder is synced until its backlog is empty; on a
 * TTY a progress bar per folder shows the folder's whole backlog, cumulative MB, rate and ETA.
 * `--max-messages N` caps what the invocation stores, `--since` bounds the backfill. Prints a
 * summary table, or one JSON object with `--json`; exit 0, 1 (nothing synced) or 3 (partial).
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import { openStore, type Store } from '../../store/index.js';
import { EmailPlugin } from '../../sync/email-plugin.js';
import { loadServiceConfig } from '../../sync/service/config.js';
import { resolveServiceAccount } from '../../sync/service/accounts.js';
import { namedFolders, needsFolderList, selectFolders } from '../../sync/service/folder-selection.js';
import type { CliCommand, ConnectionArgs, SyncLimits } from '../args.js';
import { createFolderProgress, renderProgress, renderSummaryTable, type SummaryRow } from '../progress.js';
import { errorInfo, pathFromConfig, safeText, type CliIO } from './common.js';

type SyncCommand = Extract<CliCommand, { command: 'sync' }>;
type SyncConfigCommand = Extract<CliCommand, { command: 'sync-config' }>;

interface AccountRow extends SummaryRow {
  account?: string;
}

/** What the whole invocation may still store (`--max-messages`, all folders and accounts together). */
interface Budget {
  left: number;
}

/**
 * Syncs the folders one after the other, each until its backlog is done or the invocation's
 * budget is spent (one call with a zero budget still brings flags and deletions up to date). A
 * folder that fails gets its error in its own row and the next folder is still synced; only the
 * caller's abort stops the loop.
 */
export async function syncFolders(
  plugin: EmailPlugin,
  accountId: number,
  folders: string[],
  options: { store: Store; maxMessages: number; limits: SyncLimits; budget: Budget; io: CliIO; showProgress: boolean; account?: string; signal?: AbortSignal },
): Promise<AccountRow[]> {
  const rows: AccountRow[] = [];
  const label = (folder: string): string => (options.account ? `${options.account}/${folder}` : folder);
  for (const folder of folders) {
    const progress = createFolderProgress(label(folder), Date.now());
    let lastDraw = 0;
    let drawn = false;
    const draw = (force: boolean): void => {
      if (!options.showProgress || (!force && Date.now() - lastDraw < 100)) return;
      lastDraw = Date.now();
      drawn = true;
      options.io.stderr.write(`\r${renderProgress(progress.view(Date.now()))}\u001b[K`);
    };
    const row: AccountRow = { ...(options.account ? { account: options.account } : {}), folder, new: 0, updated: 0, deleted: 0, failed: 0, cursor: 0, uidvalidityChanged: false };
    for (;;) {
      try {
        const result = await plugin.sync({
          accountId,
          folder,
          nowTs: Math.floor(Date.now() / 1000),
          maxMessages: Math.min(options.maxMessages, options.budget.left),
          ...(options.limits.since !== null ? { since: options.limits.since } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
          onBacklog: (backlog) => {
            progress.backlog(backlog.messages, backlog.bytes);
            draw(true);
          },
          onProgress: (p) => {
            progress.progress(p.stored, p.bytes);
            draw(false);
          },
        });
        progress.endCall();
        row.new += result.new;
        row.updated += result.updated;
        row.deleted += result.deleted;
        row.failed += result.failed;
        row.cursor = result.cursor;
        // A selector (`\\Sent`) or a display name reports the folder the server calls it.
        row.folder = result.folder;
        row.displayName = (await options.store.getFolder(accountId, result.folder))?.displayName ?? result.folder;
        row.uidvalidityChanged ||= result.uidvalidityChanged;
        row.remaining = result.remaining;
        options.budget.left -= result.new;
        if (result.remaining === 0 || options.budget.left <= 0) break;
      } catch (error) {
        if (options.signal?.aborted) throw error;
        // This folder's failure is this folder's: recorded in its row, the next folder goes on.
        const info = errorInfo(error);
        row.error = `${info.code}: ${info.message}`;
        row.errorInfo = info;
        break;
      }
    }
    if (options.showProgress && (drawn || !row.errorInfo)) options.io.stderr.write(row.errorInfo ? '\n' : `\r${renderProgress(progress.view(Date.now()))}\u001b[K\n`);
    rows.push(row);
  }
  return rows;
}

/** Exit code when some folders synced and others failed (each failure is in its row). */
export const EXIT_PARTIAL = 3;

/** Prints the per-folder outcome; exit 0 when every folder synced, 1 when none did (the first
 * error is the command's error), EXIT_PARTIAL otherwise. */
function report(rows: AccountRow[], json: boolean, io: CliIO): number {
  const failed = rows.filter((row) => row.errorInfo);
  const code = failed.length === 0 ? 0 : failed.length === rows.length ? 1 : EXIT_PARTIAL;
  const first = failed[0]?.errorInfo;
  if (json) {
    const folders = rows.map(({ error: _e, errorInfo, ...r }) => (errorInfo ? { ...r, error: errorInfo } : r));
    io.stdout.write(`${JSON.stringify({ ok: code === 0, ...(code === EXIT_PARTIAL ? { partial: true } : {}), folders, ...(code === 1 && first ? { error: first } : {}) })}\n`);
  } else {
    io.stdout.write(`${renderSummaryTable(rows.map((r) => ({ ...r, displayName: r.account ? `${r.account}/${r.displayName ?? r.folder}` : (r.displayName ?? r.folder) })))}\n`);
    if (code === 1 && first) io.stderr.write(`prx-email: ${first.code}: ${safeText(first.message)}\n`);
  }
  return code;
}

export function accountFromFlags(c: ConnectionArgs) {
  return {
    email: c.user,
    ...(c.provider ? { provider: c.provider } : {}),
    imap: {
      ...(c.host !== undefined ? { host: c.host } : {}),
      ...(c.port !== undefined ? { port: c.port } : {}),
      user: c.user,
      auth: c.password !== undefined ? { password: c.password } : { oauthToken: c.oauthToken as string },
      tls: { ...(c.starttls ? { mode: 'starttls' as const } : {}), ...(c.caFile ? { ca: readFileSync(c.caFile, 'utf8') } : {}) },
    },
  };
}

export async function runSync(command: SyncCommand, io: CliIO): Promise<number> {
  const store = await openStore(command.db);
  const plugin = new EmailPlugin({ store });
  try {
    const accountId = await plugin.addAccount(accountFromFlags(command.connection));
    let folders = command.folders;
    if (command.allFolders) folders = selectFolders('all', await plugin.listFolders(accountId)).folders; // INBOX first
    const budget = { left: command.limits.cap ?? Number.POSITIVE_INFINITY };
    const rows = await syncFolders(plugin, accountId, folders, { store, maxMessages: command.maxMessages, limits: command.limits, budget, io, showProgress: !command.json && io.stderr.isTTY === true });
    return report(rows, command.json, io);
  } finally {
    await plugin.close();
    await store.close();
  }
}

export async function runSyncConfig(command: SyncConfigCommand, io: CliIO, env: Record<string, string | undefined>): Promise<number> {
  const config = loadServiceConfig(command.config);
  const chosen = command.account === undefined ? config.accounts : config.accounts.filter((a) => a.name === command.account);
  if (chosen.length === 0) throw new ConfigError(`no account named '${command.account}' in ${command.config} (have: ${config.accounts.map((a) => a.name).join(', ')})`);
  const db = command.db ?? (config.db !== undefined ? pathFromConfig(command.config, config.db) : 'mail.db');
  const store = await openStore(db);
  const plugin = new EmailPlugin({ store });
  const rows: AccountRow[] = [];
  const budget = { left: command.limits.cap ?? Number.POSITIVE_INFINITY };
  try {
    // One account failing (bad password, server down) does not stop the others.
    for (const accountConfig of chosen) {
      try {
        const account = await resolveServiceAccount(accountConfig, env);
        const accountId = await plugin.addAccount({ email: account.email, ...(account.provider ? { provider: account.provider } : {}), imap: account.imap });
        let folders: string[];
        if (command.allFolders) folders = selectFolders('all', await plugin.listFolders(accountId)).folders;
        else if (needsFolderList(account.folders)) folders = selectFolders(account.folders, await plugin.listFolders(accountId)).folders;
        else folders = namedFolders(account.folders);
        rows.push(...(await syncFolders(plugin, accountId, folders, { store, maxMessages: command.maxMessages, limits: command.limits, budget, io, showProgress: !command.json && io.stderr.isTTY === true, account: accountConfig.name })));
      } catch (error) {
        // An account that cannot start (bad password, server down) is its row; the others go on.
        const info = errorInfo(error);
        rows.push({ account: accountConfig.name, folder: '-', new: 0, updated: 0, deleted: 0, failed: 0, cursor: 0, uidvalidityChanged: false, error: `${info.code}: ${info.message}`, errorInfo: info });
      }
    }
    return report(rows, command.json, io);
  } finally {
    await plugin.close();
    await store.close();
  }
}

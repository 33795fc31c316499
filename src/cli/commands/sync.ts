/**
 * `prx-email sync`: one pass over one account given by flags, or over the accounts of a config
 * file (`--config FILE [--account NAME]`). Each folder is synced until its backlog is empty; on a
 * TTY a progress bar per folder shows the folder's whole backlog, cumulative MB, rate and ETA.
 * Prints a summary table, or one JSON object with `--json`.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../errors.js';
import { openStore } from '../../store/index.js';
import { EmailPlugin } from '../../sync/email-plugin.js';
import { loadServiceConfig } from '../../sync/service/config.js';
import { resolveServiceAccount } from '../../sync/service/accounts.js';
import { namedFolders, needsFolderList, selectFolders } from '../../sync/service/folder-selection.js';
import type { CliCommand, ConnectionArgs } from '../args.js';
import { createFolderProgress, renderProgress, renderSummaryTable, type SummaryRow } from '../progress.js';
import { errorInfo, pathFromConfig, safeText, type CliIO } from './common.js';

type SyncCommand = Extract<CliCommand, { command: 'sync' }>;
type SyncConfigCommand = Extract<CliCommand, { command: 'sync-config' }>;

interface AccountRow extends SummaryRow {
  account?: string;
}

/** Syncs the folders one after the other, each until its backlog is done. Throws on the first
 * failure, with the rows so far attached as `partialRows`. */
export async function syncFolders(
  plugin: EmailPlugin,
  accountId: number,
  folders: string[],
  options: { maxMessages: number; io: CliIO; showProgress: boolean; account?: string; signal?: AbortSignal },
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
          maxMessages: options.maxMessages,
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
        row.uidvalidityChanged ||= result.uidvalidityChanged;
        if (result.remaining === 0) break;
      } catch (error) {
        const info = errorInfo(error);
        row.error = `${info.code}: ${info.message}`;
        rows.push(row);
        if (drawn) options.io.stderr.write('\n');
        throw Object.assign(error as object, { partialRows: rows });
      }
    }
    if (options.showProgress) options.io.stderr.write(`\r${renderProgress(progress.view(Date.now()))}\u001b[K\n`);
    rows.push(row);
  }
  return rows;
}

function printRows(rows: AccountRow[], json: boolean, io: CliIO): void {
  if (json) io.stdout.write(`${JSON.stringify({ ok: true, folders: rows.map(({ error: _e, ...r }) => r) })}\n`);
  else io.stdout.write(`${renderSummaryTable(rows.map((r) => ({ ...r, folder: r.account ? `${r.account}/${r.folder}` : r.folder })))}\n`);
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
    const rows = await syncFolders(plugin, accountId, folders, { maxMessages: command.maxMessages, io, showProgress: !command.json && io.stderr.isTTY === true });
    printRows(rows, command.json, io);
    return 0;
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
  let firstError: ReturnType<typeof errorInfo> | null = null;
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
        rows.push(...(await syncFolders(plugin, accountId, folders, { maxMessages: command.maxMessages, io, showProgress: !command.json && io.stderr.isTTY === true, account: accountConfig.name })));
      } catch (error) {
        const info = errorInfo(error);
        firstError ??= info;
        const partial = (error as { partialRows?: AccountRow[] }).partialRows;
        if (partial) rows.push(...partial);
        else rows.push({ account: accountConfig.name, folder: '-', new: 0, updated: 0, deleted: 0, failed: 0, cursor: 0, uidvalidityChanged: false, error: `${info.code}: ${info.message}` });
      }
    }
    if (firstError === null) {
      printRows(rows, command.json, io);
      return 0;
    }
    if (command.json) io.stdout.write(`${JSON.stringify({ ok: false, folders: rows, error: firstError })}\n`);
    else {
      io.stdout.write(`${renderSummaryTable(rows.map((r) => ({ ...r, folder: r.account ? `${r.account}/${r.folder}` : r.folder })))}\n`);
      io.stderr.write(`prx-email: ${firstError.code}: ${safeText(firstError.message)}\n`);
    }
    return 1;
  } finally {
    await plugin.close();
    await store.close();
  }
}

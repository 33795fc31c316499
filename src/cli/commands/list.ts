/**
 * `prx-email list`: the newest stored messages of every account (or one, `--account EMAIL`),
 * optionally of one folder: id, date, sender, subject — a table, or JSON with `--json`.
 * Also renders the rows of `search`.
 */
import type { StoredMessage } from '../../store/index.js';
import type { CliCommand } from '../args.js';
import { renderTable } from '../progress.js';
import { cell, openExistingStore, selectAccounts, type CliIO } from './common.js';

type ListCommand = Extract<CliCommand, { command: 'list' }>;

export interface MessageRow {
  id: number;
  account: string;
  date: string | null;
  from: string | null;
  subject: string | null;
  folders: string[];
  flags: string[];
  snippet: string;
}

export function toRow(message: StoredMessage, account: string): MessageRow {
  return {
    id: message.id,
    account,
    date: message.date ? new Date(message.date).toISOString() : null,
    from: message.sender ?? message.senderAddress ?? null,
    subject: message.subject ?? null,
    folders: [...new Set(message.locations.map((l) => l.folder))],
    flags: [...new Set(message.locations.flatMap((l) => l.flags))],
    snippet: message.snippet ?? '',
  };
}

export function printMessages(rows: MessageRow[], json: boolean, io: CliIO): void {
  if (json) {
    io.stdout.write(`${JSON.stringify({ ok: true, messages: rows })}\n`);
    return;
  }
  if (rows.length === 0) {
    io.stdout.write('no messages\n');
    return;
  }
  const header = ['id', 'date', 'from', 'subject', 'folder'];
  const cells = rows.map((r) => [String(r.id), r.date ? r.date.slice(0, 16).replace('T', ' ') : '-', cell(r.from, 28), cell(r.subject, 60), cell(r.folders.join(','), 20)]);
  io.stdout.write(`${renderTable(header, cells)}\n`);
}

/** Newest first over several accounts. */
export function newestFirst(rows: MessageRow[], limit: number): MessageRow[] {
  return rows.sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || b.id - a.id).slice(0, limit);
}

export async function runList(command: ListCommand, io: CliIO): Promise<number> {
  const store = await openExistingStore(command.db);
  try {
    const rows: MessageRow[] = [];
    for (const account of await selectAccounts(store, command.account)) {
      const messages = await store.listMessages({ accountId: account.id, limit: command.limit, ...(command.folder !== undefined ? { folder: command.folder } : {}) });
      rows.push(...messages.map((m) => toRow(m, account.email)));
    }
    printMessages(newestFirst(rows, command.limit), command.json, io);
    return 0;
  } finally {
    await store.close();
  }
}

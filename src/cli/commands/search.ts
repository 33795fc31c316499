/**
 * `prx-email search QUERY`: stored messages whose subject, sender, snippet or text body contain
 * QUERY (matched literally, case-insensitively for ASCII), newest first, over every account or
 * one (`--account EMAIL`).
 */
import type { CliCommand } from '../args.js';
import { openExistingStore, selectAccounts, type CliIO } from './common.js';
import { newestFirst, printMessages, toRow, type MessageRow } from './list.js';

type SearchCommand = Extract<CliCommand, { command: 'search' }>;

export async function runSearch(command: SearchCommand, io: CliIO): Promise<number> {
  const store = await openExistingStore(command.db);
  try {
    const rows: MessageRow[] = [];
    for (const account of await selectAccounts(store, command.account)) {
      const messages = await store.searchMessages({ accountId: account.id, query: command.query, limit: command.limit });
      rows.push(...messages.map((m) => toRow(m, account.email)));
    }
    printMessages(newestFirst(rows, command.limit), command.json, io);
    return 0;
  } finally {
    await store.close();
  }
}

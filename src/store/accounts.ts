/**
 * Accounts and folders: who we sync and which folders we know, with their server-side names,
 * decoded display names, special-use and latest UIDVALIDITY/UIDNEXT/HIGHESTMODSEQ.
 */

import type { Database, Queryable, Row } from './database.js';

export interface AccountRow {
  id: number;
  email: string;
  provider: string | null;
  /** IMAP settings without secrets (host, port, user, tls mode). */
  settings: Record<string, unknown>;
}

export interface FolderRow {
  id: number;
  accountId: number;
  name: string;
  displayName: string;
  delimiter: string | null;
  specialUse: string | null;
  uidValidity: number | null;
  uidNext: number | null;
  highestModseq: bigint | null;
}

function toAccount(row: Row): AccountRow {
  return {
    id: Number(row.id),
    email: String(row.email),
    provider: row.provider === null ? null : String(row.provider),
    settings: JSON.parse(String(row.settings)) as Record<string, unknown>,
  };
}

function toFolder(row: Row): FolderRow {
  return {
    id: Number(row.id),
    accountId: Number(row.account_id),
    name: String(row.name),
    displayName: String(row.display_name),
    delimiter: row.delimiter === null ? null : String(row.delimiter),
    specialUse: row.special_use === null ? null : String(row.special_use),
    uidValidity: row.uidvalidity === null ? null : Number(row.uidvalidity),
    uidNext: row.uidnext === null ? null : Number(row.uidnext),
    highestModseq: row.highestmodseq === null ? null : BigInt(row.highestmodseq as bigint),
  };
}

export async function upsertAccount(
  db: Database,
  account: { email: string; provider: string | null; settings: Record<string, unknown> },
  nowTs: number,
): Promise<number> {
  return db.transaction(async (db) => {
    await db.run(
      `INSERT INTO accounts (email, provider, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (email) DO UPDATE SET provider = excluded.provider, settings = excluded.settings,
         updated_at = excluded.updated_at
       WHERE accounts.provider IS NOT excluded.provider OR accounts.settings IS NOT excluded.settings`,
      [account.email, account.provider, JSON.stringify(account.settings), nowTs, nowTs],
    );
    return Number((await db.one('SELECT id FROM accounts WHERE email = ?', [account.email]))?.id);
  });
}

export async function getAccount(db: Database, id: number): Promise<AccountRow | null> {
  const row = await db.one('SELECT * FROM accounts WHERE id = ?', [id]);
  return row ? toAccount(row) : null;
}

export async function listAccounts(db: Database): Promise<AccountRow[]> {
  return (await db.all('SELECT * FROM accounts ORDER BY id')).map(toAccount);
}

/** Creates the folder when missing (display name defaults to the server name); returns its id. */
export async function ensureFolder(
  db: Queryable,
  accountId: number,
  name: string,
  details: { displayName?: string; delimiter?: string | null; specialUse?: string | null } = {},
): Promise<number> {
  return db.transaction(async (db) => {
    await db.run(
      `INSERT INTO folders (account_id, name, display_name, delimiter, special_use) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id, name) DO UPDATE SET
         display_name = COALESCE(?, folders.display_name),
         delimiter = COALESCE(?, folders.delimiter),
         special_use = COALESCE(?, folders.special_use)
       WHERE folders.display_name IS NOT COALESCE(?, folders.display_name)
          OR folders.delimiter IS NOT COALESCE(?, folders.delimiter)
          OR folders.special_use IS NOT COALESCE(?, folders.special_use)`,
      [
        accountId,
        name,
        details.displayName ?? name,
        details.delimiter ?? null,
        details.specialUse ?? null,
        details.displayName ?? null,
        details.delimiter ?? null,
        details.specialUse ?? null,
        details.displayName ?? null,
        details.delimiter ?? null,
        details.specialUse ?? null,
      ],
    );
    return Number((await db.one('SELECT id FROM folders WHERE account_id = ? AND name = ?', [accountId, name]))?.id);
  });
}

export async function listFolders(db: Database, accountId: number): Promise<FolderRow[]> {
  return (await db.all('SELECT * FROM folders WHERE account_id = ? ORDER BY name', [accountId])).map(toFolder);
}

export async function getFolder(db: Database, accountId: number, name: string): Promise<FolderRow | null> {
  const row = await db.one('SELECT * FROM folders WHERE account_id = ? AND name = ?', [accountId, name]);
  return row ? toFolder(row) : null;
}

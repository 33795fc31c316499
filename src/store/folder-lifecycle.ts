/**
 * Folders that change on the server: a folder that is gone has its live locations tombstoned,
 * its sync state marked 'deleted' and `folders.deleted_at` set (the message rows stay; the live
 * views drop them when no other folder holds them); a renamed folder keeps its row, state and
 * locations under the new name; a folder that reappears is live again. Each change is one
 * transaction.
 */

import type { Queryable as Database } from './database.js';

export interface FolderLifecycleRow {
  id: number;
  name: string;
  displayName: string;
  uidValidity: number | null;
  /** Highest UID held in its current UIDVALIDITY (0 when none). */
  highestUid: number;
  /** True when a sync stored messages' state for it (a failed first attempt does not count). */
  synced: boolean;
  deletedAt: number | null;
}

export async function listFolderLifecycle(db: Database, accountId: number): Promise<FolderLifecycleRow[]> {
  return (
    await db.all(
      `SELECT f.id, f.name, f.display_name, f.uidvalidity, f.deleted_at, s.uidvalidity AS synced,
              (SELECT MAX(l.uid) FROM message_locations l WHERE l.folder_id = f.id AND l.uidvalidity = f.uidvalidity) AS highest
         FROM folders f LEFT JOIN sync_state s ON s.folder_id = f.id AND s.account_id = f.account_id
        WHERE f.account_id = ? ORDER BY f.id`,
      [accountId],
    )
  ).map((row) => ({
      id: Number(row.id),
      name: String(row.name),
      displayName: String(row.display_name),
      uidValidity: row.uidvalidity === null ? null : Number(row.uidvalidity),
      highestUid: row.highest === null ? 0 : Number(row.highest),
      synced: row.synced !== null,
      deletedAt: row.deleted_at === null ? null : Number(row.deleted_at),
    }));
}

/** Marks the folder gone: tombstones its live locations, state 'deleted'. Returns how many
 * locations were tombstoned (0 when it was already marked). */
export async function markFolderDeleted(db: Database, accountId: number, folderId: number, at: number): Promise<number> {
  return db.transaction(async (db) => {
    const live = Number((await db.one('SELECT COUNT(*) AS n FROM message_locations WHERE folder_id = ? AND deleted_at IS NULL', [folderId]))?.n ?? 0);
    await db.run('UPDATE message_locations SET deleted_at = ? WHERE folder_id = ? AND deleted_at IS NULL', [at, folderId]);
    await db.run('UPDATE folders SET deleted_at = COALESCE(deleted_at, ?) WHERE id = ? AND account_id = ?', [at, folderId, accountId]);
    await db.run(
      `UPDATE sync_state SET status = 'deleted', last_error = 'folder no longer on the server', last_sync_at = ?
        WHERE account_id = ? AND folder_id = ? AND status IS DISTINCT FROM 'deleted'`,
      [at, accountId, folderId],
    );
    return live;
  });
}

/** The folder was renamed on the server: same row, state and locations under the new name. */
export async function renameFolder(
  db: Database,
  accountId: number,
  folderId: number,
  to: { name: string; displayName: string; delimiter: string | null; specialUse: string | null },
): Promise<void> {
  await db.transaction(async (db) => {
    // A row the LIST recorded for the new name earlier (never synced) gives way.
    await db.run(
      `DELETE FROM folders WHERE account_id = ? AND name = ? AND id <> ?
          AND NOT EXISTS (SELECT 1 FROM message_locations l WHERE l.folder_id = folders.id)`,
      [accountId, to.name, folderId],
    );
    await db.run('UPDATE folders SET name = ?, display_name = ?, delimiter = ?, special_use = ?, deleted_at = NULL WHERE id = ? AND account_id = ?', [
      to.name,
      to.displayName,
      to.delimiter,
      to.specialUse,
      folderId,
      accountId,
    ]);
  });
}

/** The folder is on the server (again): clears its deleted mark. Its old tombstones stay; the
 * next sync starts over under the folder's (new) UIDVALIDITY. */
export async function markFolderPresent(db: Database, folderId: number): Promise<void> {
  await db.transaction(async (db) => {
    await db.run('UPDATE folders SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL', [folderId]);
    await db.run(
      `UPDATE sync_state SET status = 'ok', last_error = NULL, cursor = 0, covered_from = 1, uidvalidity = NULL, highestmodseq = NULL
        WHERE folder_id = ? AND status = 'deleted'`,
      [folderId],
    );
  });
}

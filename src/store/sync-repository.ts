/**
 * The store's side of the sync engine's `SyncStore` port (src/sync/ports.ts, whose types it
 * implements): folder sync state, live message locations, and the all-or-nothing batch that
 * stores messages, flag changes, tombstones and the new cursor in one transaction.
 */

import type { MessageRecord } from '../mime/types.js';
import type { FolderSyncState, GmailAttributes, KnownLocation, NewFolder, SyncBatch, SyncStateUpdate, UidValidityRemap } from '../sync/ports.js';
import { ensureFolder } from './accounts.js';
import type { Database, Queryable, Row } from './database.js';
import { ADOPT_LEGACY_MESSAGE_SQL, UPSERT_MESSAGE_SQL, messageParams } from './message-columns.js';

const toBigOrNull = (value: unknown): bigint | null => (value === null || value === undefined ? null : BigInt(value as bigint));
const params = (values: unknown[]): unknown[] => values;

/** The folder's state, or null when there is no row for it (nothing is created). */
export async function findFolderState(db: Database, accountId: number, folder: string): Promise<FolderSyncState | null> {
  const row = await db.one('SELECT id FROM folders WHERE account_id = ? AND name = ?', [accountId, folder]);
  return row ? folderStateById(db, accountId, Number(row.id)) : null;
}

/** Creates the folder row when missing (`displayName` defaults to the name); returns its state. */
export async function loadFolderState(db: Database, accountId: number, folder: string, displayName?: string): Promise<FolderSyncState> {
  const folderId = await ensureFolder(db, accountId, folder, displayName !== undefined ? { displayName } : {});
  return folderStateById(db, accountId, folderId);
}

async function folderStateById(db: Database, accountId: number, folderId: number): Promise<FolderSyncState> {
  return db.transaction(async (db) => {
  const row = (await db.one(
    `SELECT s.cursor, s.covered_from, s.uidvalidity, s.highestmodseq, f.uidnext
       FROM folders f LEFT JOIN sync_state s ON s.folder_id = f.id AND s.account_id = ?
      WHERE f.id = ?`,
    [accountId, folderId],
  )) as Row;
  const uidValidity = row.uidvalidity === null ? null : Number(row.uidvalidity);
  const live = await db.one(
    'SELECT COUNT(*) AS n FROM message_locations WHERE folder_id = ? AND uidvalidity = ? AND deleted_at IS NULL',
    [folderId, uidValidity ?? -1],
  );
  return {
    folderId,
    cursor: row.cursor === null ? 0 : Number(row.cursor),
    coveredFrom: row.covered_from === null ? 1 : Number(row.covered_from),
    uidValidity,
    uidNext: row.uidnext === null ? null : Number(row.uidnext),
    highestModseq: toBigOrNull(row.highestmodseq),
    liveCount: Number(live?.n ?? 0),
  };
  });
}

export async function listLocations(db: Database, folderId: number, uidValidity: number): Promise<KnownLocation[]> {
  return (
    await db.all(
      `SELECT l.uid, l.flags, l.modseq, m.message_id, m.size, m.gm_labels
         FROM message_locations l JOIN messages m ON m.id = l.message_row_id
        WHERE l.folder_id = ? AND l.uidvalidity = ? AND l.deleted_at IS NULL
        ORDER BY l.uid`,
      [folderId, uidValidity],
    )
  ).map((row) => ({
      uid: Number(row.uid),
      flags: JSON.parse(String(row.flags)) as string[],
      modseq: toBigOrNull(row.modseq),
      messageId: String(row.message_id),
      size: Number(row.size),
      labels: row.gm_labels === null || row.gm_labels === undefined ? null : (JSON.parse(String(row.gm_labels)) as string[]),
    }));
}

/**
 * The row of the message the record is a copy of — same Message-ID and same fingerprint — or a
 * new row (docs/store.md, "Message identity"). A row stored before fingerprints existed is
 * adopted by the first copy with its Message-ID.
 */
async function insertMessage(db: Queryable, accountId: number, record: MessageRecord, nowTs: number): Promise<number> {
  await db.run(ADOPT_LEGACY_MESSAGE_SQL, [accountId, record.messageId, record.fingerprint]);
  await db.run(UPSERT_MESSAGE_SQL, [accountId, ...messageParams(record), nowTs]);
  const row = await db.one('SELECT id FROM messages WHERE account_id = ? AND message_id = ? AND fingerprint = ?', [
    accountId,
    record.messageId,
    record.fingerprint,
  ]);
  return Number(row?.id);
}

/**
 * Gmail: one row per X-GM-MSGID. A copy seen in another folder (INBOX and [Gmail]/All Mail) is
 * the row already stored under that id; otherwise the message is inserted as usual and given its
 * ids. Labels are the latest reported.
 */
async function storeGmailMessage(db: Queryable, accountId: number, record: MessageRecord, gmail: GmailAttributes, nowTs: number): Promise<number> {
  const known = await db.one('SELECT id FROM messages WHERE account_id = ? AND gm_msgid = ?', [accountId, gmail.msgId]);
  const rowId = known ? Number(known.id) : await insertMessage(db, accountId, record, nowTs);
  await db.run('UPDATE messages SET gm_msgid = ?, gm_thrid = COALESCE(?, gm_thrid), gm_labels = ? WHERE id = ?', [
    gmail.msgId,
    gmail.thrId,
    JSON.stringify(gmail.labels),
    rowId,
  ]);
  return rowId;
}

async function writeState(db: Queryable, accountId: number, folderId: number, state: SyncStateUpdate): Promise<void> {
  // Only when something differs: an unchanged row is not rewritten (no page written to the file).
  const coveredFrom = state.coveredFrom ?? null;
  const remaining = state.remaining ?? null;
  await db.run(
    `INSERT INTO sync_state (account_id, folder_id, cursor, covered_from, remaining, uidvalidity, highestmodseq, last_sync_at, last_error, status)
     VALUES (?, ?, ?, COALESCE(?, 1), ?, ?, ?, ?, NULL, 'ok')
     ON CONFLICT (account_id, folder_id) DO UPDATE SET cursor = excluded.cursor,
       covered_from = COALESCE(?, sync_state.covered_from), remaining = COALESCE(?, sync_state.remaining),
       uidvalidity = excluded.uidvalidity, highestmodseq = excluded.highestmodseq, last_sync_at = excluded.last_sync_at,
       last_error = NULL, status = 'ok'
     WHERE sync_state.cursor IS NOT excluded.cursor OR sync_state.covered_from IS NOT COALESCE(?, sync_state.covered_from)
        OR sync_state.remaining IS NOT COALESCE(?, sync_state.remaining)
        OR sync_state.uidvalidity IS NOT excluded.uidvalidity
        OR sync_state.highestmodseq IS NOT excluded.highestmodseq OR sync_state.last_sync_at IS NOT excluded.last_sync_at
        OR sync_state.last_error IS NOT NULL OR sync_state.status IS NOT 'ok'`,
    params([
      accountId, folderId, state.cursor, coveredFrom, remaining, state.uidValidity, state.highestModseq, state.lastSyncAt,
      coveredFrom, remaining, coveredFrom, remaining,
    ]),
  );
  await db.run(
    // Only when something differs: an unchanged row is not rewritten (no page written to the file).
    `UPDATE folders SET uidvalidity = ?1, uidnext = ?2, highestmodseq = ?3
      WHERE id = ?4 AND (uidvalidity IS NOT ?1 OR uidnext IS NOT ?2 OR highestmodseq IS NOT ?3)`,
    params([state.uidValidity, state.uidNext, state.highestModseq, folderId]),
  );
}

/**
 * Stores the batch in one transaction; resolves to the folder's row id. A folder's first batch
 * (`folderId` null) creates its row in the same transaction: a first sync commits once, the row
 * never exists without the state its batch wrote, and an interrupted first batch leaves nothing.
 */
export async function applyBatch(db: Database, batch: SyncBatch): Promise<number> {
  return db.transaction(async (db) => {
    const folderId = batch.folderId !== null ? batch.folderId : await createFolder(db, batch.accountId, batch.newFolder);
    for (const message of batch.messages) {
      const rowId = message.gmail
        ? await storeGmailMessage(db, batch.accountId, message.record, message.gmail, batch.state.lastSyncAt)
        : await insertMessage(db, batch.accountId, message.record, batch.state.lastSyncAt);
      await db.run(
        `INSERT INTO message_locations (folder_id, uidvalidity, uid, message_row_id, flags, modseq, internaldate, deleted_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL)
         ON CONFLICT (folder_id, uidvalidity, uid) DO UPDATE SET message_row_id = excluded.message_row_id,
           flags = excluded.flags, modseq = excluded.modseq, internaldate = excluded.internaldate, deleted_at = NULL
         WHERE message_locations.message_row_id IS NOT excluded.message_row_id OR message_locations.flags IS NOT excluded.flags
            OR message_locations.modseq IS NOT excluded.modseq OR message_locations.internaldate IS NOT excluded.internaldate
            OR message_locations.deleted_at IS NOT NULL`,
        params([
          folderId,
          batch.uidValidity,
          message.uid,
          rowId,
          JSON.stringify(message.flags),
          message.modseq,
          message.internalDate,
        ]),
      );
    }
    for (const update of batch.flagUpdates) {
      await db.run(
        `UPDATE message_locations SET flags = ?1, modseq = ?2 WHERE folder_id = ?3 AND uidvalidity = ?4 AND uid = ?5
            AND (flags IS NOT ?1 OR modseq IS NOT ?2)`,
        params([JSON.stringify(update.flags), update.modseq, folderId, batch.uidValidity, update.uid]),
      );
      if (update.labels !== undefined) {
        await db.run(
          `UPDATE messages SET gm_labels = ? WHERE id = (
             SELECT message_row_id FROM message_locations WHERE folder_id = ? AND uidvalidity = ? AND uid = ?)`,
          [JSON.stringify(update.labels), folderId, batch.uidValidity, update.uid],
        );
      }
    }
    for (const uid of batch.expungedUids) {
      await db.run(
        `UPDATE message_locations SET deleted_at = ?
          WHERE folder_id = ? AND uidvalidity = ? AND uid = ? AND deleted_at IS NULL`,
        [batch.state.lastSyncAt, folderId, batch.uidValidity, uid],
      );
    }
    await writeState(db, batch.accountId, folderId, batch.state);
    return folderId;
  });
}

function createFolder(db: Queryable, accountId: number, { name, displayName }: NewFolder): Promise<number> {
  return ensureFolder(db, accountId, name, displayName !== undefined ? { displayName } : {});
}

export async function remapUidValidity(db: Database, change: UidValidityRemap): Promise<{ tombstoned: number }> {
  return db.transaction(async (db) => {
    for (const match of change.matches) {
      await db.run(
        `UPDATE message_locations SET uidvalidity = ?, uid = ?
          WHERE folder_id = ? AND uidvalidity = ? AND uid = ? AND deleted_at IS NULL`,
        [change.newUidValidity, match.newUid, change.folderId, change.oldUidValidity, match.oldUid],
      );
    }
    const before = await db.one(
      'SELECT COUNT(*) AS n FROM message_locations WHERE folder_id = ? AND uidvalidity = ? AND deleted_at IS NULL',
      [change.folderId, change.oldUidValidity],
    );
    await db.run(
      'UPDATE message_locations SET deleted_at = ? WHERE folder_id = ? AND uidvalidity = ? AND deleted_at IS NULL',
      [change.lastSyncAt, change.folderId, change.oldUidValidity],
    );
    await writeState(db, change.accountId, change.folderId, {
      cursor: change.cursor,
      coveredFrom: 1,
      uidValidity: change.newUidValidity,
      uidNext: null,
      highestModseq: null,
      lastSyncAt: change.lastSyncAt,
    });
    return { tombstoned: Number(before?.n ?? 0) };
  });
}

export async function recordFailure(db: Database, accountId: number, folderId: number, error: string, at: number): Promise<void> {
  await db.transaction(async (db) => {
    await db.run(
      `INSERT INTO sync_state (account_id, folder_id, last_sync_at, last_error, status) VALUES (?, ?, ?, ?, 'error')
       ON CONFLICT (account_id, folder_id) DO UPDATE SET last_error = excluded.last_error, status = 'error',
         last_sync_at = excluded.last_sync_at`,
      [accountId, folderId, at, error],
    );
  });
}

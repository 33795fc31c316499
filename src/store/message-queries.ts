/**
 * Read side for applications: list, get and count stored messages (full-text search is in
 * message-search.ts). A page holds 1..500 messages. Multi-query reads run in one
 * transaction, so they see one consistent state and take the file lock once. List and search
 * return live messages only (at least one location not tombstoned), unless the request says
 * `includeDeleted: true`; getMessage by id returns a row either way.
 */

import { ConfigError } from '../errors.js';
import type { MessageRecord } from '../mime/types.js';
import type { Database, Queryable, Row } from './database.js';
import { readMessageFields } from './message-columns.js';

/** A stored message: the record's fields (attachments parsed back from JSON) plus row ids and
 * its live locations. */
export type StoredMessage = Omit<MessageRecord, 'messageIdIsFallback'> & {
  /** The message's row id in the store (for `getMessage`, `getThread`). */
  id: number;
  /** Id of the account the message belongs to. */
  accountId: number;
  /** Live locations: folder name, UID, flags. */
  locations: Array<{
    /** The folder's server name. */
    folder: string;
    /** UIDVALIDITY of the folder the UID belongs to. */
    uidValidity: number;
    /** The message's UID in that folder. */
    uid: number;
    /** IMAP flags of the message there, e.g. `\Seen`, `\Flagged`, and keywords. */
    flags: string[];
  }>;
};

export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new ConfigError(`limit_out_of_range:${limit} (expected 1..=500)`);
  }
}

const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

type Location = StoredMessage['locations'][number];

/** Live locations of the given message rows, each list ordered by folder name and UID. */
export async function locationsOf(db: Queryable, ids: number[]): Promise<Map<number, Location[]>> {
  const byMessage = new Map<number, Location[]>();
  if (ids.length === 0) return byMessage;
  const rows = await db.all(
    `SELECT l.message_row_id, f.name, l.uidvalidity, l.uid, l.flags FROM message_locations l JOIN folders f ON f.id = l.folder_id
      WHERE l.message_row_id IN (${ids.map(() => '?').join(', ')}) AND l.deleted_at IS NULL ORDER BY f.name, l.uid`,
    ids,
  );
  for (const l of rows) {
    const id = Number(l.message_row_id);
    let list = byMessage.get(id);
    if (!list) byMessage.set(id, (list = []));
    list.push({ folder: String(l.name), uidValidity: Number(l.uidvalidity), uid: Number(l.uid), flags: JSON.parse(String(l.flags)) as string[] });
  }
  return byMessage;
}

/** A message row and its live locations as the public StoredMessage. */
export function toMessageWithLocations(row: Row, locations: Location[]): StoredMessage {
  return { id: Number(row.id), accountId: Number(row.account_id), ...readMessageFields(row), locations };
}

/** Message rows as public StoredMessages, with the locations of all of them read at once. */
export async function toMessages(db: Queryable, rows: Row[]): Promise<StoredMessage[]> {
  const locations = await locationsOf(db, rows.map((row) => Number(row.id)));
  return rows.map((row) => toMessageWithLocations(row, locations.get(Number(row.id)) ?? []));
}

export async function toMessage(db: Queryable, row: Row): Promise<StoredMessage> {
  return (await toMessages(db, [row]))[0] as StoredMessage;
}

export interface ListMessagesRequest {
  accountId: number;
  /** Only messages with a live location in this folder. */
  folder?: string;
  limit: number;
  /** Only messages whose Date is before this (Unix ms), for paging. */
  before?: number;
  /** Also messages expunged from every folder (default false: live messages only). */
  includeDeleted?: boolean;
}

/** SQL condition: message row `alias` has a live location (see the `live_messages` view). */
export function liveCondition(alias: string): string {
  return `EXISTS (SELECT 1 FROM message_locations live WHERE live.message_row_id = ${alias}.id AND live.deleted_at IS NULL)`;
}

export async function listMessages(db: Database, request: ListMessagesRequest): Promise<StoredMessage[]> {
  checkLimit(request.limit);
  return db.transaction(async (db) => {
  const rows = request.folder
    ? db.all(
        `SELECT m.* FROM messages m
          WHERE m.account_id = ? AND COALESCE(m.date, 0) < ? AND EXISTS (
            SELECT 1 FROM message_locations l JOIN folders f ON f.id = l.folder_id
             WHERE l.message_row_id = m.id AND ${request.includeDeleted ? '' : 'l.deleted_at IS NULL AND '}f.name = ?)
          ORDER BY m.date DESC, m.id DESC LIMIT ?`,
        [request.accountId, request.before ?? Number.MAX_SAFE_INTEGER, request.folder, request.limit],
      )
    : db.all(
        `SELECT * FROM messages m WHERE account_id = ? AND COALESCE(date, 0) < ?${request.includeDeleted ? '' : ` AND ${liveCondition('m')}`}
          ORDER BY date DESC, id DESC LIMIT ?`,
        [request.accountId, request.before ?? Number.MAX_SAFE_INTEGER, request.limit],
      );
  return toMessages(db, await rows);
  });
}

export async function getMessage(db: Database, id: number): Promise<StoredMessage | null> {
  return db.transaction(async (db) => {
    const row = await db.one('SELECT * FROM messages WHERE id = ?', [id]);
    return row ? toMessage(db, row) : null;
  });
}

export async function getMessageByMessageId(db: Database, accountId: number, messageId: string): Promise<StoredMessage | null> {
  return db.transaction(async (db) => {
    const row = await db.one('SELECT * FROM messages WHERE account_id = ? AND message_id = ? ORDER BY id LIMIT 1', [accountId, messageId]);
    return row ? toMessage(db, row) : null;
  });
}

/** Escapes `%`, `_` and the escape character itself for `LIKE ... ESCAPE '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

export interface FolderCounts {
  folder: string;
  live: number;
  deleted: number;
  cursor: number;
  /** Messages the last sync left outside the covered range (fetched by later calls); null before
   * a sync recorded it. */
  remaining: number | null;
  lastSyncAt: number | null;
  status: string;
  lastError: string | null;
}

export async function folderCounts(db: Database, accountId: number): Promise<FolderCounts[]> {
  return (
    await db.all(
      `SELECT f.name,
              (SELECT COUNT(*) FROM message_locations l WHERE l.folder_id = f.id AND l.deleted_at IS NULL) AS live,
              (SELECT COUNT(*) FROM message_locations l WHERE l.folder_id = f.id AND l.deleted_at IS NOT NULL) AS deleted,
              COALESCE(s.cursor, 0) AS cursor, s.remaining, s.last_sync_at, COALESCE(s.status, 'never') AS status, s.last_error
         FROM folders f LEFT JOIN sync_state s ON s.folder_id = f.id
        WHERE f.account_id = ? ORDER BY f.name`,
      [accountId],
    )
  ).map((row) => ({
      folder: String(row.name),
      live: Number(row.live),
      deleted: Number(row.deleted),
      cursor: Number(row.cursor),
      remaining: row.remaining === null || row.remaining === undefined ? null : Number(row.remaining),
      lastSyncAt: row.last_sync_at === null ? null : Number(row.last_sync_at),
      status: String(row.status),
      lastError: str(row.last_error),
    }));
}

export async function countMessages(db: Database, accountId: number): Promise<number> {
  return Number((await db.one('SELECT COUNT(*) AS n FROM messages WHERE account_id = ?', [accountId]))?.n ?? 0);
}

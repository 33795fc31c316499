/**
 * Conversations: by Gmail's X-GM-THRID where the server gave one, otherwise by References /
 * In-Reply-To, JWZ-style: a thread is every message connected to
 * the start message through Message-IDs, where a Message-ID that no stored message has (a
 * missing parent) still joins the messages that name it. Found by a breadth-first walk over the
 * ids: rows with such a Message-ID (UNIQUE index), rows replying to one (In-Reply-To index), and
 * rows whose References name one (a scan, so that a reply whose direct parent is missing still
 * joins). A walk is capped at MAX_THREAD rows and MAX_ROUNDS rounds, so a Message-ID named by
 * thousands of messages (a hostile or broken sender) cannot make a lookup unbounded.
 */

import type { Queryable as Database, Row } from './database.js';
import { escapeLike } from './message-queries.js';

export const MAX_THREAD = 1000;
const MAX_ROUNDS = 50;
/** Ids per SQL statement (SQLite's default limit on bound parameters is far higher). */
const CHUNK = 200;

const idsIn = (row: Row): string[] => {
  const text = `${row.references_header === null ? '' : String(row.references_header)} ${row.in_reply_to === null ? '' : String(row.in_reply_to)}`;
  return text.match(/<[^<>\s]+>/g) ?? [];
};

/**
 * Row ids of the conversation of `messageRowId`, oldest first (Date, then row id); empty when the
 * row does not exist. With `liveOnly`, messages with no live location are left out, except the
 * start message itself.
 */
export async function threadIds(db: Database, messageRowId: number, options: { liveOnly?: boolean } = {}): Promise<number[]> {
  const start = await db.one('SELECT id, account_id, message_id, references_header, in_reply_to, gm_thrid FROM messages WHERE id = ?', [messageRowId]);
  if (!start) return [];
  const accountId = Number(start.account_id);
  const rows = new Map<number, Row>([[Number(start.id), start]]);
  if (start.gm_thrid !== null && start.gm_thrid !== undefined) {
    const sameThread = await db.all('SELECT id FROM messages WHERE account_id = ? AND gm_thrid = ? LIMIT ?', [accountId, String(start.gm_thrid), MAX_THREAD]);
    for (const row of sameThread) rows.set(Number(row.id), row);
    return ordered(db, [...rows.keys()], messageRowId, options.liveOnly === true);
  }
  const seenIds = new Set<string>();
  let frontier: string[] = [];
  const learn = (row: Row): void => {
    for (const id of [String(row.message_id), ...idsIn(row)]) {
      if (!seenIds.has(id)) {
        seenIds.add(id);
        frontier.push(id);
      }
    }
  };
  learn(start);
  for (let round = 0; round < MAX_ROUNDS && frontier.length > 0 && rows.size < MAX_THREAD; round++) {
    const ids = frontier;
    frontier = [];
    for (let i = 0; i < ids.length && rows.size < MAX_THREAD; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const marks = chunk.map(() => '?').join(', ');
      const like = chunk.map(() => "references_header LIKE ? ESCAPE '\\'").join(' OR ');
      const found = await db.all(
        `SELECT id, account_id, message_id, references_header, in_reply_to FROM messages
          WHERE account_id = ? AND (message_id IN (${marks}) OR in_reply_to IN (${marks}) OR ${like})
          LIMIT ?`,
        [accountId, ...chunk, ...chunk, ...chunk.map((id) => `%${escapeLike(id)}%`), MAX_THREAD],
      );
      for (const row of found) {
        const id = Number(row.id);
        if (rows.has(id) || rows.size >= MAX_THREAD) continue;
        rows.set(id, row);
        learn(row);
      }
    }
  }
  return ordered(db, [...rows.keys()], messageRowId, options.liveOnly === true);
}

/** The ids oldest first (Date, then row id); with `liveOnly`, those with a live location and the
 * start message. */
async function ordered(db: Database, ids: number[], startId: number, liveOnly: boolean): Promise<number[]> {
  const marks = ids.map(() => '?').join(', ');
  const live = liveOnly
    ? ` AND (id = ? OR EXISTS (SELECT 1 FROM message_locations l WHERE l.message_row_id = messages.id AND l.deleted_at IS NULL))`
    : '';
  const rows = await db.all(`SELECT id FROM messages WHERE id IN (${marks})${live} ORDER BY COALESCE(date, 0), id`, [...ids, ...(liveOnly ? [startId] : [])]);
  return rows.map((row) => Number(row.id));
}

/**
 * A store's contents as plain data, for "the store equals the uncut run" comparisons: every
 * message row (without row ids and insert times), every location with its message's id, and the
 * folders' sync state. Test-only.
 */

import type { Store } from '../../../src/store/index.js';

export async function dumpStore(store: Store): Promise<unknown> {
  const db = store.db;
  const plain = (rows: object[]) => rows.map((row) => JSON.parse(JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? v.toString() : v))) as unknown);
  return {
    messages: plain(
      await db.all(
        `SELECT message_id, subject, sender, sender_address, recipients, cc, bcc, date, body_text, body_html, snippet,
                references_header, in_reply_to, attachments, size, parse_error, truncated
           FROM messages ORDER BY message_id`,
      ),
    ),
    locations: plain(
      await db.all(
        `SELECT f.name AS folder, l.uidvalidity, l.uid, m.message_id, l.flags, l.modseq, l.internaldate, l.deleted_at
           FROM message_locations l JOIN folders f ON f.id = l.folder_id JOIN messages m ON m.id = l.message_row_id
          ORDER BY f.name, l.uidvalidity, l.uid`,
      ),
    ),
    state: plain(
      await db.all(
        `SELECT f.name AS folder, s.cursor, s.uidvalidity, s.highestmodseq, s.status, s.last_error
           FROM sync_state s JOIN folders f ON f.id = s.folder_id ORDER BY f.name`,
      ),
    ),
  };
}

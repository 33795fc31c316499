/**
 * DDL that the SQLite and PostgreSQL migrations share word for word: the text columns of
 * `messages` in migration 1, and the views of what is live in migration 3 — `live_messages`
 * (messages with at least one location not tombstoned) and `folder_messages` (one row per live
 * location, with its folder and message). docs/store.md documents their columns. Migrations are
 * history: a new column goes into a new migration, never into these.
 */

/** Migration 1: the header columns of `messages` (after message_id). */
export const MESSAGE_HEADER_COLUMNS_V1 = `subject TEXT,
    sender TEXT,
    sender_address TEXT,
    recipients TEXT,
    cc TEXT,
    bcc TEXT,`;

/** Migration 1: the body and reference columns of `messages` (after date). */
export const MESSAGE_BODY_COLUMNS_V1 = `body_text TEXT,
    body_html TEXT,
    snippet TEXT NOT NULL DEFAULT '',
    references_header TEXT,
    in_reply_to TEXT,
    attachments TEXT NOT NULL DEFAULT '[]',`;

export const LIVE_VIEWS_DDL = `
  CREATE VIEW live_messages AS
    SELECT m.* FROM messages m
     WHERE EXISTS (SELECT 1 FROM message_locations l WHERE l.message_row_id = m.id AND l.deleted_at IS NULL);
  CREATE VIEW folder_messages AS
    SELECT f.account_id, f.id AS folder_id, f.name AS folder, f.display_name AS folder_display_name,
           l.uidvalidity, l.uid, l.flags, l.modseq, l.internaldate,
           m.id AS message_row_id, m.message_id, m.subject, m.sender, m.sender_address, m.recipients,
           m.date, m.snippet, m.size, m.truncated, m.parse_error
      FROM message_locations l
      JOIN folders f ON f.id = l.folder_id
      JOIN messages m ON m.id = l.message_row_id
     WHERE l.deleted_at IS NULL;
`;

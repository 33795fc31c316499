/**
 * The database schema as ordered migrations. Each migration runs in one transaction and bumps
 * `PRAGMA user_version`; `PRAGMA application_id` marks the file as a prx-email database so a
 * foreign SQLite file is recognised and never overwritten. A migration may depend on what the
 * engine can do (the full-text index needs FTS5).
 */

import { ConfigError } from '../errors.js';
import type { SqlEngine } from './engine/types.js';
import { LIVE_VIEWS_DDL, MESSAGE_BODY_COLUMNS_V1, MESSAGE_HEADER_COLUMNS_V1 } from './shared-ddl.js';

export interface EngineCapabilities {
  /** The engine has the FTS5 module. */
  fts5: boolean;
  /** The database has the FTS5 index (`messages_fts`) before this migration runs. */
  searchIndex: boolean;
}
export type Migration = string | ((caps: EngineCapabilities) => string);

/** "PRXE" — written to the SQLite header's application id field. */
export const APPLICATION_ID = 0x50525845;

export const MIGRATIONS: readonly Migration[] = [
  // 1: initial schema
  `
  CREATE TABLE accounts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    provider TEXT,
    settings TEXT NOT NULL,            -- JSON: IMAP settings without secrets
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE folders (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT NOT NULL,                -- as the server spells it (modified UTF-7 when it uses it)
    display_name TEXT NOT NULL,        -- decoded for people
    delimiter TEXT,
    special_use TEXT,                  -- e.g. \\Sent
    uidvalidity INTEGER,
    uidnext INTEGER,
    highestmodseq INTEGER,
    UNIQUE (account_id, name)
  );
  CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    ${MESSAGE_HEADER_COLUMNS_V1}
    date INTEGER,                      -- Date header, Unix ms
    ${MESSAGE_BODY_COLUMNS_V1}
    size INTEGER NOT NULL,
    parse_error TEXT,
    truncated INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    UNIQUE (account_id, message_id)
  );
  CREATE TABLE message_locations (
    id INTEGER PRIMARY KEY,
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    uidvalidity INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    message_row_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    flags TEXT NOT NULL DEFAULT '[]',  -- JSON array of flags as the server spells them
    modseq INTEGER,
    internaldate INTEGER,              -- Unix ms
    deleted_at INTEGER,                -- tombstone: Unix seconds of the sync that saw it go
    UNIQUE (folder_id, uidvalidity, uid)
  );
  CREATE TABLE sync_state (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    cursor INTEGER NOT NULL DEFAULT 0, -- every server UID <= cursor is stored
    uidvalidity INTEGER,
    highestmodseq INTEGER,
    last_sync_at INTEGER,
    last_error TEXT,
    status TEXT NOT NULL DEFAULT 'never',
    PRIMARY KEY (account_id, folder_id)
  );
  CREATE TABLE runner_state (
    job_key TEXT PRIMARY KEY,          -- "account::folder"
    next_allowed_at INTEGER NOT NULL DEFAULT 0,
    failure_count INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_attempt_at INTEGER
  );
  CREATE INDEX idx_messages_account_date ON messages (account_id, date DESC, id DESC);
  CREATE INDEX idx_messages_in_reply_to ON messages (account_id, in_reply_to);
  CREATE INDEX idx_locations_message ON message_locations (message_row_id);
  CREATE INDEX idx_locations_folder_live ON message_locations (folder_id, uidvalidity, deleted_at, uid);
  `,
  // 2: full-text index over subject, sender, recipients and body text (FTS5 engines only; the
  // sql.js build has no FTS5 and searches with the fallback, see message-search.ts)
  (caps) => (caps.fts5 ? SEARCH_INDEX_DDL : 'SELECT 1'),
  // 3: mailbox semantics — the covered UID range (newest first, then backfill), folders that
  // went away on the server, and views of what is live. Existing rows keep their meaning: a
  // cursor written before this migration covered every UID from 1, so covered_from is 1.
  `
  ALTER TABLE sync_state ADD COLUMN covered_from INTEGER NOT NULL DEFAULT 1; -- every server UID in [covered_from, cursor] is stored
  ALTER TABLE folders ADD COLUMN deleted_at INTEGER;                          -- Unix seconds of the LIST that no longer showed it
  ALTER TABLE messages ADD COLUMN gm_msgid TEXT;                              -- Gmail X-GM-MSGID (decimal), one row per id
  ALTER TABLE messages ADD COLUMN gm_thrid TEXT;                              -- Gmail X-GM-THRID (decimal)
  ALTER TABLE messages ADD COLUMN gm_labels TEXT;                             -- Gmail X-GM-LABELS, JSON array, latest reported
  CREATE INDEX idx_messages_gm_msgid ON messages (account_id, gm_msgid) WHERE gm_msgid IS NOT NULL;
  CREATE INDEX idx_messages_gm_thrid ON messages (account_id, gm_thrid) WHERE gm_thrid IS NOT NULL;
  CREATE VIEW message_labels AS
    SELECT m.account_id, m.id AS message_row_id, label.value AS label
      FROM messages m, json_each(m.gm_labels) AS label
     WHERE m.gm_labels IS NOT NULL;
  ${LIVE_VIEWS_DDL}
  `,
  // 4: message identity — one row per (Message-ID, fingerprint) instead of per Message-ID
  (caps) => messageIdentityDdl(caps.searchIndex),
  // 5: the backlog a folder's last sync left (messages outside the covered range), for status
  // readers; NULL until a sync records it.
  `
  ALTER TABLE sync_state ADD COLUMN remaining INTEGER;
  `,
];

/** The columns of `messages` at migration 3, in table order. */
const MESSAGES_V3_COLUMNS = `id, account_id, message_id, subject, sender, sender_address, recipients, cc, bcc, date,
    body_text, body_html, snippet, references_header, in_reply_to, attachments, size, parse_error, truncated, created_at,
    gm_msgid, gm_thrid, gm_labels`;

/**
 * Migration 4: `messages` gets `fingerprint` (SHA-256 of the header block, src/mime/fingerprint.ts;
 * '' for the rows already stored, adopted by their next copy) and its UNIQUE(account_id,
 * message_id) becomes UNIQUE(account_id, message_id, fingerprint). SQLite cannot drop a table
 * constraint, so the table is rebuilt (SQLite's "12 steps", inside the migration's transaction):
 * with foreign keys on, dropping `messages` would cascade to `message_locations`, so the
 * locations are copied into a new table first (whose reference follows the rename), ids are kept
 * (so the FTS5 index's rowids still match its external content), and the indexes, the views and
 * the FTS5 triggers — when the database has the index — are created again.
 */
function messageIdentityDdl(searchIndex: boolean): string {
  return `
  DROP VIEW IF EXISTS live_messages;
  DROP VIEW IF EXISTS folder_messages;
  DROP VIEW IF EXISTS message_labels;
  DROP TRIGGER IF EXISTS messages_fts_insert;
  DROP TRIGGER IF EXISTS messages_fts_delete;
  DROP TRIGGER IF EXISTS messages_fts_update;
  CREATE TABLE messages_v4 (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    ${MESSAGE_HEADER_COLUMNS_V1}
    date INTEGER,
    ${MESSAGE_BODY_COLUMNS_V1}
    size INTEGER NOT NULL,
    parse_error TEXT,
    truncated INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    gm_msgid TEXT,
    gm_thrid TEXT,
    gm_labels TEXT,
    fingerprint TEXT NOT NULL DEFAULT '', -- SHA-256 (hex) of the header block; '' = stored before version 4
    UNIQUE (account_id, message_id, fingerprint)
  );
  INSERT INTO messages_v4 (${MESSAGES_V3_COLUMNS}, fingerprint)
    SELECT ${MESSAGES_V3_COLUMNS}, '' FROM messages;
  CREATE TABLE message_locations_v4 (
    id INTEGER PRIMARY KEY,
    folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    uidvalidity INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    message_row_id INTEGER NOT NULL REFERENCES messages_v4(id) ON DELETE CASCADE,
    flags TEXT NOT NULL DEFAULT '[]',
    modseq INTEGER,
    internaldate INTEGER,
    deleted_at INTEGER,
    UNIQUE (folder_id, uidvalidity, uid)
  );
  INSERT INTO message_locations_v4 (id, folder_id, uidvalidity, uid, message_row_id, flags, modseq, internaldate, deleted_at)
    SELECT id, folder_id, uidvalidity, uid, message_row_id, flags, modseq, internaldate, deleted_at FROM message_locations;
  DROP TABLE message_locations;
  DROP TABLE messages;
  ALTER TABLE messages_v4 RENAME TO messages;
  ALTER TABLE message_locations_v4 RENAME TO message_locations;
  CREATE INDEX idx_messages_account_date ON messages (account_id, date DESC, id DESC);
  CREATE INDEX idx_messages_in_reply_to ON messages (account_id, in_reply_to);
  CREATE INDEX idx_messages_gm_msgid ON messages (account_id, gm_msgid) WHERE gm_msgid IS NOT NULL;
  CREATE INDEX idx_messages_gm_thrid ON messages (account_id, gm_thrid) WHERE gm_thrid IS NOT NULL;
  CREATE INDEX idx_locations_message ON message_locations (message_row_id);
  CREATE INDEX idx_locations_folder_live ON message_locations (folder_id, uidvalidity, deleted_at, uid);
  CREATE VIEW message_labels AS
    SELECT m.account_id, m.id AS message_row_id, label.value AS label
      FROM messages m, json_each(m.gm_labels) AS label
     WHERE m.gm_labels IS NOT NULL;
  ${LIVE_VIEWS_DDL}
  ${searchIndex ? SEARCH_TRIGGERS_DDL : ''}
  `;
}

/** The triggers that keep `messages_fts` in step with `messages`. */
const SEARCH_TRIGGERS_DDL = `
  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, subject, sender, recipients, body_text)
      VALUES (new.id, new.subject, new.sender, new.recipients, new.body_text);
  END;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, sender, recipients, body_text)
      VALUES ('delete', old.id, old.subject, old.sender, old.recipients, old.body_text);
  END;
  CREATE TRIGGER messages_fts_update AFTER UPDATE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, subject, sender, recipients, body_text)
      VALUES ('delete', old.id, old.subject, old.sender, old.recipients, old.body_text);
    INSERT INTO messages_fts (rowid, subject, sender, recipients, body_text)
      VALUES (new.id, new.subject, new.sender, new.recipients, new.body_text);
  END;
`;

/** An external-content FTS5 index over `messages` (the text is not stored twice), kept in step
 * by triggers, so every statement that writes a message updates the index in its transaction. */
export const SEARCH_INDEX_DDL = `
  CREATE VIRTUAL TABLE messages_fts USING fts5(
    subject, sender, recipients, body_text,
    content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
  );
  ${SEARCH_TRIGGERS_DDL}
  -- Merge index segments less eagerly than the default (4): each merge rewrites index pages, and
  -- with 4 the index made a sync write ~1.6x the file's final size (~1.4x with 16).
  INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 16);
  INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
`;

/** Whether the database has the FTS5 index (`messages_fts`). */
export async function hasSearchIndex(engine: SqlEngine): Promise<boolean> {
  const row = await engine.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'messages_fts'").get();
  return Number(row?.n ?? 0) > 0;
}

/** An engine without FTS5 cannot write a database that has the index (its triggers need the
 * module): refused before any migration touches the file. */
export async function refuseSearchIndexWithoutFts5(engine: SqlEngine): Promise<void> {
  if (!engine.fts5 && (await hasSearchIndex(engine))) {
    throw new ConfigError(`${engine.path} has a full-text (FTS5) index that the ${engine.name} engine cannot maintain; open it with the file engine`);
  }
}

/** A database migrated by an engine without FTS5 gets its index when an FTS5 engine opens it; an
 * engine without FTS5 cannot write a database that has one (its triggers need the module). */
export async function ensureSearchIndex(engine: SqlEngine): Promise<void> {
  const present = await hasSearchIndex(engine);
  if (present === engine.fts5) return;
  await refuseSearchIndexWithoutFts5(engine);
  await engine.transaction(async (tx) => {
    // Again under the write lock: another process may have built it meanwhile.
    if (Number((await tx.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'messages_fts'").get())?.n ?? 0) > 0) return;
    await tx.exec(SEARCH_INDEX_DDL);
  });
}

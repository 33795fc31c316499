/**
 * What differs between the store's SQL (written for SQLite) and PostgreSQL, in one place: the
 * statement translation (`?`/`?N` -> `$n`, `IS NOT x` -> `IS DISTINCT FROM x`, NULLs sorting last
 * on DESC as in SQLite, `typeof()` -> `pg_typeof()`, `PRAGMA user_version`), parameter conversion
 * (UTF-8 byte strings back to text, booleans to 0/1, NUL characters that PostgreSQL text cannot
 * hold), result conversion (int8 as number, or bigint beyond 2^53) and the schema as ordered
 * migrations (bigint columns, a tsvector search table kept by a trigger instead of FTS5).
 */

import type { SqlValue } from './types.js';
import { LIVE_VIEWS_DDL, MESSAGE_BODY_COLUMNS_V1, MESSAGE_HEADER_COLUMNS_V1 } from '../shared-ddl.js';

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Rewrites one SQLite statement (as the repositories write them) for PostgreSQL. String literals
 * and quoted identifiers are copied untouched. */
export function translateSql(sql: string): string {
  if (/^\s*PRAGMA\s+user_version\s*;?\s*$/i.test(sql)) return 'SELECT version AS user_version FROM prx_schema';
  let out = '';
  let next = 1;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    if (ch === "'" || ch === '"') {
      const end = closingQuote(sql, i);
      out += sql.slice(i, end);
      i = end;
      continue;
    }
    if (ch === '?') {
      const digits = /^\d+/.exec(sql.slice(i + 1));
      if (digits) {
        out += `$${digits[0]}`;
        i += 1 + digits[0].length;
      } else {
        out += `$${next++}`;
        i++;
      }
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i));
    if (word && (i === 0 || !/[A-Za-z0-9_$.]/.test(sql[i - 1] as string))) {
      const rest = sql.slice(i + word[0].length);
      const upper = word[0].toUpperCase();
      if (upper === 'IS' && /^\s+NOT\s+(?!NULL\b)/i.test(rest)) {
        const not = /^\s+NOT\s+/i.exec(rest) as RegExpExecArray;
        out += 'IS DISTINCT FROM ';
        i += word[0].length + not[0].length;
        continue;
      }
      if (upper === 'DESC' && !/^\s+NULLS\b/i.test(rest)) {
        out += `${word[0]} NULLS LAST`;
        i += word[0].length;
        continue;
      }
      if (upper === 'TYPEOF' && /^\s*\(/.test(rest)) {
        out += 'pg_typeof';
        i += word[0].length;
        continue;
      }
      out += word[0];
      i += word[0].length;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}

function closingQuote(sql: string, start: number): number {
  const quote = sql[start];
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

/** PostgreSQL text cannot hold U+0000; it is stored as U+FFFD (documented in docs/store.md). */
const NUL = /\u0000/g;

/** A parameter as node-postgres sends it. */
export function toPgParam(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return decoder.decode(value).replace(NUL, '\uFFFD');
  if (typeof value === 'string') return value.includes('\u0000') ? value.replace(NUL, '\uFFFD') : value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** int8 values (ids, counts, modseq, timestamps) as numbers, or bigint beyond 2^53. */
export function parseInt8(text: string): SqlValue {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

/** Which PostgreSQL type oids get `parseInt8`. */
export const INT8_OID = 20;

/** The schema version table, created before the migrations run. */
export const SCHEMA_TABLE = `CREATE TABLE IF NOT EXISTS prx_schema (
  application TEXT NOT NULL, version INTEGER NOT NULL, singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton))`;
export const APPLICATION = 'prx-email';

/** Separators for the search text: ASCII punctuation and spaces, Latin-1 punctuation, general
 * punctuation, arrows and symbols, CJK punctuation, and emoji (letters and digits of any script
 * are word characters, as in SQLite's unicode61 tokenizer). */
const SEPARATORS = String.raw`[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f\u00a0-\u00bf\u00d7\u00f7\u2000-\u2bff\u3000-\u303f\ufe30-\ufe4f\uff00-\uff0f\U0001F000-\U0001FAFF]+`;

const JS_SEPARATORS = /[\x01-\x2f\x3a-\x40\x5b-\x60\x7b-\x7f\u00a0-\u00bf\u00d7\u00f7\u2000-\u2bff\u3000-\u303f\ufe30-\ufe4f\uff00-\uff0f\u{1F000}-\u{1FAFF}\s]+/u;

/** The words of a query term, folded and split as `prx_search_fold` does to the stored text. */
export function searchWords(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(JS_SEPARATORS)
    .filter((word) => word.length > 0);
}

export const PG_MIGRATIONS: readonly string[] = [
  // 1: the schema of SQLite migration 1, with bigint integers
  `
  CREATE TABLE accounts (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    email TEXT COLLATE "C" NOT NULL UNIQUE,
    provider TEXT,
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE TABLE folders (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name TEXT COLLATE "C" NOT NULL,
    display_name TEXT NOT NULL,
    delimiter TEXT,
    special_use TEXT,
    uidvalidity BIGINT,
    uidnext BIGINT,
    highestmodseq BIGINT,
    UNIQUE (account_id, name)
  );
  CREATE TABLE messages (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    message_id TEXT COLLATE "C" NOT NULL,
    ${MESSAGE_HEADER_COLUMNS_V1}
    date BIGINT,
    ${MESSAGE_BODY_COLUMNS_V1}
    size BIGINT NOT NULL,
    parse_error TEXT,
    truncated INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, message_id)
  );
  CREATE TABLE message_locations (
    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    folder_id BIGINT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    uidvalidity BIGINT NOT NULL,
    uid BIGINT NOT NULL,
    message_row_id BIGINT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    flags TEXT NOT NULL DEFAULT '[]',
    modseq BIGINT,
    internaldate BIGINT,
    deleted_at BIGINT,
    UNIQUE (folder_id, uidvalidity, uid)
  );
  CREATE TABLE sync_state (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    folder_id BIGINT NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
    cursor BIGINT NOT NULL DEFAULT 0,
    uidvalidity BIGINT,
    highestmodseq BIGINT,
    last_sync_at BIGINT,
    last_error TEXT,
    status TEXT NOT NULL DEFAULT 'never',
    PRIMARY KEY (account_id, folder_id)
  );
  CREATE TABLE runner_state (
    job_key TEXT COLLATE "C" PRIMARY KEY,
    next_allowed_at BIGINT NOT NULL DEFAULT 0,
    failure_count BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    last_attempt_at BIGINT
  );
  CREATE INDEX idx_messages_account_date ON messages (account_id, date DESC NULLS LAST, id DESC);
  CREATE INDEX idx_messages_in_reply_to ON messages (account_id, in_reply_to);
  CREATE INDEX idx_locations_message ON message_locations (message_row_id);
  CREATE INDEX idx_locations_folder_live ON message_locations (folder_id, uidvalidity, deleted_at, uid);
  `,
  // 2: full-text search: a tsvector per message (subject A, sender B, recipients C, body D) kept
  // by a trigger in the writing transaction, with a GIN index (SQLite migration 2 is FTS5)
  `
  CREATE FUNCTION prx_search_fold(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fold$
    SELECT lower(regexp_replace(regexp_replace(normalize(coalesce(t, ''), NFD), '[\\u0300-\\u036f]', '', 'g'),
                                E'${SEPARATORS.replace(/\\/g, '\\\\')}', ' ', 'g'))
  $fold$;
  CREATE TABLE message_search (
    message_id BIGINT PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
    doc TSVECTOR NOT NULL
  );
  CREATE INDEX idx_message_search_doc ON message_search USING GIN (doc);
  CREATE FUNCTION prx_message_search_refresh() RETURNS trigger LANGUAGE plpgsql AS $refresh$
  BEGIN
    INSERT INTO message_search (message_id, doc) VALUES (NEW.id,
      setweight(to_tsvector('simple', prx_search_fold(NEW.subject)), 'A') ||
      setweight(to_tsvector('simple', prx_search_fold(NEW.sender)), 'B') ||
      setweight(to_tsvector('simple', prx_search_fold(NEW.recipients)), 'C') ||
      setweight(to_tsvector('simple', prx_search_fold(NEW.body_text)), 'D'))
    ON CONFLICT (message_id) DO UPDATE SET doc = excluded.doc;
    RETURN NULL;
  END
  $refresh$;
  CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION prx_message_search_refresh();
  CREATE TRIGGER messages_search_update AFTER UPDATE OF subject, sender, recipients, body_text ON messages
    FOR EACH ROW EXECUTE FUNCTION prx_message_search_refresh();
  `,
  // 3: mailbox semantics, as SQLite migration 3 (covered UID range, deleted folders, Gmail ids and
  // labels, views of what is live); labels are read with jsonb_array_elements_text
  `
  ALTER TABLE sync_state ADD COLUMN covered_from BIGINT NOT NULL DEFAULT 1;
  ALTER TABLE folders ADD COLUMN deleted_at BIGINT;
  ALTER TABLE messages ADD COLUMN gm_msgid TEXT;
  ALTER TABLE messages ADD COLUMN gm_thrid TEXT;
  ALTER TABLE messages ADD COLUMN gm_labels TEXT;
  CREATE INDEX idx_messages_gm_msgid ON messages (account_id, gm_msgid) WHERE gm_msgid IS NOT NULL;
  CREATE INDEX idx_messages_gm_thrid ON messages (account_id, gm_thrid) WHERE gm_thrid IS NOT NULL;
  CREATE VIEW message_labels AS
    SELECT m.account_id, m.id AS message_row_id, label.value AS label
      FROM messages m, jsonb_array_elements_text(m.gm_labels::jsonb) AS label(value)
     WHERE m.gm_labels IS NOT NULL;
  ${LIVE_VIEWS_DDL}
  `,
  // 4: the backlog a folder's last sync left, as SQLite migration 4
  `
  ALTER TABLE sync_state ADD COLUMN remaining BIGINT;
  `,
];

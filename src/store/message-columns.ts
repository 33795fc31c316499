/**
 * The one mapping between a `MessageRecord` and the `messages` table: for each record field its
 * column, how the value is bound (long text as UTF-8 bytes into a `CAST(? AS TEXT)` slot, see
 * text-param.ts) and how a row's value is read back. The insert/upsert statement of
 * sync-repository.ts and the row reader of message-queries.ts are derived from it, so a new
 * column is one entry here plus a migration (docs/store.md, "How to add a column").
 *
 * The table is keyed by the record's fields: a field added to `MessageRecord` without a column
 * here does not compile. The SQL is SQLite's; the PostgreSQL engine translates it
 * (engine/postgres-dialect.ts) like every other statement.
 */

import type { AttachmentMeta, MessageRecord } from '../mime/types.js';
import type { Row } from './database.js';
import { textParam } from './text-param.js';

/** Record fields that are stored as columns of `messages` (the fallback flag is not stored). */
export type StoredField = Exclude<keyof MessageRecord, 'messageIdIsFallback'>;

interface Column<T> {
  /** Column name in `messages`. */
  name: string;
  /** Bound through `textParam` into a `CAST(? AS TEXT)` slot (long strings as UTF-8 bytes). */
  text: boolean;
  /** The parameter to bind for a record's value. */
  bind(value: T): unknown;
  /** The record's value from a row's column. */
  read(value: unknown): T;
}

const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

/** Nullable text; `text` (default true) binds long values as bytes. */
function textColumn(name: string, text = true): Column<string | null> {
  return { name, text, bind: text ? textParam : (value) => value, read: str };
}

/** Every stored field of a message, in column order. */
export const MESSAGE_COLUMNS: { readonly [F in StoredField]: Column<MessageRecord[F]> } = {
  messageId: { name: 'message_id', text: false, bind: (value) => value, read: (value) => String(value) },
  fingerprint: { name: 'fingerprint', text: false, bind: (value) => value, read: (value) => String(value ?? '') },
  subject: textColumn('subject'),
  sender: textColumn('sender'),
  senderAddress: textColumn('sender_address', false),
  recipients: textColumn('recipients'),
  cc: textColumn('cc'),
  bcc: textColumn('bcc'),
  date: { name: 'date', text: false, bind: (value) => value, read: (value) => (value === null ? null : Number(value)) },
  bodyText: textColumn('body_text'),
  bodyHtml: textColumn('body_html'),
  snippet: { name: 'snippet', text: true, bind: textParam, read: (value) => String(value ?? '') },
  references: textColumn('references_header'),
  inReplyTo: textColumn('in_reply_to', false),
  attachments: {
    name: 'attachments',
    text: true,
    bind: (value) => textParam(JSON.stringify(value)),
    read: (value) => JSON.parse(String(value)) as AttachmentMeta[],
  },
  size: { name: 'size', text: false, bind: (value) => value, read: (value) => Number(value) },
  parseError: textColumn('parse_error'),
  truncated: { name: 'truncated', text: false, bind: (value) => (value ? 1 : 0), read: (value) => Number(value) === 1 },
};

const FIELDS = Object.keys(MESSAGE_COLUMNS) as StoredField[];
const column = (field: StoredField): Column<unknown> => MESSAGE_COLUMNS[field] as Column<unknown>;
const slot = (field: StoredField): string => (column(field).text ? 'CAST(? AS TEXT)' : '?');
/** The fields that identify a stored message: copies that agree on both are one row. */
const IDENTITY: readonly StoredField[] = ['messageId', 'fingerprint'];
/** Columns a later copy of a message may rewrite (everything but its identity). */
const UPDATED = FIELDS.filter((field) => !IDENTITY.includes(field)).map((field) => column(field).name);

/**
 * Inserts a message row; parameters: `[accountId, ...messageParams(record), createdAt]`. A row
 * already stored under the same Message-ID and fingerprint (the same message) is replaced only
 * when it was truncated and this copy is complete; a copy with another fingerprint is another
 * row.
 */
export const UPSERT_MESSAGE_SQL = `INSERT INTO messages (account_id, ${FIELDS.map((field) => column(field).name).join(', ')}, created_at)
     VALUES (?, ${FIELDS.map(slot).join(', ')}, ?)
     ON CONFLICT (account_id, message_id, fingerprint) DO UPDATE SET
        ${UPDATED.map((name) => `${name} = excluded.${name}`).join(', ')}
      WHERE messages.truncated = 1 AND excluded.truncated = 0`;

/**
 * Lazy adoption of rows stored before fingerprints (migration 4 gave them fingerprint ''): the
 * first copy with a known fingerprint whose Message-ID matches such a row claims it (takes its
 * fingerprint) instead of making a second row, unless a row with that fingerprint exists.
 * Parameters: `[accountId, messageId, fingerprint]`; run before `UPSERT_MESSAGE_SQL`.
 */
export const ADOPT_LEGACY_MESSAGE_SQL = `UPDATE messages SET fingerprint = ?3
     WHERE account_id = ?1 AND message_id = ?2 AND fingerprint = '' AND ?3 <> ''
       AND NOT EXISTS (SELECT 1 FROM messages other WHERE other.account_id = ?1 AND other.message_id = ?2 AND other.fingerprint = ?3)`;

/** The record's parameters, in the order of `MESSAGE_COLUMNS`. */
export function messageParams(record: MessageRecord): unknown[] {
  return FIELDS.map((field) => column(field).bind(record[field]));
}

/** The record's fields read back from a `messages` row (`SELECT *` or `m.*`). */
export function readMessageFields(row: Row): Omit<MessageRecord, 'messageIdIsFallback'> {
  const fields: Record<string, unknown> = {};
  for (const field of FIELDS) fields[field] = column(field).read(row[column(field).name]);
  return fields as Omit<MessageRecord, 'messageIdIsFallback'>;
}

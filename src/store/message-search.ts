/**
 * Full-text search over stored messages. With FTS5 (the file engine): the `messages_fts` index,
 * ranked by bm25 (subject weighs most, then sender), with a highlighted snippet from SQLite.
 * Without FTS5 (the sql.js build): the documented fallback — the same query language evaluated
 * with LIKE over the same four fields, newest first, and a snippet cut around the first match.
 * On PostgreSQL: a tsvector index (postgres-search.ts).
 */

import type { Database, Queryable, Row } from './database.js';
import { escapeLike, checkLimit, liveCondition, locationsOf, toMessages, toMessageWithLocations, type StoredMessage } from './message-queries.js';
import { searchTsvector } from './postgres-search.js';
import { buildSnippet, SNIPPET_WORDS } from './search-snippet.js';
import { parseSearchQuery, positiveGroups, toFtsMatch, type SearchField, type SearchTerm } from './search-query.js';

export interface SearchRequest {
  accountId: number;
  /** The query; see search-query.ts / docs/store.md for the syntax. */
  query: string;
  limit: number;
  /** Also messages expunged from every folder (default false: live messages only). */
  includeDeleted?: boolean;
  /** Markers around matched words in the snippet (default « and »). */
  highlight?: { open: string; close: string };
}

export type SearchResult = StoredMessage & {
  /** Text around the matches with the matched words between the highlight markers. */
  searchSnippet: string;
  /** bm25 score (lower is better; 0 for the fallback). */
  rank: number;
};

const DEFAULT_HIGHLIGHT = { open: '«', close: '»' };
/** How many of the newest matches are ranked by bm25 (see searchFts). */
export const RANK_WINDOW = 2_000;
const FIELD_LIST: SearchField[] = ['subject', 'sender', 'recipients', 'body_text'];
/** The indexed fields in the index's column order (FTS5 prefers earlier columns on ties). */
const SNIPPET_FIELDS = FIELD_LIST;

export async function searchMessages(db: Database, request: SearchRequest): Promise<SearchResult[]> {
  checkLimit(request.limit);
  const terms = parseSearchQuery(request.query);
  const highlight = request.highlight ?? DEFAULT_HIGHLIGHT;
  const search = db.engine.name === 'postgres' ? searchTsvector : db.engine.fts5 ? searchFts : searchFallback;
  return db.transaction((tx) => search(tx, request, terms, highlight));
}

async function searchFts(db: Queryable, request: SearchRequest, terms: SearchTerm[], highlight: { open: string; close: string }): Promise<SearchResult[]> {
  const match = toFtsMatch(terms);
  if (match === null) return [];
  // 1. Rank: bm25 for the RANK_WINDOW newest matches (FTS5 hands matches out by descending row
  //    id without sorting, so a word found in every message costs the window, not the mailbox),
  //    sorted in SQL. With one account in the database ranking needs nothing but the index;
  //    otherwise each match's message row is read for its account.
  const single = Number((await db.one('SELECT COUNT(*) AS n FROM accounts'))?.n ?? 0) <= 1;
  const window = single
    ? `SELECT messages_fts.rowid AS id, bm25(messages_fts, 4.0, 2.0, 1.0, 1.0) AS search_rank
         FROM messages_fts WHERE messages_fts MATCH ? AND ? IS NOT NULL
        ORDER BY messages_fts.rowid DESC LIMIT ${RANK_WINDOW}`
    : `SELECT messages_fts.rowid AS id, bm25(messages_fts, 4.0, 2.0, 1.0, 1.0) AS search_rank
         FROM messages_fts CROSS JOIN messages m ON m.id = messages_fts.rowid
        WHERE messages_fts MATCH ? AND m.account_id = ?
        ORDER BY messages_fts.rowid DESC LIMIT ${RANK_WINDOW}`;
  const ranked = await db.all(`SELECT w.id, w.search_rank FROM (${window}) w ORDER BY w.search_rank, w.id DESC`, [match, request.accountId]);
  // 2. Keep the best `limit` live ones (messages expunged from every folder are left out unless
  //    asked for; see liveCondition), checking only as many candidates as needed, best first.
  const kept = request.includeDeleted ? ranked.slice(0, request.limit) : await keepLive(db, ranked, request.limit);
  if (kept.length === 0) return [];
  // 3. Rows, locations and snippets of the kept ones only. Snippets are cut in JavaScript
  //    (search-snippet.ts); FTS5's snippet() is asked only where that finds no term.
  const ids = kept.map((row) => Number(row.id));
  const rows = await db.all(`SELECT * FROM messages WHERE id IN (${ids.map(() => '?').join(', ')})`, ids);
  const byId = new Map(rows.map((row) => [Number(row.id), row]));
  const locations = await locationsOf(db, ids);
  const results: SearchResult[] = [];
  for (const { id, search_rank: rank } of kept) {
    const row = byId.get(Number(id));
    if (!row) continue;
    const sources = SNIPPET_FIELDS.map((field) => ({ field, text: row[field] === null || row[field] === undefined ? '' : String(row[field]) }));
    const snippet = buildSnippet(sources, terms, highlight) ?? (await ftsSnippet(db, match, Number(id), highlight));
    results.push({ ...toMessageWithLocations(row, locations.get(Number(id)) ?? []), searchSnippet: snippet, rank: Number(rank) });
  }
  return results;
}

async function ftsSnippet(db: Queryable, match: string, id: number, highlight: { open: string; close: string }): Promise<string> {
  const row = await db.one(
    `SELECT snippet(messages_fts, -1, ?, ?, '…', ${SNIPPET_WORDS}) AS s FROM messages_fts WHERE messages_fts MATCH ? AND messages_fts.rowid = ?`,
    [highlight.open, highlight.close, match, id],
  );
  return String(row?.s ?? '');
}

/** The first `limit` of `ranked` (best first) that have a live location. */
async function keepLive(db: Queryable, ranked: Row[], limit: number): Promise<Row[]> {
  const kept: Row[] = [];
  for (let from = 0; from < ranked.length && kept.length < limit; ) {
    // Usually every message is live, so one look at `limit` candidates is enough.
    const chunk = ranked.slice(from, from + Math.max(limit, 50));
    from += chunk.length;
    const ids = chunk.map((row) => Number(row.id));
    const live = new Set(
      (
        await db.all(
          `SELECT DISTINCT message_row_id AS id FROM message_locations WHERE deleted_at IS NULL AND message_row_id IN (${ids.map(() => '?').join(', ')})`,
          ids,
        )
      ).map((row) => Number(row.id)),
    );
    for (const row of chunk) if (kept.length < limit && live.has(Number(row.id))) kept.push(row);
  }
  return kept;
}

function likeCondition(term: SearchTerm, params: unknown[]): string {
  const fields = term.field ? [term.field] : FIELD_LIST;
  const pattern = `%${escapeLike(term.text)}%`;
  return `(${fields
    .map((field) => {
      params.push(pattern);
      return `${field} LIKE ? ESCAPE '\\'`;
    })
    .join(' OR ')})`;
}

async function searchFallback(db: Queryable, request: SearchRequest, terms: SearchTerm[], highlight: { open: string; close: string }): Promise<SearchResult[]> {
  const groups = positiveGroups(terms);
  if (groups.length === 0) return [];
  const params: unknown[] = [request.accountId];
  const conditions = groups.map((group) => `(${group.map((term) => likeCondition(term, params)).join(' OR ')})`);
  for (const term of terms.filter((t) => t.negated)) conditions.push(`NOT COALESCE(${likeCondition(term, params)}, 0)`);
  params.push(request.limit);
  const rows = await db.all(
    `SELECT * FROM messages WHERE account_id = ?${request.includeDeleted ? '' : ` AND ${liveCondition('messages')}`} AND ${conditions.join(' AND ')} ORDER BY date DESC, id DESC LIMIT ?`,
    params,
  );
  const words = groups.flat().map((term) => term.text);
  return (await toMessages(db, rows)).map((message) => ({ ...message, searchSnippet: cutSnippet(message, words, highlight), rank: 0 }));
}

/** Around the first matched word of the subject or body: about 100 characters, matches marked. */
export function cutSnippet(message: StoredMessage, words: string[], highlight: { open: string; close: string }): string {
  const sources = [message.subject ?? '', message.bodyText ?? '', message.sender ?? '', message.recipients ?? ''];
  const lowerWords = words.map((w) => w.toLowerCase());
  for (const source of sources) {
    const lower = source.toLowerCase();
    const at = lowerWords.map((w) => lower.indexOf(w)).filter((index) => index >= 0);
    if (at.length === 0) continue;
    const start = Math.max(0, Math.min(...at) - 40);
    let text = source.slice(start, start + 120);
    for (const word of words) {
      const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      text = text.replace(new RegExp(escaped, 'gi'), (found) => `${highlight.open}${found}${highlight.close}`);
    }
    return (start > 0 ? '…' : '') + text + (start + 120 < source.length ? '…' : '');
  }
  return message.snippet;
}

/**
 * Full-text search over stored messages. With FTS5 (the file engine): the `messages_fts` index,
 * ranked by bm25 (subject weighs most, then sender), with a highlighted snippet from SQLite.
 * Without FTS5 (the sql.js build): the documented fallback — the same query language evaluated
 * with LIKE over the same four fields, newest first, and a snippet cut around the first match.
 * On PostgreSQL: a tsvector index (postgres-search.ts).
 */

import type { Database, Queryable } from './database.js';
import { escapeLike, checkLimit, liveCondition, toMessage, type StoredMessage } from './message-queries.js';
import { searchTsvector } from './postgres-search.js';
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
  // Rank first, then build snippets for the rows kept only (in one query SQLite would compute a
  // snippet for every match before sorting). bm25 is computed for the RANK_WINDOW newest matches
  // (FTS5 hands matches out by descending row id without sorting, so a word found in every
  // message costs the window, not the mailbox). With one account in the database ranking needs
  // nothing but the index; otherwise each match's message row is read for its account.
  const single = Number((await db.one('SELECT COUNT(*) AS n FROM accounts'))?.n ?? 0) <= 1;
  const window = single
    ? `SELECT messages_fts.rowid AS id, bm25(messages_fts, 4.0, 2.0, 1.0, 1.0) AS search_rank
         FROM messages_fts WHERE messages_fts MATCH ? AND ? IS NOT NULL
        ORDER BY messages_fts.rowid DESC LIMIT ${RANK_WINDOW}`
    : `SELECT messages_fts.rowid AS id, bm25(messages_fts, 4.0, 2.0, 1.0, 1.0) AS search_rank
         FROM messages_fts CROSS JOIN messages m ON m.id = messages_fts.rowid
        WHERE messages_fts MATCH ? AND m.account_id = ?
        ORDER BY messages_fts.rowid DESC LIMIT ${RANK_WINDOW}`;
  // Messages expunged from every folder are left out unless asked for (see liveCondition).
  const live = request.includeDeleted ? '' : ` WHERE ${liveCondition('w')}`;
  const ranked = `SELECT w.id, w.search_rank FROM (${window}) w${live} ORDER BY w.search_rank, w.id DESC LIMIT ?`;
  const rows = await db.all(
    `WITH top AS (${ranked})
     SELECT m.*, top.search_rank,
            (SELECT snippet(messages_fts, -1, ?, ?, '…', 16) FROM messages_fts
              WHERE messages_fts MATCH ? AND messages_fts.rowid = top.id) AS search_snippet
       FROM top JOIN messages m ON m.id = top.id
      WHERE m.account_id = ?
      ORDER BY top.search_rank, m.id DESC`,
    [match, request.accountId, request.limit, highlight.open, highlight.close, match, request.accountId],
  );
  const results: SearchResult[] = [];
  for (const row of rows) {
    results.push({ ...(await toMessage(db, row)), searchSnippet: String(row.search_snippet ?? ''), rank: Number(row.search_rank) });
  }
  return results;
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
  const results: SearchResult[] = [];
  for (const row of rows) {
    const message = await toMessage(db, row);
    results.push({ ...message, searchSnippet: cutSnippet(message, words, highlight), rank: 0 });
  }
  return results;
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

/**
 * Full-text search on the PostgreSQL engine: the same query language (search-query.ts) turned
 * into a tsquery of quoted, folded lexemes (no user text is ever read as tsquery syntax), matched
 * against `message_search.doc` (subject weight A, sender B, recipients C, body D), ranked by
 * ts_rank with the same field preferences as the FTS5 bm25 weights, and a snippet cut around the
 * first match with the highlight markers. `rank` is the negated ts_rank (lower is better, as bm25).
 */

import { liveCondition, toMessages } from './message-queries.js';
import { searchWords } from './engine/postgres-dialect.js';
import type { Queryable, Row } from './database.js';
import { cutSnippet, type SearchRequest, type SearchResult } from './message-search.js';
import { positiveGroups, type SearchField, type SearchTerm } from './search-query.js';

const WEIGHT: Record<SearchField, string> = { subject: 'A', sender: 'B', recipients: 'C', body_text: 'D' };

/** One term as a tsquery: a lexeme, or a phrase of lexemes (`<->`); prefix on the last word,
 * field restriction as a weight label. Null when the term has no word left after folding. */
function termQuery(term: SearchTerm): string | null {
  const words = searchWords(term.text);
  if (words.length === 0) return null;
  const weight = term.field ? WEIGHT[term.field] : '';
  const lexemes = words.map((word, index) => {
    const star = term.prefix && index === words.length - 1 ? '*' : '';
    const label = star + weight;
    return `'${word.replace(/'/g, "''").replace(/\\/g, '\\\\')}'${label ? `:${label}` : ''}`;
  });
  return lexemes.length === 1 ? (lexemes[0] as string) : `(${lexemes.join(' <-> ')})`;
}

/** The tsquery for the parsed terms, or null when nothing can match (no positive term). */
export function toTsQuery(terms: SearchTerm[]): string | null {
  const groups = positiveGroups(terms)
    .map((group) => group.map(termQuery).filter((q): q is string => q !== null))
    .filter((group) => group.length > 0);
  if (groups.length === 0) return null;
  const positive = groups.map((group) => `(${group.join(' | ')})`).join(' & ');
  const negative = terms
    .filter((term) => term.negated)
    .map(termQuery)
    .filter((q): q is string => q !== null);
  return negative.length === 0 ? positive : `(${positive}) & !(${negative.join(' | ')})`;
}

export async function searchTsvector(
  db: Queryable,
  request: SearchRequest,
  terms: SearchTerm[],
  highlight: { open: string; close: string },
): Promise<SearchResult[]> {
  const query = toTsQuery(terms);
  if (query === null) return [];
  const rows = await db.all(
    `SELECT m.*, -ts_rank('{0.25, 0.25, 0.5, 1.0}', s.doc, q.query) AS search_rank
       FROM (SELECT CAST(? AS tsquery) AS query) q
       JOIN message_search s ON s.doc @@ q.query
       JOIN messages m ON m.id = s.message_id
      WHERE m.account_id = ?${request.includeDeleted ? '' : ` AND ${liveCondition('m')}`}
      ORDER BY search_rank, m.id DESC LIMIT ?`,
    [query, request.accountId, request.limit],
  );
  const words = positiveGroups(terms).flat().flatMap((term) => searchWords(term.text));
  const messages = await toMessages(db, rows);
  return messages.map((message, i) => ({ ...message, searchSnippet: cutSnippet(message, words, highlight), rank: Number((rows[i] as Row).search_rank) }));
}

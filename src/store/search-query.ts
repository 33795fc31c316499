/**
 * The search query language, parsed into terms and turned into an FTS5 MATCH expression built
 * only of quoted strings (so no user text is ever read as FTS5 syntax) or, for engines without
 * FTS5, into LIKE conditions. Syntax (see docs/store.md):
 *   word         messages containing the word (case and diacritics ignored)
 *   word*        a word starting with "word"
 *   "two words"  the phrase (an unclosed quote runs to the end of the query)
 *   -word        messages without it (also -"a phrase")
 *   a OR b       either (OR in capitals, between two terms)
 *   subject:word from:word to:word body:word   only in that field
 * Terms are ANDed. Anything else — parentheses, NEAR, ^, :, control characters — is ordinary
 * text: characters that are not letters or digits separate words.
 */

export type SearchField = 'subject' | 'sender' | 'recipients' | 'body_text';

export interface SearchTerm {
  text: string;
  phrase: boolean;
  prefix: boolean;
  negated: boolean;
  field: SearchField | null;
  /** True when this term is ORed with the previous one. */
  orWithPrevious: boolean;
}

const FIELDS: Record<string, SearchField> = {
  subject: 'subject',
  from: 'sender',
  sender: 'sender',
  to: 'recipients',
  recipients: 'recipients',
  body: 'body_text',
};
const MAX_TERMS = 32;
const MAX_TERM_LENGTH = 200;
const WORD_CHAR = /[\p{L}\p{N}]/u;
const CONTROL = /[\u0000-\u001f\u007f]/g;

export function parseSearchQuery(query: string): SearchTerm[] {
  const text = query.replace(CONTROL, ' ');
  const terms: SearchTerm[] = [];
  let pendingOr = false;
  let i = 0;
  while (i < text.length && terms.length < MAX_TERMS) {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
    if (i >= text.length) break;
    let negated = false;
    if (text[i] === '-') {
      negated = true;
      i++;
    }
    let field: SearchField | null = null;
    const fieldMatch = /^([a-z_]+):/i.exec(text.slice(i, i + 12));
    if (fieldMatch && FIELDS[(fieldMatch[1] as string).toLowerCase()] !== undefined) {
      field = FIELDS[(fieldMatch[1] as string).toLowerCase()] as SearchField;
      i += fieldMatch[0].length;
    }
    let raw: string;
    let phrase = false;
    if (text[i] === '"') {
      phrase = true;
      const end = text.indexOf('"', i + 1);
      raw = end === -1 ? text.slice(i + 1) : text.slice(i + 1, end);
      i = end === -1 ? text.length : end + 1;
    } else {
      let end = i;
      while (end < text.length && !/\s/.test(text[end] as string) && text[end] !== '"') end++;
      raw = text.slice(i, end);
      i = end;
    }
    let prefix = false;
    if (!phrase && raw.endsWith('*')) prefix = true;
    if (phrase && text[i] === '*') {
      prefix = true;
      i++;
    }
    if (!phrase && !negated && field === null && raw === 'OR') {
      pendingOr = terms.length > 0;
      continue;
    }
    const cleaned = raw.replace(/\*+$/, '').slice(0, MAX_TERM_LENGTH).trim();
    if (!WORD_CHAR.test(cleaned)) continue;
    terms.push({ text: cleaned, phrase, prefix, negated, field, orWithPrevious: pendingOr && !negated });
    pendingOr = false;
  }
  return terms;
}

const quote = (text: string): string => `"${text.replace(/"/g, '""')}"`;

function ftsTerm(term: SearchTerm): string {
  const body = quote(term.text) + (term.prefix ? '*' : '');
  return term.field ? `${term.field} : ${body}` : body;
}

/** Groups positive terms into AND-ed OR-groups: a b OR c d -> [[a], [b, c], [d]]. */
export function positiveGroups(terms: SearchTerm[]): SearchTerm[][] {
  const groups: SearchTerm[][] = [];
  for (const term of terms) {
    if (term.negated) continue;
    const last = groups[groups.length - 1];
    if (term.orWithPrevious && last) last.push(term);
    else groups.push([term]);
  }
  return groups;
}

/** The FTS5 MATCH expression, or null when the query has no positive term (nothing matches). */
export function toFtsMatch(terms: SearchTerm[]): string | null {
  const groups = positiveGroups(terms);
  if (groups.length === 0) return null;
  const positive = groups.map((group) => `(${group.map(ftsTerm).join(' OR ')})`).join(' AND ');
  const negative = terms.filter((term) => term.negated).map(ftsTerm);
  return negative.length === 0 ? positive : `(${positive}) NOT (${negative.join(' OR ')})`;
}

/**
 * The highlighted snippet of a full-text search hit, built in JavaScript from the row's text
 * (FTS5's own snippet() re-tokenizes every column inside WebAssembly and cost ~0.8 ms a row, most
 * of a search). Words are found the way the index's tokenizer (`unicode61 remove_diacritics 2`)
 * finds them: runs of letters and digits, compared without case and diacritics; a term is a word,
 * a prefix (`inv*`) or a phrase of consecutive words, limited to its field when it names one.
 * The snippet is the window of SNIPPET_WORDS words with the most distinct terms (then the most
 * matches) over the four indexed fields, earlier fields winning ties; matches are wrapped in the
 * highlight markers, and `…` marks text cut off on either side. It only decides what is shown:
 * which messages match is the index's business.
 */

import type { SearchField, SearchTerm } from './search-query.js';

export const SNIPPET_WORDS = 16;
const ELLIPSIS = '…';

/** The words of a text: where each starts and ends, and whether it is all ASCII. */
interface Words {
  starts: number[];
  ends: number[];
  ascii: boolean[];
}

/** One field's text and which field it is, in the index's column order. */
export interface SnippetSource {
  field: SearchField;
  text: string;
}

/** Lower case without diacritics, as the tokenizer compares words. */
export function foldWord(word: string): string {
  return /^[\u0000-\u007f]*$/.test(word) ? word.toLowerCase() : word.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}

const WORD_CHAR = /[\p{L}\p{N}\p{Co}]/u;
const NON_ASCII = /[^\u0000-\u007f]/;
const nonAsciiWordChar = new Map<number, boolean>();
/** Whether a code point is a word character (letter, digit or private use), as for the index. */
function isWordPoint(point: number): boolean {
  if (point < 128) return (point >= 48 && point <= 57) || (point >= 97 && point <= 122) || (point >= 65 && point <= 90);
  let known = nonAsciiWordChar.get(point);
  if (known === undefined) {
    known = WORD_CHAR.test(String.fromCodePoint(point));
    if (nonAsciiWordChar.size < 65_536) nonAsciiWordChar.set(point, known);
  }
  return known;
}

/** Word boundaries by one scan of the text (no regular expression or object per word: a body of
 * 8 KiB has ~1,500 words), and whether each word is all ASCII. A surrogate pair is one code point
 * (letters outside the BMP are word characters, emoji are not); a lone surrogate is not a word
 * character. */
function wordsOf(text: string): Words {
  const words: Words = { starts: [], ends: [], ascii: [] };
  let start = -1;
  let ascii = true;
  for (let i = 0; i <= text.length; ) {
    let point = i < text.length ? text.charCodeAt(i) : 32;
    let units = 1;
    if (point >= 0xd800 && point <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        point = 0x10000 + ((point - 0xd800) << 10) + (low - 0xdc00);
        units = 2;
      }
    }
    const word = point >= 0xd800 && point <= 0xdfff ? false : isWordPoint(point);
    if (word) {
      if (start < 0) {
        start = i;
        ascii = true;
      }
      if (point >= 128) ascii = false;
    } else if (start >= 0) {
      words.starts.push(start);
      words.ends.push(i);
      words.ascii.push(ascii);
      start = -1;
    }
    i += units;
  }
  return words;
}

interface Pattern {
  /** Index of the positive term (distinct terms are counted per window). */
  term: number;
  words: string[];
  prefix: boolean;
  field: SearchField | null;
}

function patternsOf(terms: SearchTerm[]): Pattern[] {
  const patterns: Pattern[] = [];
  terms.forEach((term, index) => {
    if (term.negated) return;
    const found = wordsOf(term.text);
    const words = found.starts.map((start, i) => foldWord(term.text.slice(start, found.ends[i])));
    if (words.length > 0) patterns.push({ term: index, words, prefix: term.prefix, field: term.field });
  });
  return patterns;
}

/** A match: [first word, last word, term index]. */
type Match = [number, number, number];

/** Matches in one field, in order of first word. An ASCII word is compared in place in the
 * lower-cased text (no copy); any other word is folded first. Words whose first character cannot
 * start a term are skipped at once. */
function matchesIn(text: string, lower: string, words: Words, field: SearchField, patterns: Pattern[], firstChars: Set<number>): Match[] {
  const matches: Match[] = [];
  // Lower-casing kept every offset (true unless the text has characters like İ): compare there.
  const inPlace = lower.length === text.length;
  const { starts, ends, ascii } = words;
  const wordIs = (index: number, wanted: string, prefix: boolean): boolean => {
    const start = starts[index] as number;
    const length = (ends[index] as number) - start;
    if (inPlace && ascii[index]) {
      return (prefix ? length >= wanted.length : length === wanted.length) && lower.startsWith(wanted, start);
    }
    const word = foldWord(text.slice(start, start + length));
    return prefix ? word.startsWith(wanted) : word === wanted;
  };
  const count = starts.length;
  for (let at = 0; at < count; at++) {
    const code = text.charCodeAt(starts[at] as number);
    if (code < 128 && !firstChars.has(code | 0x20)) continue;
    for (const pattern of patterns) {
      if (pattern.field !== null && pattern.field !== field) continue;
      const n = pattern.words.length;
      if (at + n > count) continue;
      let ok = true;
      for (let k = 0; k < n && ok; k++) ok = wordIs(at + k, pattern.words[k] as string, k === n - 1 && pattern.prefix);
      if (ok) {
        matches.push([at, at + n - 1, pattern.term]);
        break;
      }
    }
  }
  return matches;
}

/** The snippet for one hit, or null when no term is found in the text given (then the caller
 * shows the message's plain snippet). */
export function buildSnippet(sources: SnippetSource[], terms: SearchTerm[], highlight: { open: string; close: string }): string | null {
  const patterns = patternsOf(terms);
  if (patterns.length === 0) return null;
  // First characters (ASCII, lower case) a matching word can start with; non-ASCII ones are
  // always checked.
  const firstChars = new Set(patterns.map((pattern) => (pattern.words[0] as string).charCodeAt(0)).filter((code) => code < 128));
  let best: { score: [number, number]; source: SnippetSource; words: Words; matches: Match[]; first: number } | null = null;
  for (const source of sources) {
    const applicable = patterns.filter((pattern) => pattern.field === null || pattern.field === source.field);
    if (applicable.length === 0 || source.text === '') continue;
    const lower = source.text.toLowerCase();
    // ASCII text holds a term only if it holds the term's first word as it is (nothing to fold):
    // a field without any is not even split into words.
    if (!NON_ASCII.test(source.text) && !applicable.some((pattern) => lower.includes(pattern.words[0] as string))) continue;
    const words = wordsOf(source.text);
    const matches = matchesIn(source.text, lower, words, source.field, applicable, firstChars);
    if (matches.length === 0) continue;
    // Windows start at a match (or earlier, so a match near the end still shows context); their
    // start only moves forward, so one pass with two ends keeps this linear.
    const counts = new Map<number, number>();
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < matches.length; i++) {
      const first = Math.max(0, Math.min((matches[i] as Match)[0], words.starts.length - SNIPPET_WORDS));
      while (hi < matches.length && (matches[hi] as Match)[1] < first + SNIPPET_WORDS) {
        const term = (matches[hi] as Match)[2];
        counts.set(term, (counts.get(term) ?? 0) + 1);
        hi++;
      }
      while (lo < hi && (matches[lo] as Match)[0] < first) {
        const term = (matches[lo] as Match)[2];
        const left = (counts.get(term) ?? 1) - 1;
        if (left === 0) counts.delete(term);
        else counts.set(term, left);
        lo++;
      }
      const score: [number, number] = [counts.size, hi - lo];
      if (!best || score[0] > best.score[0] || (score[0] === best.score[0] && score[1] > best.score[1])) {
        best = { score, source, words, matches: matches.slice(lo, hi), first };
      }
    }
  }
  if (!best) return null;
  const { source, words, matches, first } = best;
  const { starts, ends } = words;
  const count = starts.length;
  const last = Math.min(count, first + SNIPPET_WORDS) - 1;
  const text = source.text;
  let out = first > 0 ? ELLIPSIS : '';
  // From the start of the text when the window starts at its first word, to its end when it
  // ends at its last (so punctuation there is kept), as FTS5 does.
  let cursor = first === 0 ? 0 : (starts[first] as number);
  for (const [from, to] of matches) {
    const start = starts[from] as number;
    const end = ends[Math.min(to, last)] as number;
    if (start < cursor) continue;
    out += text.slice(cursor, start) + highlight.open + text.slice(start, end) + highlight.close;
    cursor = end;
  }
  const end = last === count - 1 ? text.length : (ends[last] as number);
  out += text.slice(cursor, Math.max(cursor, end));
  if (last < count - 1) out += ELLIPSIS;
  return out.replace(/\s+/g, ' ').trim();
}

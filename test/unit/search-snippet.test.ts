/**
 * The search snippet built in JavaScript (src/store/search-snippet.ts): words found as the FTS5
 * tokenizer finds them (case and diacritics ignored, prefixes, phrases, field filters, exclusions
 * never marked), the window with the most distinct terms wins, `…` where text was cut, and the
 * snippet is always the source text with markers added (property). Linear in the text: a
 * megabyte body full of matches is handled in one pass.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { buildSnippet, foldWord, SNIPPET_WORDS, type SnippetSource } from '../../src/store/search-snippet.js';
import { parseSearchQuery } from '../../src/store/search-query.js';
import { propertyParameters, propertyRuns } from '../support/property-config.js';

const marks = { open: '[', close: ']' };
const fields = (subject: string, body: string, sender = '', recipients = ''): SnippetSource[] => [
  { field: 'subject', text: subject },
  { field: 'sender', text: sender },
  { field: 'recipients', text: recipients },
  { field: 'body_text', text: body },
];
const snippet = (query: string, sources: SnippetSource[]) => buildSnippet(sources, parseSearchQuery(query), marks);

describe('search snippet', () => {
  test('a word in a short text: the whole text, the word marked, no ellipsis', () => {
    assert.equal(snippet('monday', fields('', 'See you on Monday at noon.')), 'See you on [Monday] at noon.');
  });

  test('case and diacritics are ignored as by the tokenizer; the original spelling is kept', () => {
    assert.equal(foldWord('ÍNVOÏCE'), 'invoice');
    assert.equal(foldWord('Grüße'), 'gruße', 'ß is not a diacritic (FTS5 keeps it too)');
    assert.equal(snippet('invoice', fields('', 'Your ÍNVOÏCE is ready')), 'Your [ÍNVOÏCE] is ready');
    assert.equal(snippet('grüße', fields('', 'Viele Grüsse und GRÜSSE, liebe Grüße')), 'Viele Grüsse und GRÜSSE, liebe [Grüße]');
  });

  test('a prefix marks every word starting with it; a word must match whole', () => {
    assert.equal(snippet('inv*', fields('', 'invoice, invited, reinvent')), '[invoice], [invited], reinvent');
    assert.equal(snippet('inv', fields('', 'invoice inv')), 'invoice [inv]');
  });

  test('a phrase is marked as one span, and only where its words are consecutive', () => {
    assert.equal(snippet('"quarterly report"', fields('', 'the quarterly sales report, the Quarterly  Report!')), 'the quarterly sales report, the [Quarterly Report]!');
    // A term with inner punctuation is a phrase of its words, as FTS5 reads it.
    assert.equal(snippet('e-mail', fields('', 'send an E-Mail or email')), 'send an [E-Mail] or email');
  });

  test('a field filter limits the term to that field; excluded terms are never marked', () => {
    assert.equal(snippet('subject:report', fields('Weekly report', 'the report is attached')), 'Weekly [report]');
    assert.equal(snippet('from:alice', fields('alice', 'alice', 'Alice <alice@example.test>')), '[Alice] <[alice]@example.test>');
    assert.equal(snippet('report -draft', fields('', 'draft report')), 'draft [report]');
    assert.equal(snippet('-draft', fields('', 'draft report')), null, 'nothing positive to show');
  });

  test('the window with the most distinct terms wins, then the most matches; earlier fields win ties', () => {
    const filler = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
    const body = `budget ${filler} budget meeting ${filler}`;
    const got = snippet('budget meeting', fields('', body));
    assert.ok(got?.startsWith('…'), got ?? '');
    assert.match(got ?? '', /\[budget\] \[meeting\]/);
    assert.ok(got?.endsWith('…'));
    assert.equal(snippet('report', fields('report', 'report')), '[report]', 'subject before body on a tie');
    assert.equal(snippet('report', fields('report', 'report and report')), '[report] and [report]', 'more matches win');
  });

  test('a window is SNIPPET_WORDS words; a match near the end still gets the words before it', () => {
    const words = Array.from({ length: 50 }, (_, i) => `w${i}`);
    words[49] = 'target';
    const got = snippet('target', fields('', words.join(' '))) ?? '';
    assert.ok(got.startsWith('…'));
    assert.ok(!got.endsWith('…'));
    assert.equal(got.replace('…', '').split(' ').length, SNIPPET_WORDS);
    assert.ok(got.endsWith('[target]'));
  });

  test('characters outside the BMP: letters are part of words, emoji separate them', () => {
    assert.equal(snippet('party', fields('', 'party🎉time and party')), '[party]🎉time and [party]');
    assert.equal(snippet('𝒜bc', fields('', 'say 𝒜bc now')), 'say [𝒜bc] now');
    assert.equal(snippet('x', fields('', 'a\ud800x b')), 'a\ud800[x] b', 'a lone surrogate separates words');
  });

  test('no term found in the text (the index found it by rules this does not follow): null', () => {
    assert.equal(snippet('zebra', fields('a', 'b')), null);
  });

  test('a megabyte body made of matches is one linear pass', { timeout: 60_000 }, () => {
    const body = 'report '.repeat(150_000);
    const got = snippet('report', fields('', body)) ?? '';
    assert.equal(got.match(/\[report\]/g)?.length, SNIPPET_WORDS);
  });

  test('property: the snippet is the source text with markers added and cut at words', () => {
    const word = fc.constantFrom('report', 'Grüße', 'año', '你好', 'x1', 'budget', 'ÉTÉ', 'meeting');
    const text = fc.array(fc.oneof(word, fc.string({ maxLength: 6 })), { maxLength: 60, size: 'max' }).map((parts) => parts.join(' '));
    fc.assert(
      fc.property(text, word, (body, query) => {
        const got = buildSnippet(fields('', body), parseSearchQuery(query), { open: '\u0001', close: '\u0002' });
        if (got === null) return;
        const plain = got.replace(/[\u0001\u0002]/g, '').replace(/^…|…$/g, '');
        assert.ok(body.replace(/\s+/g, ' ').includes(plain), `${JSON.stringify(plain)} not in ${JSON.stringify(body)}`);
        const marked = [...got.matchAll(/\u0001([^\u0002]*)\u0002/g)].map((m) => foldWord(m[1] as string));
        assert.ok(marked.length > 0);
        for (const m of marked) assert.equal(m, foldWord(query));
      }),
      propertyParameters(propertyRuns(0.5, 200)),
    );
  });
});

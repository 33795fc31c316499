import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { htmlToText, makeSnippet, parseMessage, repairWindows1252 } from '../../src/mime/index.js';
import { propertyParameters, propertyRuns } from '../support/property-config.js';

const dir = join(process.cwd(), 'fixtures/messages');
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));
const parse = (name: string) => parseMessage(load(name));

describe('message extraction', () => {
  test('ids, addresses, subject, date, threading headers', async () => {
    const r = await parse('plain-utf8.eml');
    assert.equal(r.messageId, '<plain-1@example.test>');
    assert.equal(r.messageIdIsFallback, false);
    assert.equal(r.subject, 'Grüße aus Köln');
    assert.equal(r.sender, '"Müller, Anna" <anna@example.test>');
    assert.equal(r.senderAddress, 'anna@example.test');
    assert.equal(r.recipients, 'Bob <bob@example.test>, carol@example.test');
    assert.equal(r.cc, 'Dave <dave@example.test>');
    assert.equal(r.date, Date.UTC(2026, 1, 3, 9, 20, 30));
    assert.equal(r.inReplyTo, '<root@example.test>');
    assert.equal(r.references, '<root@example.test> <mid@example.test>');
    assert.equal(r.snippet, 'Hallo Bob, wie geht es dir?');
    assert.equal(r.bodyHtml, null);
  });

  test('HTML-only mail: text derived from HTML, never raw HTML; html kept in bodyHtml', async () => {
    const r = await parse('html-only.eml');
    assert.ok(r.bodyHtml?.includes('<b>world</b>'));
    assert.equal(r.bodyText, 'Hello world & friends €5\nSecond!');
    assert.ok(!/[<>]/.test(r.snippet));
    assert.ok(!(r.bodyText ?? '').includes('alert'));
  });

  test('no Message-ID: a stable sha256 of the raw bytes', async () => {
    const raw = load('no-message-id.eml');
    const a = await parseMessage(raw);
    const b = await parseMessage(raw);
    assert.equal(a.messageId, `sha256:${createHash('sha256').update(raw).digest('hex')}`);
    assert.equal(a.messageId, b.messageId);
    assert.equal(a.messageIdIsFallback, true);
  });

  test('legacy charsets decode correctly, windows-1252 included on this runtime', async () => {
    const cp1252 = await parse('windows-1252.eml');
    assert.equal(cp1252.subject, '“Price” €');
    assert.equal(cp1252.bodyText?.trim(), 'Cost: 5 € – “quoted” café');
    const expected: Record<string, string> = {
      'koi8-r.eml': 'Привет',
      'iso-2022-jp.eml': 'こんにちは',
      'shift-jis.eml': 'テスト',
      'gb2312.eml': '中文',
      'big5.eml': '繁體',
      'euc-kr.eml': '한국어',
      'iso-8859-2.eml': 'Zażółć',
      'windows-1251.eml': 'Привет',
    };
    for (const [file, text] of Object.entries(expected)) assert.equal((await parse(file)).bodyText?.trim(), text, file);
    assert.equal((await parse('iso-2022-jp.eml')).subject, '日本語');
    assert.equal(repairWindows1252('\u0080 \u0093x\u0094', true), '€ “x”');
  });

  test('nested multiparts: first text/plain, first text/html, attachment metadata with hashes', async () => {
    const r = await parse('mixed-alternative-attachments.eml');
    assert.equal(r.bodyText?.trim(), 'Plain part first.');
    assert.ok(r.bodyHtml?.includes('cid:logo@x'));
    const byType = new Map(r.attachments.map((a) => [a.contentType, a]));
    const png = byType.get('image/png');
    assert.equal(png?.contentId, '<logo@x>');
    assert.equal(png?.disposition, 'inline');
    assert.equal(png?.size, 256);
    assert.equal(png?.sha256, createHash('sha256').update(Uint8Array.from({ length: 256 }, (_, i) => i)).digest('hex'));
    const pdf = byType.get('application/pdf');
    assert.equal(pdf?.filename, 'Résumé.pdf');
    assert.equal(pdf?.disposition, 'attachment');
    assert.ok(byType.has('message/rfc822'));
    assert.equal(byType.get('text/calendar')?.filename, 'invite.ics');
    assert.ok(r.attachments.every((a) => /^[0-9a-f]{64}$/.test(a.sha256)));
  });

  test('broken mail still becomes a record: missing boundary, bad base64/QP, mbox From_ line, 8-bit headers, LF only, empty body', async () => {
    assert.equal((await parse('missing-boundary.eml')).bodyText?.trim(), 'text without a closing boundary');
    const bad = await parse('bad-base64-qp.eml');
    assert.equal(bad.messageId, '<badenc@example.test>');
    assert.ok(bad.bodyText?.includes('softbreak'));
    assert.equal((await parse('mbox-from-line.eml')).subject, 'mbox');
    const eight = await parse('eight-bit-headers.eml');
    assert.equal(eight.sender, 'Zoë Ångström <zoe@example.test>');
    assert.equal(eight.subject, 'Raw UTF-8 Überschrift');
    assert.equal((await parse('lf-only.eml')).snippet, 'line one line two');
    const empty = await parse('empty-body.eml');
    assert.equal(empty.snippet, '');
    assert.equal(empty.parseError, null);
  });

  test('headers-only records (too large) are flagged truncated, bodies null', async () => {
    const r = await parseMessage(load('mixed-alternative-attachments.eml'), { headersOnly: true });
    assert.equal(r.truncated, true);
    assert.equal(r.bodyText, null);
    assert.equal(r.subject, 'nested');
    assert.deepEqual(r.attachments, []);
  });

  test('html to text handles entities and unclosed tags', () => {
    assert.equal(htmlToText('a&lt;b&gt; &quot;c&quot; &#x1F600; <p>d<br>e'), 'a<b> "c" 😀\nd\ne');
  });

  test('snippet property: ≤120 code points, collapsed whitespace, no broken surrogates, a prefix of the text', () => {
    let cut = 0;
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400, size: 'max' }), (text) => {
        const snippet = makeSnippet(text);
        const points = Array.from(snippet);
        if (Array.from(text.replace(/\s+/g, ' ').trim()).length > 120) cut++;
        assert.ok(points.length <= 120);
        assert.ok(!/\s\s/.test(snippet));
        assert.ok(!/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(snippet));
        assert.ok(text.replace(/\s+/g, ' ').trim().startsWith(snippet));
      }),
      propertyParameters(propertyRuns(1, 100)),
    );
    assert.ok(cut > 0, 'some texts were longer than a snippet, so the length limit was exercised');
  });

  test('snippet property: the one-pass scanner equals the rule written with regular expressions', () => {
    const rule = (text: string, length: number): string =>
      Array.from(text.replace(/\s+/g, ' ').trimStart()).slice(0, length).join('').trimEnd();
    const spacey = fc.constantFrom(' ', '\t', '\r\n', '\u00a0', '\u2003', '\u3000', '\ufeff', '\u0085', '\u180e', 'a', 'é', '😀', '\ud800', '\udc00', 'xyz');
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 300, size: 'max' }),
      fc.array(spacey, { maxLength: 200, size: 'max' }).map((units) => units.join('')),
    );
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 130 }), (value, length) => {
        assert.equal(makeSnippet(value, length), rule(value, length));
        assert.equal(makeSnippet(value), rule(value, 120));
      }),
      propertyParameters(propertyRuns(2.5, 200)),
    );
  });

  test('never throws on arbitrary bytes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000, size: 'max' }), async (bytes) => {
        const r = await parseMessage(bytes);
        assert.equal(typeof r.messageId, 'string');
        assert.equal(r.size, bytes.byteLength);
      }),
      propertyParameters(propertyRuns(0.25, 50)),
    );
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { atom, encodeCommand, list, mailbox, raw, sequence, str } from '../../src/imap/wire/encoder.js';
import { decodeMailboxName, encodeMailboxName, isModifiedUtf7, toWireMailboxName } from '../../src/imap/wire/mailbox-name.js';
import { countInRanges, formatSequenceSet, mergeRanges, rangeMembership } from '../../src/imap/wire/sequence-set.js';

const plain = { literalPlus: false, literalMinus: false, utf8Accept: false };
const text = (parts: { bytes: Uint8Array }[]) => parts.map((p) => new TextDecoder().decode(p.bytes)).join('|');

describe('command encoder', () => {
  test('atoms, quoted strings and literals are chosen by content', () => {
    assert.equal(text(encodeCommand('a1', 'LOGIN', [str('alice'), str('pa ss"\\')], plain)), 'a1 LOGIN alice "pa ss\\"\\\\"\r\n');
    const parts = encodeCommand('a2', 'LOGIN', [str('bob'), str('line\r\nb1 DELETE INBOX')], plain);
    assert.equal(parts.length, 2);
    assert.equal(parts[0]?.waitForContinuation, true);
    assert.equal(text(parts), 'a2 LOGIN bob {21}\r\n|line\r\nb1 DELETE INBOX\r\n');
    assert.equal(text(encodeCommand('a3', 'LOGIN', [str('bob'), str('pässword')], { ...plain, literalPlus: true })), 'a3 LOGIN bob {9+}\r\npässword\r\n');
    assert.equal(text(encodeCommand('a4', 'LOGIN', [str('NIL'), str('')], plain)), 'a4 LOGIN "NIL" ""\r\n');
  });

  test('no string argument can inject a command line', () => {
    for (const evil of ['x\r\na OK', 'x\na', 'x\ra', 'nul\u0000']) {
      const parts = encodeCommand('t1', 'SELECT', [mailbox(evil)], { ...plain, utf8Accept: true });
      // every CR/LF in the output belongs to a literal announcement or the final CRLF
      const joined = text(parts);
      assert.ok(/\{\d+\+?\}\r\n/.test(joined), joined);
    }
    assert.throws(() => encodeCommand('t2', 'FETCH', [atom('1 (BODY)\r\n')], plain), { code: 'CONFIG' });
    assert.throws(() => encodeCommand('t3', 'FETCH', [raw('BODY\r\n')], plain), { code: 'CONFIG' });
    assert.throws(() => encodeCommand('t4', 'FETCH', [sequence('1:2\r\nx')], plain), { code: 'CONFIG' });
  });

  test('sequence sets are sorted, de-duplicated and compressed', () => {
    assert.equal(formatSequenceSet([5, 1, 2, 3, 3, 9, 10, 12]), '1:3,5,9:10,12');
    assert.equal(formatSequenceSet([4], true), '4:*');
    assert.equal(text(encodeCommand('a', 'UID FETCH', [sequence([1, 2, 3]), list(atom('UID'), raw('BODY.PEEK[]'))], plain)), 'a UID FETCH 1:3 (UID BODY.PEEK[])\r\n');
  });

  test('sets received as ranges are merged and tested without expanding them', () => {
    const hostile = [{ start: 1, end: 4294967295 }, { start: 7, end: 3 }];
    assert.deepEqual(mergeRanges(hostile), [{ start: 1, end: 4294967295 }]);
    assert.equal(countInRanges(hostile), 4294967295);
    assert.equal(formatSequenceSet(hostile), '1:4294967295');
    const has = rangeMembership([{ start: 10, end: 12 }, { start: 1, end: 3 }, { start: 11, end: 20 }]);
    assert.deepEqual([0, 1, 3, 4, 9, 10, 15, 20, 21].map(has), [false, true, true, false, false, true, true, true, false]);
    assert.equal(formatSequenceSet([{ start: 5, end: 6 }, { start: 1, end: 2 }, { start: 3, end: 3 }]), '1:3,5:6');
    assert.equal(formatSequenceSet([{ start: 4, end: 6 }, { start: 1, end: 3 }]), '1:6');
  });

  test('modified UTF-7 mailbox names (RFC 3501 §5.1.3)', () => {
    assert.equal(encodeMailboxName('~peter/mail/台北/日本語'), '~peter/mail/&U,BTFw-/&ZeVnLIqe-');
    assert.equal(decodeMailboxName('~peter/mail/&U,BTFw-/&ZeVnLIqe-'), '~peter/mail/台北/日本語');
    assert.equal(encodeMailboxName('Mobilität & Co'), 'Mobilit&AOQ-t &- Co');
    assert.equal(decodeMailboxName('Mobilit&AOQ-t &- Co'), 'Mobilität & Co');
    assert.equal(decodeMailboxName('broken&AOQ'), 'broken&AOQ');
    assert.equal(encodeMailboxName('inbox'), 'INBOX');
    assert.equal(text(encodeCommand('a', 'SELECT', [mailbox('Gelöschte Elemente')], plain)), 'a SELECT "Gel&APY-schte Elemente"\r\n');
    assert.equal(text(encodeCommand('a', 'SELECT', [mailbox('Gelöschte')], { ...plain, utf8Accept: true })), 'a SELECT "Gelöschte"\r\n');
  });

  test('a wire name from LIST passes through untouched; display names and bare & are encoded once', () => {
    const sent = (name: string, utf8Accept = false) => text(encodeCommand('a', 'EXAMINE', [mailbox(name)], { ...plain, utf8Accept }));
    // Before: `Entw&APw-rfe` went out as `Entw&-APw-rfe` and every non-ASCII folder failed with NO.
    assert.equal(sent('Entw&APw-rfe'), 'a EXAMINE Entw&APw-rfe\r\n');
    assert.equal(sent('Entwürfe'), 'a EXAMINE Entw&APw-rfe\r\n');
    assert.equal(sent('A&-B'), 'a EXAMINE A&-B\r\n');
    assert.equal(sent('A&B'), 'a EXAMINE A&-B\r\n');
    assert.equal(sent('Work/&ANw-n&AO8-code/Deep'), 'a EXAMINE Work/&ANw-n&AO8-code/Deep\r\n');
    assert.equal(sent('&XfJT0ZAB-'), 'a EXAMINE &XfJT0ZAB-\r\n');
    assert.equal(sent('R&D-Team'), 'a EXAMINE R&-D-Team\r\n'); // `&D-` is not a whole UTF-16 unit
    // Under UTF8=ACCEPT the name is the server's UTF-8, sent as is (not even NFC-normalised).
    assert.equal(sent('Entwu\u0308rfe', true), 'a EXAMINE "Entwu\u0308rfe"\r\n');
    assert.equal(sent('R&D-Team', true), 'a EXAMINE R&D-Team\r\n');
    assert.equal(isModifiedUtf7('&AMk-l&AOk-ments envoy&AOk-s'), true);
    for (const bad of ['&', 'a&b', '&AOQ', '&AO-', '&AOR-', '&A-', 'ü', '&AOQ=-']) assert.equal(isModifiedUtf7(bad), false, bad);
    assert.equal(decodeMailboxName('R&D-Team'), 'R&D-Team');
    assert.equal(toWireMailboxName('inbox', false), 'INBOX');
  });
});

/**
 * The sans-I/O pieces behind redaction: what the session core hands to `send` as the redacted
 * form of each part and continuation reply, the trace ring buffer, and the SASL challenge
 * decoder's edge cases.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createSessionCore, type CommandSpec } from '../../src/imap/session/core.js';
import { describeSaslChallenge, errorChallengeReply } from '../../src/imap/session/sasl.js';
import { createTrace } from '../../src/imap/session/trace.js';
import { atom, str } from '../../src/imap/wire/encoder.js';
import { createResponseParser } from '../../src/imap/wire/parser.js';

function harness() {
  const sent: Array<{ bytes: string; redacted: string | null }> = [];
  const core = createSessionCore({
    send: (bytes, redacted) => sent.push({ bytes: new TextDecoder().decode(bytes), redacted }),
    unsolicited: () => undefined,
    encodeOptions: () => ({ literalPlus: false, literalMinus: false, utf8Accept: false }),
  });
  const parser = createResponseParser((event) => core.receive(event));
  const server = (text: string) => parser.push(new TextEncoder().encode(text));
  return { core, sent, server };
}

describe('session core: redacted sends', () => {
  test('commands without redactedTrace are shown as sent; with it, the first part is the redacted line and literal parts are ***', async () => {
    const { core, sent, server } = harness();
    const noop = core.submit({ name: 'NOOP', args: [] });
    server('A1 OK\r\n');
    await noop;
    assert.deepEqual(sent[0], { bytes: 'A1 NOOP\r\n', redacted: null });
    const login = core.submit({ name: 'LOGIN', args: [str('user'), str('pa\r\nss')], redactedTrace: 'LOGIN *** ***' });
    assert.deepEqual(sent[1], { bytes: 'A2 LOGIN user {6}\r\n', redacted: 'A2 LOGIN *** ***\r\n' });
    server('+ go\r\n');
    assert.deepEqual(sent[2], { bytes: 'pa\r\nss\r\n', redacted: '***\r\n' });
    server('A2 OK\r\n');
    await login;
  });

  test('continuation replies are redacted for redacted commands, shown for others, and a null reply sends nothing', async () => {
    const { core, sent, server } = harness();
    const secret: CommandSpec = {
      name: 'AUTHENTICATE',
      args: [atom('PLAIN')],
      redactedTrace: 'AUTHENTICATE PLAIN ***',
      onContinuation: () => new TextEncoder().encode('c2VjcmV0'),
    };
    const auth = core.submit(secret);
    server('+ \r\n');
    assert.deepEqual(sent[1], { bytes: 'c2VjcmV0\r\n', redacted: '***\r\n' });
    server('A1 OK\r\n');
    await auth;
    const plain = core.submit({ name: 'XTEST', args: [], onContinuation: (text) => (text === 'more' ? new TextEncoder().encode('data') : null) });
    server('+ more\r\n');
    assert.deepEqual(sent[3], { bytes: 'data\r\n', redacted: null });
    server('+ stop\r\n');
    assert.equal(sent.length, 4, 'a null reply sends nothing');
    server('A2 OK\r\n');
    await plain;
    // A continuation with nothing waiting for one is ignored.
    server('+ stray\r\n');
    assert.equal(sent.length, 4);
    const after = core.submit({ name: 'NOOP', args: [] });
    server('A3 OK\r\n');
    await after;
  });
});

describe('trace ring buffer', () => {
  test('keeps the last N lines, in order; 0 keeps nothing', () => {
    const trace = createTrace(3);
    for (let i = 1; i <= 5; i++) trace.add(i % 2 ? 'C' : 'S', `line ${i}`);
    assert.deepEqual(
      trace.entries().map((e) => `${e.direction} ${e.text}`),
      ['C line 3', 'S line 4', 'C line 5'],
    );
    const one = createTrace(1);
    one.add('C', 'a');
    assert.deepEqual(one.entries().map((e) => e.text), ['a'], 'a capacity of 1 keeps one line');
    const off = createTrace(0);
    off.add('C', 'x');
    assert.deepEqual(off.entries(), []);
    const negative = createTrace(-1);
    negative.add('C', 'x');
    assert.deepEqual(negative.entries(), []);
    assert.deepEqual(createTrace(2).entries(), [], 'a new trace is empty');
  });

  test('lines over 300 characters are cut to 300 plus an ellipsis; entries are copies', () => {
    const trace = createTrace(5);
    trace.add('S', 'x'.repeat(300));
    trace.add('S', `${'y'.repeat(300)}TAIL`);
    const [exact, long] = trace.entries();
    assert.equal(exact?.text, 'x'.repeat(300));
    assert.equal(long?.text, `${'y'.repeat(300)}…`);
    assert.ok(typeof exact?.at === 'number' && exact.at > 0);
    trace.entries().pop();
    assert.equal(trace.entries().length, 2);
  });
});

describe('SASL error challenges', () => {
  test('replies: OAUTHBEARER answers %x01, the others an empty line', () => {
    assert.equal(errorChallengeReply('OAUTHBEARER'), 'AQ==');
    assert.equal(errorChallengeReply('XOAUTH2'), '');
    assert.equal(errorChallengeReply('PLAIN'), '');
  });

  test('decoding: blank, non-base64 and non-JSON challenges give null; whitespace around base64 is ignored', () => {
    const json = Buffer.from('{"status":"401"}').toString('base64');
    assert.equal(describeSaslChallenge(''), null);
    assert.equal(describeSaslChallenge('   '), null);
    assert.equal(describeSaslChallenge('not json at all'), null);
    assert.equal(describeSaslChallenge(Buffer.from('plain words').toString('base64')), null);
    assert.equal(describeSaslChallenge(`  ${json}  `), 'status=401');
    assert.equal(describeSaslChallenge(` ${Buffer.from('{"a":1,"b":"x"}').toString('base64')}`), 'a=1, b=x');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isLocalNetworkHost } from '../../src/imap/session/client.js';
import { createSessionCore } from '../../src/imap/session/core.js';
import { describeSaslChallenge, oauthbearerPayload, plainPayload, xoauth2Payload } from '../../src/imap/session/sasl.js';
import { atom, str } from '../../src/imap/wire/encoder.js';
import { createResponseParser } from '../../src/imap/wire/parser.js';
import type { UntaggedResponse } from '../../src/imap/wire/types.js';

function harness(maxInFlight = 32) {
  const sent: string[] = [];
  const unsolicited: UntaggedResponse[] = [];
  const core = createSessionCore({
    send: (bytes) => sent.push(new TextDecoder().decode(bytes)),
    unsolicited: (data) => unsolicited.push(data),
    encodeOptions: () => ({ literalPlus: false, literalMinus: false, utf8Accept: false }),
    maxInFlight,
  });
  const parser = createResponseParser((event) => core.receive(event));
  const server = (text: string) => parser.push(new TextEncoder().encode(text));
  return { core, sent, unsolicited, server };
}

describe('session core (sans-I/O)', () => {
  test('pipelines independent commands up to the depth limit; exclusive commands wait', async () => {
    const { core, sent, server } = harness(2);
    const a = core.submit({ name: 'NOOP', args: [] });
    const b = core.submit({ name: 'NOOP', args: [] });
    const c = core.submit({ name: 'NOOP', args: [] });
    const d = core.submit({ name: 'SELECT', args: [atom('INBOX')], exclusive: true });
    const e = core.submit({ name: 'NOOP', args: [] });
    assert.deepEqual(sent, ['A1 NOOP\r\n', 'A2 NOOP\r\n']);
    server('A1 OK\r\n');
    assert.equal(sent.length, 3);
    server('A2 OK\r\nA3 OK\r\n');
    assert.equal(sent[3], 'A4 SELECT INBOX\r\n');
    assert.equal(sent.length, 4, 'nothing is sent while SELECT is in flight');
    server('A4 OK\r\n');
    assert.equal(sent[4], 'A5 NOOP\r\n');
    server('A5 OK\r\n');
    await Promise.all([a, b, c, d, e]);
    assert.equal(core.maxObservedInFlight, 2);
  });

  test('a synchronising literal waits for the continuation', async () => {
    const { core, sent, server } = harness();
    const login = core.submit({ name: 'LOGIN', args: [str('user'), str('pass\r\nword')] });
    assert.deepEqual(sent, ['A1 LOGIN user {10}\r\n']);
    server('+ go ahead\r\n');
    assert.equal(sent[1], 'pass\r\nword\r\n');
    server('A1 OK done\r\n');
    assert.equal((await login).text.text, 'done');
  });

  test('tagged NO/BAD, throttling, BYE and malformed responses fail with typed errors', async () => {
    const { core, server, unsolicited } = harness();
    const no = core.submit({ name: 'SELECT', args: [atom('X')] });
    server('A1 NO [NONEXISTENT] no such mailbox\r\n');
    await assert.rejects(no, { code: 'NO', responseCode: 'NONEXISTENT' });
    const throttled = core.submit({ name: 'NOOP', args: [] });
    server('A2 BAD Request is throttled. Suggested Backoff Time: 2500 milliseconds\r\n');
    await assert.rejects(throttled, { code: 'THROTTLED', retryAfterMs: 2500 });
    const fetch = core.submit({ name: 'UID FETCH', args: [atom('1:*'), atom('UID')], onUntagged: (d) => d.type === 'fetch' });
    server('* 1 FETCH (UID\r\nA3 OK done\r\n');
    await assert.rejects(fetch, { code: 'PROTOCOL' }, 'a dropped FETCH response poisons the command');
    const pending = core.submit({ name: 'NOOP', args: [] });
    server('* BYE shutting down\r\n');
    await assert.rejects(pending, { code: 'BYE' });
    assert.ok(unsolicited.some((u) => u.type === 'condition' && u.condition === 'BYE'));
  });

  test('untagged data goes to the command that asked for it; the rest is unsolicited', async () => {
    const { core, server, unsolicited } = harness();
    const seen: number[] = [];
    const search = core.submit({ name: 'UID SEARCH', args: [atom('ALL')], onUntagged: (d) => (d.type === 'search' ? (seen.push(...d.ids), true) : false) });
    server('* 3 EXISTS\r\n* SEARCH 1 2 3\r\n* 2 EXPUNGE\r\nA1 OK\r\n');
    await search;
    assert.deepEqual(seen, [1, 2, 3]);
    assert.deepEqual(unsolicited.map((u) => u.type), ['exists', 'expunge']);
  });

  test('EOF fails everything pending', async () => {
    const { core } = harness();
    const a = core.submit({ name: 'NOOP', args: [] });
    core.failAll(new (await import('../../src/errors.js')).NetworkError('gone'));
    await assert.rejects(a, { code: 'NETWORK' });
    await assert.rejects(core.submit({ name: 'NOOP', args: [] }), { code: 'NETWORK' });
  });

  test('SASL payloads and error challenges', () => {
    assert.equal(Buffer.from(plainPayload('u', 'p'), 'base64').toString(), '\u0000u\u0000p');
    assert.equal(Buffer.from(xoauth2Payload('u@x', 'T'), 'base64').toString(), 'user=u@x\u0001auth=Bearer T\u0001\u0001');
    assert.equal(Buffer.from(oauthbearerPayload('a,b=c', 'h', 993, 'T'), 'base64').toString(), 'n,a=a=2Cb=3Dc,\u0001host=h\u0001port=993\u0001auth=Bearer T\u0001\u0001');
    const challenge = Buffer.from('{"status":"invalid_token","schemes":"bearer"}').toString('base64');
    assert.equal(describeSaslChallenge(challenge), 'status=invalid_token, schemes=bearer');
  });

  test('COMPRESS auto-policy: off for loopback and private networks', () => {
    for (const host of ['localhost', '127.0.0.1', '::1', '10.1.2.3', '192.168.1.5', '172.20.0.1', 'nas.local', 'fd12:3456::1']) assert.ok(isLocalNetworkHost(host), host);
    for (const host of ['imap.gmail.com', '8.8.8.8', '172.32.0.1', '2001:db8::1']) assert.ok(!isLocalNetworkHost(host), host);
  });
});

/** connection.ts: the sans-I/O connection — bytes in, events out, no transport at all. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createConnection, type ConnectionEvent } from '../../src/imap/session/connection.js';
import { createTrace } from '../../src/imap/session/trace.js';
import { bytesHarness } from '../support/session-bytes.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (event: ConnectionEvent): string => (event.type === 'write' ? new TextDecoder().decode(event.bytes) : event.type);

function drain(connection: ReturnType<typeof createConnection>): ConnectionEvent[] {
  const events: ConnectionEvent[] = [];
  for (let event = connection.nextEvent(); event; event = connection.nextEvent()) events.push(event);
  return events;
}

const make = () => {
  const trace = createTrace(20);
  const connection = createConnection({ encodeOptions: () => ({ literalPlus: false, literalMinus: false, utf8Accept: false }), trace });
  return { connection, trace };
};

test('greeting, a command, unsolicited data in stream order', async () => {
  const { connection } = make();
  connection.receive(bytes('* OK [CAPABILITY IMAP4rev1] hi\r\n'));
  const [greeting] = drain(connection);
  assert.equal(greeting?.type, 'greeting');
  const done = connection.send({ name: 'NOOP', args: [] });
  assert.deepEqual(drain(connection).map(text), ['A1 NOOP\r\n']);
  connection.receive(bytes('* 4 EXISTS\r\nA1 OK\r\n'));
  const events = drain(connection);
  assert.deepEqual(events.map((e) => e.type), ['unsolicited']);
  assert.equal((await done).tag, 'A1');
});

test('idleDone writes DONE once, only after +, and the trace sees it', async () => {
  const { connection, trace } = make();
  connection.receive(bytes('* OK hi\r\n'));
  drain(connection);
  const idle = connection.send({ name: 'IDLE', args: [], exclusive: true, idle: true, onContinuation: () => null });
  drain(connection);
  assert.equal(connection.idleDone(), false, 'no DONE before the server said +');
  connection.receive(bytes('+ idling\r\n'));
  drain(connection);
  assert.equal(connection.idling, true);
  assert.equal(connection.idleDone(), true);
  assert.equal(connection.idleDone(), false);
  assert.deepEqual(drain(connection).map(text), ['DONE\r\n']);
  connection.receive(bytes('A1 OK\r\n'));
  drain(connection);
  await idle;
  assert.deepEqual(trace.entries().filter((e) => e.direction === 'C').map((e) => e.text), ['A1 IDLE', 'DONE']);
});

test('foreign greetings and unhandleable data become failed events', () => {
  const smtp = make().connection;
  smtp.receive(bytes('220 mail.example ESMTP\r\n'));
  const [failed] = drain(smtp);
  assert.ok(failed?.type === 'failed' && failed.error.code === 'PROTOCOL');
  const bye = make().connection;
  bye.receive(bytes('* BYE go away\r\n'));
  assert.ok(drain(bye).some((e) => e.type === 'failed'));
});

test('STARTTLS sealing: bytes after the OK make tlsStarting() refuse', async () => {
  const { connection } = make();
  connection.receive(bytes('* OK hi\r\n'));
  drain(connection);
  connection.expectStartTls(true);
  const started = connection.send({ name: 'STARTTLS', args: [], exclusive: true });
  drain(connection);
  connection.receive(bytes('A1 OK go\r\n* OK injected\r\n'));
  drain(connection);
  await started;
  assert.equal(connection.tlsStarting(), false);
});

test('the shell: an unsolicited listener that throws fails the connection (PROTOCOL / LIMIT), never the process', async () => {
  const h = bytesHarness();
  const closed: Array<string | undefined> = [];
  h.client.onClose((error) => closed.push(error?.code));
  h.client.onUnsolicited(() => {
    throw new RangeError('Maximum call stack size exceeded');
  });
  const pending = h.client.noop();
  h.server('* 3 EXISTS\r\n');
  await assert.rejects(pending, { code: 'LIMIT' });
  assert.deepEqual(closed, ['LIMIT']);
  assert.equal(h.client.closed, true);
});

test('without a trace or transcript the connection still writes; the trace drops only the final CRLF of a part', async () => {
  const bare = createConnection({ encodeOptions: () => ({ literalPlus: true, literalMinus: false, utf8Accept: false }) });
  bare.receive(bytes('* OK hi\r\n'));
  drain(bare);
  const pinged = bare.send({ name: 'NOOP', args: [] });
  assert.deepEqual(drain(bare).map(text), ['A1 NOOP\r\n']);
  bare.receive(bytes('A1 OK\r\n'));
  drain(bare);
  await pinged;

  const trace = createTrace(20);
  const traced = createConnection({ encodeOptions: () => ({ literalPlus: false, literalMinus: false, utf8Accept: false }), trace });
  traced.receive(bytes('* OK hi\r\n'));
  drain(traced);
  const message = bytes('Subject: x\r\n\r\nline one\r\nline two');
  const appended = traced.send({ name: 'APPEND', args: [{ kind: 'atom', value: 'INBOX' }, { kind: 'literal', value: message }] });
  assert.deepEqual(drain(traced).map(text), ['A1 APPEND INBOX {32}\r\n']);
  traced.receive(bytes('+ go\r\n'));
  assert.deepEqual(drain(traced).map(text), ['Subject: x\r\n\r\nline one\r\nline two\r\n']);
  traced.receive(bytes('A1 OK\r\n'));
  drain(traced);
  await appended;
  const sent = trace.entries().filter((e) => e.direction === 'C').map((e) => e.text).join('|');
  assert.equal(sent, 'A1 APPEND INBOX {32}|Subject: x\r\n\r\nline one\r\nline two', 'inner line breaks kept, the final CRLF of each part dropped');
});

/**
 * Connection set-up and deadlines, with typed errors and no credentials on an unsafe line:
 * STARTTLS refused (NO), upgrade failing or timing out, PREAUTH where STARTTLS is required,
 * abort during connect, the command-timeout watchdog (and its reset by incoming bytes), and a
 * broken COMPRESS=DEFLATE stream. Loopback sockets (plain TCP, and TLS with the test CA in
 * fixtures/tls) or the scripted in-memory server; no Dovecot.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { openImapSession, type ImapSessionOptions } from '../../src/imap/session/client.js';
import { connect } from '../../src/imap/transport/connect.js';
import { basicAnswer, createScriptedServer } from '../support/scripted-server.js';

const PASSWORD = 'Never-On-Plain-Text-42';
const tlsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/tls');
const ca = readFileSync(resolve(tlsDir, 'ca.crt'), 'utf8');

/** A plain TCP server; `onLine` gets every line the client sends and the socket. */
async function plainServer(
  greeting: string | null,
  onLine: (line: string, socket: Socket) => void,
  onChunk?: (chunk: Buffer, socket: Socket) => void,
): Promise<{ port: number; received: () => string; close: () => void }> {
  let received = '';
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    if (greeting !== null) socket.write(`${greeting}\r\n`);
    let buffer = '';
    socket.on('data', (chunk) => {
      const text = chunk.toString('latin1');
      received += text;
      onChunk?.(chunk, socket);
      buffer += text;
      for (let end = buffer.indexOf('\r\n'); end >= 0; end = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        onLine(line, socket);
      }
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return {
    port: (server.address() as { port: number }).port,
    received: () => received,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

const starttlsOptions = (port: number, extra: Partial<ImapSessionOptions> = {}): ImapSessionOptions => ({
  host: 'localhost',
  port,
  user: 'alice',
  auth: { password: PASSWORD },
  tls: { mode: 'starttls', ca },
  compress: false,
  ...extra,
});

const tagOf = (line: string): string => line.split(' ')[0] ?? '*';

describe('connection set-up', { timeout: 60_000 }, () => {
  test('a NO to STARTTLS fails the session and no credentials are sent', async () => {
    const server = await plainServer('* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] ready', (line, socket) => {
      if (/ STARTTLS$/i.test(line)) socket.write(`${tagOf(line)} NO [UNAVAILABLE] TLS is broken today\r\n`);
    });
    await assert.rejects(openImapSession(starttlsOptions(server.port)), (error: { code: string }) => {
      assert.ok(['NO', 'TLS'].includes(error.code), `code ${error.code}`);
      return true;
    });
    assert.match(server.received(), /STARTTLS/);
    assert.ok(!/LOGIN|AUTHENTICATE/i.test(server.received()), 'no login on the plain connection');
    assert.ok(!server.received().includes(PASSWORD));
    server.close();
  });

  test('a STARTTLS upgrade that fails (the server answers in plain text) is a TLS error, no credentials sent', async () => {
    let upgrading = false;
    const server = await plainServer(
      '* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready',
      (line, socket) => {
        if (/ STARTTLS$/i.test(line)) {
          socket.write(`${tagOf(line)} OK begin TLS\r\n`);
          upgrading = true;
        }
      },
      (chunk, socket) => {
        // The ClientHello is answered in plain text.
        if (upgrading && chunk[0] === 0x16) socket.write('HTTP/1.1 400 Bad Request\r\n\r\n');
      },
    );
    await assert.rejects(openImapSession(starttlsOptions(server.port, { connectTimeoutMs: 5000 })), { code: 'TLS' });
    assert.ok(!server.received().includes(PASSWORD));
    assert.ok(!/LOGIN|AUTHENTICATE/i.test(server.received().replace(/^.*STARTTLS\r\n/s, '').replace(/[^\x20-\x7e\r\n]/g, '')));
    server.close();
  });

  test('a STARTTLS upgrade that never completes times out (TIMEOUT), no credentials sent', async () => {
    const server = await plainServer('* OK [CAPABILITY IMAP4rev1 STARTTLS] ready', (line, socket) => {
      if (/ STARTTLS$/i.test(line)) socket.write(`${tagOf(line)} OK begin TLS\r\n`);
      // ...and then silence: the TLS handshake never gets an answer.
    });
    const started = Date.now();
    await assert.rejects(openImapSession(starttlsOptions(server.port, { connectTimeoutMs: 300 })), { code: 'TIMEOUT' });
    assert.ok(Date.now() - started < 20_000, 'the deadline applies');
    assert.ok(!server.received().includes(PASSWORD));
    server.close();
  });

  test('PREAUTH on a connection that must use STARTTLS is refused before anything is sent', async () => {
    const server = createScriptedServer({
      greeting: '* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] already logged in',
      answer: (command) => basicAnswer(command, 'IMAP4rev1 STARTTLS') ?? `${command.tag} OK\r\n`,
    });
    await assert.rejects(openImapSession({ ...starttlsOptions(1), connectTransport: server.connect }), { code: 'TLS' });
    assert.ok(!server.clientText().includes(PASSWORD));
    assert.ok(!/STARTTLS|LOGIN|AUTHENTICATE/.test(server.clientText()), server.clientText());
  });

  test('a STARTTLS connection whose server lacks STARTTLS is refused (TLS), credentials unsent', async () => {
    const server = createScriptedServer({
      greeting: '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no tls',
      answer: (command) => basicAnswer(command, 'IMAP4rev1 AUTH=PLAIN') ?? `${command.tag} OK\r\n`,
    });
    await assert.rejects(openImapSession({ ...starttlsOptions(1), connectTransport: server.connect }), { code: 'TLS' });
    assert.ok(!server.clientText().includes(PASSWORD));
  });

  test('aborting during connect (TLS handshake pending) is ABORTED; an aborted signal never connects', async () => {
    // A TCP server that never answers the TLS ClientHello.
    const silent = await plainServer(null, () => undefined);
    const controller = new AbortController();
    const pending = openImapSession({ host: 'localhost', port: silent.port, user: 'a', auth: { password: PASSWORD }, tls: { ca }, signal: controller.signal });
    setImmediate(() => controller.abort());
    await assert.rejects(pending, { code: 'ABORTED' });
    const already = new AbortController();
    already.abort();
    await assert.rejects(connect({ host: 'localhost', port: silent.port, tls: { ca }, signal: already.signal }), { code: 'ABORTED' });
    // A plain (STARTTLS) connect aborted before the greeting arrives.
    const plainController = new AbortController();
    const plain = connect({ host: 'localhost', port: silent.port, tls: { mode: 'starttls' }, signal: plainController.signal });
    plainController.abort();
    await assert.rejects(plain, { code: 'ABORTED' });
    assert.ok(!silent.received().includes(PASSWORD));
    silent.close();
  });
});

describe('command timeout watchdog', { timeout: 30_000 }, () => {
  // The watchdog's timer is unref'd (it must not keep a process alive) and the scripted server
  // has no socket: this handle stands in for the socket that keeps a real process running.
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  beforeEach(() => {
    keepAlive = setInterval(() => undefined, 1000);
  });
  afterEach(() => clearInterval(keepAlive));

  const loggedIn = (answer: (text: string, tag: string) => string | null) =>
    createScriptedServer({
      greeting: '* OK [CAPABILITY IMAP4rev1] ready',
      answer(command) {
        const basic = basicAnswer(command, 'IMAP4rev1');
        if (basic !== null) return basic;
        if (/ LOGIN /i.test(command.text)) return `${command.tag} OK [CAPABILITY IMAP4rev1] in\r\n`;
        return answer(command.text, command.tag) ?? `${command.tag} OK\r\n`;
      },
    });

  test('a command the server never answers fails with TIMEOUT and closes the session', async () => {
    const server = loggedIn((text) => (/ STATUS /.test(text) ? '' : null));
    const client = await openImapSession({ host: 'x.test', port: 993, user: 'a', auth: { password: 'p' }, connectTransport: server.connect, commandTimeoutMs: 200, compress: false });
    await assert.rejects(client.status('INBOX', ['MESSAGES']), { code: 'TIMEOUT' });
    assert.equal(client.closed, true);
    await assert.rejects(client.noop(), (error: { code: string }) => ['TIMEOUT', 'NETWORK'].includes(error.code));
  });

  test('bytes arriving keep a slow command alive past the timeout', async () => {
    let trickle: ReturnType<typeof setInterval> | undefined;
    const server = loggedIn((text, tag) => {
      if (!/ UID FETCH /.test(text)) return null;
      // Ten FETCH responses, one every 60 ms (600 ms in all), with a 250 ms command timeout.
      let sent = 0;
      trickle = setInterval(() => {
        sent++;
        server.send(`* ${sent} FETCH (UID ${sent} RFC822.SIZE 10)\r\n`);
        if (sent === 10) {
          clearInterval(trickle);
          server.send(`${tag} OK done\r\n`);
        }
      }, 60);
      return '';
    });
    const client = await openImapSession({ host: 'x.test', port: 993, user: 'a', auth: { password: 'p' }, connectTransport: server.connect, commandTimeoutMs: 250, compress: false });
    await client.select('INBOX', { readOnly: true }).catch(() => undefined);
    const uids: number[] = [];
    await client.uidFetch('1:*', { items: ['UID', 'RFC822.SIZE'] }, { message: (m) => uids.push(m.attributes.uid ?? 0) });
    assert.equal(uids.length, 10);
    await client.logout();
  });
});

describe('COMPRESS=DEFLATE stream errors', { timeout: 30_000 }, () => {
  test('a corrupt deflate stream from the server closes the transport with a NETWORK error', async () => {
    const key = readFileSync(resolve(tlsDir, 'server.key'));
    const cert = readFileSync(resolve(tlsDir, 'server.crt'));
    const sockets: TLSSocket[] = [];
    const server = createTlsServer({ key, cert }, (socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      socket.on('data', () => {
        // Not a raw deflate stream: 0xff is an invalid block type.
        socket.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x01, 0x02]));
      });
    });
    await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
    const port = (server.address() as { port: number }).port;
    const transport = await connect({ host: 'localhost', port, tls: { ca } });
    const closed = new Promise<{ code: string; message: string } | null>((resolveClose) =>
      transport.setHandlers({ data: () => undefined, close: (error) => resolveClose(error) }),
    );
    transport.startCompression();
    assert.equal(transport.compressed, true);
    transport.write(new TextEncoder().encode('A1 NOOP\r\n'));
    const error = await closed;
    assert.ok(error, 'the transport closed with an error');
    assert.equal(error.code, 'NETWORK');
    assert.match(error.message, /COMPRESS=DEFLATE stream error/);
    for (const socket of sockets) socket.destroy();
    server.close();
  });
});

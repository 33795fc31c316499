/**
 * An in-memory `Transport` whose far end is a small scripted IMAP server: a function that gets
 * each complete client command (line plus any literals, CRLFs removed from the line ends) and
 * returns what the server answers. For tests of the real client (auth, redaction, STARTTLS,
 * timeouts) without sockets or a transcript. Synchronising literals get a `+` automatically.
 * Test-only.
 */

import type { PrxError } from '../../src/errors.js';
import type { ConnectOptions, Transport, TransportHandlers } from '../../src/imap/transport/types.js';

export interface ScriptedCommand {
  /** The whole command as text (latin1), literals inlined, without the final CRLF. */
  text: string;
  /** Its tag (first word). */
  tag: string;
  /** The bytes as the client sent them. */
  bytes: Uint8Array;
}

export interface ServerScript {
  /** The greeting line, without CRLF (null: send nothing). */
  greeting: string | null;
  /** The answer to a command (CRLFs included), '' for nothing (e.g. a continuation wait). */
  answer(command: ScriptedCommand, server: ScriptedServer): string;
  /** STARTTLS upgrade; default: succeeds at once. */
  upgradeToTls?(): Promise<void>;
}

export interface ScriptedServer {
  transport: Transport;
  /** Pass as `connectTransport`. */
  connect: (options: ConnectOptions) => Promise<Transport>;
  /** Every command received, in order. */
  commands: ScriptedCommand[];
  /** Every byte the client wrote, decoded as latin1. */
  clientText(): string;
  /** Sends server bytes now. */
  send(text: string): void;
  /** Closes from the server side with this error (null: orderly). */
  hangUp(error: PrxError | null): void;
  /** True once the transport was closed by either side. */
  closed(): boolean;
}

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1');

export function createScriptedServer(script: ServerScript): ScriptedServer {
  let handlers: TransportHandlers | null = null;
  const early: Uint8Array[] = [];
  const written: Uint8Array[] = [];
  const commands: ScriptedCommand[] = [];
  let isClosed = false;
  let secure = false;
  let compressed = false;
  let buffer = Buffer.alloc(0);
  let current: Buffer[] = [];
  let literalLeft = 0;

  const deliver = (bytes: Uint8Array): void => {
    if (isClosed) return;
    if (handlers) handlers.data(bytes);
    else early.push(bytes);
  };
  const send = (text: string): void => {
    if (text === '') return;
    // Asynchronously, like a socket.
    setImmediate(() => deliver(Buffer.from(text, 'latin1')));
  };
  const hangUp = (error: PrxError | null): void => {
    if (isClosed) return;
    setImmediate(() => {
      if (isClosed) return;
      isClosed = true;
      handlers?.close(error);
    });
  };

  const server: ScriptedServer = {
    transport: undefined as unknown as Transport,
    connect: async () => server.transport,
    commands,
    clientText: () => written.map(latin1).join(''),
    send,
    hangUp,
    closed: () => isClosed,
  };

  const consume = (): void => {
    for (;;) {
      if (literalLeft > 0) {
        if (buffer.length < literalLeft) return;
        current.push(buffer.subarray(0, literalLeft));
        buffer = buffer.subarray(literalLeft);
        literalLeft = 0;
        continue;
      }
      const end = buffer.indexOf('\r\n');
      if (end < 0) return;
      const line = buffer.subarray(0, end);
      buffer = buffer.subarray(end + 2);
      current.push(line);
      const literal = /\{(\d+)(\+?)\}$/.exec(latin1(line));
      if (literal) {
        literalLeft = Number(literal[1]);
        if (literal[2] !== '+') send('+ go ahead\r\n');
        if (literalLeft > 0) continue;
      }
      const bytes = Buffer.concat(current);
      current = [];
      const text = latin1(bytes);
      const command: ScriptedCommand = { text, tag: text.split(' ')[0] ?? '', bytes };
      commands.push(command);
      send(script.answer(command, server));
    }
  };

  server.transport = {
    setHandlers(next) {
      handlers = next;
      for (const bytes of early.splice(0)) next.data(bytes);
    },
    write(bytes) {
      if (isClosed) return;
      written.push(Uint8Array.from(bytes));
      buffer = Buffer.concat([buffer, Buffer.from(bytes)]);
      consume();
    },
    pause() {},
    resume() {},
    async upgradeToTls() {
      if (script.upgradeToTls) await script.upgradeToTls();
      secure = true;
    },
    startCompression() {
      compressed = true;
    },
    close() {
      if (isClosed) return;
      isClosed = true;
      handlers?.close(null);
    },
    get secure() {
      return secure;
    },
    get compressed() {
      return compressed;
    },
  };
  if (script.greeting !== null) send(`${script.greeting}\r\n`);
  return server;
}

/** Answers the commands a login needs: CAPABILITY, LOGOUT, NOOP, ENABLE; others get `BAD`. */
export function basicAnswer(command: ScriptedCommand, capabilities: string): string | null {
  const name = command.text.split(' ')[1]?.toUpperCase();
  if (name === 'CAPABILITY') return `* CAPABILITY ${capabilities}\r\n${command.tag} OK done\r\n`;
  if (name === 'LOGOUT') return `* BYE bye\r\n${command.tag} OK bye\r\n`;
  if (name === 'NOOP') return `${command.tag} OK noop\r\n`;
  if (name === 'ENABLE') return `${command.tag} OK enabled\r\n`;
  return null;
}

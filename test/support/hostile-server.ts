/**
 * A scripted IMAP server for hostile-server tests: real sockets, real TLS (the test CA in
 * fixtures/tls), implicit or STARTTLS. Each complete client line goes to `respond`, which writes
 * whatever bytes the test wants (or undefined: the defaults below answer LOGIN, CAPABILITY,
 * ENABLE, SELECT/EXAMINE, NOOP and LOGOUT like a small QRESYNC server). Test-only.
 */
import { readFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';

const tlsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/tls');
export const hostileCa = readFileSync(join(tlsDir, 'ca.crt'), 'utf8');
const key = readFileSync(join(tlsDir, 'server.key'));
const cert = readFileSync(join(tlsDir, 'server.crt'));

export const CAPABILITIES = 'IMAP4rev1 AUTH=PLAIN ENABLE CONDSTORE QRESYNC UIDPLUS ESEARCH';

export interface HostileConnection {
  write(bytes: string | Uint8Array): void;
  /** Server side of STARTTLS: wraps the socket in TLS (call after writing the tagged OK). */
  startTls(): void;
  /** Everything the client sent, as lines (after the TLS upgrade too). */
  lines: string[];
  close(): void;
}

export interface HostileServerOptions {
  tls: 'implicit' | 'starttls';
  greeting?: string;
  /** Return true when the line was answered; false/undefined falls back to the defaults. */
  respond?(tag: string, command: string, line: string, connection: HostileConnection): boolean | void;
}

export interface HostileServer {
  port: number;
  connections: HostileConnection[];
  close(): Promise<void>;
}

function defaultResponse(tag: string, command: string, connection: HostileConnection): void {
  switch (command) {
    case 'CAPABILITY':
      connection.write(`* CAPABILITY ${CAPABILITIES}${connection.lines.length < 3 ? ' STARTTLS' : ''}\r\n${tag} OK done\r\n`);
      return;
    case 'LOGIN':
    case 'AUTHENTICATE':
      connection.write(`${tag} OK [CAPABILITY ${CAPABILITIES}] logged in\r\n`);
      return;
    case 'ENABLE':
      connection.write(`* ENABLED QRESYNC CONDSTORE\r\n${tag} OK enabled\r\n`);
      return;
    case 'SELECT':
    case 'EXAMINE':
      connection.write(`* 3 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n* OK [UIDNEXT 4] n\r\n* OK [HIGHESTMODSEQ 9] m\r\n${tag} OK [READ-ONLY] done\r\n`);
      return;
    case 'LOGOUT':
      connection.write(`* BYE bye\r\n${tag} OK bye\r\n`);
      connection.close();
      return;
    default:
      connection.write(`${tag} OK done\r\n`);
  }
}

export async function startHostileServer(options: HostileServerOptions): Promise<HostileServer> {
  const connections: HostileConnection[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createNetServer((plain) => {
    sockets.add(plain);
    plain.on('error', () => plain.destroy());
    plain.on('close', () => sockets.delete(plain));
    let socket: Socket = options.tls === 'implicit' ? new TLSSocket(plain, { isServer: true, key, cert }) : plain;
    let buffered = '';
    const connection: HostileConnection = {
      lines: [],
      write: (bytes) => {
        if (!socket.destroyed) socket.write(bytes);
      },
      startTls: () => {
        socket.off('data', onData);
        socket = new TLSSocket(plain, { isServer: true, key, cert });
        socket.on('error', () => plain.destroy());
        socket.on('data', onData);
      },
      close: () => {
        socket.end();
        plain.destroySoon?.();
      },
    };
    connections.push(connection);
    function onData(data: Buffer): void {
      buffered += data.toString('latin1');
      for (;;) {
        const lf = buffered.indexOf('\n');
        if (lf < 0) return;
        const line = buffered.slice(0, lf).replace(/\r$/, '');
        buffered = buffered.slice(lf + 1);
        connection.lines.push(line);
        const [tag = '', ...rest] = line.split(' ');
        let command = (rest[0] ?? '').toUpperCase();
        if (command === 'UID') command = `UID ${(rest[1] ?? '').toUpperCase()}`;
        if (options.respond?.(tag, command, line, connection)) continue;
        if (command === 'STARTTLS') {
          connection.write(`${tag} OK begin TLS\r\n`);
          connection.startTls();
          continue;
        }
        defaultResponse(tag, command, connection);
      }
    }
    if (options.tls === 'implicit') socket.on('error', () => plain.destroy());
    socket.on('data', onData);
    connection.write(options.greeting ?? `* OK [CAPABILITY ${CAPABILITIES}${options.tls === 'starttls' ? ' STARTTLS' : ''}] hostile test server\r\n`);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

/** Session options for a client of `server`. */
export function hostileClientOptions(server: HostileServer, mode: 'implicit' | 'starttls' = 'implicit') {
  return {
    host: '127.0.0.1',
    port: server.port,
    user: 'alice',
    auth: { password: 'secret' },
    tls: { mode, ca: hostileCa, servername: 'localhost' },
    compress: false as const,
    commandTimeoutMs: 20_000,
  };
}

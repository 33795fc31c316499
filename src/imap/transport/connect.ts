/**
 * The socket transport — the only code in prx-email that touches sockets. `connect()` opens a
 * verified TLS connection (implicit TLS) or a plain one that must be upgraded with STARTTLS
 * before anything else is sent; either can switch to COMPRESS=DEFLATE in place. Certificate and
 * hostname verification are always on; `ca` adds private CAs to the default roots.
 */

import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, rootCertificates, type SecureContext, type TLSSocket } from 'node:tls';
import { constants as zlibConstants, createDeflateRaw, createInflateRaw, type DeflateRaw, type InflateRaw } from 'node:zlib';
import { AbortedError, NetworkError, TimeoutError, TlsError, type PrxError } from '../../errors.js';
import type { ConnectOptions, TlsOptions, Transport, TransportHandlers } from './types.js';

const TLS_ERROR_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);

function describeError(error: NodeJS.ErrnoException, host: string, port: number): PrxError {
  const code = error.code ?? '';
  if (TLS_ERROR_CODES.has(code) || /certificate|SSL|TLS/i.test(error.message)) {
    return new TlsError(`TLS verification failed for ${host}:${port}: ${error.message} (${code || 'TLS'})`, { cause: error });
  }
  return new NetworkError(`connection to ${host}:${port} failed: ${error.message}`, { cause: error });
}

function caList(tls: TlsOptions | undefined): Array<string | Buffer> | undefined {
  if (!tls?.ca) return undefined;
  const extra = (Array.isArray(tls.ca) ? tls.ca : [tls.ca]).map((item) => (typeof item === 'string' ? item : Buffer.from(item)));
  return [...rootCertificates, ...extra];
}

const MIN_TLS_VERSION = 'TLSv1.2' as const;
/** Most distinct CA sets whose TLS contexts are kept (a process has a handful). */
export const SECURE_CONTEXT_CACHE_SIZE = 16;
const secureContexts = new Map<string, SecureContext>();

/**
 * The TLS context for these options, shared by every connection with the same extra CAs. Left to
 * `tls.connect`, each connection would build its own from the ~140 public roots plus the extra CA:
 * ~1 MB of native memory and the parsing time per connection (100 accounts: ~100 MB). Only the
 * trusted certificates and the minimum version live in the context; the name check and
 * `rejectUnauthorized` stay per connection.
 */
export function secureContextFor(tls: TlsOptions | undefined): SecureContext {
  const ca = caList(tls);
  const key = ca === undefined ? '' : ca.slice(rootCertificates.length).map((item) => (typeof item === 'string' ? item : item.toString('base64'))).join('\n--\n');
  let context = secureContexts.get(key);
  if (!context) {
    context = createSecureContext({ ...(ca ? { ca } : {}), minVersion: MIN_TLS_VERSION });
    if (secureContexts.size >= SECURE_CONTEXT_CACHE_SIZE) secureContexts.delete(secureContexts.keys().next().value as string);
    secureContexts.set(key, context);
  }
  return context;
}

function tlsOptions(options: ConnectOptions) {
  const servername = options.tls?.servername ?? options.host;
  return {
    host: options.host,
    port: options.port,
    secureContext: secureContextFor(options.tls),
    ...(isIP(servername) ? {} : { servername }),
    // Hostname checks use the configured name, also for IP literals (which must be in the SAN).
    rejectUnauthorized: true,
    minVersion: MIN_TLS_VERSION,
  };
}

/** Waits for `event` on the socket, failing on error, timeout or abort. */
function waitFor(
  socket: Socket,
  event: 'connect' | 'secureConnect',
  options: ConnectOptions,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off(event, onDone);
      socket.off('error', onError);
      options.signal?.removeEventListener('abort', onAbort);
    };
    const onDone = (): void => {
      cleanup();
      resolve();
    };
    const onError = (error: Error): void => {
      cleanup();
      socket.destroy();
      reject(describeError(error as NodeJS.ErrnoException, options.host, options.port));
    };
    const onAbort = (): void => {
      cleanup();
      socket.destroy();
      reject(new AbortedError('connect aborted'));
    };
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      reject(new TimeoutError(`connecting to ${options.host}:${options.port} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    if (options.signal?.aborted) return onAbort();
    socket.once(event, onDone);
    socket.once('error', onError);
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function connect(options: ConnectOptions): Promise<Transport> {
  const timeoutMs = options.connectTimeoutMs ?? 30_000;
  const mode = options.tls?.mode ?? 'implicit';
  let socket: Socket;
  if (mode === 'implicit') {
    const tlsSocket = tlsConnect(tlsOptions(options));
    await waitFor(tlsSocket, 'secureConnect', options, timeoutMs);
    socket = tlsSocket;
  } else {
    socket = netConnect({ host: options.host, port: options.port });
    await waitFor(socket, 'connect', options, timeoutMs);
  }
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 60_000);
  return createSocketTransport(socket, options, mode === 'implicit');
}

function createSocketTransport(initial: Socket, options: ConnectOptions, initiallySecure: boolean): Transport {
  let socket = initial;
  let secure = initiallySecure;
  let handlers: TransportHandlers | null = null;
  const early: Uint8Array[] = [];
  let closed = false;
  let closing = false;
  let inflate: InflateRaw | null = null;
  let deflate: DeflateRaw | null = null;
  let flushScheduled = false;

  const deliver = (chunk: Uint8Array): void => {
    if (handlers) handlers.data(chunk);
    else early.push(chunk);
  };
  const finish = (error: PrxError | null): void => {
    if (closed) return;
    closed = true;
    socket.destroy();
    inflate?.destroy();
    deflate?.destroy();
    handlers?.close(closing ? null : error);
  };
  const onData = (chunk: Buffer): void => {
    if (inflate) inflate.write(chunk);
    else deliver(chunk);
  };
  const onError = (error: Error): void => finish(describeError(error as NodeJS.ErrnoException, options.host, options.port));
  const onClose = (): void => {
    const error = new NetworkError(`connection to ${options.host}:${options.port} closed by the server`);
    // Compressed bytes still inside the inflater are the server's last words (BYE, the LOGOUT
    // OK, the end of a FETCH): let them out before reporting the close.
    const pending = inflate;
    if (pending && !closed) pending.flush(zlibConstants.Z_SYNC_FLUSH, () => setImmediate(() => finish(error)));
    else finish(error);
  };
  const attach = (s: Socket): void => {
    s.on('data', onData);
    s.on('error', onError);
    s.on('close', onClose);
  };
  const detach = (s: Socket): void => {
    s.off('data', onData);
    s.off('error', onError);
    s.off('close', onClose);
  };
  attach(socket);

  const rawWrite = (bytes: Uint8Array): void => {
    if (closed) return;
    socket.write(bytes);
  };

  return {
    setHandlers(next) {
      handlers = next;
      for (const chunk of early.splice(0)) next.data(chunk);
      if (closed) next.close(new NetworkError('connection closed'));
    },
    write(bytes) {
      if (closed) return;
      if (deflate) {
        deflate.write(bytes);
        if (!flushScheduled) {
          flushScheduled = true;
          queueMicrotask(() => {
            flushScheduled = false;
            deflate?.flush(zlibConstants.Z_SYNC_FLUSH);
          });
        }
      } else rawWrite(bytes);
    },
    pause() {
      socket.pause();
    },
    resume() {
      socket.resume();
    },
    async upgradeToTls() {
      if (secure) throw new TlsError('connection is already secure');
      detach(socket);
      const tlsSocket: TLSSocket = tlsConnect({ ...tlsOptions(options), socket });
      try {
        await waitFor(tlsSocket, 'secureConnect', options, options.connectTimeoutMs ?? 30_000);
      } catch (error) {
        closed = true;
        throw error instanceof TlsError || error instanceof TimeoutError ? error : new TlsError(`STARTTLS upgrade failed: ${(error as Error).message}`);
      }
      socket = tlsSocket;
      secure = true;
      attach(socket);
    },
    startCompression() {
      if (inflate) return;
      inflate = createInflateRaw();
      deflate = createDeflateRaw({ level: 1, memLevel: 8 });
      inflate.on('data', (chunk: Buffer) => deliver(chunk));
      inflate.on('error', (error) => finish(new NetworkError(`COMPRESS=DEFLATE stream error: ${error.message}`)));
      deflate.on('data', (chunk: Buffer) => rawWrite(chunk));
      deflate.on('error', (error) => finish(new NetworkError(`COMPRESS=DEFLATE stream error: ${error.message}`)));
    },
    close() {
      closing = true;
      finish(null);
    },
    get secure() {
      return secure;
    },
    get compressed() {
      return inflate !== null;
    },
  };
}

/**
 * The contract between the session (sans-I/O) and the transport (the only code that touches
 * sockets). A transport is a byte pipe that may be upgraded to TLS (STARTTLS) and to
 * COMPRESS=DEFLATE in place. Types only; `connect()` lives in ./connect.ts.
 */

import type { PrxError } from '../../errors.js';

export interface TransportHandlers {
  /** Decrypted (and inflated, once compression is on) bytes from the server, in order. */
  data(chunk: Uint8Array): void;
  /** The connection ended. `error` is null for an orderly close after LOGOUT/close(). */
  close(error: PrxError | null): void;
}

export interface Transport {
  /** Registers the one consumer of incoming bytes. Bytes that arrived earlier are delivered now. */
  setHandlers(handlers: TransportHandlers): void;
  /** Queues bytes for the server (compressed once compression is on). */
  write(bytes: Uint8Array): void;
  /** Stops delivering `data` (back-pressure from a slow consumer) until resume(). */
  pause(): void;
  resume(): void;
  /** STARTTLS: upgrade the plain socket to verified TLS in place (call after the tagged OK). */
  upgradeToTls(): Promise<void>;
  /** COMPRESS=DEFLATE (RFC 4978): from now on inflate reads and deflate writes. */
  startCompression(): void;
  /** Destroys the connection; `close` handler fires with null. */
  close(): void;
  readonly secure: boolean;
  readonly compressed: boolean;
}

export interface TlsOptions {
  /** 'implicit' (port 993, default) or 'starttls' (port 143 / 1143): the upgrade is mandatory. */
  mode?: 'implicit' | 'starttls';
  /** Extra CA certificate(s), PEM, for private CAs. Verification is never turned off. */
  ca?: string | Uint8Array | Array<string | Uint8Array>;
  /** SNI / certificate name to check; defaults to host. */
  servername?: string;
}

export interface ConnectOptions {
  host: string;
  port: number;
  tls?: TlsOptions;
  /** TCP + TLS handshake deadline (default 30 s). */
  connectTimeoutMs?: number;
  signal?: AbortSignal;
}

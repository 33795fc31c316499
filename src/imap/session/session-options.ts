/** The options of `openImapSession()`: where to connect, how to log in, deadlines, limits and
 * observers (trace, transcript). Types only. */

import type { ConnectOptions, Transport } from '../transport/types.js';
import type { TranscriptSink } from '../transcript/recorder.js';
import type { ImapConnectionConfig } from './validate-config.js';

/** Options of `openImapSession()`: the connection settings (host, port, user, auth, tls) plus deadlines, limits and observers. Only the connection settings are required. */
export interface ImapSessionOptions extends ImapConnectionConfig {
  /** Deadline for the TCP connect and TLS handshake, in ms (default 30000); past it, `TIMEOUT`. */
  connectTimeoutMs?: number;
  /** Deadline for the server's greeting after connecting, in ms (default 15000); past it, `TIMEOUT`. */
  greetingTimeoutMs?: number;
  /** Longest silence from the server while a command waits for its answer, in ms (default 60000); past it, the connection is closed with `TIMEOUT`. Not applied during IDLE or while reading is paused. */
  commandTimeoutMs?: number;
  /** Use COMPRESS=DEFLATE when the server offers it. Default 'auto': on, except for loopback and
   * private-network hosts, where deflating costs more time than the bytes it saves (measured on
   * loopback Dovecot: 3.3x slower fetch with it). */
  compress?: boolean | 'auto';
  /** Commands allowed on the wire at once (default 32). */
  maxPipelineDepth?: number;
  /** Keep the last N protocol lines (credentials redacted); 0 = off (default 0). */
  traceSize?: number;
  /** Force an authentication method for passwords (default: PLAIN when offered, else LOGIN). */
  passwordMechanism?: 'LOGIN' | 'PLAIN';
  /** Force an OAuth mechanism (default: OAUTHBEARER when offered, else XOAUTH2). */
  oauthMechanism?: 'XOAUTH2' | 'OAUTHBEARER';
  /** Receives every byte of the session in order, credentials replaced by `***` (see
   * `createTranscriptRecorder`, docs/transcripts.md). */
  transcript?: TranscriptSink;
  /** UID SEARCH answers larger than this fail with LIMIT instead of being expanded (default
   * 2,000,000; see MAX_SEARCH_RESULTS). */
  maxSearchResults?: number;
  /** Supplies the byte pipe instead of `connect()` (tests, replay, proxies). The default verifies
   * TLS; a replacement owns that duty. */
  connectTransport?: (options: ConnectOptions) => Promise<Transport>;
  /** Aborts opening the session (connect, greeting, login, setup); the attempt rejects with `ABORTED` and the connection is closed. */
  signal?: AbortSignal;
}

/**
 * Recording a session as a transcript: pass a recorder as `ImapSessionOptions.transcript` and
 * the session hands it every byte in order (plaintext, after TLS and inflation, before
 * deflation), with credentials already replaced by `***` by the session core.
 *
 * Each direction is cut into lines at CRLF; a record is written when its line is complete, so a
 * line the server had only half sent when the client spoke lands after the client's line (safe
 * to replay: the client did not need it). `finish()` flushes unterminated lines as partial.
 */

import { formatTranscript, type Transcript, type TranscriptRecord, type TranscriptSide } from './format.js';

/** What a session hands its bytes to, in order, credentials already redacted. */
export interface TranscriptSink {
  /** Bytes the client sent (plaintext, before deflation). */
  client(bytes: Uint8Array): void;
  /** Bytes the server sent (plaintext, after TLS and inflation). */
  server(bytes: Uint8Array): void;
}

/** A sink that keeps what it is handed as transcript records (`ImapSessionOptions.transcript`). */
export interface TranscriptRecorder extends TranscriptSink {
  /** The transcript so far (unterminated lines left out until `finish()`). */
  transcript(): Transcript;
  /** Flushes unterminated lines as partial records. */
  finish(): void;
  /** The transcript in the file format. */
  text(): string;
}

/** A new recorder; `meta` becomes the transcript's `# key: value` metadata. */
export function createTranscriptRecorder(meta: Record<string, string> = {}): TranscriptRecorder {
  const records: TranscriptRecord[] = [];
  const pending: Record<TranscriptSide, number[]> = { C: [], S: [] };

  const take = (from: TranscriptSide, bytes: Uint8Array): void => {
    const line = pending[from];
    for (const byte of bytes) {
      line.push(byte);
      if (byte === 0x0a && line.length >= 2 && line[line.length - 2] === 0x0d) {
        records.push({ from, bytes: Uint8Array.from(line), partial: false });
        line.length = 0;
      }
    }
  };

  const finish = (): void => {
    for (const from of ['S', 'C'] as const) {
      if (pending[from].length === 0) continue;
      records.push({ from, bytes: Uint8Array.from(pending[from]), partial: true });
      pending[from] = [];
    }
  };

  return {
    client: (bytes) => take('C', bytes),
    server: (bytes) => take('S', bytes),
    transcript: () => ({ meta: { ...meta }, records: [...records] }),
    finish,
    text: () => formatTranscript({ meta, records }),
  };
}

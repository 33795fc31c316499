/**
 * An in-memory `Transport` whose far end is a script: a greeting, then each complete client line
 * goes to `respond(tag, command, line)`, whose bytes are delivered in the given chunk sizes on
 * the next turn of the event loop. STARTTLS upgrades and COMPRESS are accepted as no-ops; bytes
 * the script returns for STARTTLS after the OK are delivered before the "handshake" (the
 * injection case). Test-only (fuzz targets).
 */
import { NetworkError } from '../../src/errors.js';
import type { Transport, TransportHandlers } from '../../src/imap/transport/types.js';

export type ScriptResponder = (tag: string, command: string, line: string) => Uint8Array | string | null;

export function createScriptedTransport(greeting: string, respond: ScriptResponder, chunkSizes: number[] = [65536]): Transport & { clientLines: string[] } {
  const enc = new TextEncoder();
  let handlers: TransportHandlers | null = null;
  const queue: Uint8Array[] = [];
  let paused = false;
  let closed = false;
  let scheduled = false;
  let chunkIndex = 0;
  let pendingLine = '';
  const clientLines: string[] = [];

  // Read position in `queue` (Array#shift is linear, which made a 2 MB response in 5-byte chunks
  // take 48 s in the harness itself); the delivered part is dropped once the queue is drained.
  let head = 0;
  const flush = (): void => {
    scheduled = false;
    while (handlers && head < queue.length && !paused && !closed) handlers.data(queue[head++] as Uint8Array);
    if (head >= queue.length) {
      queue.length = 0;
      head = 0;
    }
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };
  const emit = (bytes: Uint8Array | string): void => {
    const data = typeof bytes === 'string' ? enc.encode(bytes) : bytes;
    let position = 0;
    while (position < data.length) {
      const size = Math.max(1, chunkSizes[chunkIndex++ % chunkSizes.length] as number);
      queue.push(data.subarray(position, position + size));
      position += size;
    }
    schedule();
  };
  const finish = (error: NetworkError | null): void => {
    if (closed) return;
    closed = true;
    queue.length = 0;
    head = 0;
    const target = handlers;
    setImmediate(() => target?.close(error));
  };

  const transport = {
    clientLines,
    setHandlers(next: TransportHandlers) {
      handlers = next;
      schedule();
    },
    write(bytes: Uint8Array) {
      if (closed) return;
      pendingLine += new TextDecoder('latin1').decode(bytes);
      for (;;) {
        const lf = pendingLine.indexOf('\n');
        if (lf < 0) break;
        const line = pendingLine.slice(0, lf).replace(/\r$/, '');
        pendingLine = pendingLine.slice(lf + 1);
        clientLines.push(line);
        const [tag = '', first = '', second = ''] = line.split(' ');
        const command = first.toUpperCase() === 'UID' ? `UID ${second.toUpperCase()}` : first.toUpperCase();
        const answer = respond(tag, command, line);
        if (answer === null) finish(new NetworkError('the script closed the connection'));
        else emit(answer);
      }
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      schedule();
    },
    upgradeToTls: async () => undefined,
    startCompression() {},
    close() {
      finish(null);
    },
    secure: true,
    compressed: false,
  };
  emit(greeting);
  return transport;
}

/**
 * An in-memory `Transport` whose far end is a replay peer, for running the real session and
 * sync engine against a transcript without sockets. It can split the server's bytes into
 * arbitrary chunks, inject extra server lines at given stream offsets, and cut the connection
 * after a given number of server bytes (the client then sees a NetworkError). Test-only.
 */

import { NetworkError } from '../../../src/errors.js';
import type { ConnectOptions, Transport, TransportHandlers } from '../../../src/imap/transport/types.js';
import type { Transcript } from '../../../src/imap/transcript/index.js';
import { createReplayPeer, type ReplayPeer } from './replay-peer.js';

export interface ReplayTransportOptions {
  /** Chunk sizes cycled over the server stream (default: one chunk per peer emission). */
  chunkSizes?: number[];
  /** Close the connection after this many server bytes (counted without injected bytes). */
  cutAfterServerBytes?: number;
  /** Extra server bytes delivered just before the server stream reaches each offset. */
  inject?: Array<{ atServerOffset: number; bytes: Uint8Array }>;
  /** Close (as a server's idle timeout would) when the client has been silent this long while
   * the transcript waits for it (fuzzing: a client stuck on a broken response ends quickly). */
  idleCloseMs?: number;
}

export interface ReplayConnection {
  peer: ReplayPeer;
  /** Server bytes of the transcript delivered so far. */
  serverBytesDelivered(): number;
  /** True when the connection was cut by `cutAfterServerBytes`. */
  wasCut(): boolean;
}

export interface ReplayHarness {
  /** Pass as `ImapSessionOptions.connectTransport`: every connection replays the next transcript
   * of the list (the last one repeats). */
  connect: (options: ConnectOptions) => Promise<Transport>;
  connections: ReplayConnection[];
}

export function createReplayHarness(transcripts: Transcript[], options: ReplayTransportOptions = {}): ReplayHarness {
  const connections: ReplayConnection[] = [];
  return {
    connections,
    connect: async () => {
      const transcript = transcripts[Math.min(connections.length, transcripts.length - 1)] as Transcript;
      const peer = createReplayPeer(transcript);
      const { transport, connection } = createReplayTransport(peer, connections.length === 0 ? options : {});
      connections.push(connection);
      return transport;
    },
  };
}

export function createReplayTransport(peer: ReplayPeer, options: ReplayTransportOptions = {}): { transport: Transport; connection: ReplayConnection } {
  let handlers: TransportHandlers | null = null;
  const queue: Uint8Array[] = [];
  let paused = false;
  let closed = false;
  let scheduled = false;
  let delivered = 0;
  let cut = false;
  let chunkIndex = 0;
  let secure = true;
  let compressed = false;
  const injections = [...(options.inject ?? [])].sort((a, b) => a.atServerOffset - b.atServerOffset);
  let idleTimer: ReturnType<typeof setTimeout> | null = null;
  const armIdleClose = (): void => {
    if (options.idleCloseMs === undefined || closed) return;
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => finish(new NetworkError('the replay server closed an idle connection')), options.idleCloseMs);
  };

  const finish = (error: NetworkError | null): void => {
    if (closed) return;
    closed = true;
    if (idleTimer) clearTimeout(idleTimer);
    queue.length = 0;
    const target = handlers;
    setImmediate(() => target?.close(error));
  };

  const flush = (): void => {
    scheduled = false;
    if (!handlers || closed) return;
    while (queue.length > 0 && !paused && !closed) {
      let chunk = queue.shift() as Uint8Array;
      // Injected lines go in front of the server byte they are pinned to.
      while (injections.length > 0 && (injections[0] as { atServerOffset: number }).atServerOffset <= delivered) {
        handlers.data((injections.shift() as { bytes: Uint8Array }).bytes);
      }
      const nextInjection = injections[0]?.atServerOffset;
      if (nextInjection !== undefined && nextInjection < delivered + chunk.length) {
        queue.unshift(chunk.subarray(nextInjection - delivered));
        chunk = chunk.subarray(0, nextInjection - delivered);
      }
      if (options.cutAfterServerBytes !== undefined && delivered + chunk.length >= options.cutAfterServerBytes) {
        const keep = chunk.subarray(0, options.cutAfterServerBytes - delivered);
        if (keep.length > 0) handlers.data(keep);
        delivered += keep.length;
        cut = true;
        finish(new NetworkError('connection cut by the test'));
        return;
      }
      delivered += chunk.length;
      handlers.data(chunk);
    }
    // The server closes once its transcript is played out; a client still waiting sees that.
    if (queue.length === 0 && !closed && peer.finished) finish(new NetworkError('the transcript ended; the server closed the connection'));
    else if (queue.length === 0) armIdleClose();
  };

  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  const emit = (parts: Uint8Array[]): void => {
    for (const part of parts) {
      const sizes = options.chunkSizes;
      if (!sizes || sizes.length === 0) {
        queue.push(part);
        continue;
      }
      let position = 0;
      while (position < part.length) {
        const size = Math.max(1, sizes[chunkIndex++ % sizes.length] as number);
        queue.push(part.subarray(position, position + size));
        position += size;
      }
    }
    if (peer.mismatch !== null) {
      finish(new NetworkError(`replay mismatch: ${peer.mismatch}`));
      return;
    }
    schedule();
  };

  const transport: Transport = {
    setHandlers(next) {
      handlers = next;
      schedule();
    },
    write(bytes) {
      if (closed) return;
      armIdleClose();
      emit(peer.receive(bytes));
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      schedule();
    },
    upgradeToTls: async () => {
      secure = true;
    },
    startCompression() {
      compressed = true;
    },
    close() {
      finish(null);
    },
    get secure() {
      return secure;
    },
    get compressed() {
      return compressed;
    },
  };
  emit(peer.start());
  return {
    transport,
    connection: { peer, serverBytesDelivered: () => delivered, wasCut: () => cut },
  };
}

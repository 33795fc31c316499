/**
 * A loopback TLS server (the test CA in fixtures/tls) that plays the server side of a transcript
 * per connection, in order: the real `connect()` and the whole client stack run unchanged
 * against it. Unexpected client bytes end the connection and are reported by `mismatches()`.
 * Test-only.
 */

import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createServer, type TLSSocket } from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { Transcript } from '../../../src/imap/transcript/index.js';
import { createReplayPeer, type ReplayPeer } from './replay-peer.js';

const tlsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../fixtures/tls');
export const replayCa = readFileSync(join(tlsDir, 'ca.crt'), 'utf8');

export interface ReplayServer {
  port: number;
  peers: ReplayPeer[];
  mismatches(): string[];
  close(): Promise<void>;
}

export async function startReplayServer(transcripts: Transcript[]): Promise<ReplayServer> {
  const peers: ReplayPeer[] = [];
  const sockets = new Set<TLSSocket>();
  const server = createServer(
    { key: readFileSync(join(tlsDir, 'server.key')), cert: readFileSync(join(tlsDir, 'server.crt')) },
    (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      const transcript = transcripts[peers.length];
      if (!transcript) {
        socket.destroy();
        return;
      }
      const peer = createReplayPeer(transcript);
      peers.push(peer);
      const send = (parts: Uint8Array[]): void => {
        for (const part of parts) socket.write(part);
        if (peer.mismatch !== null) socket.destroy();
        else if (peer.finished) socket.end();
      };
      socket.on('data', (data: Buffer) => send(peer.receive(data)));
      send(peer.start());
    },
  );
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as AddressInfo).port,
    peers,
    mismatches: () => peers.map((peer) => peer.mismatch).filter((m): m is string => m !== null),
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

/**
 * The worker side of the parse pool: receives raw messages, answers MessageRecords. Runs
 * parseMessage unchanged, so a record is the same whichever thread made it; only the thread's
 * Blob is the plain in-memory one (memory-blob.ts), which postal-mime uses for every body part.
 * Messages are parsed one at a time, in order (the pool's watchdog relies on that).
 */
import { parentPort } from 'node:worker_threads';
import { installMemoryBlob } from './memory-blob.js';
import { parseMessage } from './parse-message.js';

installMemoryBlob();

export interface ParseRequest {
  id: number;
  raw: Uint8Array;
  headersOnly: boolean;
}

// Modules loaded: from now on the pool's time budget runs.
parentPort?.postMessage({ ready: true });

// One message after the other, in the order received: the pool's time budget watches the oldest.
let previous: Promise<void> = Promise.resolve();
parentPort?.on('message', (request: ParseRequest) => {
  previous = previous.then(() =>
    parseMessage(request.raw, { headersOnly: request.headersOnly }).then(
      (record) => parentPort?.postMessage({ id: request.id, record }),
      (error: unknown) => parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
    ),
  );
});

/**
 * A parse worker for the pool's failure tests: the real parseMessage, except that a message with
 * `X-Test: hang` spins forever, `X-Test: crash` ends the worker, `X-Test: oom` allocates until
 * V8's resourceLimits kill it — on the full parse only, so the headers-only retry succeeds —
 * and `X-Test: hang-always` spins on the retry too. One message at a time, like the real worker.
 * Test-only.
 */
import { parentPort } from 'node:worker_threads';
import { parseMessage } from '../../src/mime/parse-message.js';

parentPort?.postMessage({ ready: true });
let previous: Promise<unknown> = Promise.resolve();
parentPort?.on('message', (request: { id: number; raw: Uint8Array; headersOnly: boolean }) => {
  previous = previous.then(() => handle(request));
});

function handle(request: { id: number; raw: Uint8Array; headersOnly: boolean }): Promise<unknown> {
  const text = new TextDecoder('latin1').decode(request.raw.subarray(0, 2000));
  const mode = /^X-Test: (\S+)/m.exec(text)?.[1] ?? null;
  if (mode === 'hang-always' || (mode === 'hang' && !request.headersOnly)) for (;;);
  if (mode === 'crash' && !request.headersOnly) process.exit(3);
  if (mode === 'oom' && !request.headersOnly) {
    // ~240 MB, far over the test's 48 MB limit; a runtime that ignores resourceLimits (Bun)
    // then spins, and the time budget ends it instead.
    const hoard: number[][] = [];
    for (let i = 0; i < 30; i++) hoard.push(new Array(1_000_000).fill(i));
    for (;;);
  }
  return parseMessage(request.raw, { headersOnly: request.headersOnly }).then(
    (record) => parentPort?.postMessage({ id: request.id, record }),
    (error: unknown) => parentPort?.postMessage({ id: request.id, error: String(error) }),
  );
}

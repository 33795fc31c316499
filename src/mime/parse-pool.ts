/**
 * MIME parsing on other cores: a small pool of worker threads running parseMessage, so the main
 * thread keeps reading IMAP bytes and writing SQLite while messages are parsed. Requests go to
 * the least-busy worker.
 * Idle workers do not keep the process alive; a closing pool does, until its workers are gone.
 * If a worker cannot start (a runtime without worker threads) or dies, parsing falls back to the
 * calling thread (the raw bytes are copied to the worker, never transferred, so they are still
 * there for that).
 */

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { parseMessage, type ParseOptions } from './parse-message.js';
import type { MessageRecord } from './types.js';

export interface ParsePool {
  parse(raw: Uint8Array, options?: ParseOptions): Promise<MessageRecord>;
  /** Stops the workers; parses still running are answered first. */
  close(): Promise<void>;
  readonly size: number;
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve(record: MessageRecord): void; reject(error: Error): void }>;
}

/** One worker per core beyond the first, at most `max` (default 3). */
export function defaultParseWorkers(max = 3): number {
  return Math.max(0, Math.min(max, availableParallelism() - 1));
}

export function createParsePool(workers = defaultParseWorkers()): ParsePool {
  const slots: Slot[] = [];
  let nextId = 1;
  let broken = false;
  const url = new URL('./parse-worker.js', import.meta.url);

  const failSlot = (slot: Slot, error: Error): void => {
    for (const waiter of slot.pending.values()) waiter.reject(error);
    slot.pending.clear();
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
  };

  for (let i = 0; i < workers; i++) {
    let worker: Worker;
    try {
      worker = new Worker(url);
    } catch {
      broken = true;
      break;
    }
    const slot: Slot = { worker, pending: new Map() };
    worker.unref();
    worker.on('message', (answer: { id: number; record?: MessageRecord; error?: string }) => {
      const waiter = slot.pending.get(answer.id);
      if (!waiter) return;
      slot.pending.delete(answer.id);
      if (slot.pending.size === 0) worker.unref();
      if (answer.record) waiter.resolve(answer.record);
      else waiter.reject(new Error(answer.error ?? 'parse worker failed'));
    });
    worker.on('error', (error) => failSlot(slot, error));
    worker.on('exit', () => failSlot(slot, new Error('parse worker exited')));
    slots.push(slot);
  }

  return {
    get size() {
      return slots.length;
    },
    parse(raw, options = {}) {
      const slot = slots.reduce<Slot | null>((best, candidate) => (best === null || candidate.pending.size < best.pending.size ? candidate : best), null);
      if (slot === null || broken) return parseMessage(raw, options);
      const id = nextId++;
      return new Promise<MessageRecord>((resolve, reject) => {
        slot.pending.set(id, { resolve, reject });
        slot.worker.ref();
        slot.worker.postMessage({ id, raw, headersOnly: options.headersOnly === true });
      }).catch(() => parseMessage(raw, options));
    },
    async close() {
      const all = slots.splice(0);
      await Promise.all(all.map(stopWorker));
    },
  };
}

/** How long close() waits for a terminated worker to report its exit. */
const EXIT_WAIT_MS = 2_000;

/**
 * Terminates a worker and waits for its 'exit'. Node can deliver the exit of a worker terminated
 * while it is still loading its script without anything holding the event loop open: awaiting
 * terminate() alone then leaves a promise pending in a process that has nothing left to run (a
 * replayed sync cut right after the pool started did exactly that). The timer keeps the loop
 * alive meanwhile and bounds the wait. Queued parses are answered by the 'exit' handler, which
 * sends them back to the calling thread.
 */
function stopWorker(slot: Slot): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(keepAlive);
      resolve();
    };
    const keepAlive = setTimeout(done, EXIT_WAIT_MS);
    slot.worker.once('exit', done);
    slot.worker.terminate().then(done, done);
  });
}

/**
 * MIME parsing on other cores: a small pool of worker threads running parseMessage, so the main
 * thread keeps reading IMAP bytes and writing SQLite while messages are parsed, and so one
 * hostile message cannot stall or crash the process.
 *
 * Each worker parses the messages it is given one after the other, in order, with a few queued
 * so it never waits for the main thread (the rest wait here, for the least-busy worker). Under
 * V8 `resourceLimits`, and under a wall-clock budget (`parseTimeoutMs`): a worker that holds
 * messages and answers none for that long is stuck on the oldest one. A stuck worker is
 * terminated, and one that dies (out of memory, crash) is gone: either way a fresh worker takes
 * its place, the messages queued behind the culprit are handed out again, and the culprit is
 * parsed again with headers only; its record carries `parseError` (and `truncated`), so the
 * sync stores it and moves on. Should the headers-only attempt fail too, the record is built
 * without parsing (sha256 Message-ID). A message is never re-parsed on the main thread after a
 * worker failed on it.
 *
 * Idle workers do not keep the process alive; a closing pool does, until its parses are
 * answered and its workers are gone. Only when workers cannot run at all (a runtime without
 * worker threads, a worker script that dies at start three times in a row) or the pool has none
 * (`workers` 0) or is closed does parsing happen on the calling thread — without a budget.
 */

import { availableParallelism } from 'node:os';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { parseMessage, unparsedRecord, type ParseOptions } from './parse-message.js';
import type { MessageRecord } from './types.js';

export interface ParsePool {
  parse(raw: Uint8Array, options?: ParseOptions): Promise<MessageRecord>;
  /** Answers the parses already asked for, then stops the workers. */
  close(): Promise<void>;
  readonly size: number;
  /** Workers replaced so far because they ran over budget or died. */
  readonly replaced: number;
}

export interface ParsePoolOptions {
  /** Wall-clock budget of one parse in a worker (default 20 s). */
  parseTimeoutMs?: number;
  /** V8 limits of each worker (default: 512 MB old generation). */
  resourceLimits?: ResourceLimits;
  /** The worker script (tests); default ./parse-worker.js. */
  workerUrl?: URL;
}

export const DEFAULT_PARSE_TIMEOUT_MS = 20_000;
export const DEFAULT_WORKER_LIMITS: ResourceLimits = { maxOldGenerationSizeMb: 512, maxYoungGenerationSizeMb: 64 };
/** Consecutive workers that die before their script is loaded, after which workers count as
 * unusable here. */
const MAX_FAILED_STARTS = 3;

interface Job {
  raw: Uint8Array;
  headersOnly: boolean;
  /** Why the full parse failed, when this is the headers-only retry. */
  failure: string | null;
  resolve(record: MessageRecord): void;
}

/** Extra time a new worker gets to load its modules before its budget starts. */
const STARTUP_ALLOWANCE_MS = 30_000;

/** Messages handed to one worker at once (it parses them in order). */
const PER_WORKER = 8;

interface Slot {
  worker: Worker;
  /** Handed to the worker, oldest (the one being parsed) first. */
  jobs: Array<{ id: number; job: Job }>;
  /** Progress watchdog: armed while the worker holds messages, reset by each answer. */
  timer: ReturnType<typeof setTimeout> | null;
  dead: boolean;
  /** The worker's script and its imports are loaded (it said `ready`). */
  online: boolean;
}

/** One worker per core beyond the first, at most `max` (default 3). */
export function defaultParseWorkers(max = 3): number {
  return Math.max(0, Math.min(max, availableParallelism() - 1));
}

export function createParsePool(workers = defaultParseWorkers(), options: ParsePoolOptions = {}): ParsePool {
  const url = options.workerUrl ?? new URL('./parse-worker.js', import.meta.url);
  const budget = options.parseTimeoutMs ?? DEFAULT_PARSE_TIMEOUT_MS;
  const limits = options.resourceLimits ?? DEFAULT_WORKER_LIMITS;
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let broken = false;
  let closing = false;
  let replaced = 0;
  let failedStarts = 0;
  let outstanding = 0;
  let drained: (() => void) | null = null;

  const settle = (job: Job, record: MessageRecord): void => {
    outstanding--;
    job.resolve(record);
    if (outstanding === 0) drained?.();
  };

  /** The answer for a job whose worker failed: retry headers-only once, then give up parsing. */
  const failJob = (job: Job, reason: string): void => {
    if (job.failure === null) {
      queue.unshift({ ...job, headersOnly: true, failure: reason });
      return;
    }
    settle(job, unparsedRecord(job.raw, `message could not be parsed: ${job.failure}; headers: ${reason}`));
  };

  const spawn = (): Slot | null => {
    let worker: Worker;
    try {
      worker = new Worker(url, { resourceLimits: limits });
    } catch {
      broken = true;
      return null;
    }
    worker.unref();
    const slot: Slot = { worker, jobs: [], timer: null, dead: false, online: false };
    worker.on('message', (answer: { id: number; record?: MessageRecord; error?: string; ready?: true }) => {
      if (answer.ready) {
        slot.online = true;
        failedStarts = 0;
        watch(slot);
        return;
      }
      const index = slot.jobs.findIndex((entry) => entry.id === answer.id);
      if (index < 0 || slot.dead) return;
      const [{ job }] = slot.jobs.splice(index, 1) as [{ id: number; job: Job }];
      watch(slot);
      if (answer.record) {
        const record = job.failure === null ? answer.record : { ...answer.record, parseError: `${job.failure}; stored with headers only`, truncated: true };
        settle(job, record);
      } else failJob(job, answer.error ?? 'parse worker failed');
      pump();
    });
    worker.on('error', (error) => retire(slot, `parse worker failed: ${error.message}`));
    worker.on('exit', (code) => retire(slot, `parse worker exited (code ${code})`));
    slots.push(slot);
    return slot;
  };

  /** (Re)arms the watchdog of a worker that holds messages; an idle worker lets the process go. */
  const watch = (slot: Slot): void => {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    if (slot.jobs.length === 0) {
      slot.worker.unref();
      return;
    }
    slot.worker.ref();
    // The budget counts from when the worker is ready: loading its modules is not parsing (a
    // worker that does not get ready within STARTUP_ALLOWANCE_MS more is retired all the same).
    const wait = slot.online ? budget : budget + STARTUP_ALLOWANCE_MS;
    slot.timer = setTimeout(() => retire(slot, `parse exceeded its time budget of ${budget} ms`), wait);
  };

  /** A worker that died or ran over budget: replace it and answer its message. */
  const retire = (slot: Slot, reason: string): void => {
    if (slot.dead) return;
    slot.dead = true;
    const [culprit, ...behind] = slot.jobs.splice(0);
    const job = culprit?.job ?? null;
    if (slot.timer) clearTimeout(slot.timer);
    // Messages queued behind the one being parsed did nothing wrong: they go out again first.
    queue.unshift(...behind.map((entry) => entry.job));
    const index = slots.indexOf(slot);
    if (index >= 0) slots.splice(index, 1);
    void slot.worker.terminate().catch(() => undefined);
    if (!slot.online) failedStarts++;
    if (job) {
      replaced++;
      failJob(job, reason);
    }
    if (!closing && !broken) {
      if (failedStarts >= MAX_FAILED_STARTS) broken = true;
      else if (slots.length < workers) spawn();
    }
    pump();
  };

  const pump = (): void => {
    if (broken || slots.length === 0) {
      // No usable workers: what is queued is parsed here (see the module header).
      for (const job of queue.splice(0)) {
        void parseMessage(job.raw, { headersOnly: job.headersOnly }).then((record) =>
          settle(job, job.failure === null ? record : { ...record, parseError: `${job.failure}; stored with headers only`, truncated: true }),
        );
      }
      return;
    }
    while (queue.length > 0) {
      let slot: Slot | null = null;
      for (const candidate of slots) if (!candidate.dead && (slot === null || candidate.jobs.length < slot.jobs.length)) slot = candidate;
      if (slot === null || slot.jobs.length >= PER_WORKER) return;
      const job = queue.shift() as Job;
      const id = nextId++;
      slot.jobs.push({ id, job });
      if (slot.jobs.length === 1) watch(slot);
      slot.worker.postMessage({ id, raw: job.raw, headersOnly: job.headersOnly });
    }
  };

  for (let i = 0; i < workers && !broken; i++) spawn();

  return {
    get size() {
      return slots.length;
    },
    get replaced() {
      return replaced;
    },
    parse(raw, parseOptions = {}) {
      if (closing || broken || slots.length === 0) return parseMessage(raw, parseOptions);
      outstanding++;
      return new Promise<MessageRecord>((resolve) => {
        queue.push({ raw, headersOnly: parseOptions.headersOnly === true, failure: null, resolve });
        pump();
      });
    },
    async close() {
      closing = true;
      if (outstanding > 0) await new Promise<void>((resolve) => (drained = resolve));
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
 * alive meanwhile and bounds the wait.
 */
function stopWorker(slot: Slot): Promise<void> {
  slot.dead = true;
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

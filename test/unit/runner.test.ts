import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PrxError, ThrottledError } from '../../src/errors.js';
import { backoffSeconds, runSyncRunner, type RunnerJobState, type RunnerStateStore, type SyncJob } from '../../src/sync/runner.js';

function memoryState(): RunnerStateStore & { map: Map<string, RunnerJobState> } {
  const map = new Map<string, RunnerJobState>();
  return { map, get: (key) => map.get(key) ?? null, put: (key, state) => void map.set(key, { ...state }) };
}

const jobs = (n: number, accounts = n): SyncJob[] =>
  Array.from({ length: n }, (_, i) => ({ accountId: (i % accounts) + 1, folder: `F${i}`, maxMessages: 10 }));

describe('sync runner', () => {
  test('runs up to maxConcurrency jobs truly concurrently, one per account at a time', async () => {
    let inFlight = 0;
    let peak = 0;
    const perAccount = new Map<number, number>();
    let peakPerAccount = 0;
    // Each job waits until `expected` jobs are in flight at once (no clock involved): with jobs
    // run one after another the barrier never opens and the safety timer reports it.
    let expected = 4;
    let barrierTimedOut = false;
    let openBarrier: () => void = () => undefined;
    let barrier = new Promise<void>((resolve) => (openBarrier = resolve));
    const runJob = async (job: SyncJob) => {
      inFlight++;
      perAccount.set(job.accountId, (perAccount.get(job.accountId) ?? 0) + 1);
      peak = Math.max(peak, inFlight);
      peakPerAccount = Math.max(peakPerAccount, perAccount.get(job.accountId) ?? 0);
      if (inFlight >= expected) openBarrier();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        barrier,
        new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            barrierTimedOut = true;
            resolve();
          }, 10_000);
        }),
      ]);
      clearTimeout(timer);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight--;
      perAccount.set(job.accountId, (perAccount.get(job.accountId) ?? 1) - 1);
      return { newMessages: 1, bytes: 10 };
    };
    const report = await runSyncRunner(jobs(6, 6), 1000, { maxConcurrency: 4 }, { runJob, state: memoryState() });
    assert.equal(report.attempted, 4);
    assert.equal(report.deferred, 2);
    assert.equal(peak, 4);
    assert.equal(barrierTimedOut, false, 'the four jobs were in flight at the same time');
    peak = 0;
    expected = 2;
    barrier = new Promise<void>((resolve) => (openBarrier = resolve));
    await runSyncRunner(jobs(4, 2), 1000, { maxConcurrency: 4 }, { runJob, state: memoryState() });
    assert.equal(barrierTimedOut, false);
    assert.equal(peakPerAccount, 1);
    assert.equal(peak, 2);
  });

  test('backoff doubles from base up to max, resets on success, and is skipped until due (fake clock)', async () => {
    const state = memoryState();
    let fail = true;
    const runJob = async () => {
      if (fail) throw new PrxError('NETWORK', 'down');
      return { newMessages: 0, bytes: 0 };
    };
    const job = jobs(1);
    let now = 1000;
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const report = await runSyncRunner(job, now, { baseBackoffSeconds: 10, maxBackoffSeconds: 300 }, { runJob, state });
      assert.equal(report.failed, 1);
      const next = state.map.get('1::F0')?.nextAllowedAt as number;
      waits.push(next - now);
      const skipped = await runSyncRunner(job, next - 1, {}, { runJob, state });
      assert.equal(skipped.skipped, 1);
      assert.equal(skipped.attempted, 0);
      now = next;
    }
    assert.deepEqual(waits, [10, 20, 40, 80, 160, 300, 300]);
    fail = false;
    const ok = await runSyncRunner(job, now, {}, { runJob, state });
    assert.equal(ok.succeeded, 1);
    assert.equal(state.map.get('1::F0')?.failureCount, 0);
    assert.equal(state.map.get('1::F0')?.nextAllowedAt, now);
  });

  test('auth failures wait the maximum; throttling honours the server', () => {
    const config = { maxConcurrency: 4, baseBackoffSeconds: 10, maxBackoffSeconds: 300, maxConnectionsPerAccount: 1 };
    assert.equal(backoffSeconds(1, 'AUTH', config), 300);
    assert.equal(backoffSeconds(1, 'THROTTLED', config, 92_415), 93);
    assert.equal(backoffSeconds(1, 'NETWORK', config), 10);
  });

  test('state persists across runner instances and jobs deferred by the cap go first next tick', async () => {
    const state = memoryState();
    const ran: string[][] = [];
    for (let tick = 0; tick < 3; tick++) {
      const thisTick: string[] = [];
      await runSyncRunner(jobs(5), 1000 + tick, { maxConcurrency: 2 }, {
        runJob: async (job) => {
          thisTick.push(job.folder);
          return { newMessages: 0, bytes: 0 };
        },
        state,
      });
      ran.push(thisTick.sort());
    }
    assert.deepEqual(ran, [['F0', 'F1'], ['F2', 'F3'], ['F0', 'F4']]);
  });

  test('a state store with putMany gets the states of the tick once, after its last job', async () => {
    const calls: Array<Array<readonly [string, RunnerJobState]>> = [];
    let puts = 0;
    let finished = 0;
    const state: RunnerStateStore = {
      get: () => null,
      put: () => void puts++,
      putMany: (entries) => {
        assert.equal(finished, 3, 'written once every job of the tick has ended');
        calls.push([...entries]);
      },
    };
    const report = await runSyncRunner(jobs(4), 50, { maxConcurrency: 3, baseBackoffSeconds: 10 }, {
      runJob: async (job) => {
        await new Promise((resolve) => setImmediate(resolve));
        finished++;
        if (job.folder === 'F1') throw new PrxError('NETWORK', 'reset');
        return { newMessages: 0, bytes: 0 };
      },
      state,
    });
    assert.equal(report.deferred, 1);
    assert.equal(puts, 0);
    assert.equal(calls.length, 1);
    assert.deepEqual(new Map(calls[0]), new Map([
      ['1::F0', { nextAllowedAt: 50, failureCount: 0, lastError: null, lastAttemptAt: 50 }],
      ['2::F1', { nextAllowedAt: 60, failureCount: 1, lastError: 'NETWORK: reset', lastAttemptAt: 50 }],
      ['3::F2', { nextAllowedAt: 50, failureCount: 0, lastError: null, lastAttemptAt: 50 }],
    ]), 'the deferred job has no new state');

    // Nothing run (all in backoff): nothing to write.
    const idle = await runSyncRunner(jobs(1), 50, {}, { runJob: async () => ({ newMessages: 0, bytes: 0 }), state: { ...state, get: () => ({ nextAllowedAt: 99, failureCount: 1, lastError: 'x', lastAttemptAt: 1 }) } });
    assert.equal(idle.skipped, 1);
    assert.equal(calls.length, 1);

    // A tick whose states cannot be written rejects, once its jobs have ended.
    await assert.rejects(
      runSyncRunner(jobs(2), 70, {}, { runJob: async () => ({ newMessages: 0, bytes: 0 }), state: { get: () => null, put: () => undefined, putMany: () => Promise.reject(new PrxError('STORAGE', 'disk full')) } }),
      /disk full/,
    );
  });

  test('report carries per-job results and classified errors', async () => {
    const report = await runSyncRunner(jobs(2), 5, {}, {
      runJob: async (job) => {
        if (job.folder === 'F1') throw new ThrottledError('slow down', { retryAfterMs: 5000 });
        return { newMessages: 3, bytes: 30 };
      },
      state: memoryState(),
    });
    assert.match(report.runId, /^run-5-/);
    assert.equal(report.succeeded, 1);
    assert.deepEqual(report.results.find((r) => r.folder === 'F1')?.error, { code: 'THROTTLED', message: 'slow down' });
  });
});

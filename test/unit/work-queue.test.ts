/**
 * The distributed runner's work queue and worker loop on PostgreSQL, in one process: claims skip
 * leased jobs, a lease that is not renewed expires and the job is claimed again (with a new grant
 * number), a stale lease cannot be released or renewed, per-account caps hold across claimers,
 * and outcomes set the backoff. Skipped (with the reason) only when PostgreSQL cannot be started.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore, type Store } from '../../src/store/index.js';
import { listenForJobs, openWorkQueue, type WorkQueue } from '../../src/store/work-queue.js';
import { runDistributedWorker } from '../../src/sync/distributed-worker.js';
import { StorageError } from '../../src/errors.js';
import { maxConcurrentPerAccount, overlappingGrants } from '../support/lease-log.js';
import { freshSchemaUrl, postgresSkipReason } from '../support/postgres.js';

async function setup(accounts: number, folders: string[]): Promise<{ store: Store; queue: WorkQueue; ids: number[]; url: string }> {
  const url = freshSchemaUrl('prx_wq');
  const store = await openStore(url);
  const queue = await openWorkQueue(store.db);
  const ids: number[] = [];
  for (let a = 0; a < accounts; a++) {
    const id = await store.upsertAccount({ email: `a${a}@x`, provider: null, settings: {} }, 1);
    ids.push(id);
    await queue.addJobs(folders.map((folder) => ({ accountId: id, folder, maxMessages: 10 })));
  }
  return { store, queue, ids, url };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('distributed work queue (PostgreSQL)', { skip: postgresSkipReason() }, () => {
  test('a leased job is not claimed again until its lease expires; then it is, with a new grant number', async () => {
    const { store, queue } = await setup(1, ['INBOX']);
    const first = await queue.claim('w1', 300);
    assert.ok(first);
    assert.equal(await queue.claim('w2', 300), null, 'leased: nobody else gets it');
    await sleep(400);
    const second = await queue.claim('w2', 300);
    assert.ok(second, 'expired: taken over');
    assert.equal(second.seq, first.seq + 1);
    assert.equal(await queue.renew(first, 300), false, 'the old holder cannot renew');
    assert.equal(await queue.release(first, { kind: 'ok', nextInMs: 0 }), false, 'nor release');
    assert.equal(await queue.release(second, { kind: 'ok', nextInMs: 60_000 }), true);
    assert.equal(await queue.claim('w3', 300), null, 'not due for a minute');
    assert.equal(await overlappingGrants(store.db), 0);
    await store.close();
  });

  test('an expired lease nobody claimed can still be renewed; expired leases are claimed before never-run jobs', async () => {
    const { store, queue, ids } = await setup(1, ['INBOX', 'Archive']);
    await queue.setAccountLimit(ids[0] as number, 5);
    const lease = await queue.claim('w1', 200);
    assert.ok(lease);
    await sleep(300);
    assert.equal(await queue.renew(lease, 5000), true, 'same grant number: still ours');
    const other = await queue.claim('w2', 5000);
    assert.ok(other);
    assert.notEqual(other.folder, lease.folder, 'the renewed job is not handed out again');
    assert.equal(await overlappingGrants(store.db), 0);
    await store.close();
    const second = await setup(2, ['INBOX']);
    const dying = await second.queue.claim('victim', 200);
    assert.ok(dying);
    await sleep(300);
    const next = await second.queue.claim('heir', 5000);
    assert.deepEqual([next?.accountId, next?.folder, next?.seq], [dying.accountId, dying.folder, dying.seq + 1], 'the expired job first');
    await second.store.close();
  });

  test('an expired lease counts against the account cap until it is released or re-granted', async () => {
    const { store, queue, url } = await setup(1, ['INBOX', 'Archive']);
    const slow = await queue.claim('slow', 200);
    assert.equal(slow?.folder, 'Archive');
    await sleep(300);
    // The expired job's row is busy elsewhere (another claimer), so only INBOX is on offer.
    const other = await openStore(url);
    let letGo: () => void = () => undefined;
    let locked: () => void = () => undefined;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = other.db.transaction(async (tx) => {
      await tx.one("SELECT 1 AS x FROM sync_jobs WHERE folder = 'Archive' FOR UPDATE");
      locked();
      await new Promise<void>((resolve) => (letGo = resolve));
    });
    await isLocked;
    assert.equal(await queue.claim('w2', 5000), null, 'the slow holder may still renew: no second connection');
    letGo();
    await holding;
    await other.close();
    assert.equal(await queue.renew(slow!, 5000), true);
    assert.equal(await maxConcurrentPerAccount(store.db), 1);
    await store.close();
  });

  test('LISTEN/NOTIFY: a listening worker is woken when jobs are added or become due at once', async () => {
    const { store, queue, ids } = await setup(1, []);
    const listener = await listenForJobs(store.db);
    assert.ok(listener);
    let wakes = 0;
    const woken = new Promise<void>((resolve) => listener.subscribe(() => {
      wakes++;
      resolve();
    }));
    await queue.addJobs([{ accountId: ids[0] as number, folder: 'INBOX', maxMessages: 1 }]);
    await Promise.race([woken, sleep(3000)]);
    assert.equal(wakes, 1, 'addJobs notified');
    const lease = await queue.claim('w1', 5000);
    await queue.release(lease!, { kind: 'ok', nextInMs: 60_000 });
    await sleep(200);
    assert.equal(wakes, 1, 'a job due in a minute does not wake anyone');
    const again = await queue.claim('w1', 5000);
    assert.equal(again, null);
    await store.db.run("UPDATE sync_jobs SET next_allowed_at = clock_timestamp()");
    const lease2 = await queue.claim('w1', 5000);
    await queue.release(lease2!, { kind: 'ok', nextInMs: 0 });
    for (let i = 0; i < 30 && wakes < 2; i++) await sleep(100);
    assert.equal(wakes, 2, 'due at once: notified');
    await listener.close();
    await store.close();
  });

  test('stopping a worker interrupts its job: released due at once, no failure counted', async () => {
    const { store, queue } = await setup(1, ['INBOX']);
    const stop = new AbortController();
    const report = await runDistributedWorker({
      workerId: 'w1', queue, leaseMs: 5000, pollMs: 50, intervalMs: 3_600_000, signal: stop.signal,
      runJob: (_lease, signal) => new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(new Error('aborted')));
        setTimeout(() => stop.abort(), 100);
      }),
    });
    assert.equal(report.failed, 0);
    const row = await store.db.one('SELECT failure_count, last_error, lease_owner, next_allowed_at <= clock_timestamp() AS due FROM sync_jobs');
    assert.deepEqual({ ...row }, { failure_count: 0, last_error: null, lease_owner: null, due: true });
    await store.close();
  });

  test('renewal keeps the lease past its original expiry', async () => {
    const { store, queue } = await setup(1, ['INBOX']);
    const lease = await queue.claim('w1', 300);
    assert.ok(lease);
    for (let i = 0; i < 4; i++) {
      await sleep(150);
      assert.equal(await queue.renew(lease, 300), true);
    }
    assert.equal(await queue.claim('w2', 300), null);
    await store.close();
  });

  test('per-account cap holds across concurrent claimers', async () => {
    const { store, queue, ids } = await setup(2, ['INBOX', 'Archive', 'Sent', 'Drafts']);
    await queue.setAccountLimit(ids[1] as number, 2);
    const claims = await Promise.all(Array.from({ length: 12 }, (_, i) => queue.claim(`w${i}`, 5000)));
    // Claimers that met a busy account may come back empty-handed; later claims top up to the cap.
    for (let i = 0; i < 4; i++) claims.push(await queue.claim(`late${i}`, 5000));
    const granted = claims.filter((c) => c !== null);
    const perAccount = new Map<number, number>();
    for (const lease of granted) perAccount.set(lease.accountId, (perAccount.get(lease.accountId) ?? 0) + 1);
    assert.equal(perAccount.get(ids[0] as number), 1, 'default cap 1');
    assert.equal(perAccount.get(ids[1] as number), 2, 'cap 2');
    assert.equal(await maxConcurrentPerAccount(store.db), 2);
    await store.close();
  });

  test('outcomes: failure backs off with the failure count, success resets it', async () => {
    const { store, queue } = await setup(1, ['INBOX']);
    const lease = await queue.claim('w1', 5000);
    assert.ok(lease);
    await queue.release(lease, { kind: 'failed', error: 'NETWORK: down', backoffMs: 200 });
    assert.equal(await queue.claim('w1', 5000), null, 'backing off');
    await sleep(250);
    const again = await queue.claim('w1', 5000);
    assert.equal(again?.failureCount, 1);
    await queue.release(again!, { kind: 'ok', nextInMs: 0 });
    assert.equal((await queue.claim('w1', 5000))?.failureCount, 0);
    await store.close();
  });

  test('workers in one process: every job runs, a lost lease aborts its job, failures are released with backoff', async () => {
    const { store, queue } = await setup(3, ['INBOX', 'Archive']);
    const runs: string[] = [];
    const workers = ['w1', 'w2'].map((workerId) =>
      runDistributedWorker({
        workerId,
        queue,
        concurrency: 2,
        leaseMs: 600,
        intervalMs: 3_600_000,
        pollMs: 50,
        exitWhenIdle: true,
        maxBackoffSeconds: 3600,
        runJob: async (lease) => {
          runs.push(`${lease.accountId}:${lease.folder}`);
          await sleep(30);
          if (lease.folder === 'Archive' && lease.accountId === 1) throw new StorageError('boom');
          return { remaining: 0, newMessages: 1 };
        },
      }),
    );
    const reports = await Promise.all(workers);
    assert.equal(runs.length, 6);
    assert.equal(new Set(runs).size, 6, 'each job once');
    assert.equal(reports.reduce((n, r) => n + r.succeeded, 0), 5);
    assert.equal(reports.reduce((n, r) => n + r.failed, 0), 1);
    const failed = await store.db.one("SELECT failure_count, last_error FROM sync_jobs WHERE last_error IS NOT NULL");
    assert.equal(Number(failed?.failure_count), 1);
    assert.match(String(failed?.last_error), /^STORAGE: boom/);

    // A job whose lease is taken away mid-run is aborted through its signal.
    await queue.addJobs([{ accountId: 1, folder: 'Slow', maxMessages: 1 }]);
    let aborted = false;
    const stop = new AbortController();
    const slow = runDistributedWorker({
      workerId: 'w-slow', queue, leaseMs: 300, pollMs: 50, intervalMs: 3_600_000, signal: stop.signal,
      runJob: (lease, signal) => new Promise((resolve) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          stop.abort();
          resolve({ remaining: 0, newMessages: 0 });
        });
        // Another worker takes the lease over (as after an expiry).
        void store.db.run("UPDATE sync_jobs SET lease_owner = 'thief', lease_expires_at = clock_timestamp() + interval '1 hour' WHERE folder = ?", [lease.folder]);
      }),
    });
    let deadline: NodeJS.Timeout | undefined;
    const report = await Promise.race([slow, new Promise<null>((resolve) => (deadline = setTimeout(() => resolve(null), 5000)))]);
    clearTimeout(deadline); // an armed 5 s timer would hold the process open after the last test
    assert.ok(report, 'the worker returned');
    assert.equal(aborted, true);
    assert.equal(report.leasesLost, 1);
    await store.close();
  });
});

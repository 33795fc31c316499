/**
 * Group commit in the file engine: transactions waiting while one runs share one SQLite
 * transaction (counted as real effects: the rollback journals SQLite's VFS opens), each caller's
 * work stays atomic on its own, a failed COMMIT rejects every caller of the group and leaves none
 * of their rows, a group never takes more than its bound, and a reader in another process is
 * still served between groups (the waiter's mark of file-lock.ts gives it the next turn).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { openDatabase, type Database, type OpenDatabaseOptions } from '../../src/store/database.js';

/** node-sqlite3-wasm's VFS calls the CommonJS node:fs functions at call time: wrapping them here
 * sees every journal it opens and every page it writes. */
const fs = createRequire(import.meta.url)('node:fs') as typeof import('node:fs');
const originalOpen = fs.openSync;
const originalWrite = fs.writeSync;
let journalsOpened = 0;
let failDbWrites = false;
let dbPath = '';
const dbFds = new Set<number>();

beforeEach(() => {
  journalsOpened = 0;
  failDbWrites = false;
  dbFds.clear();
  fs.openSync = ((path: string, ...rest: unknown[]) => {
    const fd = (originalOpen as (...args: unknown[]) => number)(path, ...rest);
    const name = resolve(String(path));
    if (name === dbPath) dbFds.add(fd);
    else dbFds.delete(fd);
    if (name === `${dbPath}-journal`) journalsOpened++;
    return fd;
  }) as typeof fs.openSync;
  fs.writeSync = ((fd: number, ...rest: unknown[]) => {
    if (failDbWrites && dbFds.has(fd)) {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    }
    return (originalWrite as (...args: unknown[]) => number)(fd, ...rest);
  }) as typeof fs.writeSync;
});
afterEach(() => {
  fs.openSync = originalOpen;
  fs.writeSync = originalWrite;
});

async function open(options: OpenDatabaseOptions = {}): Promise<Database> {
  dbPath = resolve(join(mkdtempSync(join(tmpdir(), 'prx-group-')), 'mail.db'));
  const db = await openDatabase(dbPath, options);
  await db.transaction(async (tx) => {
    await tx.run('CREATE TABLE t (id INTEGER PRIMARY KEY, writer INTEGER, at INTEGER)');
    await tx.run('CREATE TABLE p (id INTEGER PRIMARY KEY)');
    await tx.run('CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p (id))');
  });
  journalsOpened = 0;
  return db;
}

const rowsOf = async (db: Database): Promise<number[]> => (await db.all('SELECT writer FROM t ORDER BY writer')).map((row) => Number(row.writer));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('transactions started at once commit in one write transaction; each caller sees its rows once its promise resolved', async () => {
  const db = await open();
  const seen: boolean[] = [];
  const callers = Array.from({ length: 10 }, (_, writer) =>
    db
      .transaction(async (tx) => {
        await tx.run('INSERT INTO t (writer) VALUES (?)', [writer]);
        await tx.one('SELECT COUNT(*) AS n FROM t');
        return writer;
      })
      .then(async (value) => {
        seen[writer] = (await db.one('SELECT COUNT(*) AS n FROM t WHERE writer = ?', [writer]))?.n === 1;
        return value;
      }),
  );
  assert.deepEqual(await Promise.all(callers), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(journalsOpened, 1, 'ten callers, one rollback journal: one write transaction');
  assert.deepEqual(seen, Array(10).fill(true));
  await db.close();
  // Durable: another connection sees all of them.
  const again = await openDatabase(dbPath);
  assert.deepEqual(await rowsOf(again), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  await again.close();
});

test('without grouping (maxTransactions 1) the same callers open one journal each', async () => {
  const db = await open({ groupCommit: { maxTransactions: 1 } });
  await Promise.all(Array.from({ length: 5 }, (_, writer) => db.transaction((tx) => tx.run('INSERT INTO t (writer) VALUES (?)', [writer]))));
  assert.equal(journalsOpened, 5);
  await db.close();
});

test('invalid groupCommit options are refused with CONFIG', async () => {
  dbPath = resolve(join(mkdtempSync(join(tmpdir(), 'prx-group-')), 'mail.db'));
  await assert.rejects(openDatabase(dbPath, { groupCommit: { maxTransactions: 0 } }), { code: 'CONFIG' });
  await assert.rejects(openDatabase(dbPath, { groupCommit: { maxGroupMs: Number.NaN } }), { code: 'CONFIG' });
});

test('works start in call order, a nested transaction runs inside its work', async () => {
  const db = await open();
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 6 }, (_, writer) =>
      db.transaction(async (tx) => {
        order.push(writer);
        await tx.transaction((inner) => inner.run('INSERT INTO t (writer) VALUES (?)', [writer]));
        await tx.run('UPDATE t SET at = 1 WHERE writer = ?', [writer]);
      }),
    ),
  );
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  assert.equal(Number((await db.one('SELECT COUNT(*) AS n FROM t WHERE at = 1'))?.n), 6);
  assert.equal(journalsOpened, 1);
  await db.close();
});

test('one failing work in a group: only it rejects, its rows are absent, the others are committed', async () => {
  const db = await open();
  const results = await Promise.allSettled(
    Array.from({ length: 5 }, (_, writer) =>
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (writer) VALUES (?)', [writer]);
        if (writer === 2) throw new Error('work 2 failed');
        // An SQLite error in a work is that work's failure too (typed).
        if (writer === 3) await tx.run('INSERT INTO t (id, writer) VALUES (1, 33)');
        return writer;
      }),
    ),
  );
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'rejected', 'rejected', 'fulfilled'],
  );
  assert.match(String((results[2] as PromiseRejectedResult).reason), /work 2 failed/);
  assert.equal((results[3] as PromiseRejectedResult).reason.code, 'STORAGE');
  assert.deepEqual(await rowsOf(db), [0, 1, 4]);
  assert.equal(journalsOpened, 1, 'the failures did not split the group');
  await db.close();
});

test('a statement issued by a work after its part ended is refused and changes nothing', async () => {
  const db = await open();
  let late: Promise<number> | undefined;
  await Promise.all([
    db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (writer) VALUES (0)');
      setTimeout(() => {
        late = tx.run('INSERT INTO t (writer) VALUES (99)');
        late.catch(() => undefined);
      }, 0);
    }),
    db.transaction(async (tx) => {
      await sleep(20);
      await tx.run('INSERT INTO t (writer) VALUES (1)');
    }),
  ]);
  await assert.rejects(late as Promise<number>, { code: 'STORAGE', message: /after its transaction ended/ });
  assert.deepEqual(await rowsOf(db), [0, 1]);
  await db.close();
});

test('a COMMIT refused (deferred foreign key) rejects every caller of the group and leaves none of their rows', async () => {
  const db = await open();
  const results = await Promise.allSettled(
    Array.from({ length: 4 }, (_, writer) =>
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (writer) VALUES (?)', [writer]);
        if (writer === 1) {
          // Checked at COMMIT only: the work itself succeeds.
          await tx.run('PRAGMA defer_foreign_keys = ON');
          await tx.run('INSERT INTO c (id, p) VALUES (1, 42)');
        }
      }),
    ),
  );
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected', 'rejected']);
  for (const result of results) assert.equal((result as PromiseRejectedResult).reason.code, 'STORAGE');
  assert.match(String((results[0] as PromiseRejectedResult).reason.message), /FOREIGN KEY/);
  assert.deepEqual(await rowsOf(db), []);
  // The engine goes on: the next transaction commits.
  await db.transaction((tx) => tx.run('INSERT INTO t (writer) VALUES (7)'));
  assert.deepEqual(await rowsOf(db), [7]);
  await db.close();
});

test('a COMMIT that cannot write the file (ENOSPC) rejects every caller with STORAGE; none of their rows survive', async () => {
  const db = await open();
  await db.transaction((tx) => tx.run('INSERT INTO t (writer) VALUES (100)'));
  const failed = Promise.allSettled(
    Array.from({ length: 4 }, (_, writer) =>
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (writer) VALUES (?)', [writer]);
        // Enough rows that the commit writes several pages.
        for (let i = 0; i < 50; i++) await tx.run('INSERT INTO t (writer, at) VALUES (?, ?)', [writer + 1000, i]);
      }),
    ),
  );
  failDbWrites = true;
  const results = await failed;
  failDbWrites = false;
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected', 'rejected', 'rejected']);
  for (const result of results) assert.equal((result as PromiseRejectedResult).reason.code, 'STORAGE');
  assert.deepEqual(await rowsOf(db), [100], 'nothing of the group, what was committed before is intact');
  await db.transaction((tx) => tx.run('INSERT INTO t (writer) VALUES (101)'));
  assert.equal((await db.one('PRAGMA integrity_check'))?.integrity_check, 'ok');
  await db.close();
  const again = await openDatabase(dbPath);
  assert.deepEqual(await rowsOf(again), [100, 101]);
  await again.close();
});

test('a group takes at most maxTransactions; works keep their order across groups', async () => {
  const db = await open({ groupCommit: { maxTransactions: 4 } });
  const groupOf: number[] = [];
  await Promise.all(
    Array.from({ length: 10 }, (_, writer) =>
      db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (writer) VALUES (?)', [writer]);
        // The journal opened (at the first write) for this work's SQLite transaction tells its group.
        groupOf[writer] = journalsOpened;
      }),
    ),
  );
  assert.deepEqual(groupOf, [1, 1, 1, 1, 2, 2, 2, 2, 3, 3]);
  assert.equal(journalsOpened, 3);
  assert.equal((await rowsOf(db)).length, 10);
  await db.close();
});

test('a group takes no more transactions once maxGroupMs passed', async () => {
  const db = await open({ groupCommit: { maxTransactions: 1000, maxGroupMs: 30 } });
  // A stream: each work takes ~10 ms and calls the next transaction, so one always waits.
  const spans = new Map<number, { first: number; last: number }>();
  let count = 0;
  const run = (writer: number): Promise<void> =>
    db.transaction(async (tx) => {
      await tx.run('INSERT INTO t (writer) VALUES (?)', [writer]);
      const group = journalsOpened;
      const now = Date.now();
      const span = spans.get(group) ?? { first: now, last: now };
      span.last = now;
      spans.set(group, span);
      if (writer < 19) void run(writer + 1).then(() => count++);
      await sleep(10);
    });
  await run(0);
  while (count < 19) await sleep(10);
  assert.ok(spans.size >= 2, `a 200 ms stream is cut into groups (${spans.size})`);
  for (const [group, span] of spans) assert.ok(span.last - span.first < 30 + 500, `group ${group} took works for ${span.last - span.first} ms`);
  assert.equal((await rowsOf(db)).length, 20);
  await db.close();
});

test('while callers run concurrently, a group waits gatherMs for a transaction called a moment later', async () => {
  const db = await open();
  // Two at once: a group of two marks the callers as concurrent.
  await Promise.all([0, 1].map((writer) => db.transaction((tx) => tx.run('INSERT INTO t (writer) VALUES (?)', [writer]))));
  journalsOpened = 0;
  let later: Promise<number> | undefined;
  // B's timer (1 ms) expires before A's gathering timer (5 ms) is even set.
  setTimeout(() => {
    later = db.transaction((tx) => tx.run('INSERT INTO t (writer) VALUES (3)'));
  }, 1);
  await db.transaction((tx) => tx.run('INSERT INTO t (writer) VALUES (2)'));
  assert.ok(later, 'B was called while A gathered');
  await later;
  assert.equal(journalsOpened, 1, 'A and B shared one commit');
  assert.deepEqual(await rowsOf(db), [0, 1, 2, 3]);
  await db.close();
});

test('a statement queued on the engine ends the group: later transactions wait behind it', async () => {
  const db = await open();
  const events: string[] = [];
  const first = db.transaction(async (tx) => {
    await tx.run('INSERT INTO t (writer) VALUES (0)');
    events.push('tx0');
  });
  const read = db.one('SELECT COUNT(*) AS n FROM t').then((row) => events.push(`read ${row?.n}`));
  const second = db.transaction(async (tx) => {
    await tx.run('INSERT INTO t (writer) VALUES (1)');
    events.push('tx1');
  });
  await Promise.all([first, read, second]);
  assert.deepEqual(events, ['tx0', 'read 1', 'tx1']);
  assert.equal(journalsOpened, 2);
  await db.close();
});

test('a reader in another process is served during a long stream of grouped transactions', async () => {
  const db = await open();
  await db.close();
  const child = spawn(process.execPath, [join(process.cwd(), 'dist/test/support/group-writer.js'), dbPath, '8', '2500'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const started = new Promise<void>((resolveStarted) =>
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('started')) resolveStarted();
    }),
  );
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  await started;
  const reader = await openDatabase(dbPath, { busyTimeoutMs: 20_000 });
  const waits: number[] = [];
  const counts: number[] = [];
  while (running) {
    const before = Date.now();
    counts.push(Number((await reader.one('SELECT COUNT(*) AS n FROM t'))?.n));
    waits.push(Date.now() - before);
    await sleep(20);
  }
  assert.equal(await exited, 0);
  const { transactions } = JSON.parse(output.trim().split('\n').pop() as string) as { transactions: number };
  assert.equal(Number((await reader.one('SELECT COUNT(*) AS n FROM t'))?.n), transactions);
  await reader.close();
  const max = Math.max(...waits);
  console.log(`reader: ${waits.length} reads during ${transactions} transactions of the writer process, longest wait ${max} ms`);
  assert.ok(waits.length >= 10, `the reader was served during the stream (${waits.length} reads)`);
  // The writer always has transactions queued: without the waiter's mark (file-lock.ts) it took
  // the lock again at once after each commit and the reader waited seconds. Now a read waits
  // about one group (<= 50 ms of work + its commit) and the waiter's poll; generous for a loaded host.
  assert.ok(max < 1_000, `the reader waited ${max} ms at most`);
  for (let i = 1; i < counts.length; i++) assert.ok((counts[i] as number) >= (counts[i - 1] as number));
});

/**
 * The file engine's cross-process lock (src/store/engine/file-lock.ts), in one process: owner
 * records, when an owner counts as gone (same host, pid not running or reused), taking over an
 * abandoned or unreadable lock and the guard that makes one process decide, waiting up to the busy
 * timeout then LOCKED naming the owner, and the waiter's mark that gives it the next turn. File
 * ages are set with utimes, so nothing here depends on timing beyond the busy-timeout waits.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createFileLock, lockPathFor, ownerAlive, readLockOwner, type LockOwner } from '../../src/store/engine/file-lock.js';

const dbPath = (): string => join(mkdtempSync(join(tmpdir(), 'prx-file-lock-')), 'mail.db');
const age = (path: string, ms: number): void => {
  const then = new Date(Date.now() - ms);
  utimesSync(path, then, then);
};
/** A pid that is not running: a child that has exited and been reaped. */
const deadPid = (): number => {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
};
const myStart = (): number => {
  // What file-lock records for this process: the same arithmetic, so equal up to rounding.
  const path = dbPath();
  const lock = createFileLock(path, { busyTimeoutMs: 0 });
  assert.equal(lock.tryAcquire(), true);
  const owner = readLockOwner(lockPathFor(path)) as LockOwner;
  lock.release();
  return owner.startedAt;
};

describe('file lock', () => {
  test('owner records: only a complete one is read', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'prx-file-lock-')), 'lock');
    assert.equal(readLockOwner(path), null, 'missing file');
    writeFileSync(path, JSON.stringify({ pid: 12, host: 'h', startedAt: 34 }));
    assert.deepEqual(readLockOwner(path), { pid: 12, host: 'h', startedAt: 34 });
    for (const broken of [{ pid: '12', host: 'h', startedAt: 34 }, { pid: 12, host: 5, startedAt: 34 }, { pid: 12, host: 'h' }, { host: 'h', startedAt: 34 }]) {
      writeFileSync(path, JSON.stringify(broken));
      assert.equal(readLockOwner(path), null, JSON.stringify(broken));
    }
    writeFileSync(path, '{"pid": 1');
    assert.equal(readLockOwner(path), null, 'torn JSON');
  });

  test('an owner is gone only when we can tell: same host and its pid not running, or this pid reused', () => {
    const startedAt = myStart();
    assert.equal(ownerAlive({ pid: deadPid(), host: `${hostname()}-elsewhere`, startedAt: 1 }), true, 'another host: cannot tell');
    assert.equal(ownerAlive({ pid: deadPid(), host: hostname(), startedAt: 1 }), false, 'pid not running');
    assert.equal(ownerAlive({ pid: process.pid, host: hostname(), startedAt }), true, 'this very process');
    assert.equal(ownerAlive({ pid: process.pid, host: hostname(), startedAt: startedAt - 60_000 }), false, 'our pid, an earlier process');
    assert.equal(ownerAlive({ pid: process.ppid, host: hostname(), startedAt: 1 }), true, 'a running process');
  });

  test('taken when free, refused while held, released; the lock file names its owner', () => {
    const path = dbPath();
    const a = createFileLock(path, { busyTimeoutMs: 0 });
    const b = createFileLock(path, { busyTimeoutMs: 0 });
    assert.equal(a.path, lockPathFor(path));
    assert.equal(a.tryAcquire(), true);
    assert.equal(a.held, true);
    assert.deepEqual(readLockOwner(a.path), { pid: process.pid, host: hostname(), startedAt: myStart() });
    assert.throws(() => a.tryAcquire(), { code: 'STORAGE', message: `lock ${a.path} is already held by this handle` });
    assert.equal(b.tryAcquire(), false, 'a live owner holds it');
    assert.equal(b.held, false);
    a.release();
    assert.equal(a.held, false);
    assert.equal(existsSync(a.path), false);
    a.release(); // twice: nothing to do
    assert.equal(b.tryAcquire(), true);
    b.release();
  });

  test('a lock whose owner is gone is taken over, with the SQLite lock directory it left', () => {
    const path = dbPath();
    writeFileSync(lockPathFor(path), JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: 1 }));
    mkdirSync(`${path}.lock`);
    const lock = createFileLock(path, { busyTimeoutMs: 0 });
    assert.equal(lock.tryAcquire(), true);
    assert.equal(readLockOwner(lock.path)?.pid, process.pid);
    assert.equal(existsSync(`${path}.lock`), false, 'the dead owner’s SQLite lock directory is removed');
    assert.equal(existsSync(`${lock.path}.takeover`), false, 'the takeover guard is removed');
    lock.release();
  });

  test('a lock of another host, or of a live process, is never taken over', () => {
    const path = dbPath();
    const lock = createFileLock(path, { busyTimeoutMs: 0 });
    writeFileSync(lockPathFor(path), JSON.stringify({ pid: deadPid(), host: `${hostname()}-elsewhere`, startedAt: 1 }));
    age(lockPathFor(path), 60_000);
    assert.equal(lock.tryAcquire(), false);
    writeFileSync(lockPathFor(path), JSON.stringify({ pid: process.ppid, host: hostname(), startedAt: 1 }));
    assert.equal(lock.tryAcquire(), false);
    assert.equal(readLockOwner(lockPathFor(path))?.pid, process.ppid, 'left as it was');
  });

  test('a lock file without a readable owner is left alone for 2 s (its creator may be writing it), then taken over', () => {
    const path = dbPath();
    const lock = createFileLock(path, { busyTimeoutMs: 0 });
    writeFileSync(lockPathFor(path), '');
    age(lockPathFor(path), 1_000);
    assert.equal(lock.tryAcquire(), false, 'young: its owner may be about to write');
    age(lockPathFor(path), 3_000);
    assert.equal(lock.tryAcquire(), true, 'old: its creator died');
    assert.equal(readLockOwner(lock.path)?.pid, process.pid);
    lock.release();
  });

  test('while another process decides a takeover (fresh guard) nobody else does; a guard left for 5 s is removed', () => {
    const path = dbPath();
    const lock = createFileLock(path, { busyTimeoutMs: 0 });
    writeFileSync(lockPathFor(path), JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: 1 }));
    const guard = `${lockPathFor(path)}.takeover`;
    writeFileSync(guard, '');
    age(guard, 1_000);
    assert.equal(lock.tryAcquire(), false, 'someone else is deciding');
    assert.equal(existsSync(guard), true);
    assert.equal(existsSync(lockPathFor(path)), true, 'the dead owner’s lock is not touched meanwhile');
    age(guard, 6_000);
    assert.equal(lock.tryAcquire(), false, 'the stale guard is only removed by this attempt');
    assert.equal(existsSync(guard), false);
    assert.equal(lock.tryAcquire(), true, 'the next attempt takes the abandoned lock over');
    lock.release();
  });

  test('acquire waits for the holder, then takes the lock', async () => {
    const path = dbPath();
    const a = createFileLock(path, { busyTimeoutMs: 0 });
    const b = createFileLock(path, { busyTimeoutMs: 10_000 });
    assert.equal(a.tryAcquire(), true);
    let taken = false;
    const waiting = b.acquire().then(() => {
      taken = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(taken, false, 'still held');
    assert.equal(existsSync(`${b.path}.wait`), true, 'the waiter marked that it waits');
    a.release();
    await waiting;
    assert.equal(b.held, true);
    assert.equal(existsSync(`${b.path}.wait`), false, 'its mark is removed once it holds the lock');
    b.release();
  });

  test('after the busy timeout: LOCKED naming the owner; an unnamed owner is "another process"', async () => {
    const path = dbPath();
    const a = createFileLock(path, { busyTimeoutMs: 0 });
    const b = createFileLock(path, { busyTimeoutMs: 120 });
    assert.equal(a.tryAcquire(), true);
    const started = Date.now();
    await assert.rejects(b.acquire(), {
      name: 'LockedError',
      code: 'LOCKED',
      message: `${path} is locked by pid ${process.pid} on ${hostname()} (waited 120 ms)`,
    });
    assert.ok(Date.now() - started >= 110, 'it waited the busy timeout');
    assert.equal(existsSync(`${b.path}.wait`), false, 'a waiter that gives up removes its mark');
    a.release();
    writeFileSync(lockPathFor(path), 'not json');
    await assert.rejects(b.acquire(), { code: 'LOCKED', message: `${path} is locked by another process (waited 120 ms)` });
  });

  test('a fresh waiter mark of someone else gives them the free lock first; a stale one is ignored and removed', () => {
    const path = dbPath();
    const lock = createFileLock(path, { busyTimeoutMs: 0 });
    const mark = `${lockPathFor(path)}.wait`;
    writeFileSync(mark, 'another waiter');
    assert.equal(lock.tryAcquire(), false, 'the lock is free, but the waiter goes first');
    age(mark, 1_000);
    assert.equal(lock.tryAcquire(), true, 'its waiter stopped polling: ignored');
    assert.equal(existsSync(mark), false, 'and removed');
    lock.release();
  });

  test('a lock that cannot be created (missing directory) is a StorageError', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'prx-file-lock-')), 'missing', 'mail.db');
    const lock = createFileLock(path, { busyTimeoutMs: 0 });
    assert.throws(() => lock.tryAcquire(), (error: Error & { code?: string }) => error.code === 'STORAGE' && error.message.startsWith(`cannot create lock ${lockPathFor(path)}: `));
  });
});

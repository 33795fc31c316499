/**
 * The database file's lock across processes: `<db>.prx-lock`, created exclusively and holding
 * its owner (pid, host, process start time). Every statement or transaction of the file engine
 * runs while holding it, and releases it right after, so other processes are served between
 * write transactions. A lock whose owner is gone (same host, pid no longer running — a SIGKILLed
 * sync) is taken over, and so is the `<db>.lock` directory SQLite's WebAssembly VFS left behind
 * with it. Waiting is asynchronous, up to the busy timeout, then `LOCKED`.
 *
 * Turns: a holder that releases and takes the lock again at once (a writer with transactions
 * always queued) would leave a polling waiter no window. So a process that had to wait marks it
 * in `<db>.prx-lock.wait` (first waiter wins, refreshed at each poll); while a fresh mark of
 * someone else is there, tryAcquire leaves the free lock to that waiter, which removes the mark
 * once it holds the lock. A mark not refreshed for 250 ms (its waiter gone) is ignored and removed.
 */

import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmdirSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { LockedError, StorageError } from '../../errors.js';

export interface LockOwner {
  pid: number;
  host: string;
  /** When the owning process started (Unix ms). */
  startedAt: number;
}

export interface FileLock {
  readonly path: string;
  /** Takes the lock, waiting up to the busy timeout; throws LockedError after it. */
  acquire(): Promise<void>;
  /** Takes the lock if it is free or its owner is gone; false when a live owner holds it. */
  tryAcquire(): boolean;
  release(): void;
  readonly held: boolean;
}

const processStartedAt = Math.round(Date.now() - process.uptime() * 1000);
/** A lock file without a readable owner older than this was left by a process killed while
 * creating it (a live one writes its owner within microseconds). */
const UNREADABLE_GRACE_MS = 2_000;
/** A takeover guard older than this was left by a process killed during a takeover. */
const GUARD_GRACE_MS = 5_000;
/** A waiter's mark not refreshed for this long is ignored: its waiter polls every ≤ 25 ms. */
const WAITER_STALE_MS = 250;

export function lockPathFor(dbPath: string): string {
  return `${dbPath}.prx-lock`;
}

export function readLockOwner(lockPath: string): LockOwner | null {
  try {
    const parsed = JSON.parse(readFileSync(lockPath, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string' || typeof parsed.startedAt !== 'number') return null;
    return { pid: parsed.pid, host: parsed.host, startedAt: parsed.startedAt };
  } catch {
    return null;
  }
}

/** False only when we can tell the owner is gone: same host and its pid is not running. */
export function ownerAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return owner.startedAt === processStartedAt;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function ageMs(path: string): number | null {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createFileLock(dbPath: string, options: { busyTimeoutMs: number }): FileLock {
  const path = lockPathFor(dbPath);
  const guardPath = `${path}.takeover`;
  const sqliteLockDir = `${dbPath}.lock`;
  const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: processStartedAt };
  const content = Buffer.from(JSON.stringify(me));
  const waitPath = `${path}.wait`;
  // Per handle: two engines of one process on one file take turns too.
  const waiterMark = `${JSON.stringify(me)} ${randomUUID()}`;
  let held = false;

  const readMark = (): string | null => {
    try {
      return readFileSync(waitPath, 'utf8');
    } catch {
      return null;
    }
  };
  /** True while another waiter's fresh mark asks for the next turn (a stale one is removed). */
  const anotherWaiterFirst = (): boolean => {
    const age = ageMs(waitPath);
    if (age === null) return false;
    if (readMark() === waiterMark) return false;
    if (age <= WAITER_STALE_MS) return true;
    try {
      unlinkSync(waitPath);
    } catch {
      // Gone already.
    }
    return false;
  };
  /** Asks for the next turn, or refreshes our mark; leaves another waiter's fresh mark alone. */
  const markWaiting = (): void => {
    try {
      const fd = openSync(waitPath, 'wx', 0o600);
      try {
        writeSync(fd, waiterMark);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return;
    }
    if (readMark() === waiterMark) {
      try {
        const now = new Date();
        utimesSync(waitPath, now, now);
      } catch {
        // Removed meanwhile: marked again at the next poll.
      }
    } else {
      anotherWaiterFirst();
    }
  };
  const clearMark = (): void => {
    if (readMark() !== waiterMark) return;
    try {
      unlinkSync(waitPath);
    } catch {
      // Gone already.
    }
  };

  const create = (): boolean => {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw new StorageError(`cannot create lock ${path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    return true;
  };

  /** Removes a lock whose owner is gone; true when it did (or the lock vanished meanwhile). */
  const takeOverIfAbandoned = (): boolean => {
    const owner = readLockOwner(path);
    if (owner === null) {
      const age = ageMs(path);
      if (age === null) return true;
      if (age < UNREADABLE_GRACE_MS) return false;
    } else if (ownerAlive(owner)) {
      return false;
    }
    // One process at a time decides, so a fresh lock taken by a third process is never removed.
    let guard: number;
    try {
      guard = openSync(guardPath, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      const age = ageMs(guardPath);
      if (age !== null && age > GUARD_GRACE_MS) {
        try {
          unlinkSync(guardPath);
        } catch {
          // Someone else removed it.
        }
      }
      return false;
    }
    try {
      const again = readLockOwner(path);
      const same = owner === null ? again === null : again !== null && again.pid === owner.pid && again.startedAt === owner.startedAt && again.host === owner.host;
      if (!same) return false;
      try {
        unlinkSync(path);
      } catch {
        // Already gone.
      }
      // The dead owner may have died inside SQLite, holding the VFS's own lock directory; nobody
      // alive holds it (every process takes ours first). A hot journal beside the file is rolled
      // back by SQLite at the next read.
      try {
        rmdirSync(sqliteLockDir);
      } catch {
        // Not there.
      }
      return true;
    } finally {
      closeSync(guard);
      try {
        unlinkSync(guardPath);
      } catch {
        // Removed as stale by another process: harmless.
      }
    }
  };

  const tryAcquire = (): boolean => {
    if (held) throw new StorageError(`lock ${path} is already held by this handle`);
    if (anotherWaiterFirst()) return false;
    if (create() || (takeOverIfAbandoned() && create())) {
      held = true;
      return true;
    }
    return false;
  };

  return {
    path,
    tryAcquire,
    async acquire() {
      if (tryAcquire()) return;
      const deadline = Date.now() + options.busyTimeoutMs;
      let wait = 1;
      for (;;) {
        if (Date.now() >= deadline) {
          clearMark();
          const owner = readLockOwner(path);
          const who = owner ? `pid ${owner.pid} on ${owner.host}` : 'another process';
          throw new LockedError(`${dbPath} is locked by ${who} (waited ${options.busyTimeoutMs} ms)`);
        }
        markWaiting();
        await sleep(Math.min(wait, Math.max(1, deadline - Date.now())));
        wait = Math.min(wait * 2, 25);
        if (tryAcquire()) {
          clearMark();
          return;
        }
      }
    },
    release() {
      if (!held) return;
      held = false;
      try {
        unlinkSync(path);
      } catch {
        // Taken over by someone who judged us gone; nothing of ours to remove.
      }
    },
    get held() {
      return held;
    },
  };
}

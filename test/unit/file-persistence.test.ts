/**
 * Saving the sql.js image: a new file replaces the old one by rename (the old inode is never
 * written, so a crash mid-write cannot tear it), and every file-system failure is a typed
 * `StorageError` (or `CorruptDatabaseError` for foreign files) that leaves the old file alone.
 */
import assert from 'node:assert/strict';
import fs, { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readDatabaseFile, writeDatabaseFileAtomically } from '../../src/store/file-persistence.js';
import { openStore } from '../../src/store/index.js';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'prx-persist-'));
const image = (fill: number, size = 4096): Uint8Array => {
  const bytes = new Uint8Array(size).fill(fill);
  bytes.set(new TextEncoder().encode('SQLite format 3\u0000'));
  return bytes;
};

describe('file persistence', () => {
  test('a save writes a new file and renames it: the old inode keeps the old image', () => {
    const dir = scratch();
    const path = join(dir, 'mail.db');
    writeDatabaseFileAtomically(path, image(1));
    // A second name for the current inode: written in place, it would change too.
    linkSync(path, join(dir, 'old-inode'));
    writeDatabaseFileAtomically(path, image(2, 8192));
    assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'old-inode'))), image(1), 'the old file was not written in place');
    assert.deepEqual(new Uint8Array(readFileSync(path)), image(2, 8192));
    assert.equal(existsSync(`${path}.tmp`), false, 'no temporary file is left behind');
  });

  test('a save that cannot write is a StorageError and leaves the old file intact', () => {
    const dir = scratch();
    const path = join(dir, 'mail.db');
    writeDatabaseFileAtomically(path, image(1));
    // The temporary file's name is taken by a directory: the write fails before the rename.
    mkdirSync(`${path}.tmp`);
    assert.throws(
      () => writeDatabaseFileAtomically(path, image(3)),
      (error: Error & { code?: string; cause?: NodeJS.ErrnoException }) =>
        error.name === 'StorageError' && error.code === 'STORAGE' && error.message.startsWith(`cannot save ${path}: `) && error.cause?.code === 'EISDIR',
    );
    assert.deepEqual(new Uint8Array(readFileSync(path)), image(1));
  });

  test('a save: the image written whole (even in short writes) and fsynced, closed, renamed, then the directory fsynced', () => {
    const dir = scratch();
    const path = join(dir, 'mail.db');
    const big = image(7, 10_000);
    const log: string[] = [];
    const fds = new Map<number, string>();
    const name = (fd: number) => fds.get(fd) ?? `fd${fd}`;
    const real = { openSync: fs.openSync, writeSync: fs.writeSync, fsyncSync: fs.fsyncSync, closeSync: fs.closeSync, renameSync: fs.renameSync };
    // file-persistence.ts calls node:fs through its default export, this very object.
    fs.openSync = ((file: string, flags: string, mode?: number) => {
      const fd = real.openSync(file, flags, mode);
      fds.set(fd, file === dir ? 'dir' : file === `${path}.tmp` ? 'tmp' : String(file));
      log.push(`open ${fds.get(fd)} ${flags}`);
      return fd;
    }) as typeof fs.openSync;
    // Short writes: at most 3,000 bytes a call, as a kernel may do.
    fs.writeSync = ((fd: number, buffer: Uint8Array, offset: number, length: number) => {
      const n = real.writeSync(fd, buffer, offset, Math.min(length, 3000));
      log.push(`write ${name(fd)} ${offset}+${n}`);
      return n;
    }) as typeof fs.writeSync;
    fs.fsyncSync = ((fd: number) => {
      log.push(`fsync ${name(fd)}`);
      real.fsyncSync(fd);
    }) as typeof fs.fsyncSync;
    fs.closeSync = ((fd: number) => {
      log.push(`close ${name(fd)}`);
      real.closeSync(fd);
    }) as typeof fs.closeSync;
    fs.renameSync = ((from: string, to: string) => {
      log.push(`rename ${from === `${path}.tmp` ? 'tmp' : from} ${to === path ? 'db' : to}`);
      real.renameSync(from, to);
    }) as typeof fs.renameSync;
    try {
      writeDatabaseFileAtomically(path, big);
    } finally {
      Object.assign(fs, real);
    }
    assert.deepEqual(log, [
      'open tmp w',
      'write tmp 0+3000',
      'write tmp 3000+3000',
      'write tmp 6000+3000',
      'write tmp 9000+1000',
      'fsync tmp',
      'close tmp',
      'rename tmp db',
      'open dir r',
      'fsync dir',
      'close dir',
    ]);
    assert.deepEqual(new Uint8Array(readFileSync(path)), big);
  });

  test('a directory that cannot be fsynced (some file systems) does not fail the save', () => {
    const dir = scratch();
    const path = join(dir, 'mail.db');
    const realOpen = fs.openSync;
    const realFsync = fs.fsyncSync;
    const closed: number[] = [];
    const realClose = fs.closeSync;
    let dirFd = -1;
    fs.openSync = ((file: string, flags: string, mode?: number) => {
      const fd = realOpen(file, flags, mode);
      if (file === dir) dirFd = fd;
      return fd;
    }) as typeof fs.openSync;
    fs.fsyncSync = ((fd: number) => {
      if (fd === dirFd) throw Object.assign(new Error('EINVAL: fsync of a directory'), { code: 'EINVAL' });
      realFsync(fd);
    }) as typeof fs.fsyncSync;
    fs.closeSync = ((fd: number) => {
      closed.push(fd);
      realClose(fd);
    }) as typeof fs.closeSync;
    try {
      writeDatabaseFileAtomically(path, image(4));
    } finally {
      Object.assign(fs, { openSync: realOpen, fsyncSync: realFsync, closeSync: realClose });
    }
    assert.deepEqual(new Uint8Array(readFileSync(path)), image(4));
    assert.notEqual(dirFd, -1, 'the directory was opened');
    assert.ok(closed.includes(dirFd), 'and closed although its fsync failed');
  });

  test('a save into a missing directory is a StorageError', () => {
    assert.throws(() => writeDatabaseFileAtomically(join(scratch(), 'missing', 'mail.db'), image(1)), { code: 'STORAGE' });
  });

  test('reading: missing or empty files are new databases, foreign files are refused untouched', () => {
    const dir = scratch();
    assert.equal(readDatabaseFile(join(dir, 'none.db')), null);
    writeFileSync(join(dir, 'empty.db'), '');
    assert.equal(readDatabaseFile(join(dir, 'empty.db')), null);
    writeFileSync(join(dir, 'notes.txt'), 'not a database at all, just text');
    assert.throws(() => readDatabaseFile(join(dir, 'notes.txt')), {
      code: 'CORRUPT_DB',
      message: `${join(dir, 'notes.txt')} is not an SQLite database (left untouched)`,
    });
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'not a database at all, just text');
  });

  test('reading a path that cannot be read is a StorageError, never a raw fs error', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'file'), 'x');
    // A path through a regular file: ENOTDIR from stat.
    const readError = (path: string, cause: string) => (error: Error & { code?: string; cause?: NodeJS.ErrnoException }) =>
      error.name === 'StorageError' && error.code === 'STORAGE' && error.message.startsWith(`cannot read ${path}: `) && error.cause?.code === cause;
    assert.throws(() => readDatabaseFile(join(dir, 'file', 'mail.db')), readError(join(dir, 'file', 'mail.db'), 'ENOTDIR'));
    // A directory: stat works, reading fails with EISDIR.
    mkdirSync(join(dir, 'a-directory'));
    assert.throws(() => readDatabaseFile(join(dir, 'a-directory')), readError(join(dir, 'a-directory'), 'EISDIR'));
  });

  test('openStore: a new database in a missing directory is refused with StorageError', async () => {
    await assert.rejects(openStore(join(scratch(), 'missing', 'mail.db')), { code: 'STORAGE' });
  });

  test('openStore: a failing save is a StorageError and the store stays usable', async () => {
    const dir = scratch();
    const path = join(dir, 'mail.db');
    const store = await openStore(path, { autosaveIntervalMs: null, engine: 'sqljs' });
    const id = await store.upsertAccount({ email: 'a@example.test', provider: null, settings: {} }, 1);
    mkdirSync(`${path}.tmp`);
    await assert.rejects(store.save(), { code: 'STORAGE' });
    assert.equal((await store.getAccount(id))?.email, 'a@example.test');
    rmdirSync(`${path}.tmp`);
    await store.save();
    await store.close();
    const reopened = await openStore(path, { autosaveIntervalMs: null, engine: 'sqljs' });
    assert.equal((await reopened.getAccount(id))?.email, 'a@example.test', 'the retried save kept the data');
    await reopened.close();
  });
});

/**
 * Saving the sql.js image: a new file replaces the old one by rename (the old inode is never
 * written, so a crash mid-write cannot tear it), and every file-system failure is a typed
 * `StorageError` (or `CorruptDatabaseError` for foreign files) that leaves the old file alone.
 */
import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
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
    assert.throws(() => writeDatabaseFileAtomically(path, image(3)), { code: 'STORAGE', name: 'StorageError' });
    assert.deepEqual(new Uint8Array(readFileSync(path)), image(1));
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
    assert.throws(() => readDatabaseFile(join(dir, 'notes.txt')), { code: 'CORRUPT_DB' });
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'not a database at all, just text');
  });

  test('reading a path that cannot be read is a StorageError, never a raw fs error', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'file'), 'x');
    // A path through a regular file: ENOTDIR from stat.
    assert.throws(() => readDatabaseFile(join(dir, 'file', 'mail.db')), { code: 'STORAGE' });
    // A directory: stat works, reading fails with EISDIR.
    mkdirSync(join(dir, 'a-directory'));
    assert.throws(() => readDatabaseFile(join(dir, 'a-directory')), { code: 'STORAGE' });
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

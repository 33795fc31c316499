/**
 * Crash-safe persistence of the in-memory sql.js image: write FILE.tmp, fsync it, rename it over
 * FILE, fsync the directory. A process killed at any point leaves the previous file or the new
 * one, never a torn one. Also: recognising files that are not SQLite before anything touches them.
 */

// The default export is node:fs's own object (in Node and Bun): tests can watch its calls.
import fs from 'node:fs';
import { dirname } from 'node:path';
import { CorruptDatabaseError, StorageError } from '../errors.js';

const SQLITE_MAGIC = 'SQLite format 3\u0000';

/** Reads the database file; null when it does not exist or is empty (a new database). */
export function readDatabaseFile(path: string): Uint8Array | null {
  let size: number;
  try {
    size = fs.statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StorageError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (size === 0) return null;
  // A Buffer is a Uint8Array: handed to sql.js as it is (sql.js copies it into its file system
  // once; another copy here would cost the image's size in time and memory at every open).
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (error) {
    throw new StorageError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const magic = new TextDecoder('latin1').decode(bytes.subarray(0, 16));
  if (magic !== SQLITE_MAGIC) {
    throw new CorruptDatabaseError(`${path} is not an SQLite database (left untouched)`);
  }
  return bytes;
}

export function writeDatabaseFileAtomically(path: string, image: Uint8Array): void {
  const tmpPath = `${path}.tmp`;
  try {
    const fd = fs.openSync(tmpPath, 'w', 0o600);
    try {
      let offset = 0;
      while (offset < image.byteLength) offset += fs.writeSync(fd, image, offset, image.byteLength - offset);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmpPath, path);
    fsyncDirectory(dirname(path));
  } catch (error) {
    throw new StorageError(`cannot save ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function fsyncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms/filesystems do not allow fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

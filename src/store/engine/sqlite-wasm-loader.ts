/**
 * Loads node-sqlite3-wasm with one change to its node:fs VFS. Its xCheckReservedLock answers
 * "some connection holds RESERVED" whenever the `<db>.lock` directory exists — and a connection
 * creates that directory itself for any lock, SHARED included. So when a process died in the
 * middle of a commit, the next reader (holding that directory) never sees the hot journal as hot:
 * it reads the half-written file and later overwrites the journal. Every process of ours takes
 * the cross-process lock (file-lock.ts) before SQLite touches the file, so no other connection
 * can hold RESERVED while we check: the patched function answers "no", and SQLite rolls a hot
 * journal back as it should. A build without the expected function is refused (STORAGE) rather
 * than run unsafely.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { evaluateCommonJs } from './evaluate-commonjs.js';
import { StorageError } from '../../errors.js';

const CHECK_RESERVED_LOCK =
  /function _nodejsCheckReservedLock\(fi,outResult\)\{try\{fs\.accessSync\(`\$\{_path\(fi\)\}\.lock`,fs\.constants\.F_OK\);setValue\(outResult,1,"i32"\)\}catch\{setValue\(outResult,0,"i32"\)\}/g;
const PATCHED = 'function _nodejsCheckReservedLock(fi,outResult){setValue(outResult,0,"i32");';

export function patchCheckReservedLock(source: string): string | null {
  const matches = source.match(CHECK_RESERVED_LOCK);
  if (matches === null || matches.length !== 1) return null;
  return source.replace(CHECK_RESERVED_LOCK, PATCHED);
}

let loaded: unknown = null;

export function loadSqliteWasm<T>(): T {
  if (loaded === null) {
    const require = createRequire(import.meta.url);
    const script = require.resolve('node-sqlite3-wasm');
    const patched = patchCheckReservedLock(readFileSync(script, 'utf8'));
    if (patched === null) {
      throw new StorageError(`${script} is not the node-sqlite3-wasm build this store was checked with (its lock check could not be adjusted)`);
    }
    // The script is node-sqlite3-wasm's own, with its reserved-lock check adjusted.
    loaded = evaluateCommonJs(script, patched);
  }
  return loaded as T;
}

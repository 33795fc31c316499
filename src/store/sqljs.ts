/**
 * Loads sql.js (SQLite compiled to WebAssembly) once per process. The .wasm file is located next
 * to the package's own JS entry so it works from dist/, from node_modules and under Bun.
 *
 * One adjustment is made at load time. sql.js keeps the database in a file of Emscripten's
 * in-memory file system (MEMFS), whose backing array grows by ×1.125 once it passes 1 MiB,
 * copying the whole file each time: ~9× the database's size in copies (and as many fresh pages
 * for the kernel to fault in), the largest cost of inserting a row. The loader
 * reads sql.js's own script and evaluates it with that growth step changed to doubling, at most
 * +256 MiB per step. Only the part of the array in use is copied and touched, so the spare
 * capacity is address space, not resident memory. When the script does not contain the
 * expression (another sql.js build), the unmodified module is loaded instead; `sqlJsLoadInfo`
 * says which happened, and a test pins it for the sql.js version in package.json.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { evaluateCommonJs } from './engine/evaluate-commonjs.js';
import { dirname, join } from 'node:path';
import type { SqlJsStatic } from 'sql.js';

type InitSqlJs = (config?: { locateFile?: (file: string) => string }) => Promise<SqlJsStatic>;

/** MEMFS's growth step in sql.js 1.16's minified dist/sql-wasm.js: `cap*(cap<1048576?2:1.125)>>>0`. */
const MEMFS_GROWTH = /\b([A-Za-z_$][\w$]*)\*\(\1<1048576\?2:1\.125\)>>>0/g;
const MAX_GROWTH_STEP = 256 * 1024 * 1024;

export interface SqlJsLoadInfo {
  /** Whether MEMFS grows files by doubling (the adjusted script) or by ×1.125 (the original). */
  memfsGrowth: 'doubling' | 'original';
  /** The script that was evaluated or imported. */
  script: string;
}

let loading: Promise<SqlJsStatic> | null = null;
let info: SqlJsLoadInfo | null = null;

/** The sql.js script with MEMFS's growth step changed, or null when it cannot be changed safely. */
export function adjustMemfsGrowth(source: string): string | null {
  const matches = source.match(MEMFS_GROWTH);
  if (matches === null || matches.length !== 1) return null;
  return source.replace(MEMFS_GROWTH, (_whole, capacity: string) => `Math.min(${capacity}*2,${capacity}+${MAX_GROWTH_STEP})>>>0`);
}

async function importSqlJs(): Promise<InitSqlJs> {
  const require = createRequire(import.meta.url);
  const script = require.resolve('sql.js');
  try {
    const adjusted = adjustMemfsGrowth(readFileSync(script, 'utf8'));
    if (adjusted !== null) {
      // sql.js's own script (read from its package) with MEMFS's growth step changed.
      const init = evaluateCommonJs<InitSqlJs>(script, adjusted);
      info = { memfsGrowth: 'doubling', script };
      return init;
    }
  } catch {
    // Fall through to the unmodified module.
  }
  info = { memfsGrowth: 'original', script };
  return (await import('sql.js')).default as unknown as InitSqlJs;
}

export function loadSqlJs(): Promise<SqlJsStatic> {
  if (!loading) {
    const require = createRequire(import.meta.url);
    const wasmDir = dirname(require.resolve('sql.js/dist/sql-wasm.wasm'));
    loading = importSqlJs().then((init) => init({ locateFile: (file: string) => join(wasmDir, file) }));
  }
  return loading;
}

/** How sql.js was loaded (null before the first loadSqlJs()). */
export function sqlJsLoadInfo(): SqlJsLoadInfo | null {
  return info;
}

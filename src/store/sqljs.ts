/**
 * Loads sql.js (SQLite compiled to WebAssembly) once per process. The .wasm file is located next
 * to the package's own JS entry so it works from dist/, from node_modules and under Bun.
 */

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | null = null;

export function loadSqlJs(): Promise<SqlJsStatic> {
  if (!loading) {
    const require = createRequire(import.meta.url);
    const wasmDir = dirname(require.resolve('sql.js/dist/sql-wasm.wasm'));
    loading = initSqlJs({ locateFile: (file: string) => join(wasmDir, file) });
  }
  return loading;
}

/**
 * The in-memory engine: sql.js (SQLite compiled to WebAssembly) holding the whole database in
 * WebAssembly memory. For ':memory:' stores, hosts without a file system, and those who choose
 * it explicitly for a file: then the image is saved to the file whole (write FILE.tmp, fsync,
 * rename), at most every `autosaveIntervalMs` after a transaction and on save(). No cross-process
 * lock: one process per file. This sql.js build has no FTS5 (search uses the documented fallback).
 */

import { rmSync } from 'node:fs';
import type { BindParams, Database as SqlJsDatabase, SqlValue as SqlJsValue, Statement } from 'sql.js';
import { CorruptDatabaseError, PrxError, StorageError } from '../../errors.js';
import { readDatabaseFile, writeDatabaseFileAtomically } from '../file-persistence.js';
import { loadSqlJs } from '../sqljs.js';
import { createSerialGate } from './serial-gate.js';
import { createStatementCache, iterateRows } from './statement-cache.js';
import type { Params, PreparedStatement, Row, RunResult, SqlEngine, SqlExecutor } from './types.js';

export interface SqlJsEngineOptions {
  /** Save automatically after a transaction when at least this many ms passed since the last
   * save (default 10 s; 0 = after every transaction; null = only on save()). */
  autosaveIntervalMs?: number | null;
}

const DATA_STATEMENT = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

/** sql.js ≥ 1.9 reads 64-bit integers exactly with `{ useBigInt: true }` (missing from its d.ts);
 * values within 2^53 are turned back into numbers, as the file engine returns them. */
function getRow(statement: Statement, columns: string[]): Row {
  const get = statement.get as unknown as (params: null, config: { useBigInt: boolean }) => Array<SqlJsValue | bigint>;
  const values = get.call(statement, null, { useBigInt: true });
  const row: Row = {};
  columns.forEach((column, index) => {
    const value = values[index] as SqlJsValue | bigint;
    row[column] =
      typeof value === 'bigint' && value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  });
  return row;
}

/** Connection settings. The rollback journal stays in memory too (ROLLBACK still works). */
function configure(db: SqlJsDatabase): void {
  db.exec('PRAGMA foreign_keys = ON; PRAGMA journal_mode = MEMORY');
}

function wrapError(error: unknown): unknown {
  if (error instanceof PrxError || !(error instanceof Error)) return error;
  // sql.js throws plain Errors carrying SQLite's message.
  if (/malformed|not a database/i.test(error.message)) return new CorruptDatabaseError(error.message, { cause: error });
  return new StorageError(error.message, { cause: error });
}

export async function openSqlJsEngine(path: string, options: SqlJsEngineOptions = {}): Promise<SqlEngine> {
  const SQL = await loadSqlJs();
  const inMemory = path === ':memory:';
  const image = inMemory ? null : readDatabaseFile(path);
  // A FILE.tmp beside the file is what a process killed during a save left (one process per
  // file with this engine): the file itself holds the last complete save.
  if (!inMemory) rmSync(`${path}.tmp`, { force: true });
  let db: SqlJsDatabase;
  try {
    db = new SQL.Database(image ?? undefined);
    configure(db);
  } catch (error) {
    throw new CorruptDatabaseError(`${path} cannot be opened: ${(error as Error).message}`, { cause: error });
  }
  const gate = createSerialGate();
  const statements = createStatementCache<Statement>((sql) => db.prepare(sql));
  let dirty = image === null && !inMemory;
  let lastSave: { bytes: number; ms: number } | null = null;
  let lastSaveAt = Date.now();
  let closed = false;
  const autosaveIntervalMs = options.autosaveIntervalMs === undefined ? 10_000 : options.autosaveIntervalMs;

  const sync = {
    run(sql: string, params?: Params): RunResult {
      const statement = statements.get(sql);
      statement.run(params as BindParams | undefined);
      const changes = db.getRowsModified();
      // A data statement that changed no row (an upsert of what is there) leaves the image as
      // it was: no save, no rewrite of a large file for nothing.
      if (!DATA_STATEMENT.test(sql) || changes > 0) dirty = true;
      return { changes: DATA_STATEMENT.test(sql) ? changes : 0 };
    },
    all(sql: string, params?: Params): Row[] {
      const statement = statements.get(sql);
      try {
        statement.bind(params as BindParams | undefined);
        const rows: Row[] = [];
        const columns = statement.getColumnNames();
        while (statement.step()) rows.push(getRow(statement, columns));
        return rows;
      } finally {
        statement.reset();
      }
    },
    exec(sql: string): void {
      db.exec(sql);
      dirty = true;
    },
  };

  const guarded = <T>(work: () => T): T => {
    if (closed) throw new StorageError(`${path} is closed`);
    try {
      return work();
    } catch (error) {
      throw wrapError(error);
    }
  };
  const statementFor = (sql: string, runner: <T>(work: () => T) => Promise<T>): PreparedStatement => ({
    run: (params) => runner(() => sync.run(sql, params)),
    all: (params) => runner(() => sync.all(sql, params)),
    get: (params) => runner(() => sync.all(sql, params)[0]),
    iterate: (params) => iterateRows(runner(() => sync.all(sql, params))),
  });
  const outside = <T>(work: () => T): Promise<T> => gate.run(() => guarded(work));

  const save = (): void => {
    if (inMemory) {
      dirty = false;
      return;
    }
    const started = performance.now();
    const bytes = db.export();
    // export() resets sql.js's connection settings; apply them again.
    configure(db);
    writeDatabaseFileAtomically(path, bytes);
    lastSave = { bytes: bytes.byteLength, ms: performance.now() - started };
    lastSaveAt = Date.now();
    dirty = false;
  };

  const engine: SqlEngine = {
    name: 'sqljs',
    path,
    fts5: false,
    exec: (sql) => outside(() => sync.exec(sql)),
    prepare: (sql) => statementFor(sql, outside),
    transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return gate.run(async () => {
        let active = true;
        const inside = <R>(fn: () => R): Promise<R> =>
          active ? Promise.resolve().then(() => guarded(fn)) : Promise.reject(new StorageError('statement issued after its transaction ended'));
        const tx: SqlExecutor = { exec: (sql) => inside(() => sync.exec(sql)), prepare: (sql) => statementFor(sql, inside) };
        const wasDirty = dirty;
        dirty = false;
        guarded(() => db.exec('BEGIN'));
        let result: T;
        try {
          result = await work(tx);
          guarded(() => db.exec('COMMIT'));
        } catch (error) {
          try {
            db.exec('ROLLBACK');
          } catch {
            // Already rolled back by SQLite.
          }
          dirty = wasDirty;
          throw error;
        } finally {
          active = false;
        }
        // Only statements that changed something (see run()) make the image dirty.
        dirty = dirty || wasDirty;
        if (dirty && autosaveIntervalMs !== null && Date.now() - lastSaveAt >= autosaveIntervalMs) save();
        return result;
      });
    },
    save: () => gate.run(() => save()),
    get dirty() {
      return dirty;
    },
    get lastSave() {
      return lastSave;
    },
    close: () =>
      gate.run(() => {
        if (closed) return;
        closed = true;
        for (const statement of statements.drain()) statement.free();
        db.close();
      }),
  };
  return engine;
}

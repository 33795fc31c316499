/**
 * The file engine (default for file paths): SQLite compiled to WebAssembly (node-sqlite3-wasm)
 * reading and writing the database file page by page through node:fs. Memory is bounded by
 * SQLite's page cache; every transaction is durable on commit through SQLite's rollback journal
 * (`<db>-journal`, removed at commit). Each statement or transaction runs while holding the
 * cross-process lock (file-lock.ts) and releases it after, so processes take turns per
 * transaction, never per sync. Transactions that wait while one runs are committed together
 * (group-commit.ts): one journal and one set of fsyncs for the group, each caller's work still
 * atomic on its own, the lock released at each group's commit.
 */

import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { CorruptDatabaseError, LockedError, PrxError, StorageError } from '../../errors.js';
import { createFileLock, type FileLock } from './file-lock.js';
import { createGroupCommit, groupCommitSettings, type GroupCommitOptions } from './group-commit.js';
import { createSerialGate } from './serial-gate.js';
import { createStatementCache, iterateRows } from './statement-cache.js';
import { loadSqliteWasm } from './sqlite-wasm-loader.js';
import type { Params, PreparedStatement, Row, RunResult, SqlEngine } from './types.js';

interface WasmStatement {
  run(values?: unknown[]): { changes: number };
  all(values?: unknown[]): Row[];
  finalize(): void;
}
interface WasmDatabase {
  exec(sql: string): void;
  prepare(sql: string): WasmStatement;
  close(): void;
  readonly inTransaction: boolean;
}
type WasmModule = { Database: new (path: string, options?: { fileMustExist?: boolean }) => WasmDatabase };

const SQLITE_MAGIC = 'SQLite format 3\u0000';

export interface FileEngineOptions {
  /** How long a statement waits for another process's transaction (default 10 s), then LOCKED. */
  busyTimeoutMs?: number;
  /** SQLite page cache size in KiB (default 16 MiB). */
  cacheKiB?: number;
  /** Group commit bounds (see group-commit.ts): at most 16 transactions, 50 ms per group. */
  groupCommit?: GroupCommitOptions;
}

const loadWasm = (): WasmModule => loadSqliteWasm<WasmModule>();

/** Maps an SQLite failure to the project's typed errors; other errors pass through unchanged. */
export function engineError(path: string, error: unknown): unknown {
  if (error instanceof PrxError || !(error instanceof Error) || error.name !== 'SQLite3Error') return error;
  const message = (error as Error)?.message ?? String(error);
  if (/malformed|not a database|file is not a database/i.test(message)) {
    return new CorruptDatabaseError(`${path}: ${message}`, { cause: error });
  }
  if (/database is locked|database table is locked/i.test(message)) {
    return new LockedError(`${path}: ${message}`, { cause: error });
  }
  return new StorageError(`${path}: ${message}`, { cause: error });
}

/** Refuses, without touching it, a non-empty file that is not SQLite. */
function checkMagic(path: string): void {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new StorageError(`cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (size === 0) return;
  const header = Buffer.alloc(16);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_MAGIC) {
    throw new CorruptDatabaseError(`${path} is not an SQLite database (left untouched)`);
  }
}

export async function openFileEngine(path: string, options: FileEngineOptions = {}): Promise<SqlEngine> {
  const groupCommit = groupCommitSettings(options.groupCommit);
  const lock: FileLock = createFileLock(path, { busyTimeoutMs: options.busyTimeoutMs ?? 10_000 });
  const gate = createSerialGate();
  let fts5 = false;
  let db: WasmDatabase;
  await lock.acquire();
  try {
    checkMagic(path);
    try {
      const { Database } = loadWasm();
      db = new Database(path);
    } catch (error) {
      throw engineError(path, error);
    }
    try {
      // Another process may hold SQLite's own lock for a moment between our lock's release and
      // its own; SQLite's busy handler waits for it.
      db.exec(`PRAGMA busy_timeout = 2000; PRAGMA foreign_keys = ON; PRAGMA cache_size = -${options.cacheKiB ?? 16_384}; PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL`);
      const probe = db.prepare("SELECT sqlite_compileoption_used('ENABLE_FTS5') AS fts5");
      fts5 = Number(probe.all()[0]?.fts5) === 1;
      probe.finalize();
    } catch (error) {
      db.close();
      throw engineError(path, error);
    }
  } finally {
    lock.release();
  }

  const statements = createStatementCache<WasmStatement>((sql) => db.prepare(sql));
  let closed = false;

  /** Runs synchronous SQLite work outside a transaction, holding the file lock for just that. */
  /** Takes the cross-process lock for a statement or a group of transactions (closed: refused). */
  const takeLock = async (): Promise<void> => {
    if (closed) throw new StorageError(`${path} is closed`);
    if (!lock.tryAcquire()) await lock.acquire();
  };
  const withLock = async <T>(work: () => T): Promise<T> => {
    await takeLock();
    try {
      return work();
    } catch (error) {
      throw engineError(path, error);
    } finally {
      lock.release();
    }
  };

  /** A statement whose step failed keeps the error for its next reset, which the binding
   * refuses: it is dropped from the cache and prepared afresh next time. */
  const using = <T>(sql: string, work: (statement: WasmStatement) => T): T => {
    const statement = statements.get(sql);
    try {
      return work(statement);
    } catch (error) {
      statements.forget(sql);
      try {
        statement.finalize();
      } catch {
        // Finalizing reports the same error again.
      }
      throw error;
    }
  };
  const statementFor = (sql: string, runner: <T>(work: () => T) => Promise<T>): PreparedStatement => ({
    run: (params?: Params) => runner((): RunResult => ({ changes: using(sql, (s) => s.run(params as unknown[] | undefined).changes) })),
    all: (params?: Params) => runner(() => using(sql, (s) => s.all(params as unknown[] | undefined))),
    // all() steps to the end, which ends SQLite's implicit read transaction (a suspended step
    // would keep SQLite's lock after ours is released).
    get: (params?: Params) => runner(() => using(sql, (s) => s.all(params as unknown[] | undefined))[0]),
    iterate: (params?: Params) => iterateRows(runner(() => using(sql, (s) => s.all(params as unknown[] | undefined)))),
  });

  const outside = <T>(work: () => T): Promise<T> => gate.run(() => withLock(work));
  // Transactions: waiting ones are run in the same SQLite transaction and committed once.
  const group = createGroupCommit(
    {
      gate,
      lock: takeLock,
      unlock: () => lock.release(),
      exec: (sql) => db.exec(sql),
      get inTransaction() {
        return db.inTransaction;
      },
      mapError: (error) => engineError(path, error),
      executor: (runner) => ({ exec: (sql) => runner(() => db.exec(sql)), prepare: (sql) => statementFor(sql, runner) }),
    },
    groupCommit,
  );

  const engine: SqlEngine = {
    name: 'file',
    path,
    fts5,
    exec: (sql) => outside(() => db.exec(sql)),
    prepare: (sql) => statementFor(sql, outside),
    transaction: (work) => group.transaction(work),
    save: async () => undefined,
    get dirty() {
      return false;
    },
    lastSave: null,
    close: () =>
      gate.run(() => {
        if (closed) return;
        closed = true;
        for (const statement of statements.drain()) {
          try {
            statement.finalize();
          } catch {
            // Finalizing reports the statement's last error again; the connection closes anyway.
          }
        }
        db.close();
      }),
  };
  return engine;
}

/**
 * The SQL engine port: the little the store's repositories need from a database engine. Every
 * call returns a promise so that an engine in another process (a server database) fits behind the
 * same port; the WebAssembly SQLite engines answer synchronously underneath.
 */

/** A value bound to or read from a statement. 64-bit integers beyond 2^53 are bigint. */
export type SqlValue = number | bigint | string | Uint8Array | null;
export type Row = Record<string, SqlValue>;
export type Params = readonly (SqlValue | boolean)[];

export interface RunResult {
  /** Rows changed by the statement (INSERT/UPDATE/DELETE); 0 for others. */
  changes: number;
}

export interface PreparedStatement {
  run(params?: Params): Promise<RunResult>;
  get(params?: Params): Promise<Row | undefined>;
  all(params?: Params): Promise<Row[]>;
  /** Rows one at a time (the engine may hold the file lock until the iteration ends). */
  iterate(params?: Params): AsyncIterableIterator<Row>;
}

/** What a transaction's work receives: statements that run inside that transaction. */
export interface SqlExecutor {
  exec(sql: string): Promise<void>;
  prepare(sql: string): PreparedStatement;
}

export type EngineName = 'file' | 'sqljs' | 'postgres';

export interface SqlEngine extends SqlExecutor {
  readonly name: EngineName;
  readonly path: string;
  /** Whether the engine has SQLite's FTS5 module (full-text search with bm25). */
  readonly fts5: boolean;
  /** Runs `work` in one transaction: all of it is committed, or none (the error is rethrown).
   * Calls on the engine itself wait until the transaction ends. The file engine may commit it
   * together with transactions called while it runs (group commit): a work must not await the
   * promise of another transaction. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Persists what is committed (the in-memory engine's image save; a no-op for file engines). */
  save(): Promise<void>;
  /** True when committed changes are not yet persisted (always false for file engines). */
  readonly dirty: boolean;
  readonly lastSave: { bytes: number; ms: number } | null;
  /** Engines with their own schema bookkeeping (PostgreSQL) migrate themselves; the SQLite
   * engines leave it to the store (PRAGMA user_version). */
  migrate?(): Promise<void>;
  close(): Promise<void>;
}

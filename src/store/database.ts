/**
 * The store's core: one sql.js database in memory, its migrations, a statement cache, a
 * transaction helper, and saving to the file. Repositories (accounts, sync, queries, runner
 * state) are built on the `Database` handle defined here.
 */

import type { BindParams, Database as SqlJsDatabase, SqlValue, Statement } from 'sql.js';
import { CorruptDatabaseError, StorageError } from '../errors.js';
import { readDatabaseFile, writeDatabaseFileAtomically } from './file-persistence.js';
import { APPLICATION_ID, MIGRATIONS } from './schema.js';
import { loadSqlJs } from './sqljs.js';

export type Row = Record<string, SqlValue | bigint>;

const DATA_STATEMENT = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

export interface Database {
  readonly path: string;
  /** Runs a statement (cached) and returns nothing. */
  run(sql: string, params?: BindParams): void;
  /** All rows of a query (cached statement); 64-bit integers come back as bigint when asked. */
  all(sql: string, params?: BindParams, options?: { bigint?: boolean }): Row[];
  one(sql: string, params?: BindParams, options?: { bigint?: boolean }): Row | undefined;
  /** Runs `work` in one transaction: all of it is applied, or none. */
  transaction<T>(work: () => T): T;
  /** True when something changed since the last save. */
  readonly dirty: boolean;
  /** Writes the image to the file atomically (no-op for ':memory:'). */
  save(): void;
  saveIfDirty(): boolean;
  /** Size of the exported image at the last save, and how long the save took. */
  readonly lastSave: { bytes: number; ms: number } | null;
  close(): void;
}

export interface OpenDatabaseOptions {
  /** Save automatically after a transaction when at least this many ms passed since the last
   * save (default 10 s; 0 = after every transaction; null = only on save()/saveIfDirty()).
   * Every save is a consistent image: rows and cursors of whole transactions only. */
  autosaveIntervalMs?: number | null;
}

/** sql.js ≥ 1.9 reads 64-bit integers exactly with `{ useBigInt: true }` (missing from its d.ts). */
function getWithBigInt(statement: Statement): Array<SqlValue | bigint> {
  const get = statement.get as unknown as (params: null, config: { useBigInt: boolean }) => Array<SqlValue | bigint>;
  return get.call(statement, null, { useBigInt: true });
}

/** Connection settings. The database lives in WebAssembly memory and reaches the disk only through
 * save(), so the rollback journal is kept in memory too (ROLLBACK still works) and fsyncs inside
 * sql.js would be meaningless. */
function configure(db: SqlJsDatabase): void {
  db.exec('PRAGMA foreign_keys = ON; PRAGMA journal_mode = MEMORY');
}

function readPragma(db: SqlJsDatabase, name: string): number {
  const result = db.exec(`PRAGMA ${name}`);
  return Number(result[0]?.values[0]?.[0] ?? 0);
}

function migrate(db: SqlJsDatabase, path: string, isNew: boolean): void {
  if (!isNew) {
    const appId = readPragma(db, 'application_id');
    if (appId !== APPLICATION_ID) {
      throw new CorruptDatabaseError(`${path} is an SQLite database but not a prx-email one (left untouched)`);
    }
  }
  const version = readPragma(db, 'user_version');
  if (version > MIGRATIONS.length) {
    throw new CorruptDatabaseError(`${path} has schema version ${version}, newer than this prx-email (${MIGRATIONS.length})`);
  }
  for (let next = version; next < MIGRATIONS.length; next++) {
    db.exec('BEGIN');
    try {
      db.exec(MIGRATIONS[next] as string);
      db.exec(`PRAGMA user_version = ${next + 1}`);
      db.exec(`PRAGMA application_id = ${APPLICATION_ID}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new StorageError(`migration ${next + 1} failed: ${(error as Error).message}`, { cause: error });
    }
  }
}

export async function openDatabase(path: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  const SQL = await loadSqlJs();
  const inMemory = path === ':memory:';
  const image = inMemory ? null : readDatabaseFile(path);
  let db: SqlJsDatabase;
  try {
    db = new SQL.Database(image ?? undefined);
    configure(db);
    migrate(db, path, image === null);
  } catch (error) {
    if (error instanceof CorruptDatabaseError || error instanceof StorageError) throw error;
    throw new CorruptDatabaseError(`${path} cannot be opened: ${(error as Error).message}`, { cause: error });
  }

  const statements = new Map<string, Statement>();
  let dirty = image === null && !inMemory;
  let depth = 0;
  let lastSave: { bytes: number; ms: number } | null = null;
  let lastSaveAt = Date.now();
  const autosaveIntervalMs = options.autosaveIntervalMs === undefined ? 10_000 : options.autosaveIntervalMs;

  const prepare = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };

  const wrap = <T>(work: () => T): T => {
    try {
      return work();
    } catch (error) {
      if (error instanceof StorageError || error instanceof CorruptDatabaseError) throw error;
      throw new StorageError((error as Error).message, { cause: error });
    }
  };

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

  const handle: Database = {
    path,
    run(sql, params) {
      wrap(() => {
        const statement = prepare(sql);
        statement.run(params);
        // A data statement that changed no row (an upsert of what is there) leaves the image as
        // it was: no save, no rewrite of a large file for nothing.
        if (!DATA_STATEMENT.test(sql) || db.getRowsModified() > 0) dirty = true;
      });
    },
    all(sql, params, opts) {
      return wrap(() => {
        const statement = prepare(sql);
        try {
          statement.bind(params);
          const rows: Row[] = [];
          const columns = statement.getColumnNames();
          while (statement.step()) {
            const values = opts?.bigint ? getWithBigInt(statement) : statement.get();
            const row: Row = {};
            columns.forEach((column, index) => {
              row[column] = values[index] as SqlValue | bigint;
            });
            rows.push(row);
          }
          return rows;
        } finally {
          statement.reset();
        }
      });
    },
    one(sql, params, opts) {
      return handle.all(sql, params, opts)[0];
    },
    transaction(work) {
      if (depth > 0) return work();
      const wasDirty = dirty;
      dirty = false;
      db.exec('BEGIN');
      depth++;
      let result;
      try {
        result = work();
        db.exec('COMMIT');
      } catch (error) {
        db.exec('ROLLBACK');
        dirty = wasDirty;
        throw error;
      } finally {
        depth--;
      }
      // Only statements that changed something (see run()) make the image dirty.
      dirty = dirty || wasDirty;
      if (dirty && autosaveIntervalMs !== null && Date.now() - lastSaveAt >= autosaveIntervalMs) save();
      return result;
    },
    get dirty() {
      return dirty;
    },
    save,
    saveIfDirty() {
      if (!dirty) return false;
      save();
      return true;
    },
    get lastSave() {
      return lastSave;
    },
    close() {
      for (const statement of statements.values()) statement.free();
      statements.clear();
      db.close();
    },
  };
  if (dirty) save();
  return handle;
}

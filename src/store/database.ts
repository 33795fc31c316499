/**
 * The store's core: opens the engine for a path (the file engine for files, sql.js for
 * ':memory:' or when asked), applies the migrations, and gives repositories the `Database`
 * handle: cached statements, transactions, and (for sql.js) saving the image.
 */

import { ConfigError, CorruptDatabaseError, PrxError, StorageError } from '../errors.js';
import { openFileEngine } from './engine/file-engine.js';
import type { GroupCommitOptions } from './engine/group-commit.js';
import { isPostgresUrl, openPostgresEngine, type PostgresEngineOptions } from './engine/postgres-engine.js';
import { openSqlJsEngine } from './engine/sqljs-engine.js';
import type { EngineName, Row, SqlEngine, SqlExecutor, SqlValue } from './engine/types.js';
import { APPLICATION_ID, MIGRATIONS, ensureSearchIndex, hasSearchIndex, refuseSearchIndexWithoutFts5 } from './schema.js';

export type { Row, SqlValue } from './engine/types.js';

/** Statements a repository runs: on the database, or inside one of its transactions. */
export interface Queryable {
  /** Runs a statement (cached); returns how many rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** All rows of a query (cached statement); integers beyond 2^53 come back as bigint. */
  all(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  one(sql: string, params?: readonly unknown[]): Promise<Row | undefined>;
  /** Runs `work` in one transaction (or inside the current one): all of it is applied, or none. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
}

export interface Database extends Queryable {
  /** The file path, ':memory:', or the PostgreSQL URL without its password. */
  readonly path: string;
  readonly engine: SqlEngine;
  /** True when something changed since the last save (sql.js image; always false on files). */
  readonly dirty: boolean;
  /** sql.js with a file: writes the image atomically. File engine / ':memory:': nothing to do. */
  save(): Promise<void>;
  saveIfDirty(): Promise<boolean>;
  /** Size of the exported image at the last save, and how long the save took (sql.js only). */
  readonly lastSave: { bytes: number; ms: number } | null;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** 'file' (default for a path: page-level WebAssembly SQLite on the file) or 'sqljs' (the whole
   * database in memory, saved as an image; the only engine for ':memory:'). */
  engine?: EngineName;
  /** sql.js only: save automatically after a transaction when at least this many ms passed since
   * the last save (default 10 s; 0 = after every transaction; null = only on save()). */
  autosaveIntervalMs?: number | null;
  /** File engine: how long to wait for another process's transaction before LOCKED (10 s). */
  busyTimeoutMs?: number;
  /** File engine: group commit (transactions waiting while one runs are committed together):
   * at most `maxTransactions` (16) per group, none taken after `maxGroupMs` (50), `gatherMs` (5)
   * waited for more while callers run concurrently; see docs/store.md. */
  groupCommit?: GroupCommitOptions;
  /** A postgres:// URL: schema and pool size (see postgres-engine.ts). */
  postgres?: PostgresEngineOptions;
}

type Executor = Pick<SqlExecutor, 'exec' | 'prepare'>;

function queryable(executor: Executor, transaction: Queryable['transaction']): Queryable {
  return {
    run: async (sql, params) => (await executor.prepare(sql).run(params as SqlValue[] | undefined)).changes,
    all: (sql, params) => executor.prepare(sql).all(params as SqlValue[] | undefined),
    one: (sql, params) => executor.prepare(sql).get(params as SqlValue[] | undefined),
    transaction,
  };
}

async function readPragma(engine: SqlEngine, name: string): Promise<number> {
  const row = await engine.prepare(`PRAGMA ${name}`).get();
  return Number(row?.[name] ?? 0);
}

async function migrate(engine: SqlEngine, path: string): Promise<void> {
  const tables = Number((await engine.prepare('SELECT COUNT(*) AS n FROM sqlite_master').get())?.n ?? 0);
  const appId = await readPragma(engine, 'application_id');
  if (tables > 0 && appId !== APPLICATION_ID) {
    throw new CorruptDatabaseError(`${path} is an SQLite database but not a prx-email one (left untouched)`);
  }
  const version = await readPragma(engine, 'user_version');
  if (version > MIGRATIONS.length) {
    throw new CorruptDatabaseError(`${path} has schema version ${version}, newer than this prx-email (${MIGRATIONS.length})`);
  }
  await refuseSearchIndexWithoutFts5(engine);
  for (let next = version; next < MIGRATIONS.length; next++) {
    const migration = MIGRATIONS[next] as (typeof MIGRATIONS)[number];
    const sql = typeof migration === 'string' ? migration : migration({ fts5: engine.fts5, searchIndex: await hasSearchIndex(engine) });
    try {
      await engine.transaction(async (tx) => {
        // Read again under the write lock: another process opening the same new file may have
        // applied this migration since the version was read above.
        if (Number((await tx.prepare('PRAGMA user_version').get())?.user_version ?? 0) > next) return;
        await tx.exec(sql);
        await tx.exec(`PRAGMA user_version = ${next + 1}; PRAGMA application_id = ${APPLICATION_ID}`);
      });
    } catch (error) {
      throw new StorageError(`migration ${next + 1} failed: ${(error as Error).message}`, { cause: error });
    }
  }
  await ensureSearchIndex(engine);
}

export async function openDatabase(path: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  const engineName: EngineName = path === ':memory:' ? 'sqljs' : isPostgresUrl(path) ? 'postgres' : (options.engine ?? 'file');
  if (engineName === 'postgres' && !isPostgresUrl(path)) throw new ConfigError('the postgres engine needs a postgres:// URL');
  const engine =
    engineName === 'postgres'
      ? await openPostgresEngine(path, options.postgres)
      : engineName === 'file'
      ? await openFileEngine(path, {
          ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
          ...(options.groupCommit === undefined ? {} : { groupCommit: options.groupCommit }),
        })
      : await openSqlJsEngine(path, options.autosaveIntervalMs === undefined ? {} : { autosaveIntervalMs: options.autosaveIntervalMs });
  try {
    await (engine.migrate ? engine.migrate() : migrate(engine, path));
  } catch (error) {
    await engine.close().catch(() => undefined);
    if (error instanceof PrxError) throw error;
    throw new CorruptDatabaseError(`${engine.path} cannot be opened: ${(error as Error).message}`, { cause: error });
  }

  const transaction = <T>(work: (tx: Queryable) => Promise<T>): Promise<T> =>
    engine.transaction((tx) => {
      const inner: Queryable = queryable(tx, (nested) => nested(inner));
      return work(inner);
    });
  const handle: Database = {
    ...queryable(engine, transaction),
    path: engine.path,
    engine,
    get dirty() {
      return engine.dirty;
    },
    save: () => engine.save(),
    async saveIfDirty() {
      if (!engine.dirty) return false;
      await engine.save();
      return true;
    },
    get lastSave() {
      return engine.lastSave;
    },
    close: () => engine.close(),
  };
  if (engine.dirty) await engine.save();
  return handle;
}

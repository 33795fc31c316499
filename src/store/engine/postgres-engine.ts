/**
 * The PostgreSQL engine: the SQL engine port over a node-postgres pool. `pg` is an optional
 * dependency loaded with a dynamic import only when a postgres:// URL is opened. Statements are
 * translated by postgres-dialect.ts; a transaction holds one pooled connection from BEGIN to
 * COMMIT/ROLLBACK, while calls on the engine itself run on any free connection (PostgreSQL, not a
 * process-wide gate, keeps concurrent transactions apart). The store lives in one schema
 * (`?schema=` in the URL or the `schema` option, default `public`), created when missing; the
 * engine applies its own migrations under an advisory lock so workers starting together agree.
 */

import { ConfigError, CorruptDatabaseError, PrxError, StorageError } from '../../errors.js';
import { APPLICATION, INT8_OID, PG_MIGRATIONS, SCHEMA_TABLE, parseInt8, toPgParam, translateSql } from './postgres-dialect.js';
import type { Params, PreparedStatement, Row, RunResult, SqlEngine, SqlExecutor } from './types.js';

export interface PostgresEngineOptions {
  /** Schema holding the store's tables (default: `?schema=` of the URL, else `public`). */
  schema?: string;
  /** Connections in the pool (default 4). */
  poolSize?: number;
  /** Application name shown in pg_stat_activity (default `prx-email`). */
  applicationName?: string;
}

/** The subset of node-postgres this engine uses. */
export interface PgClient {
  query(config: { text: string; values?: unknown[] } | string, values?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
  release(error?: Error | boolean): void;
}
export interface PgPool {
  connect(): Promise<PgClient>;
  query(config: { text: string; values?: unknown[] } | string, values?: unknown[]): Promise<{ rows: Row[]; rowCount: number | null }>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}
interface PgModule {
  Pool: new (config: Record<string, unknown>) => PgPool;
  Client: new (config: Record<string, unknown>) => PgClient & { connect(): Promise<void>; end(): Promise<void>; on(event: string, listener: (...args: unknown[]) => void): unknown };
}

export function isPostgresUrl(path: string): boolean {
  return /^postgres(ql)?:\/\//i.test(path);
}

/** The URL without its password (for messages and `engine.path`). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}

let pgModule: Promise<PgModule> | null = null;

/** node-postgres, imported on first use; ConfigError when it is not installed. */
export function loadPg(): Promise<PgModule> {
  pgModule ??= import('pg').then(
    (mod) => ((mod as unknown as { default?: PgModule }).default ?? (mod as unknown as PgModule)),
    (error: unknown) => {
      pgModule = null;
      throw new ConfigError("PostgreSQL support needs the optional 'pg' package: npm install pg", { cause: error });
    },
  );
  return pgModule;
}

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Connection settings for node-postgres from a URL (+ options): the schema goes on the search path. */
export function pgConfig(url: string, options: PostgresEngineOptions = {}): { config: Record<string, unknown>; schema: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ConfigError(`not a PostgreSQL URL: ${redactUrl(url)}`, { cause: error });
  }
  const schema = options.schema ?? parsed.searchParams.get('schema') ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new ConfigError(`schema name must be a plain identifier: ${JSON.stringify(schema)}`);
  parsed.searchParams.delete('schema');
  return {
    schema,
    config: {
      connectionString: parsed.toString(),
      application_name: options.applicationName ?? 'prx-email',
      options: `-c search_path=${schema}`,
      types: { getTypeParser: typeParser },
    },
  };
}

let defaultParsers: { getTypeParser(oid: number, format?: string): (value: string) => unknown } | null = null;
function typeParser(oid: number, format?: string): (value: string) => unknown {
  if (oid === INT8_OID) return parseInt8;
  return (defaultParsers as NonNullable<typeof defaultParsers>).getTypeParser(oid, format);
}

/** Maps a node-postgres failure to the project's typed errors (messages carry no password). */
export function pgError(where: string, error: unknown): unknown {
  if (error instanceof PrxError) return error;
  const message = (error as Error)?.message ?? String(error);
  return new StorageError(`${where}: ${message}`, { cause: error });
}

function bind(params?: Params): unknown[] {
  return (params ?? []).map(toPgParam);
}

type Runner = (text: string, values: unknown[]) => Promise<{ rows: Row[]; rowCount: number | null }>;

function statement(where: string, sql: string, run: Runner, check: () => void): PreparedStatement {
  const text = translateSql(sql);
  const query = async (params?: Params) => {
    check();
    try {
      return await run(text, bind(params));
    } catch (error) {
      throw pgError(where, error);
    }
  };
  return {
    run: async (params): Promise<RunResult> => ({ changes: (await query(params)).rowCount ?? 0 }),
    get: async (params) => (await query(params)).rows[0],
    all: async (params) => (await query(params)).rows,
    async *iterate(params) {
      for (const row of (await query(params)).rows) yield row;
    },
  };
}

export interface PostgresEngine extends SqlEngine {
  readonly schema: string;
  readonly pool: PgPool;
  readonly url: string;
}

export async function openPostgresEngine(url: string, options: PostgresEngineOptions = {}): Promise<PostgresEngine> {
  const pg = await loadPg();
  defaultParsers ??= ((await import('pg')) as unknown as { default: { types: typeof defaultParsers } }).default.types;
  const { config, schema } = pgConfig(url, options);
  const where = redactUrl(url);
  const pool = new pg.Pool({ ...config, max: options.poolSize ?? 4 });
  // An idle connection dropped by the server must not crash the process.
  pool.on('error', () => undefined);
  let closed = false;
  const check = () => {
    if (closed) throw new StorageError(`${where} is closed`);
  };
  const poolRunner: Runner = (text, values) => pool.query({ text, values });

  const engine: PostgresEngine = {
    name: 'postgres',
    path: where,
    url,
    schema,
    pool,
    fts5: false,
    dirty: false,
    lastSave: null,
    async exec(sql) {
      check();
      try {
        await pool.query(sql);
      } catch (error) {
        throw pgError(where, error);
      }
    },
    prepare: (sql) => statement(where, sql, poolRunner, check),
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      check();
      let client: PgClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw pgError(where, error);
      }
      let active = true;
      const txCheck = () => {
        if (!active) throw new StorageError('statement issued after its transaction ended');
      };
      const run: Runner = (text, values) => client.query({ text, values });
      const tx: SqlExecutor = {
        async exec(sql) {
          txCheck();
          try {
            await client.query(sql);
          } catch (error) {
            throw pgError(where, error);
          }
        },
        prepare: (sql) => statement(where, sql, run, txCheck),
      };
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await work(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw pgError(where, error);
      } finally {
        active = false;
        client.release(broken);
      }
    },
    save: async () => undefined,
    async migrate() {
      await migratePostgres(engine);
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end().catch(() => undefined);
    },
  };
  return engine;
}

/** Creates the schema when missing and applies the PostgreSQL migrations, under an advisory lock
 * (workers starting together run them once). A schema with tables but no prx_schema row is
 * someone else's and is refused, untouched. */
async function migratePostgres(engine: PostgresEngine): Promise<void> {
  await engine.transaction(async (tx) => {
    await tx.prepare("SELECT pg_advisory_xact_lock(hashtext('prx-email-schema'))").get();
    await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${engine.schema}`);
    const tables = Number(
      (await tx.prepare('SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ?').get([engine.schema]))?.n ?? 0,
    );
    const hasMeta = Number(
      (await tx.prepare("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = ? AND table_name = 'prx_schema'").get([engine.schema]))?.n ?? 0,
    );
    let version = 0;
    if (hasMeta > 0) {
      const row = await tx.prepare('SELECT application, version FROM prx_schema').get();
      if (row && row.application !== APPLICATION) throw new CorruptDatabaseError(`${engine.path} schema ${engine.schema} is not a prx-email store (left untouched)`);
      version = Number(row?.version ?? 0);
    } else if (tables > 0) {
      throw new CorruptDatabaseError(`${engine.path} schema ${engine.schema} has tables but is not a prx-email store (left untouched)`);
    }
    if (version > PG_MIGRATIONS.length) {
      throw new CorruptDatabaseError(`${engine.path} has schema version ${version}, newer than this prx-email (${PG_MIGRATIONS.length})`);
    }
    if (hasMeta === 0) {
      await tx.exec(SCHEMA_TABLE);
      await tx.prepare('INSERT INTO prx_schema (application, version) VALUES (?, 0)').run([APPLICATION]);
    }
    for (let next = version; next < PG_MIGRATIONS.length; next++) {
      try {
        await tx.exec(PG_MIGRATIONS[next] as string);
      } catch (error) {
        throw new StorageError(`migration ${next + 1} failed: ${(error as Error).message}`, { cause: error });
      }
      await tx.prepare('UPDATE prx_schema SET version = ?').run([next + 1]);
    }
  });
}

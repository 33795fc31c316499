/**
 * What both WebAssembly SQLite engines share around their prepared statements: one prepared
 * statement per SQL text, reused for the life of the connection, and rows handed out as an
 * async iterator.
 */
import type { Row } from './types.js';

export interface StatementCache<S> {
  /** The statement for `sql`, prepared on first use. */
  get(sql: string): S;
  /** Drops `sql`'s statement (the caller finalizes it); the next `get` prepares it afresh. */
  forget(sql: string): void;
  /** Every statement prepared so far, then forgets them (on close). */
  drain(): S[];
}

export function createStatementCache<S>(prepare: (sql: string) => S): StatementCache<S> {
  const statements = new Map<string, S>();
  return {
    get(sql) {
      let statement = statements.get(sql);
      if (!statement) {
        statement = prepare(sql);
        statements.set(sql, statement);
      }
      return statement;
    },
    forget(sql) {
      statements.delete(sql);
    },
    drain() {
      const all = [...statements.values()];
      statements.clear();
      return all;
    },
  };
}

export async function* iterateRows(rows: Promise<Row[]>): AsyncIterableIterator<Row> {
  for (const row of await rows) yield row;
}

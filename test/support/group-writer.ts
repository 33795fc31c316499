/**
 * Child process for the group-commit test: on the database file argv[2] (table `t` made by the
 * test), keeps argv[3] writers busy for argv[4] ms, each inserting one row per transaction with a
 * short pause of "network" (1–4 ms) between its transactions, so that transactions wait while
 * one runs and are committed in groups (argv[5]: maxTransactions, for comparisons). Prints "started" once writing, then one JSON line:
 * { transactions }. Test-only.
 */
import { openDatabase } from '../../src/store/database.js';

const path = process.argv[2] as string;
const writers = Number(process.argv[3] ?? 8);
const durationMs = Number(process.argv[4] ?? 2_000);
const maxTransactions = process.argv[5] === undefined ? undefined : Number(process.argv[5]);
const db = await openDatabase(path, { busyTimeoutMs: 30_000, ...(maxTransactions === undefined ? {} : { groupCommit: { maxTransactions } }) });
let transactions = 0;
const until = Date.now() + durationMs;
process.stdout.write('started\n');
await Promise.all(
  Array.from({ length: writers }, async (_, writer) => {
    while (Date.now() < until) {
      await db.transaction(async (tx) => {
        await tx.run('INSERT INTO t (writer, at) VALUES (?, ?)', [writer, Date.now()]);
        await tx.one('SELECT COUNT(*) AS n FROM t WHERE writer = ?', [writer]);
      });
      transactions++;
      await new Promise((resolve) => setTimeout(resolve, 1 + (transactions % 4)));
    }
  }),
);
await db.close();
process.stdout.write(`${JSON.stringify({ transactions })}\n`);

/**
 * Group commit for the file engine: transactions that wait while one runs are run inside the same
 * SQLite transaction and committed once (one rollback journal, one set of fsyncs for all of
 * them). This module owns who joins a group, the savepoint around each caller's work, and how
 * every caller's promise is settled; the file engine supplies the connection, the lock and the
 * statements.
 *
 * Guarantees, per caller:
 * - its work is atomic on its own: it runs between `SAVEPOINT` and `RELEASE`; if it throws, its
 *   savepoint is rolled back and only it is rejected, the others of the group go on;
 * - its promise resolves only after the group's `COMMIT` succeeded; if the `COMMIT` fails, or
 *   SQLite rolled the whole transaction back by itself (disk full, I/O error), every caller whose
 *   work had succeeded in it is rejected with a typed error and none is reported committed
 *   (callers not started yet run in a fresh transaction);
 * - order: works start one after the other in the order `transaction()` was called; a call joins
 *   the open group only when nothing else (a statement, close()) was queued on the engine's
 *   serial gate after that group, so in-process calls keep their order too.
 *
 * One thing a caller must not do (it was harmless before grouping): a work awaiting the promise
 * of a transaction called before it. That transaction may be in the same group, and it resolves
 * only at the group's commit, which waits for this work: they would wait for each other forever.
 *
 * Bounds: a group takes at most `maxTransactions` works (default 16) and takes no more once
 * `maxGroupMs` (default 50 ms) passed since it began, so other processes (served between write
 * transactions: the lock is released at commit) and in-process statements queued on the gate wait
 * at most about one group. Gathering: a work's statements answer synchronously underneath, so a
 * transaction would run from start to commit within one turn of the event loop and none would
 * ever wait. Before committing, a group that may still take more therefore yields: one turn
 * (`setImmediate`), so that callers woken by I/O that arrived during the last commit join it;
 * or, while callers run concurrently (a group held more than one within the last second),
 * `gatherMs` (5 ms), so that the jobs of a tick finishing close together share a commit. A lone
 * sequential caller never forms such a group, so it is never delayed by more than one turn.
 */

import { ConfigError, PrxError, StorageError } from '../../errors.js';
import type { SerialGate } from './serial-gate.js';
import type { SqlExecutor } from './types.js';

export interface GroupCommitOptions {
  /** Most transactions one group runs before committing (default 16; 1 = no grouping). */
  maxTransactions?: number;
  /** A group takes no more transactions once this many ms passed since it began (default 50). */
  maxGroupMs?: number;
  /** Before committing, how long a group that may take more waits for them while callers run
   * concurrently (a group held more than one transaction within the last second): default 5 ms.
   * Otherwise, and with 0, it waits one turn of the event loop (setImmediate). */
  gatherMs?: number;
}

export const GROUP_COMMIT_DEFAULTS: Required<GroupCommitOptions> = { maxTransactions: 16, maxGroupMs: 50, gatherMs: 5 };

/** What the group needs from the engine; `exec` runs synchronously and throws SQLite's errors. */
export interface GroupConnection {
  readonly gate: SerialGate;
  /** Takes the cross-process lock (refusing a closed engine); typed errors. */
  lock(): Promise<void>;
  unlock(): void;
  exec(sql: string): void;
  readonly inTransaction: boolean;
  /** SQLite's errors to the project's typed errors (engineError). */
  mapError(error: unknown): unknown;
  /** Statements for one work; `runner` refuses them once that work's part has ended. */
  executor(runner: <R>(fn: () => R) => Promise<R>): SqlExecutor;
}

interface Member {
  work: (tx: SqlExecutor) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Group {
  members: Member[];
  /** The gate's call count right after this group was queued: later calls mean others wait. */
  ticket: number;
  startedAt: number | null;
  open: boolean;
}

type Result = { ok: true; value: unknown } | { ok: false; error: unknown };
type Outcome = Result & { member: Member };

const SAVEPOINT = 'prx_group_member';
const nextTurn = (ms: number) => new Promise<void>((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));

/** The options with their defaults; invalid ones are refused with CONFIG. */
export function groupCommitSettings(options: GroupCommitOptions = {}): Required<GroupCommitOptions> {
  const settings = { ...GROUP_COMMIT_DEFAULTS, ...options };
  const { maxTransactions, maxGroupMs, gatherMs } = settings;
  if (!Number.isInteger(maxTransactions) || maxTransactions < 1) throw new ConfigError('groupCommit.maxTransactions must be an integer >= 1');
  if (!Number.isFinite(maxGroupMs) || maxGroupMs < 0) throw new ConfigError('groupCommit.maxGroupMs must be a number >= 0');
  if (!Number.isFinite(gatherMs) || gatherMs < 0) throw new ConfigError('groupCommit.gatherMs must be a number >= 0');
  return settings;
}

export function createGroupCommit(conn: GroupConnection, options: GroupCommitOptions = {}) {
  const { maxTransactions, maxGroupMs, gatherMs } = groupCommitSettings(options);
  let tail: Group | null = null;
  /** When a group last held more than one work: callers were running concurrently. */
  let concurrentAt = -Infinity;
  const CONCURRENT_WINDOW_MS = 1_000;

  const takesMore = (group: Group): boolean =>
    group.open &&
    conn.gate.calls === group.ticket &&
    group.members.length < maxTransactions &&
    (group.startedAt === null || Date.now() - group.startedAt < maxGroupMs);

  /** Runs one work in its savepoint; a failure is rolled back to the savepoint. */
  const runMember = async (member: Member): Promise<Result> => {
    let active = true;
    const refuse = () => new StorageError('statement issued after its transaction ended');
    const runner = <R>(fn: () => R): Promise<R> => {
      if (!active) return Promise.reject(refuse());
      return Promise.resolve().then(() => {
        if (!active) throw refuse();
        // After SQLite rolled the transaction back by itself, a statement would run on its own
        // (autocommit), outside the lock's turn and the caller's atomicity: refused.
        if (!conn.inTransaction) throw new StorageError('statement issued after SQLite rolled the transaction back');
        try {
          return fn();
        } catch (error) {
          throw conn.mapError(error);
        }
      });
    };
    try {
      conn.exec(`SAVEPOINT ${SAVEPOINT}`);
    } catch (error) {
      active = false;
      return { ok: false, error: conn.mapError(error) };
    }
    try {
      const value = await member.work(conn.executor(runner));
      active = false;
      conn.exec(`RELEASE ${SAVEPOINT}`);
      return { ok: true, value };
    } catch (error) {
      active = false;
      if (conn.inTransaction) {
        try {
          conn.exec(`ROLLBACK TO ${SAVEPOINT}`);
          conn.exec(`RELEASE ${SAVEPOINT}`);
        } catch {
          // The savepoint cannot be undone alone: the whole transaction goes (see runRound).
          try {
            conn.exec('ROLLBACK');
          } catch {
            // Already gone.
          }
        }
      }
      return { ok: false, error: conn.mapError(error) };
    }
  };

  /** One SQLite transaction over members from `start`; returns the index of the first member
   * not run (a round ends early only when SQLite rolled the transaction back by itself). */
  const runRound = async (group: Group, start: number, outcomes: Outcome[]): Promise<number> => {
    conn.exec('BEGIN IMMEDIATE');
    const succeeded: Array<{ member: Member; value: unknown }> = [];
    let next = start;
    for (;;) {
      if (next === group.members.length) {
        if (!takesMore(group)) break;
        await nextTurn(Date.now() - concurrentAt < CONCURRENT_WINDOW_MS ? gatherMs : 0);
        if (next === group.members.length) break;
      }
      const member = group.members[next++] as Member;
      const result = await runMember(member);
      if (!conn.inTransaction) {
        const cause = result.ok ? null : result.error;
        const reason = cause instanceof Error ? cause.message : 'SQLite ended the transaction';
        for (const done of succeeded) {
          outcomes.push({ member: done.member, ok: false, error: new StorageError(`rolled back with its commit group: ${reason}`, { cause }) });
        }
        outcomes.push({ member, ok: false, error: result.ok ? new StorageError(`transaction rolled back by SQLite: ${reason}`) : result.error });
        return next;
      }
      if (result.ok) succeeded.push({ member, value: result.value });
      else outcomes.push({ member, ok: false, error: result.error });
    }
    group.open = false;
    try {
      conn.exec('COMMIT');
    } catch (error) {
      try {
        if (conn.inTransaction) conn.exec('ROLLBACK');
      } catch {
        // SQLite rolled back by itself.
      }
      const mapped = conn.mapError(error);
      for (const done of succeeded) {
        outcomes.push({
          member: done.member,
          ok: false,
          error: mapped instanceof PrxError ? mapped : new StorageError(`commit failed: ${(mapped as Error)?.message ?? String(mapped)}`, { cause: mapped }),
        });
      }
      return next;
    }
    for (const done of succeeded) outcomes.push({ member: done.member, ok: true, value: done.value });
    return next;
  };

  const runGroup = async (group: Group): Promise<void> => {
    const outcomes: Outcome[] = [];
    let next = 0;
    let locked = false;
    try {
      await conn.lock();
      locked = true;
      group.startedAt = Date.now();
      while (next < group.members.length) next = await runRound(group, next, outcomes);
    } catch (error) {
      // The lock or BEGIN failed: nothing of the members not run yet was applied.
      const mapped = conn.mapError(error);
      for (const member of group.members.slice(next)) outcomes.push({ member, ok: false, error: mapped });
    } finally {
      group.open = false;
      if (group.members.length > 1) concurrentAt = Date.now();
      if (tail === group) tail = null;
      if (locked) conn.unlock();
    }
    // Settled after the commit and the lock's release, in call order.
    const byMember = new Map(outcomes.map((outcome) => [outcome.member, outcome]));
    for (const member of group.members) {
      const outcome = byMember.get(member);
      if (outcome?.ok) member.resolve(outcome.value);
      else member.reject(outcome ? outcome.error : new StorageError('transaction not run'));
    }
  };

  return {
    transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const member: Member = { work, resolve: resolve as (value: unknown) => void, reject };
        if (tail !== null && takesMore(tail)) {
          tail.members.push(member);
          return;
        }
        const group: Group = { members: [member], ticket: conn.gate.calls + 1, startedAt: null, open: true };
        tail = group;
        void conn.gate.run(() => runGroup(group));
      });
    },
  };
}

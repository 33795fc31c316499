/**
 * Checks over the distributed runner's lease_log (tests and bench): grants of one job that
 * overlapped in time (a lease's exclusive window is from its grant to its release or expiry,
 * whichever came first), and the most leases one account held at the same moment.
 */
import type { Queryable } from '../../src/store/index.js';

const END = 'LEAST(COALESCE(a.released_at, a.expires_at), a.expires_at)';

/** Pairs of grants of the same job whose windows overlap (0 when no job ever ran twice at once). */
export async function overlappingGrants(db: Queryable): Promise<number> {
  const row = await db.one(
    `SELECT COUNT(*) AS n FROM lease_log a JOIN lease_log b
        ON a.account_id = b.account_id AND a.folder = b.folder AND a.seq < b.seq
     WHERE b.granted_at < ${END}`,
  );
  return Number(row?.n ?? 0);
}

/** The largest number of leases of one account live at one moment (checked at every grant). */
export async function maxConcurrentPerAccount(db: Queryable): Promise<number> {
  const row = await db.one(
    `SELECT COALESCE(MAX(n), 0) AS n FROM (
       SELECT g.id, COUNT(*) AS n FROM lease_log g JOIN lease_log a
           ON a.account_id = g.account_id AND a.granted_at <= g.granted_at AND g.granted_at < ${END}
        GROUP BY g.id) counts`,
  );
  return Number(row?.n ?? 0);
}

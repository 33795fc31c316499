/**
 * UID SEARCH (RFC 9051 §6.4.4), as ESEARCH `RETURN (ALL)` (RFC 4731) when offered. Answers
 * above `maxResults` UIDs (SEARCH numbers or ESEARCH ranges alike) fail with LIMIT before
 * anything is expanded; below the cap they are expanded, sorted and de-duplicated in one
 * Uint32Array pass.
 */

import { LimitError } from '../../../errors.js';
import { atom, list, sequence, type CommandArg } from '../../wire/encoder.js';
import { countInRanges, mergeRanges } from '../../wire/sequence-set.js';
import type { NumberRange, UntaggedResponse } from '../../wire/types.js';
import { execute, type SessionContext } from './command.js';

/** What to search for; the empty query is ALL. */
export interface SearchQuery {
  /** A UID set, e.g. "1:500". */
  uids?: string;
  /** Messages whose internal date is before this IMAP date (d-Mon-yyyy, RFC 9051 §9). */
  before?: string;
}

/** More UIDs than a real mailbox holds: a SEARCH/ESEARCH answer above this is refused, not
 * expanded (2 million UIDs expand and sort in well under a second). */
export const MAX_SEARCH_RESULTS = 2_000_000;

export async function uidSearch(session: SessionContext, query: SearchQuery, maxResults = MAX_SEARCH_RESULTS, signal?: AbortSignal): Promise<number[]> {
  const ids: number[] = [];
  const ranges: NumberRange[] = [];
  let rangeCount = 0;
  let tooMany = 0;
  const collect = (data: UntaggedResponse): boolean => {
    if (data.type === 'search') {
      if (tooMany > 0 || ids.length + data.ids.length + rangeCount > maxResults) {
        tooMany = Math.max(tooMany, ids.length + data.ids.length + rangeCount);
        return true;
      }
      // No spread: a SEARCH of a big mailbox holds more numbers than a call has arguments.
      for (const id of data.ids) ids.push(id);
      return true;
    }
    if (data.type === 'esearch') {
      if (tooMany > 0) return true;
      // Counted per response (overlaps between responses count twice: only a hostile server
      // sends those), merged once at the end.
      const count = rangeCount + countInRanges(data.all ?? []);
      if (ids.length + count > maxResults) {
        tooMany = ids.length + count;
        return true;
      }
      for (const range of data.all ?? []) ranges.push(range);
      rangeCount = count;
      return true;
    }
    return false;
  };
  const criteria = searchCriteria(query);
  const args = session.capabilities.has('ESEARCH') ? [atom('RETURN'), list(atom('ALL')), ...criteria] : criteria;
  await execute(session, { name: 'UID SEARCH', args, collect, done: () => undefined }, signal);
  if (tooMany > 0) throw new LimitError(`UID SEARCH: the server reported ${tooMany} results (more than ${maxResults}); refusing to expand them`);
  return sortedUnique(ids, mergeRanges(ranges), rangeCount);
}

function searchCriteria(query: SearchQuery): CommandArg[] {
  const criteria: CommandArg[] = [];
  if (query.uids !== undefined) criteria.push(atom('UID'), sequence(query.uids));
  if (query.before !== undefined) criteria.push(atom('BEFORE'), atom(query.before));
  return criteria.length > 0 ? criteria : [atom('ALL')];
}

/** SEARCH numbers plus merged ESEARCH ranges (covering at most `rangeCount` UIDs) → ascending
 * unique UIDs, via one Uint32Array. */
function sortedUnique(ids: readonly number[], ranges: readonly NumberRange[], rangeCount: number): number[] {
  const all = new Uint32Array(ids.length + rangeCount);
  let n = 0;
  for (const id of ids) if (Number.isInteger(id) && id > 0 && id <= 0xffffffff) all[n++] = id;
  for (const range of ranges) for (let uid = range.start; uid <= range.end && uid <= 0xffffffff; uid++) all[n++] = uid;
  const sorted = all.subarray(0, n);
  if (ids.length > 0) sorted.sort();
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const uid = sorted[i] as number;
    if (i === 0 || uid !== sorted[i - 1]) out.push(uid);
  }
  return out;
}

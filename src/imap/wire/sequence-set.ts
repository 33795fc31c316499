/**
 * Sequence/UID sets: compressed into ranges for commands (`1:5,7,9:12`), and sets received from a
 * server (VANISHED, ESEARCH) tested for membership without ever expanding them: a hostile
 * `1:4294967295` costs two numbers, not four billion.
 */
import type { NumberRange } from './types.js';

/** Sorted, non-overlapping ranges covering the given UIDs or sequence numbers, e.g.
 * `[7, 1, 2, 3, 3]` → `[{ start: 1, end: 3 }, { start: 7, end: 7 }]`. Duplicates are dropped, as
 * are values that are not positive integers. */
export function compressNumbers(numbers: Iterable<number>): NumberRange[] {
  const sorted = [...new Set(numbers)].filter((n) => Number.isInteger(n) && n > 0).sort((a, b) => a - b);
  const ranges: NumberRange[] = [];
  for (const n of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && n === last.end + 1) last.end = n;
    else ranges.push({ start: n, end: n });
  }
  return ranges;
}

/** Formats numbers or ranges; `'*'` may be used as the end of the last range. */
export function formatSequenceSet(items: Iterable<number> | NumberRange[], openEnd = false): string {
  const list = [...items];
  const ranges = list.length > 0 && typeof list[0] === 'object' ? mergeRanges(list as NumberRange[]) : compressNumbers(list as number[]);
  if (ranges.length === 0) throw new RangeError('empty sequence set');
  return ranges
    .map((range, index) => {
      const end = openEnd && index === ranges.length - 1 ? '*' : String(range.end);
      return range.start === range.end && end !== '*' ? String(range.start) : `${range.start}:${end}`;
    })
    .join(',');
}

/** Sorted, non-overlapping, non-adjacent ranges covering the same numbers (start ≤ end each). */
export function mergeRanges(ranges: readonly NumberRange[]): NumberRange[] {
  const sorted = ranges
    .map((range) => ({ start: Math.min(range.start, range.end), end: Math.max(range.start, range.end) }))
    .filter((range) => Number.isInteger(range.start) && range.start > 0)
    .sort((a, b) => a.start - b.start);
  const merged: NumberRange[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.start <= last.end + 1) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

/** How many numbers the ranges cover (overlaps counted once). */
export function countInRanges(ranges: readonly NumberRange[]): number {
  return mergeRanges(ranges).reduce((sum, range) => sum + range.end - range.start + 1, 0);
}

/** Membership in a set given as ranges, by binary search. */
export function rangeMembership(ranges: readonly NumberRange[]): (n: number) => boolean {
  const merged = mergeRanges(ranges);
  return (n) => {
    let low = 0;
    let high = merged.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const range = merged[middle] as NumberRange;
      if (n < range.start) high = middle - 1;
      else if (n > range.end) low = middle + 1;
      else return true;
    }
    return false;
  };
}

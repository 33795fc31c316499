/**
 * Sequence/UID sets for commands: sorted, de-duplicated, compressed into ranges (`1:5,7,9:12`).
 */
import type { NumberRange } from './types.js';

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
  const ranges =
    list.length > 0 && typeof list[0] === 'object' ? compressNumbers((list as NumberRange[]).flatMap(expand)) : compressNumbers(list as number[]);
  if (ranges.length === 0) throw new RangeError('empty sequence set');
  return ranges
    .map((range, index) => {
      const end = openEnd && index === ranges.length - 1 ? '*' : String(range.end);
      return range.start === range.end && end !== '*' ? String(range.start) : `${range.start}:${end}`;
    })
    .join(',');
}

function expand(range: NumberRange): number[] {
  const out: number[] = [];
  for (let n = range.start; n <= range.end && out.length < 10_000_000; n++) out.push(n);
  return out;
}

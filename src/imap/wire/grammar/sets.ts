/**
 * Reading UID / sequence sets from server data (`1:5,7,9:*` is never sent by servers with `*`
 * in data we parse, but tolerated as the given bound).
 */
import { GrammarError } from '../reader.js';
import type { NumberSet } from '../types.js';

export function parseNumberSet(text: string): NumberSet {
  const ranges: NumberSet = [];
  for (const part of text.split(',')) {
    if (part === '') continue;
    const [a, b] = part.split(':');
    const start = Number(a);
    const end = b === undefined ? start : b === '*' ? start : Number(b);
    if (!Number.isInteger(start) || !Number.isInteger(end)) throw new GrammarError(`bad set '${text.slice(0, 40)}'`);
    ranges.push(start <= end ? { start, end } : { start: end, end: start });
  }
  return ranges;
}

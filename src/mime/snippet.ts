/**
 * The snippet rule: the first 120 characters (code points, never a broken surrogate pair) of the
 * body text with all whitespace runs collapsed to one space, no leading or trailing space.
 * Whitespace is what `\s` matches in JavaScript. One pass over the text's start, since it runs
 * for every message on the parse worker.
 */
export const SNIPPET_LENGTH = 120;

/** `\s` of JavaScript regular expressions (WhiteSpace and LineTerminator). */
function isSpace(unit: number): boolean {
  if (unit <= 0x20) return unit === 0x20 || (unit >= 0x09 && unit <= 0x0d);
  if (unit < 0xa0) return false;
  return (
    unit === 0xa0 ||
    unit === 0x1680 ||
    (unit >= 0x2000 && unit <= 0x200a) ||
    unit === 0x2028 ||
    unit === 0x2029 ||
    unit === 0x202f ||
    unit === 0x205f ||
    unit === 0x3000 ||
    unit === 0xfeff
  );
}

export function makeSnippet(text: string | null, length = SNIPPET_LENGTH): string {
  if (!text) return '';
  const parts: string[] = [];
  let points = 0;
  let runStart = -1; // start of the current run of non-space units
  let pendingSpace = false;
  let i = 0;
  for (; i < text.length && points < length; i++) {
    const unit = text.charCodeAt(i);
    if (isSpace(unit)) {
      if (runStart >= 0) {
        parts.push(text.slice(runStart, i));
        runStart = -1;
      }
      if (points > 0) pendingSpace = true;
      continue;
    }
    if (pendingSpace) {
      // A space as the last character would be trimmed: the snippet ends before it.
      if (points + 1 >= length) break;
      parts.push(' ');
      points++;
      pendingSpace = false;
    }
    if (runStart < 0) runStart = i;
    // A surrogate pair is one character; a lone surrogate counts as one too.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    points++;
  }
  if (runStart >= 0) parts.push(text.slice(runStart, i));
  return parts.join('');
}

/**
 * The snippet rule: the first 120 characters (code points, never a broken surrogate pair) of the
 * body text with all whitespace runs collapsed to one space.
 */
export const SNIPPET_LENGTH = 120;

export function makeSnippet(text: string | null, length = SNIPPET_LENGTH): string {
  if (!text) return '';
  const collapsed = text.replace(/\s+/g, ' ').trim();
  const points = Array.from(collapsed.slice(0, length * 2));
  return points.slice(0, length).join('').trimEnd();
}

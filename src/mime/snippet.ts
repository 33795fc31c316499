/**
 * The snippet rule: the first 120 characters (code points, never a broken surrogate pair) of the
 * body text with all whitespace runs collapsed to one space.
 */
export const SNIPPET_LENGTH = 120;

export function makeSnippet(text: string | null, length = SNIPPET_LENGTH): string {
  if (!text) return '';
  // Only a prefix is needed: collapse growing prefixes until there are enough characters.
  let window = length * 4;
  for (;;) {
    const prefix = text.slice(0, window);
    const collapsed = prefix.replace(/\s+/g, ' ').trimStart();
    const points = Array.from(collapsed.slice(0, length * 2));
    if (points.length > length || window >= text.length) return points.slice(0, length).join('').trimEnd();
    window *= 4;
  }
}

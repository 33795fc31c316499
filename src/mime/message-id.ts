/**
 * Normalises a Message-ID header value the way message records store it: the first `<...>`
 * token, or the trimmed value wrapped in angle brackets; null when empty. Used to re-match
 * messages after a UIDVALIDITY change.
 */
export function normalizeMessageId(headerValue: string | null | undefined): string | null {
  if (!headerValue) return null;
  const unfolded = headerValue.replace(/\r?\n[ \t]+/g, ' ').trim();
  if (unfolded === '') return null;
  const bracketed = /<[^<>]*>/.exec(unfolded);
  if (bracketed) return bracketed[0];
  return `<${unfolded}>`;
}

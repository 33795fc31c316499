/**
 * The regex-based HTML → text of prx-email before the single-pass scanner, kept only as the
 * oracle of the equivalence property test and as the "before" side of the adversarial-HTML
 * bench. Quadratic on hostile input (`<p`×N, `<a`×N, `<!--`×N): never use it outside tests. It
 * shares the entity table with the scanner (data, not the algorithm under test).
 */
import { NAMED_ENTITIES } from '../../src/mime/html-to-text.js';

/** The former regex entity decoder. */
export function decodeEntitiesOracle(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z][a-z0-9]*);?/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[name] ?? NAMED_ENTITIES[name.toLowerCase()] ?? whole;
  });
}

const BLOCK = /<\/?(?:p|div|br|li|ul|ol|tr|table|h[1-6]|blockquote|pre|section|article|header|footer|hr)\b[^>]*>/gi;

export function htmlToTextOracle(html: string): string {
  const withoutInvisible = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(script|style|head|title)\b[\s\S]*$/gi, ' ');
  const withBreaks = withoutInvisible.replace(BLOCK, '\n');
  const stripped = withBreaks.replace(/<\/?[a-z!?][^>]*>/gi, ' ').replace(/</g, ' ');
  return decodeEntitiesOracle(stripped)
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n[\s]*/g, '\n')
    .trim();
}

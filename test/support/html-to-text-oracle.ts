/**
 * The regex-based HTML → text of prx-email before the single-pass scanner, kept only as the
 * oracle of the equivalence property test and as the "before" side of the adversarial-HTML
 * bench. Quadratic on hostile input (`<p`×N, `<a`×N, `<!--`×N): never use it outside tests.
 */
import { decodeEntities } from '../../src/mime/html-to-text.js';

const BLOCK = /<\/?(?:p|div|br|li|ul|ol|tr|table|h[1-6]|blockquote|pre|section|article|header|footer|hr)\b[^>]*>/gi;

export function htmlToTextOracle(html: string): string {
  const withoutInvisible = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<(script|style|head|title)\b[\s\S]*$/gi, ' ');
  const withBreaks = withoutInvisible.replace(BLOCK, '\n');
  const stripped = withBreaks.replace(/<\/?[a-z!?][^>]*>/gi, ' ').replace(/</g, ' ');
  return decodeEntities(stripped)
    .replace(/[ \t\f\v\u00a0]+/g, ' ')
    .replace(/ *\n[\s]*/g, '\n')
    .trim();
}

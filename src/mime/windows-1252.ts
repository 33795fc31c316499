/**
 * Repairs a runtime defect: Node 20.18.3+/22.13+ decode `windows-1252` (and the labels WHATWG
 * maps to it: iso-8859-1, us-ascii, latin1) as Latin-1, so bytes 0x80–0x9F come out as C1
 * control characters instead of €, curly quotes, dashes... (nodejs/node#56542). When the runtime
 * has the defect, C1 controls in decoded text are mapped to their windows-1252 characters; C1
 * controls have no business in mail text, so this is safe for text from any charset.
 */

const WINDOWS_1252_C1: Record<number, string> = {
  0x80: '\u20ac', 0x82: '\u201a', 0x83: '\u0192', 0x84: '\u201e', 0x85: '\u2026', 0x86: '\u2020', 0x87: '\u2021',
  0x88: '\u02c6', 0x89: '\u2030', 0x8a: '\u0160', 0x8b: '\u2039', 0x8c: '\u0152', 0x8e: '\u017d', 0x91: '\u2018',
  0x92: '\u2019', 0x93: '\u201c', 0x94: '\u201d', 0x95: '\u2022', 0x96: '\u2013', 0x97: '\u2014', 0x98: '\u02dc',
  0x99: '\u2122', 0x9a: '\u0161', 0x9b: '\u203a', 0x9c: '\u0153', 0x9e: '\u017e', 0x9f: '\u0178',
};

/** True when this runtime's TextDecoder('windows-1252') decodes 0x80 as U+0080 instead of €. */
export const runtimeDecodesWindows1252AsLatin1: boolean = (() => {
  try {
    return new TextDecoder('windows-1252').decode(Uint8Array.of(0x80)) !== '\u20ac';
  } catch {
    return false;
  }
})();

const C1 = /[\u0080-\u009f]/g;

export function repairWindows1252(text: string, force = runtimeDecodesWindows1252AsLatin1): string {
  if (!force || !C1.test(text)) return text;
  C1.lastIndex = 0;
  return text.replace(C1, (ch) => WINDOWS_1252_C1[ch.charCodeAt(0)] ?? ch);
}

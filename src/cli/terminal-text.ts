/**
 * Text from servers and mail (error messages, folder names, stored `lastError`) made safe for a
 * terminal: C0 and C1 control characters, DEL, ANSI/VT escape sequences (CSI, OSC, DCS, ...)
 * and bidirectional-override characters are removed, so nothing a server sends can move the
 * cursor, recolour, retitle or hide text. Only human output uses this; JSON escapes by itself.
 */

// ESC [ ... final byte (CSI); ESC ] / P / X / ^ / _ ... terminated by BEL or ESC \ (OSC, DCS, SOS,
// PM, APC; an unterminated one runs to the end); any other ESC + one byte; the 8-bit CSI (0x9b).
const ESCAPE_SEQUENCE = /\u001b\[[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|\u001b[\]PX^_][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[\u0020-\u007e]?|\u009b[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?/g;
// Controls except TAB and LF; DEL; C1; bidi embeddings/overrides/isolates; line/paragraph separators.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** `text` without control characters and escape sequences (TAB and LF kept when `multiline`). */
export function terminalText(text: string, multiline = false): string {
  const cleaned = text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '');
  return multiline ? cleaned : cleaned.replace(/[\t\n]/g, ' ');
}

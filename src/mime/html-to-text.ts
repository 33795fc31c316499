/**
 * HTML → plain text for bodies of HTML-only mail and for snippets: drops script/style/head/title
 * elements and comments, turns block elements and <br> into line breaks, strips tags, decodes
 * entities and collapses whitespace. Never returns markup.
 *
 * One left-to-right scan, linear in the input whatever it holds: every search for a closing
 * `>`, `-->` or `</script>` remembers where it found (or did not find) its target, so a body of a
 * million unclosed `<p`, `<a` or `<!--` costs one pass, not one pass per opener (hostile mail).
 */

/** Named character references decoded in mail HTML (the common ones; others stay as written). */
export const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '©', reg: '®', trade: '™',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', bull: '•',
  euro: '€', pound: '£', yen: '¥', cent: '¢', sect: '§', deg: '°', middot: '·', laquo: '«', raquo: '»',
  times: '×', divide: '÷', auml: 'ä', ouml: 'ö', uuml: 'ü', Auml: 'Ä', Ouml: 'Ö', Uuml: 'Ü', szlig: 'ß',
  eacute: 'é', egrave: 'è', ecirc: 'ê', aacute: 'á', agrave: 'à', acirc: 'â', ccedil: 'ç', ntilde: 'ñ',
  oacute: 'ó', iacute: 'í', uacute: 'ú', zwnj: '', zwj: '', shy: '',
};

const isDigit = (code: number): boolean => code >= 0x30 && code <= 0x39;
const isHex = (code: number): boolean => isDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
const isLetter = (code: number): boolean => (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);

/** The text of one entity reference (`name` without `&` and `;`), or null to keep it as it is. */
function entityText(name: string): string | null {
  if (name[0] === '#') {
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return null;
    return String.fromCodePoint(code);
  }
  return NAMED_ENTITIES[name] ?? NAMED_ENTITIES[name.toLowerCase()] ?? null;
}

/**
 * Decodes `&name;`, `&#123;` and `&#x1F600;` (the `;` is optional, as in real mail). One scan;
 * text without `&` is returned as it is. Same result as replacing
 * `/&(#x[0-9a-f]+|#\d+|[a-z][a-z0-9]*);?/gi` with each reference's text.
 */
export function decodeEntities(text: string): string {
  let amp = text.indexOf('&');
  if (amp < 0) return text;
  const parts: string[] = [];
  let copied = 0;
  while (amp >= 0) {
    let end = amp + 1;
    const first = text.charCodeAt(end);
    if (first === 0x23 /* # */) {
      const marker = text.charCodeAt(end + 1);
      if ((marker === 0x78 || marker === 0x58) && isHex(text.charCodeAt(end + 2))) {
        end += 2;
        while (isHex(text.charCodeAt(end))) end++;
      } else if (isDigit(marker)) {
        end += 1;
        while (isDigit(text.charCodeAt(end))) end++;
      } else end = -1;
    } else if (isLetter(first)) {
      while (isLetter(text.charCodeAt(end)) || isDigit(text.charCodeAt(end))) end++;
    } else end = -1;
    if (end < 0) {
      amp = text.indexOf('&', amp + 1);
      continue;
    }
    const name = text.slice(amp + 1, end);
    if (text.charCodeAt(end) === 0x3b /* ; */) end++;
    const decoded = entityText(name);
    if (decoded !== null) {
      parts.push(text.slice(copied, amp), decoded);
      copied = end;
    }
    amp = text.indexOf('&', end);
  }
  parts.push(text.slice(copied));
  return parts.join('');
}

/** Elements that end a line (opening or closing tag). */
const BLOCK_NAMES = new Set([
  'p', 'div', 'br', 'li', 'ul', 'ol', 'tr', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6',
  'blockquote', 'pre', 'section', 'article', 'header', 'footer', 'hr',
]);
/** Elements dropped with everything inside them. */
const INVISIBLE_NAMES = ['script', 'style', 'head', 'title'] as const;
type InvisibleName = (typeof INVISIBLE_NAMES)[number];

const LT = 0x3c; // <
const SLASH = 0x2f;

function isWordChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f;
}

function isTagStart(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x21 /* ! */ || code === 0x3f /* ? */;
}

/** End (exclusive) of the run of word characters starting at `from`. */
function wordEnd(html: string, from: number): number {
  let end = from;
  while (end < html.length && isWordChar(html.charCodeAt(end))) end++;
  return end;
}

/**
 * "First occurrence at or after `from`" for a fixed target, answered in amortised O(1) for
 * non-decreasing `from`: a found position stays the answer until `from` passes it, and "not
 * found" stays the answer for good.
 */
function forwardSearch(find: (from: number) => number): (from: number) => number {
  let cachedAt = -1;
  let cached = -2; // -2: nothing cached yet
  return (from) => {
    if (cached === -1) return -1;
    if (cached >= from && cachedAt <= from) return cached;
    cachedAt = from;
    cached = find(from);
    return cached;
  };
}

/**
 * `text` with every `<` turned into a space. Long texts go through a code-unit array (a hostile
 * body is mostly `<`: half a million one-character replacements would be mostly garbage).
 */
function ltToSpace(text: string): string {
  if (text.length < 4096) return text.replaceAll('<', ' ');
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    codes[i] = code === LT ? 0x20 : code;
  }
  const parts: string[] = [];
  for (let start = 0; start < codes.length; start += 8192) {
    parts.push(String.fromCharCode.apply(null, codes.subarray(start, start + 8192) as unknown as number[]));
  }
  return parts.join('');
}

/** The whole text with tags, comments and invisible elements replaced, before entity decoding. */
function stripMarkup(html: string): string {
  const out: string[] = [];
  const nextGt = forwardSearch((from) => html.indexOf('>', from));
  const nextCommentEnd = forwardSearch((from) => html.indexOf('-->', from));
  const closers = new Map<InvisibleName, (from: number) => number>();
  const closerOf = (name: InvisibleName): ((from: number) => number) => {
    let search = closers.get(name);
    if (!search) {
      const pattern = new RegExp(`</${name}\\s*>`, 'gi');
      search = forwardSearch((from) => {
        pattern.lastIndex = from;
        const match = pattern.exec(html);
        return match ? match.index : -1;
      });
      closers.set(name, search);
    }
    return search;
  };
  // Where a found closer ends (the closer regex's match length varies with its whitespace).
  const closerEnd = (name: InvisibleName, at: number): number => html.indexOf('>', at + 2 + name.length) + 1;

  let i = 0;
  let textStart = 0;
  // Lone `<`s seen in the text since textStart: they become spaces when the text is emitted.
  let loneLt = false;
  const emitText = (end: number): void => {
    const text = html.slice(textStart, end);
    out.push(loneLt ? ltToSpace(text) : text);
    loneLt = false;
  };
  const length = html.length;
  while (i < length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    i = lt;
    // Comment.
    if (html.startsWith('<!--', i)) {
      const end = nextCommentEnd(i + 4);
      if (end >= 0) {
        emitText(i);
        out.push(' ');
        i = textStart = end + 3;
        continue;
      }
    }
    // script / style / head / title: dropped up to their closing tag, or to the end.
    const nameEnd = wordEnd(html, i + 1);
    const nameLength = nameEnd - i - 1;
    if (nameLength >= 4 && nameLength <= 6) {
      const name = html.slice(i + 1, nameEnd).toLowerCase() as InvisibleName;
      if ((INVISIBLE_NAMES as readonly string[]).includes(name)) {
        emitText(i);
        out.push(' ');
        const close = closerOf(name)(nameEnd);
        if (close < 0) return out.join('');
        i = textStart = closerEnd(name, close);
        continue;
      }
    }
    const gt = nextGt(i + 1);
    const afterSlash = html.charCodeAt(i + 1) === SLASH ? i + 2 : i + 1;
    if (gt >= 0 && isTagStart(html.charCodeAt(afterSlash))) {
      const name = html.slice(afterSlash, wordEnd(html, afterSlash)).toLowerCase();
      emitText(i);
      out.push(BLOCK_NAMES.has(name) ? '\n' : ' ');
      i = textStart = gt + 1;
      continue;
    }
    // A lone `<` never reaches the output as markup: it becomes a space with its text.
    loneLt = true;
    i++;
  }
  emitText(length);
  return out.join('');
}

/** Runs of horizontal space that are not already a single ' ' (a lone ' ' is left alone: same
 * result as collapsing every run, without a replacement per word gap). */
const SPACE_RUN = /(?: [ \t\f\v\u00a0]|[\t\f\v\u00a0])[ \t\f\v\u00a0]*/g;

export function htmlToText(html: string): string {
  return decodeEntities(stripMarkup(html))
    .replace(SPACE_RUN, ' ')
    .replace(/ *\n[\s]*/g, '\n')
    .trim();
}

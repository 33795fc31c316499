/**
 * Structure-aware generators for the fuzzer: inputs that byte mutation of small recorded
 * streams never reaches. Each generator turns (random, size) into one input:
 *  - server scripts for the whole client (hostile-targets.ts): huge VANISHED / SEARCH / ESEARCH /
 *    FETCH item lists (10^5–10^6 elements), literal sizes that lie (announced vs delivered),
 *    nesting at and around the depth limit, STARTTLS with plaintext injected after the OK;
 *  - raw messages for the MIME target: the adversarial HTML patterns, deep multipart, huge
 *    headers, thousands of parts.
 * Deterministic for a given seed, so a finding is saved as {generator, seed}. Test-only.
 */

export type Random = () => number;

const int = (random: Random, low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** A count between 10^5 and 10^6, log-uniform, or smaller when `scale` < 1 (quick runs). */
function hugeCount(random: Random, scale: number): number {
  return Math.max(10, Math.round(10 ** (5 + random()) * scale));
}

function numberList(random: Random, count: number, separator: string, ranges: boolean): string {
  const parts: string[] = new Array(count);
  let n = int(random, 1, 5);
  for (let i = 0; i < count; i++) {
    if (ranges && random() < 0.3) {
      const end = n + int(random, 1, 4);
      parts[i] = `${n}:${end}`;
      n = end + int(random, 2, 3);
    } else {
      parts[i] = String(n);
      n += int(random, 2, 3);
    }
  }
  return parts.join(separator);
}

/** What a hostile server does: answers per command (null = default), and what must happen. */
export interface ServerScript {
  name: string;
  /** Extra capability atoms beyond the target's defaults. */
  starttls: boolean;
  answer(tag: string, command: string): string | null;
  /** The client operation to run once connected. */
  operation: 'select-qresync' | 'fetch-vanished' | 'search' | 'fetch-flags' | 'fetch-body' | 'connect';
  /** STARTTLS injection: the connection must be refused with TLS. */
  expectTls?: boolean;
}

export type ServerGenerator = (random: Random, scale: number) => ServerScript;

export const SERVER_GENERATORS: Record<string, ServerGenerator> = {
  'vanished-huge': (random, scale) => {
    const list = numberList(random, hugeCount(random, scale), ',', true);
    const inSelect = random() < 0.5;
    return {
      name: 'vanished-huge',
      starttls: false,
      operation: inSelect ? 'select-qresync' : 'fetch-vanished',
      answer: (tag, command) =>
        inSelect && command === 'EXAMINE'
          ? `* VANISHED (EARLIER) ${list}\r\n* 1 EXISTS\r\n* OK [UIDVALIDITY 7] v\r\n${tag} OK [READ-ONLY] done\r\n`
          : !inSelect && command === 'UID FETCH'
            ? `* VANISHED (EARLIER) ${list}\r\n${tag} OK done\r\n`
            : null,
    };
  },
  'search-huge': (random, scale) => {
    const count = hugeCount(random, scale);
    const kind = pick(random, ['search', 'esearch-ranges', 'esearch-one-range', 'both'] as const);
    const body =
      kind === 'search'
        ? `* SEARCH ${numberList(random, count, ' ', false)}\r\n`
        : kind === 'esearch-one-range'
          ? `* ESEARCH (TAG "T") UID ALL 1:${pick(random, [count, 9_999_999, 4_294_967_295])}\r\n`
          : kind === 'esearch-ranges'
            ? `* ESEARCH (TAG "T") UID ALL ${numberList(random, count, ',', true)}\r\n`
            : `* SEARCH ${numberList(random, count >> 1, ' ', false)}\r\n* ESEARCH (TAG "T") UID ALL ${numberList(random, count >> 1, ',', true)}\r\n`;
    return { name: 'search-huge', starttls: false, operation: 'search', answer: (tag, command) => (command === 'UID SEARCH' ? `${body}${tag} OK done\r\n` : null) };
  },
  'fetch-items-huge': (random, scale) => {
    const count = hugeCount(random, scale) >> 2;
    const kind = pick(random, ['flags', 'responses', 'items'] as const);
    const flags = Array.from({ length: count }, (_, i) => `\\F${i}`).join(' ');
    const body =
      kind === 'flags'
        ? `* 1 FETCH (UID 1 FLAGS (${flags}) MODSEQ (3))\r\n`
        : kind === 'responses'
          ? Array.from({ length: count }, (_, i) => `* ${i + 1} FETCH (UID ${i + 1} FLAGS (\\Seen) MODSEQ (${i + 2}))\r\n`).join('')
          : `* 1 FETCH (UID 1 ${Array.from({ length: count }, (_, i) => `X-ITEM${i} NIL`).join(' ')})\r\n`;
    return { name: 'fetch-items-huge', starttls: false, operation: 'fetch-flags', answer: (tag, command) => (command === 'UID FETCH' ? `${body}${tag} OK done\r\n` : null) };
  },
  'literal-lie': (random) => {
    const announced = pick(random, [0, 1, 100, 65_536, 1_000_000, 99_999_999_999]);
    const delivered = pick(random, [0, 1, 99, 101, 4096, 200_000]);
    const tail = pick(random, [')\r\n', '\r\n', ' UID 9)\r\n', ' BODY[] {5}\r\nA1 OK)\r\n']);
    const payload = 'x'.repeat(Math.min(delivered, 200_000)).replace(/x{60}/g, (m) => `${m.slice(0, 58)}\r\n`);
    return {
      name: 'literal-lie',
      starttls: false,
      operation: 'fetch-body',
      answer: (tag, command) => (command === 'UID FETCH' ? `* 1 FETCH (UID 1 RFC822.SIZE ${announced} BODY[] {${announced}}\r\n${payload}${tail}${tag} OK done\r\n` : null),
    };
  },
  nesting: (random) => {
    const depth = pick(random, [62, 63, 64, 65, 66, 1000, 100_000]);
    const balanced = random() < 0.5;
    const open = '('.repeat(depth);
    const close = ')'.repeat(balanced ? depth : int(random, 0, depth - 1));
    const where = pick(random, ['BODYSTRUCTURE', 'ENVELOPE', 'X-EXT', 'FLAGS'] as const);
    return {
      name: 'nesting',
      starttls: false,
      operation: 'fetch-flags',
      answer: (tag, command) => (command === 'UID FETCH' ? `* 1 FETCH (UID 1 ${where} ${open}"a" NIL${close})\r\n${tag} OK done\r\n` : null),
    };
  },
  'starttls-injection': (random) => {
    const injected = pick(random, [
      '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n',
      'A3 OK LOGIN completed\r\n',
      '* BYE\r\n',
      'A9 OK ',
      '*',
      '\r\n',
      `* ${'9'.repeat(int(random, 1, 30))} EXISTS\r\n`,
      'x'.repeat(int(random, 1, 5000)),
    ]);
    return {
      name: 'starttls-injection',
      starttls: true,
      operation: 'connect',
      expectTls: true,
      answer: (tag, command) => (command === 'STARTTLS' ? `${tag} OK begin TLS\r\n${injected}` : null),
    };
  },
};

// ---- MIME ----------------------------------------------------------------------------------

const fill = (unit: string, size: number): string => unit.repeat(Math.ceil(size / unit.length)).slice(0, size);

export type MimeGenerator = (random: Random, scale: number) => string;

function htmlMail(html: string): string {
  return `From: a@example.test\r\nTo: b@example.test\r\nSubject: html\r\nMessage-ID: <g@example.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`;
}

export const MIME_GENERATORS: Record<string, MimeGenerator> = {
  'html-adversarial': (random, scale) => {
    const size = Math.round(int(random, 64, 1024) * 1024 * scale);
    const unit = pick(random, ['<p', '<a', '<!--', '<script', '<a href="x" ', '<div><span>', '</style', '&amp', '<!', '<?', '<p <a <b>']);
    return htmlMail(fill(unit, size));
  },
  'multipart-deep': (random, scale) => {
    const depth = Math.max(2, Math.round(pick(random, [50, 200, 1000, 3000]) * scale));
    let body = 'Content-Type: text/plain\r\n\r\ninnermost\r\n';
    for (let i = depth; i > 0; i--) body = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${body}\r\n--b${i}--\r\n`;
    return `From: a@example.test\r\nSubject: deep\r\nMIME-Version: 1.0\r\n${body}`;
  },
  'headers-huge': (random, scale) => {
    const kind = pick(random, ['one-long', 'many', 'folded', 'addresses'] as const);
    const size = Math.round(int(random, 256, 2048) * 1024 * scale);
    const head =
      kind === 'one-long'
        ? `Subject: ${fill('x', size)}\r\n`
        : kind === 'many'
          ? Array.from({ length: Math.max(1, size >> 5) }, (_, i) => `X-H${i}: value ${i}\r\n`).join('')
          : kind === 'folded'
            ? `Subject: start${'\r\n folded'.repeat(Math.max(1, size >> 3))}\r\n`
            : `To: ${Array.from({ length: Math.max(1, size >> 5) }, (_, i) => `u${i}@example.test`).join(', ')}\r\nCc: g: ${Array.from({ length: Math.max(1, size >> 6) }, (_, i) => `m${i}@example.test`).join(', ')};\r\n`;
    return `From: a@example.test\r\n${head}Message-ID: <h@example.test>\r\n\r\nbody\r\n`;
  },
  'parts-thousands': (random, scale) => {
    const count = Math.max(2, Math.round(pick(random, [1000, 3000, 10_000]) * scale));
    const parts: string[] = [];
    for (let i = 0; i < count; i++) {
      const attach = random() < 0.5;
      parts.push(
        `--B\r\nContent-Type: ${attach ? 'application/octet-stream' : 'text/plain'}\r\n${attach ? `Content-Disposition: attachment; filename="f${i}.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n` : `\r\npart ${i}\r\n`}`,
      );
    }
    return `From: a@example.test\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n${parts.join('')}--B--\r\n`;
  },
};

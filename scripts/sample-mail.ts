/**
 * Deterministic generator of realistic sample mail, used by the demo, the integration tests and
 * the benchmarks. The same seed always yields the same bytes.
 *
 * The mix: plain text, HTML-only, multipart/alternative, multipart/mixed with a base64
 * attachment, quoted-printable bodies in windows-1252 and ISO-8859-1, KOI8-R, RFC 2047 encoded
 * non-ASCII subjects and names, replies with In-Reply-To/References, and a few messages without a
 * Message-ID. Sizes follow a skewed distribution with a mean near `meanSize` (default ~10 KiB).
 */

export interface SampleMailOptions {
  seed?: number;
  /** Target mean size in bytes (default 10 * 1024). */
  meanSize?: number;
  /** Domain used in Message-IDs and addresses. */
  domain?: string;
}

/** A small, fast, deterministic PRNG (mulberry32). */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the quarterly report meeting schedule project update invoice attached please review ' +
  'thanks regards deadline budget proposal client feedback release notes server migration ' +
  'database backup weekend travel plans lunch tomorrow agenda minutes follow up question ' +
  'answer draft final version contract signature shipping order status payment received'
).split(' ');

const FIRST_NAMES = ['Alice', 'Bob', 'Carol', 'Dmitri', 'Élodie', 'Fatima', 'Günther', 'Hiro', 'Inès', 'José'];
const LAST_NAMES = ['Smith', 'Jones', 'Müller', 'Ivanov', 'Dubois', 'Tanaka', 'García', 'Kowalski'];

const WINDOWS_1252_SAMPLE = 'Price: 5 \u20ac \u2013 \u201cquoted\u201d \u2018single\u2019 \u2026 caf\u00e9';
const KOI8R_SAMPLE_BYTES = [0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4, 0x20, 0xcd, 0xc9, 0xd2]; // "Привет мир"

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function sentence(random: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(pick(random, WORDS));
  const text = out.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

function paragraphText(random: () => number, targetBytes: number): string {
  const lines: string[] = [];
  let size = 0;
  while (size < targetBytes) {
    const line = sentence(random, 6 + Math.floor(random() * 8));
    lines.push(line);
    size += line.length + 2;
  }
  return lines.join('\r\n');
}

function encodeWordB(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function needsEncoding(text: string): boolean {
  return /[^\x20-\x7e]/.test(text);
}

function headerText(text: string): string {
  return needsEncoding(text) ? encodeWordB(text) : text;
}

function address(random: () => number, domain: string): { display: string; addr: string } {
  const first = pick(random, FIRST_NAMES);
  const last = pick(random, LAST_NAMES);
  const addr = `${first.normalize('NFD').replace(/[^a-zA-Z]/g, '').toLowerCase()}.${last
    .normalize('NFD')
    .replace(/[^a-zA-Z]/g, '')
    .toLowerCase()}@${domain}`;
  return { display: `${headerText(`${first} ${last}`)} <${addr}>`, addr };
}

function base64Lines(bytes: Uint8Array): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join('\r\n');
}

function quotedPrintable(bytes: Uint8Array): string {
  let out = '';
  let lineLength = 0;
  for (const byte of bytes) {
    let piece: string;
    if (byte === 0x0d || byte === 0x0a) {
      if (byte === 0x0a) {
        out += '\r\n';
        lineLength = 0;
      }
      continue;
    }
    if ((byte >= 33 && byte <= 126 && byte !== 61) || byte === 32) piece = String.fromCharCode(byte);
    else piece = '=' + byte.toString(16).toUpperCase().padStart(2, '0');
    if (lineLength + piece.length > 75) {
      out += '=\r\n';
      lineLength = 0;
    }
    out += piece;
    lineLength += piece.length;
  }
  return out;
}

function windows1252Bytes(text: string): Uint8Array {
  const table: Record<string, number> = {
    '\u20ac': 0x80, '\u2013': 0x96, '\u2014': 0x97, '\u201c': 0x93, '\u201d': 0x94,
    '\u2018': 0x91, '\u2019': 0x92, '\u2026': 0x85,
  };
  const out: number[] = [];
  for (const ch of text) {
    const mapped = table[ch];
    if (mapped !== undefined) out.push(mapped);
    else out.push(ch.charCodeAt(0) & 0xff);
  }
  return Uint8Array.from(out);
}

function rfc2822Date(ms: number): string {
  return new Date(ms).toUTCString().replace('GMT', '+0000');
}

/** Generates message number `index` (0-based) of the deterministic stream for `options.seed`. */
export function generateSampleMessage(index: number, options: SampleMailOptions = {}): Uint8Array {
  const seed = (options.seed ?? 1) * 1_000_003 + index * 7919;
  const random = createRandom(seed);
  const domain = options.domain ?? 'example.test';
  const meanSize = options.meanSize ?? 10 * 1024;
  // Skewed size: most messages small, a few large; mean ≈ meanSize.
  const bodyBytes = Math.max(200, Math.floor(-Math.log(1 - random() * 0.999) * meanSize * 0.8));
  const from = address(random, domain);
  const to = address(random, domain);
  const cc = random() < 0.3 ? address(random, domain) : null;
  const subjectBase = sentence(random, 3 + Math.floor(random() * 5)).replace(/\.$/, '');
  const kind = Math.floor(random() * 8);
  const subject = kind === 5 ? `Re: ${subjectBase} — naïve café ✓` : subjectBase;
  const date = Date.UTC(2026, 0, 1) + index * 3_600_000 + Math.floor(random() * 3_600_000);
  const headers: string[] = [];
  headers.push(`From: ${from.display}`);
  headers.push(`To: ${to.display}`);
  if (cc) headers.push(`Cc: ${cc.display}`);
  headers.push(`Subject: ${headerText(subject)}`);
  headers.push(`Date: ${rfc2822Date(date)}`);
  if (index % 97 !== 13) headers.push(`Message-ID: <sample-${options.seed ?? 1}-${index}@${domain}>`);
  if (kind === 5 && index > 0) {
    headers.push(`In-Reply-To: <sample-${options.seed ?? 1}-${index - 1}@${domain}>`);
    headers.push(`References: <sample-${options.seed ?? 1}-0@${domain}> <sample-${options.seed ?? 1}-${index - 1}@${domain}>`);
  }
  headers.push('MIME-Version: 1.0');
  const text = paragraphText(random, bodyBytes);
  const boundary = `=_b${index}_${Math.floor(random() * 1e9)}`;
  let body: string;
  switch (kind) {
    case 0:
    case 5:
      headers.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
      body = text;
      break;
    case 1: {
      headers.push('Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
      body = `<html><body><p>${text.replace(/\r\n/g, '</p>\r\n<p>')}</p></body></html>`;
      break;
    }
    case 2: {
      headers.push(`Content-Type: multipart/alternative; boundary="${boundary}"`);
      body = [
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        text,
        `--${boundary}`,
        'Content-Type: text/html; charset=utf-8',
        '',
        `<html><body><div>${text.replace(/\r\n/g, '<br>\r\n')}</div></body></html>`,
        `--${boundary}--`,
        '',
      ].join('\r\n');
      break;
    }
    case 3: {
      const attachment = new Uint8Array(Math.floor(bodyBytes / 2));
      for (let i = 0; i < attachment.length; i++) attachment[i] = Math.floor(random() * 256);
      headers.push(`Content-Type: multipart/mixed; boundary="${boundary}"`);
      body = [
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        text.slice(0, Math.floor(text.length / 2)),
        `--${boundary}`,
        'Content-Type: application/pdf; name="report.pdf"',
        'Content-Disposition: attachment; filename="report.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(attachment),
        `--${boundary}--`,
        '',
      ].join('\r\n');
      break;
    }
    case 4: {
      headers.push('Content-Type: text/plain; charset=windows-1252', 'Content-Transfer-Encoding: quoted-printable');
      body = quotedPrintable(windows1252Bytes(`${WINDOWS_1252_SAMPLE}\r\n${text}`));
      break;
    }
    case 6: {
      headers.push('Content-Type: text/plain; charset=koi8-r', 'Content-Transfer-Encoding: base64');
      const koi = new Uint8Array([...KOI8R_SAMPLE_BYTES, 0x0d, 0x0a, ...Buffer.from(text, 'latin1')]);
      body = base64Lines(koi);
      break;
    }
    default: {
      headers.push('Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable');
      body = quotedPrintable(Uint8Array.from(Buffer.from(`Gr\u00fc\u00dfe aus K\u00f6ln\r\n${text}`, 'latin1')));
      break;
    }
  }
  return new Uint8Array(Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}\r\n`, 'utf8'));
}

/** Yields `count` messages of the deterministic stream. */
export function* generateSampleMail(count: number, options: SampleMailOptions = {}): Generator<Uint8Array> {
  for (let i = 0; i < count; i++) yield generateSampleMessage(i, options);
}

/**
 * Mailbox names on the wire: modified UTF-7 (RFC 3501 §5.1.3) unless UTF8=ACCEPT is enabled.
 *
 * `toWireMailboxName` decides what a command sends: a name that already is a wire name (what
 * LIST returned: printable ASCII and valid mUTF-7, or anything under UTF8=ACCEPT) passes through
 * byte for byte; any other name (non-ASCII text, or a bare `&`) is a display name and is encoded.
 * `encodeMailboxName` always encodes (`&` becomes `&-`); `decodeMailboxName` returns the raw name
 * when it is not valid mUTF-7, and NFC-normalises what it decodes.
 */

function utf16ToModifiedBase64(units: number[]): string {
  const bytes = new Uint8Array(units.length * 2);
  units.forEach((unit, index) => {
    bytes[index * 2] = unit >> 8;
    bytes[index * 2 + 1] = unit & 0xff;
  });
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '').replace(/\//g, ',');
}

/**
 * Encodes a display name as a modified UTF-7 mailbox name (RFC 3501 §5.1.3), e.g. `"Entwürfe"` →
 * `"Entw&APw-rfe"`. The name is NFC-normalised first; `&` becomes `&-`; any spelling of `inbox`
 * becomes `INBOX`. Always encodes, even a name that already is modified UTF-7 (use it for names
 * typed by a user, not for names LIST returned). Not needed when UTF8=ACCEPT is enabled.
 */
export function encodeMailboxName(name: string): string {
  if (/^INBOX$/i.test(name)) return 'INBOX';
  const normalized = name.normalize('NFC');
  let out = '';
  let pending: number[] = [];
  const flush = (): void => {
    if (pending.length > 0) {
      out += `&${utf16ToModifiedBase64(pending)}-`;
      pending = [];
    }
  };
  for (let i = 0; i < normalized.length; i++) {
    const unit = normalized.charCodeAt(i);
    if (unit >= 0x20 && unit <= 0x7e) {
      flush();
      out += unit === 0x26 ? '&-' : normalized[i];
    } else pending.push(unit);
  }
  flush();
  return out;
}

const MODIFIED_BASE64 = /^[A-Za-z0-9+,]+$/;

/** True when `name` is printable ASCII in which every `&` starts a well-formed shift sequence
 * (`&-`, or modified base64 of whole UTF-16 units with zero padding bits, closed by `-`). */
export function isModifiedUtf7(name: string): boolean {
  if (!/^[\x20-\x7e]*$/.test(name)) return false;
  for (let i = name.indexOf('&'); i >= 0; i = name.indexOf('&', i + 1)) {
    const end = name.indexOf('-', i + 1);
    if (end < 0) return false;
    const encoded = name.slice(i + 1, end);
    if (encoded !== '') {
      if (!MODIFIED_BASE64.test(encoded)) return false;
      const bits = encoded.length * 6;
      if (Math.floor(bits / 8) % 2 !== 0 || bits % 16 >= 6) return false;
      const last = BASE64_ALPHABET.indexOf((encoded[encoded.length - 1] as string).replace(',', '/'));
      if ((last & ((1 << bits % 16) - 1)) !== 0) return false;
    }
    i = end;
  }
  return true;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** What a command sends for `name`: see the module comment. */
export function toWireMailboxName(name: string, utf8Accept: boolean): string {
  if (utf8Accept) return name;
  return /^INBOX$/i.test(name) ? 'INBOX' : isModifiedUtf7(name) ? name : encodeMailboxName(name);
}

/**
 * Decodes a mailbox name as LIST returned it (modified UTF-7, RFC 3501 §5.1.3) into a display
 * name, e.g. `"Entw&APw-rfe"` → `"Entwürfe"`, NFC-normalised. A name that is not valid modified
 * UTF-7 (e.g. a server that sends raw UTF-8) is returned unchanged. Do not apply it to names from
 * a session with UTF8=ACCEPT enabled: those are already plain UTF-8.
 */
export function decodeMailboxName(wire: string): string {
  if (!wire.includes('&') || !isModifiedUtf7(wire)) return wire;
  let out = '';
  for (let i = 0; i < wire.length; i++) {
    const ch = wire[i] as string;
    if (ch !== '&') {
      out += ch;
      continue;
    }
    const end = wire.indexOf('-', i + 1);
    if (end < 0) return wire;
    const encoded = wire.slice(i + 1, end);
    if (encoded === '') out += '&';
    else {
      if (!MODIFIED_BASE64.test(encoded)) return wire;
      const bytes = Buffer.from(encoded.replace(/,/g, '/'), 'base64');
      if (bytes.length % 2 !== 0) return wire;
      for (let j = 0; j < bytes.length; j += 2) out += String.fromCharCode(((bytes[j] as number) << 8) | (bytes[j + 1] as number));
    }
    i = end;
  }
  return out.normalize('NFC');
}

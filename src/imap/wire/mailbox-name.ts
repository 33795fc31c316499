/**
 * Mailbox names on the wire: modified UTF-7 (RFC 3501 §5.1.3) unless UTF8=ACCEPT is enabled.
 * Encoding is idempotent for names that are already valid 7-bit mUTF-7 (`&` is escaped as `&-`),
 * decoding returns the raw name when it is not valid mUTF-7, and results are NFC-normalised.
 */

function utf16ToModifiedBase64(units: number[]): string {
  const bytes = new Uint8Array(units.length * 2);
  units.forEach((unit, index) => {
    bytes[index * 2] = unit >> 8;
    bytes[index * 2 + 1] = unit & 0xff;
  });
  return Buffer.from(bytes).toString('base64').replace(/=+$/, '').replace(/\//g, ',');
}

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

export function decodeMailboxName(wire: string): string {
  if (!wire.includes('&')) return wire;
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
      if (!/^[A-Za-z0-9+,]+$/.test(encoded)) return wire;
      const bytes = Buffer.from(encoded.replace(/,/g, '/'), 'base64');
      if (bytes.length % 2 !== 0) return wire;
      for (let j = 0; j < bytes.length; j += 2) out += String.fromCharCode(((bytes[j] as number) << 8) | (bytes[j + 1] as number));
    }
    i = end;
  }
  return out.normalize('NFC');
}

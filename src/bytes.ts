/** Byte helpers shared across layers (no I/O). */

/** Concatenates byte arrays into one new array (returns the only part itself when there is one). */
export function concatBytes(parts: readonly Uint8Array[], totalSize?: number): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const size = totalSize ?? parts.reduce((n, part) => n + part.byteLength, 0);
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/**
 * Binding long strings cheaply. sql.js copies a bound string into WebAssembly memory with a
 * JavaScript loop over its code points — once to measure it, once to encode it — which made
 * string binding the largest cost of storing a message (~0.2 ms for a 10 KiB body). A long
 * string is instead encoded by the runtime's native TextEncoder and bound as a BLOB, which
 * sql.js copies with one memcpy; the SQL that receives it writes `CAST(? AS TEXT)`, so the
 * stored value is TEXT either way (SQLite reads the bytes as UTF-8, the database encoding).
 */

const encoder = new TextEncoder();

/** Below this many UTF-16 units sql.js's own copy is cheaper than an extra Uint8Array. */
const NATIVE_ENCODING_FROM = 64;

/** A TEXT parameter for a `CAST(? AS TEXT)` slot: long strings as UTF-8 bytes, others as they are. */
export function textParam(value: string | null): string | Uint8Array | null {
  if (value === null || value.length < NATIVE_ENCODING_FROM) return value;
  return encoder.encode(value);
}

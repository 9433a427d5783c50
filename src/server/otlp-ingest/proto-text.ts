/**
 * Strings out of protobuf bytes, with Buffer's own slicers: `toString(encoding, start, end)`
 * checks its arguments and looks the encoding up on every call, which showed in ingest's profile
 * (a few strings per record). Keeping repeated strings (session IDs, tool names) in a table to hand
 * them out again was tried and measured slower: hashing and comparing the bytes cost more than
 * making the string.
 */

interface Slicers {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
}
/** Present in every Node version this package runs on; `toString` otherwise. */
const hasSlicers = typeof (Buffer.prototype as unknown as Partial<Slicers>).utf8Slice === 'function' && typeof (Buffer.prototype as unknown as Partial<Slicers>).hexSlice === 'function';

/** The UTF-8 text at [`from`, `to`) of `bytes` (invalid sequences as U+FFFD). */
export function textAt(bytes: Buffer, from: number, to: number): string {
  if (from === to) return '';
  return hasSlicers ? (bytes as unknown as Slicers).utf8Slice(from, to) : bytes.toString('utf8', from, to);
}

/** Lowercase hex of the bytes at [`from`, `to`). */
export function hexAt(bytes: Buffer, from: number, to: number): string {
  return hasSlicers ? (bytes as unknown as Slicers).hexSlice(from, to) : bytes.toString('hex', from, to);
}

/**
 * Strings out of protobuf bytes. Ingest makes the same few strings over and over (session IDs,
 * tool names, span names, one per record), so short ASCII ones are kept in a small table and
 * handed out again: no new string, no garbage, and a string whose hash V8 has already computed
 * when the reports look the session up.
 */

/** Buffer's own slicers, without `toString`'s argument checks (present in every Node version this package runs on). */
interface Slicers {
  utf8Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
}
const hasSlicers = typeof (Buffer.prototype as unknown as Partial<Slicers>).utf8Slice === 'function' && typeof (Buffer.prototype as unknown as Partial<Slicers>).hexSlice === 'function';

/** Strings of at most this many bytes are kept. */
const MAX_KEPT_BYTES = 48;
const SLOTS = 4096;
const kept: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);

/** The UTF-8 text at [`from`, `to`) of `bytes` (invalid sequences as U+FFFD). */
export function textAt(bytes: Buffer, from: number, to: number): string {
  const length = to - from;
  if (length === 0) return '';
  if (length > MAX_KEPT_BYTES) return slice(bytes, from, to);
  let hash = 0x811c9dc5;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
  const slot = (hash >>> 0) & (SLOTS - 1);
  const candidate = kept[slot];
  if (candidate !== undefined && candidate.length === length && sameAscii(candidate, bytes, from, length)) return candidate;
  const text = slice(bytes, from, to);
  // Only ASCII is kept: a kept string's characters then equal its bytes, which `sameAscii` compares.
  if (text.length === length) kept[slot] = text;
  return text;
}

/** Lowercase hex of the bytes at [`from`, `to`). */
export function hexAt(bytes: Buffer, from: number, to: number): string {
  return hasSlicers ? (bytes as unknown as Slicers).hexSlice(from, to) : bytes.toString('hex', from, to);
}

function slice(bytes: Buffer, from: number, to: number): string {
  return hasSlicers ? (bytes as unknown as Slicers).utf8Slice(from, to) : bytes.toString('utf8', from, to);
}

function sameAscii(text: string, bytes: Buffer, from: number, length: number): boolean {
  for (let i = 0; i < length; i++) {
    const byte = bytes[from + i] as number;
    if (byte >= 0x80 || text.charCodeAt(i) !== byte) return false;
  }
  return true;
}

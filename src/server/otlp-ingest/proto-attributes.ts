import { attributeValue, keyValueRanges } from './proto-values.js';
import { LENGTH_DELIMITED, WireReader } from './proto-wire.js';
import type { IngestAttributes, IngestValue } from './sources/source.js';

/** Keys whose UTF-8 bytes are kept (sources ask for a few dozen constant keys). */
const MAX_KEYS = 1024;
const keyBytesOf = new Map<string, Uint8Array>();

function keyBytes(key: string): Uint8Array {
  let bytes = keyBytesOf.get(key);
  if (bytes === undefined) {
    bytes = Buffer.from(key, 'utf8');
    if (keyBytesOf.size < MAX_KEYS) keyBytesOf.set(key, bytes);
  }
  return bytes;
}

/** One reader for every lookup: `get` runs to its end synchronously, and never inside another. */
let lookupReader = new WireReader(Buffer.alloc(0));
const ranges = new Int32Array(4);

function readerOf(bytes: Buffer): WireReader {
  if (lookupReader.bytes !== bytes) lookupReader = new WireReader(bytes);
  return lookupReader;
}

/**
 * The attributes of a span, log record, resource or scope, read from its protobuf bytes when a
 * source asks for a key: the keys are compared as bytes, and only the value asked for is decoded.
 * `from`/`to` enclose the message's `KeyValue` fields (number `field`); the bytes were checked
 * when the record was found (`checkKeyValue`), so a lookup does not throw.
 */
export class ProtoAttributes implements IngestAttributes {
  constructor(
    private readonly bytes: Buffer,
    private readonly from: number,
    private readonly to: number,
    private readonly field: number,
  ) {}

  get(key: string): IngestValue | undefined {
    if (this.from >= this.to) return undefined;
    const wanted = keyBytes(key);
    const length = wanted.length;
    const { bytes, to, field } = this;
    const reader = readerOf(bytes);
    let found: IngestValue | undefined;
    let pos = this.from;
    while (pos < to) {
      reader.at(pos, to);
      const tag = reader.varint();
      if (tag >>> 3 !== field || (tag & 7) !== LENGTH_DELIMITED) {
        reader.skip(tag & 7);
        pos = reader.pos;
        continue;
      }
      const start = reader.lengthDelimited();
      pos = reader.pos;
      keyValueRanges(reader, start, pos, ranges);
      const keyFrom = ranges[0] as number;
      if (keyFrom < 0 || (ranges[1] as number) - keyFrom !== length || ranges[2] === -1 || !sameBytes(bytes, keyFrom, wanted, length)) continue;
      // A key sent twice: the last value that is an attribute counts.
      const value = attributeValue(reader, ranges[2] as number, ranges[3] as number);
      if (value !== undefined) found = value;
    }
    return found;
  }

  entries(): [string, IngestValue][] {
    const all = new Map<string, IngestValue>();
    const { bytes, to, field } = this;
    const reader = readerOf(bytes);
    let pos = this.from;
    while (pos < to) {
      reader.at(pos, to);
      const tag = reader.varint();
      if (tag >>> 3 !== field || (tag & 7) !== LENGTH_DELIMITED) {
        reader.skip(tag & 7);
        pos = reader.pos;
        continue;
      }
      const start = reader.lengthDelimited();
      pos = reader.pos;
      keyValueRanges(reader, start, pos, ranges);
      if (ranges[0] === -1 || ranges[2] === -1) continue;
      const key = bytes.toString('utf8', ranges[0], ranges[1]);
      const value = attributeValue(reader, ranges[2] as number, ranges[3] as number);
      if (value !== undefined) all.set(key, value);
    }
    return [...all];
  }
}

/**
 * The attributes of a resource or scope: shared by all its records, so each key is read from the
 * bytes once and kept.
 */
export class KeptAttributes implements IngestAttributes {
  private readonly kept = new Map<string, IngestValue | undefined>();

  constructor(private readonly attributes: IngestAttributes) {}

  get(key: string): IngestValue | undefined {
    if (this.kept.has(key)) return this.kept.get(key);
    const value = this.attributes.get(key);
    if (this.kept.size < MAX_KEYS) this.kept.set(key, value);
    return value;
  }

  entries(): [string, IngestValue][] {
    return this.attributes.entries();
  }
}

/** Whether `bytes[at, at + length)` equals `wanted`; from the end, where dotted keys tend to differ. */
function sameBytes(bytes: Buffer, at: number, wanted: Uint8Array, length: number): boolean {
  for (let i = length - 1; i >= 0; i--) if (bytes[at + i] !== wanted[i]) return false;
  return true;
}

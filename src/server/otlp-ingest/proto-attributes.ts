import { attributeValue, readKeyValue } from './proto-values.js';
import { WireReader } from './proto-wire.js';
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
 * Where the attributes of a request's records are in its bytes: per `KeyValue`, the range of its
 * key and of its value, four numbers in a row, for every record read from one body.
 */
export class AttributeIndex {
  data = new Int32Array(1024);
  size = 0;

  constructor(readonly bytes: Buffer) {}

  /**
   * Checks the `KeyValue` at [`from`, `to`) (`readKeyValue`) and adds it, unless it lacks a key
   * or a value (no attribute, then). Leaves `reader` anywhere.
   */
  add(reader: WireReader, from: number, to: number): void {
    readKeyValue(reader, from, to, ranges);
    if (ranges[0] === -1 || ranges[2] === -1) return;
    let { data } = this;
    if (this.size + 4 > data.length) {
      const grown = new Int32Array(data.length * 2);
      grown.set(data);
      this.data = data = grown;
    }
    const at = this.size;
    data[at] = ranges[0];
    data[at + 1] = ranges[1] as number;
    data[at + 2] = ranges[2] as number;
    data[at + 3] = ranges[3] as number;
    this.size = at + 4;
  }
}

/**
 * The attributes of a span, log record, resource or scope, read from the protobuf bytes when a
 * source asks for a key: keys are compared as bytes (no string is made), and only the value asked
 * for is decoded. Its `KeyValue`s are entries [`start`, `end`) of `index`, checked when the
 * record was read, so a lookup does not throw.
 */
export class ProtoAttributes implements IngestAttributes {
  constructor(
    private readonly index: AttributeIndex,
    private readonly start: number,
    private readonly end: number,
  ) {}

  get(key: string): IngestValue | undefined {
    const wanted = keyBytes(key);
    const length = wanted.length;
    const { bytes, data } = this.index;
    // From the last: of a key sent twice, the last value that is an attribute counts.
    for (let i = this.end - 4; i >= this.start; i -= 4) {
      const keyFrom = data[i] as number;
      if ((data[i + 1] as number) - keyFrom !== length || !sameBytes(bytes, keyFrom, wanted, length)) continue;
      const value = attributeValue(readerOf(bytes), data[i + 2] as number, data[i + 3] as number);
      if (value !== undefined) return value;
    }
    return undefined;
  }

  entries(): [string, IngestValue][] {
    const all = new Map<string, IngestValue>();
    const { bytes, data } = this.index;
    for (let i = this.start; i < this.end; i += 4) {
      const value = attributeValue(readerOf(bytes), data[i + 2] as number, data[i + 3] as number);
      if (value !== undefined) all.set(bytes.toString('utf8', data[i], data[i + 1]), value);
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

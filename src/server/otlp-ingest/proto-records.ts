import type protobuf from 'protobufjs';
import type { FoundRecord, Json, RecordCount, RecordOrigin, Signal } from './found-record.js';
import { InstrumentationScopeMessage, LogRecordMessage, ResourceMessage, SpanMessage } from './otlp-proto.js';

/** Wire type of length-delimited fields: every field walked here (messages). */
const LENGTH_DELIMITED = 2;
/** proto3 JSON shapes (`longs: String`: nanoseconds past 2^53 stay exact); bytes stay bytes. */
const AS_JSON = { longs: String, defaults: false } as const;

type Message = protobuf.Type;

/** A field's bytes: [from, to). */
type Range = readonly [number, number];

/**
 * The records of a protobuf export request of `signal`, found by one walk over its bytes that builds
 * nothing: `resource_spans` (1) › `scope_spans` (2) › `spans` (2); logs and metrics have the same
 * field numbers (`resource_logs` › `scope_logs` › `log_records`). Each of the first `count.max`
 * is decoded only when read; the rest are counted in `count.seen` and never decoded, so a body of
 * millions of empty records costs a pass over its bytes, not millions of objects. Throws (a plain
 * `Error`) on bytes that are not such a request.
 */
export function findProtoRecords(body: Uint8Array, count: RecordCount, signal: Signal): FoundRecord[] {
  // Metrics are counted, never read: a decoder for them would be a record type of its own.
  const message = signal === 'log' ? LogRecordMessage : SpanMessage;
  const reader = new FieldReader(body);
  const found: FoundRecord[] = [];
  // As in json-records.ts: the walk keeps its place in these, and makes an origin only for a scope
  // with a record to read; fields may come in any order (the resource after its records).
  let resource: Range | undefined;
  let scope: Range | undefined;
  let origin: ProtoOrigin | undefined;
  let originsOfResource: ProtoOrigin[] = [];

  const scopeSpansField = (field: number, from: number, to: number): void => {
    if (field === 1) scope = [from, to];
    if (field !== 2 || count.seen++ >= count.max) return;
    if (origin === undefined) originsOfResource.push((origin = new ProtoOrigin(body)));
    found.push({ read: () => decode(message, body, from, to), origin });
  };
  const resourceSpansField = (field: number, from: number, to: number): void => {
    if (field === 1) resource = [from, to];
    if (field !== 2) return;
    origin = undefined;
    scope = undefined;
    eachField(reader, from, to, scopeSpansField);
    // Set by `scopeSpansField` meanwhile, which TypeScript cannot see.
    (origin as ProtoOrigin | undefined)?.setScope(scope);
  };
  eachField(reader, 0, body.length, (field, from, to) => {
    if (field !== 1) return;
    resource = undefined;
    eachField(reader, from, to, resourceSpansField);
    for (const each of originsOfResource) each.setResource(resource);
    if (originsOfResource.length > 0) originsOfResource = [];
  });
  return found;
}

/** The resource and scope of records found in protobuf, decoded when read. */
class ProtoOrigin implements RecordOrigin {
  private resourceRange: Range | undefined;
  private scopeRange: Range | undefined;

  constructor(private readonly body: Uint8Array) {}

  setResource(range: Range | undefined): void {
    this.resourceRange = range;
  }

  setScope(range: Range | undefined): void {
    this.scopeRange = range;
  }

  resource(): Json | undefined {
    return this.resourceRange && decode(ResourceMessage, this.body, ...this.resourceRange);
  }

  scope(): Json | undefined {
    return this.scopeRange && decode(InstrumentationScopeMessage, this.body, ...this.scopeRange);
  }
}

/**
 * Calls `visit` with the number and byte range of each length-delimited field of the message at
 * [`start`, `end`), skipping the others. Nested calls move the reader; it is put back after each.
 */
function eachField(reader: FieldReader, start: number, end: number, visit: (field: number, from: number, to: number) => void): void {
  reader.pos = start;
  while (reader.pos < end) {
    const tag = reader.varint();
    if ((tag & 7) !== LENGTH_DELIMITED) {
      reader.skip(tag & 7, end);
      continue;
    }
    const length = reader.varint();
    const from = reader.pos;
    const to = from + length;
    if (to > end) throw new Error(`field ${tag >>> 3} runs past the end of its message`);
    visit(tag >>> 3, from, to);
    reader.pos = to;
  }
}

/**
 * Tags, lengths and skips over protobuf bytes, by hand: protobufjs's `Reader` does the same, but
 * its calls cost twice as much over the millions of fields a small gzip body can hold.
 */
class FieldReader {
  pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** A varint of up to 32 bits (tags and lengths; a longer one is no length a 4 MiB body holds). */
  varint(): number {
    const { bytes } = this;
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= bytes.length) throw new Error('the body ends inside a field');
      const byte = bytes[this.pos++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    throw new Error('a varint longer than 32 bits');
  }

  /** Skips a field of `wireType` that is not length-delimited (varint, 64-bit, 32-bit). */
  skip(wireType: number, end: number): void {
    if (wireType === 0) {
      do {
        if (this.pos >= end) throw new Error('a varint runs past the end of its message');
      } while ((this.bytes[this.pos++] as number) >= 0x80);
    } else if (wireType === 1) {
      this.pos += 8;
    } else if (wireType === 5) {
      this.pos += 4;
    } else {
      throw new Error(`unsupported wire type ${wireType}`);
    }
    if (this.pos > end) throw new Error('a field runs past the end of its message');
  }
}

function decode(type: Message, body: Uint8Array, from: number, to: number): Json {
  return type.toObject(type.decode(body.subarray(from, to)), AS_JSON);
}

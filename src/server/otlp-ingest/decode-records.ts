import { OtlpDecodeError } from './decode-error.js';
import type { EventLoopTurns } from './event-loop-turns.js';
import type { FoundRecord, RecordCount, RecordOrigin, Signal } from './found-record.js';
import { jsonNestsDeeperThan } from './json-depth.js';
import { jsonLogRecord, jsonOriginOf, jsonSpanRecord, type JsonOrigin } from './json-record.js';
import { findJsonRecords } from './json-records.js';
import { AttributeIndex } from './proto-attributes.js';
import { protoLogRecord, protoSpanRecord } from './proto-record.js';
import { findProtoRecords } from './proto-records.js';
import { WireReader } from './proto-wire.js';
import type { OtlpRecord } from './sources/source.js';

export { OtlpDecodeError };

export type OtlpEncoding = 'json' | 'protobuf';

export interface DecodedRecords {
  /** The spans or log records among the first `maxRecords`, as sources read them (none for metrics). */
  readonly records: OtlpRecord[];
  /** Every record of the request, read or not (metrics: each metric). */
  readonly seen: number;
  /** Records past `maxRecords`: counted, never read. */
  readonly overLimit: number;
}

/**
 * Nesting of objects and arrays an OTLP/JSON body may have: a span attribute holding an array is
 * 13 levels deep; this leaves room for a dozen levels of nested maps.
 */
export const MAX_JSON_DEPTH = 64;
/** Records read in one event-loop turn. */
const RECORDS_PER_TURN = 1000;

/** Reads the i-th record found. */
type ReadRecord = (i: number) => OtlpRecord;

/**
 * The records of an OTLP export request of `signal`, in OTLP/JSON (hex IDs, lowerCamelCase) or
 * protobuf, as the `OtlpRecord`s sources map. Reads at most `maxRecords`; metrics are walked and
 * counted, never read. Works in slices, each in a turn of `turns` (one pass over the body, then
 * `RECORDS_PER_TURN` records at a time). Throws `OtlpDecodeError` for a body that is not such a
 * request, or nests deeper than `MAX_JSON_DEPTH` (JSON) or `MAX_VALUE_NESTING` (protobuf values).
 *
 * Protobuf is read without protobufjs: each record by one walk over its fields, its attributes
 * left in the bytes and decoded only when a source asks for a key (`proto-attributes.ts`).
 */
export async function decodeOtlpRecords(body: Uint8Array, encoding: OtlpEncoding, signal: Signal, maxRecords: number, turns: EventLoopTurns): Promise<DecodedRecords> {
  const count: RecordCount = { max: maxRecords, seen: 0 };
  await turns.take();
  if (encoding === 'json' && jsonNestsDeeperThan(body, MAX_JSON_DEPTH)) throw new OtlpDecodeError(`OTLP json body nested deeper than ${MAX_JSON_DEPTH} levels`);
  await turns.take();
  const records: OtlpRecord[] = [];
  try {
    const { length, read } = encoding === 'json' ? jsonReader(body, count, signal) : protoReader(body, count, signal);
    if (signal !== 'metric') {
      for (let i = 0; i < length; i++) {
        if (i % RECORDS_PER_TURN === 0) await turns.take();
        records.push(read(i));
      }
    }
  } catch (error) {
    // A truncated message, a stack overflow on deep nesting: the body is no such request.
    if (error instanceof OtlpDecodeError) throw error;
    throw new OtlpDecodeError(`undecodable OTLP ${encoding} body: ${(error as Error).message}`);
  }
  return { records, seen: count.seen, overLimit: Math.max(0, count.seen - count.max) };
}

function jsonReader(body: Uint8Array, count: RecordCount, signal: Signal): { length: number; read: ReadRecord } {
  const found = findJsonRecords(body, count, signal);
  const origins = new Map<RecordOrigin, JsonOrigin>();
  const build = signal === 'log' ? jsonLogRecord : jsonSpanRecord;
  return {
    length: found.length,
    read: (i) => {
      const { read, origin } = found[i] as FoundRecord;
      const fields = read();
      let made = origins.get(origin);
      if (made === undefined) origins.set(origin, (made = jsonOriginOf(origin)));
      return build(fields, made);
    },
  };
}

function protoReader(body: Uint8Array, count: RecordCount, signal: Signal): { length: number; read: ReadRecord } {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const found = findProtoRecords(bytes, count);
  const reader = new WireReader(bytes);
  const index = new AttributeIndex(bytes);
  const build = signal === 'log' ? protoLogRecord : protoSpanRecord;
  return { length: found.length, read: (i) => build(reader, index, found[i] as (typeof found)[number]) };
}

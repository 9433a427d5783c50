import type { EventLoopTurns } from './event-loop-turns.js';
import type { FoundRecord, Json, RecordCount, RecordOrigin, Signal } from './found-record.js';
import { jsonNestsDeeperThan } from './json-depth.js';
import { findJsonRecords } from './json-records.js';
import { findProtoRecords } from './proto-records.js';
import type { IngestAttributes, IngestValue, OtlpRecord } from './sources/source.js';

/** A request body that is not an OTLP export of its signal at all (answered 400). */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

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

interface Origin {
  readonly resource: IngestAttributes;
  readonly scopeName: string;
  readonly scopeVersion: string | undefined;
}

/**
 * The records of an OTLP export request of `signal`, in OTLP/JSON (hex IDs, lowerCamelCase) or
 * protobuf, as the `OtlpRecord`s sources map. Reads at most `maxRecords`; metrics are walked and
 * counted, never read. Works in slices, each in a turn of `turns` (one pass over the body, then
 * `RECORDS_PER_TURN` records at a time). Throws `OtlpDecodeError` for a body that is not such a
 * request, or nests deeper than `MAX_JSON_DEPTH`.
 */
export async function decodeOtlpRecords(body: Uint8Array, encoding: OtlpEncoding, signal: Signal, maxRecords: number, turns: EventLoopTurns): Promise<DecodedRecords> {
  const count: RecordCount = { max: maxRecords, seen: 0 };
  await turns.take();
  if (encoding === 'json' && jsonNestsDeeperThan(body, MAX_JSON_DEPTH)) throw new OtlpDecodeError(`OTLP json body nested deeper than ${MAX_JSON_DEPTH} levels`);
  await turns.take();
  const found = decoding(encoding, () => (encoding === 'json' ? findJsonRecords(body, count, signal) : findProtoRecords(body, count, signal)));
  const records: OtlpRecord[] = [];
  if (signal !== 'metric') {
    const origins = new Map<RecordOrigin, Origin>();
    for (let i = 0; i < found.length; i++) {
      if (i % RECORDS_PER_TURN === 0) await turns.take();
      const { read, origin } = found[i] as FoundRecord;
      const fields = decoding(encoding, read);
      let made = origins.get(origin);
      if (made === undefined) origins.set(origin, (made = decoding(encoding, () => originOf(origin))));
      records.push(signal === 'span' ? spanRecord(fields, made) : logRecord(fields, made));
    }
  }
  return { records, seen: count.seen, overLimit: Math.max(0, count.seen - count.max) };
}

/** `decode()`, with whatever it throws (a truncated message, a stack overflow on deep nesting) as an `OtlpDecodeError`. */
function decoding<T>(encoding: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof OtlpDecodeError) throw error;
    throw new OtlpDecodeError(`undecodable OTLP ${encoding} body: ${(error as Error).message}`);
  }
}

function originOf(origin: RecordOrigin): Origin {
  const scope = origin.scope() ?? {};
  return { resource: attributesOf(origin.resource()?.attributes), scopeName: text(scope.name) ?? '', scopeVersion: text(scope.version) || undefined };
}

function spanRecord(span: Json, origin: Origin): OtlpRecord {
  const startNs = nanos(span.startTimeUnixNano, 'startTimeUnixNano');
  const endNs = nanos(span.endTimeUnixNano, 'endTimeUnixNano');
  const status = isObject(span.status) ? span.status : {};
  return {
    signal: 'span',
    name: text(span.name) ?? '',
    eventName: '',
    attributes: attributesOf(span.attributes),
    resource: origin.resource,
    scopeName: origin.scopeName,
    scopeVersion: origin.scopeVersion,
    startTimeMs: milliseconds(startNs),
    endTimeMs: milliseconds(endNs > startNs ? endNs : startNs),
    durationMs: endNs > startNs ? Number(endNs - startNs) / 1e6 : 0,
    statusCode: statusCode(status.code),
    statusMessage: text(status.message) || undefined,
    exceptionType: exceptionTypeOf(span.events),
    traceId: idOf(span.traceId, 16),
    spanId: idOf(span.spanId, 8),
    parentSpanId: idOf(span.parentSpanId, 8),
  };
}

function logRecord(log: Json, origin: Origin): OtlpRecord {
  // A record without a time of its own (Codex sends 0) happened when it was observed.
  const timeNs = nanos(log.timeUnixNano, 'timeUnixNano') || nanos(log.observedTimeUnixNano, 'observedTimeUnixNano');
  const body = isObject(log.body) ? primitiveValue(log.body) : undefined;
  const timeMs = milliseconds(timeNs);
  return {
    signal: 'log',
    name: typeof body === 'string' ? body : '',
    eventName: text(log.eventName) ?? '',
    attributes: attributesOf(log.attributes),
    resource: origin.resource,
    scopeName: origin.scopeName,
    scopeVersion: origin.scopeVersion,
    startTimeMs: timeMs,
    endTimeMs: timeMs,
    durationMs: 0,
    statusCode: 0,
    statusMessage: undefined,
    traceId: idOf(log.traceId, 16),
    spanId: idOf(log.spanId, 8),
    parentSpanId: undefined,
  };
}

/** `exception.type` of the first `exception` event that has one. */
function exceptionTypeOf(events: unknown): string | undefined {
  if (!Array.isArray(events)) return undefined;
  for (const event of events) {
    if (!isObject(event) || event.name !== 'exception' || !Array.isArray(event.attributes)) continue;
    for (const kv of event.attributes) {
      if (isObject(kv) && kv.key === 'exception.type' && isObject(kv.value) && typeof kv.value.stringValue === 'string' && kv.value.stringValue !== '') return kv.value.stringValue;
    }
  }
  return undefined;
}

function statusCode(value: unknown): 0 | 1 | 2 {
  const code = typeof value === 'string' ? { STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 }[value] ?? 0 : Number(value ?? 0);
  return code === 1 ? 1 : code === 2 ? 2 : 0;
}

/**
 * Nanoseconds since the epoch: a decimal string (JSON, protobuf `longs: String`) or a number. Any
 * size is taken here: a time out of range is the call check's to refuse (counted per record), not a
 * reason to refuse the whole request.
 */
function nanos(value: unknown, field: string): bigint {
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  // proto3 JSON also allows an int64 as a number; an epoch in ns is past 2^53, so it comes rounded (to ~256 ns).
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.round(value));
  if (value === undefined || value === null) return 0n;
  throw new OtlpDecodeError(`${field} must be an unsigned integer of nanoseconds, got ${JSON.stringify(value).slice(0, 64)}`);
}

/** Epoch milliseconds, to the microsecond (exact in a double for any date a `Date` holds). */
function milliseconds(ns: bigint): number {
  return Number(ns / 1000n) / 1000;
}

/**
 * A trace or span ID of `bytes` bytes as lowercase hex: protobuf gives bytes, OTLP/JSON hex strings.
 * Anything else (another length, not hex, all zero) is no ID.
 */
function idOf(value: unknown, bytes: number): string | undefined {
  let id: string | undefined;
  if (typeof value === 'string') id = value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value) ? value.toLowerCase() : undefined;
  else if (value instanceof Uint8Array) id = value.length === bytes ? Buffer.from(value).toString('hex') : undefined;
  return id === undefined || /^0+$/.test(id) ? undefined : id;
}

function attributesOf(value: unknown): IngestAttributes {
  const attributes: Record<string, IngestValue> = {};
  if (!Array.isArray(value)) return attributes;
  for (const kv of value) {
    if (!isObject(kv) || typeof kv.key !== 'string') continue;
    const converted = anyValue(kv.value);
    if (converted !== undefined) attributes[kv.key] = converted;
  }
  return attributes;
}

/**
 * Primitive values and arrays of one primitive type, as span attributes are; maps, bytes and arrays
 * holding arrays are not, and are left out. Never recurses, so no nesting can overflow the stack.
 */
function anyValue(value: unknown): IngestValue | undefined {
  if (!isObject(value)) return undefined;
  const primitive = primitiveValue(value);
  if (primitive !== undefined) return primitive;
  if (isObject(value.arrayValue) && Array.isArray(value.arrayValue.values)) {
    const items = value.arrayValue.values.map((item: unknown) => (isObject(item) ? primitiveValue(item) : undefined));
    if (items.every((v) => typeof v === 'string')) return items as string[];
    if (items.every((v) => typeof v === 'number')) return items as number[];
    if (items.every((v) => typeof v === 'boolean')) return items as boolean[];
  }
  return undefined;
}

function primitiveValue(value: Json): string | number | boolean | undefined {
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  return undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

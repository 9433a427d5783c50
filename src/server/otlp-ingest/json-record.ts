import { OtlpDecodeError } from './decode-error.js';
import type { Json, RecordOrigin } from './found-record.js';
import { MapAttributes } from './map-attributes.js';
import type { IngestAttributes, IngestValue, OtlpRecord } from './sources/source.js';

/** What the records of one scope share, read once. */
export interface JsonOrigin {
  readonly resource: IngestAttributes;
  readonly scopeName: string;
  readonly scopeVersion: string | undefined;
}

/** The resource's attributes and the scope's name and version of records found in OTLP/JSON. */
export function jsonOriginOf(origin: RecordOrigin): JsonOrigin {
  const scope = origin.scope() ?? {};
  return { resource: attributesOf(origin.resource()?.attributes), scopeName: text(scope.name) ?? '', scopeVersion: text(scope.version) || undefined };
}

/** A span parsed from OTLP/JSON as sources read it. Throws `OtlpDecodeError` on times that are not ones. */
export function jsonSpanRecord(span: Json, origin: JsonOrigin): OtlpRecord {
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

/** A log record parsed from OTLP/JSON as sources read it (see `jsonSpanRecord`). */
export function jsonLogRecord(log: Json, origin: JsonOrigin): OtlpRecord {
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
  const attributes = new Map<string, IngestValue>();
  if (!Array.isArray(value)) return new MapAttributes(attributes);
  for (const kv of value) {
    if (!isObject(kv) || typeof kv.key !== 'string') continue;
    const converted = anyValue(kv.value);
    if (converted !== undefined) attributes.set(kv.key, converted);
  }
  return new MapAttributes(attributes);
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

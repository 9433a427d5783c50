import { SpanStatusCode, TraceFlags, type Attributes, type AttributeValue, type HrTime, type SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { isCallAttributes } from '../../reports/span-to-call.js';
import type { EventLoopTurns } from './event-loop-turns.js';
import { jsonNestsDeeperThan } from './json-depth.js';
import { findJsonSpans } from './json-spans.js';
import { findProtoSpans } from './proto-spans.js';

/** A request body that is not an OTLP trace export at all (answered 400). */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

export type Json = Record<string, unknown>;

/** Where a span comes from: its resource and scope, OTLP/JSON-shaped, read when first needed. */
export interface SpanOrigin {
  readonly resource: () => Json | undefined;
  readonly scope: () => Json | undefined;
}

/** A span of a request, found but not read yet. */
export interface FoundSpan {
  /** Its fields, OTLP/JSON-shaped (decoded now, for protobuf). */
  readonly read: () => Json;
  /** Shared by the spans of one `scopeSpans`. */
  readonly origin: SpanOrigin;
}

/** At most `max` spans are read; `seen` counts every span of the request, read or not. */
export interface SpanCount {
  readonly max: number;
  seen: number;
}

export interface DecodedSpans {
  /** The spans that may be calls (a session and a tracked operation), among the first `maxSpans`. */
  readonly spans: ReadableSpan[];
  /** Spans past `maxSpans`: counted, never read. */
  readonly overLimit: number;
}

/**
 * Nesting of objects and arrays an OTLP/JSON body may have: a span attribute holding an array is
 * 13 levels deep; this leaves room for a dozen levels of nested maps.
 */
export const MAX_JSON_DEPTH = 64;
/** Spans read in one event-loop turn. */
const SPANS_PER_TURN = 1000;

/**
 * The spans of an `ExportTraceServiceRequest` in OTLP/JSON (hex IDs, lowerCamelCase) or protobuf
 * that may be tool calls, as the `ReadableSpan`s that `callFromSpan` reads. Reads at most
 * `maxSpans` spans and skips those without a session and a tracked operation before building
 * anything of them. Works in slices, each in a turn of `turns` (one pass over the body, then
 * `SPANS_PER_TURN` spans at a time). Throws `OtlpDecodeError` for a body that is not such a
 * request, or nests deeper than `MAX_JSON_DEPTH`.
 */
export async function decodeOtlpSpans(body: Uint8Array, encoding: 'json' | 'protobuf', maxSpans: number, turns: EventLoopTurns): Promise<DecodedSpans> {
  const count: SpanCount = { max: maxSpans, seen: 0 };
  await turns.take();
  if (encoding === 'json' && jsonNestsDeeperThan(body, MAX_JSON_DEPTH)) throw new OtlpDecodeError(`OTLP json body nested deeper than ${MAX_JSON_DEPTH} levels`);
  await turns.take();
  const found = decoding(encoding, () => (encoding === 'json' ? findJsonSpans(body, count) : findProtoSpans(body, count)));
  const spans: ReadableSpan[] = [];
  const origins = new Map<SpanOrigin, Pick<ReadableSpan, 'resource' | 'instrumentationScope'>>();
  for (let i = 0; i < found.length; i++) {
    if (i % SPANS_PER_TURN === 0) await turns.take();
    const { read, origin } = found[i] as FoundSpan;
    const fields = decoding(encoding, read);
    const attributes = attributesOf(fields.attributes);
    if (!isCallAttributes(attributes)) continue;
    let made = origins.get(origin);
    if (made === undefined) origins.set(origin, (made = decoding(encoding, () => originOf(origin))));
    spans.push(toReadableSpan(fields, attributes, made));
  }
  return { spans, overLimit: Math.max(0, count.seen - count.max) };
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

function originOf(origin: SpanOrigin): Pick<ReadableSpan, 'resource' | 'instrumentationScope'> {
  const scope = origin.scope() ?? {};
  return {
    resource: resourceFromAttributes(attributesOf(origin.resource()?.attributes)),
    instrumentationScope: { name: text(scope.name) ?? '', version: text(scope.version) },
  };
}

function toReadableSpan(span: Json, attributes: Attributes, origin: Pick<ReadableSpan, 'resource' | 'instrumentationScope'>): ReadableSpan {
  const startNs = nanos(span.startTimeUnixNano, 'startTimeUnixNano');
  const endNs = nanos(span.endTimeUnixNano, 'endTimeUnixNano');
  const status = isObject(span.status) ? span.status : {};
  const context = { traceId: idOf(span.traceId, 16), spanId: idOf(span.spanId, 8), traceFlags: TraceFlags.SAMPLED };
  const parentSpanId = idOf(span.parentSpanId, 8);
  return {
    name: text(span.name) ?? '',
    // OTLP numbers kinds from 1 (INTERNAL = 1); the API from 0.
    kind: Math.max(0, Number(span.kind ?? 1) - 1) as SpanKind,
    spanContext: () => context,
    parentSpanContext: parentSpanId === '' ? undefined : { traceId: context.traceId, spanId: parentSpanId, traceFlags: TraceFlags.SAMPLED },
    startTime: hrTime(startNs),
    endTime: hrTime(endNs),
    duration: hrTime(endNs > startNs ? endNs - startNs : 0n),
    status: { code: statusCode(status.code), message: text(status.message) },
    attributes,
    links: [],
    events: [],
    ended: true,
    resource: origin.resource,
    instrumentationScope: origin.instrumentationScope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

function statusCode(value: unknown): SpanStatusCode {
  const code = typeof value === 'string' ? { STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 }[value] ?? 0 : Number(value ?? 0);
  return code === 1 ? SpanStatusCode.OK : code === 2 ? SpanStatusCode.ERROR : SpanStatusCode.UNSET;
}

/**
 * Nanoseconds since the epoch: a decimal string (JSON, protobuf `longs: String`) or a number. Any
 * size is taken here: a time out of range is the call check's to refuse (counted per span), not a
 * reason to refuse the whole request.
 */
function nanos(value: unknown, field: string): bigint {
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  // proto3 JSON also allows an int64 as a number; an epoch in ns is past 2^53, so it comes rounded (to ~256 ns).
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.round(value));
  if (value === undefined || value === null) return 0n;
  throw new OtlpDecodeError(`span ${field} must be an unsigned integer of nanoseconds, got ${JSON.stringify(value).slice(0, 64)}`);
}

function hrTime(ns: bigint): HrTime {
  return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
}

/**
 * A trace or span ID of `bytes` bytes as lowercase hex: protobuf gives bytes, OTLP/JSON hex strings.
 * Anything else (another length, not hex) is no ID: empty, as OTLP leaves a missing one.
 */
function idOf(value: unknown, bytes: number): string {
  if (typeof value === 'string') return value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value) ? value.toLowerCase() : '';
  if (value instanceof Uint8Array) return value.length === bytes ? Buffer.from(value).toString('hex') : '';
  return '';
}

function attributesOf(value: unknown): Attributes {
  const attributes: Attributes = {};
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
function anyValue(value: unknown): AttributeValue | undefined {
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

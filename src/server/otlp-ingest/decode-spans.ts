import { SpanStatusCode, TraceFlags, type Attributes, type AttributeValue, type HrTime, type SpanKind } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ExportTraceServiceRequest } from './otlp-proto.js';

/** A request body that is not an OTLP trace export at all (answered 400). */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

type Json = Record<string, unknown>;

/**
 * The spans of an `ExportTraceServiceRequest`, in OTLP/JSON (hex IDs, lowerCamelCase) or protobuf,
 * as the `ReadableSpan`s that `callFromSpan` reads. Throws `OtlpDecodeError` for an undecodable body.
 */
export function decodeOtlpSpans(body: Uint8Array, encoding: 'json' | 'protobuf'): ReadableSpan[] {
  let request: unknown;
  try {
    request =
      encoding === 'json'
        ? JSON.parse(Buffer.from(body).toString('utf8'))
        : ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), { longs: String, defaults: false });
  } catch (error) {
    throw new OtlpDecodeError(`undecodable OTLP ${encoding} body: ${(error as Error).message}`);
  }
  if (!isObject(request)) throw new OtlpDecodeError('an OTLP trace export must be an object with "resourceSpans"');
  const spans: ReadableSpan[] = [];
  for (const resourceSpans of list(request.resourceSpans, 'resourceSpans')) {
    const resource = resourceFromAttributes(attributesOf((resourceSpans.resource as Json | undefined)?.attributes));
    for (const scopeSpans of list(resourceSpans.scopeSpans, 'scopeSpans')) {
      const scope = isObject(scopeSpans.scope) ? scopeSpans.scope : {};
      const instrumentationScope = { name: text(scope.name) ?? '', version: text(scope.version) };
      for (const span of list(scopeSpans.spans, 'spans')) spans.push(toReadableSpan(span, resource, instrumentationScope));
    }
  }
  return spans;
}

function toReadableSpan(span: Json, resource: ReadableSpan['resource'], instrumentationScope: ReadableSpan['instrumentationScope']): ReadableSpan {
  const startNs = nanos(span.startTimeUnixNano, 'startTimeUnixNano');
  const endNs = nanos(span.endTimeUnixNano, 'endTimeUnixNano');
  const status = isObject(span.status) ? span.status : {};
  const context = { traceId: idOf(span.traceId), spanId: idOf(span.spanId), traceFlags: TraceFlags.SAMPLED };
  const parentSpanId = idOf(span.parentSpanId);
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
    attributes: attributesOf(span.attributes),
    links: [],
    events: [],
    ended: true,
    resource,
    instrumentationScope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

function statusCode(value: unknown): SpanStatusCode {
  const code = typeof value === 'string' ? { STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 }[value] ?? 0 : Number(value ?? 0);
  return code === 1 ? SpanStatusCode.OK : code === 2 ? SpanStatusCode.ERROR : SpanStatusCode.UNSET;
}

/** Nanoseconds since the epoch: a decimal string (JSON, protobuf `longs: String`) or a number. */
function nanos(value: unknown, field: string): bigint {
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return BigInt(value);
  // proto3 JSON also allows an int64 as a number; an epoch in ns is past 2^53, so it comes rounded (to ~256 ns).
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return BigInt(Math.round(value));
  if (value === undefined || value === null) return 0n;
  throw new OtlpDecodeError(`span ${field} must be an unsigned integer of nanoseconds, got ${JSON.stringify(value)}`);
}

function hrTime(ns: bigint): HrTime {
  return [Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n)];
}

/** Protobuf gives bytes, OTLP/JSON hex strings; both become lowercase hex. */
function idOf(value: unknown): string {
  if (typeof value === 'string') return value.toLowerCase();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
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

/** Primitive values and arrays of one primitive type; maps and bytes are not span attributes here. */
function anyValue(value: unknown): AttributeValue | undefined {
  if (!isObject(value)) return undefined;
  if (typeof value.stringValue === 'string') return value.stringValue;
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (isObject(value.arrayValue) && Array.isArray(value.arrayValue.values)) {
    const items = value.arrayValue.values.map(anyValue);
    if (items.every((v) => typeof v === 'string')) return items as string[];
    if (items.every((v) => typeof v === 'number')) return items as number[];
    if (items.every((v) => typeof v === 'boolean')) return items as boolean[];
  }
  return undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function list(value: unknown, field: string): Json[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpDecodeError(`"${field}" must be an array`);
  return value.filter(isObject);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

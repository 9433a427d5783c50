import { ProtoAttributes, type AttributeIndex } from './proto-attributes.js';
import type { ProtoFound } from './proto-records.js';
import { hexAt, textAt } from './proto-text.js';
import { checkAnyValue, primitiveValue } from './proto-values.js';
import { FIXED64, isAfter, LENGTH_DELIMITED, microsOf, nanosBetween, VARINT, type WireReader } from './proto-wire.js';
import type { OtlpRecord } from './sources/source.js';

// Span's fields (opentelemetry-proto trace/v1/trace.proto).
const TRACE_ID = 1;
const SPAN_ID = 2;
const PARENT_SPAN_ID = 4;
const NAME = 5;
const START_TIME = 7;
const END_TIME = 8;
const SPAN_ATTRIBUTES = 9;
const EVENTS = 11;
const STATUS = 15;
// LogRecord's (logs/v1/logs.proto).
const TIME = 1;
const BODY = 5;
const LOG_ATTRIBUTES = 6;
const LOG_TRACE_ID = 9;
const LOG_SPAN_ID = 10;
const OBSERVED_TIME = 11;
const EVENT_NAME = 12;

/** Where the fields of the record being read are; reset per record (one record is read at a time). */
const at = { name: -1, nameEnd: -1, traceId: -1, traceIdEnd: -1, spanId: -1, spanIdEnd: -1, parent: -1, parentEnd: -1, events: -1, eventsEnd: -1, body: -1, bodyEnd: -1 };

function reset(): void {
  at.name = at.nameEnd = at.traceId = at.traceIdEnd = at.spanId = at.spanIdEnd = at.parent = at.parentEnd = -1;
  at.events = at.eventsEnd = at.body = at.bodyEnd = -1;
}

/**
 * The span `found` as sources read it, by one walk over its fields: strings and IDs made for the
 * fields a call has, attributes checked and left in the bytes (`ProtoAttributes`), events read only
 * when the span has some, other fields skipped by their wire type. Throws on bytes that are not a span.
 */
export function protoSpanRecord(reader: WireReader, index: AttributeIndex, found: ProtoFound): OtlpRecord {
  const origin = found.origin.resolve(reader, index);
  const firstAttribute = index.size;
  const { bytes } = reader;
  const { from, to } = found;
  reset();
  let startLow = 0;
  let startHigh = 0;
  let endLow = 0;
  let endHigh = 0;
  let statusCode = 0;
  let statusMessage: string | undefined;
  reader.at(from, to);
  while (reader.pos < to) {
    const tagAt = reader.pos;
    const tag = reader.varint();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (wireType === FIXED64 && (field === START_TIME || field === END_TIME)) {
      if (field === START_TIME) {
        startLow = reader.fixed64();
        startHigh = reader.high;
      } else {
        endLow = reader.fixed64();
        endHigh = reader.high;
      }
      continue;
    }
    if (wireType !== LENGTH_DELIMITED) {
      reader.skip(wireType);
      continue;
    }
    const start = reader.lengthDelimited();
    const end = reader.pos;
    if (field === SPAN_ATTRIBUTES) {
      index.add(reader, start, end);
      reader.at(end, to);
    } else if (field === NAME) {
      at.name = start;
      at.nameEnd = end;
    } else if (field === TRACE_ID) {
      at.traceId = start;
      at.traceIdEnd = end;
    } else if (field === SPAN_ID) {
      at.spanId = start;
      at.spanIdEnd = end;
    } else if (field === PARENT_SPAN_ID) {
      at.parent = start;
      at.parentEnd = end;
    } else if (field === EVENTS) {
      if (at.events === -1) at.events = tagAt;
      at.eventsEnd = end;
    } else if (field === STATUS) {
      // Status { string message = 2; StatusCode code = 3 }.
      reader.at(start, end);
      while (reader.pos < end) {
        const inner = reader.varint();
        if (inner >>> 3 === 2 && (inner & 7) === LENGTH_DELIMITED) {
          const textFrom = reader.lengthDelimited();
          statusMessage = textAt(bytes, textFrom, reader.pos) || undefined;
        } else if (inner >>> 3 === 3 && (inner & 7) === VARINT) {
          statusCode = reader.long() | 0;
        } else {
          reader.skip(inner & 7);
        }
      }
      reader.at(end, to);
    }
  }
  const ends = isAfter(endLow, endHigh, startLow, startHigh);
  const startTimeMs = microsOf(startLow, startHigh) / 1000;
  return {
    signal: 'span',
    name: at.name === -1 ? '' : textAt(bytes, at.name, at.nameEnd),
    eventName: '',
    attributes: new ProtoAttributes(index, firstAttribute, index.size),
    resource: origin.resource,
    scopeName: origin.scopeName,
    scopeVersion: origin.scopeVersion,
    startTimeMs,
    endTimeMs: ends ? microsOf(endLow, endHigh) / 1000 : startTimeMs,
    durationMs: ends ? nanosBetween(startLow, startHigh, endLow, endHigh) / 1e6 : 0,
    statusCode: statusCode === 1 ? 1 : statusCode === 2 ? 2 : 0,
    statusMessage,
    exceptionType: at.events === -1 ? undefined : exceptionType(reader, index, at.events, at.eventsEnd),
    traceId: idAt(bytes, at.traceId, at.traceIdEnd, 16),
    spanId: idAt(bytes, at.spanId, at.spanIdEnd, 8),
    parentSpanId: idAt(bytes, at.parent, at.parentEnd, 8),
  };
}

/** The log record `found` as sources read it (see `protoSpanRecord`). Throws on bytes that are not a log record. */
export function protoLogRecord(reader: WireReader, index: AttributeIndex, found: ProtoFound): OtlpRecord {
  const origin = found.origin.resolve(reader, index);
  const firstAttribute = index.size;
  const { bytes } = reader;
  const { from, to } = found;
  reset();
  let timeLow = 0;
  let timeHigh = 0;
  let observedLow = 0;
  let observedHigh = 0;
  let eventName = '';
  reader.at(from, to);
  while (reader.pos < to) {
    const tag = reader.varint();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (wireType === FIXED64 && (field === TIME || field === OBSERVED_TIME)) {
      if (field === TIME) {
        timeLow = reader.fixed64();
        timeHigh = reader.high;
      } else {
        observedLow = reader.fixed64();
        observedHigh = reader.high;
      }
      continue;
    }
    if (wireType !== LENGTH_DELIMITED) {
      reader.skip(wireType);
      continue;
    }
    const start = reader.lengthDelimited();
    const end = reader.pos;
    if (field === LOG_ATTRIBUTES) {
      index.add(reader, start, end);
      reader.at(end, to);
    } else if (field === BODY) {
      // An AnyValue, checked as an attribute's value is.
      checkAnyValue(reader, start, end, 0);
      reader.at(end, to);
      at.body = start;
      at.bodyEnd = end;
    } else if (field === EVENT_NAME) {
      eventName = textAt(bytes, start, end);
    } else if (field === LOG_TRACE_ID) {
      at.traceId = start;
      at.traceIdEnd = end;
    } else if (field === LOG_SPAN_ID) {
      at.spanId = start;
      at.spanIdEnd = end;
    }
  }
  // A record without a time of its own (Codex sends 0) happened when it was observed.
  const timeMs = (timeLow !== 0 || timeHigh !== 0 ? microsOf(timeLow, timeHigh) : microsOf(observedLow, observedHigh)) / 1000;
  const body = at.body === -1 ? undefined : primitiveValue(reader, at.body, at.bodyEnd);
  return {
    signal: 'log',
    name: typeof body === 'string' ? body : '',
    eventName,
    attributes: new ProtoAttributes(index, firstAttribute, index.size),
    resource: origin.resource,
    scopeName: origin.scopeName,
    scopeVersion: origin.scopeVersion,
    startTimeMs: timeMs,
    endTimeMs: timeMs,
    durationMs: 0,
    statusCode: 0,
    statusMessage: undefined,
    traceId: idAt(bytes, at.traceId, at.traceIdEnd, 16),
    spanId: idAt(bytes, at.spanId, at.spanIdEnd, 8),
    parentSpanId: undefined,
  };
}

/** A trace or span ID of `length` bytes as lowercase hex; undefined for none, another length, or all zero. */
function idAt(bytes: Buffer, from: number, to: number, length: number): string | undefined {
  if (from === -1 || to - from !== length) return undefined;
  for (let i = from; i < to; i++) if (bytes[i] !== 0) return hexAt(bytes, from, to);
  return undefined;
}

const EXCEPTION = Buffer.from('exception');

/**
 * `exception.type` of the first `exception` event that has one (non-empty), among the event fields
 * (11) in [`from`, `to`). SpanEvent { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3 }.
 */
function exceptionType(reader: WireReader, index: AttributeIndex, from: number, to: number): string | undefined {
  const { bytes } = reader;
  let pos = from;
  while (pos < to) {
    reader.at(pos, to);
    const tag = reader.varint();
    if (tag >>> 3 !== EVENTS || (tag & 7) !== LENGTH_DELIMITED) {
      reader.skip(tag & 7);
      pos = reader.pos;
      continue;
    }
    const start = reader.lengthDelimited();
    pos = reader.pos;
    let isException = false;
    const first = index.size;
    reader.at(start, pos);
    while (reader.pos < pos) {
      const inner = reader.varint();
      if ((inner & 7) !== LENGTH_DELIMITED || (inner >>> 3 !== 2 && inner >>> 3 !== 3)) {
        reader.skip(inner & 7);
        continue;
      }
      const innerFrom = reader.lengthDelimited();
      if (inner >>> 3 === 2) isException = reader.pos - innerFrom === EXCEPTION.length && EXCEPTION.equals(bytes.subarray(innerFrom, reader.pos));
      else {
        const innerTo = reader.pos;
        index.add(reader, innerFrom, innerTo);
        reader.at(innerTo, pos);
      }
    }
    if (!isException) continue;
    const type = new ProtoAttributes(index, first, index.size).get('exception.type');
    if (typeof type === 'string' && type !== '') return type;
  }
  return undefined;
}

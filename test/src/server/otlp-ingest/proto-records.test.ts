import { describe, expect, it } from 'vitest';
import type { RecordCount } from '../../../../src/server/otlp-ingest/found-record.js';
import { ExportTraceServiceRequest } from '../../../../src/server/otlp-ingest/otlp-proto.js';
import { AttributeIndex } from '../../../../src/server/otlp-ingest/proto-attributes.js';
import { protoSpanRecord } from '../../../../src/server/otlp-ingest/proto-record.js';
import { findProtoRecords } from '../../../../src/server/otlp-ingest/proto-records.js';
import { WireReader } from '../../../../src/server/otlp-ingest/proto-wire.js';

/** The spans found in `body`, each read: its name, its resource's attributes and its scope's name. */
const find = (body: Uint8Array, max = 100) => {
  const count: RecordCount = { max, seen: 0 };
  const bytes = Buffer.from(body);
  const found = findProtoRecords(bytes, count);
  const reader = new WireReader(bytes);
  const index = new AttributeIndex(bytes);
  const spans = found.map((f) => {
    const record = protoSpanRecord(reader, index, f);
    return { record, span: { name: record.name }, resource: Object.fromEntries(record.resource.entries()), scope: record.scopeName };
  });
  return { count, spans };
};

/** The protobuf bytes of a length-delimited field. */
const field = (number: number, inner: Uint8Array): Buffer => {
  const length: number[] = [];
  for (let n = inner.length; ; n >>>= 7) {
    length.push(n < 0x80 ? n : (n & 0x7f) | 0x80);
    if (n < 0x80) break;
  }
  return Buffer.concat([Buffer.from([(number << 3) | 2, ...length]), inner]);
};

describe('findProtoRecords', () => {
  it('finds each span with its resource and scope, as the protobuf decoder reads them', () => {
    const request = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'r', value: { stringValue: '1' } }] },
          scopeSpans: [{ scope: { name: 's1' }, spans: [{ name: 'a', startTimeUnixNano: '1767225600000000001', traceId: Buffer.alloc(16, 1) }, { name: 'b' }] }],
        },
        { scopeSpans: [{ spans: [{ name: 'c' }] }] },
      ],
    };
    const { spans, count } = find(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish());
    expect(count.seen).toBe(3);
    expect(spans.map((s) => [s.span.name, s.resource, s.scope])).toEqual([
      ['a', { r: '1' }, 's1'],
      ['b', { r: '1' }, 's1'],
      ['c', {}, ''],
    ]);
    expect(spans[0]?.record.startTimeMs).toBe(1_767_225_600_000);
    expect(spans[0]?.record.traceId).toBe('01'.repeat(16));
  });

  it('finds a resource and a scope that follow their spans', () => {
    const span = field(5, Buffer.from('a')); // Span.name
    const scopeSpans = Buffer.concat([field(2, span), field(1, field(1, Buffer.from('s')))]);
    const resourceSpans = Buffer.concat([field(2, scopeSpans), field(1, Buffer.alloc(0))]);
    const { spans } = find(field(1, resourceSpans));
    expect(spans.map(({ span, resource, scope }) => ({ span, resource, scope }))).toEqual([{ span: { name: 'a' }, resource: {}, scope: 's' }]);
  });

  it('decodes the first `max` spans and only counts the rest, exactly, without decoding them', () => {
    const garbage = Buffer.from([0xff, 0xff, 0xff]); // not a Span: decoding it would throw
    const scopeSpans = Buffer.concat([field(2, field(5, Buffer.from('a'))), field(2, field(5, Buffer.from('b'))), ...Array(40).fill(field(2, garbage))]);
    const { spans, count } = find(field(1, field(2, scopeSpans)), 2);
    expect(spans.map((s) => s.span.name)).toEqual(['a', 'b']);
    expect(count.seen).toBe(42);
  });

  it('skips fields it does not read, of every wire type', () => {
    const varint = Buffer.from([(7 << 3) | 0, 0x96, 0x01]);
    const fixed64 = Buffer.from([(8 << 3) | 1, ...Array(8).fill(0)]);
    const fixed32 = Buffer.from([(9 << 3) | 5, 0, 0, 0, 0]);
    const scopeSpans = Buffer.concat([varint, fixed64, fixed32, field(3, Buffer.from('schema')), field(2, Buffer.alloc(0))]);
    expect(find(Buffer.concat([field(1, field(2, scopeSpans)), varint])).count.seen).toBe(1);
  });

  it.each([
    ['a field longer than its message', Buffer.from([0x0a, 0x05, 0x12])],
    ['a varint cut short', Buffer.from([0x0a, 0x80])],
    ['a group (wire type 3)', Buffer.from([0x0b])],
    ['a fixed64 cut short', Buffer.from([0x0a, 0x03, 0x09, 0x00, 0x00])],
  ])('throws on %s', (_label, body) => {
    expect(() => find(body)).toThrow();
  });
});

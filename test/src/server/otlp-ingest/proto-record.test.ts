import { describe, expect, it } from 'vitest';
import { decodeOtlpRecords, OtlpDecodeError, type DecodedRecords } from '../../../../src/server/otlp-ingest/decode-records.js';
import { EventLoopTurns } from '../../../../src/server/otlp-ingest/event-loop-turns.js';
import { ExportLogsServiceRequest, ExportTraceServiceRequest } from '../../../../src/server/otlp-ingest/otlp-proto.js';
import { MAX_VALUE_NESTING } from '../../../../src/server/otlp-ingest/proto-values.js';
import { CALL_SOURCES } from '../../../../src/server/otlp-ingest/sources/index.js';
import type { OtlpRecord, SourceContext } from '../../../../src/server/otlp-ingest/sources/source.js';
import { plainRecord } from '../../../helpers/ingest-attributes.js';
import { prng } from '../../../helpers/prng.js';

type Json = Record<string, unknown>;

const decode = (body: Uint8Array | string, encoding: 'json' | 'protobuf', signal: 'span' | 'log' = 'span'): Promise<DecodedRecords> =>
  decodeOtlpRecords(typeof body === 'string' ? Buffer.from(body) : body, encoding, signal, 10_000, new EventLoopTurns());

/** An OTLP/JSON request (hex IDs) as protobuf, encoded by protobufjs with the server's own proto. */
function toProto(request: Json, signal: 'span' | 'log' = 'span'): Uint8Array {
  const bytes = (value: unknown): unknown => (typeof value === 'string' ? Buffer.from(value, 'hex') : value);
  const ids = (record: Json): Json => ({ ...record, traceId: bytes(record.traceId), spanId: bytes(record.spanId), parentSpanId: bytes(record.parentSpanId) });
  const levels = signal === 'span' ? (['resourceSpans', 'scopeSpans', 'spans'] as const) : (['resourceLogs', 'scopeLogs', 'logRecords'] as const);
  const converted = {
    [levels[0]]: (request[levels[0]] as Json[]).map((resource) => ({
      ...resource,
      [levels[1]]: (resource[levels[1]] as Json[]).map((scope) => ({ ...scope, [levels[2]]: (scope[levels[2]] as Json[]).map(ids) })),
    })),
  };
  const type = signal === 'span' ? ExportTraceServiceRequest : ExportLogsServiceRequest;
  return type.encode(type.fromObject(converted)).finish();
}

const str = (key: string, value: string) => ({ key, value: { stringValue: value } });
const hex = (rnd: () => number, bytes: number) => Array.from({ length: bytes }, () => Math.floor(rnd() * 256).toString(16).padStart(2, '0')).join('');

/** Spans of every shape the reader handles: attribute types, events, status, IDs, times of any size. */
function randomSpans(seed: number, n: number): Json[] {
  const rnd = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const values = [
    () => ({ stringValue: pick(['', 'read', 'ses_1', 'é ünïcödé ✓', 'x'.repeat(300)]) }),
    () => ({ intValue: pick([0, 1, -1, 42, -2_147_483_649, 2 ** 40, -(2 ** 50)]) }),
    () => ({ doubleValue: pick([0.5, -1.25, 1e300, 3]) }),
    () => ({ boolValue: rnd() < 0.5 }),
    () => ({ arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } }),
    () => ({ arrayValue: { values: [{ intValue: 1 }, { doubleValue: 2.5 }] } }),
    () => ({ arrayValue: { values: [{ stringValue: 'a' }, { intValue: 1 }] } }),
    () => ({ arrayValue: { values: [] } }),
    () => ({ kvlistValue: { values: [str('k', 'v')] } }),
    () => ({ arrayValue: { values: [{ arrayValue: { values: [] } }] } }),
    () => ({}),
  ];
  const keys = ['session.id', 'gen_ai.tool.name', 'gen_ai.operation.name', 'tool.name', 'error.type', 'k', 'ключ'];
  return Array.from({ length: n }, () => {
    const start = 1_767_225_600_000_000_000n + BigInt(Math.floor(rnd() * 1e15));
    const span: Json = {
      name: pick(['execute_tool read', '', 'Tool.execute', 'claude_code.tool']),
      traceId: pick([hex(rnd, 16), '00'.repeat(16), undefined]),
      spanId: pick([hex(rnd, 8), undefined]),
      parentSpanId: pick([hex(rnd, 8), undefined, '00'.repeat(8)]),
      startTimeUnixNano: String(start),
      endTimeUnixNano: String(pick([start + BigInt(Math.floor(rnd() * 1e12)), start, start - 5n, 0n, 18_446_744_073_709_551_615n])),
      attributes: Array.from({ length: Math.floor(rnd() * 8) }, () => ({ key: pick(keys), value: pick(values)() })),
      status: pick([undefined, { code: 1 }, { code: 2, message: 'failed: file not found' }, { code: 2, message: '' }]),
      events: pick([undefined, [{ name: 'exception', attributes: [str('exception.type', 'EISDIR')] }], [{ name: 'log' }, { name: 'exception', attributes: [str('exception.type', '')] }]]),
    };
    return span;
  });
}

describe('the protobuf record reader', () => {
  it('reads what the OTLP/JSON decoder reads from the same request, field for field', async () => {
    for (let seed = 1; seed <= 20; seed++) {
      const request = {
        resourceSpans: [
          { resource: { attributes: [str('service.name', `agent-${seed}`), str('service.version', '1.0')] }, scopeSpans: [{ scope: { name: 'scope', version: '2' }, spans: randomSpans(seed, 30) }] },
          { scopeSpans: [{ spans: randomSpans(seed + 100, 5) }] },
        ],
      };
      const json = await decode(JSON.stringify(request), 'json');
      const proto = await decode(toProto(request), 'protobuf');
      expect(proto.records.map(plainRecord)).toEqual(json.records.map(plainRecord));
      expect(proto.records).toHaveLength(35);
    }
  });

  it('reads log records as the OTLP/JSON decoder does: body, event name, the observed time when there is no time', async () => {
    const logs = [
      { timeUnixNano: '1767225600123456789', body: { stringValue: 'tool_result' }, eventName: 'agent.tool_result', attributes: [str('session.id', 's')], traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8) },
      { timeUnixNano: '0', observedTimeUnixNano: '1767225600000001000', body: { intValue: 3 } },
      { body: { arrayValue: { values: [{ stringValue: 'x' }] } } },
    ];
    const request = { resourceLogs: [{ resource: { attributes: [str('service.name', 'codex')] }, scopeLogs: [{ scope: { name: 'codex_otel' }, logRecords: logs }] }] };
    const json = await decode(JSON.stringify(request), 'json', 'log');
    const proto = await decode(toProto(request, 'log'), 'protobuf', 'log');
    expect(proto.records.map(plainRecord)).toEqual(json.records.map(plainRecord));
    expect(proto.records.map((r) => [r.name, r.startTimeMs])).toEqual([
      ['tool_result', 1_767_225_600_123.456],
      ['', 1_767_225_600_000.001],
      ['', 0],
    ]);
  });

  it('keeps times exact to the microsecond, and durations to the nanosecond, past 2^53 nanoseconds', async () => {
    const span = { startTimeUnixNano: '1767225600123456789', endTimeUnixNano: '1767225600123457790', attributes: [] };
    const [record] = (await decode(toProto({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }), 'protobuf')).records as [OtlpRecord];
    expect(record.startTimeMs).toBe(1_767_225_600_123.456);
    expect(record.endTimeMs).toBe(1_767_225_600_123.457);
    expect(record.durationMs).toBe(0.001001);
  });

  it('decodes an attribute when asked for, the last of a repeated key, and leaves out values that are no attribute', async () => {
    const attributes = [
      str('dup', 'first'),
      { key: 'dup', value: { kvlistValue: { values: [] } } },
      str('dup', 'last'),
      { key: 'negative', value: { intValue: -5 } },
      { key: 'bytes', value: { bytesValue: Buffer.from('x') } },
      { key: 'mixed', value: { arrayValue: { values: [{ boolValue: true }, { stringValue: 'x' }] } } },
      { key: 'flags', value: { arrayValue: { values: [{ boolValue: true }, { boolValue: false }] } } },
    ];
    const [record] = (await decode(toProto({ resourceSpans: [{ scopeSpans: [{ spans: [{ attributes }] }] }] }), 'protobuf')).records as [OtlpRecord];
    expect(record.attributes.get('dup')).toBe('last');
    expect(record.attributes.get('negative')).toBe(-5);
    expect(record.attributes.get('bytes')).toBeUndefined();
    expect(record.attributes.get('mixed')).toBeUndefined();
    expect(record.attributes.get('flags')).toEqual([true, false]);
    expect(record.attributes.get('absent')).toBeUndefined();
    expect(record.attributes.get('du')).toBeUndefined();
    expect(record.attributes.entries()).toEqual([
      ['dup', 'last'],
      ['negative', -5],
      ['flags', [true, false]],
    ]);
  });

  it(`refuses attribute values nested deeper than ${MAX_VALUE_NESTING} levels, and takes them at that depth`, async () => {
    const nested = (levels: number): Json => (levels === 0 ? { stringValue: 'x' } : { arrayValue: { values: [nested(levels - 1)] } });
    const body = (levels: number) => toProto({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'n', attributes: [{ key: 'k', value: nested(levels) }] }] }] }] });
    expect((await decode(body(MAX_VALUE_NESTING), 'protobuf')).records.map((r) => r.name)).toEqual(['n']);
    await expect(decode(body(MAX_VALUE_NESTING + 1), 'protobuf')).rejects.toThrow(OtlpDecodeError);
  });
});

/** Every source takes `record`, and every attribute is read: what a request's records go through. */
function takeAll(record: OtlpRecord): void {
  const context: SourceContext = { storeId: undefined, emit: () => {}, later: () => {} };
  for (const source of CALL_SOURCES) source.take(record, context);
  for (const [key] of record.attributes.entries()) record.attributes.get(key);
  record.resource.entries();
}

describe('the protobuf reader on broken bytes', () => {
  const request = { resourceSpans: [{ resource: { attributes: [str('service.name', 'a')] }, scopeSpans: [{ scope: { name: 's' }, spans: randomSpans(7, 6) }] }] };
  const valid = Buffer.from(toProto(request));

  /** Decodes `body`: it must give records that sources can take, or refuse it as undecodable — nothing else. */
  async function survives(body: Uint8Array): Promise<'read' | 'refused'> {
    try {
      const { records } = await decode(body, 'protobuf');
      for (const record of records) takeAll(record);
      return 'read';
    } catch (error) {
      expect(error).toBeInstanceOf(OtlpDecodeError);
      return 'refused';
    }
  }

  it('survives the body cut at every byte', async () => {
    const outcomes = new Set<string>();
    for (let cut = 0; cut < valid.length; cut++) outcomes.add(await survives(valid.subarray(0, cut)));
    expect(outcomes).toEqual(new Set(['read', 'refused']));
  });

  it('survives random bytes changed, and lengths and varints made huge or endless', async () => {
    const rnd = prng(99);
    for (let round = 0; round < 2000; round++) {
      const body = Buffer.from(valid);
      const changes = 1 + Math.floor(rnd() * 4);
      for (let c = 0; c < changes; c++) {
        const at = Math.floor(rnd() * body.length);
        const kind = rnd();
        if (kind < 0.4) body[at] = Math.floor(rnd() * 256);
        else if (kind < 0.6) body[at] = 0xff; // a varint that goes on
        else if (kind < 0.8) body.fill(0xff, at, Math.min(body.length, at + 12)); // past any varint's length
        else body[at] = (body[at] as number) ^ 0x07; // another wire type
      }
      await survives(body);
    }
  });

  it.each([
    ['a length past the end of the body', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f])],
    ['a span whose attribute runs past the span', Buffer.from([0x0a, 0x06, 0x12, 0x04, 0x12, 0x02, 0x4a, 0x09])],
    ['a span holding a group (wire type 3)', Buffer.from([0x0a, 0x05, 0x12, 0x03, 0x12, 0x01, 0x0b])],
    ['a span with a varint of 11 bytes', Buffer.from([0x0a, 0x0f, 0x12, 0x0d, 0x12, 0x0b, 0x30, ...Array(10).fill(0xff)])],
    ['a fixed64 time cut short', Buffer.from([0x0a, 0x08, 0x12, 0x06, 0x12, 0x04, 0x39, 0, 0, 0])],
  ])('refuses %s', async (_label, body) => {
    await expect(decode(body, 'protobuf')).rejects.toThrow(OtlpDecodeError);
  });

  it('skips known fields sent with another wire type, as unknown fields', async () => {
    // Span { name (5) as a varint; start_time (7) as length-delimited; name "n" }.
    const span = Buffer.from([0x28, 0x01, 0x3a, 0x01, 0x00, 0x2a, 0x01, 0x6e]);
    const body = Buffer.concat([Buffer.from([0x0a, span.length + 4, 0x12, span.length + 2, 0x12, span.length]), span]);
    const [record] = (await decode(body, 'protobuf')).records as [OtlpRecord];
    expect([record.name, record.startTimeMs]).toEqual(['n', 0]);
  });
});

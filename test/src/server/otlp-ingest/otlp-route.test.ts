import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createReports, type Reports } from '../../../../src/reports/reports.js';
import { FileReportStore } from '../../../../src/storage/file-store.js';
import { InMemoryReportStore } from '../../../../src/storage/memory-store.js';
import { createPerformance, type Performance } from '../../../../src/performance.js';
import type { SessionReport } from '../../../../src/document/report.js';
import { createReportApp } from '../../../../src/server/app.js';
import { ExportTraceServiceResponse, RpcStatus } from '../../../../src/server/otlp-ingest/otlp-proto.js';
import { startReportServer, type RunningReportServer } from '../../../../src/server/start.js';
import { MAX_RECORDS_PER_REQUEST as MAX_SPANS_PER_REQUEST, otlpHandler } from '../../../../src/server/otlp-ingest/otlp-route.js';
import { IngestPipeline } from '../../../../src/server/otlp-ingest/ingest-pipeline.js';
import { recordingLogger } from '../../../helpers/tracking.js';
import { memoryReports } from '../fixtures.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(): Promise<{ server: RunningReportServer; api: Reports }> {
  const { reports, logger } = memoryReports();
  const server = await startReportServer({ reports, port: 0, logger });
  cleanups.push(() => reports.shutdown(), () => server.close());
  return { server, api: reports };
}

/**
 * This package's own spans, from wrapped tools, going both to an in-process reference exporter and
 * over OTLP through `otlp` to the server.
 */
async function runTools(otlp: SpanExporter): Promise<Performance> {
  const reference = createReports({ store: new InMemoryReportStore(), logger: recordingLogger() });
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(otlp), reference.exporter] });
  const perf = createPerformance({ enabled: true, tracerProvider: provider, reports: reference, handleProcessExit: false, env: {}, logger: recordingLogger() });
  cleanups.push(() => perf.shutdown(), () => provider.shutdown());
  const tools = perf.wrapTools(
    {
      read: async (path: string) => {
        if (path === 'missing') throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
        await new Promise((resolve) => setImmediate(resolve));
        return path;
      },
      grep: (pattern: string) => {
        if (pattern === '(') throw new SyntaxError('bad pattern');
        return [pattern];
      },
    },
    { sessionId: 'ses_otlp' },
  );
  for (let i = 0; i < 12; i++) await tools.read(i % 4 === 0 ? 'missing' : `file${i}`).catch(() => undefined);
  for (let i = 0; i < 5; i++) {
    try {
      tools.grep(i === 2 ? '(' : `p${i}`);
    } catch {
      // counted as an error
    }
  }
  await provider.forceFlush();
  return perf;
}

describe('OTLP ingest from the real exporters', () => {
  it.each([
    ['JSON', (url: string) => new JsonTraceExporter({ url })],
    ['protobuf', (url: string) => new ProtoTraceExporter({ url })],
    ['JSON, gzip', (url: string) => new JsonTraceExporter({ url, compression: CompressionAlgorithm.GZIP })],
    ['protobuf, gzip', (url: string) => new ProtoTraceExporter({ url, compression: CompressionAlgorithm.GZIP })],
  ])('%s: the report equals the in-process exporter\'s', async (_label, exporterFor) => {
    const { server } = await startServer();
    const perf = await runTools(exporterFor(`${server.url}/v1/traces`));
    const expected = await perf.api.getReport({ sessionId: 'ses_otlp' });
    expect(expected?.operations['tool-execution']).toMatchObject({ count: 17, errors: 4, errorTypes: { ENOENT: 3, SyntaxError: 1 } });

    const response = await fetch(`${server.url}/api/v1/sessions/ses_otlp/report`);
    expect(response.status).toBe(200);
    // Spans travel in concurrent requests, so `recent` (kept in arrival order) is compared as a set.
    const bySpan = (report: SessionReport) => ({ ...report, recent: [...report.recent].sort((a, b) => (a.spanId! < b.spanId! ? -1 : 1)) });
    // Plus its status: the calls just ended, so it is active.
    expect(bySpan((await response.json()) as SessionReport)).toEqual({ ...JSON.parse(JSON.stringify(bySpan(expected!))), status: 'active' });
  });

  it('really receives gzip when the exporter compresses', async () => {
    const { reports: api, logger } = memoryReports();
    cleanups.push(() => api.shutdown());
    const encodings: string[] = [];
    const outer = new Hono();
    outer.use('*', async (c, next) => {
      encodings.push(c.req.header('content-encoding') ?? 'none');
      await next();
    });
    outer.route('/', createReportApp(api, { logger }));
    const server = serve({ fetch: outer.fetch, port: 0, hostname: '127.0.0.1', overrideGlobalObjects: false });
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    await runTools(new ProtoTraceExporter({ url: `http://127.0.0.1:${port}/v1/traces`, compression: CompressionAlgorithm.GZIP }));
    expect(encodings.length).toBeGreaterThan(0);
    expect(new Set(encodings)).toEqual(new Set(['gzip']));
    expect((await api.getReport({ sessionId: 'ses_otlp' }))?.operations['tool-execution']?.count).toBe(17);
  });
});

/** An OTLP/JSON span. */
function jsonSpan(name: string, attributes: Record<string, string>, startMs: number, durationMs: number, statusCode = 0) {
  const ns = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
  return {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    name,
    kind: 1,
    startTimeUnixNano: ns(startMs),
    endTimeUnixNano: ns(startMs + durationMs),
    attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } })),
    status: { code: statusCode },
  };
}

function exportRequest(spans: unknown[]) {
  return { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'other-sdk' }, spans }] }] };
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v1/traces`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
}

const T = Date.UTC(2026, 0, 2);

describe('OTLP ingest of other agents\' spans', () => {
  it("folds OpenCode's Tool.execute and GenAI execute_tool spans, their failures typed by the vocabulary, ignoring other spans", async () => {
    const { server, api } = await startServer();
    const response = await postJson(
      server.url,
      exportRequest([
        jsonSpan('Tool.execute', { 'tool.name': 'bash', 'tool.call_id': 'call_1', 'session.id': 'ses_oc' }, T, 12.5),
        jsonSpan('Tool.execute', { 'tool.name': 'bash', 'tool.call_id': 'call_2', 'session.id': 'ses_oc' }, T + 100, 30, 2),
        jsonSpan('execute_tool grep', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'grep', 'gen_ai.conversation.id': 'ses_ai', 'error.type': 'TimeoutError' }, T, 7),
        jsonSpan('HTTP GET', { 'session.id': 'ses_oc' }, T, 1),
      ]),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});

    const opencode = await api.getReport({ sessionId: 'ses_oc' });
    expect(opencode?.operations['tool-execution']?.tools.bash).toMatchObject({ count: 2, errors: 1, errorTypes: { tool_error: 1 }, minMs: 12.5, maxMs: 30 });
    expect(opencode?.recent.map((r) => r.callId)).toEqual(['call_1', 'call_2']);
    expect(opencode?.startedAt).toBe(new Date(T).toISOString());
    const genai = await api.getReport({ sessionId: 'ses_ai' });
    expect(genai?.operations['tool-execution']?.tools.grep).toMatchObject({ count: 1, errors: 1, errorTypes: { timeout: 1 }, meanMs: 7 });
    expect(genai?.recent[0]?.errorClass).toBe('TimeoutError');
  });

  it('takes JSON timestamps written as numbers (proto3 JSON allows an int64 as one)', async () => {
    const { server, api } = await startServer();
    const span = { ...jsonSpan('Tool.execute', { 'tool.name': 'read', 'session.id': 'ses_numbers' }, T, 0), startTimeUnixNano: T * 1e6, endTimeUnixNano: (T + 25) * 1e6 };
    expect((await postJson(server.url, exportRequest([span]))).status).toBe(200);
    const stats = await api.getOperationStats({ sessionId: 'ses_numbers', operationType: 'tool-execution', toolName: 'read' });
    expect(stats?.count).toBe(1);
    expect(stats?.meanMs).toBeCloseTo(25, 2);
  });

  it('answers partial success for spans with an invalid session id (JSON and protobuf)', async () => {
    const { server, api } = await startServer();
    const spans = [
      jsonSpan('Tool.execute', { 'tool.name': 'read', 'session.id': 'ses_ok' }, T, 5),
      jsonSpan('Tool.execute', { 'tool.name': 'read', 'session.id': '../../etc/passwd' }, T, 5),
      jsonSpan('Tool.execute', { 'tool.name': 'read', 'session.id': 'a b' }, T, 5),
    ];
    const response = await postJson(server.url, exportRequest(spans));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      partialSuccess: { rejectedSpans: '2', errorMessage: expect.stringContaining('invalid session id, e.g. "../../etc/passwd"') },
    });
    expect((await api.getReport({ sessionId: 'ses_ok' }))?.operations['tool-execution']?.count).toBe(1);

    // The same through the real protobuf exporter's encoding: build the request with the server's own proto.
    const { ExportTraceServiceRequest } = await import('../../../../src/server/otlp-ingest/otlp-proto.js');
    const message = ExportTraceServiceRequest.fromObject({
      resourceSpans: [{ scopeSpans: [{ spans: spans.map((s) => ({ ...s, traceId: Buffer.from(s.traceId, 'hex'), spanId: Buffer.from(s.spanId, 'hex') })) }] }],
    });
    const proto = await fetch(`${server.url}/v1/traces`, {
      method: 'POST',
      body: ExportTraceServiceRequest.encode(message).finish(),
      headers: { 'content-type': 'application/x-protobuf' },
    });
    expect(proto.status).toBe(200);
    expect(proto.headers.get('content-type')).toBe('application/x-protobuf');
    const decoded = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(new Uint8Array(await proto.arrayBuffer())), { longs: Number });
    expect(decoded).toEqual({ partialSuccess: { rejectedSpans: 2, errorMessage: expect.stringContaining('2 span(s) rejected') } });
    expect((await api.getReport({ sessionId: 'ses_ok' }))?.operations['tool-execution']?.count).toBe(2);
  });

  it('answers 400 with a google.rpc.Status for an undecodable body, in the request encoding', async () => {
    const { server } = await startServer();
    const badJson = await fetch(`${server.url}/v1/traces`, { method: 'POST', body: '{"resourceSpans": [', headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toEqual({ code: 3, message: expect.stringContaining('undecodable OTLP json body') });
    const wrongShape = await postJson(server.url, { resourceSpans: 'nope' });
    expect(wrongShape.status).toBe(400);
    const badProto = await fetch(`${server.url}/v1/traces`, { method: 'POST', body: new Uint8Array([0x0a, 0xff, 0xff, 0xff]), headers: { 'content-type': 'application/x-protobuf' } });
    expect(badProto.status).toBe(400);
    expect(RpcStatus.toObject(RpcStatus.decode(new Uint8Array(await badProto.arrayBuffer())))).toEqual({ code: 3, message: expect.stringContaining('undecodable OTLP protobuf body') });
    const badGzip = await fetch(`${server.url}/v1/traces`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect(badGzip.status).toBe(400);
  });

  it('answers 413 to a gzip bomb, however small it is on the wire', async () => {
    const { server, api } = await startServer();
    // 64 MiB of spaces around a valid request: ~64 KiB compressed, 16 times the 4 MiB limit inflated.
    const bomb = gzipSync(Buffer.concat([Buffer.from('{"resourceSpans":[]'), Buffer.alloc(64 * 1024 * 1024, 0x20), Buffer.from('}')]));
    expect(bomb.length).toBeLessThan(4 * 1024 * 1024);
    const response = await fetch(`${server.url}/v1/traces`, { method: 'POST', body: bomb, headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ code: 8, message: expect.stringContaining('once decompressed') });
    // The server is still fine.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await api.listSessions()).toEqual([]);
  });
});

/** A protobuf OTLP request of `spans` (OTLP/JSON-shaped, hex IDs), encoded with the server's own proto. */
async function protoRequest(spans: Record<string, unknown>[]): Promise<Uint8Array> {
  const { ExportTraceServiceRequest } = await import('../../../../src/server/otlp-ingest/otlp-proto.js');
  const bytes = (hex: unknown) => (typeof hex === 'string' ? Buffer.from(hex, 'hex') : hex);
  const message = ExportTraceServiceRequest.fromObject({
    resourceSpans: [{ scopeSpans: [{ spans: spans.map((s) => ({ ...s, traceId: bytes(s.traceId), spanId: bytes(s.spanId) })) }] }],
  });
  return ExportTraceServiceRequest.encode(message).finish();
}

async function postProto(url: string, body: Uint8Array): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}/v1/traces`, { method: 'POST', body, headers: { 'content-type': 'application/x-protobuf' } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const type = response.status === 200 ? ExportTraceServiceResponse : RpcStatus;
  return { status: response.status, body: type.toObject(type.decode(bytes), { longs: Number }) };
}

describe('OTLP ingest of hostile bodies', () => {
  const ok = (session: string) => jsonSpan('Tool.execute', { 'tool.name': 'read', 'session.id': session }, T, 5);

  it('rejects spans whose times are not times in a partial success, and every session stays readable (JSON)', async () => {
    const { server, api } = await startServer();
    const response = await postJson(
      server.url,
      exportRequest([
        ok('ses_ok'),
        { ...ok('ses_bad'), endTimeUnixNano: 1e300 },
        { ...ok('ses_bad'), startTimeUnixNano: '99999999999999999999', endTimeUnixNano: '99999999999999999999' }, // the year 5138
        { ...ok('ses_bad'), endTimeUnixNano: String(Date.UTC(2200, 0, 1) * 1e6) }, // a call of 174 years
      ]),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ partialSuccess: { rejectedSpans: '3', errorMessage: expect.stringMatching(/3 span\(s\) rejected: .*time/) } });
    const sessions = await fetch(`${server.url}/api/v1/sessions`);
    expect(sessions.status).toBe(200);
    expect(((await sessions.json()) as { sessions: { sessionId: string }[] }).sessions.map((s) => s.sessionId)).toEqual(['ses_ok']);
    expect(await api.getReport({ sessionId: 'ses_bad' })).toBeUndefined();
  });

  it('rejects spans whose times are not times in a partial success (protobuf)', async () => {
    const { server, api } = await startServer();
    const body = await protoRequest([ok('ses_ok'), { ...ok('ses_bad'), endTimeUnixNano: '18446744073709551615' }]);
    expect(await postProto(server.url, body)).toEqual({ status: 200, body: { partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining('time') } } });
    expect((await api.listSessions()).map((s) => s.sessionId)).toEqual(['ses_ok']);
  });

  it('answers 400, not 500, to attribute values nested deeper than any attribute is', async () => {
    const { server, api } = await startServer();
    const depth = 100_000;
    const nested = (inner: string) => `${'{"arrayValue":{"values":['.repeat(depth)}${inner}${']}}'.repeat(depth)}`;
    const json = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":"k","value":${nested('{"stringValue":"x"}')}}]}]}]}]}`;
    const response = await fetch(`${server.url}/v1/traces`, { method: 'POST', body: json, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ code: 3, message: expect.stringContaining('nested') });

    // The same in protobuf: AnyValue { array_value (5) { values (1) { ... } } }, built inside out.
    let value = Buffer.from([0x0a, 0x01, 0x78]); // string_value "x"
    const wrap = (field: number, inner: Buffer) => Buffer.concat([Buffer.from([(field << 3) | 2]), varint(inner.length), inner]);
    for (let i = 0; i < 20_000; i++) value = wrap(5, wrap(1, value));
    const span = Buffer.concat([wrap(9, Buffer.concat([wrap(1, Buffer.from('k')), wrap(2, value)]))]);
    const proto = await postProto(server.url, wrap(1, wrap(2, wrap(2, span))));
    expect(proto).toEqual({ status: 400, body: { code: 3, message: expect.any(String) } });

    // An array nested a little is not an attribute value either: dropped, and the call is kept.
    const shallow = { ...ok('ses_nested'), attributes: [...ok('ses_nested').attributes, { key: 'k', value: { arrayValue: { values: [{ arrayValue: { values: [] } }] } } }] };
    expect((await postJson(server.url, exportRequest([shallow]))).status).toBe(200);
    expect((await api.getReport({ sessionId: 'ses_nested' }))?.operations['tool-execution']?.count).toBe(1);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it(`takes at most ${MAX_SPANS_PER_REQUEST} spans per request, and counts the rest as rejected, exactly`, async () => {
    const { server, api } = await startServer();
    // Small call spans, so that more than the limit fit under the 4 MiB body limit.
    const small = { attributes: [{ key: 'session.id', value: { stringValue: 'ses_cap' } }, { key: 'tool.name', value: { stringValue: 't' } }], startTimeUnixNano: String(T * 1e6), endTimeUnixNano: String(T * 1e6) };
    const spans = [...Array.from({ length: MAX_SPANS_PER_REQUEST - 3 }, () => small), {}, {}, small, small, small, small, {}];
    const response = await postJson(server.url, exportRequest(spans));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ partialSuccess: { rejectedSpans: '4', errorMessage: expect.stringContaining(`more than ${MAX_SPANS_PER_REQUEST} spans`) } });
    expect((await api.getReport({ sessionId: 'ses_cap' }))?.operations['tool-execution']?.count).toBe(MAX_SPANS_PER_REQUEST - 2);
  });

  it('cuts long names and ids at ingest, and leaves out trace and span ids that are not ones', async () => {
    const { server, api } = await startServer();
    const huge = (c: string) => c.repeat(1_000_000);
    const long = jsonSpan('execute_tool', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': huge('n'), 'gen_ai.tool.call.id': huge('c'), 'session.id': 'ses_long', 'error.type': huge('E') }, T, 5);
    const badIds = { ...jsonSpan('Tool.execute', { 'tool.name': 'read', 'session.id': 'ses_long' }, T + 10, 5), traceId: 'not hex at all', spanId: 'ab' };
    expect((await postJson(server.url, exportRequest([{ ...long, traceId: huge('a').slice(0, 500_000) }, badIds]))).status).toBe(200);
    const report = await api.getReport({ sessionId: 'ses_long' });
    const tools = Object.keys(report?.operations['tool-execution']?.tools ?? {});
    expect(tools.map((name) => name.length).sort()).toEqual([256, 4]);
    expect(Object.keys(report?.operations['tool-execution']?.errorTypes ?? {}).map((type) => type.length)).toEqual([128]);
    expect(report?.recent[0]?.callId).toHaveLength(1024);
    expect(report?.recent[0]?.errorClass).toHaveLength(128);
    expect(report?.recent.map((r) => [r.traceId, r.spanId])).toEqual([[undefined, 'eee19b7ec3c1b174'], [undefined, undefined]]);
    expect(JSON.stringify(report).length).toBeLessThan(20_000);
  });
});

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 127) {
    bytes.push((n & 127) | 128);
    n >>>= 7;
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

describe('OTLP ingest when the reports shut down', () => {
  /** Ingest into reports that take `accepting` chunks of calls, then shut down. */
  function stoppingExporter(accepting: number) {
    const folded: number[] = [];
    let recorded = 0;
    const reports = { record: () => recorded++ } as unknown as Reports;
    let chunks = 0;
    const pipeline = new IngestPipeline(reports, {
      logger: recordingLogger(),
      accepting: () => {
        if (recorded > 0) folded.push(recorded);
        recorded = 0;
        return chunks++ < accepting;
      },
    });
    const app = new Hono();
    app.post('/v1/traces', otlpHandler('span', pipeline, 4 * 1024 * 1024));
    return { app, folded };
  }
  const calls = (n: number) => exportRequest(Array.from({ length: n }, () => jsonSpan('Tool.execute', { 'tool.name': 'read', 'session.id': 'ses_stop' }, T, 1)));
  const post = (app: Hono, body: unknown) => app.request('/v1/traces', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  it('answers 503 (retry) when nothing was folded', async () => {
    const { app, folded } = stoppingExporter(0);
    const response = await post(app, calls(10));
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ code: 14, message: expect.stringContaining('shut down') });
    expect(folded).toEqual([]);
  });

  it('once some spans are folded, counts the rest as rejected rather than have a retry fold the first ones twice', async () => {
    const { app, folded } = stoppingExporter(1);
    const response = await post(app, calls(2500));
    expect(response.status).toBe(200);
    expect(folded).toEqual([1000]);
    expect(await response.json()).toEqual({ partialSuccess: { rejectedSpans: '1500', errorMessage: expect.stringContaining('1500 not folded') } });
  });
});

describe('OTLP ingest on the store a tracker writes itself', () => {
  it('accepts the spans already folded into this very store (toolperf.store.id) without folding them again', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'toolperf-ingest-store-'));
    const reports = createReports({ dataDir, logger: recordingLogger() });
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }), () => reports.shutdown());
    const own = new FileReportStore(dataDir).identity();
    expect(own).toBeDefined();
    const span = (storeId: string | undefined, callId: string) =>
      jsonSpan('execute_tool read', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read', 'session.id': 'ses_s', 'gen_ai.tool.call.id': callId, ...(storeId ? { 'toolperf.store.id': storeId } : {}) }, T, 5);
    const response = await createReportApp(reports).request('/v1/traces', {
      method: 'POST',
      body: JSON.stringify(exportRequest([span(own, 'mine'), span('another-store-000000', 'theirs'), span(undefined, 'unmarked')])),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({}); // accepted, not rejected
    expect((await reports.getReport({ sessionId: 'ses_s' }))?.recent.map((r) => r.callId).sort()).toEqual(['theirs', 'unmarked']);
  });
});

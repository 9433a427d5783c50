import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';
import { OTLP_PROTO as INGEST_PROTO } from '../../src/server/otlp-ingest/otlp-proto.js';

/**
 * A stand-in for the Collector's OTLP/HTTP receiver (no Collector binary can run here): it takes
 * the exporter's real requests on a loopback port, decodes them (protobuf or JSON) and answers as
 * told, including the faults a real collector shows (500, 429, hanging).
 */

/** The trace protos the report server decodes, plus the metrics parts the tests read (opentelemetry-proto v1 field numbers). */
const RECEIVER_PROTO = `${INGEST_PROTO}
message NumberDataPoint { repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; double as_double = 4; sfixed64 as_int = 6; }
message HistogramDataPoint {
  repeated KeyValue attributes = 9; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3; fixed64 count = 4; double sum = 5;
  repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7; double min = 11; double max = 12;
}
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message Metric { string name = 1; string description = 2; string unit = 3; Sum sum = 7; Histogram histogram = 9; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
`;

const root = protobuf.parse(RECEIVER_PROTO, { keepCase: false }).root;
const TraceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
const MetricsRequest = root.lookupType('otlp.ExportMetricsServiceRequest');

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Record<string, unknown>;
  readonly status: { code: number; message: string };
  readonly resource: Record<string, unknown>;
  readonly scope: string;
}

export interface ReceivedPoint {
  readonly attributes: Record<string, unknown>;
  /** Counter value, or histogram count. */
  readonly value: number;
  readonly sum?: number;
  readonly bucketCounts?: number[];
  readonly explicitBounds?: number[];
}

export interface ReceivedMetric {
  readonly name: string;
  readonly unit: string;
  readonly kind: 'sum' | 'histogram';
  readonly temporality: number;
  readonly points: ReceivedPoint[];
}

export interface ReceivedRequest {
  readonly path: string;
  readonly contentType: string;
  readonly headers: IncomingMessage['headers'];
}

/** What the receiver answers: a status, or `hang` (never answers until closed). */
export type Answer = { status: number; retryAfterSeconds?: number } | 'hang';

export interface OtlpReceiver {
  readonly url: string;
  readonly port: number;
  readonly requests: ReceivedRequest[];
  readonly spans: ReceivedSpan[];
  readonly metrics: ReceivedMetric[];
  /** How the next requests are answered (200 by default); a function answers each by its path. */
  answer: Answer | ((path: string) => Answer);
  close(): Promise<void>;
}

export async function startOtlpReceiver(port = 0): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const spans: ReceivedSpan[] = [];
  const metrics: ReceivedMetric[] = [];
  const receiver = { requests, spans, metrics, answer: { status: 200 } as OtlpReceiver['answer'] };

  const handle = (request: IncomingMessage, response: ServerResponse, body: Buffer): void => {
    const contentType = request.headers['content-type'] ?? '';
    requests.push({ path: request.url ?? '', contentType, headers: request.headers });
    const answer = typeof receiver.answer === 'function' ? receiver.answer(request.url ?? '') : receiver.answer;
    if (answer === 'hang') return;
    if (answer.status !== 200) {
      const headers: Record<string, string> = answer.retryAfterSeconds === undefined ? {} : { 'retry-after': String(answer.retryAfterSeconds) };
      response.writeHead(answer.status, headers).end();
      return;
    }
    const json = contentType.startsWith('application/json');
    if (request.url === '/v1/traces') spans.push(...decodeSpans(body, json));
    else if (request.url === '/v1/metrics') metrics.push(...decodeMetrics(body, json));
    response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

type Json = Record<string, unknown>;

function decode(type: protobuf.Type, body: Buffer, json: boolean): Json {
  if (json) return JSON.parse(body.toString('utf8')) as Json;
  return type.toObject(type.decode(body), { longs: Number, defaults: false }) as Json;
}

function decodeSpans(body: Buffer, json: boolean): ReceivedSpan[] {
  const request = decode(TraceRequest, body, json);
  const out: ReceivedSpan[] = [];
  for (const rs of list(request.resourceSpans)) {
    const resource = attributesOf((rs.resource as Json | undefined)?.attributes);
    for (const ss of list(rs.scopeSpans)) {
      for (const span of list(ss.spans)) {
        const status = (span.status ?? {}) as Json;
        out.push({
          traceId: idOf(span.traceId),
          spanId: idOf(span.spanId),
          parentSpanId: idOf(span.parentSpanId),
          name: String(span.name),
          kind: Number(span.kind ?? 0),
          attributes: attributesOf(span.attributes),
          status: { code: Number(status.code ?? 0), message: String(status.message ?? '') },
          resource,
          scope: String((ss.scope as Json | undefined)?.name ?? ''),
        });
      }
    }
  }
  return out;
}

function decodeMetrics(body: Buffer, json: boolean): ReceivedMetric[] {
  const request = decode(MetricsRequest, body, json);
  const out: ReceivedMetric[] = [];
  for (const rm of list(request.resourceMetrics)) {
    for (const sm of list(rm.scopeMetrics)) {
      for (const metric of list(sm.metrics)) {
        const sum = metric.sum as Json | undefined;
        const histogram = metric.histogram as Json | undefined;
        const data = sum ?? histogram;
        if (data === undefined) continue;
        out.push({
          name: String(metric.name),
          unit: String(metric.unit ?? ''),
          kind: sum ? 'sum' : 'histogram',
          temporality: Number(data.aggregationTemporality ?? 0),
          points: list(data.dataPoints).map((p) => ({
            attributes: attributesOf(p.attributes),
            value: Number(sum ? (p.asInt ?? p.asDouble ?? 0) : (p.count ?? 0)),
            ...(histogram
              ? { sum: Number(p.sum ?? 0), bucketCounts: list<unknown>(p.bucketCounts).map(Number), explicitBounds: list<unknown>(p.explicitBounds).map(Number) }
              : {}),
          })),
        });
      }
    }
  }
  return out;
}

function list<T = Json>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** Protobuf gives bytes, OTLP/JSON hex strings; both become hex. */
function idOf(value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  if (typeof value === 'string') return value.toLowerCase();
  return Buffer.from(value as Uint8Array).toString('hex');
}

function attributesOf(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list(value)) out[String(kv.key)] = anyValue(kv.value as Json | undefined);
  return out;
}

function anyValue(value: Json | undefined): unknown {
  if (value === undefined) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('arrayValue' in value) return list((value.arrayValue as Json).values).map((v) => anyValue(v));
  return undefined;
}

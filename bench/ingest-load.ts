/**
 * OTLP ingest under load, reusable: the protobuf bodies (real SDK spans, serialized once with the
 * real `ProtobufTraceSerializer`) and `driveIngest`, which sends them to any toolperf server's
 * `POST /v1/traces` with autocannon and tells how many spans it accepted. The report-server
 * benchmark runs it against one instance; a benchmark of several instances can run it against
 * each (or against the address in front of them).
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ExportTraceServiceResponse } from '../src/server/otlp-ingest/otlp-proto.js';
import * as semconv from '../src/telemetry/semconv.js';
import { prng } from '../test/helpers/prng.js';
import { load, type LoadFigures } from './http-load.js';
import { toolSpanAttributes } from './tool-span-attributes.js';

const TOOLS = ['read', 'write', 'edit', 'grep', 'glob', 'bash', 'webfetch', 'task'];

export interface IngestBodyOptions {
  /** Bodies built (sent round-robin). Default 16. */
  readonly bodies?: number;
  /** Spans a body; default 512, the `maxExportBatchSize` of the SDK's BatchSpanProcessor. */
  readonly spansPerBody?: number;
  /** Sessions the spans belong to; default 64. */
  readonly sessions?: number;
  /** Sessions one body spreads over; default 8. */
  readonly sessionsPerBody?: number;
  /** Seed of the spans' tools, durations and errors; default 31. */
  readonly seed?: number;
  /** Prefix of the session IDs; default `ing_`. */
  readonly sessionPrefix?: string;
}

export interface IngestBodies {
  readonly bodies: readonly Buffer[];
  readonly sessionIds: readonly string[];
  readonly spansPerBody: number;
  readonly sessionsPerBody: number;
}

/**
 * `POST /v1/traces` bodies of spans as this package's wrapper makes them (a GenAI `execute_tool`
 * span: six attributes, ~2% errors with `error.type` and an ERROR status, durations spread from
 * 0.05 ms to 5 s), from a `BasicTracerProvider` whose resource names an agent.
 */
export async function ingestBodies(options: IngestBodyOptions = {}): Promise<IngestBodies> {
  const count = options.bodies ?? 16;
  const spansPerBody = options.spansPerBody ?? 512;
  const sessionCount = options.sessions ?? 64;
  const sessionsPerBody = options.sessionsPerBody ?? 8;
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'toolperf-bench-agent' }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('toolperf-bench');
  const rnd = prng(options.seed ?? 31);
  const prefix = options.sessionPrefix ?? 'ing_';
  const sessionIds = Array.from({ length: sessionCount }, (_, k) => `${prefix}${k.toString().padStart(2, '0')}`);
  const bodies: Buffer[] = [];
  let clock = Date.now() - 600_000;
  for (let b = 0; b < count; b++) {
    memory.reset();
    for (let i = 0; i < spansPerBody; i++) {
      const sessionId = sessionIds[(b * sessionsPerBody + (i % sessionsPerBody)) % sessionCount] as string;
      const name = TOOLS[Math.floor(rnd() * TOOLS.length)] as string;
      const durationMs = 0.05 * Math.pow(10, rnd() * 5);
      const start = clock;
      clock += rnd() * 2;
      const span = tracer.startSpan(`execute_tool ${name}`, {
        startTime: start,
        attributes: toolSpanAttributes(name, sessionId, `call_${b}_${i}`),
      });
      if (rnd() < 0.02) {
        span.setAttribute(semconv.ATTR_ERROR_TYPE, 'TimeoutError');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
      }
      span.end(start + durationMs);
    }
    await provider.forceFlush();
    const spans: ReadableSpan[] = memory.getFinishedSpans();
    if (spans.length !== spansPerBody) throw new Error(`expected ${spansPerBody} spans, got ${spans.length}`);
    const body = ProtobufTraceSerializer.serializeRequest(spans);
    if (body === undefined) throw new Error('ProtobufTraceSerializer returned nothing');
    bodies.push(Buffer.from(body));
  }
  await provider.shutdown();
  return { bodies, sessionIds, spansPerBody, sessionsPerBody };
}

export interface DriveIngestOptions {
  readonly connections: number;
  /** Requests of the warm-up run (not measured). */
  readonly warmupRequests: number;
  /** The measured run sends as many requests as the warm-up's rate gives in this time (at least 100). */
  readonly seconds: number;
  /** Prefixes the logged lines; default `ingest`. */
  readonly label?: string;
}

export interface IngestRun {
  /** The measured run. */
  readonly load: LoadFigures;
  readonly spansPerSecond: number;
  /** Requests before the measured run: one by fetch (its answer decoded), then the warm-up. */
  readonly warmupRequests: number;
  /** Spans in every accepted request, warm-up included: what the server's reports must count. */
  readonly sent: number;
  /** `partialSuccess.rejectedSpans` of the one answer decoded. */
  readonly rejectedSpans: number;
}

/**
 * Sends `bodies` round-robin to `${baseUrl}/v1/traces`: one request by fetch (its answer must be
 * 200, its partial success is read), a warm-up, then a fixed amount of requests, so that exactly
 * the requests sent were accepted (any non-2xx fails the run) and can be counted in the reports.
 */
export async function driveIngest(baseUrl: string, bodies: IngestBodies, options: DriveIngestOptions): Promise<IngestRun> {
  const label = options.label ?? 'ingest';
  const first = await fetch(`${baseUrl}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: bodies.bodies[0] });
  if (first.status !== 200) throw new Error(`POST /v1/traces: ${first.status} ${await first.text()}`);
  const answer = ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(new Uint8Array(await first.arrayBuffer())), { longs: Number }) as {
    partialSuccess?: { rejectedSpans?: number };
  };
  const requests = bodies.bodies.map((body) => ({ method: 'POST' as const, path: '/v1/traces', headers: { 'content-type': 'application/x-protobuf' }, body }));
  const common = { url: baseUrl, requests, connections: options.connections };
  const warm = await load(`${label}: POST /v1/traces warm-up`, { ...common, amount: options.warmupRequests });
  const amount = Math.max(100, Math.round((warm.requestsPerSecond * options.seconds) / 10) * 10);
  const measured = await load(`${label}: POST /v1/traces, ${bodies.spansPerBody} spans a request, ${amount} requests`, { ...common, amount });
  return {
    load: measured,
    spansPerSecond: measured.requestsPerSecond * bodies.spansPerBody,
    warmupRequests: 1 + warm.requests,
    sent: (1 + warm.requests + measured.requests) * bodies.spansPerBody,
    rejectedSpans: answer.partialSuccess?.rejectedSpans ?? 0,
  };
}

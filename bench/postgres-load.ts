/**
 * The load side of the PostgreSQL benchmark: autocannon runs with each response's own latency, and
 * OTLP/protobuf bodies of this package's spans made by the real SDK and serializer (as figure 4's).
 */
import { SpanStatusCode } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import autocannon from 'autocannon';
import * as semconv from '../src/telemetry/semconv.js';
import { prng } from '../test/helpers/prng.js';
import { consume, log } from './harness.js';
import { toolSpanAttributes } from './tool-span-attributes.js';

export interface Latencies {
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? NaN : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number);
}

/** One autocannon run; every answer must be 2xx. Latency from each response's own time (not autocannon's whole-ms histogram). */
export async function load(title: string, options: autocannon.Options): Promise<Latencies> {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ connections: 10, duration: 5, ...options, title }, (error: unknown, done: autocannon.Result) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done),
    );
    instance.on('response', (_client, status, _bytes, responseTime) => {
      if (status >= 200 && status < 300) latencies.push(responseTime);
    });
  });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${title}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  latencies.sort((a, b) => a - b);
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  const figures = { requests: latencies.length, seconds, requestsPerSecond: latencies.length / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.at(-1) ?? NaN };
  consume(figures.requests);
  log(`postgres: ${title}: ${figures.requests} × 2xx, ${figures.requestsPerSecond.toFixed(0)} req/s, p50 ${figures.p50.toFixed(2)} ms, p99 ${figures.p99.toFixed(2)} ms`);
  return figures;
}

const TOOLS = ['read', 'write', 'edit', 'grep', 'glob', 'bash', 'webfetch', 'task'];
export const SPANS_PER_BODY = 512;

/** `bodies` protobuf bodies of `SPANS_PER_BODY` tool spans each, over `sessions` sessions named `<prefix><k>` (8 a body). */
export async function spanBodies(prefix: string, bodies: number, sessions: number): Promise<{ bodies: Buffer[]; sessionIds: string[] }> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'toolperf-bench-agent' }), spanProcessors: [new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer(semconv.INSTRUMENTATION_SCOPE);
  const random = prng(37);
  const sessionIds = Array.from({ length: sessions }, (_, k) => `${prefix}${k.toString().padStart(3, '0')}`);
  const out: Buffer[] = [];
  let clock = Date.now() - 600_000;
  for (let b = 0; b < bodies; b++) {
    memory.reset();
    for (let i = 0; i < SPANS_PER_BODY; i++) {
      const sessionId = sessionIds[(b * 8 + (i % 8)) % sessions] as string;
      const name = TOOLS[Math.floor(random() * TOOLS.length)] as string;
      const start = clock;
      clock += random() * 2;
      const span = tracer.startSpan(`execute_tool ${name}`, { startTime: start, attributes: toolSpanAttributes(name, sessionId, `call_${b}_${i}`) });
      if (random() < 0.02) {
        span.setAttribute(semconv.ATTR_ERROR_TYPE, 'TimeoutError');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
      }
      span.end(start + 0.05 * Math.pow(10, random() * 5));
    }
    await provider.forceFlush();
    const body = ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans());
    if (body === undefined) throw new Error('ProtobufTraceSerializer returned nothing');
    out.push(Buffer.from(body));
  }
  await provider.shutdown();
  return { bodies: out, sessionIds };
}

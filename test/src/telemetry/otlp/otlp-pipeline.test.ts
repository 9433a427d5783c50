import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPerformance, FileReportStore, type Performance, type PerformanceOptions } from '../../../../src/index.js';
import { freePort } from '../../../helpers/prometheus-server.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../../helpers/otlp-receiver.js';
import { recordingLogger } from '../../../helpers/tracking.js';

let perf: Performance | undefined;
let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await perf?.shutdown();
  await receiver?.close();
  perf = undefined;
  receiver = undefined;
});

function streaming(endpoint: string, options: PerformanceOptions = {}, env: NodeJS.ProcessEnv = {}): Performance {
  perf = createPerformance({
    enabled: true,
    saveReports: false,
    handleProcessExit: false,
    env,
    ...options,
    otlp: { enabled: true, endpoint, metricsIntervalMs: 60_000, timeoutMs: 2000, ...options.otlp },
  });
  return perf;
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(['http/protobuf', 'http/json'] as const)('OTLP over %s', (protocol) => {
  it('sends each tool call as an execute_tool span with its attributes, parent and status, and the tool metrics', async () => {
    receiver = await startOtlpReceiver();
    const p = streaming(receiver.url, { serviceName: 'agent-under-test', otlp: { protocol, headers: { 'x-api-key': 'k1' } } });
    const inner = p.wrapTools(
      {
        read: async (input: { path: string }) => `contents of ${input.path}`,
        bash: () => {
          throw new RangeError('exit 2');
        },
      },
      { sessionId: 'ses_otlp' },
    );
    // A tool that calls tools (a sub-agent): their spans must be children of its span.
    const task = p.wrapTool(
      async () => {
        expect(await inner.read({ path: 'a.ts' })).toBe('contents of a.ts');
        expect(await inner.read({ path: 'b.ts' })).toBe('contents of b.ts');
        expect(() => inner.bash()).toThrow(RangeError);
        return 'done';
      },
      { name: 'task', sessionId: 'ses_otlp' },
    );
    expect(await task()).toBe('done');
    await p.flush();

    const parent = receiver.spans.find((s) => s.name === 'execute_tool task');
    const toolSpans = receiver.spans.filter((s) => s !== parent);
    expect(toolSpans.map((s) => s.name).sort()).toEqual(['execute_tool bash', 'execute_tool read', 'execute_tool read']);
    expect(parent?.parentSpanId).toBe('');
    for (const span of toolSpans) {
      expect(span.parentSpanId).toBe(parent?.spanId);
      expect(span.traceId).toBe(parent?.traceId);
      expect(span.kind).toBe(1); // SPAN_KIND_INTERNAL
      expect(span.attributes).toMatchObject({
        'gen_ai.operation.name': 'execute_tool',
        'session.id': 'ses_otlp',
        'gen_ai.conversation.id': 'ses_otlp',
      });
      expect(span.resource['service.name']).toBe('agent-under-test');
      expect(span.scope).toBe('toolperf');
    }
    const bash = toolSpans.find((s) => s.name === 'execute_tool bash');
    expect(bash?.status).toEqual({ code: 2, message: 'exit 2' }); // STATUS_CODE_ERROR
    expect(bash?.attributes['error.type']).toBe('RangeError');
    expect(toolSpans.filter((s) => s.name === 'execute_tool read').every((s) => s.status.code === 0)).toBe(true);

    const metricNames = new Set(receiver.metrics.map((m) => m.name));
    expect(metricNames).toEqual(new Set(['gen_ai.execute_tool.duration', 'toolperf.tool.calls']));
    const duration = receiver.metrics.find((m) => m.name === 'gen_ai.execute_tool.duration');
    expect(duration?.unit).toBe('s');
    expect(duration?.kind).toBe('histogram');
    const read = duration?.points.find((pt) => pt.attributes['gen_ai.tool.name'] === 'read');
    expect(read?.value).toBe(2);
    expect(read?.explicitBounds).toHaveLength(15);
    const calls = receiver.metrics.find((m) => m.name === 'toolperf.tool.calls');
    const failed = calls?.points.find((pt) => pt.attributes['toolperf.status'] === 'error');
    expect(failed?.value).toBe(1);
    expect(failed?.attributes).toMatchObject({ 'gen_ai.tool.name': 'bash', 'error.type': 'RangeError', 'session.id': 'ses_otlp' });

    const contentType = protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(expect.arrayContaining(['/v1/metrics', '/v1/traces']));
    for (const request of receiver.requests) {
      expect(request.contentType).toBe(contentType);
      expect(request.headers['x-api-key']).toBe('k1');
    }
    // ...and the report sees the same calls.
    const stats = await p.api.getOperationStats({ sessionId: 'ses_otlp', operationType: 'tool-execution' });
    expect(stats?.count).toBe(4);
    expect(stats?.errors).toBe(1);
  });
});

describe('spans that leave over OTLP', () => {
  it('name the store their calls are folded into already (toolperf.store.id), when it is a file store', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'toolperf-otlp-store-'));
    try {
      receiver = await startOtlpReceiver();
      const saving = streaming(receiver.url, { saveReports: true, dataDir });
      saving.wrapTool(() => 1, { name: 'read', sessionId: 'ses_saved' })();
      await saving.shutdown();
      const id = new FileReportStore(dataDir).identity();
      expect(id).toBeDefined();
      await until(() => receiver!.spans.length === 1, 'the span');
      expect(receiver.spans[0]?.attributes['toolperf.store.id']).toBe(id);

      // Reports kept in memory are no store another process can read: nothing to name.
      const inMemory = streaming(receiver.url, { saveReports: false });
      inMemory.wrapTool(() => 1, { name: 'read', sessionId: 'ses_memory' })();
      await inMemory.shutdown();
      await until(() => receiver!.spans.length === 2, 'the second span');
      expect(receiver.spans[1]?.attributes).not.toHaveProperty('toolperf.store.id');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('OTLP settings from the standard environment variables', () => {
  /** OTLP on, everything else about it from `env`. */
  const fromEnv = (env: NodeJS.ProcessEnv): Performance =>
    createPerformance({ enabled: true, saveReports: false, handleProcessExit: false, otlp: { enabled: true }, env });

  it('uses OTEL_EXPORTER_OTLP_ENDPOINT, _PROTOCOL, _HEADERS, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES when config is silent', async () => {
    receiver = await startOtlpReceiver();
    perf = fromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20t0k,x-team=tools',
      OTEL_SERVICE_NAME: 'env-agent',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=ci,service.version=1.2.3',
    });
    perf.wrapTool(() => 1, { name: 'noop', sessionId: 'ses_env' })();
    await perf.flush();
    const [span] = receiver.spans;
    expect(span?.name).toBe('execute_tool noop');
    expect(span?.resource).toMatchObject({ 'service.name': 'env-agent', 'deployment.environment.name': 'ci', 'service.version': '1.2.3' });
    const request = receiver.requests.find((r) => r.path === '/v1/traces');
    expect(request?.contentType).toBe('application/json');
    expect(request?.headers.authorization).toBe('Bearer t0k');
    expect(request?.headers['x-team']).toBe('tools');
  });

  it('a signal-specific endpoint is used as is', async () => {
    receiver = await startOtlpReceiver();
    perf = fromEnv({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/custom/traces`,
      OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: `${receiver.url}/custom/metrics`,
    });
    perf.wrapTool(() => 1, { name: 'noop', sessionId: 'ses_env' })();
    await perf.flush();
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/custom/metrics', '/custom/traces']);
  });

  it('a bad variable is a clear error naming it', () => {
    const make = (env: NodeJS.ProcessEnv) => () => fromEnv(env);
    expect(make({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT = "collector:4318": expected an http/);
    expect(make({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL = "grpc".*gRPC is not supported/);
    expect(make({ OTEL_EXPORTER_OTLP_TIMEOUT: '-5' })).toThrow(/OTEL_EXPORTER_OTLP_TIMEOUT/);
  });
});

describe('OTLP faults never reach the tools', () => {
  it('collector down: calls and reports are unaffected, one line per streak, the queue is bounded and counted, data resumes when it returns', async () => {
    const port = await freePort();
    const logger = recordingLogger();
    const p = streaming(`http://127.0.0.1:${port}`, { logger, otlp: { maxQueueSize: 50, timeoutMs: 300 } });
    const tool = p.wrapTool((x: number) => x * 2, { name: 'double', sessionId: 'ses_down' });
    for (let i = 0; i < 2000; i++) expect(tool(i)).toBe(i * 2);
    await until(() => logger.lines.some((l) => l.includes('could not send spans')), 'the failure line');
    const stats = await p.api.getOperationStats({ sessionId: 'ses_down', operationType: 'tool-execution' });
    expect(stats?.count).toBe(2000);
    // The synchronous loop let exactly 50 spans into the queue; the rest were dropped and counted.
    expect(logger.lines.filter((l) => l.includes('OTLP span queue full'))).toHaveLength(1);
    for (let i = 0; i < 500; i++) tool(i);
    expect(logger.lines.filter((l) => l.includes('could not send spans'))).toHaveLength(1);

    // The collector comes back on the same port: new calls' spans get through once the old queue has failed out.
    receiver = await startOtlpReceiver(port);
    const back = receiver;
    const deadline = Date.now() + 15_000;
    while (!back.spans.some((s) => s.name === 'execute_tool double')) {
      if (Date.now() > deadline) throw new Error('no span arrived after the collector came back');
      tool(1);
      await p.flush();
    }
    expect(logger.lines.some((l) => /sending spans to .* works again/.test(l))).toBe(true);
    expect(logger.lines.some((l) => /\d+ spans were dropped while it was full/.test(l))).toBe(true);
    expect(logger.lines.filter((l) => l.includes('could not send spans'))).toHaveLength(1);
  });

  it('answering 500: one line per streak, then it works again when the collector recovers', async () => {
    receiver = await startOtlpReceiver();
    receiver.answer = { status: 500 };
    const logger = recordingLogger();
    const p = streaming(receiver.url, { logger });
    const tool = p.wrapTool(() => 'ok', { name: 'noop', sessionId: 'ses_500' });
    for (let round = 0; round < 3; round++) {
      expect(tool()).toBe('ok');
      await p.flush();
    }
    expect(receiver.requests.filter((r) => r.path === '/v1/traces').length).toBeGreaterThanOrEqual(3);
    expect(logger.lines.filter((l) => l.includes('could not send spans'))).toHaveLength(1);
    receiver.answer = { status: 200 };
    tool();
    await p.flush();
    expect(receiver.spans).toHaveLength(1);
    expect(logger.lines.filter((l) => l.includes('works again'))).toHaveLength(2); // spans and metrics
  });

  it('answering 429: the exporter retries and the spans arrive once', async () => {
    receiver = await startOtlpReceiver();
    let refused = 0;
    receiver.answer = (path) => (path === '/v1/traces' && refused++ < 2 ? { status: 429, retryAfterSeconds: 0 } : { status: 200 });
    const logger = recordingLogger();
    const p = streaming(receiver.url, { logger, otlp: { timeoutMs: 5000 } });
    const tool = p.wrapTool(() => 'ok', { name: 'noop', sessionId: 'ses_429' });
    tool();
    tool();
    await p.flush();
    expect(receiver.spans.map((s) => s.name)).toEqual(['execute_tool noop', 'execute_tool noop']);
    expect(receiver.requests.filter((r) => r.path === '/v1/traces')).toHaveLength(3);
    expect(logger.lines).toEqual([]);
  });

  it('a collector that never answers: calls return at once, at most maxQueueSize spans wait, shutdown ends within its deadline', async () => {
    receiver = await startOtlpReceiver();
    receiver.answer = 'hang';
    const logger = recordingLogger();
    const p = streaming(receiver.url, { logger, otlp: { maxQueueSize: 200, timeoutMs: 500 } });
    const tool = p.wrapTool((x: number) => x + 1, { name: 'inc', sessionId: 'ses_hang' });
    for (let i = 0; i < 20_000; i++) expect(tool(i)).toBe(i + 1);
    const started = Date.now();
    await p.shutdown();
    const elapsed = Date.now() - started;
    // A functional bound, far above the 1.5 s deadline and far below a hang.
    expect(elapsed).toBeLessThan(10_000);
    expect(logger.lines.some((l) => l.includes('19800 spans were dropped'))).toBe(true);
    const stats = await p.api.getOperationStats({ sessionId: 'ses_hang', operationType: 'tool-execution' });
    expect(stats?.count).toBe(20_000);
  });
});

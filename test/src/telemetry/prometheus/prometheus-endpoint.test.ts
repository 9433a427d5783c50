import { createServer } from 'node:net';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createPerformance, type Performance, type PerformanceOptions } from '../../../../src/index.js';
import { recordingLogger } from '../../../helpers/tracking.js';

let perf: Performance | undefined;
afterEach(async () => {
  await perf?.shutdown();
  perf = undefined;
});

function serving(options: PerformanceOptions = {}): Performance {
  perf = createPerformance({
    enabled: true,
    saveReports: false,
    handleProcessExit: false,
    env: {},
    ...options,
    prometheus: { enabled: true, port: 0, ...options.prometheus },
  });
  return perf;
}

async function scrape(p: Performance): Promise<string> {
  const url = await p.scrapeUrl();
  if (url === undefined) throw new Error('no endpoint');
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return response.text();
}

function sampleLines(body: string, metric: string): string[] {
  return body.split('\n').filter((line) => line.startsWith(`${metric}{`) || line.startsWith(`${metric} `));
}

describe('the Prometheus endpoint', () => {
  it('serves the duration histogram as gen_ai_execute_tool_duration_seconds and the counter as toolperf_tool_calls_total', async () => {
    const p = serving();
    const tools = p.wrapTools({ read: () => 'x', bash: () => Promise.reject(new SyntaxError('bad')) }, { sessionId: 'ses_1' });
    tools.read();
    tools.read();
    await tools.bash().catch(() => {});
    const body = await scrape(p); // records waiting off the hot path are flushed by the scrape itself
    expect(body).toContain('# TYPE gen_ai_execute_tool_duration_seconds histogram');
    expect(body).toContain('# TYPE toolperf_tool_calls_total counter');
    expect(sampleLines(body, 'toolperf_tool_calls_total')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^toolperf_tool_calls_total\{.*gen_ai_tool_name="read".*toolperf_status="ok".*session_id="ses_1".*\} 2$/),
        expect.stringMatching(/^toolperf_tool_calls_total\{.*gen_ai_tool_name="bash".*toolperf_status="error".*error_type="SyntaxError".*\} 1$/),
      ]),
    );
    const buckets = sampleLines(body, 'gen_ai_execute_tool_duration_seconds_bucket').filter((l) => l.includes('gen_ai_tool_name="read"'));
    expect(buckets.map((l) => /le="([^"]+)"/.exec(l)?.[1])).toEqual([
      '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '30', '60', '120', '300', '+Inf',
    ]);
    expect(buckets.at(-1)).toMatch(/ 2$/);
    // Cumulative across scrapes.
    tools.read();
    expect(sampleLines(await scrape(p), 'toolperf_tool_calls_total').find((l) => l.includes('"read"'))).toMatch(/ 3$/);
  });

  it('leaves session_id off with metrics.includeSessionId false', async () => {
    const p = serving({ metrics: { includeSessionId: false } });
    p.wrapTool(() => 1, { name: 'x', sessionId: 'ses_1' })();
    const [line] = sampleLines(await scrape(p), 'toolperf_tool_calls_total');
    expect(line).toBeDefined();
    expect(line).not.toContain('session_id');
  });

  it('keeps at most metrics.maxSeries series per metric however many sessions pass, the newest ones', async () => {
    const p = serving({ metrics: { maxSeries: 50 } });
    for (let batch = 0; batch < 25; batch++) {
      for (let s = 0; s < 40; s++) p.wrapTool(() => 1, { name: 'read', sessionId: `ses_${batch}_${s}` })();
      const lines = sampleLines(await scrape(p), 'toolperf_tool_calls_total');
      expect(lines.length).toBeLessThanOrEqual(50);
    }
    const body = await scrape(p);
    expect(body).toContain('session_id="ses_24_39"');
    expect(body).not.toContain('session_id="ses_0_0"');
    expect(body).not.toContain('otel_metric_overflow');
  });

  it('more new label sets between two scrapes than maxSeries: the rest are counted in one overflow series, not lost', async () => {
    const p = serving({ metrics: { maxSeries: 50 } });
    for (let s = 0; s < 300; s++) p.wrapTool(() => 1, { name: 'read', sessionId: `ses_${s}` })();
    const lines = sampleLines(await scrape(p), 'toolperf_tool_calls_total');
    expect(lines.length).toBeLessThanOrEqual(50);
    expect(lines.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0)).toBe(300);
    expect(lines.find((l) => l.includes('otel_metric_overflow="true"'))).toBeDefined();
  });

  it('answers 404 elsewhere and 405 to other methods', async () => {
    const p = serving();
    const url = (await p.scrapeUrl()) as string;
    expect((await fetch(new URL('/', url))).status).toBe(404);
    expect((await fetch(url, { method: 'POST' })).status).toBe(405);
    expect((await fetch(url, { method: 'HEAD' })).status).toBe(200);
  });

  it('under the host\'s meter provider it is not started, and a line says why', async () => {
    const logger = recordingLogger();
    const p = serving({ logger, meterProvider: new MeterProvider() });
    expect(await p.scrapeUrl()).toBeUndefined();
    expect(logger.lines).toEqual([expect.stringMatching(/metrics go to the host's meterProvider/)]);
  });

  it('listens on 127.0.0.1 by default', async () => {
    const p = serving();
    expect(await p.scrapeUrl()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  });

  it('a port already taken is logged once and the tools keep working', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as { port: number };
    try {
      const logger = recordingLogger();
      const p = serving({ logger, prometheus: { enabled: true, port } });
      expect(await p.scrapeUrl()).toBeUndefined();
      expect(p.wrapTool(() => 7, { name: 'x', sessionId: 'ses_1' })()).toBe(7);
      expect(logger.lines).toHaveLength(1);
      expect(logger.lines[0]).toMatch(new RegExp(`could not serve Prometheus metrics on 127.0.0.1:${port}.*EADDRINUSE`));
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });
});

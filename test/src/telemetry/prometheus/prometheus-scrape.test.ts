import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerformance, type Performance } from '../../../../src/index.js';
import { startPrometheus, type PrometheusServer } from '../../../helpers/prometheus-server.js';
import { findProgram, requireProgram, skipUnlessAvailable } from '../../../helpers/real-component.js';

/** Debian's Prometheus (2.42), started by the test on loopback, scraping the tracker's endpoint every second. */
const prometheusBinary = findProgram('prometheus', 'prometheus');
const BOUNDARIES = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe.skipIf(skipUnlessAvailable(prometheusBinary))('a real Prometheus scraping the endpoint', () => {
  let perf: Performance;
  let prometheus: PrometheusServer | undefined;
  const tools = {
    read: async () => {
      await sleep(60);
      return 'text';
    },
    grep: async () => {
      await sleep(300);
      return ['match'];
    },
    bash: async () => {
      await sleep(5);
      throw Object.assign(new Error('exit 1'), { name: 'ShellError' });
    },
  };

  beforeAll(async () => {
    const binary = requireProgram(prometheusBinary);
    perf = createPerformance({
      enabled: true,
      saveReports: false,
      handleProcessExit: false,
      maxMetrics: 10_000,
      prometheus: { enabled: true, port: 0 },
      env: {},
    });
    const url = await perf.scrapeUrl();
    if (url === undefined) throw new Error('the endpoint did not start');
    prometheus = await startPrometheus(binary, new URL(url).host);
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await perf?.shutdown();
  });

  it('gets exact per-tool counts and a p95 in the bucket of the calls\' real durations', async () => {
    const a = perf.wrapTools(tools, { sessionId: 'ses_prom_a' });
    const b = perf.wrapTools(tools, { sessionId: 'ses_prom_b' });
    // One call each first, so that the series exist before the measured calls: rate() needs an increase.
    for (const session of [a, b]) await Promise.all([session.read(), session.grep(), session.bash().catch(() => {})]);
    await prometheus!.queryUntil('up{job="toolperf"}', (s) => s[0]?.value === 1);
    await prometheus!.queryUntil('sum(toolperf_tool_calls_total)', (s) => s[0]?.value === 6);

    const reads = Array.from({ length: 40 }, (_, i) => ((i % 2 ? a : b).read()));
    const greps = Array.from({ length: 10 }, (_, i) => ((i % 2 ? a : b).grep()));
    const failures = Array.from({ length: 7 }, (_, i) => (i % 2 ? a : b).bash().catch((e: Error) => e.name));
    await Promise.all([...reads, ...greps, ...failures]);

    const counts = await prometheus!.queryUntil(
      'sum by (gen_ai_tool_name, toolperf_status, error_type) (toolperf_tool_calls_total)',
      (s) => s.reduce((n, x) => n + x.value, 0) === 63,
    );
    const byTool = Object.fromEntries(
      counts.map((s) => [`${s.metric.gen_ai_tool_name}/${s.metric.toolperf_status}/${s.metric.error_type ?? ''}`, s.value]),
    );
    expect(byTool).toEqual({ 'read/ok/': 42, 'grep/ok/': 12, 'bash/error/ShellError': 9 });

    const histogramCounts = await prometheus!.query('sum by (gen_ai_tool_name) (gen_ai_execute_tool_duration_seconds_count)');
    expect(Object.fromEntries(histogramCounts.map((s) => [s.metric.gen_ai_tool_name, s.value]))).toEqual({ read: 42, grep: 12, bash: 9 });

    const sessions = await prometheus!.query('count(count by (session_id) (toolperf_tool_calls_total))');
    expect(sessions[0]?.value).toBe(2);

    // The README's query: p95 per tool across sessions.
    const p95 = await prometheus!.queryUntil(
      'histogram_quantile(0.95, sum by (le, gen_ai_tool_name) (rate(gen_ai_execute_tool_duration_seconds_bucket[5m])))',
      (s) => s.length === 3 && s.every((x) => Number.isFinite(x.value)),
    );
    for (const tool of ['read', 'grep', 'bash'] as const) {
      // The calls' own durations, measured by the tracker and kept in the report.
      const durations = (await Promise.all(['ses_prom_a', 'ses_prom_b'].map((id) => perf.api.getReport({ sessionId: id }))))
        .flatMap((r) => r?.recent ?? [])
        .filter((c) => c.toolName === tool)
        .map((c) => c.durationMs / 1000)
        .sort((x, y) => x - y);
      const trueP95 = durations[Math.ceil(0.95 * durations.length) - 1] as number;
      const upper = BOUNDARIES.find((b) => trueP95 <= b) as number;
      const lower = BOUNDARIES[BOUNDARIES.indexOf(upper) - 1] ?? 0;
      const value = p95.find((s) => s.metric.gen_ai_tool_name === tool)?.value as number;
      expect(value, `${tool}: p95 ${value} s, calls' p95 ${trueP95} s`).toBeGreaterThanOrEqual(lower);
      expect(value, `${tool}: p95 ${value} s, calls' p95 ${trueP95} s`).toBeLessThanOrEqual(upper);
    }
  }, 90_000);
});

/**
 * The shipped prometheus-rules.yml, loaded unchanged by Debian's Prometheus (started by the test on
 * loopback, scraping and evaluating every second), against the package's own `/metrics` in this
 * process: tool calls that break a rule until its alert fires.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPerformance, type Performance } from '../../src/index.js';
import { startPrometheus, type PrometheusAlert, type PrometheusServer } from '../helpers/prometheus-server.js';
import { findProgram, requireProgram, skipUnlessAvailable } from '../helpers/real-component.js';

const prometheusBinary = findProgram('prometheus', 'prometheus');
const RULES_FILE = fileURLToPath(new URL('../../prometheus-rules.yml', import.meta.url));
const SESSION = 'ses_prom_alerts';
/** Just over ToolP95High's 10 s threshold (a histogram bucket boundary). */
const SLOW_CALL_MS = 10_500;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const alertsOf = (alerts: PrometheusAlert[], name: string, tool: string) =>
  alerts.filter((a) => a.labels.alertname === name && a.labels.gen_ai_tool_name === tool);

describe.skipIf(skipUnlessAvailable(prometheusBinary))('prometheus-rules.yml in a real Prometheus', () => {
  let perf: Performance;
  let prometheus: PrometheusServer | undefined;
  const stopLoops = new AbortController();
  const loops: Array<Promise<void>> = [];

  beforeAll(async () => {
    const binary = requireProgram(prometheusBinary);
    perf = createPerformance({
      enabled: true,
      saveReports: false,
      handleProcessExit: false,
      prometheus: { enabled: true, port: 0 },
      env: {},
    });
    const url = await perf.scrapeUrl();
    if (url === undefined) throw new Error('the endpoint did not start');
    prometheus = await startPrometheus(binary, new URL(url).host, { ruleFiles: [RULES_FILE] });
  }, 60_000);

  afterAll(async () => {
    stopLoops.abort();
    await Promise.all(loops);
    await prometheus?.stop();
    await perf?.shutdown();
  });

  it('fires ToolErrorRatioHigh for a failing tool, holds ToolP95High pending for a slow one, and leaves the others alone', async () => {
    const tools = perf.wrapTools(
      {
        flaky: async () => {
          await sleep(2);
          throw Object.assign(new Error('exit 1'), { name: 'ShellError' });
        },
        rare: async () => {
          throw Object.assign(new Error('not found'), { name: 'FileNotFound' });
        },
        read: async () => 'text',
        build: (ms: number) => sleep(ms),
      },
      { sessionId: SESSION },
    );
    const every = (ms: number, call: () => Promise<unknown>) =>
      loops.push(
        (async () => {
          while (!stopLoops.signal.aborted) {
            await call().catch(() => undefined);
            await delay(ms, undefined, { signal: stopLoops.signal }).catch(() => undefined);
          }
        })(),
      );
    // Every call of flaky fails; read never does; rare fails too, but under the 10-call minimum.
    every(100, tools.flaky);
    every(100, tools.read);
    every(15_000, tools.rare);
    // A fast build first, so the series exists when the slow ones land: rate() needs an increase.
    await tools.build(0);
    await prometheus!.queryUntil('sum(gen_ai_execute_tool_duration_seconds_count{gen_ai_tool_name="build"})', (s) => s[0]?.value === 1);
    await Promise.all([tools.build(SLOW_CALL_MS), tools.build(SLOW_CALL_MS), tools.build(SLOW_CALL_MS)]);

    // ToolErrorRatioHigh waits `for: 1m`: about 65 s from the first failed calls.
    const until = Date.now() + 150_000;
    let alerts: PrometheusAlert[] = [];
    while (alertsOf(alerts, 'ToolErrorRatioHigh', 'flaky')[0]?.state !== 'firing') {
      if (Date.now() > until) throw new Error(`ToolErrorRatioHigh never fired for flaky; alerts: ${JSON.stringify(alerts)}`);
      await sleep(500);
      alerts = await prometheus!.alerts();
    }

    const [errorRatio] = alertsOf(alerts, 'ToolErrorRatioHigh', 'flaky');
    expect(errorRatio?.labels).toEqual({ alertname: 'ToolErrorRatioHigh', severity: 'critical', job: 'toolperf', gen_ai_tool_name: 'flaky' });
    expect(Number(errorRatio?.value)).toBe(1);
    expect(errorRatio?.annotations.summary).toBe('Tool flaky: 100% of calls failed');
    expect(errorRatio?.annotations.description).toMatch(
      /^100% of flaky calls \(job toolperf\) failed over the last 5 minutes, above the 25% threshold, at \d+\.\d calls a minute\.$/,
    );
    expect(errorRatio?.annotations.runbook_url).toBe('https://github.com/toolperf/toolperf#prometheus-alerts');

    // `for: 10m`: pending for the whole test. Three calls of 10.5 s: p95 interpolated in the 10-30 s bucket.
    const [p95] = alertsOf(alerts, 'ToolP95High', 'build');
    expect(p95?.state).toBe('pending');
    expect(Number(p95?.value)).toBeGreaterThan(10);
    expect(Number(p95?.value)).toBeLessThanOrEqual(30);
    expect(p95?.annotations.summary).toMatch(/^Tool build: p95 \d+(\.\d+)?s, over 10s$/);

    const others = alerts.filter((a) => a !== errorRatio && a !== p95);
    expect(others, 'read and rare stay quiet; no week of data for week-over-week').toEqual([]);
  }, 180_000);
});

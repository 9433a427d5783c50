import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createReports } from '../../../src/reports/reports.js';
import { startReportServer } from '../../../src/server/start.js';
import { runToolperf } from '../../helpers/cli.js';
import { recordingLogger } from '../../helpers/tracking.js';
import { startWebhookReceiver } from '../../helpers/webhook-receiver.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A GenAI `execute_tool` span from another SDK, as OTLP/JSON. */
function toolSpan(tool: string, sessionId: string, startMs: number, durationMs: number) {
  const ns = (ms: number) => (BigInt(Math.round(ms * 1000)) * 1000n).toString();
  return {
    resourceSpans: [{
      resource: { attributes: [] },
      scopeSpans: [{
        scope: { name: 'other-sdk' },
        spans: [{
          traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: `execute_tool ${tool}`, kind: 1,
          startTimeUnixNano: ns(startMs), endTimeUnixNano: ns(startMs + durationMs), status: { code: 0 },
          attributes: [
            { key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } },
            { key: 'gen_ai.tool.name', value: { stringValue: tool } },
            { key: 'gen_ai.tool.call.id', value: { stringValue: 'call_1' } },
            { key: 'session.id', value: { stringValue: sessionId } },
          ],
        }],
      }],
    }],
  };
}

describe('alerts of ingested calls: GET /api/v1/alerts, the webhook and toolperf alerts', () => {
  it('a slow call sent over OTLP fires one alert, listed by the API and the CLI and POSTed to the webhook', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolperf-alerts-route-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const receiver = await startWebhookReceiver();
    cleanups.push(receiver.close);
    const reports = createReports({
      dataDir: dir,
      logger: recordingLogger(),
      alerts: { rules: [{ name: 'slow-read', kind: 'slow-call', tools: 'read', thresholdMs: 100 }], webhook: { url: receiver.url } },
    });
    cleanups.push(() => reports.shutdown());
    const server = await startReportServer({ reports, port: 0, logger: recordingLogger(), dashboard: false });
    cleanups.push(() => server.close());

    const sent = await fetch(`${server.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(toolSpan('read', 'ses_ingested', Date.now() - 1000, 500)) });
    expect(sent.status).toBe(200);
    await receiver.received(1);
    const { alerts } = (await (await fetch(`${server.url}/api/v1/alerts`)).json()) as { alerts: Record<string, unknown>[] };
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'slow-read', kind: 'slow-call', sessionId: 'ses_ingested', toolName: 'read', state: 'firing', evidence: { durationMs: 500, thresholdMs: 100, callId: 'call_1' } });
    expect(receiver.posts[0]?.body).toMatchObject({ alert: { rule: 'slow-read', sessionId: 'ses_ingested', toolName: 'read' }, text: expect.stringContaining('read took 500 ms') });

    const filtered = async (query: string) => ((await (await fetch(`${server.url}/api/v1/alerts?${query}`)).json()) as { alerts: unknown[] }).alerts.length;
    expect(await filtered('state=firing&tool=read&session=ses_ingested')).toBe(1);
    expect(await filtered('state=resolved')).toBe(0);
    expect(await filtered('tool=grep')).toBe(0);
    expect(await filtered('session=ses_other')).toBe(0);
    const bad = await fetch(`${server.url}/api/v1/alerts?state=loud`);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/state.*expected firing or resolved/);
    const openapi = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(openapi.paths['/api/v1/alerts']).toBeDefined();

    await reports.flush();
    const table = await runToolperf(['alerts', '--data-dir', dir]);
    expect(table.stderr).toBe('');
    expect(table.stdout).toMatch(/^ +state +rule +session +tool +fired +resolved +why\n/);
    expect(table.stdout).toMatch(/firing +slow-read +ses_ingested +read +\S+Z +- +read took 500 ms \(slow-call threshold 100 ms\)/);
    const json = await runToolperf(['alerts', '--data-dir', dir, '--json', '--state', 'firing']);
    expect(JSON.parse(json.stdout)).toMatchObject({ alerts: [{ rule: 'slow-read', sessionId: 'ses_ingested', evidence: { durationMs: 500 } }] });
    expect((await runToolperf(['alerts', '--data-dir', dir, '--state', 'resolved'])).stdout).toBe(`No alerts match in ${dir}\n`);
    expect((await runToolperf(['alerts', '--data-dir', dir, '--state', 'loud'])).stderr).toMatch(/argument 'loud' is invalid. Allowed choices are firing, resolved/);
  });
});

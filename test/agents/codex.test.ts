/**
 * End to end: the real Codex CLI (pinned in versions.json), headless against the fake Responses
 * model, its telemetry set exactly as `toolperf setup codex --write` writes it, into a real
 * `toolperf serve` (startReportServer) behind a proxy that counts the statuses Codex got. The
 * report must hold, under Codex's own conversation id, the calls and failures Codex's rollout file
 * records, with their error types and the agent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reports } from '../../src/reports/reports.js';
import type { SessionReport } from '../../src/document/report.js';
import type { IngestStats } from '../../src/server/otlp-ingest/ingest-pipeline.js';
import { programOrSkip } from '../helpers/real-component.js';
import { startFakeResponsesModel } from './fake-model/openai-responses.js';
import { agentCli } from './helpers/agent-cli.js';
import { CODEX_SCENARIO, prepareCodex, readRollout, runCodexExec, type RolloutTruth } from './helpers/codex-session.js';
import { startToolperfServe } from './helpers/toolperf-serve.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('Codex CLI into toolperf serve', () => {
  it('reports the session Codex recorded: its calls, failures and error types, under its conversation id', async (context) => {
    const bin = programOrSkip(agentCli('codex'), (note) => context.skip(note));
    const { reports, proxy, truth, run, ingest } = await runSession(bin);

    // Codex exports its logs as it exits: every request it sent has been answered by now.
    expect(proxy.statuses()).toEqual({ '/v1/logs 200': expect.any(Number) as number });
    expectReportMatches(await settledReport(reports, truth), truth);
    // Every record Codex sent was Codex's: its tool results mapped, the rest ignored, none unknown.
    const stats = await ingest();
    expect(stats.bySource).toEqual({ codex: truth.calls.length });
    expect(stats.log).toMatchObject({ mapped: truth.calls.length, unknown: 0 });
    // Codex 0.171 prints nothing when its exporter gets a 404 (tried): the statuses above are the
    // guard; this one is for a version that does.
    expect(run.stderr).not.toMatch(/otlp|export|opentelemetry|telemetry/i);
  }, 120_000);

  it('gives the same report with Codex\'s spans and metrics sent too, and answers every signal 2xx', async (context) => {
    const bin = programOrSkip(agentCli('codex'), (note) => context.skip(note));
    const { reports, proxy, truth, run, ingest } = await runSession(bin, (endpoint) => ({
      trace_exporter: { 'otlp-http': { endpoint: `${endpoint}/v1/traces`, protocol: 'json' } },
      metrics_exporter: { 'otlp-http': { endpoint: `${endpoint}/v1/metrics`, protocol: 'json' } },
    }));

    expect(Object.keys(proxy.statuses()).sort()).toEqual(['/v1/logs 200', '/v1/metrics 200', '/v1/traces 200']);
    expectReportMatches(await settledReport(reports, truth), truth);
    const stats = await ingest();
    expect(stats.bySource).toEqual({ codex: truth.calls.length });
    expect(stats.span).toMatchObject({ mapped: 0, unknown: 0 });
    expect(stats.log).toMatchObject({ mapped: truth.calls.length, unknown: 0 });
    expect(stats.span.ignored).toBeGreaterThan(100);
    expect(stats.metric.received).toBeGreaterThan(0);
    expect(run.stderr).not.toMatch(/otlp|export|opentelemetry|telemetry/i);
  }, 120_000);
});

async function runSession(bin: string, otel?: (endpoint: string) => Record<string, { 'otlp-http': { endpoint: string; protocol: string } }>) {
  const root = mkdtempSync(join(tmpdir(), 'toolperf-codex-e2e-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const { reports, server, proxy, stop } = await startToolperfServe(join(root, 'data'));
  cleanups.push(stop);
  const model = await startFakeResponsesModel(CODEX_SCENARIO);
  cleanups.push(() => model.close());

  const { home, project } = prepareCodex({ root, modelBaseUrl: model.baseUrl, endpoint: proxy.url, ...(otel ? { otel: otel(proxy.url) } : {}) });
  const run = await runCodexExec(bin, { root, home, project, timeoutMs: 90_000 });
  expect(run.exitCode, run.stderr).toBe(0);
  expect(model.unexpected).toEqual([]);
  const truth = readRollout(home);
  expect(truth.calls.length).toBe(8);
  // Codex's rollout has no success flag; its log has one line per call it failed (a command's exit
  // code aside): the failures the truth reads from Codex's own messages are exactly those.
  const routerErrors = run.stderr.match(/ERROR codex_core::tools::router: error=/g)?.length ?? 0;
  expect(routerErrors).toBe(truth.calls.filter((call) => call.failure !== undefined && call.exitCode === undefined).length);
  const ingest = async (): Promise<IngestStats> => (await (await fetch(`${server.url}/api/v1/ingest`)).json()) as IngestStats;
  return { reports, proxy, truth, run, ingest };
}

/** The report once it holds as many calls as Codex recorded (Codex exports its logs as it exits), and nothing more comes. */
async function settledReport(reports: Reports, truth: RolloutTruth): Promise<SessionReport> {
  const deadline = Date.now() + 20_000;
  let report: SessionReport | undefined;
  for (;;) {
    report = await reports.getReport({ sessionId: truth.sessionId });
    const count = report?.operations['tool-execution']?.count ?? 0;
    if (count >= truth.calls.length || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  // A little longer: a late extra call would show here.
  await new Promise((resolve) => setTimeout(resolve, 300));
  report = await reports.getReport({ sessionId: truth.sessionId });
  if (report === undefined) throw new Error(`no report for Codex's session ${truth.sessionId}`);
  return report;
}

function expectReportMatches(report: SessionReport, truth: RolloutTruth): void {
  const tools = report.operations['tool-execution'];
  const failures = truth.calls.filter((call) => call.failure !== undefined);
  expect(tools?.count).toBe(truth.calls.length);
  expect(tools?.errors).toBe(failures.length);
  expect(tools?.errorTypes).toEqual(countBy(failures.map((call) => call.failure as string)));
  const perTool = Object.fromEntries(Object.entries(tools?.tools ?? {}).map(([name, stats]) => [name, [stats.count, stats.errors]]));
  const expectedPerTool: Record<string, [number, number]> = {};
  for (const call of truth.calls) {
    const entry = (expectedPerTool[call.toolName] ??= [0, 0]);
    entry[0] += 1;
    if (call.failure !== undefined) entry[1] += 1;
  }
  expect(perTool).toEqual(expectedPerTool);
  expect(report.agent).toEqual({ name: 'codex', version: truth.cliVersion });
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}


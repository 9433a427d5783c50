// End to end: the real Gemini CLI (pinned in versions.json), headless against the fake model, its
// telemetry set as `toolperf setup gemini-cli` writes it and pointed at a real toolperf report
// server; the report must match what the CLI itself recorded of the session.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { programOrSkip } from '../helpers/real-component.js';
import { startFakeGeminiModel } from './fake-model/gemini.js';
import { agentCli } from './helpers/agent-cli.js';
import { MIXED_PROJECT, MIXED_SCRIPT, runGeminiHeadless, setupSettings, truthFromChat, truthFromOutput, type GeminiToolTruth } from './helpers/gemini-cli.js';
import type { Reports } from '../../src/reports/reports.js';
import { startToolperfServe } from './helpers/toolperf-serve.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});


describe('Gemini CLI, headless, into a toolperf report', () => {
  it('reports the session under its own ID with the calls and failures Gemini recorded, typed by the vocabulary', { timeout: 150_000 }, async (context) => {
    const bin = programOrSkip(agentCli('gemini-cli'), (note) => context.skip(note));
    const dataDir = mkdtempSync(join(tmpdir(), 'toolperf-gemini-e2e-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const { reports, server, proxy, stop } = await startToolperfServe(dataDir);
    cleanups.push(stop);
    const model = await startFakeGeminiModel(MIXED_SCRIPT);
    cleanups.push(() => model.close());

    const settings = setupSettings(proxy.url);
    const run = await runGeminiHeadless({ bin, modelUrl: model.url, settings, projectFiles: MIXED_PROJECT });
    cleanups.push(() => rmSync(run.root, { recursive: true, force: true }));
    expect(run.exitCode, run.stderr).toBe(0);
    // Gemini prints OTLP export failures (a 404 says `OTLPExporterError: Not Found`) to stdout, after its JSON.
    expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/OTLPExporterError|Export failed/);
    expect(model.unknown).toEqual([]);

    // Gemini's own record, twice: its JSON answer's stats and its chat file.
    const truth = truthFromOutput(run.output);
    expect(truthFromChat(run.home, truth.sessionId)).toEqual(truth);
    // The script is what it says (else the comparison below proves little).
    expect([truth.calls, truth.failed]).toEqual([8, 3]);

    await settledReport(reports, truth);
    // Closing the server folds the spans ingest still holds: none may be a second count of a call.
    await server.close();
    const report = await reports.getReport({ sessionId: truth.sessionId });
    expect(report?.sessionId).toBe(truth.sessionId);
    expect(report?.agent).toEqual({ name: 'gemini-cli' });
    const tools = report?.operations['tool-execution'];
    expect(tools?.count).toBe(truth.calls);
    expect(tools?.errors).toBe(truth.failed);
    for (const [tool, each] of Object.entries(truth.byTool)) {
      expect([tool, tools?.tools[tool]?.count, tools?.tools[tool]?.errors]).toEqual([tool, each.calls, each.failed]);
    }
    expect(tools?.errorTypes).toEqual({ file_not_found: 1, unknown_tool: 1, invalid_arguments: 1 });
    const summary = (await reports.listSessions()).find((each) => each.sessionId === truth.sessionId);
    expect(summary?.agent).toEqual({ name: 'gemini-cli' });

    // Every export the agent sent was answered 2xx, on all three signals.
    const paths = new Set(proxy.answered.map((each) => each.path));
    expect(paths).toEqual(new Set(['/v1/traces', '/v1/logs', '/v1/metrics']));
    expect(proxy.answered.filter((each) => each.status < 200 || each.status > 299)).toEqual([]);
  });
});

/** The session's report once the tool-execution count reaches Gemini's (or stops changing for 3 s, or 60 s pass). */
async function settledReport(reports: Reports, truth: GeminiToolTruth) {
  const deadline = Date.now() + 60_000;
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const report = await reports.getReport({ sessionId: truth.sessionId });
    const count = report?.operations['tool-execution']?.count ?? 0;
    if (count !== last) [last, stableSince] = [count, Date.now()];
    if (count >= truth.calls || Date.now() - stableSince > 3_000 || Date.now() > deadline) return report;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

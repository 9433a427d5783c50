import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeCodePlan } from '../../src/cli/setup/claude-code.js';
import { MCP_NAME_WAIT_MS } from '../../src/server/otlp-ingest/sources/claude-code.js';
import type { Reports } from '../../src/reports/reports.js';
import type { SessionReport } from '../../src/document/report.js';
import { programOrSkip } from '../helpers/real-component.js';
import { agentCli, pinnedAgent } from './helpers/agent-cli.js';
import { runClaudeCodeSession, type TranscriptCall } from './helpers/claude-code-session.js';
import { startToolperfServe } from './helpers/toolperf-serve.js';

/**
 * The real Claude Code, run headless against the fake model, its telemetry set by nothing but the
 * user settings `toolperf setup claude-code` writes, sending to a real report server: the report
 * under Claude Code's own session id must hold the calls its transcript holds.
 */
const cli = agentCli('claude-code');


/**
 * The report once its tool-execution count reaches `expected` (or the time is up). Logs alone fold
 * an MCP call only after `MCP_NAME_WAIT_MS`, the wait for a span that would name its tool.
 */
async function settledReport(reports: Reports, sessionId: string, expected: number, timeoutMs = MCP_NAME_WAIT_MS + 20_000): Promise<SessionReport | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const report = await reports.getReport({ sessionId });
    if ((report?.operations['tool-execution']?.count ?? 0) >= expected || Date.now() > deadline) return report;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The error type the vocabulary gives each failing call of the scenario (`claudeCodeScript`), by tool as the transcript names it. */
const EXPECTED_ERROR_TYPES = {
  Read: { tool_error: 1, invalid_arguments: 1 },
  Bash: { nonzero_exit: 1 },
  Write: { permission_denied: 1 },
  mcp__fs__read_text_file: { tool_error: 1 },
};

/** A tool's name in the report: as the transcript has it, but Claude Code's logs call every third-party MCP tool `mcp_tool`. */
const reportedName = (name: string, traces: boolean) => (!traces && name.startsWith('mcp__') ? 'mcp_tool' : name);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('Claude Code, end to end', () => {
  for (const traces of [false, true]) {
    it(`a headless session's calls, as its transcript has them (${traces ? 'logs and beta traces' : 'logs'})`, { timeout: 120_000 }, async (context) => {
      const bin = programOrSkip(cli, (note) => context.skip(note));
      const root = mkdtempSync(join(tmpdir(), 'toolperf-claude-e2e-'));
      cleanups.push(() => rmSync(root, { recursive: true, force: true }));
      const { reports, proxy, stop } = await startToolperfServe(join(root, 'data'));
      cleanups.push(stop);

      // What `toolperf setup claude-code --write` does, into the temp HOME (plus, for the second
      // run, the two beta variables its note tells the user to add).
      const setup = claudeCodePlan({ endpoint: proxy.url, home: join(root, 'home'), env: {}, traces });
      expect(setup.env).toEqual({});
      for (const file of setup.files) {
        mkdirSync(dirname(file.path), { recursive: true });
        writeFileSync(file.path, file.merge(undefined));
      }
      const run = await runClaudeCodeSession({ bin, root });
      expect(run.exitCode, run.stderr).toBe(0);
      expect(run.unknownModelRequests).toEqual([]);

      // The truth: Claude Code's transcript. Calls it refused before its permission check are in
      // none of its telemetry (see the fixtures' README): pinned here, so a version that starts
      // sending them fails this test and gets mapped.
      const reached = run.calls.filter((call) => call.reachedPermission);
      const refusedEarly = run.calls.filter((call) => !call.reachedPermission);
      expect(refusedEarly.map((call) => call.name)).toEqual(['NoSuchTool', 'Read']);
      expect(reached.length).toBe(9);

      await proxy.idle();
      const report = await settledReport(reports, run.sessionId, reached.length);
      expect(report, `no report under Claude Code's session ${run.sessionId}`).toBeDefined();
      const stats = report?.operations['tool-execution'];
      expect(stats?.count).toBe(reached.length);
      expect(stats?.errors).toBe(reached.filter((call) => call.isError).length);
      expect(countsByTool(stats?.tools ?? {})).toEqual(countsByToolOf(reached.map((call) => ({ ...call, name: reportedName(call.name, traces) }))));
      for (const [tool, errorTypes] of Object.entries(EXPECTED_ERROR_TYPES)) expect(stats?.tools[reportedName(tool, traces)]?.errorTypes, tool).toEqual(errorTypes);
      expect(report?.agent).toEqual({ name: 'claude-code', version: pinnedAgent('claude-code').version });
      // And on the session list (API, CLI and dashboard read it).
      expect((await reports.listSessions()).find((s) => s.sessionId === run.sessionId)?.agent).toEqual(report?.agent);

      // Every signal Claude Code sent was answered 2xx; its stderr holds no exporter error.
      const signals = new Set(proxy.answered.map((each) => each.path));
      expect(signals).toEqual(new Set(traces ? ['/v1/logs', '/v1/traces'] : ['/v1/logs']));
      expect(proxy.answered.filter((each) => each.status < 200 || each.status > 299)).toEqual([]);
      expect(run.stderr).not.toMatch(/export|otlp|opentelemetry|ECONNREFUSED/i);
    });
  }
});

function countsByTool(tools: Record<string, { count: number; errors: number }>) {
  return Object.fromEntries(Object.entries(tools).map(([tool, s]) => [tool, { count: s.count, errors: s.errors }]));
}

function countsByToolOf(calls: readonly TranscriptCall[]) {
  const out: Record<string, { count: number; errors: number }> = {};
  for (const call of calls) {
    const entry = (out[call.name] ??= { count: 0, errors: 0 });
    entry.count++;
    if (call.isError) entry.errors++;
  }
  return out;
}

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeCodePlan } from '../../src/cli/setup/claude-code.js';
import { createReports, type Reports } from '../../src/reports/reports.js';
import { startReportServer } from '../../src/server/start.js';
import type { SessionReport } from '../../src/document/report.js';
import { programOrSkip } from '../helpers/real-component.js';
import { agentCli } from './helpers/agent-cli.js';
import { runClaudeCodeSession, type TranscriptCall } from './helpers/claude-code-session.js';

/**
 * The real Claude Code, run headless against the fake model, its telemetry set by nothing but the
 * user settings `toolperf setup claude-code` writes, sending to a real report server: the report
 * under Claude Code's own session id must hold the calls its transcript holds.
 */
const cli = agentCli('claude-code');

interface SeenExport {
  readonly path: string;
  readonly status: number;
}

/** A loopback proxy in front of the report server that notes each request's path and answer. */
async function startStatusProxy(target: string) {
  const seen: SeenExport[] = [];
  const { hostname, port } = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const forward = httpRequest({ hostname, port, method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer: IncomingMessage) => {
      seen.push({ path: incoming.url ?? '', status: answer.statusCode ?? 0 });
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    forward.on('error', () => {
      seen.push({ path: incoming.url ?? '', status: 502 });
      outgoing.writeHead(502).end();
    });
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The report once its tool-execution count reaches `expected`, or stops changing for a second. */
async function settledReport(reports: Reports, sessionId: string, expected: number, timeoutMs = 30_000): Promise<SessionReport | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let stableSince = Date.now();
  for (;;) {
    const report = await reports.getReport({ sessionId });
    const count = report?.operations['tool-execution']?.count ?? 0;
    if (count === expected || Date.now() > deadline) return report;
    if (count !== last) [last, stableSince] = [count, Date.now()];
    else if (count > 0 && Date.now() - stableSince > 1000) return report;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The error type the vocabulary gives each failing call of the scenario (`claudeCodeScript`). */
const EXPECTED_ERROR_TYPES = { Read: { tool_error: 1, invalid_arguments: 1 }, Bash: { nonzero_exit: 1 }, Write: { permission_denied: 1 } };

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
      const reports = createReports({ dataDir: join(root, 'data') });
      cleanups.push(() => reports.shutdown());
      const server = await startReportServer({ reports, host: '127.0.0.1', port: 0, dashboard: false });
      cleanups.push(() => server.close());
      const proxy = await startStatusProxy(server.url);
      cleanups.push(() => proxy.close());

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
      expect(reached.length).toBeGreaterThanOrEqual(7);

      const report = await settledReport(reports, run.sessionId, reached.length);
      expect(report, `no report under Claude Code's session ${run.sessionId}`).toBeDefined();
      const stats = report?.operations['tool-execution'];
      expect(stats?.count).toBe(reached.length);
      expect(stats?.errors).toBe(reached.filter((call) => call.isError).length);
      expect(countsByTool(stats?.tools ?? {})).toEqual(countsByToolOf(reached));
      for (const [tool, errorTypes] of Object.entries(EXPECTED_ERROR_TYPES)) expect(stats?.tools[tool]?.errorTypes, tool).toEqual(errorTypes);
      expect((report as { agent?: unknown } | undefined)?.agent).toEqual({ name: 'claude-code', version: '2.1.332' });

      // Every signal Claude Code sent was answered 2xx; its stderr holds no exporter error.
      const signals = new Set(proxy.seen.map((each) => each.path));
      expect(signals).toEqual(new Set(traces ? ['/v1/logs', '/v1/traces'] : ['/v1/logs']));
      expect(proxy.seen.filter((each) => each.status < 200 || each.status > 299)).toEqual([]);
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

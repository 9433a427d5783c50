import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReports, type ListedSession, type SessionComparison } from '../../../../src/index.js';
import { expectOneLineError, runToolperf, tempDir } from '../../../helpers/cli.js';
import { recordingLogger } from '../../../helpers/tracking.js';
import { sessionCalls } from '../../server/fixtures.js';

let dataDir: { path: string; remove: () => Promise<void> };

/** Three sessions in real files: a baseline, one like it, and one whose grep got 3× slower. */
beforeAll(async () => {
  dataDir = await tempDir('toolperf-cli-compare-');
  const reports = createReports({ dataDir: dataDir.path, logger: recordingLogger() });
  const sessions = [
    ['ses_base', sessionCalls(4001, 40)],
    ['ses_same', sessionCalls(4002, 40)],
    ['ses_slow', sessionCalls(4003, 40, { grep: 3 })],
  ] as const;
  const start = Date.now() - 3_600_000;
  for (const [sessionId, calls] of sessions) {
    calls.forEach((spec, i) => reports.record({
      sessionId, operationType: 'tool-execution', toolName: spec.tool, callId: `c${i}`, startTimeMs: start + i * 100,
      durationMs: spec.ms, errorType: spec.error, traceId: undefined, spanId: undefined,
    }));
  }
  await reports.shutdown();
});
afterAll(() => dataDir.remove());

/** The rows of the first table: tool name and its cells, split on two spaces or more. */
function rowsOf(stdout: string): Record<string, string[]> {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith('tool-execution'));
  const rows: Record<string, string[]> = {};
  for (const line of lines.slice(start + 3)) {
    if (line.trim() === '') break;
    const [name, ...cells] = line.trim().split(/\s{2,}/);
    rows[name as string] = cells;
  }
  return rows;
}

describe('toolperf compare', () => {
  it('prints both sessions, a row per tool with a→b figures, and flags the tool that got 3× slower', async () => {
    const { code, stdout, stderr } = await runToolperf(['compare', 'ses_base', 'ses_slow', '--data-dir', dataDir.path]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^Session ses_slow against ses_base\n {2}a: ses_base {2}idle {2}started \S+ {2}200 calls, \d+ errors\n {2}b: ses_slow {2}idle/);
    expect(stdout).toContain('tool-execution (milliseconds; × is b / a)');
    const rows = rowsOf(stdout);
    expect(Object.keys(rows).sort()).toEqual(['(all)', 'bash', 'edit', 'glob', 'grep', 'read']);
    expect(rows.grep?.[0]).toBe('40→40');
    expect(rows.grep?.at(-1)).toBe('slower');
    expect(Number(rows.grep?.[5])).toBeGreaterThan(2);
    for (const tool of ['bash', 'edit', 'glob', 'read']) expect(rows[tool]?.at(-1), tool).toBe('-');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('Changed beyond noise: grep slower.');
  });

  it('says nothing changed between sessions drawn from one distribution', async () => {
    const { code, stdout } = await runToolperf(['compare', 'ses_base', 'ses_same', '--data-dir', dataDir.path]);
    expect(code).toBe(0);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('No tool changed beyond noise.');
  });

  it('--json prints the comparison GET /api/v1/compare answers', async () => {
    const { code, stdout } = await runToolperf(['compare', 'ses_base', 'ses_slow', '--json', '--data-dir', dataDir.path]);
    expect(code).toBe(0);
    const comparison = JSON.parse(stdout) as SessionComparison<ListedSession>;
    expect(comparison.a.sessionId).toBe('ses_base');
    const tools = comparison.operations[0]!.tools;
    expect(tools.filter((t) => t.significant).map((t) => t.toolName)).toEqual(['grep']);
    expect(tools.find((t) => t.toolName === 'grep')).toMatchObject({ a: { count: 40 }, b: { count: 40 }, delta: { p50Ratio: expect.any(Number) } });
  });

  it('names the session that has no report, in one line', async () => {
    expectOneLineError(await runToolperf(['compare', 'ses_base', 'ses_nope', '--data-dir', dataDir.path]), 'unknown session "ses_nope"');
    expectOneLineError(await runToolperf(['compare', 'ses_nope', 'ses_base', '--data-dir', dataDir.path]), 'unknown session "ses_nope"');
    expectOneLineError(await runToolperf(['compare', '../etc', 'ses_base', '--data-dir', dataDir.path]), 'invalid session id');
  });
});

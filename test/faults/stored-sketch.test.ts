/**
 * Item 1: a stored sketch that does not decode (or does not merge) once crashed the host at its
 * first write of that session, and made `serve` answer 500 on /api/v1/tools and crash on every
 * span of that session. Such a file is corrupt: set aside when read, and the session goes on.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DDSketch } from '@datadog/sketches-js';
import { newSketch, type StoredSketch } from '../../src/document/stored-sketch.js';
import type { StoredSessionReport } from '../../src/document/report.js';
import { legacyReport } from '../helpers/legacy-report.js';
import { startFixture } from '../helpers/child.js';
import type { CallSpec } from '../src/server/fixtures.js';
import { reportEntries, storedCounts, writeReportFile } from '../helpers/report-files.js';
import { finishWithin, startServe } from '../helpers/toolperf-process.js';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'toolperf-fault-sketch-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function base64Of(sketch: { toProto(): Uint8Array }): string {
  return Buffer.from(sketch.toProto()).toString('base64');
}

/** Stored by an earlier run: `step` goes on in this run, `idle` is not called again. */
const EARLIER: readonly CallSpec[] = [{ tool: 'step', ms: 4 }, { tool: 'step', ms: 9 }, { tool: 'idle', ms: 2 }, { tool: 'idle', ms: 3 }];

/**
 * Sketches, for a stored tool of 2 calls, that a reader cannot use: as schemaVersion 2 stores them
 * (bins), and as schemaVersion 1 did (protobuf, base64; the report is then written as version 1).
 */
const BAD_SKETCHES: ReadonlyArray<readonly [string, 'step' | 'idle', () => StoredSketch | string]> = [
  ['bins out of order', 'step', () => ({ keys: [40, 12], counts: [1, 1] })],
  ['a key no duration has', 'step', () => ({ keys: [12, 1e9], counts: [1, 1] })],
  ['version 1: empty', 'step', () => ''],
  ['version 1: truncated protobuf', 'step', () => 'AAAA'],
  [
    'version 1: made with another relative accuracy (does not merge)',
    'step',
    () => {
      const other = new DDSketch({ relativeAccuracy: 0.01 });
      other.accept(4);
      other.accept(9);
      return base64Of(other);
    },
  ],
  // Decodes and merges, but its percentiles are NaN: written as null, the next read found the
  // session's report corrupt and set it (and every call in it) aside.
  ['holding no values where the statistics count 2', 'idle', () => ({ keys: [], counts: [] })],
  ['version 1: holding no values where the statistics count 2', 'idle', () => base64Of(newSketch())],
];

function withSketch(tool: string, sketch: StoredSketch | string) {
  return (report: StoredSessionReport): unknown => {
    const stored = typeof sketch === 'string' ? (legacyReport(report) as StoredSessionReport) : report;
    const op = stored.aggregates['tool-execution']!;
    return { ...stored, aggregates: { 'tool-execution': { ...op, tools: { ...op.tools, [tool]: { ...op.tools[tool]!, sketch } } } } };
  };
}

describe('a stored sketch that does not decode', () => {
  it.each(BAD_SKETCHES.flatMap(([label, tool, make]) => (['beforeExit', 'exit'] as const).map((end) => [label, end, tool, make] as const)))(
    '%s, session continued, ended by %s: the host neither crashes nor loses its calls',
    async (_label, end, tool, make) => {
      await writeReportFile(dataDir, 'ses_bad', withSketch(tool, make()), EARLIER);
      const finished = await finishWithin(startFixture('tracked-process.ts', [dataDir, 'ses_bad', '10', end]));
      expect(finished.killed).toBe(false);
      expect(finished.stderr).not.toMatch(/\n\s+at /); // no stack trace: nothing was thrown
      expect(finished.code).toBe(0);
      // The corrupt report is set aside: the session holds this run's calls.
      expect(await storedCounts(dataDir, 'ses_bad')).toEqual({ calls: 20, step: 10, fast: 10 });
      expect((await reportEntries(dataDir)).filter((n) => n.startsWith('ses_bad.json.corrupt-'))).toHaveLength(1);
      const lines = finished.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /corrupt report .*ses_bad\.json \(aggregates\.\*\.tools\.\*\.sketch: (has keys out of order|has a key outside the sketch's range|does not decode|was made with other sketch parameters|holds no values where the statistics count 2)\): moved to /,
      );
    },
  );

  it('serve: /api/v1/tools answers 200, spans of that session are folded, and serve stops cleanly', async () => {
    await writeReportFile(dataDir, 'ses_good', undefined, [{ tool: 'read', ms: 3 }]);
    await writeReportFile(dataDir, 'ses_bad', withSketch('step', { keys: [3, 2], counts: [1, 1] }), EARLIER);
    const serve = await startServe(dataDir);
    try {
      const tools = await fetch(`${serve.url}/api/v1/tools`);
      expect(tools.status).toBe(200);
      const body = (await tools.json()) as { tools: { toolName: string; calls: number }[] };
      expect(body.tools.map((t) => [t.toolName, t.calls])).toEqual([['read', 1]]);

      const start = BigInt(Date.now()) * 1_000_000n;
      const span = {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        name: 'execute_tool step',
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + 7_000_000n),
        attributes: [
          { key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } },
          { key: 'gen_ai.tool.name', value: { stringValue: 'step' } },
          { key: 'session.id', value: { stringValue: 'ses_bad' } },
        ],
      };
      const ingest = await fetch(`${serve.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
      });
      expect(ingest.status).toBe(200);
      const report = await fetch(`${serve.url}/api/v1/sessions/ses_bad/report`);
      expect(report.status).toBe(200);
      expect(await report.json()).toMatchObject({ operations: { 'tool-execution': { count: 1, tools: { step: { count: 1 } } } } });
      expect((await fetch(`${serve.url}/api/v1/tools`)).status).toBe(200);
      expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
    } finally {
      const finished = await serve.stop();
      expect(finished.killed).toBe(false);
      expect(finished.code).toBe(0);
      expect(finished.stderr).not.toMatch(/\n\s+at /);
    }
    expect(await storedCounts(dataDir, 'ses_bad')).toEqual({ calls: 1, step: 1, fast: undefined });
  });
});

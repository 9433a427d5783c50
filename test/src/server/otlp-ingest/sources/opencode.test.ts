import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeOtlpRecords } from '../../../../../src/server/otlp-ingest/decode-records.js';
import { EventLoopTurns } from '../../../../../src/server/otlp-ingest/event-loop-turns.js';
import { opencodeSource } from '../../../../../src/server/otlp-ingest/sources/opencode.js';
import type { MappedCall, OtlpRecord, Take } from '../../../../../src/server/otlp-ingest/sources/source.js';
import { errorKindOfText } from '../../../../../src/util/error-vocabulary.js';
import { attributes, withAttributes } from '../../../../helpers/ingest-attributes.js';

const MIXED = fileURLToPath(new URL('../../../../fixtures/agents/opencode/mixed/', import.meta.url));

interface RecordedPart {
  readonly tool: string;
  readonly callID: string;
  readonly status: string;
  readonly error?: string;
  readonly exit?: number | null;
  readonly time: { readonly start: number; readonly end: number };
}

/** Every span and log record OpenCode sent, decoded as ingest decodes them, in the order sent. */
async function fixtureRecords(): Promise<OtlpRecord[]> {
  const records: OtlpRecord[] = [];
  for (const name of (await readdir(MIXED)).filter((n) => /^\d+-(traces|logs)\.json$/.test(n)).sort()) {
    const body = await readFile(join(MIXED, name));
    const decoded = await decodeOtlpRecords(body, 'json', name.includes('traces') ? 'span' : 'log', 100_000, new EventLoopTurns());
    records.push(...decoded.records);
  }
  return records;
}

function take(records: readonly OtlpRecord[]): { emitted: MappedCall[]; takes: (Take | undefined)[] } {
  const emitted: MappedCall[] = [];
  const context = { storeId: undefined, emit: (mapped: MappedCall) => void emitted.push(mapped), later: () => {} };
  return { emitted, takes: records.map((record) => opencodeSource.take(record, context)) };
}

async function openCodeRecord(): Promise<{ sessionId: string; toolParts: RecordedPart[] }> {
  return JSON.parse(await readFile(join(MIXED, 'opencode-record.json'), 'utf8')) as { sessionId: string; toolParts: RecordedPart[] };
}

describe("OpenCode's Tool.execute spans (fixture: the real opencode 1.18.33)", () => {
  it("map to one call each, matching OpenCode's own record call for call: tool, call ID, outcome, error type", async () => {
    const records = await fixtureRecords();
    const { emitted } = take(records);
    const { sessionId, toolParts } = await openCodeRecord();
    expect(toolParts).toHaveLength(10);
    // What the spans can tell: an error status typed by its text; the `invalid` tool as an unknown tool; exit codes not visible.
    const expected = toolParts.map((part) => ({
      toolName: part.tool,
      callId: part.callID,
      errorType: part.tool === 'invalid' ? 'unknown_tool' : part.status === 'error' ? errorKindOfText(part.error) : undefined,
    }));
    const mapped = emitted.map(({ call }) => ({ toolName: call.toolName, callId: call.callId, errorType: call.errorType }));
    const order = (a: { toolName: string; callId: string | undefined }, b: typeof a) => `${a.toolName}${a.callId}`.localeCompare(`${b.toolName}${b.callId}`);
    expect(mapped.sort(order)).toEqual(expected.sort(order));
    // Pinned, so that the expectation above cannot drift with the vocabulary unnoticed.
    expect(emitted.map(({ call }) => call.errorType).filter(Boolean).sort()).toEqual(['file_not_found', 'invalid_arguments', 'permission_denied', 'permission_denied', 'unknown_tool']);
    for (const { call, matchKey, holdMs } of emitted) {
      expect(call).toMatchObject({ sessionId, operationType: 'tool-execution', agent: { name: 'opencode', version: '1.18.33' } });
      // Logs carry no calls: nothing to match across signals.
      expect(matchKey).toBeUndefined();
      expect(holdMs).toBeUndefined();
    }
  });

  it('times each call by its span, which overlaps the call OpenCode stored under that tool and call ID', async () => {
    const records = await fixtureRecords();
    const spans = records.filter((r) => r.name === 'Tool.execute');
    const { emitted } = take(spans);
    const { toolParts } = await openCodeRecord();
    emitted.forEach(({ call }, i) => {
      const span = spans[i] as OtlpRecord;
      expect(call.startTimeMs).toBe(span.startTimeMs);
      expect(call.durationMs).toBeCloseTo(span.endTimeMs - span.startTimeMs, 0);
      expect(call.traceId).toBe(span.traceId);
      expect(call.spanId).toBe(span.spanId);
      // OpenCode stores a call from the part's `running` state to its settling; the span (argument check, permission,
      // run) overlaps it, or ends a moment before a part that was marked running late (the `invalid` tool: 2 ms).
      const end = call.startTimeMs + call.durationMs + 50;
      const parts = toolParts.filter((p) => p.tool === call.toolName && p.callID === call.callId && p.time.start <= end && p.time.end >= call.startTimeMs);
      expect(parts, `${call.toolName} ${call.callId}`).toHaveLength(1);
    });
  });

  it("claims OpenCode's other spans and its log records as ignored, and leaves other services' records alone", async () => {
    const records = await fixtureRecords();
    const others = records.filter((r) => r.name !== 'Tool.execute');
    expect(others.filter((r) => r.signal === 'log').length).toBeGreaterThan(10);
    expect(others.filter((r) => r.signal === 'span').length).toBeGreaterThan(5);
    const { emitted, takes } = take(others);
    expect(emitted).toEqual([]);
    expect(new Set(takes)).toEqual(new Set(['ignored']));

    const foreign = { ...(others[0] as OtlpRecord), resource: attributes({ 'service.name': 'my-agent' }), scopeName: 'ai' };
    expect(take([foreign]).takes).toEqual([undefined]);
    expect(take([{ ...foreign, signal: 'log' as const }]).takes).toEqual([undefined]);
  });

  it("keeps OpenCode's own class of a failure, from the span's exception event, beside the type", async () => {
    const { emitted } = take(await fixtureRecords());
    const classes = emitted.filter((m) => m.call.errorType !== undefined).map((m) => [m.call.errorType, m.call.errorClass]);
    expect(classes).toEqual(
      expect.arrayContaining([
        ['permission_denied', 'PermissionRejectedError'],
        ['permission_denied', 'PermissionDeniedError'],
        ['invalid_arguments', 'ToolInvalidArgumentsError'],
      ]),
    );
    expect(emitted.filter((m) => m.call.errorType === undefined).every((m) => m.call.errorClass === undefined)).toBe(true);
  });

  it('types a failure whose text says nothing known, or nothing at all, as tool_error', async () => {
    const span = (await fixtureRecords()).find((r) => r.name === 'Tool.execute' && r.statusCode === 2) as OtlpRecord;
    const odd = take([{ ...span, statusMessage: 'Request failed with status code: 502' }]).emitted[0]?.call;
    expect(odd?.errorType).toBe('tool_error');
    expect(take([{ ...span, statusMessage: undefined }]).emitted[0]?.call.errorType).toBe('tool_error');
    expect(take([{ ...span, statusCode: 1, statusMessage: undefined }]).emitted[0]?.call.errorType).toBeUndefined();
    // A span without a session cannot name a report: OpenCode's, so claimed, but no call.
    expect(take([{ ...span, attributes: withAttributes(span.attributes, { 'session.id': undefined }) }])).toEqual({ emitted: [], takes: ['ignored'] });
  });

  it('keeps no error text, argument or output: only names, IDs, times and types', async () => {
    const { emitted } = take(await fixtureRecords());
    const text = JSON.stringify(emitted);
    expect(text).not.toContain('/tmp/');
    expect(text).not.toContain('File not found');
    expect(text).not.toContain('hostname');
  });
});

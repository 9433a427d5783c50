import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../../../src/reports/call-record.js';
import { codexSource, errorKindOf, exitCodeOf } from '../../../../../src/server/otlp-ingest/sources/codex.js';
import { decodeOtlpRecords } from '../../../../../src/server/otlp-ingest/decode-records.js';
import { EventLoopTurns } from '../../../../../src/server/otlp-ingest/event-loop-turns.js';
import type { MappedCall, OtlpRecord, SourceContext } from '../../../../../src/server/otlp-ingest/sources/source.js';
import { attributes, withAttributes } from '../../../../helpers/ingest-attributes.js';

const fixtureDir = fileURLToPath(new URL('../../../../fixtures/agents/codex/mixed/', import.meta.url));
const fixtureFiles = readdirSync(fixtureDir).filter((name) => /^\d+-(logs|traces)\.json$/.test(name)).sort();

/** What Codex's own rollout file says of the captured session (written by the capture script). */
const truth = JSON.parse(readFileSync(join(fixtureDir, 'truth.json'), 'utf8')) as {
  sessionId: string;
  cliVersion: string;
  calls: { toolName: string; callId: string; exitCode?: number; failure?: string }[];
};

/** The fixture's records as OTLP ingest decodes them. */
async function fixtureRecords(signal: 'logs' | 'traces'): Promise<OtlpRecord[]> {
  const records: OtlpRecord[] = [];
  for (const name of fixtureFiles.filter((each) => each.endsWith(`-${signal}.json`))) {
    const decoded = await decodeOtlpRecords(readFileSync(join(fixtureDir, name)), 'json', signal === 'logs' ? 'log' : 'span', 100_000, new EventLoopTurns());
    records.push(...decoded.records);
  }
  return records;
}

const logs = await fixtureRecords('logs');
const spans = await fixtureRecords('traces');

function collect(records: readonly OtlpRecord[]): { calls: CallRecord[]; takes: (string | undefined)[] } {
  const calls: CallRecord[] = [];
  const context: SourceContext = {
    storeId: undefined,
    emit: (mapped: MappedCall) => calls.push(mapped.call),
    later: () => {
      throw new Error('codex never waits for a second record');
    },
  };
  return { calls, takes: records.map((record) => codexSource.take(record, context)) };
}

describe('codex source, on the records Codex 0.171 sent', () => {
  const { calls, takes } = collect(logs);
  const toolResults = logs.filter((record) => record.attributes.get('event.name') === 'codex.tool_result');

  // Codex logs a call when it ends: the parallel calls of one response come in the order they ended.
  const sorted = <T>(list: T[]): T[] => list.map((each) => JSON.stringify(each)).sort().map((each) => JSON.parse(each) as T);

  it('maps each codex.tool_result record to one call, with the tools and call ids of Codex\'s own rollout', () => {
    expect(truth.calls.length).toBe(8);
    expect(toolResults.length).toBe(truth.calls.length);
    expect(sorted(calls.map((call) => [call.toolName, call.callId]))).toEqual(sorted(truth.calls.map((call) => [call.toolName, call.callId])));
    expect(new Set(calls.map((call) => call.sessionId))).toEqual(new Set([truth.sessionId]));
    expect(calls.every((call) => call.operationType === 'tool-execution')).toBe(true);
  });

  it('fails the calls Codex\'s rollout shows failed, with the normalized error type (a non-zero exit is nonzero_exit)', () => {
    const mapped = sorted(calls.map((call) => [call.toolName, call.callId, call.errorType ?? 'ok']));
    expect(mapped).toEqual(sorted(truth.calls.map((call) => [call.toolName, call.callId, call.failure ?? 'ok'])));
    // Spelled out too, so that the test does not lean on the capture's reading of the rollout alone.
    expect(mapped).toEqual(
      sorted([
        ['exec_command', 'call_0', 'ok'],
        ['exec_command', 'call_1', 'ok'],
        ['view_image', 'call_2', 'file_not_found'],
        ['exec_command', 'call_0', 'nonzero_exit'],
        ['exec_command', 'call_0', 'nonzero_exit'],
        ['read_file', 'call_0', 'unknown_tool'],
        ['exec_command', 'call_0', 'invalid_arguments'],
        ['exec_command', 'call_0', 'invalid_arguments'],
      ]),
    );
    expect(calls.every((call) => call.errorClass === undefined)).toBe(true);
  });

  it('ends each call at the record\'s observed time and starts it duration_ms before', () => {
    calls.forEach((call, i) => {
      const record = toolResults[i] as OtlpRecord;
      expect(call.durationMs).toBe(Number(record.attributes.get('duration_ms')));
      expect(Math.abs(call.startTimeMs + call.durationMs - record.endTimeMs)).toBeLessThan(1e-3);
      expect(call.traceId).toBe(record.traceId);
    });
    expect(calls.some((call) => call.durationMs > 10)).toBe(true);
  });

  it('names the agent and the version Codex reports', () => {
    expect(calls.map((call) => call.agent)).toEqual(calls.map(() => ({ name: 'codex', version: truth.cliVersion })));
  });

  it('ignores every other Codex log record and keeps no argument or output', () => {
    expect(takes.filter((take) => take === 'mapped').length).toBe(truth.calls.length);
    expect(takes.filter((take) => take === 'ignored').length).toBe(logs.length - truth.calls.length);
    expect(takes.includes(undefined)).toBe(false);
    const stored = JSON.stringify(calls);
    for (const leak of ['notes.txt', 'missing.png', 'Process exited', 'hello', '{not json']) expect(stored).not.toContain(leak);
  });

  it('ignores Codex\'s spans, the tool-dispatch spans among them', () => {
    expect(spans.some((span) => span.attributes.get('codex.tool.phase') === 'dispatch' && span.attributes.get('call_id') !== undefined)).toBe(true);
    const { calls: fromSpans, takes: spanTakes } = collect(spans);
    expect(fromSpans).toEqual([]);
    expect(spanTakes.every((take) => take === 'ignored')).toBe(true);
  });
});

describe('codex source, records that are not Codex\'s', () => {
  const toolResult = logs.find((record) => record.attributes.get('event.name') === 'codex.tool_result') as OtlpRecord;

  it('leaves other agents\' records and a codex-named service with a foreign scope to the other sources', () => {
    const foreign: OtlpRecord[] = [
      { ...toolResult, scopeName: 'com.anthropic.claude_code.events', attributes: withAttributes(toolResult.attributes, { 'event.name': 'claude_code.tool_result' }) },
      { ...toolResult, signal: 'span', name: 'execute_tool read', scopeName: '@opentelemetry/genai', resource: attributes({ 'service.name': 'codex-helper' }), attributes: attributes({ 'gen_ai.operation.name': 'execute_tool' }) },
      { ...toolResult, signal: 'span', name: 'exec_command', scopeName: 'codex_exec', resource: attributes({ 'service.name': 'my-service' }) },
    ];
    const { calls, takes } = collect(foreign);
    expect(takes).toEqual([undefined, undefined, undefined]);
    expect(calls).toEqual([]);
  });

  it("ignores Codex's own log lines that are no event (the metrics client's, when metrics are on)", () => {
    const flushing: OtlpRecord = { ...toolResult, name: 'flushing OTEL metrics', eventName: '', scopeName: 'codex_otel::metrics::client', attributes: attributes() };
    expect(collect([flushing]).takes).toEqual(['ignored']);
  });

  it('ignores a tool result without a conversation id, and takes the time from event.timestamp when the record has none', () => {
    const { conversationless, timeless } = {
      conversationless: { ...toolResult, attributes: withAttributes(toolResult.attributes, { 'conversation.id': undefined }) },
      timeless: { ...toolResult, startTimeMs: 0, endTimeMs: 0, attributes: withAttributes(toolResult.attributes, { 'event.timestamp': '2026-11-30T06:28:54.055Z', duration_ms: '55' }) },
    };
    const { calls, takes } = collect([conversationless, timeless]);
    expect(takes).toEqual(['ignored', 'mapped']);
    expect(calls[0]?.startTimeMs).toBe(Date.parse('2026-11-30T06:28:54.055Z') - 55);
  });
});

describe('exitCodeOf', () => {
  it('reads the exit code from the header Codex puts before the output, in each of its forms', () => {
    expect(exitCodeOf('Chunk ID: 1\nWall time: 0.0 seconds\nProcess exited with code 3\nOriginal token count: 1\nOutput:\nx\n')).toBe(3);
    expect(exitCodeOf('Chunk ID: 1\nWall time: 0.0 seconds\nProcess exited with code 0\nOutput:\n')).toBe(0);
    expect(exitCodeOf('Exit code: 2\nWall time: 0.1 seconds\nOutput:\nls: cannot access\n')).toBe(2);
    expect(exitCodeOf('{"output":"ls: cannot access\\n","metadata":{"exit_code":2,"duration_seconds":0.1}}')).toBe(2);
  });

  it('finds none in a command still running, in other tools\' output, or in what the command itself printed', () => {
    expect(exitCodeOf('Chunk ID: 1\nWall time: 10.0 seconds\nProcess running with session ID 7\nOutput:\nProcess exited with code 1\n')).toBeUndefined();
    expect(exitCodeOf('Process exited with code 1')).toBeUndefined();
    expect(exitCodeOf('unable to locate image at `x.png`: No such file or directory (os error 2)')).toBeUndefined();
    expect(exitCodeOf(undefined)).toBeUndefined();
  });
});

describe('errorKindOf', () => {
  it('types Codex\'s own messages before the generic texts', () => {
    expect(errorKindOf(false, 'failed to parse function arguments: unknown field `timeout_ms`')).toBe('invalid_arguments');
    expect(errorKindOf(false, 'unsupported custom tool call: apply_diff')).toBe('unknown_tool');
    expect(errorKindOf(false, 'unsupported call: read_file')).toBe('unknown_tool');
  });

  it('falls back on the vocabulary\'s texts, then on tool_error', () => {
    expect(errorKindOf(false, 'unable to locate image at `/p/x.png`: No such file or directory (os error 2)')).toBe('file_not_found');
    expect(errorKindOf(false, 'aborted by user')).toBe('aborted');
    expect(errorKindOf(false, 'something odd happened')).toBe('tool_error');
    expect(errorKindOf(false, undefined)).toBe('tool_error');
  });

  it('counts a success with a non-zero exit as nonzero_exit, and a success without one as a success', () => {
    expect(errorKindOf(true, 'Process exited with code 1\nOutput:\n')).toBe('nonzero_exit');
    expect(errorKindOf(true, 'Process exited with code 0\nOutput:\n')).toBeUndefined();
    expect(errorKindOf(undefined, 'image attached')).toBeUndefined();
  });
});

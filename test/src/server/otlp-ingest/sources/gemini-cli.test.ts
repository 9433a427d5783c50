import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../../../src/reports/call-record.js';
import { CallMatcher } from '../../../../../src/server/otlp-ingest/call-matcher.js';
import { decodeOtlpRecords } from '../../../../../src/server/otlp-ingest/decode-records.js';
import { EventLoopTurns } from '../../../../../src/server/otlp-ingest/event-loop-turns.js';
import { GEMINI_SPAN_HOLD_MS, geminiCliSource } from '../../../../../src/server/otlp-ingest/sources/gemini-cli.js';
import type { MappedCall, OtlpRecord, SourceContext, Take } from '../../../../../src/server/otlp-ingest/sources/source.js';
import { attributes } from '../../../../helpers/ingest-attributes.js';

const fixtures = fileURLToPath(new URL('../../../../fixtures/agents/gemini-cli/', import.meta.url));

interface Truth {
  readonly chat: { readonly sessionId: string; readonly calls: number; readonly failed: number; readonly byTool: Record<string, { calls: number; failed: number }> };
}

/** The scenario's spans and log records, decoded as ingest decodes them, in the order the CLI sent them. */
async function scenario(name: string): Promise<{ spans: OtlpRecord[]; logs: OtlpRecord[]; truth: Truth }> {
  const dir = join(fixtures, name);
  const spans: OtlpRecord[] = [];
  const logs: OtlpRecord[] = [];
  for (const file of readdirSync(dir).sort()) {
    const signal = /-(traces|logs)\.json$/.exec(file)?.[1];
    if (signal === undefined) continue;
    const decoded = await decodeOtlpRecords(readFileSync(join(dir, file)), 'json', signal === 'traces' ? 'span' : 'log', 10_000, new EventLoopTurns());
    (signal === 'traces' ? spans : logs).push(...decoded.records);
  }
  return { spans, logs, truth: JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Truth };
}

/** Runs the source over `records`, collecting what it emits and what it answers per record. */
function take(records: readonly OtlpRecord[], context: Partial<SourceContext> = {}): { emitted: MappedCall[]; takes: (Take | undefined)[] } {
  const emitted: MappedCall[] = [];
  const full: SourceContext = { storeId: undefined, emit: (mapped) => emitted.push(mapped), later: () => {}, ...context };
  return { emitted, takes: records.map((record) => geminiCliSource.take(record, full)) };
}

function isToolCallLog(record: OtlpRecord): boolean {
  return record.attributes.get('event.name') === 'gemini_cli.tool_call';
}

function isToolCallSpan(record: OtlpRecord): boolean {
  return record.attributes.get('gen_ai.operation.name') === 'tool_call';
}

describe('geminiCliSource: gemini_cli.tool_call log records', () => {
  it("map each call as Gemini recorded it: tool, outcome, Gemini's error type and the vocabulary's", async () => {
    const { logs, truth } = await scenario('mixed');
    const { emitted } = take(logs.filter(isToolCallLog));
    expect(emitted.map(({ call }) => [call.toolName, call.errorType ?? 'ok', call.errorClass])).toEqual([
      ['read_file', 'ok', undefined],
      ['read_file', 'file_not_found', 'file_not_found'],
      ['run_shell_command', 'ok', undefined],
      // `exit 3`: a success to Gemini, and its exit code is not sent with logPrompts off.
      ['run_shell_command', 'ok', undefined],
      ['no_such_tool', 'unknown_tool', 'tool_not_registered'],
      ['read_file', 'invalid_arguments', 'invalid_tool_params'],
      ['read_file', 'ok', undefined],
      ['list_directory', 'ok', undefined],
    ]);
    expect(emitted.length).toBe(truth.chat.calls);
    expect(emitted.filter(({ call }) => call.errorType !== undefined).length).toBe(truth.chat.failed);
  });

  it("time a call by Gemini's duration_ms, ending at the record's time; session from session.id; no call ID, no version", async () => {
    const { logs, truth } = await scenario('mixed');
    const records = logs.filter(isToolCallLog);
    const { emitted } = take(records);
    emitted.forEach(({ call }, i) => {
      const record = records[i] as OtlpRecord;
      expect(call.durationMs).toBe(record.attributes.get('duration_ms'));
      expect(call.startTimeMs + call.durationMs).toBe(record.endTimeMs);
      expect(call.sessionId).toBe(truth.chat.sessionId);
      expect(call.operationType).toBe('tool-execution');
      expect(call.callId).toBeUndefined();
      expect(call.traceId).toBe(record.traceId);
      // The record's span is the batch's schedule_tool_calls span, not the call's.
      expect(call.spanId).toBeUndefined();
      expect(call.agent).toEqual({ name: 'gemini-cli' });
    });
    // Gemini's resource says Node's version, which is not the agent's.
    expect(records[0]?.resource.get('service.version')).toMatch(/^v20\./);
    expect(emitted.map(({ call }) => call.durationMs)).toEqual([40, 1, 111, 104, 0, 0, 21, 18]);
  });

  it('are keyed by session and tool, and never held', async () => {
    const { logs, truth } = await scenario('mixed');
    const { emitted } = take(logs.filter(isToolCallLog));
    expect(emitted[0]?.matchKey).toBe(`gemini-cli\0${truth.chat.sessionId}\0read_file`);
    expect(emitted.every((mapped) => mapped.holdMs === undefined)).toBe(true);
  });

  it('with logPrompts on, count a shell command that exits non-zero as nonzero_exit, and keep no argument or message', async () => {
    const { logs } = await scenario('log-prompts');
    const records = logs.filter(isToolCallLog);
    expect(records.map((record) => record.attributes.get('metadata'))).toContainEqual(expect.stringContaining('"exitCode": 3'));
    const { emitted } = take(records);
    expect(emitted.map(({ call }) => [call.toolName, call.errorType, call.errorClass])).toEqual([
      ['run_shell_command', 'nonzero_exit', undefined],
      ['read_file', 'file_not_found', 'file_not_found'],
    ]);
    const kept = JSON.stringify(emitted);
    expect(kept).not.toContain('exit 3');
    expect(kept).not.toContain('missing.txt');
  });

  it('with logPrompts on and fingerprintArguments, hand each call\'s function_args to the fingerprint, and keep them no further', async () => {
    const { logs } = await scenario('log-prompts');
    const records = logs.filter(isToolCallLog);
    const seen: string[] = [];
    const { emitted } = take(records, { fingerprint: (text) => (seen.push(text), `fp${seen.length}`) });
    expect(seen).toEqual(records.map((record) => record.attributes.get('function_args')));
    expect(seen[0]).toContain('"command": "exit 3"');
    expect(emitted.map(({ call }) => call.argumentsFingerprint)).toEqual(['fp1', 'fp2']);
    expect(JSON.stringify(emitted)).not.toContain('exit 3');
    // Without logPrompts Gemini sends no arguments: nothing to fingerprint.
    const { logs: plain } = await scenario('mixed');
    const none: string[] = [];
    take(plain.filter(isToolCallLog), { fingerprint: (text) => (none.push(text), 'fp') });
    expect(none).toEqual([]);
  });
});

describe('geminiCliSource: tool_call spans', () => {
  it('map the calls that ran, with their call IDs, held for their log records', async () => {
    const { spans, truth } = await scenario('mixed');
    const { emitted } = take(spans.filter(isToolCallSpan));
    expect(emitted.map(({ call }) => call.callId)).toEqual([
      'read_file__call_0',
      'read_file__call_0',
      'run_shell_command__run_shell_command_1796020469420_1',
      'run_shell_command__run_shell_command_1796020469418_0',
      'list_directory__list_directory_1796020469627_1',
      'read_file__read_file_1796020469619_0',
    ]);
    for (const { call, holdMs, matchKey } of emitted) {
      expect(holdMs).toBe(GEMINI_SPAN_HOLD_MS);
      expect(matchKey).toBe(`gemini-cli\0${truth.chat.sessionId}\0${call.toolName}`);
      expect(call.sessionId).toBe(truth.chat.sessionId);
      // Status OK even for read_file missing.txt: a span alone cannot tell a failure.
      expect(call.errorType).toBeUndefined();
      expect(call.agent).toEqual({ name: 'gemini-cli' });
    }
    expect(emitted[1]?.call.durationMs).toBeCloseTo(0.40723, 3);
  });

  it('type a span that ended in ERROR (the tool threw) by its message', () => {
    const [span] = take([syntheticSpan({ statusCode: 2, statusMessage: 'EACCES: permission denied' })]).emitted;
    expect(span?.call.errorType).toBe('permission_denied');
  });
});

describe('geminiCliSource: what is not a call', () => {
  it("ignores Gemini's other records and leaves other scopes to other sources", async () => {
    const { spans, logs } = await scenario('mixed');
    const others = [...spans.filter((record) => !isToolCallSpan(record)), ...logs.filter((record) => !isToolCallLog(record))];
    expect(others.length).toBeGreaterThan(10);
    const { emitted, takes } = take(others);
    expect(emitted).toEqual([]);
    expect(new Set(takes)).toEqual(new Set(['ignored']));
    expect(take([syntheticSpan({ scopeName: 'other' })]).takes).toEqual([undefined]);
  });
});

describe('geminiCliSource: failures that the fixtures do not show', () => {
  it.each([
    [{ 'error.type': 'execution_failed', 'error.message': 'EACCES: permission denied, open x' }, 'permission_denied', 'execution_failed'],
    [{ 'error.type': 'execution_failed', 'error.message': 'something odd' }, 'tool_error', 'execution_failed'],
    [{ 'error.type': 'path_not_in_workspace' }, 'permission_denied', 'path_not_in_workspace'],
    [{ 'error.type': 'edit_no_occurrence_found' }, 'invalid_arguments', 'edit_no_occurrence_found'],
    [{ error: 'User cancelled tool execution.' }, 'aborted', undefined],
    [{}, '_OTHER', undefined],
  ])('%j is %s', (attributes, errorType, errorClass) => {
    const [mapped] = take([syntheticLog({ success: false, ...attributes })]).emitted;
    expect([mapped?.call.errorType, mapped?.call.errorClass]).toEqual([errorType, errorClass]);
  });

  it('counts no exit code of 0, and survives metadata that is not JSON', () => {
    expect(take([syntheticLog({ metadata: '{"exitCode": 0}' })]).emitted[0]?.call.errorType).toBeUndefined();
    expect(take([syntheticLog({ metadata: '{"exitCode": 3' })]).emitted[0]?.call.errorType).toBeUndefined();
  });

  it('takes the session from the resource when the record has none, and ignores a tool_call record without a session or a tool name', () => {
    expect(take([syntheticLog({ 'session.id': undefined })]).emitted[0]?.call.sessionId).toBe('s-1');
    expect(take([{ ...syntheticLog({ 'session.id': undefined }), resource: attributes() }]).takes).toEqual(['ignored']);
    expect(take([syntheticLog({ function_name: undefined })]).takes).toEqual(['ignored']);
  });
});

describe('geminiCliSource through the cross-signal matcher', () => {
  /** Folds what the source emits through the matcher; `flush()` runs the hold timers. */
  function ingest(records: readonly OtlpRecord[]): { folded: CallRecord[]; flush: () => void } {
    const folded: CallRecord[] = [];
    const timers: (() => void)[] = [];
    const matcher = new CallMatcher(
      (call) => folded.push(call),
      (_ms, fn) => {
        timers.push(fn);
        return () => timers.splice(timers.indexOf(fn), 1);
      },
    );
    for (const record of records) geminiCliSource.take(record, { storeId: undefined, emit: (mapped) => matcher.offer(mapped, record.signal), later: () => {} });
    return { folded, flush: () => timers.splice(0).forEach((fn) => fn()) };
  }

  function summary(calls: readonly CallRecord[]): { calls: number; failed: number } {
    return { calls: calls.length, failed: calls.filter((call) => call.errorType !== undefined).length };
  }

  it('counts each call once, as Gemini does, when the spans come first (as the CLI sent them here)', async () => {
    const { spans, logs, truth } = await scenario('mixed');
    const { folded, flush } = ingest([...spans, ...logs]);
    expect(summary(folded)).toEqual({ calls: truth.chat.calls, failed: truth.chat.failed });
    flush();
    expect(summary(folded)).toEqual({ calls: truth.chat.calls, failed: truth.chat.failed });
  });

  it('counts each call once when the logs come first', async () => {
    const { spans, logs, truth } = await scenario('mixed');
    const { folded, flush } = ingest([...logs, ...spans]);
    flush();
    expect(summary(folded)).toEqual({ calls: truth.chat.calls, failed: truth.chat.failed });
  });

  it('counts each call once, whichever tool a log or a span of it comes between', async () => {
    const { spans, logs, truth } = await scenario('mixed');
    const callSpans = spans.filter(isToolCallSpan);
    const callLogs = logs.filter(isToolCallLog);
    // Interleaved: span, log, span, log, ... then the rest (two logs have no span).
    const mixed = callLogs.flatMap((log, i) => [callSpans[callSpans.length - 1 - i], log]).filter((each) => each !== undefined);
    const { folded, flush } = ingest(mixed);
    flush();
    expect(summary(folded)).toEqual({ calls: truth.chat.calls, failed: truth.chat.failed });
    const perTool = Object.fromEntries(Object.entries(truth.chat.byTool).map(([tool, each]) => [tool, each.calls]));
    expect(countBy(folded.map((call) => call.toolName))).toEqual(perTool);
  });

  it('with spans alone, counts the calls that ran, after the hold, all as successes', async () => {
    const { spans } = await scenario('mixed');
    const { folded, flush } = ingest(spans);
    expect(folded).toEqual([]);
    flush();
    expect(summary(folded)).toEqual({ calls: 6, failed: 0 });
  });
});

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

const BASE: OtlpRecord = {
  signal: 'log',
  name: '',
  eventName: '',
  attributes: attributes(),
  resource: attributes({ 'service.name': 'gemini-cli', 'session.id': 's-1' }),
  scopeName: 'gemini-cli',
  scopeVersion: undefined,
  startTimeMs: 1_796_000_000_000,
  endTimeMs: 1_796_000_000_000,
  statusCode: 0,
  statusMessage: undefined,
  traceId: undefined,
  spanId: undefined,
  parentSpanId: undefined,
};

function syntheticLog(changes: Record<string, string | number | boolean | undefined>): OtlpRecord {
  return {
    ...BASE,
    attributes: attributes({ 'event.name': 'gemini_cli.tool_call', 'session.id': 's-1', function_name: 'run_shell_command', duration_ms: 5, success: true, ...changes }),
  };
}

function syntheticSpan(fields: Partial<OtlpRecord>): OtlpRecord {
  return {
    ...BASE,
    signal: 'span',
    name: 'tool_call',
    attributes: attributes({ 'gen_ai.operation.name': 'tool_call', 'gen_ai.conversation.id': 's-1', 'gen_ai.tool.name': 'read_file', 'gen_ai.tool.call_id': 'read_file__x' }),
    ...fields,
  };
}

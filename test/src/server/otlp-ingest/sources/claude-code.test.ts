import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { claudeCodeSource, JOIN_WAIT_MS, MCP_NAME_WAIT_MS } from '../../../../../src/server/otlp-ingest/sources/claude-code.js';
import { decodeOtlpRecords } from '../../../../../src/server/otlp-ingest/decode-records.js';
import { EventLoopTurns } from '../../../../../src/server/otlp-ingest/event-loop-turns.js';
import { IngestPipeline } from '../../../../../src/server/otlp-ingest/ingest-pipeline.js';
import type { MappedCall, OtlpRecord, SourceContext } from '../../../../../src/server/otlp-ingest/sources/source.js';
import type { CallRecord } from '../../../../../src/reports/call-record.js';
import type { Reports } from '../../../../../src/reports/reports.js';
import { recordingLogger } from '../../../../helpers/tracking.js';
import { withAttributes } from '../../../../helpers/ingest-attributes.js';

const fixtures = fileURLToPath(new URL('../../../../fixtures/agents/claude-code/', import.meta.url));

interface TruthCall {
  readonly id: string;
  readonly name: string;
  readonly isError: boolean;
  readonly reachedPermission: boolean;
}
interface Truth {
  readonly sessionId: string;
  readonly agent: { readonly version: string };
  readonly calls: readonly TruthCall[];
}

function truthOf(scenario: string): Truth {
  return JSON.parse(readFileSync(join(fixtures, scenario, 'truth.json'), 'utf8')) as Truth;
}

/** The fixture's records of `signal`, decoded by ingest's own decoder, in the order Claude Code sent them. */
async function loadRecords(scenario: string, signal: 'span' | 'log'): Promise<OtlpRecord[]> {
  const dir = join(fixtures, scenario);
  const records: OtlpRecord[] = [];
  for (const file of readdirSync(dir).sort()) {
    const match = /-(traces|logs)\.(json|pb)$/.exec(file);
    if (match === null || (match[1] === 'traces') !== (signal === 'span')) continue;
    const decoded = await decodeOtlpRecords(readFileSync(join(dir, file)), match[2] === 'pb' ? 'protobuf' : 'json', signal, 10_000, new EventLoopTurns());
    records.push(...decoded.records);
  }
  return records;
}

const loaded = {
  'mixed-json': { log: await loadRecords('mixed-json', 'log'), span: await loadRecords('mixed-json', 'span') },
  'mixed-protobuf': { log: await loadRecords('mixed-protobuf', 'log'), span: await loadRecords('mixed-protobuf', 'span') },
};
type Scenario = keyof typeof loaded;
const recordsOf = (scenario: Scenario, signal: 'span' | 'log'): OtlpRecord[] => loaded[scenario][signal];

// ---- A context that records what the source emits and the timers it sets. ----
function fakeContext() {
  const emitted: MappedCall[] = [];
  const timers: { ms: number; fn: () => void }[] = [];
  const context: SourceContext = {
    storeId: undefined,
    emit: (mapped) => void emitted.push(mapped),
    later: (ms, fn) => void timers.push({ ms, fn }),
  };
  return { context, emitted, timers, runTimers: () => timers.splice(0).forEach((timer) => timer.fn()) };
}

function take(records: readonly OtlpRecord[], context: SourceContext) {
  return records.map((record) => claudeCodeSource.take(record, context));
}

/** What a test compares of a call: tool, call id, outcome. */
const outcome = (mapped: MappedCall) => ({ tool: mapped.call.toolName, callId: mapped.call.callId, errorType: mapped.call.errorType, errorClass: mapped.call.errorClass });

/** The calls of the scenario that reached Claude Code's permission check, the way the source should map them. */
const EXPECTED = [
  { tool: 'Read', callId: 'toolu_fake_0_0', errorType: undefined, errorClass: undefined },
  { tool: 'Read', callId: 'toolu_fake_1_0', errorType: 'tool_error', errorClass: 'TelemetrySafeError' },
  { tool: 'Bash', callId: 'toolu_fake_1_1', errorType: undefined, errorClass: undefined },
  { tool: 'Bash', callId: 'toolu_reused', errorType: 'nonzero_exit', errorClass: 'ShellError' },
  { tool: 'Write', callId: 'toolu_fake_5_0', errorType: 'permission_denied', errorClass: undefined },
  { tool: 'Bash', callId: 'toolu_reused', errorType: undefined, errorClass: undefined },
  { tool: 'Read', callId: 'toolu_fake_7_0', errorType: 'invalid_arguments', errorClass: 'Error_EISDIR' },
  { tool: 'mcp__fs__list_directory', callId: 'toolu_fake_8_0', errorType: undefined, errorClass: undefined },
  { tool: 'mcp__fs__read_text_file', callId: 'toolu_fake_9_0', errorType: 'tool_error', errorClass: 'McpToolCallError' },
];
/** The same calls as the logs name them: Claude Code's logs hide third-party MCP tools' names. */
const EXPECTED_FROM_LOGS = EXPECTED.map((call) => (call.tool.startsWith('mcp__') ? { ...call, tool: 'mcp_tool' } : call));

describe.each(['mixed-json', 'mixed-protobuf'] as const)('claudeCodeSource: fixtures from the real Claude Code (%s)', (scenario) => {
  const truth = truthOf(scenario);
  const reached = truth.calls.filter((call) => call.reachedPermission);

  it('the scenario holds calls Claude Code refuses before its permission check (in no signal), and the rest', () => {
    expect(truth.calls.filter((call) => !call.reachedPermission).map((call) => call.name)).toEqual(['NoSuchTool', 'Read']);
    expect(truth.calls).toHaveLength(11);
    expect(reached.map((call) => ({ tool: call.name, callId: call.id, failed: call.isError }))).toEqual(EXPECTED.map((call) => ({ tool: call.tool, callId: call.callId, failed: call.errorType !== undefined })));
  });

  it('logs: one call per tool_result, and one per refused tool_decision, as the transcript has them', () => {
    const { context, emitted, timers } = fakeContext();
    const records = recordsOf(scenario, 'log');
    const took = take(records, context);
    expect(emitted.map(outcome)).toEqual(EXPECTED_FROM_LOGS);
    // An MCP call waits for its span, which names the tool; the others are as good as their spans.
    expect(emitted.map((each) => each.holdMs)).toEqual(EXPECTED.map((call) => (call.tool.startsWith('mcp__') ? MCP_NAME_WAIT_MS : undefined)));
    expect(took.filter((t) => t === 'mapped')).toHaveLength(EXPECTED.length);
    // Every other Claude Code record (prompts, API requests, accepted decisions) is its own and ignored.
    expect(took.filter((t) => t === undefined)).toHaveLength(0);
    expect(timers).toHaveLength(0);
    for (const { call } of emitted) {
      expect(call.sessionId).toBe(truth.sessionId);
      expect(call.operationType).toBe('tool-execution');
      expect(call.agent).toEqual({ name: 'claude-code', version: truth.agent.version });
    }
  });

  it('logs: times from the record (the call end) and duration_ms; a refused call takes no time', () => {
    const { context, emitted } = fakeContext();
    const records = recordsOf(scenario, 'log');
    take(records, context);
    const results = records.filter((record) => record.name === 'claude_code.tool_result');
    expect(results).toHaveLength(EXPECTED.length - 1);
    results.forEach((record, i) => {
      const mapped = emitted.filter((each) => each.call.errorType !== 'permission_denied')[i];
      const durationMs = Number(record.attributes.get('duration_ms'));
      expect(mapped?.call.durationMs).toBe(durationMs);
      expect(mapped?.call.startTimeMs).toBe(record.endTimeMs - durationMs);
    });
    const refused = emitted.find((each) => each.call.errorType === 'permission_denied');
    const decision = records.find((record) => record.attributes.get('decision') === 'reject');
    expect(refused?.call).toMatchObject({ durationMs: 0, startTimeMs: decision?.endTimeMs });
  });

  it('spans: each claude_code.tool span joined with its execution child (or its refused permission)', () => {
    const { context, emitted, timers } = fakeContext();
    const records = recordsOf(scenario, 'span');
    const took = take(records, context);
    expect(emitted.map(outcome)).toEqual(EXPECTED);
    expect(timers).toHaveLength(0);
    // Only the tool spans count as mapped; children, model requests and the interaction are ignored.
    expect(took.filter((t) => t === 'mapped')).toHaveLength(EXPECTED.length);
    expect(took.filter((t) => t === undefined)).toHaveLength(0);
    for (const { call } of emitted) {
      const parent = records.find((record) => record.spanId === call.spanId);
      expect(parent?.name).toBe('claude_code.tool');
      expect(call.sessionId).toBe(truth.sessionId);
      expect(call.agent).toEqual({ name: 'claude-code', version: truth.agent.version });
      if (call.errorType === 'permission_denied') continue;
      // The tool's own run: the execution child, not the parent that includes the permission wait.
      const execution = records.find((record) => record.name === 'claude_code.tool.execution' && record.parentSpanId === call.spanId);
      expect(call.startTimeMs).toBe(execution?.startTimeMs);
      expect(call.durationMs).toBe(execution?.durationMs);
      expect(call.durationMs).toBeLessThan(parent?.durationMs ?? 0);
    }
  });

  it('spans: the same calls when every parent comes before its children (and no timer is left to fire)', () => {
    const { context, emitted, runTimers } = fakeContext();
    const records = recordsOf(scenario, 'span');
    const parentsFirst = [...records.filter((r) => r.name === 'claude_code.tool'), ...records.filter((r) => r.name !== 'claude_code.tool')];
    take(parentsFirst, context);
    // The order they were completed in (the parallel pair may swap); each exactly once.
    expect(emitted.map(outcome)).toEqual(EXPECTED);
    runTimers();
    expect(emitted).toHaveLength(EXPECTED.length);
  });

  it('logs and spans give each call the same match key, in the same order per key', () => {
    const fromLogs = fakeContext();
    take(recordsOf(scenario, 'log'), fromLogs.context);
    const fromSpans = fakeContext();
    take(recordsOf(scenario, 'span'), fromSpans.context);
    const keys = (emitted: MappedCall[]) => emitted.map((each) => each.matchKey);
    expect(keys(fromLogs.emitted)).toEqual(keys(fromSpans.emitted));
    expect(new Set(keys(fromLogs.emitted)).size).toBe(EXPECTED.length - 1); // toolu_reused twice
    expect(fromLogs.emitted[0]?.matchKey).toBe(`claude-code\0${truth.sessionId}\0toolu_fake_0_0`);
    expect(fromSpans.emitted.every((each) => each.holdMs === undefined)).toBe(true);
  });
});

describe('claudeCodeSource in the ingest pipeline (its registered place among the sources)', () => {
  function pipeline() {
    const folded: CallRecord[] = [];
    const reports = { record: (call: CallRecord) => void folded.push(call) } as unknown as Reports;
    const ingest = new IngestPipeline(reports, { logger: recordingLogger(), accepting: () => true });
    const rejections = { add: () => {} };
    return { folded, ingest, take: (records: OtlpRecord[]) => ingest.take(records, rejections) };
  }
  const asCalls = (calls: CallRecord[]) => calls.map((call) => ({ tool: call.toolName, callId: call.callId, errorType: call.errorType, errorClass: call.errorClass }));
  const byCallId = (a: { callId?: string | undefined }, b: { callId?: string | undefined }) => String(a.callId).localeCompare(String(b.callId));

  it.each([
    ['logs, then spans', ['log', 'span']],
    ['spans, then logs', ['span', 'log']],
  ] as const)('logs and spans together: each call once (%s)', (_name, order) => {
    const { folded, ingest, take } = pipeline();
    for (const signal of order) take(recordsOf('mixed-protobuf', signal));
    ingest.flush();
    // Each signal in the order the calls ended: the first copy of each call is folded, in order.
    expect(asCalls(folded)).toEqual(EXPECTED);
    const stats = ingest.stats();
    expect(stats.duplicates).toBe(EXPECTED.length);
    expect(stats.bySource['claude-code']).toBe(2 * EXPECTED.length);
    expect(stats.span.unknown + stats.log.unknown).toBe(0);
  });

  it('logs alone: each call once, the MCP ones (held for a span that never comes) as mcp_tool once ingest flushes', () => {
    const { folded, ingest, take } = pipeline();
    take(recordsOf('mixed-json', 'log'));
    expect(asCalls(folded)).toEqual(EXPECTED_FROM_LOGS.filter((call) => call.tool !== 'mcp_tool'));
    ingest.flush();
    expect(asCalls(folded)).toEqual(EXPECTED_FROM_LOGS);
  });

  it('the requests as Claude Code sent them, logs and traces interleaved: each call once', async () => {
    const { folded, ingest, take } = pipeline();
    const dir = join(fixtures, 'mixed-json');
    for (const file of readdirSync(dir).sort()) {
      const signal = file.endsWith('-traces.json') ? 'span' : file.endsWith('-logs.json') ? 'log' : undefined;
      if (signal === undefined) continue;
      take((await decodeOtlpRecords(readFileSync(join(dir, file)), 'json', signal, 10_000, new EventLoopTurns())).records);
    }
    ingest.flush();
    expect(asCalls(folded).sort(byCallId)).toEqual([...EXPECTED].sort(byCallId));
  });
});

describe('claudeCodeSource: joins and edges', () => {
  const spans = recordsOf('mixed-json', 'span');
  const parentOf = (callId: string, nth = 0) => spans.filter((r) => r.name === 'claude_code.tool' && r.attributes.get('tool_use_id') === callId)[nth] as OtlpRecord;
  const childrenOf = (parent: OtlpRecord) => spans.filter((r) => r.parentSpanId === parent.spanId);

  it('a parent whose execution child never comes is folded after JOIN_WAIT_MS from the parent alone', () => {
    const { context, emitted, timers, runTimers } = fakeContext();
    const parent = parentOf('toolu_fake_0_0');
    expect(claudeCodeSource.take(parent, context)).toBe('mapped');
    expect(emitted).toHaveLength(0);
    expect(timers.map((t) => t.ms)).toEqual([JOIN_WAIT_MS]);
    runTimers();
    expect(emitted.map((each) => each.call)).toEqual([
      expect.objectContaining({ toolName: 'Read', callId: 'toolu_fake_0_0', errorType: undefined, startTimeMs: parent.startTimeMs, durationMs: parent.durationMs }),
    ]);
  });

  it('a refused permission that comes after its parent fails the call at once', () => {
    const { context, emitted } = fakeContext();
    const parent = parentOf('toolu_fake_5_0');
    claudeCodeSource.take(parent, context);
    expect(childrenOf(parent).map((r) => claudeCodeSource.take(r, context))).toEqual(['ignored']);
    expect(emitted.map(outcome)).toEqual([{ tool: 'Write', callId: 'toolu_fake_5_0', errorType: 'permission_denied', errorClass: undefined }]);
  });

  it('an accepted permission alone does not end the wait: the execution child does', () => {
    const { context, emitted } = fakeContext();
    const parent = parentOf('toolu_reused');
    const [permission, execution] = [...childrenOf(parent)].sort((a) => (a.name === 'claude_code.tool.blocked_on_user' ? -1 : 1));
    claudeCodeSource.take(parent, context);
    claudeCodeSource.take(permission as OtlpRecord, context);
    expect(emitted).toHaveLength(0);
    claudeCodeSource.take(execution as OtlpRecord, context);
    expect(emitted.map(outcome)).toEqual([{ tool: 'Bash', callId: 'toolu_reused', errorType: 'nonzero_exit', errorClass: 'ShellError' }]);
  });

  it('an interrupted execution (failed, no error.type) is aborted', () => {
    const { context, emitted } = fakeContext();
    const parent = parentOf('toolu_reused');
    const execution = childrenOf(parent).find((r) => r.name === 'claude_code.tool.execution') as OtlpRecord;
    claudeCodeSource.take({ ...execution, attributes: withAttributes(execution.attributes, { 'error.type': undefined }) }, context);
    claudeCodeSource.take(parent, context);
    expect(emitted.map((each) => each.call.errorType)).toEqual(['aborted']);
  });

  it('joins stay within one ingest pipeline: a child taken in another context does not complete a parent', () => {
    const one = fakeContext();
    const other = fakeContext();
    const parent = parentOf('toolu_fake_0_0');
    for (const child of childrenOf(parent)) claudeCodeSource.take(child, other.context);
    claudeCodeSource.take(parent, one.context);
    expect(one.emitted).toHaveLength(0);
    expect(other.emitted).toHaveLength(0);
  });

  it('records that are not Claude Code tool calls: others are not its, its own others are ignored', () => {
    const { context, emitted } = fakeContext();
    const logs = recordsOf('mixed-json', 'log');
    const apiRequest = logs.find((r) => r.name === 'claude_code.api_request') as OtlpRecord;
    expect(claudeCodeSource.take(apiRequest, context)).toBe('ignored');
    expect(claudeCodeSource.take({ ...apiRequest, name: 'gemini_cli.tool_call' }, context)).toBeUndefined();
    const genaiSpan = { ...parentOf('toolu_fake_0_0'), name: 'execute_tool Read' };
    expect(claudeCodeSource.take(genaiSpan, context)).toBeUndefined();
    // A tool_result without a session cannot name a report.
    const result = logs.find((r) => r.name === 'claude_code.tool_result') as OtlpRecord;
    expect(claudeCodeSource.take({ ...result, attributes: withAttributes(result.attributes, { 'session.id': undefined }) }, context)).toBe('ignored');
    expect(emitted).toHaveLength(0);
  });

  it('keeps no arguments, outputs or prompts: a call holds only the mapped fields', () => {
    const { context, emitted } = fakeContext();
    const result = recordsOf('mixed-json', 'log').find((r) => r.name === 'claude_code.tool_result') as OtlpRecord;
    claudeCodeSource.take({ ...result, attributes: withAttributes(result.attributes, { tool_input: 'secret', tool_parameters: '{"bash_command":"cat ~/.ssh/id_rsa"}', error: 'File /home/me/secret does not exist' }) }, context);
    expect(JSON.stringify(emitted)).not.toMatch(/secret|ssh|\/home/);
    expect(Object.keys(emitted[0]?.call ?? {}).sort()).toEqual(['agent', 'callId', 'durationMs', 'errorClass', 'errorType', 'operationType', 'sessionId', 'spanId', 'startTimeMs', 'toolName', 'traceId']);
  });
});

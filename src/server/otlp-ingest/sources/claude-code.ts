import type { AgentInfo, CallRecord } from '../../../reports/call-record.js';
import { ERROR_KINDS, errorKindOfText } from '../../../util/error-vocabulary.js';
import { flag, numeric, spanTiming, text, TOOL_EXECUTION } from './record-fields.js';
import type { CallSource, MappedCall, OtlpRecord, SourceContext, Take } from './source.js';

// Claude Code's names (2.1.x). Logs: one record per event, the event in the body.
const TOOL_RESULT_LOG = 'claude_code.tool_result';
const TOOL_DECISION_LOG = 'claude_code.tool_decision';
// Traces (CLAUDE_CODE_ENHANCED_TELEMETRY_BETA=1): a tool span with two children.
const TOOL_SPAN = 'claude_code.tool';
const EXECUTION_SPAN = 'claude_code.tool.execution';
const PERMISSION_SPAN = 'claude_code.tool.blocked_on_user';
const PREFIX = 'claude_code.';

const AGENT_NAME = 'claude-code';

/**
 * How long a tool span waits for its `tool.execution` child, which tells the outcome, when the
 * parent comes first (a batch boundary between them); and how long a child is kept for its parent.
 * Claude Code ends the child before the parent, so the child usually comes first or in the same request.
 */
export const JOIN_WAIT_MS = 10_000;
/**
 * How long a log record that names an MCP tool `mcp_tool` (Claude Code's logs hide third-party MCP
 * tools' names; its spans do not) waits for the span of the same call, which names the tool.
 * Without traces the call is folded after this wait, as `mcp_tool`.
 */
export const MCP_NAME_WAIT_MS = 10_000;
const HIDDEN_MCP_NAME = 'mcp_tool';
/** Spans kept waiting for their other half, per ingest pipeline; past it the oldest one gives up. */
export const MAX_WAITING_SPANS = 10_000;

/** What a `claude_code.tool` span says of its call: all but the outcome (its status is always unset). */
interface ToolSpan {
  readonly call: Omit<CallRecord, 'errorType' | 'errorClass'>;
  readonly endTimeMs: number;
}

/** What a `claude_code.tool.execution` span says: the tool's own run and how it ended. */
type Execution = Pick<CallRecord, 'startTimeMs' | 'durationMs' | 'errorType' | 'errorClass'>;

/** What a tool span's children said, kept for the parent (only these fields: nothing else of the records is held). */
interface ChildParts {
  execution?: Execution;
  rejected?: boolean;
  readonly seenMs: number;
}

interface WaitingParent {
  readonly span: ToolSpan;
  readonly seenMs: number;
}

/** The spans waiting for their other half in one ingest pipeline (one `SourceContext`). */
interface Joins {
  readonly parents: Map<string, WaitingParent>;
  readonly children: Map<string, ChildParts>;
}

/**
 * Claude Code's tool calls, from its logs (`claude_code.tool_result`, and `claude_code.tool_decision`
 * when a permission rule or the user refused the call) and from its beta traces (a
 * `claude_code.tool` span joined with its `claude_code.tool.execution` child, which alone says how
 * the call ended, in either arrival order). Both signals key a call by session and `tool_use_id`,
 * so a call sent on both counts once. Session: `session.id`. Times: the tool's own run
 * (`duration_ms` of the log, the execution span), not the permission wait before it.
 *
 * Failures: `ShellError` (Bash's command exited non-zero, or was killed at its timeout) is
 * `nonzero_exit`; a refused permission `permission_denied`; an interrupted execution `aborted`;
 * other classes as their name says (`Error:EISDIR`), else `tool_error` (`TelemetrySafeError`: Claude
 * Code sends no message unless OTEL_LOG_TOOL_DETAILS is on, and none is read here). The class is
 * kept as `errorClass`, spelled as the span's `error_class` (`Error_EISDIR`) on both signals.
 * Calls Claude Code refuses before its permission check (an unknown tool, arguments its schema
 * refuses) are in no signal. Its logs name every third-party MCP tool `mcp_tool`: such a call
 * waits `MCP_NAME_WAIT_MS` for its span, which names the tool as the transcript does.
 */
export const claudeCodeSource: CallSource = {
  id: AGENT_NAME,
  take(record, context) {
    const name = record.name || record.eventName;
    if (!name.startsWith(PREFIX)) return undefined;
    if (record.signal === 'log') return takeLog(name, record, context);
    if (name === TOOL_SPAN) return takeToolSpan(record, context);
    if (name === EXECUTION_SPAN || name === PERMISSION_SPAN) return takeChildSpan(name, record, context);
    return 'ignored';
  },
};

function takeLog(name: string, record: OtlpRecord, context: SourceContext): Take {
  const { attributes } = record;
  const sessionId = text(attributes.get('session.id'));
  const toolName = text(attributes.get('tool_name'));
  if (sessionId === undefined || toolName === undefined) return 'ignored';
  const callId = text(attributes.get('tool_use_id'));
  const base = { sessionId, operationType: TOOL_EXECUTION, toolName, callId, traceId: record.traceId, spanId: undefined, agent: agentOf(record) };
  if (name === TOOL_RESULT_LOG) {
    const durationMs = Math.max(0, numeric(attributes.get('duration_ms')) ?? 0);
    const failed = flag(attributes.get('success')) === false;
    const errorClass = failed ? classOf(text(attributes.get('error_type'))) : undefined;
    // Written when the call ended.
    const call: CallRecord = { ...base, startTimeMs: record.endTimeMs - durationMs, durationMs, errorType: failed ? kindOfClass(errorClass) : undefined, errorClass };
    context.emit(logged(call));
    return 'mapped';
  }
  if (name === TOOL_DECISION_LOG && attributes.get('decision') === 'reject') {
    // A refused call never runs: it ends when refused, and takes no time of the tool's.
    const call: CallRecord = { ...base, startTimeMs: record.endTimeMs, durationMs: 0, errorType: ERROR_KINDS.permissionDenied };
    context.emit(logged(call));
    return 'mapped';
  }
  return 'ignored';
}

/** A call from a log record, held for its span when the log hides the tool's name. */
function logged(call: CallRecord): MappedCall {
  const key = matchKey(call.sessionId, call.callId);
  return call.toolName === HIDDEN_MCP_NAME && key !== undefined ? { call, matchKey: key, holdMs: MCP_NAME_WAIT_MS } : { call, matchKey: key };
}

function takeToolSpan(record: OtlpRecord, context: SourceContext): Take {
  const span = toolSpanOf(record);
  if (span === undefined) return 'ignored';
  const joins = joinsOf(context);
  const key = spanKey(record.traceId, record.spanId as string);
  const parts = joins.children.get(key);
  if (parts?.execution !== undefined || parts?.rejected === true) {
    joins.children.delete(key);
    emitJoined(span, parts, context);
    return 'mapped';
  }
  const waiting: WaitingParent = { span, seenMs: Date.now() };
  joins.parents.set(key, waiting);
  context.later(JOIN_WAIT_MS, () => giveUp(joins, key, waiting, context));
  keepWithin(joins.parents, (oldest, oldestKey) => giveUp(joins, oldestKey, oldest, context));
  return 'mapped';
}

/** A child span: joined with its waiting parent, or kept for it. Not a call of its own. */
function takeChildSpan(name: string, record: OtlpRecord, context: SourceContext): Take {
  if (record.parentSpanId === undefined) return 'ignored';
  const joins = joinsOf(context);
  const key = spanKey(record.traceId, record.parentSpanId);
  const parts = joins.children.get(key) ?? { seenMs: Date.now() };
  if (name === EXECUTION_SPAN) parts.execution = executionOf(record);
  else if (record.attributes.get('decision') === 'reject') parts.rejected = true;
  const parent = joins.parents.get(key);
  if (parent !== undefined && (parts.execution !== undefined || parts.rejected === true)) {
    joins.parents.delete(key);
    joins.children.delete(key);
    emitJoined(parent.span, parts, context);
    return 'ignored';
  }
  joins.children.set(key, parts);
  dropStaleChildren(joins.children);
  return 'ignored';
}

function toolSpanOf(record: OtlpRecord): ToolSpan | undefined {
  const { attributes } = record;
  const sessionId = text(attributes.get('session.id')) ?? text(attributes.get('gen_ai.conversation.id'));
  // As the transcript names it: `tool_name` (`mcp__fs__read_text_file`; `gen_ai.tool.name` drops the server).
  const toolName = text(attributes.get('tool_name')) ?? text(attributes.get('gen_ai.tool.name'));
  if (sessionId === undefined || toolName === undefined || record.spanId === undefined) return undefined;
  const callId = text(attributes.get('tool_use_id')) ?? text(attributes.get('gen_ai.tool.call.id'));
  const call = { sessionId, operationType: TOOL_EXECUTION, toolName, callId, ...spanTiming(record), agent: agentOf(record) };
  return { call, endTimeMs: record.endTimeMs };
}

function executionOf(record: OtlpRecord): Execution {
  const { startTimeMs, durationMs } = spanTiming(record);
  const failed = record.attributes.get('success') === false || record.statusCode === 2;
  if (!failed) return { startTimeMs, durationMs, errorType: undefined, errorClass: undefined };
  const errorClass = classOf(text(record.attributes.get('error_class')));
  // Claude Code leaves `error.type` off an execution that was interrupted or cancelled.
  const errorType = record.attributes.get('error.type') === undefined ? ERROR_KINDS.aborted : kindOfClass(errorClass);
  return { startTimeMs, durationMs, errorType, errorClass };
}

/** The wait is over: the parent alone tells the call (its children, if any came, say what they said). */
function giveUp(joins: Joins, key: string, waiting: WaitingParent, context: SourceContext): void {
  if (joins.parents.get(key) !== waiting) return;
  joins.parents.delete(key);
  const parts = joins.children.get(key) ?? { seenMs: waiting.seenMs };
  joins.children.delete(key);
  emitJoined(waiting.span, parts, context);
}

function emitJoined(span: ToolSpan, parts: ChildParts, context: SourceContext): void {
  let call: CallRecord;
  if (parts.execution !== undefined) call = { ...span.call, ...parts.execution };
  // A refused call never runs: it ends when refused, and takes no time of the tool's.
  else if (parts.rejected === true) call = { ...span.call, startTimeMs: span.endTimeMs, durationMs: 0, errorType: ERROR_KINDS.permissionDenied };
  // Neither child came: nothing says it failed.
  else call = { ...span.call, errorType: undefined };
  context.emit({ call, matchKey: matchKey(call.sessionId, call.callId) });
}

const joinsByContext = new WeakMap<SourceContext, Joins>();

function joinsOf(context: SourceContext): Joins {
  let joins = joinsByContext.get(context);
  if (joins === undefined) joinsByContext.set(context, (joins = { parents: new Map(), children: new Map() }));
  return joins;
}

/** Children whose parent never came (it was lost, or is not Claude Code's): forgotten after the wait. */
function dropStaleChildren(children: Map<string, ChildParts>): void {
  const now = Date.now();
  for (const [key, parts] of children) {
    if (children.size <= MAX_WAITING_SPANS && now - parts.seenMs < JOIN_WAIT_MS) break;
    children.delete(key);
  }
}

function keepWithin(parents: Map<string, WaitingParent>, evict: (oldest: WaitingParent, key: string) => void): void {
  while (parents.size > MAX_WAITING_SPANS) {
    const [key, oldest] = parents.entries().next().value as [string, WaitingParent];
    evict(oldest, key);
  }
}

/** Calls of one session and `tool_use_id` on logs and spans are one; a reused ID pairs in order. */
function matchKey(sessionId: string, callId: string | undefined): string | undefined {
  return callId === undefined ? undefined : `${AGENT_NAME}\0${sessionId}\0${callId}`;
}

function spanKey(traceId: string | undefined, spanId: string): string {
  return `${traceId ?? ''}/${spanId}`;
}

/** Claude Code, at the version its resource names (`service.version`). */
function agentOf(record: OtlpRecord): AgentInfo {
  const version = text(record.resource.get('service.version'));
  return version === undefined ? { name: AGENT_NAME } : { name: AGENT_NAME, version };
}

/** An error class as the spans spell it (`error_class`): the logs' `Error:EISDIR` is `Error_EISDIR`. */
function classOf(value: string | undefined): string | undefined {
  return value?.replace(/[^A-Za-z0-9_]/g, '_');
}

function kindOfClass(errorClass: string | undefined): string {
  if (errorClass === 'ShellError') return ERROR_KINDS.nonzeroExit;
  return errorKindOfText(errorClass?.replace(/_/g, ' ')) ?? ERROR_KINDS.toolError;
}

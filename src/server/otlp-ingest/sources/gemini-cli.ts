import type { AgentInfo } from '../../../reports/call-record.js';
import { ERROR_KINDS, errorKindOfText, type ErrorKind } from '../../../util/error-vocabulary.js';
import type { CallSource, OtlpRecord, SourceContext, Take } from './source.js';
import { argumentsFingerprint, flag, loggedTiming, numeric, spanTiming, text, TOOL_EXECUTION } from './record-fields.js';

/** The logger and tracer name of Gemini CLI's telemetry (its `SERVICE_NAME`). */
const SCOPE = 'gemini-cli';
const TOOL_CALL_EVENT = 'gemini_cli.tool_call';
const TOOL_CALL_OPERATION = 'tool_call';

/**
 * How long a `tool_call` span waits for its log record. Gemini CLI batches logs every second and
 * spans every five, and flushes both at exit; either may come first.
 */
export const GEMINI_SPAN_HOLD_MS = 20_000;

/**
 * Gemini CLI 0.61 sends no version of its own: `service.version` is Node's (`process.version`),
 * the tracer's version is `v1`, the logger has none, and the exporters' user-agent is
 * OpenTelemetry's. So the agent is named without one.
 */
const AGENT: AgentInfo = { name: 'gemini-cli' };

/**
 * Gemini's own error types (`ToolErrorType`, 0.61) that say a kind outright. Others
 * (`execution_failed`, `unknown`, `unhandled_exception`, the tools' `*_execution_error`, ...)
 * say only that the tool failed: their message may tell more, else `tool_error`.
 */
const KIND_OF_GEMINI_TYPE: Readonly<Record<string, ErrorKind>> = {
  file_not_found: ERROR_KINDS.fileNotFound,
  search_path_not_found: ERROR_KINDS.fileNotFound,
  permission_denied: ERROR_KINDS.permissionDenied,
  policy_violation: ERROR_KINDS.permissionDenied,
  path_not_in_workspace: ERROR_KINDS.permissionDenied,
  sandbox_expansion_required: ERROR_KINDS.permissionDenied,
  tool_not_registered: ERROR_KINDS.unknownTool,
  invalid_tool_params: ERROR_KINDS.invalidArguments,
  attempt_to_create_existing_file: ERROR_KINDS.invalidArguments,
  target_is_directory: ERROR_KINDS.invalidArguments,
  path_is_not_a_directory: ERROR_KINDS.invalidArguments,
  search_path_not_a_directory: ERROR_KINDS.invalidArguments,
  edit_no_occurrence_found: ERROR_KINDS.invalidArguments,
  edit_expected_occurrence_mismatch: ERROR_KINDS.invalidArguments,
  edit_no_change: ERROR_KINDS.invalidArguments,
  edit_no_change_llm_judgement: ERROR_KINDS.invalidArguments,
  web_fetch_no_url_in_prompt: ERROR_KINDS.invalidArguments,
  stop_execution: ERROR_KINDS.aborted,
};

/**
 * Gemini CLI (`telemetry.enabled`, OTLP/HTTP). Each tool call comes as a `gemini_cli.tool_call`
 * log record — `session.id`, `function_name`, `duration_ms`, `success`, `error.type`, no call ID —
 * and, when it got as far as running, as a `tool_call` span (`gen_ai.tool.name`,
 * `gen_ai.tool.call_id`) whose status is OK even when the tool failed. The log tells the call; the
 * span is held for it and dropped when it comes, and counts (as a success) only when no log comes.
 * Both are keyed by session and tool name and pair in order: a log without a span (an unknown tool,
 * invalid arguments) leaves a pair that a later span of that tool takes, so each call still counts
 * once. The log's duration is Gemini's own `duration_ms` (scheduling to result, the figure its
 * `/stats` shows), longer than the span's execution time.
 *
 * A shell command's exit code shows only in the log's `metadata` (`{"exitCode": 3}`), which Gemini
 * sends only with `telemetry.logPrompts` on; there, a non-zero exit is a failure (`nonzero_exit`),
 * though Gemini counts it a success.
 */
export const geminiCliSource: CallSource = {
  id: 'gemini-cli',
  take(record, context) {
    if (record.scopeName !== SCOPE) return undefined;
    if (record.signal === 'log') return takeLog(record, context);
    return takeSpan(record, context);
  },
};

function takeLog(record: OtlpRecord, context: SourceContext): Take {
  const { attributes } = record;
  if (attributes.get('event.name') !== TOOL_CALL_EVENT) return 'ignored';
  const sessionId = text(attributes.get('session.id')) ?? text(record.resource.get('session.id'));
  const toolName = text(attributes.get('function_name'));
  if (sessionId === undefined || toolName === undefined) return 'ignored';
  const geminiType = text(attributes.get('error.type')) ?? text(attributes.get('error_type'));
  const exitCode = shellExitCode(attributes.get('metadata'));
  const failed = flag(attributes.get('success')) === false || exitCode !== undefined;
  context.emit({
    call: {
      sessionId,
      operationType: TOOL_EXECUTION,
      toolName,
      callId: undefined,
      ...loggedTiming(record, Math.max(0, numeric(attributes.get('duration_ms')) ?? 0)),
      // The log's span is the batch's `schedule_tool_calls` span, not this call's.
      spanId: undefined,
      errorType: failed ? errorKind(geminiType, text(attributes.get('error.message')) ?? text(attributes.get('error')), exitCode) : undefined,
      errorClass: failed ? geminiType : undefined,
      agent: AGENT,
      // Sent only with Gemini's `logPrompts`: fingerprinted (with `fingerprintArguments`), never kept.
      argumentsFingerprint: argumentsFingerprint(context, attributes, 'function_args'),
    },
    matchKey: matchKey(sessionId, toolName),
  });
  return 'mapped';
}

function takeSpan(record: OtlpRecord, context: SourceContext): Take {
  const { attributes } = record;
  if (attributes.get('gen_ai.operation.name') !== TOOL_CALL_OPERATION) return 'ignored';
  const sessionId = text(attributes.get('gen_ai.conversation.id')) ?? text(record.resource.get('session.id'));
  const toolName = text(attributes.get('gen_ai.tool.name'));
  if (sessionId === undefined || toolName === undefined) return 'ignored';
  // ERROR only when the tool threw; a failure it reports (file not found, ...) still says OK.
  const failed = record.statusCode === 2;
  context.emit({
    call: {
      sessionId,
      operationType: TOOL_EXECUTION,
      toolName,
      callId: text(attributes.get('gen_ai.tool.call_id')),
      ...spanTiming(record),
      errorType: failed ? (errorKindOfText(record.statusMessage) ?? ERROR_KINDS.toolError) : undefined,
      agent: AGENT,
    },
    matchKey: matchKey(sessionId, toolName),
    holdMs: GEMINI_SPAN_HOLD_MS,
  });
  return 'mapped';
}

function matchKey(sessionId: string, toolName: string): string {
  return `gemini-cli\0${sessionId}\0${toolName}`;
}

function errorKind(geminiType: string | undefined, message: string | undefined, exitCode: number | undefined): ErrorKind {
  if (exitCode !== undefined) return ERROR_KINDS.nonzeroExit;
  const declared = geminiType === undefined ? undefined : KIND_OF_GEMINI_TYPE[geminiType];
  if (declared !== undefined) return declared;
  // The message is read for its kind only, never kept: it may hold paths and output.
  const said = errorKindOfText(message);
  if (said !== undefined) return said;
  return geminiType !== undefined || message !== undefined ? ERROR_KINDS.toolError : ERROR_KINDS.other;
}

/** A non-zero `exitCode` in the log's `metadata` (a JSON text Gemini sends only with logPrompts on). */
function shellExitCode(metadata: unknown): number | undefined {
  if (typeof metadata !== 'string' || !metadata.includes('exitCode') || metadata.length > 10_000) return undefined;
  try {
    const { exitCode } = JSON.parse(metadata) as { exitCode?: unknown };
    return typeof exitCode === 'number' && Number.isInteger(exitCode) && exitCode !== 0 ? exitCode : undefined;
  } catch {
    return undefined;
  }
}

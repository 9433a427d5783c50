import type { CallRecord } from '../../../reports/call-record.js';
import { ERROR_KINDS, errorKindOfText, type ErrorKind } from '../../../util/error-vocabulary.js';
import { argumentsFingerprint, flag, loggedTiming, numeric, text, TOOL_EXECUTION } from './record-fields.js';
import type { CallSource, OtlpRecord, SourceContext, Take } from './source.js';

/**
 * OpenAI Codex CLI (`@openai/codex`, tested with 0.171): its `codex.tool_result` log records, one
 * per tool call, written when the call ends. Attributes: `conversation.id` (the session),
 * `tool_name`, `call_id` (numbered per response by some providers: `call_0` again each turn, so
 * never a key), `duration_ms` and `success` as strings, and the call's `arguments` and `output`
 * (always exported; the output read here only to find a failure's kind, the arguments only to
 * fingerprint them with `fingerprintArguments`; both then dropped). The record's
 * `timeUnixNano` is 0: its time is the observed time, the end of the call.
 *
 * Failures: `success: "false"` (a tool Codex does not have, arguments it cannot parse, a tool's
 * own error), typed from Codex's message; and a shell command that ran and exited non-zero, which
 * Codex counts a success but whose exit code heads the output ("Process exited with code 3"):
 * a failure `nonzero_exit` here, as for every agent that shows the exit code.
 *
 * Codex's other records are ignored: its other log events (API requests, SSE events, prompts),
 * and its spans (~1000 a short session: its internals; the tool-dispatch spans among them carry
 * the conversation and call ids but no outcome: status UNSET whatever happened).
 */
export const codexSource: CallSource = {
  id: 'codex',
  take(record: OtlpRecord, context: SourceContext): Take | undefined {
    if (!isCodexRecord(record)) return undefined;
    if (record.signal !== 'log' || eventNameOf(record) !== TOOL_RESULT_EVENT) return 'ignored';
    const call = callOf(record);
    if (call === undefined) return 'ignored';
    context.emit({ call: { ...call, argumentsFingerprint: argumentsFingerprint(context, record.attributes, 'arguments') } });
    return 'mapped';
  },
};

const TOOL_RESULT_EVENT = 'codex.tool_result';
const AGENT_NAME = 'codex';
/** How much of a tool's output is read to find its exit code or error (the header and the first line are short). */
const OUTPUT_HEAD = 1024;

/**
 * Codex's records, told apart cheaply: its log records come from a `codex_otel...` scope (events
 * `codex.*`, and a `flushing OTEL metrics` line when metrics are on), its spans from a `codex_*`
 * service (`codex_exec` for `codex exec`) under a `codex_*` scope.
 */
function isCodexRecord(record: OtlpRecord): boolean {
  if (!record.scopeName.startsWith('codex')) return false;
  if (record.signal === 'log') return record.scopeName.startsWith('codex_otel') || eventNameOf(record).startsWith('codex.');
  const service = record.resource.get('service.name');
  return typeof service === 'string' && /^codex([_-]|$)/.test(service);
}

/** The `event.name` attribute: Codex's OTLP `event_name` is its source line (`event otel/src/tool_result.rs:54`). */
function eventNameOf(record: OtlpRecord): string {
  return text(record.attributes.get('event.name')) ?? record.eventName;
}

function callOf(record: OtlpRecord): CallRecord | undefined {
  const { attributes } = record;
  const sessionId = text(attributes.get('conversation.id'));
  const toolName = text(attributes.get('tool_name'));
  if (sessionId === undefined || toolName === undefined) return undefined;
  const durationMs = Math.max(0, numeric(attributes.get('duration_ms')) ?? 0);
  // The decoder gives a log record without a time its observed time; should both be missing, Codex's own stamp.
  const timing = record.endTimeMs > 0 ? loggedTiming(record, durationMs) : loggedTiming({ ...record, endTimeMs: Date.parse(text(attributes.get('event.timestamp')) ?? '') }, durationMs);
  if (!Number.isFinite(timing.startTimeMs)) return undefined;
  const version = text(record.resource.get('service.version')) ?? text(attributes.get('app.version'));
  return {
    sessionId,
    operationType: TOOL_EXECUTION,
    toolName,
    callId: text(attributes.get('call_id')),
    ...timing,
    errorType: errorKindOf(flag(attributes.get('success')), text(attributes.get('output'))),
    agent: version === undefined ? { name: AGENT_NAME } : { name: AGENT_NAME, version },
  };
}

/** The failure's kind, or undefined for a call that succeeded (a missing `success` counts as one, as Codex writes it on every record). */
export function errorKindOf(success: boolean | undefined, output: string | undefined): ErrorKind | undefined {
  const exitCode = exitCodeOf(output);
  const exitedNonzero = exitCode !== undefined && exitCode !== 0;
  if (success !== false) return exitedNonzero ? ERROR_KINDS.nonzeroExit : undefined;
  const head = output?.slice(0, OUTPUT_HEAD);
  return codexMessageKind(head) ?? errorKindOfText(firstLine(head)) ?? (exitedNonzero ? ERROR_KINDS.nonzeroExit : ERROR_KINDS.toolError);
}

/** Codex's own words for a call it could not make (0.171), before the generic texts: an argument named `timeout_ms` is not a timeout. */
function codexMessageKind(head: string | undefined): ErrorKind | undefined {
  if (head === undefined) return undefined;
  if (/^failed to parse function arguments\b/.test(head)) return ERROR_KINDS.invalidArguments;
  if (/^unsupported (custom tool )?call\b/.test(head)) return ERROR_KINDS.unknownTool;
  return undefined;
}

/**
 * A shell command's exit code as Codex reports it to the model: a header before the `Output:`
 * line — `Process exited with code N` (`exec_command`, `write_stdin`) or `Exit code: N` (the
 * `shell` tool's text form) — or the `shell` tool's JSON form, `"metadata":{"exit_code":N,...}` at
 * its end. Undefined when there is none (a command still running, any other tool).
 */
export function exitCodeOf(output: string | undefined): number | undefined {
  if (output === undefined) return undefined;
  const head = output.slice(0, OUTPUT_HEAD);
  const outputLine = head.search(/(^|\n)Output:\r?\n/);
  if (outputLine >= 0) {
    const match = /^(?:Process exited with code|Exit code:) (-?\d+)\r?$/m.exec(head.slice(0, outputLine + 1));
    if (match !== null) return Number(match[1]);
  }
  if (head.startsWith('{')) {
    const match = /"metadata":\s*\{[^{}]*"exit_code":\s*(-?\d+)/.exec(output.slice(-OUTPUT_HEAD));
    if (match !== null) return Number(match[1]);
  }
  return undefined;
}

function firstLine(value: string | undefined): string | undefined {
  return value?.split('\n', 1)[0];
}

import { cutText, isPlausibleTime, MAX_ERROR_MESSAGE_LENGTH, MAX_ERROR_TYPE_LENGTH, MAX_FINGERPRINT_LENGTH, MAX_ID_LENGTH, MAX_NAME_LENGTH } from '../util/input-limits.js';
import { InvalidSessionIdError, isValidSessionId } from '../util/session-id.js';

/**
 * One finished call, the shape every source meets before it is folded into a report: this
 * package's spans (see `span-to-call.ts`), spans and records from other processes, or a host's own.
 */
export interface CallRecord {
  readonly sessionId: string;
  /** `tool-execution`, or another operation type (`llm-call`, `file-io`, ...). */
  readonly operationType: string;
  /** The tool's name (or the operation's). */
  readonly toolName: string;
  readonly callId: string | undefined;
  /** Epoch milliseconds. */
  readonly startTimeMs: number;
  readonly durationMs: number;
  /** Set when the call failed: the error's type, e.g. `TypeError`, `ENOENT`. */
  readonly errorType: string | undefined;
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  /** The failing call's error class in its source's own words, where the source has one beside `errorType` (e.g. Claude Code's `error_class`). */
  readonly errorClass?: string | undefined;
  /**
   * The failing call's error message (a span's status message), cut to `MAX_ERROR_MESSAGE_LENGTH`.
   * It can hold paths and data: `recordErrorMessages: false` keeps it out of reports.
   */
  readonly errorMessage?: string | undefined;
  /** The agent the call came from, for calls ingested from one (`claude-code`, `codex`, ...). */
  readonly agent?: AgentInfo | undefined;
  /**
   * The keyed fingerprint of the call's arguments (`fingerprintArguments`), never the arguments:
   * equal for equal arguments on one store. What `redundant-calls` and `retry-loop` compare.
   */
  readonly argumentsFingerprint?: string | undefined;
}

/** Which agent (and version, where it says) a session's calls came from. */
export interface AgentInfo {
  readonly name: string;
  readonly version?: string | undefined;
}

/** Why a call was refused: a session ID that cannot name a report, a time out of range, or a malformed call. */
export type CallProblem = 'session-id' | 'time' | 'shape';

/** A call a report can hold (`ok`), or why it is not one. */
export type CallCheck =
  | { readonly ok: true; readonly call: CallRecord }
  | { readonly ok: false; readonly problem: CallProblem; readonly message: string };

/**
 * The one check of every call from outside, whatever carried it (`Reports.record`, a span, OTLP):
 * a valid session ID, non-empty names, start and end within 100 years of `nowMs`
 * (`MAX_TIME_FROM_NOW_MS`), and names, IDs, error types and messages cut to their limits (`input-limits.ts`).
 * Never throws; a refused call comes back with its reason, so a batch can count them.
 */
export function inspectCall(call: CallRecord, nowMs: number = Date.now()): CallCheck {
  if (typeof call !== 'object' || call === null) return refused('shape', 'expected a call object');
  if (!isValidSessionId(call.sessionId)) return refused('session-id', `invalid session id ${JSON.stringify(String(call.sessionId).slice(0, 64))}`);
  if (!isNonEmptyString(call.operationType)) return refused('shape', 'operationType must be a non-empty string');
  if (!isNonEmptyString(call.toolName)) return refused('shape', 'toolName must be a non-empty string');
  // Spelled out rather than a loop over the names: this runs for every folded span.
  if (!isOptionalString(call.callId)) return refused('shape', 'callId must be a string or undefined');
  if (!isOptionalString(call.errorType)) return refused('shape', 'errorType must be a string or undefined');
  if (!isOptionalString(call.traceId)) return refused('shape', 'traceId must be a string or undefined');
  if (!isOptionalString(call.spanId)) return refused('shape', 'spanId must be a string or undefined');
  if (!isOptionalString(call.errorClass)) return refused('shape', 'errorClass must be a string or undefined');
  if (!isOptionalString(call.errorMessage)) return refused('shape', 'errorMessage must be a string or undefined');
  if (!isOptionalString(call.argumentsFingerprint)) return refused('shape', 'argumentsFingerprint must be a string or undefined');
  if (call.agent !== undefined && !isAgent(call.agent)) return refused('shape', 'agent must be { name: non-empty string, version?: string }');
  const { startTimeMs, durationMs } = call;
  if (!isPlausibleTime(startTimeMs, nowMs)) {
    return refused('time', `startTimeMs must be epoch milliseconds within 100 years of now, got ${String(startTimeMs)}`);
  }
  // `!(x >= 0)` also refuses NaN.
  if (typeof durationMs !== 'number' || !(durationMs >= 0) || !isPlausibleTime(startTimeMs + durationMs, nowMs)) {
    return refused('time', `durationMs must be a number of milliseconds ≥ 0 that ends the call within 100 years of now, got ${String(durationMs)}`);
  }
  return { ok: true, call: withinLimits(call) };
}

/**
 * `call` as `inspectCall` leaves it (strings cut); throws `InvalidSessionIdError` for an unsafe
 * session ID and `TypeError`, naming what is wrong, for any other refusal.
 */
export function checkCall(call: CallRecord, nowMs?: number): CallRecord {
  const checked = inspectCall(call, nowMs);
  if (checked.ok) return checked.call;
  if (checked.problem === 'session-id') throw new InvalidSessionIdError(call.sessionId);
  throw new TypeError(`record: ${checked.message}`);
}

function refused(problem: CallProblem, message: string): CallCheck {
  return { ok: false, problem, message };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

/** `call` itself when every string is within its limit (the usual case: no copy), else a copy with them cut. */
function withinLimits(call: CallRecord): CallRecord {
  const { operationType, toolName, callId, errorType, traceId, spanId, errorClass, errorMessage, agent, argumentsFingerprint } = call;
  if (
    (errorClass?.length ?? 0) <= MAX_ERROR_TYPE_LENGTH &&
    (errorMessage?.length ?? 0) <= MAX_ERROR_MESSAGE_LENGTH &&
    (agent === undefined || (agent.name.length <= MAX_NAME_LENGTH && (agent.version?.length ?? 0) <= MAX_NAME_LENGTH)) &&
    operationType.length <= MAX_NAME_LENGTH &&
    toolName.length <= MAX_NAME_LENGTH &&
    (callId?.length ?? 0) <= MAX_ID_LENGTH &&
    (errorType?.length ?? 0) <= MAX_ERROR_TYPE_LENGTH &&
    (traceId?.length ?? 0) <= MAX_ID_LENGTH &&
    (spanId?.length ?? 0) <= MAX_ID_LENGTH &&
    (argumentsFingerprint?.length ?? 0) <= MAX_FINGERPRINT_LENGTH
  ) {
    return call;
  }
  return {
    ...call,
    operationType: cutText(operationType, MAX_NAME_LENGTH),
    toolName: cutText(toolName, MAX_NAME_LENGTH),
    callId: cutText(callId, MAX_ID_LENGTH),
    errorType: cutText(errorType, MAX_ERROR_TYPE_LENGTH),
    traceId: cutText(traceId, MAX_ID_LENGTH),
    spanId: cutText(spanId, MAX_ID_LENGTH),
    ...(errorClass === undefined ? {} : { errorClass: cutText(errorClass, MAX_ERROR_TYPE_LENGTH) }),
    ...(errorMessage === undefined ? {} : { errorMessage: cutText(errorMessage, MAX_ERROR_MESSAGE_LENGTH) }),
    ...(agent === undefined ? {} : { agent: { name: cutText(agent.name, MAX_NAME_LENGTH), version: cutText(agent.version, MAX_NAME_LENGTH) } }),
    ...(argumentsFingerprint === undefined ? {} : { argumentsFingerprint: cutText(argumentsFingerprint, MAX_FINGERPRINT_LENGTH) }),
  };
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}

function isAgent(value: unknown): value is AgentInfo {
  if (typeof value !== 'object' || value === null) return false;
  const { name, version } = value as Record<string, unknown>;
  return isNonEmptyString(name) && isOptionalString(version);
}

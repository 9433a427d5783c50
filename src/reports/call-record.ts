import { assertValidSessionId } from '../util/session-id.js';

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
}

/** The largest time a JavaScript `Date` holds, in epoch milliseconds. */
const MAX_TIME_MS = 8.64e15;

/** `call`, if it is one a report can hold; throws `TypeError` (or `InvalidSessionIdError`) naming what is wrong. */
export function checkCall(call: CallRecord): CallRecord {
  if (typeof call !== 'object' || call === null) throw new TypeError('record: expected a call object');
  assertValidSessionId(call.sessionId);
  if (typeof call.operationType !== 'string' || call.operationType === '') throw new TypeError('record: operationType must be a non-empty string');
  if (typeof call.toolName !== 'string' || call.toolName === '') throw new TypeError('record: toolName must be a non-empty string');
  const { startTimeMs, durationMs } = call;
  if (!Number.isFinite(startTimeMs) || Math.abs(startTimeMs) > MAX_TIME_MS) {
    throw new TypeError(`record: startTimeMs must be epoch milliseconds, got ${String(startTimeMs)}`);
  }
  if (!Number.isFinite(durationMs) || durationMs < 0 || startTimeMs + durationMs > MAX_TIME_MS) {
    throw new TypeError(`record: durationMs must be a finite number of milliseconds ≥ 0, got ${String(durationMs)}`);
  }
  return call;
}

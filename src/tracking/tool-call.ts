import type { Attributes, Span } from '@opentelemetry/api';
import { createCallRecorder, type CallRecorder } from './call-recorder.js';
import { currentSessionId } from './session-context.js';
import type { FailureLog } from '../util/logger.js';
import { isPlausibleTime } from '../util/input-limits.js';
import { assertValidSessionId } from '../util/session-id.js';
import { specFor } from './tool-spec.js';
import type { TrackingRuntime } from './tracking-runtime.js';

/** A call whose start and end the host reports itself (hooks, events), instead of a wrapped function. */
export interface StartCallOptions {
  /** Default: the session set by `withSession`. */
  readonly sessionId?: string;
  readonly callId?: string;
  /** Default `tool-execution`. */
  readonly operationType?: string;
  /** `gen_ai.tool.type`: `function` (default), `extension` or `datastore`. */
  readonly toolType?: string;
  readonly attributes?: Attributes;
  /** The call's input, recorded only with `captureContent`; with `fingerprintArguments`, its fingerprint is. */
  readonly input?: unknown;
  /** When the call started, epoch milliseconds within 100 years of now; default now. */
  readonly startTime?: number;
}

export interface EndCallOptions {
  /** When the call ended, epoch milliseconds within 100 years of now; default now (also for one that is not). */
  readonly endTime?: number;
}

export interface FailCallOptions extends EndCallOptions {
  /** `error.type`; default derived from `error` (its code, else its name, else `_OTHER`). */
  readonly errorType?: string;
}

/** An open call. Only the first `succeed` or `fail` counts; later ones are ignored. Neither throws. */
export interface ToolCall {
  /** Ends the call as a success; `result` is recorded only with `captureContent`. */
  succeed(result?: unknown, options?: EndCallOptions): void;
  /** Ends the call as a failure. */
  fail(error: unknown, options?: FailCallOptions): void;
  readonly ended: boolean;
}

/** What a disabled tracker hands out: nothing to end. */
export const UNTRACKED_CALL: ToolCall = Object.freeze({ succeed() {}, fail() {}, ended: true });

class OpenToolCall implements ToolCall {
  ended = false;

  constructor(
    private readonly recorder: CallRecorder,
    private readonly failures: FailureLog,
    private readonly span: Span,
    private readonly start: number,
    private readonly sessionId: string | undefined,
    /** The host's own start time (epoch ms), when it gave one. */
    private readonly hostStart: number | undefined,
  ) {}

  succeed(result?: unknown, options?: EndCallOptions): void {
    if (this.ended) return;
    const end = this.endAt(options?.endTime);
    this.ended = true;
    this.recorder.end(this.span, this.start, end, this.sessionId, result, false, undefined);
  }

  fail(error: unknown, options?: FailCallOptions): void {
    if (this.ended) return;
    const end = this.endAt(options?.endTime);
    this.ended = true;
    this.recorder.end(this.span, this.start, end, this.sessionId, error, true, options?.errorType);
  }

  /**
   * A host's clocks may disagree by a little: a call never ends before it started. An end time
   * that is not a time (not epoch milliseconds within 100 years of now: nanoseconds, say) ends the
   * call now (logged once): a call is never left open by bad input.
   */
  private endAt(endTime: number | undefined): number {
    if (endTime !== undefined && !isPlausibleTime(endTime, Date.now())) {
      this.failures.fail('end-time', `startCall: endTime must be epoch milliseconds within 100 years of now, got ${String(endTime)}; ending the call now`);
      return performance.now();
    }
    // Both ends from the host: its own difference, exactly.
    if (endTime !== undefined && this.hostStart !== undefined) return this.start + Math.max(0, endTime - this.hostStart);
    return Math.max(this.start, clockAt(endTime));
  }
}

/**
 * Opens a call named `name`. Bad input (an empty name, an invalid session ID, a start time that is
 * not epoch milliseconds) throws; a failure of the telemetry itself is logged and gives an untracked call.
 */
export function startToolCall(name: string, options: StartCallOptions, runtime: TrackingRuntime): ToolCall {
  if (typeof name !== 'string' || name === '') throw new TypeError('startCall: name must be a non-empty string');
  if (options.sessionId !== undefined) assertValidSessionId(options.sessionId);
  assertTime(options.startTime, 'startTime');
  const recorder = createCallRecorder(
    specFor(name, { operationType: options.operationType, toolType: options.toolType, attributes: options.attributes }),
    runtime,
  );
  const sessionId = options.sessionId ?? currentSessionId();
  const start = clockAt(options.startTime);
  const span = recorder.start(start, sessionId, options.callId, 'input' in options, options.input);
  return span === undefined ? UNTRACKED_CALL : new OpenToolCall(recorder, runtime.failures, span, start, sessionId, options.startTime);
}

/**
 * Epoch milliseconds to the `performance.now()` clock the wrapper uses; now when undefined. Taken
 * relative to now rather than to `performance.timeOrigin`: the monotonic clock stops while a
 * machine sleeps and the wall clock does not, so after a sleep the two disagree by its length.
 */
function clockAt(epochMs: number | undefined): number {
  const now = performance.now();
  return epochMs === undefined ? now : now - (Date.now() - epochMs);
}

function assertTime(value: number | undefined, what: string): void {
  if (value !== undefined && !isPlausibleTime(value, Date.now())) {
    throw new TypeError(`startCall: ${what} must be epoch milliseconds within 100 years of now, got ${String(value)}`);
  }
}

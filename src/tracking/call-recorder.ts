import { SpanKind, SpanStatusCode, type Attributes, type Span } from '@opentelemetry/api';
import { errorMessageOf, errorTypeOf } from './error-type.js';
import * as semconv from '../telemetry/semconv.js';
import { cutText, MAX_ERROR_TYPE_LENGTH, MAX_ID_LENGTH } from '../util/input-limits.js';
import type { ToolSpec } from './tool-spec.js';
import type { TrackingRuntime } from './tracking-runtime.js';

/**
 * Records the calls of one tool: opens each call's span, then ends it and records the call's duration.
 * Shared by wrapped tools and by the calls a host ends itself (`startCall`). Times are on the
 * `performance.now()` clock. Nothing here throws: a failure of the telemetry is logged once per streak
 * through `runtime.failures`, and the tool's own result or error is never touched.
 */
export interface CallRecorder {
  readonly spec: ToolSpec;
  /**
   * Opens a call's span at `startTime`; `input` is recorded when `hasInput` and `captureContent` is
   * on, and fingerprinted with `fingerprintArguments`.
   * Undefined when the span could not be started (logged): the call then runs untracked.
   */
  start(startTime: number, sessionId: string | undefined, callId: string | undefined, hasInput: boolean, input: unknown): Span | undefined;
  /** Logs, as `start` does, a call that could not be started for a reason found before it (a host's resolver threw). */
  startFailed(error: unknown): void;
  /**
   * Ends a call's span at `endTime` and records its duration. A failure gets `error.type` (`errorType`,
   * else one derived from `outcome`) and status ERROR; a success's `outcome` is recorded only with
   * `captureContent`.
   */
  end(
    span: Span,
    startTime: number,
    endTime: number,
    sessionId: string | undefined,
    outcome: unknown,
    failed: boolean,
    errorType: string | undefined,
  ): void;
}

/**
 * The recorder of the tool `spec` describes. Built once per wrapped tool (and once per `startCall`),
 * so that a call allocates nothing beyond its span and that span's attributes.
 */
export function createCallRecorder(spec: ToolSpec, runtime: TrackingRuntime): CallRecorder {
  const { tracer, metrics, failures, captureContent, maxContentLength, includeSessionIdInMetrics, fingerprinter } = runtime;
  const startFailed = (error: unknown): void => {
    failures.fail('span', `could not start a span for ${spec.name}; the call runs untracked`, error);
  };
  return {
    spec,
    start(startTime, sessionId, callId, hasInput, input) {
      try {
        // A host's call ID may be anything: cut, as every ID from outside is (util/input-limits.ts).
        // `storeId` read per call: a store that connects first (PostgreSQL) is named once it did.
        const attributes = spanAttributes(spec, sessionId, cutText(callId, MAX_ID_LENGTH), runtime.storeId);
        if (captureContent && hasInput) attributes[semconv.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] = captured(input, maxContentLength);
        // One canonical JSON and one HMAC, with the key made once: the arguments go no further than here.
        if (fingerprinter !== undefined) attributes[semconv.ATTR_TOOLPERF_ARGUMENTS_FINGERPRINT] = fingerprinter.ofValue(hasInput ? input : undefined);
        return tracer.startSpan(spec.spanName, { kind: SpanKind.INTERNAL, startTime, attributes });
      } catch (error) {
        startFailed(error);
        return undefined;
      }
    },
    startFailed,
    end(span, startTime, endTime, sessionId, outcome, failed, errorType) {
      try {
        let type: string | undefined;
        if (failed) {
          type = cutText(errorType ?? errorTypeOf(outcome), MAX_ERROR_TYPE_LENGTH);
          span.setAttribute(semconv.ATTR_ERROR_TYPE, type);
          span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessageOf(outcome) });
        } else if (captureContent) {
          span.setAttribute(semconv.ATTR_GEN_AI_TOOL_CALL_RESULT, captured(outcome, maxContentLength));
        }
        span.end(endTime);
        if (spec.isToolCall) {
          metrics.record((endTime - startTime) / 1000, metricAttributes(spec, includeSessionIdInMetrics ? sessionId : undefined, type));
        }
      } catch (error) {
        failures.fail('span', `could not end the span of ${spec.name}`, error);
      }
    },
  };
}

/**
 * Fixed-shape object literals: spreading a base object and adding dotted keys made V8 switch the
 * object to dictionary mode, which cost 6 µs a call here (measured) against 0.2 µs for these.
 * Undefined values are dropped by the SDK.
 */
function spanAttributes(spec: ToolSpec, sessionId: string | undefined, callId: string | undefined, storeId: string | undefined): Attributes {
  const attributes: Attributes = spec.isToolCall
    ? {
        [semconv.ATTR_GEN_AI_OPERATION_NAME]: semconv.GEN_AI_OPERATION_EXECUTE_TOOL,
        [semconv.ATTR_GEN_AI_TOOL_NAME]: spec.name,
        [semconv.ATTR_GEN_AI_TOOL_TYPE]: spec.toolType,
        [semconv.ATTR_GEN_AI_TOOL_CALL_ID]: callId,
        [semconv.ATTR_SESSION_ID]: sessionId,
        [semconv.ATTR_GEN_AI_CONVERSATION_ID]: sessionId,
        [semconv.ATTR_TOOLPERF_STORE_ID]: storeId,
      }
    : {
        [semconv.ATTR_TOOLPERF_OPERATION_TYPE]: spec.operationType,
        [semconv.ATTR_TOOLPERF_OPERATION_NAME]: spec.name,
        [semconv.ATTR_SESSION_ID]: sessionId,
        [semconv.ATTR_GEN_AI_CONVERSATION_ID]: sessionId,
        [semconv.ATTR_TOOLPERF_STORE_ID]: storeId,
      };
  if (spec.extraAttributes !== undefined) Object.assign(attributes, spec.extraAttributes);
  return attributes;
}

/** `session` is the session label, undefined when metrics carry none. Fixed-shape literals, as above. */
function metricAttributes(spec: ToolSpec, session: string | undefined, errorType: string | undefined): Attributes {
  if (session === undefined && errorType === undefined) return spec.metricAttributes;
  const name = spec.name;
  const op = semconv.GEN_AI_OPERATION_EXECUTE_TOOL;
  if (errorType === undefined) {
    return {
      [semconv.ATTR_GEN_AI_OPERATION_NAME]: op,
      [semconv.ATTR_GEN_AI_TOOL_NAME]: name,
      [semconv.ATTR_TOOLPERF_STATUS]: semconv.STATUS_OK,
      [semconv.ATTR_SESSION_ID]: session,
    };
  }
  if (session === undefined) {
    return {
      [semconv.ATTR_GEN_AI_OPERATION_NAME]: op,
      [semconv.ATTR_GEN_AI_TOOL_NAME]: name,
      [semconv.ATTR_TOOLPERF_STATUS]: semconv.STATUS_ERROR,
      [semconv.ATTR_ERROR_TYPE]: errorType,
    };
  }
  return {
    [semconv.ATTR_GEN_AI_OPERATION_NAME]: op,
    [semconv.ATTR_GEN_AI_TOOL_NAME]: name,
    [semconv.ATTR_TOOLPERF_STATUS]: semconv.STATUS_ERROR,
    [semconv.ATTR_ERROR_TYPE]: errorType,
    [semconv.ATTR_SESSION_ID]: session,
  };
}

/** Opt-in capture of arguments and results, cut to `max` characters. */
function captured(value: unknown, max: number): string {
  let text: string;
  try {
    text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = '[unserializable]';
  }
  return text.length > max ? `${text.slice(0, max)}…[${text.length - max} more]` : text;
}

import type { AttributeValue, HrTime, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { CallRecord } from './call-record.js';
import * as semconv from '../telemetry/semconv.js';

/** `SpanStatusCode.ERROR`, without loading @opentelemetry/api at run time (see session-report-exporter.ts). */
const STATUS_ERROR = 2 satisfies SpanStatusCode.ERROR;

/**
 * The call a span records, or undefined for a span that is not a tracked operation or has no
 * session. Understands this package's spans, GenAI `execute_tool` spans from other SDKs, and
 * OpenCode's native `Tool.execute` spans (`tool.name`, `tool.call_id`, `session.id`).
 */
export function callFromSpan(span: ReadableSpan): CallRecord | undefined {
  const attributes = span.attributes;
  const sessionId = sessionIdOf(attributes);
  if (sessionId === undefined) return undefined;
  const operationType = operationTypeOf(attributes);
  if (operationType === undefined) return undefined;

  const declaredError = text(attributes[semconv.ATTR_ERROR_TYPE]);
  const failed = declaredError !== undefined || span.status.code === STATUS_ERROR;
  const { traceId, spanId } = span.spanContext();
  return {
    sessionId,
    operationType,
    toolName: toolNameOf(span.name, attributes),
    callId: callIdOf(attributes),
    startTimeMs: hrTimeToMilliseconds(span.startTime),
    durationMs: hrTimeToMilliseconds(span.duration),
    errorType: failed ? (declaredError ?? semconv.ERROR_TYPE_OTHER) : undefined,
    // The tracker puts the thrown error's message in the status of a failed call's span only.
    errorMessage: failed ? span.status.message || undefined : undefined,
    // An empty ID (OTLP leaves a malformed one empty) is no ID.
    traceId: traceId || undefined,
    spanId: spanId || undefined,
    argumentsFingerprint: text(attributes[semconv.ATTR_TOOLPERF_ARGUMENTS_FINGERPRINT]),
  };
}

/** The tool a span (started or ended) is a call of. */
export function toolNameOf(spanName: string, attributes: ReadableSpan['attributes']): string {
  return (
    text(attributes[semconv.ATTR_GEN_AI_TOOL_NAME]) ??
    text(attributes[semconv.ATTR_OPENCODE_TOOL_NAME]) ??
    text(attributes[semconv.ATTR_TOOLPERF_OPERATION_NAME]) ??
    spanName
  );
}

export function callIdOf(attributes: ReadableSpan['attributes']): string | undefined {
  return text(attributes[semconv.ATTR_GEN_AI_TOOL_CALL_ID]) ?? text(attributes[semconv.ATTR_OPENCODE_TOOL_CALL_ID]);
}

/** The session a span's call belongs to, if it names one. */
export function sessionIdOf(attributes: ReadableSpan['attributes']): string | undefined {
  return text(attributes[semconv.ATTR_SESSION_ID]) ?? text(attributes[semconv.ATTR_GEN_AI_CONVERSATION_ID]);
}

/** The operation type of a span that is a tracked call, else undefined. */
export function operationTypeOf(attributes: ReadableSpan['attributes']): string | undefined {
  const declared = text(attributes[semconv.ATTR_TOOLPERF_OPERATION_TYPE]);
  if (declared !== undefined) return declared;
  if (attributes[semconv.ATTR_GEN_AI_OPERATION_NAME] === semconv.GEN_AI_OPERATION_EXECUTE_TOOL) return semconv.OPERATION_TOOL_EXECUTION;
  if (text(attributes[semconv.ATTR_OPENCODE_TOOL_NAME]) !== undefined) return semconv.OPERATION_TOOL_EXECUTION;
  return undefined;
}

function text(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `hrTimeToMilliseconds` of @opentelemetry/core, whose module the reports do not load. */
export function hrTimeToMilliseconds([seconds, nanos]: HrTime): number {
  return seconds * 1e3 + nanos / 1e6;
}

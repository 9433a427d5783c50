/**
 * Every attribute, span and metric name this package writes or reads, in one place.
 *
 * Checked against the OpenTelemetry GenAI semantic conventions ("execute_tool" spans) and the
 * session conventions (`session.id`). The GenAI conventions define no tool-duration metric yet, so
 * the histogram name follows their `gen_ai.<operation>.duration` pattern.
 */

export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_TOOL_NAME = 'gen_ai.tool.name';
export const ATTR_GEN_AI_TOOL_TYPE = 'gen_ai.tool.type';
export const ATTR_GEN_AI_TOOL_CALL_ID = 'gen_ai.tool.call.id';
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = 'gen_ai.tool.call.arguments';
export const ATTR_GEN_AI_TOOL_CALL_RESULT = 'gen_ai.tool.call.result';
export const ATTR_GEN_AI_CONVERSATION_ID = 'gen_ai.conversation.id';
export const ATTR_SESSION_ID = 'session.id';
export const ATTR_ERROR_TYPE = 'error.type';

/** `gen_ai.operation.name` value for a tool call. */
export const GEN_AI_OPERATION_EXECUTE_TOOL = 'execute_tool';
/** `error.type` when the thrown value carries no usable type. */
export const ERROR_TYPE_OTHER = '_OTHER';

/** Our own: the operation type of a non-tool operation (`llm-call`, `file-io`, ...). */
export const ATTR_TOOLPERF_OPERATION_TYPE = 'toolperf.operation.type';
/** Our own: the name of a non-tool operation (tools use `gen_ai.tool.name`). */
export const ATTR_TOOLPERF_OPERATION_NAME = 'toolperf.operation.name';
/**
 * Our own: the store (`ReportStore.identity`) the tracker that made the span already folded it
 * into; a report server on that same store does not fold it again.
 */
export const ATTR_TOOLPERF_STORE_ID = 'toolperf.store.id';
/**
 * Our own: the keyed fingerprint of the call's arguments (`fingerprintArguments`): equal for equal
 * arguments under one store's secret, never the arguments themselves.
 */
export const ATTR_TOOLPERF_ARGUMENTS_FINGERPRINT = 'toolperf.tool.call.arguments.fingerprint';

/** OpenCode's native tool spans (`Tool.execute`). */
export const ATTR_OPENCODE_TOOL_NAME = 'tool.name';
export const ATTR_OPENCODE_TOOL_CALL_ID = 'tool.call_id';

/** The operation type of tool calls in reports. */
export const OPERATION_TOOL_EXECUTION = 'tool-execution';

/** In Prometheus: `gen_ai_execute_tool_duration_seconds_{bucket,sum,count}` (the unit becomes a suffix). */
export const METRIC_TOOL_DURATION = 'gen_ai.execute_tool.duration';
/** Seconds, as the conventions ask for durations. */
export const METRIC_TOOL_DURATION_UNIT = 's';
/** Our own: calls by tool and status. In Prometheus: `toolperf_tool_calls_total`. */
export const METRIC_TOOL_CALLS = 'toolperf.tool.calls';
export const METRIC_TOOL_CALLS_UNIT = '{call}';
/** Our own metric attribute: `ok` or `error`, so a query need not test for an absent `error.type`. */
export const ATTR_TOOLPERF_STATUS = 'toolperf.status';
export const STATUS_OK = 'ok';
export const STATUS_ERROR = 'error';
/** From 5 ms to 5 min: tool calls range from a file read to a long shell command. */
export const METRIC_TOOL_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
];

export const INSTRUMENTATION_SCOPE = 'toolperf';

import type { Attributes } from '@opentelemetry/api';
import * as semconv from '../src/telemetry/semconv.js';

/** The attributes this package's wrapper puts on a tool call's span, for spans the benchmarks make themselves. */
export function toolSpanAttributes(toolName: string, sessionId: string, callId: string): Attributes {
  return {
    [semconv.ATTR_GEN_AI_OPERATION_NAME]: semconv.GEN_AI_OPERATION_EXECUTE_TOOL,
    [semconv.ATTR_GEN_AI_TOOL_NAME]: toolName,
    [semconv.ATTR_GEN_AI_TOOL_TYPE]: 'function',
    [semconv.ATTR_SESSION_ID]: sessionId,
    [semconv.ATTR_GEN_AI_CONVERSATION_ID]: sessionId,
    [semconv.ATTR_GEN_AI_TOOL_CALL_ID]: callId,
  };
}

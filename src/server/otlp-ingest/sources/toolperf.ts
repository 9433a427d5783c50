import * as semconv from '../../../telemetry/semconv.js';
import type { CallSource } from './source.js';
import { agentOfResource, argumentsFingerprint, spanTiming, text } from './record-fields.js';

/**
 * This package's own spans (from `wrapTool`, `startCall` and the integrations) exported over OTLP:
 * its instrumentation scope, or a `toolperf.operation.type`. Tool calls are GenAI `execute_tool`
 * spans; other operations say their type. A span whose `toolperf.store.id` names the store these
 * reports write was folded by its own tracker already, and is ignored.
 */
export const toolperfSource: CallSource = {
  id: 'toolperf',
  take(record, context) {
    if (record.signal !== 'span') return undefined;
    const { attributes } = record;
    const declaredType = text(attributes.get(semconv.ATTR_TOOLPERF_OPERATION_TYPE));
    const storeId = attributes.get(semconv.ATTR_TOOLPERF_STORE_ID);
    if (declaredType === undefined && storeId === undefined && record.scopeName !== semconv.INSTRUMENTATION_SCOPE) return undefined;
    if (context.storeId !== undefined && storeId === context.storeId) return 'ignored';
    const operationType =
      declaredType ?? (attributes.get(semconv.ATTR_GEN_AI_OPERATION_NAME) === semconv.GEN_AI_OPERATION_EXECUTE_TOOL ? semconv.OPERATION_TOOL_EXECUTION : undefined);
    const sessionId = text(attributes.get(semconv.ATTR_SESSION_ID)) ?? text(attributes.get(semconv.ATTR_GEN_AI_CONVERSATION_ID));
    if (operationType === undefined || sessionId === undefined) return 'ignored';
    const declaredError = text(attributes.get(semconv.ATTR_ERROR_TYPE));
    const failed = declaredError !== undefined || record.statusCode === 2;
    context.emit({
      call: {
        sessionId,
        operationType,
        toolName: text(attributes.get(semconv.ATTR_GEN_AI_TOOL_NAME)) ?? text(attributes.get(semconv.ATTR_TOOLPERF_OPERATION_NAME)) ?? record.name,
        callId: text(attributes.get(semconv.ATTR_GEN_AI_TOOL_CALL_ID)),
        ...spanTiming(record),
        errorType: failed ? (declaredError ?? semconv.ERROR_TYPE_OTHER) : undefined,
        errorMessage: failed ? record.statusMessage : undefined,
        agent: agentOfResource(record),
        // Its tracker's own fingerprint, else (with `captureContent` there) one made here.
        argumentsFingerprint: text(attributes.get(semconv.ATTR_TOOLPERF_ARGUMENTS_FINGERPRINT)) ?? argumentsFingerprint(context, attributes, semconv.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS),
      },
    });
    return 'mapped';
  },
};

import * as semconv from '../../../telemetry/semconv.js';
import { ERROR_KINDS, errorKindOfText } from '../../../util/error-vocabulary.js';
import type { CallSource } from './source.js';
import { agentOfResource, argumentsFingerprint, spanTiming, text } from './record-fields.js';

/**
 * GenAI `execute_tool` spans from any other SDK or agent that follows the OpenTelemetry GenAI
 * conventions (asked after the agents' own sources, whose spans may look the same): a session from
 * `session.id` or `gen_ai.conversation.id`, the tool from `gen_ai.tool.name`, the call from
 * `gen_ai.tool.call.id`. A failure's type is its `error.type` when that is one of the vocabulary's,
 * else what the status message says, with the span's own `error.type` kept as the class.
 */
export const genaiSource: CallSource = {
  id: 'genai',
  take(record, context) {
    if (record.signal !== 'span') return undefined;
    const { attributes } = record;
    if (attributes.get(semconv.ATTR_GEN_AI_OPERATION_NAME) !== semconv.GEN_AI_OPERATION_EXECUTE_TOOL) return undefined;
    const sessionId = text(attributes.get(semconv.ATTR_SESSION_ID)) ?? text(attributes.get(semconv.ATTR_GEN_AI_CONVERSATION_ID));
    if (sessionId === undefined) return 'ignored';
    const declaredError = text(attributes.get(semconv.ATTR_ERROR_TYPE));
    const failed = declaredError !== undefined || record.statusCode === 2;
    context.emit({
      call: {
        sessionId,
        operationType: semconv.OPERATION_TOOL_EXECUTION,
        toolName: text(attributes.get(semconv.ATTR_GEN_AI_TOOL_NAME)) ?? record.name,
        callId: text(attributes.get(semconv.ATTR_GEN_AI_TOOL_CALL_ID)),
        ...spanTiming(record),
        errorType: failed ? (errorKindOfText(declaredError) ?? errorKindOfText(record.statusMessage) ?? declaredError ?? ERROR_KINDS.other) : undefined,
        errorClass: failed ? declaredError : undefined,
        errorMessage: failed ? record.statusMessage : undefined,
        agent: agentOfResource(record),
        argumentsFingerprint: argumentsFingerprint(context, attributes, semconv.ATTR_GEN_AI_TOOL_CALL_ARGUMENTS),
      },
    });
    return 'mapped';
  },
};

import { ERROR_KINDS, errorKindOfText } from '../../../util/error-vocabulary.js';
import type { CallSource } from './source.js';
import { agentOfResource, argumentsFingerprint, spanTiming, text, TOOL_EXECUTION } from './record-fields.js';

/** Where AI SDK users put a session in `experimental_telemetry.metadata`, in the spellings seen. */
const SESSION_ATTRIBUTES = ['ai.telemetry.metadata.sessionId', 'ai.telemetry.metadata.session.id', 'ai.telemetry.metadata.session_id', 'session.id', 'gen_ai.conversation.id'];

/**
 * The AI SDK's `ai.toolCall` spans (`generateText`/`streamText` with `experimental_telemetry`):
 * `ai.toolCall.name` and `ai.toolCall.id`; the session from the telemetry metadata
 * (`metadata: { sessionId }`); a failure is an ERROR status whose message is the error's. The
 * result (`ai.toolCall.result`) is never read; the arguments (`ai.toolCall.args`) only to be
 * fingerprinted with `fingerprintArguments`.
 */
export const aiSdkSource: CallSource = {
  id: 'ai-sdk',
  take(record, context) {
    if (record.signal !== 'span' || record.attributes.get('ai.operationId') !== 'ai.toolCall') return undefined;
    const { attributes } = record;
    let sessionId: string | undefined;
    for (const key of SESSION_ATTRIBUTES) if ((sessionId = text(attributes.get(key))) !== undefined) break;
    const toolName = text(attributes.get('ai.toolCall.name'));
    if (sessionId === undefined || toolName === undefined) return 'ignored';
    const failed = record.statusCode === 2;
    context.emit({
      call: {
        sessionId,
        operationType: TOOL_EXECUTION,
        toolName,
        callId: text(attributes.get('ai.toolCall.id')),
        ...spanTiming(record),
        errorType: failed ? (errorKindOfText(record.statusMessage) ?? ERROR_KINDS.toolError) : undefined,
        errorClass: failed ? record.exceptionType : undefined,
        errorMessage: failed ? record.statusMessage : undefined,
        agent: agentOfResource(record),
        argumentsFingerprint: argumentsFingerprint(context, attributes, 'ai.toolCall.args'),
      },
    });
    return 'mapped';
  },
};

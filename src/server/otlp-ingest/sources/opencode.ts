import { ERROR_KINDS, errorKindOfText } from '../../../util/error-vocabulary.js';
import type { CallSource } from './source.js';
import { agentOfResource, spanTiming, text, TOOL_EXECUTION } from './record-fields.js';

/**
 * OpenCode's native `Tool.execute` spans (`OTEL_EXPORTER_OTLP_ENDPOINT` turns them on): `tool.name`,
 * `tool.call_id`, `session.id`; a failure is an ERROR status with OpenCode's message, typed by the
 * vocabulary.
 */
export const opencodeSource: CallSource = {
  id: 'opencode',
  take(record, context) {
    if (record.signal !== 'span') return undefined;
    const { attributes } = record;
    const toolName = text(attributes['tool.name']);
    if (toolName === undefined) return undefined;
    const sessionId = text(attributes['session.id']);
    if (sessionId === undefined) return 'ignored';
    const failed = record.statusCode === 2;
    context.emit({
      call: {
        sessionId,
        operationType: TOOL_EXECUTION,
        toolName,
        callId: text(attributes['tool.call_id']),
        ...spanTiming(record),
        errorType: failed ? (errorKindOfText(record.statusMessage) ?? ERROR_KINDS.toolError) : undefined,
        agent: agentOfResource(record) ?? { name: 'opencode' },
      },
    });
    return 'mapped';
  },
};

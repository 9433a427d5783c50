import { ERROR_KINDS, errorKindOfText, type ErrorKind } from '../../../util/error-vocabulary.js';
import type { CallSource, OtlpRecord } from './source.js';
import { agentOfResource, spanTiming, text, TOOL_EXECUTION } from './record-fields.js';

/** The tool OpenCode runs in place of one the model asked for and it does not have. */
const INVALID_TOOL = 'invalid';

/**
 * OpenCode's native telemetry (`OTEL_EXPORTER_OTLP_ENDPOINT` alone turns it on; OTLP/HTTP JSON
 * traces and logs, no metrics), as OpenCode 1.18 sends it:
 * - a `Tool.execute` span per call: `tool.name`, `tool.call_id` (the provider's: `call_0` in every
 *   response for some), `session.id`, `message.id`; a failure is an ERROR status whose message is
 *   OpenCode's bare error text ("File not found: …", "The user rejected permission…"), typed here by
 *   the vocabulary. No `error.type`; the error's class is only in the exception event, which ingest
 *   does not decode.
 * - an unknown tool runs as OpenCode's `invalid` tool, status OK: a failure (`unknown_tool`) of
 *   `invalid`, the name the model asked for not being on the span.
 * - a shell command's exit code, timeout and abort are not on the span (status OK): successes here.
 * - its log records are OpenCode's debug log lines, no calls: ignored, as are its other spans
 *   (`sql.execute`, `Session.*`, `ReadTool.execute`, …), so one call arrives on one signal only.
 */
export const opencodeSource: CallSource = {
  id: 'opencode',
  take(record, context) {
    if (record.signal !== 'span') return isOpenCodes(record) ? 'ignored' : undefined;
    const { attributes } = record;
    // By the attribute rather than the span's name (`Tool.execute`): OpenCode's tool spans are the ones that have it.
    const toolName = text(attributes.get('tool.name'));
    if (toolName === undefined) return isOpenCodes(record) ? 'ignored' : undefined;
    const sessionId = text(attributes.get('session.id'));
    if (sessionId === undefined) return 'ignored';
    context.emit({
      call: {
        sessionId,
        operationType: TOOL_EXECUTION,
        toolName,
        callId: text(attributes.get('tool.call_id')),
        ...spanTiming(record),
        errorType: errorTypeOf(toolName, record),
        // OpenCode's own class (`PermissionRejectedError`, ...) is only in the span's exception event.
        errorClass: record.statusCode === 2 ? record.exceptionType : undefined,
        agent: agentOfResource(record) ?? { name: 'opencode' },
      },
    });
    return 'mapped';
  },
};

function errorTypeOf(toolName: string, record: OtlpRecord): ErrorKind | undefined {
  if (toolName === INVALID_TOOL) return ERROR_KINDS.unknownTool;
  if (record.statusCode !== 2) return undefined;
  // A failure OpenCode's text does not say more of is still the tool's own.
  return errorKindOfText(record.statusMessage) ?? ERROR_KINDS.toolError;
}

/** A record OpenCode sent: its resource and scope are both named `opencode`. */
function isOpenCodes(record: OtlpRecord): boolean {
  return record.scopeName === 'opencode' && record.resource.get('service.name') === 'opencode';
}

import type { AgentInfo, CallRecord } from '../../../reports/call-record.js';
import type { IngestAttributes, IngestValue, OtlpRecord, SourceContext } from './source.js';

/** `tool-execution`: the operation type of every agent's tool calls. */
export const TOOL_EXECUTION = 'tool-execution';

/** A non-empty string attribute, or undefined. */
export function text(value: IngestValue | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A number attribute, or a string that is one (agents send `duration_ms` as `"12"`); undefined otherwise. */
export function numeric(value: IngestValue | undefined): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** A boolean attribute, or the strings `"true"`/`"false"`; undefined otherwise. */
export function flag(value: IngestValue | undefined): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

/**
 * The agent a record's resource names (`service.name`, `service.version`); undefined for the SDKs'
 * placeholder (`unknown_service...`) or none.
 */
export function agentOfResource(record: OtlpRecord): AgentInfo | undefined {
  const name = text(record.resource.get('service.name'));
  if (name === undefined || name.startsWith('unknown_service')) return undefined;
  const version = text(record.resource.get('service.version'));
  return version === undefined ? { name } : { name, version };
}

/** The call fields a span gives as they are: its start, its duration, its trace and span IDs. */
export function spanTiming(record: OtlpRecord): Pick<CallRecord, 'startTimeMs' | 'durationMs' | 'traceId' | 'spanId'> {
  const durationMs = record.durationMs ?? Math.max(0, record.endTimeMs - record.startTimeMs);
  return { startTimeMs: record.startTimeMs, durationMs, traceId: record.traceId, spanId: record.spanId };
}

/**
 * The call fields a log record that reports a finished call gives: it was written at the call's end
 * and says how long the call took, so the call started `durationMs` before.
 */
export function loggedTiming(record: OtlpRecord, durationMs: number): Pick<CallRecord, 'startTimeMs' | 'durationMs' | 'traceId' | 'spanId'> {
  return { startTimeMs: record.endTimeMs - durationMs, durationMs, traceId: record.traceId, spanId: record.spanId };
}

/**
 * The keyed fingerprint of the arguments an agent sent as JSON text in `attributes`' `key`, with
 * `fingerprintArguments` on; undefined otherwise (and the attribute is then not even read).
 */
export function argumentsFingerprint(context: SourceContext, attributes: IngestAttributes, key: string): string | undefined {
  if (context.fingerprint === undefined) return undefined;
  const args = attributes.get(key);
  return typeof args === 'string' ? context.fingerprint(args) : undefined;
}

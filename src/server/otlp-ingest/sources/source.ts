import type { CallRecord } from '../../../reports/call-record.js';

/** Attribute values as OTLP ingest keeps them: primitives and arrays of one primitive type. */
export type IngestValue = string | number | boolean | readonly string[] | readonly number[] | readonly boolean[];

/**
 * A record's (or its resource's) attributes, read by key: from protobuf, a value is decoded only
 * when a source asks for its key, so ask for the keys you need and no more.
 */
export interface IngestAttributes {
  /**
   * The value of `key`; undefined when there is none, or it is not a primitive or an array of one
   * primitive type (maps and bytes are left out). Of a key sent twice, the last value counts.
   */
  get(key: string): IngestValue | undefined;
  /** Every attribute, decoded, in the order sent (for tests and diagnostics; sources use `get`). */
  entries(): [string, IngestValue][];
}

/** `span` from `/v1/traces`, `log` from `/v1/logs`. */
export type Signal = 'span' | 'log';

/**
 * A span or a log record of an OTLP request, decoded as far as a source needs to map it.
 * Times are epoch milliseconds; IDs lowercase hex, undefined when absent or malformed.
 */
export interface OtlpRecord {
  readonly signal: Signal;
  /** A span's name; a log record's body when it is a string, '' otherwise. */
  readonly name: string;
  /** A log record's `event_name` (OTLP 1.5); '' when absent, and for spans. */
  readonly eventName: string;
  readonly attributes: IngestAttributes;
  readonly resource: IngestAttributes;
  readonly scopeName: string;
  readonly scopeVersion: string | undefined;
  /** A span's start; a log record's time (`time_unix_nano`, or `observed_time_unix_nano` when that is 0). */
  readonly startTimeMs: number;
  /** A span's end; a log record's time again. */
  readonly endTimeMs: number;
  /** A span's duration, computed exactly from its nanoseconds (`endTimeMs - startTimeMs` can be off by a rounding); 0 for a log record. */
  readonly durationMs?: number;
  /**
   * The `exception.type` of a span's first `exception` event: the failure's class where an SDK
   * records the exception (OpenCode, the AI SDK); undefined when there is none, and for log records.
   */
  readonly exceptionType?: string | undefined;
  /** A span's status: 0 unset, 1 ok, 2 error (always 0 for a log record). */
  readonly statusCode: 0 | 1 | 2;
  readonly statusMessage: string | undefined;
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
  readonly parentSpanId: string | undefined;
}

/** A call a source mapped from one or more records, and how to tell it apart from its copies. */
export interface MappedCall {
  /** The call (`agent` and `errorClass` set where the source knows them); checked by `inspectCall` before it is folded. */
  readonly call: CallRecord;
  /**
   * Set when the agent may send the same call on another signal too (a log and a span): records of
   * different signals with equal keys are one call, matched in order (the k-th log with the k-th
   * span); repeats on one signal are distinct calls (providers reuse call IDs: `call_0` each turn).
   * Include the source and the session, e.g. `claude-code\0<session>\0<tool_use_id>`.
   */
  readonly matchKey?: string;
  /**
   * When the other signal tells this call's outcome better (Gemini CLI's spans say OK on failure,
   * its logs do not): hold this one up to `holdMs` for its match. When the match comes, one call is
   * folded with the match's outcome (`errorType`, `errorClass`, `agent`) and this one's timing and
   * IDs (a span times the execution alone; a log's duration may include queueing and approval).
   * Folded as it is if no match comes in time (or at flush/shutdown).
   */
  readonly holdMs?: number;
}

/** What a source gets to hand calls on with. */
export interface SourceContext {
  /**
   * The store the ingesting reports write (`toolperf.store.id`): a toolperf span that names it was
   * folded into that store by its own tracker already, and is ignored here.
   */
  readonly storeId: string | undefined;
  /** Hands a call on: matched across signals, checked, folded into its session's report. */
  emit(mapped: MappedCall): void;
  /**
   * Runs `fn` once after `ms`, or sooner when ingest flushes or shuts down: for a source that waits
   * for a second record (Claude Code's parent and child spans) and must not wait forever.
   */
  later(ms: number, fn: () => void): void;
  /**
   * With `fingerprintArguments`: the keyed fingerprint of a call's arguments sent as JSON text, for
   * `CallRecord.argumentsFingerprint`; the text goes no further. Absent when fingerprinting is off.
   */
  readonly fingerprint?: ((argumentsJson: string) => string | undefined) | undefined;
}

/** What a source did with a record. */
export type Take =
  /** A call (now through `context.emit`, or later): counted as mapped. */
  | 'mapped'
  /** This source's record, but no call (a model request, a session start, a duplicate part): counted as ignored. */
  | 'ignored';

/**
 * One source of calls: an agent or SDK whose telemetry OTLP ingest maps. Sources are asked in
 * turn; the first to answer other than undefined owns the record. Keep `take` cheap for records
 * that are not yours: check a name or one attribute first, and keep only the mapped fields — never
 * prompts, arguments or outputs (read them to derive a field if you must, then drop them; arguments
 * go to `context.fingerprint`).
 */
export interface CallSource {
  /** `claude-code`, `codex`, `gemini-cli`, `opencode`, `ai-sdk`, `genai`, `toolperf`. */
  readonly id: string;
  take(record: OtlpRecord, context: SourceContext): Take | undefined;
}

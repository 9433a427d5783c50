/** One finished call, as the report exporter folds it. Built from a span; see `exporters/span-to-call.ts`. */
export interface CallRecord {
  readonly sessionId: string;
  /** `tool-execution`, or another operation type (`llm-call`, `file-io`, ...). */
  readonly operationType: string;
  /** The tool's name (or the operation's). */
  readonly toolName: string;
  readonly callId: string | undefined;
  /** Epoch milliseconds. */
  readonly startTimeMs: number;
  readonly durationMs: number;
  /** Set when the call failed: the error's type, e.g. `TypeError`, `ENOENT`. */
  readonly errorType: string | undefined;
  readonly traceId: string | undefined;
  readonly spanId: string | undefined;
}

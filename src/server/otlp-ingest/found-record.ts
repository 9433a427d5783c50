/** The OTLP signals ingest takes: `span` (`/v1/traces`), `log` (`/v1/logs`), `metric` (`/v1/metrics`, counted only). */
export type Signal = 'span' | 'log' | 'metric';

export type Json = Record<string, unknown>;

/** Where a record comes from: its resource and scope, OTLP/JSON-shaped, read when first needed. */
export interface RecordOrigin {
  readonly resource: () => Json | undefined;
  readonly scope: () => Json | undefined;
}

/** A record (span, log record, metric) of an OTLP/JSON request, found but not parsed yet (protobuf: `ProtoFound`). */
export interface FoundRecord {
  /** Its fields, parsed now. */
  readonly read: () => Json;
  /** Shared by the records of one scope. */
  readonly origin: RecordOrigin;
}

/** At most `max` records are read; `seen` counts every record of the request, read or not. */
export interface RecordCount {
  readonly max: number;
  seen: number;
}

/** The OTLP/JSON names of the three levels of an export request, per signal. */
export const JSON_SHAPES: Readonly<Record<Signal, { readonly resources: string; readonly scopes: string; readonly records: string }>> = {
  span: { resources: 'resourceSpans', scopes: 'scopeSpans', records: 'spans' },
  log: { resources: 'resourceLogs', scopes: 'scopeLogs', records: 'logRecords' },
  metric: { resources: 'resourceMetrics', scopes: 'scopeMetrics', records: 'metrics' },
};

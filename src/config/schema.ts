import { ConfigError } from './errors.js';
import { ENV_OVERRIDES, readEnvOverrides } from './env.js';
import { boolean, httpUrl, integer, nonEmptyString, object, objectList, oneOf, postgresUrl, stringRecord, type Input, type Output } from './fields.js';
import { validate } from './validate.js';

/** Standard OTLP values: http/json or http/protobuf (gRPC is not supported). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

/** Where `toolperf serve` listens unless told otherwise. */
export const DEFAULT_SERVER_HOST = '127.0.0.1';
export const DEFAULT_SERVER_PORT = 7318;

const WEEK_MS = 7 * 24 * 3_600_000;
/** `idleAfterMs`: as `DEFAULT_IDLE_AFTER_MS` of the reports (config does not import them). */
export const DEFAULT_IDLE_AFTER_MS = 5 * 60_000;
export const DEFAULT_END_IDLE_AFTER_MS = 30 * 60_000;

/** The `performance` block of a config file: every key, its kind, bounds and default. */
export const PERFORMANCE_BLOCK = object({
  /** Track tool calls. Off by default: disabled, `wrapTool` returns the tool itself. */
  enabled: boolean({ default: false }),
  /** Write per-session reports to the data directory (else they live in memory only). */
  saveReports: boolean({ default: true }),
  /** How many raw recent call records a session keeps. Statistics always cover every call. */
  maxMetrics: integer({ min: 0, max: 1_000_000, default: 1000 }),
  /** Where reports go: `<dataDir>/session/performance/<sessionId>.json`. Default: the platform's data directory. */
  dataDir: nonEmptyString(),
  /**
   * A PostgreSQL database for the reports instead of the files (`postgres://user:password@host:5432/db`):
   * for many processes and report servers on one database. Default: the JSON files under `dataDir`.
   */
  store: postgresUrl(),
  /** Debounce of report writes: a busy session is written at most once per interval. */
  writeIntervalMs: integer({ min: 0, max: 3_600_000, default: 1000 }),
  /** A session with no call for this long is written and dropped from memory (not ended). */
  sessionIdleTimeoutMs: integer({ min: 1000, max: WEEK_MS, default: 15 * 60_000 }),
  /** A session with no call for longer than this lists as `idle` rather than `active`. */
  idleAfterMs: integer({ min: 1000, max: WEEK_MS, default: DEFAULT_IDLE_AFTER_MS }),
  /** Record tool arguments and results on spans. Off by default: they may hold secrets. */
  captureContent: boolean({ default: false }),
  /** Longest captured argument or result, in characters; longer ones are cut. */
  maxContentLength: integer({ min: 1, max: 1_000_000, default: 1024 }),
  /**
   * Keep a failed call's error message (cut to 300 characters) with the session's recent calls. On
   * by default; messages can hold paths and data, so turn it off where reports are shared.
   */
  recordErrorMessages: boolean({ default: true }),
  /**
   * Fingerprint each call's arguments (a keyed HMAC with the store's secret; never the arguments
   * themselves), so that recommendations can find the same call made again (`redundant-calls`,
   * `retry-loop`); `toolperf serve` fingerprints the arguments agents send, then drops them. Off by
   * default: it costs a few microseconds a call.
   */
  fingerprintArguments: boolean({ default: false }),
  metrics: object({
    /**
     * Put `session.id` on the tool metrics: one time series per session, to compare sessions in
     * Prometheus. Turn it off when only per-tool figures matter.
     */
    includeSessionId: boolean({ default: true }),
    /**
     * Most time series each tool metric keeps in this process (the SDK's cardinality limit). Past
     * it, new label sets are counted in one `otel.metric.overflow="true"` series instead.
     */
    maxSeries: integer({ min: 10, max: 1_000_000, default: 2000 }),
    /**
     * The Prometheus endpoint drops a series not updated for this long (a session that ended),
     * as the Collector's `metric_expiration` does.
     */
    seriesTtlMs: integer({ min: 1000, max: WEEK_MS, default: 5 * 60_000 }),
  }),
  /** `service.name` of the spans and metrics this package sends. Default `$OTEL_SERVICE_NAME`, else `unknown_service:node`. */
  serviceName: nonEmptyString(),
  otlp: object({
    /** Stream spans and metrics over OTLP (to a Collector, Jaeger, ...). */
    enabled: boolean({ default: false }),
    /** Base URL; `/v1/traces` and `/v1/metrics` are appended. Default `$OTEL_EXPORTER_OTLP_ENDPOINT`, else http://localhost:4318. */
    endpoint: httpUrl(),
    /** Full URL for spans, used as is. Default `$OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`. */
    tracesEndpoint: httpUrl(),
    /** Full URL for metrics, used as is. Default `$OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`. */
    metricsEndpoint: httpUrl(),
    /** Default `$OTEL_EXPORTER_OTLP_PROTOCOL`, else `http/protobuf`. */
    protocol: oneOf(OTLP_PROTOCOLS),
    /** Sent with every request (e.g. an API key). Default `$OTEL_EXPORTER_OTLP_HEADERS`. */
    headers: stringRecord(),
    /** Longest wait for one export request, retries included. Default `$OTEL_EXPORTER_OTLP_TIMEOUT`, else 10 s. */
    timeoutMs: integer({ min: 1, max: 600_000 }),
    /** How often metrics are sent. Default `$OTEL_METRIC_EXPORT_INTERVAL`, else 60 s. */
    metricsIntervalMs: integer({ min: 100, max: 3_600_000 }),
    /** `cumulative` (what Prometheus wants) or `delta`. Default `$OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`, else cumulative. */
    metricsTemporality: oneOf(['cumulative', 'delta']),
    /** Spans waiting to be sent; past it new spans are dropped (and counted) until the queue drains. */
    maxQueueSize: integer({ min: 1, max: 1_000_000, default: 2048 }),
  }),
  prometheus: object({
    /** Serve the tool metrics for Prometheus to scrape at `http://<host>:<port>/metrics`. */
    enabled: boolean({ default: false }),
    /** Loopback by default: the endpoint has no authentication. */
    host: nonEmptyString({ default: '127.0.0.1' }),
    /** 0 picks a free port. */
    port: integer({ min: 0, max: 65_535, default: 9464 }),
  }),
  /**
   * Alert rules, evaluated where calls are folded (the tracker, and `toolperf serve` for ingested
   * calls); see README, "Alerts". The defaults (hung calls, large regressions) ship on.
   */
  alerts: object({
    /** Evaluate alert rules at all. */
    enabled: boolean({ default: true }),
    /** Evaluate the default rules beside `rules` (a rule named like a default one replaces it). */
    defaultRules: boolean({ default: true }),
    /** `slow-call`, `hung-call`, `regression` and `error-rate` rules; each is checked when the reports open. */
    rules: objectList(1000),
    /** An alert that resolved does not fire again within this long of its last firing (it is counted as suppressed). */
    cooldownMs: integer({ min: 0, max: WEEK_MS, default: 10 * 60_000 }),
    webhook: object({
      /** Where each alert transition is POSTed as JSON (`text` for Slack, `alert` for the rest). None by default. */
      url: httpUrl(),
      /** Sent with every POST (e.g. `Authorization`). */
      headers: stringRecord(),
      /** Longest wait for one POST. */
      timeoutMs: integer({ min: 1, max: 600_000, default: 5000 }),
      /** Tries after the first, with exponential backoff from 1 s (up to 60 s). */
      maxRetries: integer({ min: 0, max: 100, default: 5 }),
      /** Alerts waiting to be POSTed; past it new ones are dropped (counted and logged; they stay in the API). */
      maxQueue: integer({ min: 1, max: 1_000_000, default: 1000 }),
    }),
  }),
  /** The report server (`toolperf serve`, `startReportServer`). */
  server: object({
    /** Loopback by default; another host needs a bearer token (`TOOLPERF_API_TOKEN`). */
    host: nonEmptyString({ default: DEFAULT_SERVER_HOST }),
    /** 0 picks a free port. */
    port: integer({ min: 0, max: 65_535, default: DEFAULT_SERVER_PORT }),
    /**
     * The server ends (and writes) a session it ingested once it has had no call for this long, at
     * its last call's end: agents seldom say a session ended. 0: never.
     */
    endIdleAfterMs: integer({ min: 0, max: WEEK_MS, default: DEFAULT_END_IDLE_AFTER_MS }),
    /** Jaeger's UI (e.g. http://localhost:16686): the dashboard links each call with a trace ID to `<jaegerUrl>/trace/<traceId>`. */
    jaegerUrl: httpUrl(),
  }),
});

type PerformanceShape = typeof PERFORMANCE_BLOCK.shape;
/** The validated `performance` block, every default filled in. */
export type PerformanceConfig = Output<PerformanceShape>;
/** A `performance` block as written: every key optional. */
export type PerformanceConfigInput = Input<PerformanceShape>;

/** The top-level keys of the `performance` block. */
export const CONFIG_KEYS = Object.keys(PERFORMANCE_BLOCK.shape) as ReadonlyArray<keyof PerformanceConfigInput>;

export interface ResolveConfigOptions {
  /** Environment to read overrides from; `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the input came from, for error messages. */
  readonly source?: string;
}

/**
 * Validates a `performance` block and fills in defaults. Precedence: a key given in `input`, then
 * its environment variable (`TOOLPERF_*`), then the default.
 */
export function resolveConfig(
  input: PerformanceConfigInput = {},
  options: ResolveConfigOptions = {},
): PerformanceConfig {
  const source = options.source ?? 'options';
  const env = readEnvOverrides(options.env ?? process.env);
  return parseConfig(overlay(env, input), source, envVariablesKept(env, input));
}

/**
 * Validates without reading the environment. `fromEnv` maps dotted keys (`maxMetrics`) to the
 * environment variable their value came from, so that an error can name it.
 */
export function parseConfig(input: unknown, source: string, fromEnv: ReadonlyMap<string, string> = new Map()): PerformanceConfig {
  const result = validate(PERFORMANCE_BLOCK, input);
  if (result.ok) return result.value;
  throw new ConfigError(
    source,
    result.problems.map(({ path, value, message }) => {
      const variable = fromEnv.get(path.join('.'));
      return { key: dottedKey(path) + (variable ? ` (from ${variable})` : ''), value, message };
    }),
  );
}

/** `performance.otlp.headers`; an empty name (a header's) shows as `""` rather than vanishing. */
function dottedKey(path: readonly string[]): string {
  return ['performance', ...path.map((key) => (key === '' ? '""' : key))].join('.');
}

/** `top` over `base`, one level deep for nested blocks (`metrics`, `otlp`, `prometheus`, `server`, `alerts`); undefined keys in `top` are skipped at both levels. */
export function overlay(base: Record<string, unknown>, top: object): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    const below = out[key];
    out[key] = isPlainObject(value) && isPlainObject(below) ? { ...below, ...definedEntries(value) } : value;
  }
  return out;
}

/** Dotted keys whose value in `overlay(env, top)` is the environment's, with the variable that set it. */
export function envVariablesKept(env: Record<string, unknown>, top: object): Map<string, string> {
  const kept = new Map<string, string>();
  const topValues = top as Record<string, unknown>;
  for (const [variable, key] of ENV_OVERRIDES.map(([v, k]) => [v, k] as const)) {
    const [head, sub] = key.split('.') as [string, string | undefined];
    if (!(head in env) || (sub !== undefined && !isPlainObject(env[head]))) continue;
    if (sub !== undefined && !(sub in (env[head] as Record<string, unknown>))) continue;
    const overridden = sub === undefined ? topValues[head] !== undefined : isPlainObject(topValues[head]) && topValues[head][sub] !== undefined;
    if (!overridden) kept.set(key, variable);
  }
  return kept;
}

function definedEntries(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import { z } from 'zod';
import { ConfigError } from './errors.js';
import { ENV_OVERRIDES, readEnvOverrides } from './env.js';

const metricsSchema = z
  .object({
    /**
     * Put `session.id` on the tool metrics: one time series per session, to compare sessions in
     * Prometheus. Turn it off when only per-tool figures matter.
     */
    includeSessionId: z.boolean().default(true),
    /**
     * Most time series each tool metric keeps in this process (the SDK's cardinality limit). Past
     * it, new label sets are counted in one `otel.metric.overflow="true"` series instead.
     */
    maxSeries: z.number().int().min(10).max(1_000_000).default(2000),
    /**
     * The Prometheus endpoint drops a series not updated for this long (a session that ended),
     * as the Collector's `metric_expiration` does.
     */
    seriesTtlMs: z.number().int().min(1000).max(7 * 24 * 3_600_000).default(5 * 60_000),
  })
  .strict();

/** Standard OTLP values: http/json or http/protobuf (gRPC is not supported). */
export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' });

const otlpSchema = z
  .object({
    /** Stream spans and metrics over OTLP (to a Collector, Jaeger, ...). */
    enabled: z.boolean().default(false),
    /** Base URL; `/v1/traces` and `/v1/metrics` are appended. Default `$OTEL_EXPORTER_OTLP_ENDPOINT`, else http://localhost:4318. */
    endpoint: httpUrl.optional(),
    /** Full URL for spans, used as is. Default `$OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`. */
    tracesEndpoint: httpUrl.optional(),
    /** Full URL for metrics, used as is. Default `$OTEL_EXPORTER_OTLP_METRICS_ENDPOINT`. */
    metricsEndpoint: httpUrl.optional(),
    /** Default `$OTEL_EXPORTER_OTLP_PROTOCOL`, else `http/protobuf`. */
    protocol: z.enum(OTLP_PROTOCOLS).optional(),
    /** Sent with every request (e.g. an API key). Default `$OTEL_EXPORTER_OTLP_HEADERS`. */
    headers: z.record(z.string().min(1), z.string()).optional(),
    /** Longest wait for one export request, retries included. Default `$OTEL_EXPORTER_OTLP_TIMEOUT`, else 10 s. */
    timeoutMs: z.number().int().min(1).max(600_000).optional(),
    /** How often metrics are sent. Default `$OTEL_METRIC_EXPORT_INTERVAL`, else 60 s. */
    metricsIntervalMs: z.number().int().min(100).max(3_600_000).optional(),
    /** `cumulative` (what Prometheus wants) or `delta`. Default `$OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE`, else cumulative. */
    metricsTemporality: z.enum(['cumulative', 'delta']).optional(),
    /** Spans waiting to be sent; past it new spans are dropped (and counted) until the queue drains. */
    maxQueueSize: z.number().int().min(1).max(1_000_000).default(2048),
  })
  .strict();

const prometheusSchema = z
  .object({
    /** Serve the tool metrics for Prometheus to scrape at `http://<host>:<port>/metrics`. */
    enabled: z.boolean().default(false),
    /** Loopback by default: the endpoint has no authentication. */
    host: z.string().min(1).default('127.0.0.1'),
    /** 0 picks a free port. */
    port: z.number().int().min(0).max(65_535).default(9464),
  })
  .strict();

/** Where `toolperf serve` listens unless told otherwise. */
export const DEFAULT_SERVER_HOST = '127.0.0.1';
export const DEFAULT_SERVER_PORT = 7318;

const serverSchema = z
  .object({
    /** Loopback by default; another host needs a bearer token (`TOOLPERF_API_TOKEN`). */
    host: z.string().min(1).default(DEFAULT_SERVER_HOST),
    /** 0 picks a free port. */
    port: z.number().int().min(0).max(65_535).default(DEFAULT_SERVER_PORT),
  })
  .strict();

/** The `performance` block of a config file. */
export const performanceConfigSchema = z
  .object({
    /** Track tool calls. Off by default: disabled, `wrapTool` returns the tool itself. */
    enabled: z.boolean().default(false),
    /** Write per-session reports to the data directory (else they live in memory only). */
    saveReports: z.boolean().default(true),
    /** How many raw recent call records a session keeps. Statistics always cover every call. */
    maxMetrics: z.number().int().min(0).max(1_000_000).default(1000),
    /** Where reports go: `<dataDir>/session/performance/<sessionId>.json`. Default: the platform's data directory. */
    dataDir: z.string().min(1).optional(),
    /** Debounce of report writes: a busy session is written at most once per interval. */
    writeIntervalMs: z.number().int().min(0).max(3_600_000).default(1000),
    /** A session with no call for this long is written and dropped from memory (not ended). */
    sessionIdleTimeoutMs: z.number().int().min(1000).max(7 * 24 * 3_600_000).default(15 * 60_000),
    /** Record tool arguments and results on spans. Off by default: they may hold secrets. */
    captureContent: z.boolean().default(false),
    /** Longest captured argument or result, in characters; longer ones are cut. */
    maxContentLength: z.number().int().min(1).max(1_000_000).default(1024),
    metrics: metricsSchema.prefault({}),
    /** `service.name` of the spans and metrics this package sends. Default `$OTEL_SERVICE_NAME`, else `unknown_service:node`. */
    serviceName: z.string().min(1).optional(),
    otlp: otlpSchema.prefault({}),
    prometheus: prometheusSchema.prefault({}),
    /** The report server (`toolperf serve`, `startReportServer`). */
    server: serverSchema.prefault({}),
  })
  .strict();

export type PerformanceConfig = z.output<typeof performanceConfigSchema>;
export type PerformanceConfigInput = z.input<typeof performanceConfigSchema>;

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
  const result = performanceConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    source,
    result.error.issues.flatMap((issue) => {
      const path = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') {
        const allowed = Object.keys(shapeAt(path)).join(', ');
        return issue.keys.map((key) => ({
          key: ['performance', ...path, key].join('.'),
          value: valueAt(input, [...path, key]),
          message: `unknown key; allowed: ${allowed}`,
        }));
      }
      const variable = fromEnv.get(path.join('.'));
      return [{
        key: ['performance', ...path].join('.') + (variable ? ` (from ${variable})` : ''),
        value: valueAt(input, issue.path),
        message: issue.message,
      }];
    }),
  );
}

/** `top` over `base`, one level deep for nested blocks (`metrics`, `otlp`, `prometheus`, `server`); undefined keys in `top` are skipped at both levels. */
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

const NESTED_SHAPES: Record<string, Record<string, unknown>> = {
  metrics: metricsSchema.shape,
  otlp: otlpSchema.shape,
  prometheus: prometheusSchema.shape,
  server: serverSchema.shape,
};

function shapeAt(path: readonly string[]): Record<string, unknown> {
  return (path.length === 1 && NESTED_SHAPES[path[0] as string]) || performanceConfigSchema.shape;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The top-level keys of the `performance` block. */
export const CONFIG_KEYS = Object.keys(performanceConfigSchema.shape) as (keyof PerformanceConfigInput)[];

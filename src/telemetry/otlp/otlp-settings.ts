import { core } from '../sdk.js';
import { OTLP_PROTOCOLS, type OtlpProtocol, type PerformanceConfig } from '../../config/schema.js';
import { ConfigError } from '../../config/errors.js';

/** Where and how OTLP data goes, every default filled in. */
export interface OtlpSettings {
  readonly tracesUrl: string;
  readonly metricsUrl: string;
  readonly tracesProtocol: OtlpProtocol;
  readonly metricsProtocol: OtlpProtocol;
  readonly tracesHeaders: Record<string, string>;
  readonly metricsHeaders: Record<string, string>;
  readonly timeoutMs: number;
  readonly metricsIntervalMs: number;
  readonly metricsTemporality: 'cumulative' | 'delta';
  readonly maxQueueSize: number;
}

const DEFAULT_ENDPOINT = 'http://localhost:4318';
const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_METRICS_INTERVAL_MS = 60_000;

/**
 * The `otlp` block with the standard `OTEL_EXPORTER_OTLP_*` variables filling what it leaves out.
 * The config wins; among the variables a signal's own one wins over the general one, as the
 * OpenTelemetry spec orders them; then the default. A bad variable is a `ConfigError` naming it.
 */
export function resolveOtlpSettings(config: PerformanceConfig, env: NodeJS.ProcessEnv): OtlpSettings {
  const { otlp } = config;
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const signalUrl = (own: string | undefined, variable: string, path: string): string => {
    if (own !== undefined) return own;
    if (otlp.endpoint !== undefined) return appendPath(otlp.endpoint, path);
    const fromEnv = checkedUrl(variable, read(variable));
    if (fromEnv !== undefined) return fromEnv;
    return appendPath(checkedUrl('OTEL_EXPORTER_OTLP_ENDPOINT', read('OTEL_EXPORTER_OTLP_ENDPOINT')) ?? DEFAULT_ENDPOINT, path);
  };
  const protocol = (variable: string): OtlpProtocol =>
    otlp.protocol ?? checkedProtocol(variable, read(variable)) ?? checkedProtocol('OTEL_EXPORTER_OTLP_PROTOCOL', read('OTEL_EXPORTER_OTLP_PROTOCOL')) ?? 'http/protobuf';
  const headers = (variable: string): Record<string, string> =>
    otlp.headers ?? { ...core().parseKeyPairsIntoRecord(read('OTEL_EXPORTER_OTLP_HEADERS')), ...core().parseKeyPairsIntoRecord(read(variable)) };
  return {
    tracesUrl: signalUrl(otlp.tracesEndpoint, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'v1/traces'),
    metricsUrl: signalUrl(otlp.metricsEndpoint, 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'v1/metrics'),
    tracesProtocol: protocol('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'),
    metricsProtocol: protocol('OTEL_EXPORTER_OTLP_METRICS_PROTOCOL'),
    tracesHeaders: headers('OTEL_EXPORTER_OTLP_TRACES_HEADERS'),
    metricsHeaders: headers('OTEL_EXPORTER_OTLP_METRICS_HEADERS'),
    timeoutMs: otlp.timeoutMs ?? checkedInteger('OTEL_EXPORTER_OTLP_TIMEOUT', read('OTEL_EXPORTER_OTLP_TIMEOUT')) ?? DEFAULT_TIMEOUT_MS,
    metricsIntervalMs:
      otlp.metricsIntervalMs ?? checkedInteger('OTEL_METRIC_EXPORT_INTERVAL', read('OTEL_METRIC_EXPORT_INTERVAL')) ?? DEFAULT_METRICS_INTERVAL_MS,
    metricsTemporality:
      otlp.metricsTemporality ??
      checkedTemporality('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', read('OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE')) ??
      'cumulative',
    maxQueueSize: otlp.maxQueueSize,
  };
}

/** `service.name` and `OTEL_RESOURCE_ATTRIBUTES`, for the resource of what this package sends. */
export function resolveResourceAttributes(config: PerformanceConfig, env: NodeJS.ProcessEnv): Record<string, string> {
  const attributes = core().parseKeyPairsIntoRecord(env.OTEL_RESOURCE_ATTRIBUTES?.trim() || undefined);
  const serviceName = config.serviceName ?? (env.OTEL_SERVICE_NAME?.trim() || undefined);
  if (serviceName !== undefined) attributes['service.name'] = serviceName;
  return attributes;
}

/** The spec: a base endpoint gets the signal's path appended, keeping any path it already has. */
function appendPath(base: string, path: string): string {
  return base.endsWith('/') ? `${base}${path}` : `${base}/${path}`;
}

function checkedUrl(variable: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError('environment', [{ key: variable, value, message: 'expected an http:// or https:// URL' }]);
  }
  return value;
}

function checkedProtocol(variable: string, value: string | undefined): OtlpProtocol | undefined {
  if (value === undefined) return undefined;
  if ((OTLP_PROTOCOLS as readonly string[]).includes(value)) return value as OtlpProtocol;
  const hint = value === 'grpc' ? ' (gRPC is not supported; point it at the Collector\'s OTLP/HTTP port, 4318)' : '';
  throw new ConfigError('environment', [{ key: variable, value, message: `expected one of ${OTLP_PROTOCOLS.join(', ')}${hint}` }]);
}

function checkedInteger(variable: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) {
    throw new ConfigError('environment', [{ key: variable, value, message: 'expected a positive integer (milliseconds)' }]);
  }
  return number;
}

function checkedTemporality(variable: string, value: string | undefined): 'cumulative' | 'delta' | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  if (lower === 'cumulative' || lower === 'delta') return lower;
  throw new ConfigError('environment', [{ key: variable, value, message: 'expected cumulative or delta' }]);
}

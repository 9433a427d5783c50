import { ConfigError } from './errors.js';

type Parse = (raw: string, name: string) => unknown;

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

const parseBoolean: Parse = (raw, name) => {
  const value = raw.trim().toLowerCase();
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new ConfigError('environment', [
    { key: name, value: raw, message: 'expected one of 1, true, yes, on, 0, false, no, off' },
  ]);
};

const parseInteger: Parse = (raw, name) => {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isInteger(value)) {
    throw new ConfigError('environment', [{ key: name, value: raw, message: 'expected an integer' }]);
  }
  return value;
};

const parseString: Parse = (raw) => raw;

/** Each environment variable and the config key it overrides. */
export const ENV_OVERRIDES: ReadonlyArray<readonly [variable: string, key: string, parse: Parse]> = [
  ['TOOLPERF_ENABLED', 'enabled', parseBoolean],
  ['TOOLPERF_SAVE_REPORTS', 'saveReports', parseBoolean],
  ['TOOLPERF_MAX_METRICS', 'maxMetrics', parseInteger],
  ['TOOLPERF_DATA_DIR', 'dataDir', parseString],
  ['TOOLPERF_STORE', 'store', parseString],
  ['TOOLPERF_WRITE_INTERVAL_MS', 'writeIntervalMs', parseInteger],
  ['TOOLPERF_SESSION_IDLE_TIMEOUT_MS', 'sessionIdleTimeoutMs', parseInteger],
  ['TOOLPERF_IDLE_AFTER_MS', 'idleAfterMs', parseInteger],
  ['TOOLPERF_CAPTURE_CONTENT', 'captureContent', parseBoolean],
  ['TOOLPERF_MAX_CONTENT_LENGTH', 'maxContentLength', parseInteger],
  ['TOOLPERF_RECORD_ERROR_MESSAGES', 'recordErrorMessages', parseBoolean],
  ['TOOLPERF_FINGERPRINT_ARGUMENTS', 'fingerprintArguments', parseBoolean],
  ['TOOLPERF_METRICS_INCLUDE_SESSION_ID', 'metrics.includeSessionId', parseBoolean],
  ['TOOLPERF_METRICS_MAX_SERIES', 'metrics.maxSeries', parseInteger],
  ['TOOLPERF_OTLP_ENABLED', 'otlp.enabled', parseBoolean],
  ['TOOLPERF_PROMETHEUS_ENABLED', 'prometheus.enabled', parseBoolean],
  ['TOOLPERF_PROMETHEUS_HOST', 'prometheus.host', parseString],
  ['TOOLPERF_PROMETHEUS_PORT', 'prometheus.port', parseInteger],
  ['TOOLPERF_SERVER_HOST', 'server.host', parseString],
  ['TOOLPERF_SERVER_PORT', 'server.port', parseInteger],
  ['TOOLPERF_SERVER_END_IDLE_AFTER_MS', 'server.endIdleAfterMs', parseInteger],
  ['TOOLPERF_JAEGER_URL', 'server.jaegerUrl', parseString],
  ['TOOLPERF_ALERTS_ENABLED', 'alerts.enabled', parseBoolean],
];

/** The config keys that the environment sets, as a partial `performance` block. */
export function readEnvOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [variable, key, parse] of ENV_OVERRIDES) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    const [head, sub] = key.split('.') as [string, string | undefined];
    const value = parse(raw, variable);
    if (sub === undefined) out[head] = value;
    else out[head] = { ...(out[head] as object | undefined), [sub]: value };
  }
  return out;
}

/** `OTEL_SDK_DISABLED=true` turns telemetry off whatever else says, as the OpenTelemetry spec asks. */
export function isSdkDisabled(env: NodeJS.ProcessEnv): boolean {
  return env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true';
}

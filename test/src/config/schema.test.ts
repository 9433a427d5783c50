import { afterEach, describe, expect, it, vi } from 'vitest';
import { CONFIG_KEYS, overlay, parseConfig, resolveConfig, type PerformanceConfig } from '../../../src/config/schema.js';
import { ENV_OVERRIDES, isSdkDisabled, readEnvOverrides } from '../../../src/config/env.js';
import { ConfigError } from '../../../src/config/errors.js';

const DEFAULTS: PerformanceConfig = {
  enabled: false,
  saveReports: true,
  maxMetrics: 1000,
  writeIntervalMs: 1000,
  sessionIdleTimeoutMs: 15 * 60_000,
  idleAfterMs: 300_000,
  captureContent: false,
  maxContentLength: 1024,
  recordErrorMessages: true,
  fingerprintArguments: false,
  metrics: { includeSessionId: true, maxSeries: 2000, seriesTtlMs: 300_000 },
  otlp: { enabled: false, maxQueueSize: 2048 },
  prometheus: { enabled: false, host: '127.0.0.1', port: 9464 },
  server: { host: '127.0.0.1', port: 7318, endIdleAfterMs: 1_800_000 },
  alerts: { enabled: true, defaultRules: true, cooldownMs: 600_000, webhook: { timeoutMs: 5000, maxRetries: 5, maxQueue: 1000 } },
};

/** A copy of `DEFAULTS` with one dotted key set. */
function defaultsWith(...entries: ReadonlyArray<readonly [string, unknown]>): PerformanceConfig {
  const config = structuredClone(DEFAULTS) as unknown as Record<string, Record<string, unknown>>;
  for (const [key, value] of entries) {
    const [head, sub] = key.split('.') as [string, string | undefined];
    if (sub === undefined) (config as Record<string, unknown>)[head] = value;
    else (config[head] as Record<string, unknown>)[sub] = value;
  }
  return config as unknown as PerformanceConfig;
}

/** The ConfigError thrown by `fn`; fails the test if it throws nothing or something else. */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('resolveConfig defaults', () => {
  it('fills every default, with no dataDir, for an empty input and environment', () => {
    const config = resolveConfig({}, { env: {} });
    expect(config).toEqual(DEFAULTS);
    expect('dataDir' in config).toBe(false);
  });

  it('treats a missing input like an empty one', () => {
    expect(resolveConfig(undefined, { env: {} })).toEqual(DEFAULTS);
  });

  it('ignores unrelated environment variables', () => {
    expect(resolveConfig({}, { env: { HOME: '/root', TOOLPERF: '1', TOOLPERF_UNKNOWN: 'x' } })).toEqual(DEFAULTS);
  });

  describe('with process.env', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('reads process.env when no env is given', () => {
      vi.stubEnv('TOOLPERF_MAX_METRICS', '7');
      vi.stubEnv('TOOLPERF_ENABLED', 'on');
      const config = resolveConfig();
      expect(config.maxMetrics).toBe(7);
      expect(config.enabled).toBe(true);
    });
  });
});

describe('resolveConfig precedence', () => {
  it('explicit input beats the environment, which beats the default', () => {
    const env = { TOOLPERF_MAX_METRICS: '50', TOOLPERF_WRITE_INTERVAL_MS: '250' };
    const config = resolveConfig({ maxMetrics: 10 }, { env });
    expect(config.maxMetrics).toBe(10); // input
    expect(config.writeIntervalMs).toBe(250); // environment
    expect(config.maxContentLength).toBe(1024); // default
  });

  it('an explicit false beats an environment true', () => {
    expect(resolveConfig({ enabled: false }, { env: { TOOLPERF_ENABLED: 'true' } }).enabled).toBe(false);
    expect(resolveConfig({ enabled: true }, { env: { TOOLPERF_ENABLED: 'false' } }).enabled).toBe(true);
  });

  it('an explicit 0 beats the environment', () => {
    expect(resolveConfig({ maxMetrics: 0 }, { env: { TOOLPERF_MAX_METRICS: '9' } }).maxMetrics).toBe(0);
  });

  it('an input key set to undefined leaves the environment value in place', () => {
    expect(resolveConfig({ maxMetrics: undefined }, { env: { TOOLPERF_MAX_METRICS: '9' } }).maxMetrics).toBe(9);
  });

  it('overlays metrics one level deep: an input metrics block without the key keeps the environment value', () => {
    const env = { TOOLPERF_METRICS_INCLUDE_SESSION_ID: 'false' };
    const off = { ...DEFAULTS.metrics, includeSessionId: false };
    expect(resolveConfig({ metrics: {} }, { env }).metrics).toEqual(off);
    expect(resolveConfig({}, { env }).metrics).toEqual(off);
    expect(resolveConfig({ metrics: { includeSessionId: true } }, { env }).metrics).toEqual(DEFAULTS.metrics);
    expect(resolveConfig({ metrics: { maxSeries: 50 } }, { env }).metrics).toEqual({ ...off, maxSeries: 50 });
  });

  it('a nested input key set to undefined leaves the environment value in place, as a top-level one does', () => {
    const env = { TOOLPERF_METRICS_INCLUDE_SESSION_ID: 'false' };
    expect(resolveConfig({ metrics: { includeSessionId: undefined } }, { env }).metrics.includeSessionId).toBe(false);
  });

  it('does not modify the input object', () => {
    const input = { maxMetrics: 3, metrics: {} };
    resolveConfig(input, { env: { TOOLPERF_METRICS_INCLUDE_SESSION_ID: 'no' } });
    expect(input).toEqual({ maxMetrics: 3, metrics: {} });
  });
});

describe('environment overrides', () => {
  /** Each variable, a raw value, and the key and value it must produce (written out, not derived from ENV_OVERRIDES). */
  const CASES: ReadonlyArray<readonly [string, string, string, unknown]> = [
    ['TOOLPERF_ENABLED', 'true', 'enabled', true],
    ['TOOLPERF_SAVE_REPORTS', 'false', 'saveReports', false],
    ['TOOLPERF_MAX_METRICS', '42', 'maxMetrics', 42],
    ['TOOLPERF_DATA_DIR', '/var/lib/toolperf', 'dataDir', '/var/lib/toolperf'],
    ['TOOLPERF_STORE', 'postgres://toolperf:pw@db.internal:5432/reports', 'store', 'postgres://toolperf:pw@db.internal:5432/reports'],
    ['TOOLPERF_WRITE_INTERVAL_MS', '0', 'writeIntervalMs', 0],
    ['TOOLPERF_SESSION_IDLE_TIMEOUT_MS', '60000', 'sessionIdleTimeoutMs', 60_000],
    ['TOOLPERF_IDLE_AFTER_MS', '120000', 'idleAfterMs', 120_000],
    ['TOOLPERF_CAPTURE_CONTENT', 'true', 'captureContent', true],
    ['TOOLPERF_MAX_CONTENT_LENGTH', '4096', 'maxContentLength', 4096],
    ['TOOLPERF_RECORD_ERROR_MESSAGES', 'off', 'recordErrorMessages', false],
    ['TOOLPERF_FINGERPRINT_ARGUMENTS', 'on', 'fingerprintArguments', true],
    ['TOOLPERF_ALERTS_ENABLED', 'false', 'alerts.enabled', false],
    ['TOOLPERF_METRICS_INCLUDE_SESSION_ID', 'false', 'metrics.includeSessionId', false],
    ['TOOLPERF_METRICS_MAX_SERIES', '500', 'metrics.maxSeries', 500],
    ['TOOLPERF_OTLP_ENABLED', 'yes', 'otlp.enabled', true],
    ['TOOLPERF_PROMETHEUS_ENABLED', '1', 'prometheus.enabled', true],
    ['TOOLPERF_PROMETHEUS_HOST', '0.0.0.0', 'prometheus.host', '0.0.0.0'],
    ['TOOLPERF_PROMETHEUS_PORT', '9999', 'prometheus.port', 9999],
    ['TOOLPERF_SERVER_HOST', '0.0.0.0', 'server.host', '0.0.0.0'],
    ['TOOLPERF_SERVER_PORT', '8080', 'server.port', 8080],
    ['TOOLPERF_SERVER_END_IDLE_AFTER_MS', '0', 'server.endIdleAfterMs', 0],
    ['TOOLPERF_JAEGER_URL', 'http://localhost:16686', 'server.jaegerUrl', 'http://localhost:16686'],
  ];

  it('covers exactly the variables of ENV_OVERRIDES', () => {
    expect(ENV_OVERRIDES.map(([variable]) => variable).sort()).toEqual(CASES.map(([variable]) => variable).sort());
  });

  it.each(CASES)('%s=%s sets %s and nothing else', (variable, raw, key, value) => {
    expect(resolveConfig({}, { env: { [variable]: raw } })).toEqual(defaultsWith([key, value]));
  });

  it('applies all variables together', () => {
    const env = Object.fromEntries(CASES.map(([variable, raw]) => [variable, raw]));
    expect(resolveConfig({}, { env })).toEqual(defaultsWith(...CASES.map(([, , key, value]) => [key, value] as const)));
  });

  const BOOLEANS = ENV_OVERRIDES.filter(([, key]) =>
    ['enabled', 'saveReports', 'captureContent', 'recordErrorMessages', 'fingerprintArguments', 'metrics.includeSessionId', 'otlp.enabled', 'prometheus.enabled'].includes(key),
  );
  const TRUE_SPELLINGS = ['1', 'true', 'TRUE', 'True', 'yes', 'YES', 'on', 'On', ' true '];
  const FALSE_SPELLINGS = ['0', 'false', 'FALSE', 'False', 'no', 'No', 'off', 'OFF', '\toff\n'];

  it('has eight boolean variables', () => {
    expect(BOOLEANS.map(([variable]) => variable).sort()).toEqual([
      'TOOLPERF_CAPTURE_CONTENT',
      'TOOLPERF_ENABLED',
      'TOOLPERF_FINGERPRINT_ARGUMENTS',
      'TOOLPERF_METRICS_INCLUDE_SESSION_ID',
      'TOOLPERF_OTLP_ENABLED',
      'TOOLPERF_PROMETHEUS_ENABLED',
      'TOOLPERF_RECORD_ERROR_MESSAGES',
      'TOOLPERF_SAVE_REPORTS',
    ]);
  });

  it.each(BOOLEANS.map(([variable, key]) => [variable, key] as const))('%s reads every spelling of true and false', (variable, key) => {
    const valueOf = (raw: string): unknown => {
      const overrides = readEnvOverrides({ [variable]: raw });
      const [head, sub] = key.split('.') as [string, string | undefined];
      return sub === undefined ? overrides[head] : (overrides[head] as Record<string, unknown>)[sub];
    };
    for (const raw of TRUE_SPELLINGS) expect(valueOf(raw), JSON.stringify(raw)).toBe(true);
    for (const raw of FALSE_SPELLINGS) expect(valueOf(raw), JSON.stringify(raw)).toBe(false);
  });

  it('reads integers with surrounding whitespace', () => {
    expect(resolveConfig({}, { env: { TOOLPERF_MAX_METRICS: ' 12 ' } }).maxMetrics).toBe(12);
  });

  it('treats an empty variable as unset', () => {
    const env = { TOOLPERF_ENABLED: '', TOOLPERF_MAX_METRICS: '', TOOLPERF_DATA_DIR: '' };
    expect(readEnvOverrides(env)).toEqual({});
    expect(resolveConfig({}, { env })).toEqual(DEFAULTS);
  });

  it('reads nothing from an environment without TOOLPERF_* variables', () => {
    expect(readEnvOverrides({ PATH: '/bin' })).toEqual({});
  });

  it.each([
    ['TOOLPERF_ENABLED', 'maybe', 'expected one of 1, true, yes, on, 0, false, no, off'],
    ['TOOLPERF_SAVE_REPORTS', '2', 'expected one of'],
    ['TOOLPERF_METRICS_INCLUDE_SESSION_ID', 'y', 'expected one of'],
    ['TOOLPERF_CAPTURE_CONTENT', '   ', 'expected one of'],
    ['TOOLPERF_MAX_METRICS', 'abc', 'expected an integer'],
    ['TOOLPERF_MAX_METRICS', '1.5', 'expected an integer'],
    ['TOOLPERF_WRITE_INTERVAL_MS', '10ms', 'expected an integer'],
    ['TOOLPERF_SESSION_IDLE_TIMEOUT_MS', '   ', 'expected an integer'],
    ['TOOLPERF_MAX_CONTENT_LENGTH', 'NaN', 'expected an integer'],
  ])('%s=%j throws a ConfigError naming the variable and the value', (variable, raw, allowed) => {
    const error = configErrorOf(() => resolveConfig({}, { env: { [variable]: raw } }));
    expect(error.source).toBe('environment');
    expect(error.problems).toEqual([{ key: variable, value: raw, message: expect.stringContaining(allowed) as string }]);
    expect(error.message).toContain(variable);
    expect(error.message).toContain(JSON.stringify(raw));
    expect(error.message).toContain(allowed);
  });

  it('rejects an integer variable that parses but is out of range, naming the variable', () => {
    const error = configErrorOf(() => resolveConfig({}, { env: { TOOLPERF_MAX_METRICS: '-1' } }));
    expect(error.message).toContain('-1');
    expect(error.message).toContain('from 0 to 1000000');
    expect(error.message).toContain('TOOLPERF_MAX_METRICS');
  });

  it('does not report an environment value that the input overrides', () => {
    expect(resolveConfig({ maxMetrics: 5 }, { env: { TOOLPERF_MAX_METRICS: '-1' } }).maxMetrics).toBe(5);
  });
});

describe('invalid config values', () => {
  it.each([
    ['a negative maxMetrics', { maxMetrics: -1 }, 'performance.maxMetrics', '-1', 'from 0 to 1000000'],
    ['a maxMetrics above the limit', { maxMetrics: 1_000_001 }, 'performance.maxMetrics', '1000001', 'from 0 to 1000000'],
    ['a non-integer maxMetrics', { maxMetrics: 1.5 }, 'performance.maxMetrics', '1.5', 'expected an integer'],
    ['a string for a boolean', { enabled: 'yes' }, 'performance.enabled', '"yes"', 'expected true or false'],
    ['a too short idle timeout', { sessionIdleTimeoutMs: 999 }, 'performance.sessionIdleTimeoutMs', '999', 'from 1000 to 604800000'],
    ['a zero maxContentLength', { maxContentLength: 0 }, 'performance.maxContentLength', '0', 'from 1 to 1000000'],
    ['an empty dataDir', { dataDir: '' }, 'performance.dataDir', '""', 'expected a non-empty string'],
    ['a nested wrong type', { metrics: { includeSessionId: 1 } }, 'performance.metrics.includeSessionId', '1', 'expected true or false'],
    ['a non-object metrics block', { metrics: true }, 'performance.metrics', 'true', 'expected an object'],
  ])('%s throws a ConfigError naming the dotted key, the value and what is allowed', (_label, input, key, shown, allowed) => {
    const error = configErrorOf(() => resolveConfig(input as never, { env: {}, source: 'my.json' }));
    expect(error.source).toBe('my.json');
    expect(error.problems.map((p) => p.key)).toEqual([key]);
    expect(error.message).toContain('(my.json)');
    expect(error.message).toContain(`${key} = ${shown}: `);
    expect(error.message).toContain(allowed);
  });

  it('reports every invalid key, not only the first', () => {
    const error = configErrorOf(() => resolveConfig({ maxMetrics: -1, enabled: 'yes' } as never, { env: {} }));
    expect(error.problems.map((p) => p.key).sort()).toEqual(['performance.enabled', 'performance.maxMetrics']);
  });

  it('names the source "options" by default', () => {
    expect(configErrorOf(() => resolveConfig({ maxMetrics: -1 }, { env: {} })).source).toBe('options');
  });

  it('rejects an unknown (misspelled) key, naming it as a dotted key with its value', () => {
    const error = configErrorOf(() => resolveConfig({ maxMetric: 5 } as never, { env: {} }));
    expect(error.message).toContain('maxMetric');
    expect(error.problems.map((p) => p.key)).toEqual(['performance.maxMetric']);
    expect(error.problems[0]?.value).toBe(5);
    expect(error.message).toContain('performance.maxMetric = 5');
  });

  it('rejects an unknown key inside metrics', () => {
    const error = configErrorOf(() => resolveConfig({ metrics: { includeSessionID: false } } as never, { env: {} }));
    expect(error.message).toContain('includeSessionID');
  });
});

describe('parseConfig', () => {
  it('validates without reading the environment', () => {
    vi.stubEnv('TOOLPERF_MAX_METRICS', '7');
    try {
      expect(parseConfig({}, 'x')).toEqual(DEFAULTS);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it.each([null, 'string', 42, []])('rejects the non-object %j', (input) => {
    const error = configErrorOf(() => parseConfig(input, 'src'));
    expect(error.problems[0]?.key).toBe('performance');
  });
});

describe('the otlp block', () => {
  it('keeps the URLs, protocol, headers and temporality it is given', () => {
    const otlp = {
      endpoint: 'https://collector.example:4318',
      tracesEndpoint: 'http://localhost:4318/v1/traces',
      protocol: 'http/json',
      headers: { authorization: 'Bearer t' },
      metricsTemporality: 'delta',
    } as const;
    expect(resolveConfig({ otlp }, { env: {} }).otlp).toEqual({ enabled: false, maxQueueSize: 2048, ...otlp });
  });

  it.each([
    ['a URL of another scheme', { tracesEndpoint: 'grpc://collector:4317' }, 'performance.otlp.tracesEndpoint', 'expected an http:// or https:// URL'],
    ['gRPC', { protocol: 'grpc' }, 'performance.otlp.protocol', 'expected one of "http/protobuf", "http/json"'],
    ['a header without a name', { headers: { '': 'x' } }, 'performance.otlp.headers.""', 'expected a non-empty name'],
    ['a header given a number', { headers: { 'x-retries': 3 } }, 'performance.otlp.headers.x-retries', 'expected a string'],
    ['an unknown temporality', { metricsTemporality: 'lowmemory' }, 'performance.otlp.metricsTemporality', 'expected one of "cumulative", "delta"'],
    ['a zero timeout', { timeoutMs: 0 }, 'performance.otlp.timeoutMs', 'expected an integer from 1 to 600000'],
  ])('rejects %s, naming the key and what is allowed', (_label, otlp, key, message) => {
    const error = configErrorOf(() => resolveConfig({ otlp } as never, { env: {} }));
    expect(error.problems).toEqual([{ key, value: expect.anything() as unknown, message }]);
  });
});

describe('CONFIG_KEYS', () => {
  it('lists every top-level key of the block, optional ones included', () => {
    expect([...CONFIG_KEYS].sort()).toEqual([...Object.keys(DEFAULTS), 'dataDir', 'serviceName', 'store'].sort());
  });
});

describe('store', () => {
  it('takes a postgres:// or postgresql:// URL, and has no default (the files)', () => {
    expect(resolveConfig({}, { env: {} }).store).toBeUndefined();
    expect(resolveConfig({ store: 'postgres://u@127.0.0.1/db' }, { env: {} }).store).toBe('postgres://u@127.0.0.1/db');
    expect(resolveConfig({ store: ' postgresql://u:p@db:5433/reports?sslmode=require ' }, { env: {} }).store).toBe('postgresql://u:p@db:5433/reports?sslmode=require');
  });

  it.each([
    ['a file path', '/var/lib/toolperf'],
    ['another scheme', 'mysql://u:s3cret@db/reports'],
    ['a URL without a host', 'postgres:///reports'],
  ])('rejects %s, naming the key, never showing a password', (_label, value) => {
    const error = configErrorOf(() => resolveConfig({ store: value }, { env: {} }));
    expect(error.problems).toEqual([{ key: 'performance.store', value: expect.anything() as unknown, message: expect.stringContaining('postgres://') as unknown }]);
    expect(error.message).not.toContain('s3cret');
  });

  it('names TOOLPERF_STORE when the bad value came from it', () => {
    const error = configErrorOf(() => resolveConfig({}, { env: { TOOLPERF_STORE: 'postgres:/nohost:s3cret' } }));
    expect(error.problems[0]?.key).toBe('performance.store (from TOOLPERF_STORE)');
    expect(error.message).not.toContain('s3cret');
  });
});

describe('defaults', () => {
  it('each default passes its own key\'s checks', () => {
    expect(parseConfig(parseConfig({}, 'defaults'), 'defaults again')).toEqual(DEFAULTS);
  });
});

describe('overlay', () => {
  it('puts top over base, skipping undefined top-level keys and merging plain objects one level deep', () => {
    const base = { a: 1, b: 2, nested: { x: 1, y: 2 }, list: [1, 2] };
    expect(overlay(base, { a: 10, b: undefined, nested: { y: 20 }, list: [3] })).toEqual({
      a: 10,
      b: 2,
      nested: { x: 1, y: 20 },
      list: [3],
    });
    expect(base).toEqual({ a: 1, b: 2, nested: { x: 1, y: 2 }, list: [1, 2] });
  });

  it('replaces a nested object by a non-object and the other way round', () => {
    expect(overlay({ metrics: { includeSessionId: false } }, { metrics: null })).toEqual({ metrics: null });
    expect(overlay({ metrics: 1 }, { metrics: { includeSessionId: false } })).toEqual({ metrics: { includeSessionId: false } });
  });
});

describe('isSdkDisabled', () => {
  it.each(['true', 'TRUE', 'True', ' true '])('is true for OTEL_SDK_DISABLED=%j', (raw) => {
    expect(isSdkDisabled({ OTEL_SDK_DISABLED: raw })).toBe(true);
  });

  it.each([undefined, '', 'false', '1', 'yes', 'on', 'truthy'])('is false for OTEL_SDK_DISABLED=%j', (raw) => {
    expect(isSdkDisabled(raw === undefined ? {} : { OTEL_SDK_DISABLED: raw })).toBe(false);
  });
});

describe('server block', () => {
  it('rejects a port out of range, naming the key and the variable', () => {
    expect(() => resolveConfig({}, { env: { TOOLPERF_SERVER_PORT: '70000' } })).toThrow(/performance\.server\.port \(from TOOLPERF_SERVER_PORT\) = 70000/);
  });

  it('rejects an unknown key in the block', () => {
    expect(() => resolveConfig({ server: { hots: 'x' } as never })).toThrow(/performance\.server\.hots = "x": unknown key; allowed: host, port, endIdleAfterMs, jaegerUrl/);
  });

  it('lets a file value win over the environment', () => {
    expect(resolveConfig({ server: { port: 9000 } }, { env: { TOOLPERF_SERVER_PORT: '8080', TOOLPERF_SERVER_HOST: '::1' } }).server).toEqual({ host: '::1', port: 9000, endIdleAfterMs: 1_800_000 });
  });
});

describe('alerts block', () => {
  it('takes rules as a list of objects, and names a rules value that is not one', () => {
    const config = parseConfig({ alerts: { rules: [{ kind: 'slow-call', tools: 'read', thresholdMs: 500 }], webhook: { url: 'http://127.0.0.1:9/hook', headers: { authorization: 'x' } } } }, 'test');
    expect(config.alerts.rules).toEqual([{ kind: 'slow-call', tools: 'read', thresholdMs: 500 }]);
    expect(config.alerts.webhook).toEqual({ url: 'http://127.0.0.1:9/hook', headers: { authorization: 'x' }, timeoutMs: 5000, maxRetries: 5, maxQueue: 1000 });
    expect(() => parseConfig({ alerts: { rules: { kind: 'slow-call' } } }, 'test')).toThrow(/performance\.alerts\.rules = \{"kind":"slow-call"\}: expected a list of at most 1000 objects/);
    expect(() => parseConfig({ alerts: { webhook: { url: 'ftp://x' } } }, 'test')).toThrow(/performance\.alerts\.webhook\.url = "ftp:\/\/x": expected an http/);
  });
});

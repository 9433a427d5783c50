import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../../src/config/schema.js';
import { resolveOtlpSettings, resolveResourceAttributes } from '../../../../src/telemetry/otlp/otlp-settings.js';

const settings = (otlp: Record<string, unknown>, env: NodeJS.ProcessEnv) =>
  resolveOtlpSettings(resolveConfig({ otlp: { enabled: true, ...otlp } }, { env: {} }), env);

describe('resolveOtlpSettings', () => {
  it('defaults: localhost:4318, http/protobuf, 10 s timeout, 60 s metric interval, cumulative', () => {
    expect(settings({}, {})).toEqual({
      tracesUrl: 'http://localhost:4318/v1/traces',
      metricsUrl: 'http://localhost:4318/v1/metrics',
      tracesProtocol: 'http/protobuf',
      metricsProtocol: 'http/protobuf',
      tracesHeaders: {},
      metricsHeaders: {},
      timeoutMs: 10_000,
      metricsIntervalMs: 60_000,
      metricsTemporality: 'cumulative',
      maxQueueSize: 2048,
    });
  });

  it('appends the signal path to a base endpoint, keeping its own path', () => {
    const s = settings({}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example.com/ingest/' });
    expect(s.tracesUrl).toBe('https://otel.example.com/ingest/v1/traces');
    expect(s.metricsUrl).toBe('https://otel.example.com/ingest/v1/metrics');
  });

  it('a signal variable wins over the general one; the config wins over both', () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://general:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/t',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_HEADERS: 'a=1,b=2',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=3',
      OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
      OTEL_METRIC_EXPORT_INTERVAL: '5000',
      OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'Delta',
    };
    expect(settings({}, env)).toMatchObject({
      tracesUrl: 'http://traces:4318/t',
      metricsUrl: 'http://general:4318/v1/metrics',
      tracesProtocol: 'http/json',
      metricsProtocol: 'http/protobuf',
      tracesHeaders: { a: '1', b: '3' },
      metricsHeaders: { a: '1', b: '2' },
      timeoutMs: 2500,
      metricsIntervalMs: 5000,
      metricsTemporality: 'delta',
    });
    expect(
      settings({ endpoint: 'http://config:4318', protocol: 'http/json', headers: { c: '4' }, timeoutMs: 100, metricsTemporality: 'cumulative' }, env),
    ).toMatchObject({
      tracesUrl: 'http://config:4318/v1/traces',
      metricsUrl: 'http://config:4318/v1/metrics',
      tracesProtocol: 'http/json',
      metricsProtocol: 'http/json',
      tracesHeaders: { c: '4' },
      timeoutMs: 100,
      metricsTemporality: 'cumulative',
    });
  });

  it.each([
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'localhost:4318'],
    ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'ftp://x'],
    ['OTEL_EXPORTER_OTLP_PROTOCOL', 'grpc'],
    ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'json'],
    ['OTEL_EXPORTER_OTLP_TIMEOUT', '10s'],
    ['OTEL_METRIC_EXPORT_INTERVAL', '0'],
    ['OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE', 'lowmemory'],
  ])('%s=%s is an error naming the variable and the value', (variable, value) => {
    expect(() => settings({}, { [variable]: value })).toThrow(`${variable} = ${JSON.stringify(value)}`);
  });

  it('rejects a bad endpoint in config, naming the key', () => {
    expect(() => resolveConfig({ otlp: { endpoint: 'collector:4318' } }, { env: {} })).toThrow('performance.otlp.endpoint = "collector:4318"');
  });
});

describe('resolveResourceAttributes', () => {
  it('reads OTEL_RESOURCE_ATTRIBUTES (percent-decoded) and OTEL_SERVICE_NAME, which wins over service.name there', () => {
    const config = resolveConfig({}, { env: {} });
    expect(resolveResourceAttributes(config, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=a,team=dev%20tools', OTEL_SERVICE_NAME: 'b' })).toEqual({
      'service.name': 'b',
      team: 'dev tools',
    });
  });

  it('serviceName in config wins over the environment', () => {
    const config = resolveConfig({ serviceName: 'from-config' }, { env: {} });
    expect(resolveResourceAttributes(config, { OTEL_SERVICE_NAME: 'from-env' })['service.name']).toBe('from-config');
  });
});

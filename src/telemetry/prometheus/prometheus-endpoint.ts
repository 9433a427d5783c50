import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PrometheusSerializer as PrometheusSerializerType } from '@opentelemetry/exporter-prometheus';
import type { MetricData, MetricReader, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { sdkMetrics } from '../sdk.js';
import { CumulativeSeries } from './cumulative-series.js';
import type { FailureLog } from '../../util/logger.js';
import { requireLazily } from '../../util/require-lazily.js';

export const PROMETHEUS_PATH = '/metrics';
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface PrometheusEndpointOptions {
  readonly host: string;
  readonly port: number;
  readonly maxSeries: number;
  readonly seriesTtlMs: number;
  /** Called before every scrape: records waiting off the hot path must be in it. */
  readonly beforeCollect: () => void;
  readonly failures: FailureLog;
}

/** A reader that collects deltas on demand; the endpoint turns them into bounded cumulative series. */
function createDeltaReader(): MetricReader {
  const { MetricReader: Reader, AggregationTemporality } = sdkMetrics();
  class DeltaReader extends Reader {
    protected override async onForceFlush(): Promise<void> {}
    protected override async onShutdown(): Promise<void> {}
  }
  return new DeltaReader({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
}

/**
 * A Prometheus scrape endpoint for the tracker's own meter. Unlike `@opentelemetry/exporter-
 * prometheus` used as a reader, it keeps the process's memory bounded however many sessions pass
 * (see `CumulativeSeries`), and names metrics as the Collector's Prometheus exporter does (the unit
 * as a suffix: `_seconds`), so that a query works the same against either.
 */
export class PrometheusEndpoint {
  /** Give this to the meter provider. */
  readonly reader: MetricReader;
  private readonly series: CumulativeSeries;
  private readonly serializer: PrometheusSerializerType;
  private readonly server: Server;
  private readonly listening: Promise<string | undefined>;
  private collecting: Promise<string> | undefined;

  constructor(private readonly options: PrometheusEndpointOptions) {
    // The series limit between two scrapes is the meter provider's (its views); here, across scrapes.
    this.reader = createDeltaReader();
    this.series = new CumulativeSeries({ maxSeries: options.maxSeries, ttlMs: options.seriesTtlMs });
    const { PrometheusSerializer } = requireLazily<{ PrometheusSerializer: typeof PrometheusSerializerType }>('@opentelemetry/exporter-prometheus');
    this.serializer = new PrometheusSerializer();
    // handle() answers its own failures; should answering throw, the connection is dropped rather than
    // the rejection left unhandled (which ends the host process).
    this.server = createServer((request, response) => {
      this.handle(request, response).catch(() => response.destroy());
    });
    this.listening = new Promise((resolve) => {
      this.server.once('error', (error) => {
        options.failures.fail('prometheus', `could not serve Prometheus metrics on ${options.host}:${options.port}`, error);
        resolve(undefined);
      });
      this.server.listen(options.port, options.host, () => {
        const { port } = this.server.address() as AddressInfo;
        const host = options.host.includes(':') ? `[${options.host}]` : options.host;
        resolve(`http://${host}:${port}${PROMETHEUS_PATH}`);
      });
    });
    // A scrape endpoint must not keep the host process alive on its own.
    this.server.unref();
  }

  /** The URL Prometheus scrapes, once listening; undefined if the port could not be taken. */
  url(): Promise<string | undefined> {
    return this.listening;
  }

  /** The scrape body: every live series in the Prometheus text format. */
  async scrape(): Promise<string> {
    // Concurrent scrapes share one collection, so no delta is split between them.
    this.collecting ??= this.collect().finally(() => {
      this.collecting = undefined;
    });
    return this.collecting;
  }

  async shutdown(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await Promise.all([closed, this.reader.shutdown()]);
  }

  private async collect(): Promise<string> {
    this.options.beforeCollect();
    const { resourceMetrics, errors } = await this.reader.collect();
    if (errors.length > 0) this.options.failures.fail('prometheus-collect', 'errors while collecting metrics', errors[0]);
    this.series.add(resourceMetrics);
    const snapshot = this.series.snapshot();
    return snapshot === undefined ? '' : this.serializer.serialize(withUnitSuffixes(snapshot));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== PROMETHEUS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found; metrics are at ${PROMETHEUS_PATH}\n`);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    try {
      const body = await this.scrape();
      response.writeHead(200, { 'content-type': CONTENT_TYPE }).end(request.method === 'HEAD' ? undefined : body);
      this.options.failures.recover('prometheus-scrape');
    } catch (error) {
      this.options.failures.fail('prometheus-scrape', 'could not answer a Prometheus scrape', error);
      response.writeHead(500, { 'content-type': 'text/plain' }).end('could not collect metrics\n');
    }
  }
}

/** Units Prometheus names carry as a suffix, as the OpenTelemetry-to-Prometheus mapping spells them. */
const UNIT_SUFFIXES: Record<string, string> = { s: 'seconds', ms: 'milliseconds', By: 'bytes' };

/** `gen_ai.execute_tool.duration` with unit `s` becomes `gen_ai.execute_tool.duration_seconds`. */
function withUnitSuffixes(resourceMetrics: ResourceMetrics): ResourceMetrics {
  return {
    ...resourceMetrics,
    scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
      ...scope,
      metrics: scope.metrics.map((metric): MetricData => {
        const suffix = UNIT_SUFFIXES[metric.descriptor.unit];
        if (suffix === undefined || metric.descriptor.name.endsWith(suffix)) return metric;
        return { ...metric, descriptor: { ...metric.descriptor, name: `${metric.descriptor.name}_${suffix}` } };
      }),
    })),
  };
}

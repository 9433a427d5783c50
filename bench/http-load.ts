/**
 * One autocannon run and its figures, the latency taken from each 2xx answer's own time (autocannon's
 * histogram has whole-millisecond steps). Shared by the report-server and ingest benchmarks.
 */
import autocannon from 'autocannon';
import { consume, log } from './harness.js';

export interface LoadFigures {
  /** Responses counted (2xx). */
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  /** Latency of the 2xx responses, ms (from each response's own hrtime, not autocannon's whole-ms histogram). */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
  /** autocannon's own p99 (its histogram has 1 ms resolution). */
  readonly autocannonP99: number;
  /** Mean response body, bytes. */
  readonly bytesPerResponse: number;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number;
}

/**
 * Runs autocannon with `options` (which set `connections` and a `duration` or an `amount`) and
 * fails on any non-2xx answer or socket error: a figure with those would not be what it says.
 */
export async function load(title: string, options: autocannon.Options): Promise<LoadFigures> {
  const latencies: number[] = [];
  let bytes = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ ...options, title }, (error: unknown, done: autocannon.Result) =>
      error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done),
    );
    instance.on('response', (_client, status, resBytes, responseTime) => {
      if (status >= 200 && status < 300) {
        latencies.push(responseTime);
        bytes += resBytes;
      }
    });
  });
  latencies.sort((a, b) => a - b);
  const requests = latencies.length;
  const seconds = (result.finish.getTime() - result.start.getTime()) / 1000;
  const figures: LoadFigures = {
    requests,
    non2xx: result.non2xx,
    errors: result.errors,
    seconds,
    requestsPerSecond: requests / seconds,
    p50: percentile(latencies, 0.5),
    p90: percentile(latencies, 0.9),
    p99: percentile(latencies, 0.99),
    max: latencies.at(-1) ?? NaN,
    mean: latencies.reduce((s, x) => s + x, 0) / Math.max(1, requests),
    autocannonP99: result.latency.p99,
    bytesPerResponse: bytes / Math.max(1, requests),
  };
  consume(requests);
  log(
    `${title}: ${requests} × 2xx in ${seconds.toFixed(1)} s = ${figures.requestsPerSecond.toFixed(0)} req/s; ` +
      `p50 ${figures.p50.toFixed(2)} ms, p99 ${figures.p99.toFixed(2)} ms; non-2xx ${result.non2xx}, errors ${result.errors}`,
  );
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${title}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  return figures;
}


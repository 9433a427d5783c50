import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on loopback (taken and released; the caller binds it right after). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An alert as `/api/v1/alerts` lists it. */
export interface PrometheusAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing';
  readonly value: string;
}

export interface PrometheusOptions {
  /** Rules files to load (`rule_files`), evaluated every second. */
  readonly ruleFiles?: readonly string[];
}

export interface PrometheusServer {
  readonly url: string;
  /** The pending and firing alerts. */
  alerts(): Promise<PrometheusAlert[]>;
  /** Runs an instant query; the vector's samples as label sets with their value. */
  query(promql: string): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  /** Retries `query` until `accept` holds for its result or `timeoutMs` passes (then throws with the last result). */
  queryUntil(
    promql: string,
    accept: (samples: Array<{ metric: Record<string, string>; value: number }>) => boolean,
    timeoutMs?: number,
  ): Promise<Array<{ metric: Record<string, string>; value: number }>>;
  stop(): Promise<void>;
}

/**
 * Debian's `prometheus`, started on a free loopback port with its own temporary storage, scraping
 * `target` (host:port) every second.
 */
export async function startPrometheus(binary: string, target: string, options: PrometheusOptions = {}): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'toolperf-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  await writeFile(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: toolperf',
      '    static_configs:',
      `      - targets: ['${target}']`,
      ...(options.ruleFiles === undefined ? [] : ['rule_files:', ...options.ruleFiles.map((file) => `  - ${JSON.stringify(file)}`)]),
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited with ${child.exitCode}: ${stderr}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready in 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const query: PrometheusServer['query'] = async (promql) => {
    const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (body.status !== 'success' || body.data === undefined) throw new Error(`query ${promql} failed: ${body.error ?? response.status}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };

  const queryUntil: PrometheusServer['queryUntil'] = async (promql, accept, timeoutMs = 30_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const samples = await query(promql);
      if (accept(samples)) return samples;
      if (Date.now() > until) throw new Error(`${promql} never gave the expected result; last: ${JSON.stringify(samples)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  const alerts: PrometheusServer['alerts'] = async () => {
    const response = await fetch(`${url}/api/v1/alerts`);
    const body = (await response.json()) as { status: string; error?: string; data?: { alerts: PrometheusAlert[] } };
    if (body.status !== 'success' || body.data === undefined) throw new Error(`/api/v1/alerts failed: ${body.error ?? response.status}`);
    return body.data.alerts;
  };

  return { url, alerts, query, queryUntil, stop };
}

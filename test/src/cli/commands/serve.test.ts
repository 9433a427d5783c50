import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOneLineError, runToolperf, seedSessions, tempDir } from '../../../helpers/cli.js';

let dataDir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dataDir = await tempDir('toolperf-cli-serve-');
});
afterAll(() => dataDir.remove());

describe('toolperf serve', () => {
  it('serves the API over the stored reports, the dashboard and OTLP ingest until stopped', async () => {
    const served = await tempDir('toolperf-cli-serve-ok-');
    try {
      await seedSessions(served.path);
      let stop!: () => void;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      let announce!: (url: string) => void;
      const announced = new Promise<string>((resolve) => (announce = resolve));
      const run = runToolperf(['serve', '--port', '0', '--data-dir', served.path], {
        untilStopped: () => stopped,
        onStdout: (out) => {
          const url = /at (http:\/\/127\.0\.0\.1:\d+) \(Ctrl-C to stop\)/.exec(out)?.[1];
          if (url !== undefined) announce(url);
        },
      });
      const url = await Promise.race([announced, run.then((r) => Promise.reject(new Error(`serve ended early: ${r.stderr}`)))]);

      expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
      const list = (await (await fetch(`${url}/api/v1/sessions`)).json()) as { sessions: { sessionId: string }[] };
      expect(list.sessions.map((s) => s.sessionId)).toEqual(['ses_c', 'ses_b', 'ses_a']);
      const page = await fetch(`${url}/`);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      // OpenCode's own span for a tool call, as its OTLP exporter sends it.
      const start = BigInt(Date.now()) * 1_000_000n;
      const span = {
        traceId: '5b8efff798038103d269b633813fc60c',
        spanId: 'eee19b7ec3c1b174',
        name: 'Tool.execute',
        startTimeUnixNano: String(start),
        endTimeUnixNano: String(start + 12_000_000n),
        attributes: [
          { key: 'tool.name', value: { stringValue: 'read' } },
          { key: 'tool.call_id', value: { stringValue: 'call_1' } },
          { key: 'session.id', value: { stringValue: 'ses_ingested' } },
        ],
      };
      const ingest = await fetch(`${url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
      });
      expect(ingest.status).toBe(200);

      stop();
      const result = await run;
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
      // What ingest folded in is written by the time serve returns.
      const report = await runToolperf(['report', 'ses_ingested', '--json', '--data-dir', served.path]);
      expect(JSON.parse(report.stdout)).toMatchObject({ operations: { 'tool-execution': { count: 1, tools: { read: { count: 1, meanMs: 12 } } } } });
    } finally {
      await served.remove();
    }
  });

  it.each(['65536', '-1', '80.5', 'http', '0x50', ''])('rejects --port %j', async (port) => {
    expectOneLineError(
      await runToolperf(['serve', '--port', port, '--data-dir', dataDir.path]),
      `option '--port <n>' argument '${port}' is invalid. expected a port: an integer from 0 to 65535.`,
    );
  });

  it.each(['', ' ', 'two words'])('rejects --host %j', async (host) => {
    expectOneLineError(await runToolperf(['serve', '--host', host, '--data-dir', dataDir.path]), 'expected a host name or IP address');
  });

  it.each(['0.0.0.0', '::', '192.168.1.10', 'example.com'])('refuses the non-loopback host %s without TOOLPERF_API_TOKEN', async (host) => {
    const run = await runToolperf(['serve', '--host', host, '--port', '0', '--data-dir', dataDir.path]);
    expectOneLineError(run, `serve: refusing to listen on ${host} without a token: set TOOLPERF_API_TOKEN`);
  });

  it('an empty TOOLPERF_API_TOKEN counts as none', async () => {
    const run = await runToolperf(['serve', '--host', '0.0.0.0', '--data-dir', dataDir.path], { env: { TOOLPERF_API_TOKEN: '' } });
    expectOneLineError(run, 'refusing to listen on 0.0.0.0');
  });

  it('an invalid config exits 1 with the ConfigError on one line', async () => {
    const config = join(dataDir.path, 'bad.json');
    await writeFile(config, '{ "performance": { "prometheus": { "port": "x" } } }');
    expectOneLineError(await runToolperf(['serve', '--config', config]), `invalid toolperf configuration (${config} and environment): performance.prometheus.port = "x"`);
  });

  it('refuses a data directory that is a file, with one line, and starts nothing', async () => {
    const file = join(dataDir.path, 'a-file');
    await writeFile(file, 'not a directory');
    const run = await runToolperf(['serve', '--port', '0', '--data-dir', file], { untilStopped: () => new Promise(() => undefined) });
    expectOneLineError(run, `serve: cannot keep reports in ${file}: it is a file, not a directory; choose another with --data-dir`);
    expect(await readFile(file, 'utf8')).toBe('not a directory');
  });

  it('refuses a data directory beneath a file', async () => {
    const file = join(dataDir.path, 'another-file');
    await writeFile(file, '');
    const run = await runToolperf(['serve', '--port', '0', '--data-dir', join(file, 'data')], { untilStopped: () => new Promise(() => undefined) });
    expectOneLineError(run, `serve: cannot keep reports in ${join(file, 'data')}: a part of its path is a file, not a directory; choose another with --data-dir`);
  });

  it('a port in use: one line naming it and how to choose another', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const run = await runToolperf(['serve', '--port', String(port), '--data-dir', dataDir.path], { untilStopped: () => new Promise(() => undefined) });
      expectOneLineError(run, `serve: port ${port} on 127.0.0.1 is in use; choose another with --port <n> (--port 0 takes any free one)`);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('takes no positional', async () => {
    const run = await runToolperf(['serve', 'now', '--data-dir', dataDir.path]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('too many arguments');
  });
});

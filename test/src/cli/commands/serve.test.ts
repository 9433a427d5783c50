import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReports } from '../../../../src/index.js';
import { expectOneLineError, runToolperf, seedSessions, tempDir } from '../../../helpers/cli.js';
import { recordingLogger } from '../../../helpers/tracking.js';

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

  /** Runs `serve args` until the returned `stop`; resolves once it printed its URL. */
  async function serving(args: string[]): Promise<{ url: string; stop: () => Promise<{ code: number; stderr: string }> }> {
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let announce!: (url: string) => void;
    const announced = new Promise<string>((resolve) => (announce = resolve));
    const run = runToolperf(['serve', '--port', '0', ...args], {
      untilStopped: () => stopped,
      onStdout: (out) => {
        const url = /at (http:\/\/127\.0\.0\.1:\d+) \(Ctrl-C to stop\)/.exec(out)?.[1];
        if (url !== undefined) announce(url);
      },
    });
    const url = await Promise.race([announced, run.then((r) => Promise.reject(new Error(`serve ended early: ${r.stderr}`)))]);
    return { url, stop: () => (stop(), run) };
  }

  it('--idle-after sets when a session stops being active', async () => {
    const dir = await tempDir('toolperf-cli-serve-idle-');
    try {
      const reports = createReports({ dataDir: dir.path, logger: recordingLogger() });
      reports.record({
        sessionId: 'ses_10min', operationType: 'tool-execution', toolName: 'read', callId: undefined,
        startTimeMs: Date.now() - 10 * 60_000, durationMs: 5, errorType: undefined, traceId: undefined, spanId: undefined,
      });
      await reports.shutdown();
      const statusWith = async (args: string[]) => {
        const server = await serving([...args, '--data-dir', dir.path]);
        try {
          return ((await (await fetch(`${server.url}/api/v1/sessions`)).json()) as { sessions: { status: string }[] }).sessions[0]?.status;
        } finally {
          await server.stop();
        }
      };
      expect(await statusWith([])).toBe('idle'); // 10 minutes > the default 5
      expect(await statusWith(['--idle-after', '1h'])).toBe('active');
    } finally {
      await dir.remove();
    }
  });

  it('--end-idle-after ends a session it ingested once idle that long, at its last call', async () => {
    const dir = await tempDir('toolperf-cli-serve-end-');
    try {
      const server = await serving(['--end-idle-after', '1s', '--data-dir', dir.path]);
      const end = BigInt(Date.now()) * 1_000_000n;
      const span = {
        traceId: '5b8efff798038103d269b633813fc60d', spanId: 'eee19b7ec3c1b175', name: 'Tool.execute',
        startTimeUnixNano: String(end - 3_000_000n), endTimeUnixNano: String(end),
        attributes: [{ key: 'tool.name', value: { stringValue: 'read' } }, { key: 'session.id', value: { stringValue: 'ses_quiet' } }],
      };
      const ingest = await fetch(`${server.url}/v1/traces`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
      });
      expect(ingest.status).toBe(200);
      type Listed = { sessionId: string; status: string; updatedAt: string; endedAt?: string };
      let session: Listed | undefined;
      // Written within the write interval, dropped from memory and ended at the next sweeps (each second).
      for (let i = 0; i < 100 && session?.status !== 'ended'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        session = ((await (await fetch(`${server.url}/api/v1/sessions`)).json()) as { sessions: Listed[] }).sessions[0];
      }
      expect(session).toMatchObject({ sessionId: 'ses_quiet', status: 'ended' });
      expect(session?.endedAt).toBe(session?.updatedAt);
      expect(Date.parse(session!.updatedAt)).toBe(Number(end / 1_000_000n));
      expect(await server.stop()).toMatchObject({ code: 0, stderr: '' });
    } finally {
      await dir.remove();
    }
  });

  it.each([
    [['--idle-after', '5'], "option '--idle-after <duration>' argument '5' is invalid. expected a whole number and a unit"],
    [['--end-idle-after', 'soon'], "option '--end-idle-after <duration>' argument 'soon' is invalid"],
  ])('rejects %j', async (args, text) => {
    expectOneLineError(await runToolperf(['serve', ...args, '--data-dir', dataDir.path]), text);
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

describe('toolperf serve: alert rules of the config', () => {
  it("fire for the calls it ingests, and a bad rule is refused with one line naming it", async () => {
    const served = await tempDir('toolperf-cli-serve-alerts-');
    try {
      const config = join(served.path, 'toolperf.json');
      await writeFile(config, JSON.stringify({ performance: { alerts: { rules: [{ kind: 'slow-call', tools: 'read', thresholdMs: 100 }] } } }));
      let stop!: () => void;
      const stopped = new Promise<void>((resolve) => (stop = resolve));
      let announce!: (url: string) => void;
      const announced = new Promise<string>((resolve) => (announce = resolve));
      const run = runToolperf(['serve', '--port', '0', '--data-dir', served.path, '--config', config], {
        untilStopped: () => stopped,
        onStdout: (out) => {
          const url = /at (http:\/\/127\.0\.0\.1:\d+) \(Ctrl-C to stop\)/.exec(out)?.[1];
          if (url !== undefined) announce(url);
        },
      });
      const url = await Promise.race([announced, run.then((r) => Promise.reject(new Error(`serve ended early: ${r.stderr}`)))]);
      const start = BigInt(Date.now() - 1000) * 1_000_000n;
      const span = {
        traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'Tool.execute',
        startTimeUnixNano: String(start), endTimeUnixNano: String(start + 450_000_000n),
        attributes: [
          { key: 'tool.name', value: { stringValue: 'read' } },
          { key: 'session.id', value: { stringValue: 'ses_opencode' } },
        ],
      };
      const ingest = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }) });
      expect(ingest.status).toBe(200);
      let alerts: { rule: string; sessionId: string; evidence: { durationMs: number } }[] = [];
      for (let i = 0; i < 100 && alerts.length === 0; i++) {
        alerts = ((await (await fetch(`${url}/api/v1/alerts`)).json()) as { alerts: typeof alerts }).alerts;
        if (alerts.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(alerts).toMatchObject([{ rule: 'slow-call:read', sessionId: 'ses_opencode', evidence: { durationMs: 450 } }]);
      stop();
      const { code, stderr } = await run;
      expect(code).toBe(0);
      expect(stderr).toMatch(/alert fired: read took 450 ms/);
      // Stored with the session: the CLI reads it after serve is gone.
      expect((await runToolperf(['alerts', '--data-dir', served.path, '--json'])).stdout).toMatch(/"rule": "slow-call:read"/);

      await writeFile(config, JSON.stringify({ performance: { alerts: { rules: [{ kind: 'slow-call', tools: 'read' }] } } }));
      const refused = await runToolperf(['serve', '--port', '0', '--data-dir', served.path, '--config', config], { untilStopped: () => new Promise(() => undefined) });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^error: invalid toolperf configuration \(config\): performance\.alerts\.rules\[0\]\.thresholdMs = \(missing\): expected an integer from 1 to \d+\n$/);
    } finally {
      await served.remove();
    }
  });
});

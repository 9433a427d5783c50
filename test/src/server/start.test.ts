import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServerConfigError } from '../../../src/server/server-config-error.js';
import { startReportServer } from '../../../src/server/start.js';
import { memoryReports, storedReport, T0 } from './fixtures.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('startReportServer', () => {
  it('serves the API on 127.0.0.1 over a real socket, and close() stops it', async () => {
    const { reports, store } = memoryReports();
    cleanups.push(() => reports.shutdown());
    await store.put(storedReport('ses_1', T0, [{ tool: 'read', ms: 4 }]));
    const server = await startReportServer({ reports, port: 0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${server.url}/api/v1/sessions`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ sessions: [expect.objectContaining({ sessionId: 'ses_1', calls: 1 })] });
    await server.close();
    await server.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('warms the listing and the tool figures after it listens; ready never rejects, even when the store fails', async () => {
    const { reports, store } = memoryReports();
    cleanups.push(() => reports.shutdown());
    await store.put(storedReport('ses_1', T0, [{ tool: 'read', ms: 4 }]));
    const listDigests = vi.spyOn(store, 'listDigests');
    const server = await startReportServer({ reports, port: 0 });
    cleanups.push(() => server.close());
    await server.ready;
    expect(listDigests).toHaveBeenCalled();

    const broken = memoryReports();
    cleanups.push(() => broken.reports.shutdown());
    vi.spyOn(broken.store, 'listDigests').mockRejectedValue(new Error('EIO'));
    vi.spyOn(broken.store, 'list').mockRejectedValue(new Error('EIO'));
    const second = await startReportServer({ reports: broken.reports, port: 0 });
    cleanups.push(() => second.close());
    await expect(second.ready).resolves.toBeUndefined();
  });

  it("tells the dashboard Jaeger's URL when given one", async () => {
    const { reports } = memoryReports();
    cleanups.push(() => reports.shutdown());
    const linked = await startReportServer({ reports, port: 0, jaegerUrl: 'http://localhost:16686' });
    cleanups.push(() => linked.close());
    expect(await (await fetch(`${linked.url}/assets/config.json`)).json()).toEqual({ jaegerUrl: 'http://localhost:16686' });
    const plain = await startReportServer({ reports, port: 0 });
    cleanups.push(() => plain.close());
    expect(await (await fetch(`${plain.url}/assets/config.json`)).json()).toEqual({});
  });

  it('refuses a non-loopback host without a token', async () => {
    vi.stubEnv('TOOLPERF_API_TOKEN', '');
    const { reports } = memoryReports();
    cleanups.push(() => reports.shutdown());
    const started = startReportServer({ reports, host: '0.0.0.0', port: 0 });
    await expect(started).rejects.toBeInstanceOf(ServerConfigError);
    await expect(started).rejects.toThrow(/^refusing to serve on 0\.0\.0\.0 without a token: set TOOLPERF_API_TOKEN/);
  });

  it('takes the token from TOOLPERF_API_TOKEN and requires it', async () => {
    vi.stubEnv('TOOLPERF_API_TOKEN', 'from-env');
    const { reports } = memoryReports();
    cleanups.push(() => reports.shutdown());
    const server = await startReportServer({ reports, port: 0 });
    cleanups.push(() => server.close());
    expect((await fetch(`${server.url}/api/v1/tools`)).status).toBe(401);
    const authorized = await fetch(`${server.url}/api/v1/tools`, { headers: { authorization: 'Bearer from-env' } });
    expect(authorized.status).toBe(200);
    expect(await authorized.json()).toEqual({ tools: [] });
  });

  it('rejects when the port is taken', async () => {
    const { reports } = memoryReports();
    cleanups.push(() => reports.shutdown());
    const first = await startReportServer({ reports, port: 0 });
    cleanups.push(() => first.close());
    const port = Number(new URL(first.url).port);
    await expect(startReportServer({ reports, port })).rejects.toThrow(/EADDRINUSE/);
  });
});

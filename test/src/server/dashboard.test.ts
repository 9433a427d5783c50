import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createDashboardApp, DASHBOARD_CONTENT_SECURITY_POLICY } from '../../../src/server/dashboard.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const app = createDashboardApp();

/** Every `/assets/...` the page references, and every module those import, transitively. */
async function referencedAssets(): Promise<Set<string>> {
  const html = await (await app.request('/')).text();
  const found = new Set([...html.matchAll(/(?:src|href)="\/assets\/([^"]+)"/g)].map((m) => m[1] as string));
  const queue = [...found].filter((name) => name.endsWith('.js'));
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    const code = await (await app.request(`/assets/${name}`)).text();
    for (const [, dep] of code.matchAll(/^import .* from '\.\/([^']+)';$/gm)) {
      if (!found.has(dep as string)) {
        found.add(dep as string);
        queue.push(dep as string);
      }
    }
  }
  return found;
}

describe('createDashboardApp', () => {
  it('serves the page with a strict content security policy and no inline script', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = res.headers.get('content-security-policy');
    expect(csp).toBe(DASHBOARD_CONTENT_SECURITY_POLICY);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-|https?:|\*/);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThanOrEqual(2);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/ src="\/assets\/[a-z.-]+\.js"/);
      expect(body).toBe('');
    }
    expect(html).not.toMatch(/ style=| on[a-z]+=|<style/);
  });

  it('serves every asset the page references, with its content type and the same headers', async () => {
    const assets = await referencedAssets();
    expect([...assets].sort()).toEqual(expect.arrayContaining(['app.js', 'chart.umd.js', 'style.css', 'icon.svg', 'session-view.js', 'tool-view.js']));
    const types: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', svg: 'image/svg+xml' };
    for (const name of assets) {
      const res = await app.request(`/assets/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toBe(types[name.split('.').pop() as string]);
      expect(res.headers.get('content-security-policy'), name).toBe(DASHBOARD_CONTENT_SECURITY_POLICY);
      expect(res.headers.get('cache-control'), name).toBe('no-cache');
    }
  });

  it('serves Chart.js from node_modules, without a reference to a source map it does not serve', async () => {
    const res = await app.request('/assets/chart.umd.js');
    const code = await res.text();
    const installed = await readFile(join(root, 'node_modules/chart.js/dist/chart.umd.js'), 'utf8');
    expect(code.length).toBeGreaterThan(100_000);
    expect(installed.startsWith(code.slice(0, 1000))).toBe(true);
    expect(code).not.toContain('sourceMappingURL');
  });

  it('answers a matching If-None-Match with 304', async () => {
    const first = await app.request('/assets/app.js');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await app.request('/assets/app.js', { headers: { 'if-none-match': etag as string } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const changed = await app.request('/assets/app.js', { headers: { 'if-none-match': '"other"' } });
    expect(changed.status).toBe(200);
  });

  it.each([
    '/assets/nope.js',
    '/assets/index.html',
    '/assets/',
    '/assets/..%2Fdashboard.ts',
    '/assets/..%2F..%2F..%2Fpackage.json',
    '/assets/%2e%2e%2fdashboard-assets.ts',
    '/assets/..%5Cdashboard.ts',
    '/assets/dashboard/app.js',
    '/assets/../dashboard.ts',
    '/package.json',
    '/index.html',
  ])('answers %s with 404 and nothing of the file system', async (path) => {
    const res = await app.request(path);
    expect(res.status).toBe(404);
    const body = await res.text();
    expect(body).not.toMatch(/import|"name"|toolperf/);
  });

  it('serves its settings as JSON: the Jaeger URL when given, nothing otherwise', async () => {
    const plain = await app.request('/assets/config.json');
    expect(plain.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(plain.headers.get('content-security-policy')).toBe(DASHBOARD_CONTENT_SECURITY_POLICY);
    expect(await plain.json()).toEqual({});
    const linked = createDashboardApp({ jaegerUrl: 'http://jaeger.internal:16686/' });
    expect(await (await linked.request('/assets/config.json')).json()).toEqual({ jaegerUrl: 'http://jaeger.internal:16686' });
  });

  it.each(['javascript:alert(1)', 'localhost:16686', '/jaeger', 'ftp://jaeger'])('refuses the Jaeger URL %s', (jaegerUrl) => {
    expect(() => createDashboardApp({ jaegerUrl })).toThrow(/jaegerUrl must be an absolute http or https URL/);
  });

  it('adds nothing to the routes of an app it is mounted in', async () => {
    const parent = new Hono();
    parent.get('/api/v1/x', (c) => c.json({ ok: true }));
    parent.route('/', createDashboardApp());
    const api = await parent.request('/api/v1/x');
    expect(await api.json()).toEqual({ ok: true });
    expect(api.headers.get('content-security-policy')).toBeNull();
    expect((await parent.request('/')).headers.get('content-security-policy')).toBe(DASHBOARD_CONTENT_SECURITY_POLICY);
  });
});

describe('the published package', () => {
  it('ships the page beside the built module, which serves it', async () => {
    const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root });
    const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
    const files = pack.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining([
      'dist/package/report-server.js',
      'dist/src/server/dashboard.d.ts',
      'src/server/dashboard/index.html',
      'src/server/dashboard/app.js',
      'src/server/dashboard/style.css',
    ]));
    // Built by `npm ci` (prepare) or `npm run build`: the module as users run it, from dist/.
    const built = join(root, 'dist/package/report-server.js');
    const { createDashboardApp: createBuilt } = (await import(pathToFileURL(built).href)) as { createDashboardApp: typeof createDashboardApp };
    const builtApp = createBuilt();
    expect(await (await builtApp.request('/')).text()).toBe(await (await app.request('/')).text());
    expect((await builtApp.request('/assets/chart.umd.js')).status).toBe(200);
  });
});

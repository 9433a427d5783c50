import { Hono, type Context } from 'hono';
import { loadDashboardAssets, type DashboardAsset } from './dashboard-assets.js';

/**
 * Scripts, styles and images from this server only, no inline script or style, data only from this
 * origin's API; the page cannot be framed. Chart.js styles its canvas through the CSSOM, which
 * `style-src 'self'` allows.
 */
export const DASHBOARD_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The dashboard: `GET /` the page, `GET /assets/{name}` its modules, CSS and the chart library, all
 * read from the package's own files (no CDN, works offline). It reads the report API under
 * `/api/v1` of the same origin, so mount it beside `createReportApp`'s routes. Its routes are
 * exact, with no `*` middleware, so mounting it at `/` touches no other route.
 *
 * @example
 * const app = createReportApp(createReports(), { dashboard: createDashboardApp() });
 */
export function createDashboardApp(): Hono {
  const { page, files } = loadDashboardAssets();
  const app = new Hono();
  app.get('/', (c) => send(c, page));
  app.get('/assets/:name', (c) => {
    const file = files.get(c.req.param('name'));
    return file === undefined ? c.text('Not Found', 404) : send(c, file);
  });
  return app;
}

function send(c: Context, asset: DashboardAsset): Response {
  const headers: Record<string, string> = {
    'content-type': asset.contentType,
    // Revalidate every time: names carry no version, and an upgrade must not leave stale code behind.
    'cache-control': 'no-cache',
    etag: asset.etag,
    'content-security-policy': DASHBOARD_CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    // The page may be opened with `?token=`: never send its URL elsewhere.
    'referrer-policy': 'no-referrer',
  };
  if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304, headers);
  return c.body(asset.body, 200, headers);
}

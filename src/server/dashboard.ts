import { Hono, type Context } from 'hono';
import { asset, loadDashboardAssets, type DashboardAsset } from './dashboard-assets.js';

/** The name the page's settings are served under. */
export const DASHBOARD_SETTINGS_ASSET = 'config.json';

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

export interface DashboardOptions {
  /**
   * Jaeger's UI, e.g. `http://localhost:16686`: each call with a trace ID links to
   * `<jaegerUrl>/trace/<traceId>`. Without it the page shows trace IDs without links.
   */
  readonly jaegerUrl?: string;
}

/** What the page reads at start from `/assets/config.json`: settings of this server, nothing secret. */
export interface DashboardSettings {
  readonly jaegerUrl?: string;
}

/**
 * The dashboard: `GET /` the page, `GET /assets/{name}` its modules, CSS and the chart library, all
 * read from the package's own files (no CDN, works offline), and `GET /assets/config.json` its
 * settings. It reads the report API under `/api/v1` of the same origin, so mount it beside
 * `createReportApp`'s routes. Its routes are exact, with no `*` middleware, so mounting it at `/`
 * touches no other route.
 *
 * @example
 * const app = createReportApp(createReports(), { dashboard: createDashboardApp({ jaegerUrl: 'http://localhost:16686' }) });
 */
export function createDashboardApp(options: DashboardOptions = {}): Hono {
  const { page, files } = loadDashboardAssets();
  const settings = settingsAsset(options);
  const app = new Hono();
  app.get('/', (c) => send(c, page));
  app.get(`/assets/${DASHBOARD_SETTINGS_ASSET}`, (c) => send(c, settings));
  app.get('/assets/:name', (c) => {
    const file = files.get(c.req.param('name'));
    return file === undefined ? c.text('Not Found', 404) : send(c, file);
  });
  return app;
}

/** The settings as JSON; a Jaeger URL that is not an absolute http(s) URL is refused here, not on a user's click. */
function settingsAsset({ jaegerUrl }: DashboardOptions): DashboardAsset {
  const settings: { jaegerUrl?: string } = {};
  if (jaegerUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(jaegerUrl);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new TypeError(`createDashboardApp: jaegerUrl must be an absolute http or https URL, got ${JSON.stringify(jaegerUrl)}`);
    }
    settings.jaegerUrl = url.href.replace(/\/+$/, '');
  }
  return asset(Buffer.from(JSON.stringify(settings satisfies DashboardSettings)), 'application/json; charset=utf-8');
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

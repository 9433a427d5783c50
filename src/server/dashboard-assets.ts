import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file the dashboard serves, read once when the app is created. */
export interface DashboardAsset {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly contentType: string;
  /** Strong validator: a hash of the body. */
  readonly etag: string;
}

export interface DashboardAssets {
  /** `index.html`, served at `/`. */
  readonly page: DashboardAsset;
  /** By file name, served at `/assets/{name}`: the page's modules and CSS, and the chart library. */
  readonly files: ReadonlyMap<string, DashboardAsset>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The name the chart library is served under. */
export const CHART_LIBRARY_ASSET = 'chart.umd.js';

/**
 * Reads the dashboard's files: the browser code checked in under `src/server/dashboard/` (shipped
 * as is, so the same path serves from the sources and from `dist/`) and Chart.js's UMD build from
 * node_modules. An allow-list by name: a request can only ever get one of these files.
 */
export function loadDashboardAssets(): DashboardAssets {
  const dir = join(packageRoot(), 'src', 'server', 'dashboard');
  const files = new Map<string, DashboardAsset>();
  for (const name of readdirSync(dir)) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType !== undefined && name !== 'index.html') files.set(name, asset(readFileSync(join(dir, name)), contentType));
  }
  files.set(CHART_LIBRARY_ASSET, asset(chartLibrary(), CONTENT_TYPES['.js'] as string));
  return { page: asset(readFileSync(join(dir, 'index.html')), CONTENT_TYPES['.html'] as string), files };
}

/** Chart.js's UMD build: self-contained, sets `window.Chart`. Its `exports` hide `dist/`, so go via the main entry. */
function chartLibrary(): Buffer {
  const main = createRequire(import.meta.url).resolve('chart.js');
  // The UMD build ends with a sourceMappingURL comment; the map is not served, so drop the reference.
  return Buffer.from(readFileSync(join(dirname(main), 'chart.umd.js'), 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
}

/** The nearest directory above this module with a package.json: the same from `src/server/` and `dist/src/server/`. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`toolperf dashboard: no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** A served file of `body`, with its strong ETag. */
export function asset(body: Buffer, contentType: string): DashboardAsset {
  return { body: new Uint8Array(body), contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

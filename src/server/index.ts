/**
 * toolperf/report-server: the report API over HTTP, OTLP ingest and the dashboard, as Hono apps
 * and a server that runs them. Its own entry, so that tracking never loads an HTTP framework.
 *
 * @example
 * import { createReports } from 'toolperf';
 * import { startReportServer } from 'toolperf/report-server';
 * const server = await startReportServer({ reports: createReports(), port: 0 });
 * console.log(`${server.url}/api/v1/sessions`);
 * await server.close();
 */
export { createReportApp, DEFAULT_MAX_BODY_BYTES } from './app.js';
export type { ReportAppOptions } from './app.js';
export { startReportServer } from './start.js';
export type { StartReportServerOptions, RunningReportServer } from './start.js';
export { ServerConfigError } from './server-config-error.js';
export { createDashboardApp } from './dashboard.js';
export type { DashboardOptions } from './dashboard.js';

/**
 * toolperf/exporters: what a host application that sets up its own OpenTelemetry SDK adds to it.
 * The reports' exporter is a SpanProcessor (and a SpanExporter): put `reports.exporter` among the
 * provider's span processors and hand `reports` to `createPerformance({ tracerProvider, reports })`.
 * The OTLP and Prometheus wiring of a tracker that builds its own providers is in `src/telemetry`.
 *
 * @example
 * import { createReports } from 'toolperf/exporters';
 * const reports = createReports({ dataDir: '/var/lib/agent' });
 * const provider = new NodeTracerProvider({ spanProcessors: [reports.exporter, myOtherProcessor] });
 */
export { createReports } from '../src/reports/reports.js';
export type { Reports, CreateReportsOptions } from '../src/reports/reports.js';
export type { SessionReportExporter } from '../src/reports/session-report-exporter.js';

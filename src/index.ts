/**
 * toolperf: per-session performance reports for AI coding-agent tools, on OpenTelemetry.
 *
 * @example
 * import { createPerformance, loadConfig } from 'toolperf';
 * const perf = createPerformance(await loadConfig());
 * const tools = perf.wrapTools({ read, grep, bash }, { sessionId: 'ses_1' });
 */

// Tracking
export { createPerformance } from './performance.js';
export type { Performance, PerformanceOptions, WrapToolsOptions } from './performance.js';
export { withSession, currentSessionId } from './session-context.js';
export type { Tool, ToolFunction, ExecutableTool, ToolArgs, WrapToolOptions } from './tool-types.js';
export type { ToolCall, StartCallOptions, EndCallOptions, FailCallOptions } from './tool-call.js';

// Configuration
export { loadConfig, DEFAULT_CONFIG_FILE } from './load-config.js';
export type { LoadConfigOptions } from './load-config.js';
export { resolveConfig, performanceConfigSchema, OTLP_PROTOCOLS } from './config.js';
export type { PerformanceConfig, PerformanceConfigInput, OtlpProtocol } from './config.js';
export { resolveOtlpSettings } from './otlp-settings.js';
export type { OtlpSettings } from './otlp-settings.js';
export { ConfigError } from './config-error.js';
export type { ConfigProblem } from './config-error.js';
export { defaultDataDir } from './data-dir.js';

// Reports
export { PerformanceAPI } from './performance-api.js';
export type { SessionQuery, OperationStatsQuery } from './performance-api.js';
export { REPORT_SCHEMA_VERSION } from './report.js';
export type {
  SessionReport,
  StoredSessionReport,
  OperationStats,
  DurationStats,
  RecentCall,
  SessionSummary,
} from './report.js';
export { SessionReportExporter } from '../exporters/session-report-exporter.js';
export type { SessionReportExporterOptions } from '../exporters/session-report-exporter.js';

// Report server
export { createReportApp, DEFAULT_MAX_BODY_BYTES } from './server/report-app.js';
export type { ReportAppOptions } from './server/report-app.js';
export { startReportServer } from './server/start-report-server.js';
export type { StartReportServerOptions, RunningReportServer } from './server/start-report-server.js';
export { ServerConfigError } from './server/server-config-error.js';
export { createDashboardApp } from './server/dashboard.js';
export type { SessionPageQuery, SessionPage, SessionPosition, ToolTrendsQuery } from './performance-api.js';
export type { ToolTrend, ToolTrendPoint } from './tool-trends.js';

// Storage
export type { ReportStore } from './report-store.js';
export type { SessionDigest, ToolDigest } from './session-digest.js';
export { FileReportStore, UnreadableReportError, REPORTS_SUBDIRECTORY } from './file-report-store.js';
export { InMemoryReportStore } from './memory-report-store.js';

// Session IDs, logging, names
export { InvalidSessionIdError, isValidSessionId, MAX_SESSION_ID_LENGTH } from './session-id.js';
export type { Logger } from './logger.js';
export {
  ATTR_SESSION_ID,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_TOOL_TYPE,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_ERROR_TYPE,
  ATTR_TOOLPERF_OPERATION_TYPE,
  ATTR_TOOLPERF_STATUS,
  METRIC_TOOL_DURATION,
  METRIC_TOOL_DURATION_BUCKETS,
  METRIC_TOOL_CALLS,
  OPERATION_TOOL_EXECUTION,
} from './semconv.js';

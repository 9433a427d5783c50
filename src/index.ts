/**
 * toolperf: per-session performance reports for AI coding-agent tools, on OpenTelemetry.
 * This entry holds tracking and reports; the report server is `toolperf/report-server`, the
 * integrations `toolperf/opencode`, `toolperf/ai` and `toolperf/mcp`.
 *
 * @example
 * import { createPerformance, loadConfig } from 'toolperf';
 * const perf = createPerformance(await loadConfig());
 * const tools = perf.wrapTools({ read, grep, bash }, { sessionId: 'ses_1' });
 */

// Tracking
export { createPerformance } from './performance.js';
export type { Performance, PerformanceOptions, WrapToolsOptions } from './performance.js';
export { withSession, currentSessionId } from './tracking/session-context.js';
export type { Tool, ToolFunction, ExecutableTool, ToolArgs, WrapToolOptions } from './tracking/tool-types.js';
export type { ToolCall, StartCallOptions, EndCallOptions, FailCallOptions } from './tracking/tool-call.js';

// Configuration
export { loadConfig, DEFAULT_CONFIG_FILE } from './config/load.js';
export type { LoadConfigOptions } from './config/load.js';
export { resolveConfig, OTLP_PROTOCOLS } from './config/schema.js';
export type { PerformanceConfig, PerformanceConfigInput, OtlpProtocol } from './config/schema.js';
export { ConfigError } from './config/errors.js';
export type { ConfigProblem } from './config/errors.js';
export { defaultDataDir } from './storage/data-dir.js';

// Reports
export { createReports } from './reports/reports.js';
export type { Reports, CreateReportsOptions, SessionQuery, OperationStatsQuery, ToolTrendsQuery, EndSessionOptions, CompareQuery } from './reports/reports.js';
export type {
  SessionComparison,
  OperationComparison,
  ToolComparison,
  ComparedStats,
  ComparedSide,
  ComparisonDelta,
} from './reports/compare/session-comparison.js';
export type {
  SessionListQuery,
  SessionPageQuery,
  SessionPage,
  SessionPosition,
  SessionFilter,
  SessionSort,
  SessionSortField,
  SortOrder,
} from './reports/session-query.js';
export { SESSION_SORT_FIELDS } from './reports/session-query.js';
export type { PruneQuery, PruneResult } from './reports/retention.js';
export { AlertOptionsError } from './reports/alerts/alert-rules.js';
export type { AlertsOptions, AlertRuleInput, AlertWebhookOptions, AlertOptionProblem } from './reports/alerts/alert-rules.js';
export { DEFAULT_ALERT_RULES } from './reports/alerts/default-rules.js';
export type { AlertQuery } from './reports/alerts/alert-listing.js';
export type { ListedAlert } from './reports/alerts/alert-text.js';
export type { SessionReportExporter } from './reports/session-report-exporter.js';
export type { CallRecord } from './reports/call-record.js';
export type { ToolTrend, ToolTrendPoint } from './reports/tool-trends.js';
export { REPORT_SCHEMA_VERSION, SESSION_STATUSES, ALERT_KINDS, ALERT_STATES, RECOMMENDATION_SEVERITIES, MAX_RECOMMENDATIONS } from './document/report.js';
export type {
  SessionAlert,
  AlertKind,
  AlertState,
  Recommendation,
  RecommendationSeverity,
  ListedSession,
  SessionStatus,
  SessionReport,
  StoredSessionReport,
  OperationStats,
  DurationStats,
  RecentCall,
  SessionSummary,
} from './document/report.js';

// Storage
export type { ReportStore, ReportMerge, StoredSessionPageQuery, StoredSessionPage, StoredToolTotals, StoredToolUse } from './storage/report-store.js';
export { WriteOutcomeUnknownError } from './storage/report-store.js';
export type { SessionDigest, ToolDigest } from './storage/session-digest.js';
export { FileReportStore, UnreadableReportError, CorruptReportError, REPORTS_SUBDIRECTORY } from './storage/file-store.js';
export type { FileReportStoreOptions } from './storage/file-store.js';
export { InMemoryReportStore } from './storage/memory-store.js';
export { PostgresReportStore } from './storage/postgres/postgres-store.js';
export type { PostgresReportStoreOptions } from './storage/postgres/postgres-store.js';

// Session IDs, logging, names
export { InvalidSessionIdError, isValidSessionId, MAX_SESSION_ID_LENGTH } from './util/session-id.js';
export type { Logger } from './util/logger.js';
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
} from './telemetry/semconv.js';

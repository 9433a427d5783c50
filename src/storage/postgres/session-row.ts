import type { StoredSessionReport } from '../../document/report.js';
import { digestOf, type ToolDigest } from '../session-digest.js';

/** Sessions per tool bucket: the sessions first written one after another share one (see `toolperf_tool_buckets`). */
export const SESSIONS_PER_BUCKET = 1024;

/** The columns of `toolperf_sessions` that a write sets, in `SESSION_COLUMNS`' order. */
export const SESSION_COLUMNS = [
  'report',
  'summary',
  'tool_figures',
  'started_at',
  'updated_at',
  'ended_at',
  'started_ms',
  'updated_ms',
  'calls',
  'errors',
  'tool_calls',
  'tool_errors',
  'error_rate',
  'duration_ms',
  'agent_name',
  'tools',
] as const;

/** A tool's figures as `tool_figures` holds them: `[operationType, toolName, calls, errors, p50Ms, p95Ms]`. */
type ToolFigures = [string, string, number, number, number, number];

/** The session row's values (after `session_id`), in `SESSION_COLUMNS`' order, and the tool rows. */
export interface SessionRow {
  readonly values: unknown[];
  readonly tools: ToolRows;
}

/** Column arrays for one `unnest` insert of a session's tools. */
export interface ToolRows {
  readonly operationTypes: string[];
  readonly toolNames: string[];
  readonly calls: number[];
  readonly errors: number[];
  readonly p50Ms: number[];
  readonly p95Ms: number[];
  readonly states: string[];
}

export function sessionRow(report: StoredSessionReport): SessionRow {
  const { summary, tools } = digestOf(report);
  const figures: ToolFigures[] = tools.map((t) => [t.operationType, t.toolName, t.calls, t.errors, t.p50Ms, t.p95Ms]);
  const values = [
    JSON.stringify(report),
    JSON.stringify(summary),
    JSON.stringify(figures),
    summary.startedAt,
    summary.updatedAt,
    summary.endedAt ?? null,
    Date.parse(summary.startedAt),
    Date.parse(summary.updatedAt),
    summary.calls,
    summary.errors,
    summary.toolCalls,
    summary.toolErrors,
    summary.errorRate,
    summary.durationMs,
    summary.agent?.name ?? null,
    summary.tools,
  ];
  return { values, tools: toolRows(report, tools) };
}

function toolRows(report: StoredSessionReport, tools: readonly ToolDigest[]): ToolRows {
  const rows: ToolRows = { operationTypes: [], toolNames: [], calls: [], errors: [], p50Ms: [], p95Ms: [], states: [] };
  for (const tool of tools) {
    const state = report.aggregates[tool.operationType]?.tools[tool.toolName];
    // A report's figures come from its merge state: a tool without one has nothing to merge.
    if (state === undefined || tool.calls === 0) continue;
    rows.operationTypes.push(tool.operationType);
    rows.toolNames.push(tool.toolName);
    rows.calls.push(tool.calls);
    rows.errors.push(tool.errors);
    rows.p50Ms.push(tool.p50Ms);
    rows.p95Ms.push(tool.p95Ms);
    rows.states.push(JSON.stringify(state));
  }
  return rows;
}

/** A row's `tool_figures` back as tool digests. */
export function toolDigestsOf(figures: readonly ToolFigures[]): ToolDigest[] {
  return figures.map(([operationType, toolName, calls, errors, p50Ms, p95Ms]) => ({ operationType, toolName, calls, errors, p50Ms, p95Ms }));
}


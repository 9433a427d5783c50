import { summarize, type SessionReport, type SessionSummary } from '../document/report.js';

/** One tool's figures in one session, as the cross-session tool view needs them (no sketch). */
export interface ToolDigest {
  readonly operationType: string;
  readonly toolName: string;
  readonly calls: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

/**
 * A stored session in a few hundred bytes: its list line and per-tool figures. Stores that keep
 * digests hand out the same object while a report is unchanged, so callers may cache by identity.
 */
export interface SessionDigest {
  readonly summary: SessionSummary;
  readonly tools: readonly ToolDigest[];
}

export function digestOf(report: SessionReport): SessionDigest {
  const tools: ToolDigest[] = [];
  for (const [operationType, operation] of Object.entries(report.operations)) {
    for (const [toolName, stats] of Object.entries(operation.tools)) {
      tools.push({ operationType, toolName, calls: stats.count, errors: stats.errors, p50Ms: stats.p50Ms, p95Ms: stats.p95Ms });
    }
  }
  return { summary: summarize(report), tools };
}

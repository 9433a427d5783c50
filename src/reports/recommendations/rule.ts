import type { OperationStats, RecentCall, Recommendation } from '../../document/report.js';

/** A recent call with its times read once: epoch milliseconds. */
export interface TimedCall {
  readonly call: RecentCall;
  readonly startMs: number;
  readonly endMs: number;
}

/** What every rule reads: the session's statistics (exact, over every call) and its recent calls (the last `maxMetrics`). */
export interface RuleInput {
  readonly operations: Readonly<Record<string, OperationStats>>;
  /** Oldest start first. */
  readonly recent: readonly TimedCall[];
  /** The recent calls of each tool (by operation type and tool), oldest start first. */
  readonly byTool: ReadonlyMap<string, ToolCalls>;
}

/** One tool's recent calls. */
export interface ToolCalls {
  readonly operationType: string;
  readonly tool: string;
  readonly calls: TimedCall[];
}

/** One recommendation rule: what it finds in a session, for each tool it concerns. */
export type Rule = (input: RuleInput) => Recommendation[];

/** Milliseconds as reports show them: to the microsecond. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** A ratio or share to three decimals. */
export function roundRatio(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** `ms` for a sentence: `850 ms`, `3.4 s`, `2.1 min`. */
export function formatMs(ms: number): string {
  if (ms < 1) return `${roundRatio(ms)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

/** `0.9` as `90%`. */
export function formatShare(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** Each recent call of each tool, by operation type and tool name, oldest first. */
export function callsByTool(recent: readonly TimedCall[]): Map<string, ToolCalls> {
  const byTool = new Map<string, ToolCalls>();
  for (const timed of recent) {
    const key = `${timed.call.operationType}\u0000${timed.call.toolName}`;
    let entry = byTool.get(key);
    if (entry === undefined) byTool.set(key, (entry = { operationType: timed.call.operationType, tool: timed.call.toolName, calls: [] }));
    entry.calls.push(timed);
  }
  return byTool;
}


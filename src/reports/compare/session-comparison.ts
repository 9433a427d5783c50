import { summarize, type DurationStats, type SessionSummary, type StatsState, type StoredSessionReport } from '../../document/report.js';
import { RunningStats } from '../running-stats.js';
import { holmAdjusted, isSignificant, latencyTest, type LatencyTest } from './significance.js';
import { ownEntry } from '../../util/own-record.js';

/** One side's figures for a tool or an operation type. */
export interface ComparedSide {
  readonly count: number;
  readonly errors: number;
  /** 0 to 1. */
  readonly errorRate: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
}

/** How `b` differs from `a`: ratios b / a (null where a's is 0), and the change of error rate. */
export interface ComparisonDelta {
  readonly p50Ratio: number | null;
  readonly p95Ratio: number | null;
  readonly p99Ratio: number | null;
  readonly meanRatio: number | null;
  /** b's error rate minus a's, −1 to 1. */
  readonly errorRateChange: number;
}

/** A tool (or a whole operation type) in both sessions. */
export interface ComparedStats {
  /** Null when session a has no such calls. */
  readonly a: ComparedSide | null;
  readonly b: ComparedSide | null;
  /** Null unless both sides have calls. */
  readonly delta: ComparisonDelta | null;
  /**
   * The rank test's two-sided p-value, Holm-adjusted over every test of the comparison (each tool
   * and operation type with enough calls); null when a side has too few (see `MIN_CALLS_PER_SIDE`).
   */
  readonly pValue: number | null;
  /** Durations shifted beyond noise: adjusted p < 0.01 and p50s at least 1.2× apart. */
  readonly significant: boolean;
}

export interface ToolComparison extends ComparedStats {
  readonly toolName: string;
}

export interface OperationComparison extends ComparedStats {
  readonly operationType: string;
  /** Most calls (both sides) first. */
  readonly tools: ToolComparison[];
}

/** Two sessions side by side: `a` the baseline, `b` the one compared with it. */
export interface SessionComparison<S extends SessionSummary = SessionSummary> {
  readonly a: S;
  readonly b: S;
  /** Most calls (both sides) first. */
  readonly operations: OperationComparison[];
}

/**
 * Session `b` against session `a`, per operation type and per tool: both sides' figures, their
 * ratios, and whether the durations shifted beyond noise (a rank test on the two sketches). Pure:
 * the stored reports in, the comparison out. Throws if a stored sketch does not decode (the stores
 * check them when they read a report).
 */
export function compareReports(a: StoredSessionReport, b: StoredSessionReport): SessionComparison {
  const types = union(Object.keys(a.aggregates), Object.keys(b.aggregates));
  const compared = types.map((type) => {
    const opA = ownEntry(a.aggregates, type);
    const opB = ownEntry(b.aggregates, type);
    const names = union(Object.keys(opA?.tools ?? {}), Object.keys(opB?.tools ?? {}));
    return {
      type,
      all: compareStates(opA?.all, opB?.all),
      tools: names.map((name) => ({ name, row: compareStates(ownEntry(opA?.tools, name), ownEntry(opB?.tools, name)) })),
    };
  });
  // Every test of the comparison is adjusted together (Holm), then each row takes its verdict.
  const rows = compared.flatMap(({ all, tools }) => [all, ...tools.map((t) => t.row)]);
  const adjusted = holmAdjusted(rows.map((row) => row.test?.pValue ?? null));
  const verdicts = new Map(rows.map((row, i) => [row, adjusted[i] ?? null] as const));
  const settle = (row: Row): ComparedStats => {
    const pValue = verdicts.get(row) ?? null;
    return row.test === undefined ? row.stats : { ...row.stats, pValue, significant: isSignificant(pValue, row.test.large) };
  };
  const operations = compared.map(({ type, all, tools }): OperationComparison => ({
    operationType: type,
    ...settle(all),
    tools: tools.map(({ name, row }) => ({ toolName: name, ...settle(row) })).sort(byCalls((t) => t.toolName)),
  }));
  return { a: summarize(a), b: summarize(b), operations: operations.sort(byCalls((o) => o.operationType)) };
}

/** A row before the p-values are adjusted: its figures, and its rank test when both sides have calls. */
interface Row {
  readonly stats: ComparedStats;
  readonly test?: LatencyTest;
}

/** Both sides' figures and deltas, and the rank test when both sides have calls. */
function compareStates(stateA: StatsState | undefined, stateB: StatsState | undefined): Row {
  const statsA = stateA === undefined || stateA.count === 0 ? undefined : RunningStats.fromState(stateA);
  const statsB = stateB === undefined || stateB.count === 0 ? undefined : RunningStats.fromState(stateB);
  const a = statsA?.toStats();
  const b = statsB?.toStats();
  if (statsA === undefined || statsB === undefined || a === undefined || b === undefined) {
    return { stats: { a: a ? side(a) : null, b: b ? side(b) : null, delta: null, pValue: null, significant: false } };
  }
  const delta: ComparisonDelta = {
    p50Ratio: ratio(b.p50Ms, a.p50Ms),
    p95Ratio: ratio(b.p95Ms, a.p95Ms),
    p99Ratio: ratio(b.p99Ms, a.p99Ms),
    meanRatio: ratio(b.meanMs, a.meanMs),
    errorRateChange: round4(errorRate(b) - errorRate(a)),
  };
  return { stats: { a: side(a), b: side(b), delta, pValue: null, significant: false }, test: latencyTest(statsA, statsB, a.p50Ms, b.p50Ms) };
}

function side(stats: DurationStats): ComparedSide {
  const { count, errors, meanMs, p50Ms, p95Ms, p99Ms } = stats;
  return { count, errors, errorRate: errorRate(stats), meanMs, p50Ms, p95Ms, p99Ms };
}

function errorRate(stats: DurationStats): number {
  return stats.count === 0 ? 0 : round4(stats.errors / stats.count);
}

function ratio(value: number, base: number): number | null {
  return base > 0 ? round4(value / base) : null;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** Most calls on both sides first, then by name. */
function byCalls<T extends ComparedStats>(name: (item: T) => string): (x: T, y: T) => number {
  const calls = (item: T): number => (item.a?.count ?? 0) + (item.b?.count ?? 0);
  return (x, y) => calls(y) - calls(x) || (name(x) < name(y) ? -1 : name(x) > name(y) ? 1 : 0);
}

function union(x: readonly string[], y: readonly string[]): string[] {
  return [...new Set([...x, ...y])];
}

import type { StatsState } from '../../document/report.js';
import { mannWhitneyU } from '../compare/mann-whitney.js';
import { RunningStats } from '../running-stats.js';
import type { RegressionRule } from './alert-rules.js';
import type { Baseline } from './tool-baseline.js';

/** A session's tool against its baseline, as a `regression` rule tests it. */
export interface RegressionReading {
  readonly sessionCalls: number;
  readonly baselineCalls: number;
  readonly baselineSessions: number;
  readonly sessionP50Ms: number;
  readonly baselineP50Ms: number;
  /** Session p50 over baseline p50. */
  readonly p50Ratio: number;
  /** Mann–Whitney U of the session's side, and the two-sided p-value. */
  readonly u: number;
  readonly pValue: number;
  /** Slower beyond noise: ratio ≥ `minRatio`, p50 up by ≥ `minDeltaMs`, p < `maxPValue`, and the session's side ranks higher. */
  readonly regressed: boolean;
}

/** p50s are compared from 1 µs up, as the comparison does: a 0 ms p50 is no reason for an infinite ratio. */
const P50_FLOOR_MS = 0.001;

/**
 * The rule's test of the session's calls of a tool (`session`, its stored state) against the
 * tool's baseline: undefined while either side has fewer than `minCalls` calls or the baseline
 * fewer than `minBaselineSessions` sessions (too little to tell). Both an effect size (the p50
 * ratio) and a rank test (Mann–Whitney U on the sketches' shared bin index, values within one bin
 * being ties) must say "slower": a large ratio on few calls, or a tiny shift on many, never fires.
 */
export function testRegression(rule: RegressionRule, session: StatsState, baseline: Baseline): RegressionReading | undefined {
  if (session.count < rule.minCalls || baseline.stats.count < rule.minCalls || baseline.sessionIds.length < rule.minBaselineSessions) return undefined;
  const current = RunningStats.fromState(session);
  const sessionP50Ms = current.toStats().p50Ms;
  const baselineP50Ms = baseline.stats.toStats().p50Ms;
  const p50Ratio = Math.max(sessionP50Ms, P50_FLOOR_MS) / Math.max(baselineP50Ms, P50_FLOOR_MS);
  const test = mannWhitneyU(current.binCounts(), baseline.stats.binCounts());
  return {
    sessionCalls: session.count,
    baselineCalls: baseline.stats.count,
    baselineSessions: baseline.sessionIds.length,
    sessionP50Ms,
    baselineP50Ms,
    p50Ratio: Math.round(p50Ratio * 1000) / 1000,
    u: test.u,
    pValue: test.pValue,
    regressed: p50Ratio >= rule.minRatio && sessionP50Ms - baselineP50Ms >= rule.minDeltaMs && test.pValue < rule.maxPValue && test.z > 0,
  };
}

import { MAX_RECOMMENDATIONS, type Recommendation, type RecommendationSeverity, type SessionReport } from '../../document/report.js';
import { dominantTool } from './dominant-tool.js';
import { errorHotspot } from './error-hotspot.js';
import { heavyTail } from './heavy-tail.js';
import { redundantCalls } from './redundant-calls.js';
import { retryLoop } from './retry-loop.js';
import { callsByTool, type Rule, type TimedCall } from './rule.js';
import { serialCalls } from './serial-calls.js';

/** Every rule, each in its own file with its thresholds. */
export const RULES: readonly Rule[] = [dominantTool, heavyTail, errorHotspot, redundantCalls, retryLoop, serialCalls];

const SEVERITY_ORDER: Readonly<Record<RecommendationSeverity, number>> = { critical: 0, warning: 1, info: 2 };

/**
 * What to change in a session, from its own numbers: every rule's findings, the largest estimated
 * saving first (then the most severe), at most `MAX_RECOMMENDATIONS`. Pure and cheap (a pass over
 * the tools and one over the recent calls per rule): reports compute it whenever they are made.
 */
export function recommend(report: Pick<SessionReport, 'operations' | 'recent'>): Recommendation[] {
  const recent: TimedCall[] = report.recent.map((call) => {
    const startMs = Date.parse(call.startedAt);
    return { call, startMs, endMs: startMs + call.durationMs };
  });
  recent.sort((a, b) => a.startMs - b.startMs);
  const input = { operations: report.operations, recent, byTool: callsByTool(recent) };
  // A number that is not one would make the stored report fail its check on the next read: such a finding is left out.
  const found = RULES.flatMap((rule) => rule(input)).filter(allFinite);
  found.sort((a, b) => b.estimatedSavingMs - a.estimatedSavingMs || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  return found.slice(0, MAX_RECOMMENDATIONS);
}

function allFinite(recommendation: Recommendation): boolean {
  return Number.isFinite(recommendation.estimatedSavingMs) && Object.values(recommendation.evidence).every((value) => typeof value === 'string' || Number.isFinite(value));
}

/** `report` with its recommendations: made now for a report written before there were any. */
export function withRecommendations(report: SessionReport | undefined): SessionReport | undefined {
  return report === undefined || report.recommendations !== undefined ? report : { ...report, recommendations: recommend(report) };
}

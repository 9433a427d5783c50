import type { Recommendation } from '../../document/report.js';
import { formatMs, roundMs, roundRatio, type Rule } from './rule.js';

/** Repeated calls a tool needs (among the recent calls) before they are worth a recommendation. */
export const REDUNDANT_MIN_REPEATS = 3;
/** ... and their share of the tool's fingerprinted recent calls. */
export const REDUNDANT_MIN_SHARE = 0.1;
/** From this share on, `warning` rather than `info`. */
export const REDUNDANT_WARNING_SHARE = 0.5;

/**
 * `redundant-calls`: a tool called again with arguments it already succeeded with in the session
 * (equal argument fingerprints: `fingerprintArguments`). A call again after a failure is a retry
 * (`retry-loop`), not counted here. Read from the recent calls (the last `maxMetrics`). The saving
 * estimated: the repeated calls' own time.
 */
export const redundantCalls: Rule = ({ byTool }) => {
  const found: Recommendation[] = [];
  for (const { operationType, tool, calls } of byTool.values()) {
    const succeeded = new Map<string, number>();
    let fingerprinted = 0;
    let repeated = 0;
    let repeatedMs = 0;
    for (const { call } of calls) {
      const fingerprint = call.argumentsFingerprint;
      if (fingerprint === undefined) continue;
      fingerprinted++;
      const before = succeeded.get(fingerprint) ?? 0;
      if (before > 0) {
        repeated++;
        repeatedMs += call.durationMs;
      }
      if (call.ok) succeeded.set(fingerprint, before + 1);
    }
    if (repeated < REDUNDANT_MIN_REPEATS) continue;
    const share = repeated / fingerprinted;
    if (share < REDUNDANT_MIN_SHARE) continue;
    const mostRepeated = Math.max(...succeeded.values());
    found.push({
      kind: 'redundant-calls',
      operationType,
      tool,
      severity: share >= REDUNDANT_WARNING_SHARE ? 'warning' : 'info',
      evidence: { fingerprintedCalls: fingerprinted, repeatedCalls: repeated, share: roundRatio(share), distinctArguments: succeeded.size, mostRepeated },
      estimatedSavingMs: roundMs(repeatedMs),
      advice:
        `${tool} was called ${repeated} times with arguments it had already succeeded with (one set ${mostRepeated} times, ${succeeded.size} distinct in all). ` +
        `If its result cannot have changed in between, cache it in the tool or keep it in the agent's context: that would have saved ${formatMs(repeatedMs)}.`,
    });
  }
  return found;
};

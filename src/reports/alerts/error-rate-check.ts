import type { StoredSessionReport } from '../../document/report.js';
import { ownEntry } from '../../util/own-record.js';
import type { ErrorRateRule } from './alert-rules.js';

/** A tool's error rate as an `error-rate` rule sees it, and whether it is over the rule's threshold. */
export interface ErrorRateReading {
  readonly calls: number;
  readonly errors: number;
  readonly rate: number;
  /** Over the threshold with at least `minCalls` calls. */
  readonly over: boolean;
  /** `session`, or `last <n> calls` with a window. */
  readonly scope: string;
}

/**
 * The tool's error rate in the session's report: over every call of the session, or with
 * `windowCalls` over its last calls among the session's recent calls (`maxMetrics` of them).
 */
export function readErrorRate(rule: ErrorRateRule, report: StoredSessionReport, operationType: string, toolName: string): ErrorRateReading | undefined {
  let calls: number;
  let errors: number;
  if (rule.windowCalls === undefined) {
    const stats = ownEntry(ownEntry(report.operations, operationType)?.tools, toolName);
    if (stats === undefined) return undefined;
    calls = stats.count;
    errors = stats.errors;
  } else {
    calls = 0;
    errors = 0;
    for (let i = report.recent.length - 1; i >= 0 && calls < rule.windowCalls; i--) {
      const call = report.recent[i];
      if (call === undefined || call.operationType !== operationType || call.toolName !== toolName) continue;
      calls++;
      if (!call.ok) errors++;
    }
  }
  const rate = calls === 0 ? 0 : errors / calls;
  return { calls, errors, rate, over: calls >= rule.minCalls && rate > rule.threshold, scope: rule.windowCalls === undefined ? 'session' : `last ${rule.windowCalls} calls` };
}

import type { Recommendation } from '../../document/report.js';
import { adviceForErrorType } from './error-advice.js';
import { formatMs, formatShare, roundMs, roundRatio, type Rule } from './rule.js';

/** Failures a tool needs before their types mean anything. */
export const ERROR_HOTSPOT_MIN_ERRORS = 3;
/** One error type's share of a tool's failures from which it is the hot spot. */
export const ERROR_HOTSPOT_SHARE = 0.6;
/** The tool's error rate from which the hot spot is a `warning` ... */
export const ERROR_HOTSPOT_WARNING_RATE = 0.2;
/** ... and a `critical` one. Below both, `info`. */
export const ERROR_HOTSPOT_CRITICAL_RATE = 0.5;

/**
 * `error-hotspot`: most failures of a tool share one error type; the advice says what that type
 * usually means (the error vocabulary's kinds). The saving estimated: those failed calls at the
 * tool's mean duration (the model's turns spent on them come on top, and are not counted).
 */
export const errorHotspot: Rule = ({ operations }) => {
  const found: Recommendation[] = [];
  for (const [operationType, operation] of Object.entries(operations)) {
    for (const [tool, stats] of Object.entries(operation.tools)) {
      if (stats.errors < ERROR_HOTSPOT_MIN_ERRORS) continue;
      let top: [string, number] | undefined;
      for (const entry of Object.entries(stats.errorTypes)) if (top === undefined || entry[1] > top[1]) top = entry;
      if (top === undefined) continue;
      const [errorType, errorsOfType] = top;
      const share = errorsOfType / stats.errors;
      if (share < ERROR_HOTSPOT_SHARE) continue;
      const errorRate = stats.errors / stats.count;
      const { kind, advice } = adviceForErrorType(errorType);
      const saving = errorsOfType * stats.meanMs;
      found.push({
        kind: 'error-hotspot',
        operationType,
        tool,
        severity: errorRate >= ERROR_HOTSPOT_CRITICAL_RATE ? 'critical' : errorRate >= ERROR_HOTSPOT_WARNING_RATE ? 'warning' : 'info',
        evidence: {
          calls: stats.count,
          errors: stats.errors,
          errorRate: roundRatio(errorRate),
          errorType,
          ...(kind !== undefined && kind !== errorType ? { errorKind: kind } : {}),
          errorsOfType,
          share: roundRatio(share),
        },
        estimatedSavingMs: roundMs(saving),
        advice:
          `${formatShare(share)} of ${tool}'s ${stats.errors} failures are ${errorType} (${errorsOfType} of ${stats.count} calls): ${advice}. ` +
          `Those calls took about ${formatMs(saving)}, besides the model's turns spent on them.`,
      });
    }
  }
  return found;
};

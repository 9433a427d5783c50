import type { Recommendation } from '../../document/report.js';
import { formatMs, roundMs, type Rule } from './rule.js';

/** Retries (a call with the same arguments right after the tool's previous call failed) a tool needs for a loop. */
export const RETRY_LOOP_MIN_RETRIES = 3;
/** A run of this many retries in a row is `critical`. */
export const RETRY_LOOP_CRITICAL_STREAK = 5;

/**
 * `retry-loop`: after a failed call, the tool is called again with the same arguments (equal
 * fingerprints: `fingerprintArguments`), again and again. Read from the recent calls. Retries that
 * failed again are the loop (`warning`, or `critical` for a long run); when every retry succeeded
 * the tool fails now and then and is retried (`info`). The saving estimated: the retries that
 * failed again.
 */
export const retryLoop: Rule = ({ byTool }) => {
  const found: Recommendation[] = [];
  for (const { operationType, tool, calls } of byTool.values()) {
    let previous: (typeof calls)[number]['call'] | undefined;
    let retries = 0;
    let failedRetries = 0;
    let wastedMs = 0;
    let streak = 0;
    let longestStreak = 0;
    const causes = new Map<string, number>();
    for (const { call } of calls) {
      const fingerprint = call.argumentsFingerprint;
      const isRetry = fingerprint !== undefined && previous !== undefined && !previous.ok && previous.argumentsFingerprint === fingerprint;
      if (isRetry) {
        retries++;
        streak++;
        longestStreak = Math.max(longestStreak, streak);
        const cause = previous?.errorType ?? '_OTHER';
        causes.set(cause, (causes.get(cause) ?? 0) + 1);
        if (!call.ok) {
          failedRetries++;
          wastedMs += call.durationMs;
        }
      } else {
        streak = 0;
      }
      previous = call;
    }
    if (retries < RETRY_LOOP_MIN_RETRIES) continue;
    const [errorType] = [...causes].reduce((a, b) => (b[1] > a[1] ? b : a));
    const loops = failedRetries > 0;
    found.push({
      kind: 'retry-loop',
      operationType,
      tool,
      severity: !loops ? 'info' : longestStreak >= RETRY_LOOP_CRITICAL_STREAK ? 'critical' : 'warning',
      evidence: { retries, failedRetries, longestStreak, errorType },
      estimatedSavingMs: roundMs(wastedMs),
      advice: loops
        ? `${tool} was called again with the same arguments after failing (${errorType}) ${retries} times, ${failedRetries} of them failing again ` +
          `(up to ${longestStreak} in a row): the failure does not go away by itself. Make the tool's error say what to change, so that the ` +
          `model changes its arguments rather than repeating them; the repeats that failed took ${formatMs(wastedMs)}.`
        : `${tool} failed (${errorType}) and succeeded when called again with the same arguments ${retries} times: a transient failure. ` +
          'Retry inside the tool (with backoff) and save the model a turn each time.',
    });
  }
  return found;
};

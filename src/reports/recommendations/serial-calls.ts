import type { Recommendation } from '../../document/report.js';
import { OPERATION_TOOL_EXECUTION } from '../../telemetry/semconv.js';
import { isReadOnlyTool } from './read-only-tools.js';
import { formatMs, roundMs, type Rule, type TimedCall } from './rule.js';

/** A call that starts within this long of the previous one's end follows it in the same turn (the model's turns take longer). */
export const SERIAL_MAX_GAP_MS = 100;
/** Recent calls' starts are kept to the millisecond: a call starting this little before the previous one's end still follows it. */
export const SERIAL_CLOCK_SLACK_MS = 1;
/** Read-only calls in a row, none overlapping another, that make a serial run. */
export const SERIAL_MIN_RUN = 3;
/** Calls of a tool in serial runs (among the recent calls) before they are worth a recommendation. */
export const SERIAL_MIN_CALLS = 3;
/** From this estimated saving on, `warning` rather than `info`. */
export const SERIAL_WARNING_SAVING_MS = 1000;

/**
 * `serial-calls`: read-only tool calls (`isReadOnlyTool`) that ran one after another, each starting
 * as the previous one ended, where they could have run at once. Read from the recent tool calls.
 * The saving estimated: per run, its calls' time less its longest call's (what running them at once
 * takes), shared out to the run's tools by their time in it.
 */
export const serialCalls: Rule = ({ recent }) => {
  const perTool = new Map<string, { runs: number; calls: number; serialMs: number; savingMs: number; longestRun: number }>();
  for (const run of serialRuns(recent.filter(({ call }) => call.operationType === OPERATION_TOOL_EXECUTION))) {
    let serialMs = 0;
    let longestMs = 0;
    for (const { call } of run) {
      serialMs += call.durationMs;
      longestMs = Math.max(longestMs, call.durationMs);
    }
    const savingMs = serialMs - longestMs;
    const seen = new Set<string>();
    for (const { call } of run) {
      const entry = perTool.get(call.toolName) ?? { runs: 0, calls: 0, serialMs: 0, savingMs: 0, longestRun: 0 };
      perTool.set(call.toolName, entry);
      if (!seen.has(call.toolName)) {
        seen.add(call.toolName);
        entry.runs++;
        entry.longestRun = Math.max(entry.longestRun, run.length);
      }
      entry.calls++;
      entry.serialMs += call.durationMs;
      entry.savingMs += serialMs > 0 ? (savingMs * call.durationMs) / serialMs : 0;
    }
  }
  const found: Recommendation[] = [];
  for (const [tool, { runs, calls, serialMs, savingMs, longestRun }] of perTool) {
    if (calls < SERIAL_MIN_CALLS) continue;
    found.push({
      kind: 'serial-calls',
      operationType: OPERATION_TOOL_EXECUTION,
      tool,
      severity: savingMs >= SERIAL_WARNING_SAVING_MS ? 'warning' : 'info',
      evidence: { callsInRuns: calls, runs, longestRun, serialMs: roundMs(serialMs) },
      estimatedSavingMs: roundMs(savingMs),
      advice:
        `${calls} read-only calls of ${tool} ran one after another (${runs} ${runs === 1 ? 'run' : 'runs'} of up to ${longestRun} read-only calls, each starting within ` +
        `${SERIAL_MAX_GAP_MS} ms of the previous one's end, none overlapping): they change nothing, so they could run at once. Run the agent's ` +
        `read-only calls in parallel, or let the model ask for them together; that would save about ${formatMs(savingMs)}.`,
    });
  }
  return found;
};

/** Runs of at least `SERIAL_MIN_RUN` read-only calls, each starting at or after the previous one's end and within `SERIAL_MAX_GAP_MS` of it. */
function serialRuns(calls: readonly TimedCall[]): TimedCall[][] {
  const readOnly = new Map<string, boolean>();
  const isReadOnly = (name: string): boolean => {
    let known = readOnly.get(name);
    if (known === undefined) readOnly.set(name, (known = isReadOnlyTool(name)));
    return known;
  };
  const runs: TimedCall[][] = [];
  let run: TimedCall[] = [];
  let runEndMs = -Infinity;
  const close = (): void => {
    if (run.length >= SERIAL_MIN_RUN) runs.push(run);
    run = [];
  };
  for (const timed of calls) {
    if (!isReadOnly(timed.call.toolName)) {
      close();
      runEndMs = Math.max(runEndMs, timed.endMs);
      continue;
    }
    const follows = run.length > 0 && timed.startMs >= runEndMs - SERIAL_CLOCK_SLACK_MS && timed.startMs - runEndMs <= SERIAL_MAX_GAP_MS;
    if (!follows) close();
    run.push(timed);
    runEndMs = Math.max(runEndMs, timed.endMs);
  }
  close();
  return runs;
}

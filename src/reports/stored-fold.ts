import type { ReportStore } from '../storage/report-store.js';
import type { AgentInfo, DurationStats, OperationStats, RecentCall, StatsState, StoredOperationState, StoredSessionReport } from '../document/report.js';
import { ERROR_TYPE_OTHER } from '../telemetry/semconv.js';
import { ownEntry, setEntry } from '../util/own-record.js';
import { RunningStats } from './running-stats.js';
import { recommend } from './recommendations/recommend.js';
import { MAX_OPERATION_TYPES, MAX_TOOLS_PER_OPERATION, SessionAggregate, sessionTimes, toRecent } from './session-aggregate.js';

/**
 * `stored` with the calls of `delta` added, `delta` being the later of the two (its end, or the
 * reopening its calls make, wins). Merged at the level of the document: only the operation types
 * and tools that `delta` touched are decoded and encoded again, and the stored recent calls stay as
 * they are, so a write costs what the calls since the last write cost, not what the whole session
 * does (rebuilding the session from its document for every write made writes half again slower).
 * The same caps as `SessionAggregate`: a name past them counts under `_OTHER`. The session's
 * recommendations are made again from the result (an empty list: none), so a stored report carries
 * those of its own numbers; `recommending: false` leaves them out, for a result folded again at once.
 */
export function foldIntoStored(stored: StoredSessionReport | undefined, delta: SessionAggregate, recommending = true): StoredSessionReport {
  const next = stored === undefined ? delta.toStored() : foldedInto(stored, delta);
  return recommending ? { ...next, recommendations: recommend(next) } : next;
}

function foldedInto(stored: StoredSessionReport, delta: SessionAggregate): StoredSessionReport {
  const aggregates: Record<string, StoredOperationState> = { ...stored.aggregates };
  const operations: Record<string, OperationStats> = { ...stored.operations };
  for (const [type, op] of delta.operationEntries()) {
    const key = cappedKey(aggregates, type, MAX_OPERATION_TYPES);
    const before = ownEntry(aggregates, key);
    const all = merged(before?.all, op.all);
    const toolStates: Record<string, StatsState> = { ...before?.tools };
    const toolStats: Record<string, DurationStats> = { ...ownEntry(operations, key)?.tools };
    for (const [name, stats] of op.tools) {
      const toolKey = cappedKey(toolStates, name, MAX_TOOLS_PER_OPERATION);
      const tool = merged(ownEntry(toolStates, toolKey), stats);
      setEntry(toolStates, toolKey, tool.toState());
      setEntry(toolStats, toolKey, tool.toStats());
    }
    setEntry(aggregates, key, { all: all.toState(), tools: toolStates });
    setEntry(operations, key, { ...all.toStats(), tools: toolStats });
  }
  const reopenedOrEnded = delta.calls > 0 || delta.endTimeMs !== undefined;
  const storedEnd = stored.endedAt === undefined ? undefined : Date.parse(stored.endedAt);
  const times = sessionTimes(
    Math.min(Date.parse(stored.startedAt), delta.startTimeMs),
    Math.max(Date.parse(stored.updatedAt), delta.updateTimeMs),
    reopenedOrEnded ? delta.endTimeMs : storedEnd,
  );
  return {
    schemaVersion: stored.schemaVersion,
    sessionId: stored.sessionId,
    ...times,
    ...agentOf(delta.agent ?? stored.agent),
    operations,
    recent: mergedRecent(stored.recent, delta.recentCalls().map(toRecent), delta.maxRecent),
    aggregates,
    ...(stored.alerts ? { alerts: stored.alerts } : {}),
    ...(stored.writers ? { writers: stored.writers } : {}),
  };
}

function agentOf(agent: AgentInfo | undefined): { agent?: AgentInfo } {
  return agent === undefined ? {} : { agent: { ...agent } };
}

/** `name`, or `_OTHER` when `record` has no entry for it and already holds `cap` names. */
function cappedKey(record: Record<string, unknown>, name: string, cap: number): string {
  return Object.hasOwn(record, name) || Object.keys(record).length < cap ? name : ERROR_TYPE_OTHER;
}

function merged(state: StatsState | undefined, stats: RunningStats): RunningStats {
  const result = state === undefined ? new RunningStats() : RunningStats.fromState(state);
  result.merge(stats);
  return result;
}

/**
 * Both lists by end time (calls arrive as they end), the last `max` kept. Each new call is put in
 * its place from the end, where it almost always belongs: sorting the whole list parsed a thousand
 * dates a write (2 ms, measured).
 */
function mergedRecent(stored: readonly RecentCall[], added: readonly RecentCall[], max: number): RecentCall[] {
  // One sort by end time (each parsed once; ties keep stored before added, and their own order),
  // not an insertion per added call: a busy ingest session adds thousands a write to a full ring.
  const keyed = [...stored, ...added].map((call, index) => ({ call, end: endOf(call), index }));
  keyed.sort((a, b) => a.end - b.end || a.index - b.index);
  return keyed.slice(Math.max(0, keyed.length - max)).map((entry) => entry.call);
}
function endOf(call: RecentCall): number {
  return Date.parse(call.startedAt) + call.durationMs;
}

/**
 * Ends a stored session at `atMs`, else at its last update unless later than `ifUpdatedBy` (a call
 * since). Resolves with the ended report, or undefined when there was nothing to end.
 */
export async function endStoredSession(store: ReportStore, sessionId: string, maxRecent: number, atMs: number | undefined, ifUpdatedBy: number): Promise<StoredSessionReport | undefined> {
  let ended = false;
  const stored = await store.update(sessionId, (found) => {
    if (found === undefined || found.endedAt !== undefined) return undefined;
    const updatedMs = Date.parse(found.updatedAt);
    if (updatedMs > ifUpdatedBy) return undefined;
    const ending = new SessionAggregate(sessionId, maxRecent);
    ending.end(atMs ?? updatedMs);
    ended = true;
    return foldIntoStored(found, ending);
  });
  return ended ? stored : undefined;
}

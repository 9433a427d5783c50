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
 * Both lists by end time (calls arrive as they end), the last `max` kept; of equal ends, stored
 * before added, each in its own order. Both lists are nearly always in order already, so they are
 * merged from the end, taking only the `max` that stay; otherwise sorted. End times are parsed
 * once per call: a list written is the next write's stored list (the same objects), and parsing
 * a thousand dates a write cost more than the merge.
 */
function mergedRecent(stored: readonly RecentCall[], added: readonly RecentCall[], max: number): RecentCall[] {
  const storedEnds = stored.map(endOf);
  const addedEnds = added.map(endOf);
  if (!ascending(storedEnds) || !ascending(addedEnds)) return sortedRecent(stored, storedEnds, added, addedEnds, max);
  const kept = Math.min(max, stored.length + added.length);
  const merged = new Array<RecentCall>(kept);
  let s = stored.length - 1;
  let a = added.length - 1;
  for (let k = kept - 1; k >= 0; k--) {
    // Of equal ends the added call is the later one.
    if (a >= 0 && (s < 0 || (addedEnds[a] as number) >= (storedEnds[s] as number))) merged[k] = added[a--] as RecentCall;
    else merged[k] = stored[s--] as RecentCall;
  }
  return merged;
}

function sortedRecent(stored: readonly RecentCall[], storedEnds: readonly number[], added: readonly RecentCall[], addedEnds: readonly number[], max: number): RecentCall[] {
  const ends = [...storedEnds, ...addedEnds];
  const keyed = [...stored, ...added].map((call, index) => ({ call, end: ends[index] as number, index }));
  keyed.sort((x, y) => x.end - y.end || x.index - y.index);
  return keyed.slice(Math.max(0, keyed.length - max)).map((entry) => entry.call);
}

/** In order, and every one a number (an unparsable date goes the sort's way). */
function ascending(values: readonly number[]): boolean {
  let previous = -Infinity;
  for (const value of values) {
    if (!(value >= previous)) return false;
    previous = value;
  }
  return true;
}

const endsOf = new WeakMap<RecentCall, number>();

function endOf(call: RecentCall): number {
  let end = endsOf.get(call);
  if (end === undefined) endsOf.set(call, (end = Date.parse(call.startedAt) + call.durationMs));
  return end;
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

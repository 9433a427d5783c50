import type { StatsState, StoredSessionReport } from '../../document/report.js';
import type { ReportStore } from '../../storage/report-store.js';
import { ownEntry } from '../../util/own-record.js';
import { RunningStats } from '../running-stats.js';

/** A tool's baseline: its calls in its last stored sessions, merged. */
export interface Baseline {
  readonly stats: RunningStats;
  /** The sessions it merges, newest first. */
  readonly sessionIds: readonly string[];
}

/** How long a session's figures for a tool are reused: a baseline's sessions have mostly ended. */
const STATE_TTL_MS = 30_000;
const MAX_CACHED_STATES = 4096;

/**
 * Baselines of tools for regression alerts: the tool's statistics over the `count` most recently
 * started stored sessions that called it, the session under test left out. Which sessions is asked
 * every time (`ReportStore.sessionsWithTool` where the store has it, PostgreSQL's in SQL; else the
 * store's digests, else its summaries), so a session stored a moment ago counts at once; each
 * session's figures for the tool are read once and kept for 30 s (`fresh` reads them again: the
 * last test of a session, as it ends).
 */
export class ToolBaselines {
  private readonly states = new Map<string, { readonly atMs: number; readonly state: Promise<StatsState | undefined> }>();

  constructor(
    private readonly store: ReportStore,
    private readonly now: () => number,
  ) {}

  async baselineOf(operationType: string, toolName: string, count: number, excludeSessionId: string, fresh = false): Promise<Baseline> {
    const stats = new RunningStats();
    const sessionIds: string[] = [];
    for (const id of await this.sessionsWithTool(operationType, toolName, count + 1)) {
      if (id === excludeSessionId || sessionIds.length >= count) continue;
      const state = await this.stateOf(id, operationType, toolName, fresh);
      if (state === undefined || state.count === 0) continue;
      stats.mergeState(state);
      sessionIds.push(id);
    }
    return { stats, sessionIds };
  }

  private stateOf(sessionId: string, operationType: string, toolName: string, fresh: boolean): Promise<StatsState | undefined> {
    const key = `${sessionId}\u0000${operationType}\u0000${toolName}`;
    const nowMs = this.now();
    const cached = this.states.get(key);
    if (!fresh && cached !== undefined && nowMs - cached.atMs < STATE_TTL_MS) return cached.state;
    if (this.states.size >= MAX_CACHED_STATES) this.states.clear();
    const state = this.store.get(sessionId).then((report) => toolState(report, operationType, toolName));
    this.states.set(key, { atMs: nowMs, state });
    state.catch(() => this.states.delete(key));
    return state;
  }

  private async sessionsWithTool(operationType: string, toolName: string, limit: number): Promise<string[]> {
    const { store } = this;
    if (store.sessionsWithTool) return store.sessionsWithTool(operationType, toolName, limit);
    let found: { sessionId: string; startedAt: string }[];
    if (store.listDigests) {
      const digests = await store.listDigests();
      found = digests.filter((d) => d.tools.some((t) => t.operationType === operationType && t.toolName === toolName && t.calls > 0)).map((d) => d.summary);
    } else {
      found = (await store.list()).filter((s) => s.tools.includes(toolName));
    }
    return found
      .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || (a.sessionId < b.sessionId ? 1 : -1))
      .slice(0, limit)
      .map((s) => s.sessionId);
  }
}

function toolState(report: StoredSessionReport | undefined, operationType: string, toolName: string): StatsState | undefined {
  return ownEntry(ownEntry(report?.aggregates, operationType)?.tools, toolName);
}

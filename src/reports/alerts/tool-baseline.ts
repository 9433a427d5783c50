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

/** The tool's state in each of its latest sessions, newest first, as read at `atMs`. */
interface Candidates {
  readonly atMs: number;
  readonly sessions: Promise<readonly { readonly id: string; readonly state: StatsState }[]>;
}

/** How long a tool's latest sessions are reused: every live session's writes ask, every second. */
const CANDIDATES_TTL_MS = 30_000;
const MAX_CACHED_TOOLS = 1024;

/**
 * Baselines of tools for regression alerts: the tool's statistics over the `count` most recently
 * started stored sessions that called it, the session under test left out. The sessions are found
 * with `ReportStore.sessionsWithTool` where the store has it (PostgreSQL, in SQL), else from the
 * store's digests, else its summaries; one more than asked is read, so that one read per tool (kept
 * for 30 s) serves every session tested against it, whichever it leaves out.
 */
export class ToolBaselines {
  private readonly cache = new Map<string, Candidates>();

  constructor(
    private readonly store: ReportStore,
    private readonly now: () => number,
  ) {}

  /** `fresh`: read again rather than reuse a read of the last 30 s (a session's last test, as it ends). */
  async baselineOf(operationType: string, toolName: string, count: number, excludeSessionId: string, fresh = false): Promise<Baseline> {
    const stats = new RunningStats();
    const sessionIds: string[] = [];
    for (const { id, state } of await this.candidates(operationType, toolName, count + 1, fresh)) {
      if (id === excludeSessionId || sessionIds.length >= count) continue;
      stats.mergeState(state);
      sessionIds.push(id);
    }
    return { stats, sessionIds };
  }

  private candidates(operationType: string, toolName: string, limit: number, fresh: boolean): Candidates['sessions'] {
    const key = `${operationType}\u0000${toolName}\u0000${limit}`;
    const nowMs = this.now();
    const cached = this.cache.get(key);
    if (!fresh && cached !== undefined && nowMs - cached.atMs < CANDIDATES_TTL_MS) return cached.sessions;
    if (this.cache.size >= MAX_CACHED_TOOLS) this.cache.clear();
    const sessions = this.load(operationType, toolName, limit);
    this.cache.set(key, { atMs: nowMs, sessions });
    sessions.catch(() => this.cache.delete(key));
    return sessions;
  }

  private async load(operationType: string, toolName: string, limit: number): Promise<{ id: string; state: StatsState }[]> {
    const found: { id: string; state: StatsState }[] = [];
    for (const id of await this.sessionsWithTool(operationType, toolName, limit)) {
      const state = toolState(await this.store.get(id), operationType, toolName);
      if (state !== undefined && state.count > 0) found.push({ id, state });
    }
    return found;
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

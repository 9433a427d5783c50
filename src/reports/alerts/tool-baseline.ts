import type { StoredSessionReport } from '../../document/report.js';
import type { ReportStore } from '../../storage/report-store.js';
import { ownEntry } from '../../util/own-record.js';
import { RunningStats } from '../running-stats.js';

/** A tool's baseline: its calls in its last stored sessions, merged. */
export interface Baseline {
  readonly stats: RunningStats;
  /** The sessions it merges, newest first. */
  readonly sessionIds: readonly string[];
}

/** How long a baseline is reused (per tool and session left out): a session's writes come every second. */
const BASELINE_TTL_MS = 30_000;
const MAX_CACHED = 1024;

/**
 * Baselines of tools for regression alerts: the tool's statistics over the `count` most recently
 * started stored sessions that called it (the session under test left out), found with
 * `ReportStore.sessionsWithTool` where the store has it (PostgreSQL, in SQL), else from the store's
 * digests, else its summaries. Each is cached for a while: a session's writes come every second.
 */
export class ToolBaselines {
  private readonly cache = new Map<string, { readonly atMs: number; readonly baseline: Promise<Baseline> }>();

  constructor(
    private readonly store: ReportStore,
    private readonly now: () => number,
  ) {}

  baselineOf(operationType: string, toolName: string, count: number, excludeSessionId: string): Promise<Baseline> {
    const key = `${operationType}\u0000${toolName}\u0000${count}\u0000${excludeSessionId}`;
    const cached = this.cache.get(key);
    const nowMs = this.now();
    if (cached !== undefined && nowMs - cached.atMs < BASELINE_TTL_MS) return cached.baseline;
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    const baseline = this.load(operationType, toolName, count, excludeSessionId);
    this.cache.set(key, { atMs: nowMs, baseline });
    baseline.catch(() => this.cache.delete(key));
    return baseline;
  }

  private async load(operationType: string, toolName: string, count: number, excludeSessionId: string): Promise<Baseline> {
    const ids = await this.sessionsWithTool(operationType, toolName, count, excludeSessionId);
    const stats = new RunningStats();
    const used: string[] = [];
    for (const id of ids) {
      const state = toolState(await this.store.get(id), operationType, toolName);
      if (state === undefined || state.count === 0) continue;
      stats.mergeState(state);
      used.push(id);
    }
    return { stats, sessionIds: used };
  }

  private async sessionsWithTool(operationType: string, toolName: string, limit: number, exclude: string): Promise<string[]> {
    const { store } = this;
    if (store.sessionsWithTool) return store.sessionsWithTool(operationType, toolName, limit, exclude);
    let found: { sessionId: string; startedAt: string }[];
    if (store.listDigests) {
      const digests = await store.listDigests();
      found = digests
        .filter((d) => d.summary.sessionId !== exclude && d.tools.some((t) => t.operationType === operationType && t.toolName === toolName && t.calls > 0))
        .map((d) => d.summary);
    } else {
      found = (await store.list()).filter((s) => s.sessionId !== exclude && s.tools.includes(toolName));
    }
    return found
      .sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || (a.sessionId < b.sessionId ? 1 : -1))
      .slice(0, limit)
      .map((s) => s.sessionId);
  }
}

function toolState(report: StoredSessionReport | undefined, operationType: string, toolName: string) {
  return ownEntry(ownEntry(report?.aggregates, operationType)?.tools, toolName);
}

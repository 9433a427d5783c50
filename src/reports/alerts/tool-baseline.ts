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
 * of `ReportStore.sessionsWithTool` at every test where the store has it (PostgreSQL's, in SQL);
 * else it comes from an index of the store's digests (or summaries) kept for 30 s. Each session's
 * figures for the tool are read once and kept for 30 s. `fresh` (the last test of a session, as
 * it ends) asks both again, so a session stored a moment ago counts.
 */
export class ToolBaselines {
  private readonly states = new Map<string, { readonly atMs: number; readonly state: Promise<StatsState | undefined> }>();
  /** Without `ReportStore.sessionsWithTool`: the stored sessions per tool, as of `atMs`. */
  private index: { readonly atMs: number; readonly sessions: Promise<Map<string, IndexedTool>> } | undefined;

  constructor(
    private readonly store: ReportStore,
    private readonly now: () => number,
  ) {}

  async baselineOf(operationType: string, toolName: string, count: number, excludeSessionId: string, fresh = false): Promise<Baseline> {
    const stats = new RunningStats();
    const sessionIds: string[] = [];
    for (const id of await this.sessionsWithTool(operationType, toolName, count + 1, fresh)) {
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

  private async sessionsWithTool(operationType: string, toolName: string, limit: number, fresh: boolean): Promise<string[]> {
    const { store } = this;
    if (store.sessionsWithTool) return store.sessionsWithTool(operationType, toolName, limit);
    const nowMs = this.now();
    // Listing a file store stats every file of a directory that changed, as it does under load: one
    // index of the stored sessions per tool, reused for the same 30 s as the figures (sooner for
    // the last test of a session), instead of a listing, a filter and a sort at every test.
    if (fresh || this.index === undefined || nowMs - this.index.atMs >= STATE_TTL_MS) {
      const sessions = indexByTool(store);
      this.index = { atMs: nowMs, sessions };
      sessions.catch(() => {
        if (this.index?.sessions === sessions) this.index = undefined;
      });
    }
    const tools = await this.index.sessions;
    const found = tools.get(toolKey(operationType, toolName)) ?? tools.get(toolKey(ANY_TYPE, toolName));
    return found === undefined ? [] : found.sessions.slice(0, limit).map((s) => s.sessionId);
  }

  /** A session this process has just written: in the index at once (other processes' writes show within 30 s). */
  noteWritten(stored: StoredSessionReport): void {
    const index = this.index;
    if (index === undefined) return;
    const session = { sessionId: stored.sessionId, startedAtMs: Date.parse(stored.startedAt) };
    index.sessions.then(
      (tools) => {
        for (const [operationType, operation] of Object.entries(stored.operations)) {
          for (const [toolName, stats] of Object.entries(operation.tools)) {
            if (stats.count > 0) addSession(tools, toolKey(operationType, toolName), session, true);
          }
        }
      },
      () => {},
    );
  }
}

interface IndexedSession {
  readonly sessionId: string;
  readonly startedAtMs: number;
}

/** The sessions that called a tool, most recently started first. */
interface IndexedTool {
  readonly sessions: IndexedSession[];
  readonly ids: Set<string>;
}

/** The operation type of a tool known by name only (a store's summaries name no type); no real type is empty. */
const ANY_TYPE = '';

function toolKey(operationType: string, toolName: string): string {
  return `${operationType}\u0000${toolName}`;
}

/** Adds `session` to the tool's sessions unless it is there; `inOrder` keeps them sorted (else the caller sorts). */
function addSession(index: Map<string, IndexedTool>, key: string, session: IndexedSession, inOrder: boolean): void {
  let tool = index.get(key);
  if (tool === undefined) index.set(key, (tool = { sessions: [], ids: new Set() }));
  if (tool.ids.has(session.sessionId)) return;
  tool.ids.add(session.sessionId);
  if (!inOrder) {
    tool.sessions.push(session);
    return;
  }
  let at = 0;
  while (at < tool.sessions.length && byRecency(tool.sessions[at] as IndexedSession, session) < 0) at++;
  tool.sessions.splice(at, 0, session);
}

function byRecency(a: IndexedSession, b: IndexedSession): number {
  return b.startedAtMs - a.startedAtMs || (a.sessionId < b.sessionId ? 1 : a.sessionId > b.sessionId ? -1 : 0);
}

/** Every stored session that called each tool, most recently started first. */
async function indexByTool(store: ReportStore): Promise<Map<string, IndexedTool>> {
  const index = new Map<string, IndexedTool>();
  if (store.listDigests) {
    for (const { summary, tools } of await store.listDigests()) {
      const session = { sessionId: summary.sessionId, startedAtMs: Date.parse(summary.startedAt) };
      for (const tool of tools) if (tool.calls > 0) addSession(index, toolKey(tool.operationType, tool.toolName), session, false);
    }
  } else {
    // Summaries name their tools without the operation type: indexed by name alone (`anyType`).
    for (const summary of await store.list()) {
      const session = { sessionId: summary.sessionId, startedAtMs: Date.parse(summary.startedAt) };
      for (const toolName of summary.tools) addSession(index, toolKey(ANY_TYPE, toolName), session, false);
    }
  }
  for (const tool of index.values()) tool.sessions.sort(byRecency);
  return index;
}

function toolState(report: StoredSessionReport | undefined, operationType: string, toolName: string): StatsState | undefined {
  return ownEntry(ownEntry(report?.aggregates, operationType)?.tools, toolName);
}

import { describeError, FailureLog, type Logger } from '../util/logger.js';
import type { StoredSessionReport } from '../document/report.js';
import type { ReportStore } from '../storage/report-store.js';
import { RunningStats } from './running-stats.js';
import { SerialTask } from '../util/serial-task.js';
import { digestOf, type SessionDigest, type ToolDigest } from '../storage/session-digest.js';

/** One session's figures for one tool, a point of its trend. */
export interface ToolTrendPoint {
  readonly sessionId: string;
  readonly startedAt: string;
  readonly calls: number;
  /** 0 to 1. */
  readonly errorRate: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
}

/** A tool across every stored session: totals, percentiles of all its calls, and its recent trend. */
export interface ToolTrend {
  readonly toolName: string;
  readonly operationType: string;
  readonly calls: number;
  readonly errors: number;
  /** 0 to 1. */
  readonly errorRate: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  /** Failed calls by `error.type`, across every stored session. */
  readonly errorTypes: Readonly<Record<string, number>>;
  /** How many stored sessions used the tool. */
  readonly sessions: number;
  /** Oldest first: the last sessions (by start) that used the tool. */
  readonly trend: readonly ToolTrendPoint[];
}

/**
 * Sessions are spread over this many buckets, each holding the merged statistics of its sessions
 * per tool: a changed session costs re-reading its bucket (~1/256 of the store), and the totals
 * merge 256 sketches per tool instead of one per session.
 */
const BUCKET_COUNT = 256;
/** Reports read at once while a bucket is built. */
const READ_CONCURRENCY = 4;

interface Bucket {
  readonly members: Map<string, SessionDigest>;
  /** Merged per `toolKey`; undefined when a member changed since it was built. */
  stats: Map<string, RunningStats> | undefined;
}

interface Answer {
  readonly generation: number;
  readonly sessionsPerTool: number;
  readonly trends: ToolTrend[];
}

/**
 * Answers `/api/v1/tools`: per tool, across every stored session, exact counts and percentiles from
 * the merged DDSketches, kept incrementally so that a repeated query at 10,000 sessions is cheap.
 * Built from the store's digests (see `ReportStore.listDigests`); sketches are read from the
 * reports of changed sessions only.
 */
export class ToolTrendIndex {
  private readonly buckets: Bucket[] = Array.from({ length: BUCKET_COUNT }, () => ({ members: new Map(), stats: undefined }));
  private readonly failures: FailureLog;
  /** Bumped whenever a session is added, changed or removed. */
  private generation = 0;
  private lastTotals: { readonly generation: number; readonly byTool: Map<string, RunningStats> } | undefined;
  private lastAnswer: Answer | undefined;
  /** One refresh at a time: they share the buckets. */
  private readonly refreshes = new SerialTask(() => this.refresh());

  constructor(
    private readonly store: ReportStore,
    logger: Logger,
  ) {
    this.failures = new FailureLog(logger);
  }

  /** Tools by calls, most first; each trend holds at most `sessionsPerTool` points. */
  async trends(sessionsPerTool: number): Promise<ToolTrend[]> {
    const { digests, byTool, generation } = await this.refreshes.run();
    const last = this.lastAnswer;
    if (last?.generation === generation && last.sessionsPerTool === sessionsPerTool) return last.trends;
    const trends = trendsOf(digests, byTool, sessionsPerTool);
    this.lastAnswer = { generation, sessionsPerTool, trends };
    return trends;
  }

  /** Brings the buckets up to date with the store and merges their totals, unless nothing changed. */
  private async refresh(): Promise<{ digests: SessionDigest[]; byTool: Map<string, RunningStats>; generation: number }> {
    const digests = await this.listDigests();
    this.sync(digests);
    const { generation } = this;
    if (this.lastTotals?.generation !== generation) this.lastTotals = { generation, byTool: await this.mergedTotals() };
    return { digests, byTool: this.lastTotals.byTool, generation };
  }

  private async listDigests(): Promise<SessionDigest[]> {
    if (this.store.listDigests) return this.store.listDigests();
    // A store without digests: read every report (fine for small custom stores).
    const digests: SessionDigest[] = [];
    for (const { sessionId } of await this.store.list()) {
      const report = await this.store.get(sessionId);
      if (report) digests.push(digestOf(report));
    }
    return digests;
  }

  /** Puts each digest in its bucket; a bucket with a new, changed or removed member is rebuilt later. */
  private sync(digests: readonly SessionDigest[]): void {
    const seen = new Set<string>();
    for (const digest of digests) {
      const id = digest.summary.sessionId;
      seen.add(id);
      const bucket = this.bucketOf(id);
      if (bucket.members.get(id) === digest) continue;
      bucket.members.set(id, digest);
      this.invalidate(bucket);
    }
    for (const bucket of this.buckets) {
      for (const id of bucket.members.keys()) {
        if (seen.has(id)) continue;
        bucket.members.delete(id);
        this.invalidate(bucket);
      }
    }
  }

  private invalidate(bucket: Bucket): void {
    bucket.stats = undefined;
    this.generation++;
  }

  private async mergedTotals(): Promise<Map<string, RunningStats>> {
    for (const bucket of this.buckets) if (bucket.stats === undefined) bucket.stats = await this.build(bucket);
    const byTool = new Map<string, RunningStats>();
    for (const bucket of this.buckets) {
      for (const [key, stats] of bucket.stats ?? []) {
        let total = byTool.get(key);
        if (total === undefined) byTool.set(key, (total = new RunningStats()));
        total.merge(stats);
      }
    }
    return byTool;
  }

  private async build(bucket: Bucket): Promise<Map<string, RunningStats>> {
    const stats = new Map<string, RunningStats>();
    const ids = [...bucket.members.keys()];
    const reports: (StoredSessionReport | undefined)[] = [];
    // A few at a time: each read ends in a synchronous parse and check (~1-2 ms), and a bucket's
    // 40 (at 10,000 sessions) finishing together held a request for as long as all of them.
    for (let i = 0; i < ids.length; i += READ_CONCURRENCY) {
      const read = ids.slice(i, i + READ_CONCURRENCY).map((id) =>
        this.store.get(id).catch((error: unknown) => {
          this.failures.fail('read', `tool trends: leaving out session ${id}: ${describeError(error)}`);
          return undefined;
        }),
      );
      reports.push(...(await Promise.all(read)));
    }
    for (const report of reports) {
      if (report === undefined) continue;
      for (const [operationType, operation] of Object.entries(report.aggregates)) {
        for (const [toolName, state] of Object.entries(operation.tools)) {
          const key = toolKey(operationType, toolName);
          let merged = stats.get(key);
          if (merged === undefined) stats.set(key, (merged = new RunningStats()));
          try {
            merged.mergeState(state);
          } catch (error) {
            // A store that hands out a sketch that does not merge (the file store checks them all):
            // that tool of that session is left out, not the whole answer.
            this.failures.fail('merge', `tool trends: leaving out a tool of session ${report.sessionId}: ${describeError(error)}`);
          }
        }
      }
    }
    return stats;
  }

  private bucketOf(sessionId: string): Bucket {
    return this.buckets[hash(sessionId) % BUCKET_COUNT] as Bucket;
  }
}

function trendsOf(digests: readonly SessionDigest[], byTool: Map<string, RunningStats>, sessionsPerTool: number): ToolTrend[] {
  const uses = new Map<string, { operationType: string; toolName: string; points: { startedAt: string; sessionId: string; tool: ToolDigest }[] }>();
  for (const { summary, tools } of digests) {
    for (const tool of tools) {
      const key = toolKey(tool.operationType, tool.toolName);
      let use = uses.get(key);
      if (use === undefined) uses.set(key, (use = { operationType: tool.operationType, toolName: tool.toolName, points: [] }));
      use.points.push({ startedAt: summary.startedAt, sessionId: summary.sessionId, tool });
    }
  }
  const trends: ToolTrend[] = [];
  for (const [key, use] of uses) {
    const total = byTool.get(key)?.toStats();
    if (total === undefined) continue;
    use.points.sort((a, b) => (a.startedAt === b.startedAt ? (a.sessionId < b.sessionId ? -1 : 1) : a.startedAt < b.startedAt ? -1 : 1));
    trends.push({
      toolName: use.toolName,
      operationType: use.operationType,
      calls: total.count,
      errors: total.errors,
      errorRate: rate(total.errors, total.count),
      p50Ms: total.p50Ms,
      p95Ms: total.p95Ms,
      errorTypes: total.errorTypes,
      sessions: use.points.length,
      trend: use.points.slice(Math.max(0, use.points.length - sessionsPerTool)).map(({ sessionId, startedAt, tool }) => ({
        sessionId,
        startedAt,
        calls: tool.calls,
        errorRate: rate(tool.errors, tool.calls),
        p50Ms: tool.p50Ms,
        p95Ms: tool.p95Ms,
      })),
    });
  }
  return trends.sort(compareTrends);
}

/** Most calls first, ties by tool name. */
export function compareTrends(a: ToolTrend, b: ToolTrend): number {
  return b.calls - a.calls || (a.toolName < b.toolName ? -1 : a.toolName > b.toolName ? 1 : 0);
}

export function rate(errors: number, calls: number): number {
  return calls === 0 ? 0 : Math.round((errors / calls) * 1e4) / 1e4;
}

function toolKey(operationType: string, toolName: string): string {
  return `${operationType}\u0000${toolName}`;
}

/** FNV-1a: cheap and spreads session IDs evenly. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

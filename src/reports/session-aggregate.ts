import type { CallRecord } from './call-record.js';
import {
  REPORT_SCHEMA_VERSION,
  type AgentInfo,
  type DurationStats,
  type OperationStats,
  type RecentCall,
  type SessionReport,
  type SessionSummary,
  type StoredOperationState,
  type StoredSessionReport,
} from '../document/report.js';
import { RunningStats } from './running-stats.js';
import { SummaryTally } from '../document/session-summary.js';
import { setEntry } from '../util/own-record.js';
import { ERROR_TYPE_OTHER } from '../telemetry/semconv.js';
import { isoString } from '../util/iso-time.js';

/** One operation type's statistics, over all its calls and per tool. */
export interface OperationAggregate {
  readonly all: RunningStats;
  readonly tools: Map<string, RunningStats>;
}

/** Distinct tools kept per operation type of a session; later names count under `_OTHER`. */
export const MAX_TOOLS_PER_OPERATION = 256;
/** Distinct operation types kept per session; later ones count under `_OTHER`. */
export const MAX_OPERATION_TYPES = 32;
const OVERFLOW_NAME = ERROR_TYPE_OTHER;

const newStats = (): RunningStats => new RunningStats();
const newOperation = (): OperationAggregate => ({ all: new RunningStats(), tools: new Map() });

/**
 * The entry for a name not in `map` yet: a new one while `map` holds fewer than `cap`, else the
 * shared `_OTHER` entry. Names arrive from other processes too (OTLP ingest), so a report stays bounded.
 */
function cappedEntry<V>(map: Map<string, V>, name: string, cap: number, create: () => V): V {
  const key = map.size < cap ? name : OVERFLOW_NAME;
  let entry = map.get(key);
  if (entry === undefined) map.set(key, (entry = create()));
  return entry;
}

/**
 * Everything known about one session: statistics per operation type and per tool over every call,
 * and the last `maxRecent` calls. Merges with a stored report of the same session, in any order.
 */
export class SessionAggregate {
  startTimeMs = Infinity;
  updateTimeMs = -Infinity;
  endTimeMs: number | undefined;
  /** The agent the latest call that named one came from. */
  agent: AgentInfo | undefined;
  private readonly operations = new Map<string, OperationAggregate>();
  /** A ring: `recentNext` is where the next call goes once it is full. */
  private recent: CallRecord[] = [];
  private recentNext = 0;

  constructor(
    readonly sessionId: string,
    readonly maxRecent: number,
  ) {}

  get calls(): number {
    let n = 0;
    for (const op of this.operations.values()) n += op.all.count;
    return n;
  }

  get errors(): number {
    let n = 0;
    for (const op of this.operations.values()) n += op.all.errors;
    return n;
  }

  add(call: CallRecord): void {
    const op = this.operation(call.operationType);
    op.all.add(call.durationMs, call.errorType);
    const tool = op.tools.get(call.toolName) ?? cappedEntry(op.tools, call.toolName, MAX_TOOLS_PER_OPERATION, newStats);
    tool.add(call.durationMs, call.errorType);

    if (call.startTimeMs < this.startTimeMs) this.startTimeMs = call.startTimeMs;
    const end = call.startTimeMs + call.durationMs;
    if (end > this.updateTimeMs) this.updateTimeMs = end;
    // A call after endSession reopens the session.
    this.endTimeMs = undefined;
    if (call.agent !== undefined) this.agent = call.agent;
    this.remember(call);
  }

  /** Folds in a report stored earlier (by this or another process). */
  mergeStored(stored: StoredSessionReport): void {
    // Decoded before anything is merged: a sketch that throws leaves this aggregate as it was.
    const decoded = Object.entries(stored.aggregates).map(([type, state]) => ({
      type,
      all: RunningStats.fromState(state.all),
      tools: Object.entries(state.tools).map(([name, toolState]) => [name, RunningStats.fromState(toolState)] as const),
    }));
    for (const { type, all, tools } of decoded) {
      const op = this.operation(type);
      op.all.merge(all);
      for (const [name, stats] of tools) {
        const existing = op.tools.get(name);
        if (existing) existing.merge(stats);
        else op.tools.set(name, stats);
      }
    }
    this.startTimeMs = Math.min(this.startTimeMs, Date.parse(stored.startedAt));
    this.updateTimeMs = Math.max(this.updateTimeMs, Date.parse(stored.updatedAt));
    const ownCalls = this.calls - countCalls(stored);
    if (ownCalls === 0 && stored.endedAt !== undefined) this.endTimeMs = Date.parse(stored.endedAt);
    this.agent ??= stored.agent;

    this.mergeRecent(stored.recent.map((r) => fromRecent(this.sessionId, r)));
  }

  /**
   * Folds in another aggregate of the same session: the calls made since some point (a write).
   * `other` is the later one: its end, or the reopening its calls make, wins.
   */
  merge(other: SessionAggregate): void {
    for (const [type, otherOp] of other.operations) {
      const op = this.operation(type);
      op.all.merge(otherOp.all);
      for (const [name, stats] of otherOp.tools) {
        (op.tools.get(name) ?? cappedEntry(op.tools, name, MAX_TOOLS_PER_OPERATION, newStats)).merge(stats);
      }
    }
    this.startTimeMs = Math.min(this.startTimeMs, other.startTimeMs);
    this.updateTimeMs = Math.max(this.updateTimeMs, other.updateTimeMs);
    if (other.calls > 0 || other.endTimeMs !== undefined) this.endTimeMs = other.endTimeMs;
    if (other.agent !== undefined) this.agent = other.agent;
    this.mergeRecent(other.recentCalls());
  }

  end(atMs: number): void {
    this.endTimeMs = atMs;
    if (atMs > this.updateTimeMs || this.updateTimeMs === -Infinity) this.updateTimeMs = atMs;
    if (this.startTimeMs === Infinity) this.startTimeMs = atMs;
  }

  toReport(): SessionReport {
    const operations: Record<string, OperationStats> = {};
    for (const [type, op] of this.operations) {
      const tools: Record<string, DurationStats> = {};
      for (const [name, stats] of op.tools) setEntry(tools, name, stats.toStats());
      setEntry(operations, type, { ...op.all.toStats(), tools });
    }
    return {
      schemaVersion: REPORT_SCHEMA_VERSION,
      sessionId: this.sessionId,
      ...this.times(),
      ...(this.agent === undefined ? {} : { agent: { ...this.agent } }),
      operations,
      recent: this.recentCalls().map(toRecent),
    };
  }

  toStored(): StoredSessionReport {
    const aggregates: Record<string, StoredOperationState> = {};
    for (const [type, op] of this.operations) {
      const tools: Record<string, ReturnType<RunningStats['toState']>> = {};
      for (const [name, stats] of op.tools) setEntry(tools, name, stats.toState());
      setEntry(aggregates, type, { all: op.all.toState(), tools });
    }
    return { ...this.toReport(), aggregates };
  }

  summary(): SessionSummary {
    const tally = new SummaryTally();
    this.tallyInto(tally);
    return tally.summary(this.sessionId, this.times(), this.agent);
  }

  /** Adds this aggregate's counts to a summary being made. */
  tallyInto(tally: SummaryTally): void {
    for (const [type, op] of this.operations) {
      tally.addOperation(type, op.all.count, op.all.errors, [...op.tools].map(([name, stats]) => [name, stats.count] as const));
    }
  }

  private times(): SessionTimes {
    return sessionTimes(this.startTimeMs, this.updateTimeMs, this.endTimeMs);
  }

  private operation(type: string): OperationAggregate {
    return this.operations.get(type) ?? cappedEntry(this.operations, type, MAX_OPERATION_TYPES, newOperation);
  }

  private remember(call: CallRecord): void {
    if (this.maxRecent === 0) return;
    if (this.recent.length < this.maxRecent) {
      this.recent.push(call);
      return;
    }
    this.recent[this.recentNext] = call;
    this.recentNext = (this.recentNext + 1) % this.maxRecent;
  }

  /** Merges `calls` into the recent ones, by end time, keeping the last `maxRecent`. */
  private mergeRecent(calls: CallRecord[]): void {
    if (calls.length === 0) return;
    const merged = [...calls, ...this.recentCalls()];
    // Calls arrive as they end, so that is the ring's order; a resumed session keeps it.
    merged.sort((a, b) => a.startTimeMs + a.durationMs - (b.startTimeMs + b.durationMs));
    this.recent = merged.slice(Math.max(0, merged.length - this.maxRecent));
    this.recentNext = 0;
  }

  /** Per operation type. */
  operationEntries(): IterableIterator<[string, OperationAggregate]> {
    return this.operations.entries();
  }

  /** Oldest first. */
  recentCalls(): CallRecord[] {
    return [...this.recent.slice(this.recentNext), ...this.recent.slice(0, this.recentNext)];
  }
}

type SessionTimes = Pick<SessionSummary, 'startedAt' | 'updatedAt' | 'endedAt'>;

/**
 * A session's times as reports show them; a session with no call yet started now. Never throws,
 * whatever times got in: every entrance refuses bad ones, but a report must still build.
 */
export function sessionTimes(startTimeMs: number, updateTimeMs: number, endTimeMs: number | undefined): SessionTimes {
  const now = Date.now();
  const start = startTimeMs === Infinity ? now : startTimeMs;
  const update = updateTimeMs === -Infinity ? start : updateTimeMs;
  const startedAt = isoTime(start, now);
  const updatedAt = isoTime(update, now);
  return endTimeMs === undefined ? { startedAt, updatedAt } : { startedAt, updatedAt, endedAt: isoTime(endTimeMs, now) };
}

/** 0000-01-01 and 9999-12-31T23:59:59.999Z: the dates a report's four-digit ISO years hold. */
const MIN_ISO_MS = -62_167_219_200_000;
const MAX_ISO_MS = 253_402_300_799_999;

/**
 * `ms` in ISO 8601, clamped into the years 0000–9999 (`toISOString` throws past ±8.64e15, and the
 * document's dates have four-digit years); `fallbackMs` when it is not a number at all.
 */
function isoTime(ms: number, fallbackMs: number): string {
  const clamped = Math.min(MAX_ISO_MS, Math.max(MIN_ISO_MS, ms));
  return isoString(Number.isNaN(clamped) ? fallbackMs : clamped);
}

function countCalls(report: SessionReport): number {
  let n = 0;
  for (const op of Object.values(report.operations)) n += op.count;
  return n;
}

export function toRecent(call: CallRecord): RecentCall {
  const recent: { -readonly [K in keyof RecentCall]: RecentCall[K] } = {
    operationType: call.operationType,
    toolName: call.toolName,
    startedAt: isoTime(call.startTimeMs, Date.now()),
    durationMs: Math.round(call.durationMs * 1000) / 1000,
    ok: call.errorType === undefined,
  };
  if (call.callId !== undefined) recent.callId = call.callId;
  if (call.errorType !== undefined) recent.errorType = call.errorType;
  if (call.errorClass !== undefined) recent.errorClass = call.errorClass;
  if (call.errorMessage !== undefined) recent.errorMessage = call.errorMessage;
  if (call.traceId !== undefined) recent.traceId = call.traceId;
  if (call.spanId !== undefined) recent.spanId = call.spanId;
  if (call.argumentsFingerprint !== undefined) recent.argumentsFingerprint = call.argumentsFingerprint;
  return recent;
}

function fromRecent(sessionId: string, recent: RecentCall): CallRecord {
  return {
    sessionId,
    operationType: recent.operationType,
    toolName: recent.toolName,
    callId: recent.callId,
    startTimeMs: Date.parse(recent.startedAt),
    durationMs: recent.durationMs,
    errorType: recent.errorType, errorClass: recent.errorClass, errorMessage: recent.errorMessage,
    traceId: recent.traceId, spanId: recent.spanId, argumentsFingerprint: recent.argumentsFingerprint,
  };
}

/**
 * Folds a few throwaway calls, so that the first real call does not pay the fold's lazy
 * initialisation (the sketch's first use) on its caller's path.
 */
export function warmUpFold(): void {
  const aggregate = new SessionAggregate('warm_up', 2);
  for (let i = 0; i < 3; i++) {
    aggregate.add({
      sessionId: 'warm_up', operationType: 'warm-up', toolName: 'warm-up', callId: undefined, startTimeMs: Date.now(),
      durationMs: i + 0.5, errorType: i === 2 ? 'Error' : undefined, traceId: undefined, spanId: undefined,
    });
  }
}

import { randomBytes } from 'node:crypto';
import { toPublicReport, type SessionAlert, type SessionReport, type SessionSummary, type StoredSessionReport } from '../document/report.js';
import type { ReportMerge } from '../storage/report-store.js';
import type { CallRecord } from './call-record.js';
import { SessionAggregate, sessionTimes } from './session-aggregate.js';
import { foldIntoStored } from './stored-fold.js';
import { SummaryTally } from '../document/session-summary.js';
import { mergeAlerts, withAlerts } from './alerts/merge-alerts.js';

/** Writers remembered in a stored report (see `StoredSessionReport.writers`); the least recent is dropped. */
const MAX_WRITERS = 16;

/**
 * One writer of reports (a registry: one per process, normally). Its writes are numbered across
 * every session it writes, so a number never comes twice for one session, even for a session
 * dropped from memory and opened again.
 */
export class ReportWriter {
  readonly id = randomBytes(12).toString('base64url');
  private last = 0;

  next(): number {
    return ++this.last;
  }
}

/** Calls (and alert transitions) not in the store yet, numbered by the write that carries them. */
interface Delta {
  readonly seq: number;
  readonly calls: SessionAggregate;
  /** Alert versions, oldest first (a later version of one alert wins: `mergeAlerts`). */
  readonly alerts: readonly SessionAlert[];
}

/** A write of a ledger's unwritten calls: what to hand `ReportStore.update`, and what to tell the ledger after. */
export interface LedgerWrite {
  readonly merge: ReportMerge;
  /** The stored report the ledger knows, for `update`'s `known`. */
  readonly known: StoredSessionReport | undefined;
  readonly delta: Delta;
}

/**
 * What a process knows of one session, in the three parts that make writing merge-on-write: the
 * stored report as of its last read or write (which holds other writers' calls too), the calls of
 * the write under way, and the calls since. A write carries only the calls the store has not seen
 * from this writer; the store merges them into what it holds, so two writers neither lose nor
 * double each other's calls. The live view is the three merged.
 */
export class SessionLedger {
  private base: StoredSessionReport | undefined;
  private baseKnown = false;
  private pending: SessionAggregate;
  private pendingEmpty = true;
  private pendingAlerts: SessionAlert[] = [];
  private inFlight: Delta | undefined;
  /**
   * Writes whose outcome is unknown (the store lost the connection as it committed): carried, with
   * their sequence numbers, by every later write until one lands, so that the stored `writers`
   * entry decides whether their calls are in already. Rare (one per lost commit), and few.
   */
  private unconfirmed: Delta[] = [];
  /**
   * Moves whenever a write starts or ends. A read of the store that began at one epoch and ended at
   * another (or while a write was under way) may or may not hold that write's calls: it is not
   * taken as the base, lest they count twice.
   */
  epoch = 0;

  constructor(
    readonly sessionId: string,
    private readonly maxRecent: number,
    private readonly writer: ReportWriter,
  ) {
    this.pending = new SessionAggregate(sessionId, maxRecent);
  }

  /** Hot: once per folded call. */
  add(call: CallRecord): void {
    this.pending.add(call);
    this.pendingEmpty = false;
  }

  end(atMs: number): void {
    this.pending.end(atMs);
    this.pendingEmpty = false;
  }

  /** An alert's new version (it fired, resolved or has new evidence), for the next write. */
  addAlert(alert: SessionAlert): void {
    this.pendingAlerts.push(alert);
    this.pendingEmpty = false;
  }

  get knowsBase(): boolean {
    return this.baseKnown;
  }

  get writing(): boolean {
    return this.inFlight !== undefined;
  }

  /** Calls (or an end) not written yet: new ones, or those of a write under way. */
  hasUnwritten(): boolean {
    return !this.pendingEmpty || this.inFlight !== undefined || this.unconfirmed.length > 0;
  }

  /** Calls (or an end) that no write carries yet. */
  hasPending(): boolean {
    return !this.pendingEmpty || (this.unconfirmed.length > 0 && this.inFlight === undefined);
  }

  /** The last call's end (or the session's), as far as this process knows. */
  get updateTimeMs(): number {
    const stored = this.base ? Date.parse(this.base.updatedAt) : -Infinity;
    return Math.max(stored, this.pending.updateTimeMs, this.inFlight?.calls.updateTimeMs ?? -Infinity, ...this.unconfirmed.map((d) => d.calls.updateTimeMs));
  }

  /** Takes a read of the store, begun at `epoch`, as the base; false if a write started or ended since. */
  adopt(stored: StoredSessionReport | undefined, epoch: number): boolean {
    if (epoch !== this.epoch || this.writing) return false;
    this.setBase(stored);
    return true;
  }

  /** Starts a write of the pending calls; tell the ledger how it went (`committed` or `failed`). One at a time. */
  beginWrite(): LedgerWrite {
    const delta: Delta = { seq: this.writer.next(), calls: this.pending, alerts: this.pendingAlerts };
    this.inFlight = delta;
    this.pending = new SessionAggregate(this.sessionId, this.maxRecent);
    this.pendingAlerts = [];
    this.pendingEmpty = true;
    this.epoch++;
    const deltas = [...this.unconfirmed, delta];
    return { merge: (stored) => this.fold(stored, deltas), known: this.base, delta };
  }

  /** `write` is in the store, which now holds `stored`. Ignored for a write the exit write replaced. */
  committed(write: LedgerWrite, stored: StoredSessionReport | undefined): void {
    if (this.inFlight !== write.delta) return;
    this.inFlight = undefined;
    this.unconfirmed = [];
    this.epoch++;
    this.setBase(stored);
  }

  /**
   * `write` stored nothing: its calls go back to the pending ones, for the next write. `unknown`:
   * it may have been stored (see `WriteOutcomeUnknownError`): its calls stay apart, with its
   * sequence number, for the next writes to carry.
   */
  failed(write: LedgerWrite, unknown = false): void {
    if (this.inFlight !== write.delta) return;
    if (unknown) {
      this.unconfirmed.push(write.delta);
      this.inFlight = undefined;
      this.epoch++;
      return;
    }
    const calls = write.delta.calls;
    calls.merge(this.pending);
    this.pending = calls;
    this.pendingAlerts = [...write.delta.alerts, ...this.pendingAlerts];
    this.pendingEmpty = false;
    this.inFlight = undefined;
    this.epoch++;
  }

  /** Drops the calls no write carries (new ones, and those of unconfirmed writes); returns how many. */
  discard(): number {
    const dropped = this.pending.calls + this.unconfirmed.reduce((n, d) => n + d.calls.calls, 0);
    this.pending = new SessionAggregate(this.sessionId, this.maxRecent);
    this.pendingAlerts = [];
    this.pendingEmpty = true;
    this.unconfirmed = [];
    this.epoch++;
    return dropped;
  }

  /**
   * The last write, at exit: every unwritten call, the write under way included. Whether that one
   * landed is unknown (its rename may have happened without its callback running); the stored
   * report's `writers` entry tells, so its calls are added only if they are not in already.
   */
  beginExitWrite(): LedgerWrite {
    const delta: Delta = { seq: this.writer.next(), calls: this.pending, alerts: this.pendingAlerts };
    const deltas = [...this.unconfirmed, ...(this.inFlight ? [this.inFlight] : []), delta];
    return { merge: (stored) => this.fold(stored, deltas), known: this.base, delta };
  }

  /** The exit write is in the store: nothing is unwritten, and the write it replaced no longer counts. */
  exitCommitted(stored: StoredSessionReport | undefined): void {
    this.inFlight = undefined;
    this.unconfirmed = [];
    this.pending = new SessionAggregate(this.sessionId, this.maxRecent);
    this.pendingAlerts = [];
    this.pendingEmpty = true;
    this.epoch++;
    this.setBase(stored);
  }

  /** The stored report (as last known) with every unwritten call: the live session. A new object every time. */
  report(): SessionReport {
    return toPublicReport(this.stored());
  }

  /** `report()` with its merge state (the sketches). */
  stored(): StoredSessionReport {
    let written = this.base;
    for (const delta of this.unseenUnconfirmed()) written = withAlerts(foldIntoStored(written, delta.calls, false), delta.alerts);
    if (this.inFlight) written = withAlerts(foldIntoStored(written, this.inFlight.calls, false), this.inFlight.alerts);
    return withAlerts(foldIntoStored(written, this.pending), this.pendingAlerts);
  }

  /** The unconfirmed writes the base does not hold (by its `writers` entry). */
  private unseenUnconfirmed(): Delta[] {
    if (this.unconfirmed.length === 0) return this.unconfirmed;
    const seen = this.base?.writers?.[this.writer.id] ?? 0;
    return this.unconfirmed.filter((delta) => delta.seq > seen);
  }

  /** `report()`'s summary, without merging any statistics (listing asks for every live session's). */
  summary(): SessionSummary {
    const tally = new SummaryTally();
    let start = Infinity;
    let update = -Infinity;
    let end: number | undefined;
    let agent = this.base?.agent;
    if (this.base) {
      for (const [type, op] of Object.entries(this.base.operations)) {
        tally.addOperation(type, op.count, op.errors, Object.entries(op.tools).map(([name, stats]) => [name, stats.count] as const));
      }
      start = Date.parse(this.base.startedAt);
      update = Date.parse(this.base.updatedAt);
      end = this.base.endedAt === undefined ? undefined : Date.parse(this.base.endedAt);
    }
    for (const delta of [...this.unseenUnconfirmed().map((d) => d.calls), this.inFlight?.calls, this.pending]) {
      if (delta === undefined) continue;
      delta.tallyInto(tally);
      start = Math.min(start, delta.startTimeMs);
      update = Math.max(update, delta.updateTimeMs);
      if (delta.calls > 0 || delta.endTimeMs !== undefined) end = delta.endTimeMs;
      agent = delta.agent ?? agent;
    }
    const unwrittenAlerts = [...this.unseenUnconfirmed().flatMap((d) => d.alerts), ...(this.inFlight?.alerts ?? []), ...this.pendingAlerts];
    const alerts = unwrittenAlerts.length === 0 ? this.base?.alerts : mergeAlerts(this.base?.alerts, unwrittenAlerts);
    return tally.summary(this.sessionId, sessionTimes(start, update, end), agent, alerts);
  }

  private setBase(stored: StoredSessionReport | undefined): void {
    this.base = stored;
    this.baseKnown = true;
  }

  /** `stored` with the deltas it has not seen from this writer; undefined (no write) if it has seen them all. */
  private fold(found: StoredSessionReport | undefined, deltas: readonly Delta[]): StoredSessionReport | undefined {
    // A report this writer knew is gone (its data directory removed under it, by hand or a cleanup
    // job): written back from what it knew, rather than losing every call written before.
    const stored = found ?? this.base;
    const seen = stored?.writers?.[this.writer.id] ?? 0;
    const fresh = deltas.filter((delta) => delta.seq > seen);
    const last = fresh.at(-1);
    if (last === undefined) return undefined;
    let next = foldIntoStored(stored, (fresh[0] as Delta).calls, fresh.length === 1);
    for (const [i, delta] of fresh.slice(1).entries()) next = foldIntoStored(next, delta.calls, i === fresh.length - 2);
    next = withAlerts(next, fresh.flatMap((delta) => delta.alerts));
    const writers = Object.entries(stored?.writers ?? {}).filter(([id]) => id !== this.writer.id);
    writers.push([this.writer.id, last.seq]);
    return { ...next, writers: Object.fromEntries(writers.slice(-MAX_WRITERS)) };
  }
}

import type { CallRecord } from '../../reports/call-record.js';
import type { MappedCall, Signal } from './sources/source.js';

/** Cancels a timer set by `Later`. */
export type Cancel = () => void;
/** Runs `fn` once after `ms` (or sooner, at a flush); gives back what cancels it. */
export type Later = (ms: number, fn: () => void) => Cancel;

/** One call of a held copy and its pair: the pair's outcome and agent, the held copy's timing and IDs. */
function joined(held: CallRecord, pair: CallRecord): CallRecord {
  return {
    ...pair,
    startTimeMs: held.startTimeMs,
    durationMs: held.durationMs,
    callId: held.callId ?? pair.callId,
    traceId: held.traceId ?? pair.traceId,
    spanId: held.spanId ?? pair.spanId,
    agent: pair.agent ?? held.agent,
    argumentsFingerprint: pair.argumentsFingerprint ?? held.argumentsFingerprint,
  };
}

/** Match keys remembered at most; the least recently used go first. */
export const MAX_MATCH_KEYS = 100_000;
/** A match key untouched this long is forgotten: the other signal's copy comes within seconds, not minutes. */
export const MATCH_KEY_TTL_MS = 15 * 60_000;

interface Held {
  readonly call: CallRecord;
  readonly signal: Signal;
  cancel: Cancel;
}

interface Entry {
  /** Calls folded per signal that no call of the other signal has matched yet. */
  spans: number;
  logs: number;
  /** Calls waiting for their match (`holdMs`), oldest first. */
  readonly held: Held[];
  touchedMs: number;
}

/**
 * Counts each call once when an agent sends it on two signals (a log record and a span). Calls
 * with equal match keys from different signals pair up in order — the k-th log with the k-th
 * span — so that a reused call ID (`call_0` in every turn) still counts each call; calls of one
 * signal never pair with each other. A call that asks to be held waits for its pair from the other
 * signal, and the two are folded as one (the pair's outcome, the held copy's timing); otherwise the
 * first copy to arrive is folded and the second is dropped.
 */
export class CallMatcher {
  private readonly entries = new Map<string, Entry>();
  private dropped = 0;

  constructor(
    private readonly fold: (call: CallRecord) => void,
    private readonly later: Later,
    private readonly now: () => number = Date.now,
  ) {}

  /** Copies dropped so far: calls that another signal had counted (or was to count) already. */
  get duplicates(): number {
    return this.dropped;
  }

  offer(mapped: MappedCall, signal: Signal): void {
    if (mapped.matchKey === undefined) {
      this.fold(mapped.call);
      return;
    }
    const entry = this.touch(mapped.matchKey);
    const waiting = entry.held.findIndex((held) => held.signal !== signal);
    if (waiting !== -1) {
      // The other signal's copy was held for this one: this one tells the outcome, that one the timing.
      const held = entry.held.splice(waiting, 1)[0] as Held;
      held.cancel();
      this.dropped++;
      this.fold(joined(held.call, mapped.call));
      return;
    }
    const other = signal === 'span' ? 'logs' : 'spans';
    if (entry[other] > 0) {
      entry[other]--;
      this.dropped++;
      return;
    }
    if (mapped.holdMs !== undefined && mapped.holdMs > 0) {
      const held: Held = { call: mapped.call, signal, cancel: () => {} };
      held.cancel = this.later(mapped.holdMs, () => this.release(entry, held));
      entry.held.push(held);
      return;
    }
    this.counted(entry, signal);
    this.fold(mapped.call);
  }

  /** A held call whose pair did not come in time: folded after all. */
  private release(entry: Entry, held: Held): void {
    const index = entry.held.indexOf(held);
    if (index === -1) return;
    entry.held.splice(index, 1);
    this.counted(entry, held.signal);
    this.fold(held.call);
  }

  private counted(entry: Entry, signal: Signal): void {
    if (signal === 'span') entry.spans++;
    else entry.logs++;
  }

  /** The key's entry, made the most recently used; forgets the least recently used past the limits. */
  private touch(key: string): Entry {
    const now = this.now();
    let entry = this.entries.get(key);
    if (entry === undefined) entry = { spans: 0, logs: 0, held: [], touchedMs: now };
    else this.entries.delete(key);
    entry.touchedMs = now;
    this.entries.set(key, entry);
    for (const [oldKey, old] of this.entries) {
      if (this.entries.size <= MAX_MATCH_KEYS && now - old.touchedMs < MATCH_KEY_TTL_MS) break;
      // A held call is never forgotten: its timer folds it.
      if (old.held.length > 0) break;
      this.entries.delete(oldKey);
    }
    return entry;
  }
}

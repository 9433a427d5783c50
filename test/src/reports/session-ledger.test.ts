import { describe, expect, it } from 'vitest';
import { summarize, type StoredSessionReport } from '../../../src/document/report.js';
import type { CallRecord } from '../../../src/reports/call-record.js';
import { ReportWriter, SessionLedger } from '../../../src/reports/session-ledger.js';

let clock = Date.parse('2026-03-01T00:00:00Z');
const call = (toolName = 'read', errorType?: string): CallRecord => ({
  sessionId: 'ses', operationType: 'tool-execution', toolName, callId: undefined, startTimeMs: (clock += 100), durationMs: 10, errorType, traceId: undefined, spanId: undefined,
});
const countOf = (report: { operations: Record<string, { count: number }> } | undefined) => report?.operations['tool-execution']?.count;
const ledger = (writer = new ReportWriter()) => new SessionLedger('ses', 5, writer);

/** What a store does with a write: the merge applied to what it holds. */
function apply(stored: StoredSessionReport | undefined, merge: (s: StoredSessionReport | undefined) => StoredSessionReport | undefined) {
  return merge(stored) ?? stored;
}

describe('SessionLedger', () => {
  it('a write carries the calls since the last one, merged into what another writer stored meanwhile', () => {
    const mine = ledger();
    const theirs = ledger();
    let stored: StoredSessionReport | undefined;
    for (let round = 1; round <= 3; round++) {
      for (let i = 0; i < 2; i++) mine.add(call('a'));
      theirs.add(call('b', 'Error'));
      for (const l of [mine, theirs]) {
        const write = l.beginWrite();
        stored = apply(stored, write.merge);
        l.committed(write, stored);
      }
      expect(stored?.operations['tool-execution']?.tools).toMatchObject({ a: { count: 2 * round }, b: { count: round, errors: round } });
    }
    // Each one's view is the store as of its own last write, plus nothing unwritten.
    expect(countOf(theirs.report())).toBe(9);
    expect(countOf(mine.report())).toBe(8);
  });

  it('the exit write adds a write under way only if the store does not hold it yet', () => {
    for (const landed of [true, false]) {
      const l = ledger();
      let stored: StoredSessionReport | undefined;
      l.add(call());
      const inFlight = l.beginWrite();
      if (landed) stored = apply(stored, inFlight.merge); // renamed into place, its callback never ran
      l.add(call());
      l.add(call());
      const exit = l.beginExitWrite();
      stored = apply(stored, exit.merge);
      l.exitCommitted(stored);
      expect(countOf(stored)).toBe(3);
      expect(l.hasUnwritten()).toBe(false);
      // Were the process to go on, the old write's late answer changes nothing, and a retry of it adds nothing.
      l.committed(inFlight, undefined);
      l.failed(inFlight);
      expect(inFlight.merge(stored)).toBeUndefined();
      expect(countOf(l.report())).toBe(3);
    }
  });

  it('a failed write gives its calls back, before the ones that came since, an end included', () => {
    const l = ledger();
    l.add(call());
    l.end(clock + 1);
    const failed = l.beginWrite();
    l.add(call('late')); // reopens the session
    l.failed(failed);
    expect(l.hasPending()).toBe(true);
    const write = l.beginWrite();
    const stored = apply(undefined, write.merge);
    l.committed(write, stored);
    expect(countOf(stored)).toBe(2);
    expect(stored?.endedAt).toBeUndefined();
    expect(stored?.recent.map((r) => r.toolName)).toEqual(['read', 'late']);
  });

  it('takes a read of the store as its base only if no write started or ended meanwhile', () => {
    const l = ledger();
    const earlier = apply(undefined, ledger().beginWrite().merge);
    l.add(call());
    let epoch = l.epoch;
    const write = l.beginWrite();
    expect(l.adopt(earlier, epoch)).toBe(false); // a write is under way: the read may or may not hold it
    const stored = apply(earlier, write.merge);
    l.committed(write, stored);
    expect(l.adopt(stored, epoch)).toBe(false);
    expect(countOf(l.report())).toBe(1);
    epoch = l.epoch;
    expect(l.adopt(stored, epoch)).toBe(true);
    expect(countOf(l.report())).toBe(1);
  });

  it('its summary is its report’s, without merging statistics', () => {
    const l = ledger();
    const other = ledger();
    other.add(call('x', 'Error'));
    other.end(clock + 5);
    const otherWrite = other.beginWrite();
    const stored = apply(undefined, otherWrite.merge);
    expect(l.adopt(stored, l.epoch)).toBe(true);
    const summaryOf = summarize;
    // Asked first, the summary is computed without the merged view; then compared with that view's.
    let summary = l.summary();
    expect(summary).toEqual(summaryOf(l.report()));
    expect(summary.endedAt).toBeDefined(); // ended, as stored
    l.add(call());
    l.beginWrite(); // under way
    l.add(call('y', 'Error'));
    const fresh = ledger();
    fresh.add(call());
    for (const each of [l, fresh]) {
      summary = each.summary();
      expect(summary).toEqual(summaryOf(each.report()));
      expect(summary.endedAt).toBeUndefined(); // reopened by the later calls
    }
    expect(l.summary()).toMatchObject({ calls: 3, errors: 2 });
  });

  it('remembers the last 16 writers in the stored report', () => {
    let stored: StoredSessionReport | undefined;
    for (let i = 0; i < 20; i++) {
      const l = ledger();
      l.add(call());
      stored = apply(stored, l.beginWrite().merge);
    }
    expect(Object.keys(stored?.writers ?? {})).toHaveLength(16);
    expect(countOf(stored)).toBe(20);
  });
});

import { describe, expect, it } from 'vitest';
import type { DurationStats, StoredSessionReport } from '../../../src/document/report.js';
import type { CallRecord } from '../../../src/reports/call-record.js';
import { MAX_TOOLS_PER_OPERATION, SessionAggregate } from '../../../src/reports/session-aggregate.js';
import { foldIntoStored } from '../../../src/reports/stored-fold.js';
import { ownEntry } from '../../../src/util/own-record.js';
import { prng } from '../../helpers/prng.js';

const T0 = Date.parse('2026-04-01T00:00:00Z');

function calls(n: number, seed: number): CallRecord[] {
  const random = prng(seed);
  let t = T0;
  return Array.from({ length: n }, (_, i) => ({
    sessionId: 'ses',
    operationType: random() < 0.2 ? 'llm-call' : 'tool-execution',
    toolName: ['read', 'bash', 'edit', 'grep', '__proto__'][Math.floor(random() * 5)] as string,
    callId: `c${i}`,
    startTimeMs: (t += Math.floor(random() * 50)),
    // Calls overlap: a call may end before the one recorded before it.
    durationMs: Math.round(random() * 2000 * 1000) / 1000,
    errorType: random() < 0.1 ? 'TimeoutError' : undefined,
    traceId: undefined,
    spanId: undefined,
  }));
}

function aggregateOf(list: CallRecord[], maxRecent = 20): SessionAggregate {
  const aggregate = new SessionAggregate('ses', maxRecent);
  for (const call of list) aggregate.add(call);
  return aggregate;
}

describe('foldIntoStored', () => {
  it('folding the calls in deltas gives the report of all of them in one aggregate', () => {
    const all = calls(600, 7);
    const random = prng(11);
    let stored: StoredSessionReport | undefined;
    for (let at = 0; at < all.length; ) {
      const size = 1 + Math.floor(random() * 40);
      stored = foldIntoStored(stored, aggregateOf(all.slice(at, at + size)));
      at += size;
    }
    const whole = aggregateOf(all).toStored();
    // Counts, percentiles (the merged sketches hold the same bins) and extremes exactly; sums and moments to rounding.
    const figures = (stats: DurationStats | undefined) => {
      const { meanMs, stddevMs, totalMs, ...exact } = stats ?? ({} as DurationStats);
      return { ...exact, meanMs: meanMs?.toFixed(6), stddevMs: stddevMs?.toFixed(6), totalMs: totalMs?.toFixed(3) };
    };
    expect(Object.keys(stored?.operations ?? {}).sort()).toEqual(Object.keys(whole.operations).sort());
    for (const [type, op] of Object.entries(whole.operations)) {
      const folded = stored?.operations[type];
      expect(figures(folded)).toEqual(figures(op));
      expect(Object.keys(folded?.tools ?? {}).sort()).toEqual(Object.keys(op.tools).sort());
      for (const [name, tool] of Object.entries(op.tools)) expect(figures(ownEntry(folded?.tools, name))).toEqual(figures(tool));
      expect(Object.getPrototypeOf(folded?.tools)).toBe(Object.prototype); // `__proto__` stayed an entry
    }
    expect({ startedAt: stored?.startedAt, updatedAt: stored?.updatedAt, endedAt: stored?.endedAt }).toEqual({
      startedAt: whole.startedAt,
      updatedAt: whole.updatedAt,
      endedAt: undefined,
    });
    // Recent calls: 20, ordered by end time.
    const ends = (stored?.recent ?? []).map((r) => Date.parse(r.startedAt) + r.durationMs);
    expect(ends).toHaveLength(20);
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
  });

  it('keeps the last calls, oldest first, when each ends after the one before', () => {
    const all = calls(100, 9).map((call, i) => ({ ...call, startTimeMs: T0 + i * 10_000, durationMs: 5 }));
    let stored: StoredSessionReport | undefined;
    for (let at = 0; at < all.length; at += 7) stored = foldIntoStored(stored, aggregateOf(all.slice(at, at + 7)));
    expect(stored?.recent.map((r) => r.callId)).toEqual(all.slice(-20).map((c) => c.callId));
  });

  it('orders recent calls of equal ends as they came, the stored ones first, in order or not', () => {
    for (const seed of [1, 2, 3, 4]) {
      const random = prng(seed);
      // Ends on a coarse grid (many ties); seeds 3 and 4 out of order within a delta.
      const all = calls(300, seed).map((call, i) => ({ ...call, startTimeMs: T0 + Math.floor(i / (seed < 3 ? 6 : 1)) * 1000 + (seed < 3 ? 0 : Math.floor(random() * 3) * 1000), durationMs: 0 }));
      let stored: StoredSessionReport | undefined;
      const batches: CallRecord[][] = [];
      for (let at = 0; at < all.length; at += 25) batches.push(all.slice(at, at + 25));
      let expected: CallRecord[] = [];
      for (const batch of batches) {
        stored = foldIntoStored(stored, aggregateOf(batch, 40));
        // The reference: a stable sort by end of what was kept and the batch's last 40, the kept ones first.
        const added = [...batch].sort((a, b) => a.startTimeMs - b.startTimeMs).slice(-40);
        expected = [...expected, ...added].map((call, index) => ({ call, index })).sort((a, b) => a.call.startTimeMs - b.call.startTimeMs || a.index - b.index).slice(-40).map((e) => e.call);
      }
      expect(stored?.recent.map((r) => r.callId)).toEqual(expected.map((c) => c.callId));
    }
  });

  it('keeps the caps: a tool past the last one a stored operation can hold counts under _OTHER', () => {
    const many = aggregateOf(Array.from({ length: MAX_TOOLS_PER_OPERATION }, (_, i) => ({ ...calls(1, i)[0]!, operationType: 'tool-execution', toolName: `t${i}` })));
    const stored = many.toStored();
    const next = foldIntoStored(stored, aggregateOf([{ ...calls(1, 1)[0]!, operationType: 'tool-execution', toolName: 'one-too-many' }]));
    const tools = next.operations['tool-execution']?.tools ?? {};
    expect(Object.keys(tools)).toHaveLength(MAX_TOOLS_PER_OPERATION + 1);
    expect(tools._OTHER?.count).toBe(1);
    expect(next.operations['tool-execution']?.count).toBe(MAX_TOOLS_PER_OPERATION + 1);
  });

  it('a later end wins, and later calls reopen an ended session; a delta with neither leaves the end alone', () => {
    const stored = aggregateOf(calls(5, 3)).toStored();
    const ending = new SessionAggregate('ses', 20);
    ending.end(T0 + 10_000_000);
    const ended = foldIntoStored(stored, ending);
    expect(ended.endedAt).toBe(new Date(T0 + 10_000_000).toISOString());
    expect(foldIntoStored(ended, new SessionAggregate('ses', 20)).endedAt).toBe(ended.endedAt);
    const reopened = foldIntoStored(ended, aggregateOf(calls(1, 4)));
    expect(reopened.endedAt).toBeUndefined();
  });

  it('keeps what the writers wrote', () => {
    const stored = { ...aggregateOf(calls(3, 5)).toStored(), writers: { w1: 4 } };
    expect(foldIntoStored(stored, aggregateOf(calls(2, 6))).writers).toEqual({ w1: 4 });
  });
});

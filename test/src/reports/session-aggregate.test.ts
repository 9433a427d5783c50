import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../src/reports/call-record.js';
import type { DurationStats, SessionReport, StoredSessionReport } from '../../../src/document/report.js';
import { MAX_OPERATION_TYPES, MAX_TOOLS_PER_OPERATION, SessionAggregate } from '../../../src/reports/session-aggregate.js';
import { isStoredReportProblem, storedReportCheckSync } from '../../../src/document/check-stored-report.js';

const checkStoredReport = storedReportCheckSync();
import { prng } from '../../helpers/prng.js';

const SESSION = 'ses_test';
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

function call(overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    sessionId: SESSION,
    operationType: 'tool-execution',
    toolName: 'read',
    callId: undefined,
    startTimeMs: T0,
    durationMs: 10,
    errorType: undefined,
    traceId: undefined,
    spanId: undefined,
    ...overrides,
  };
}


const TOOLS = {
  'tool-execution': ['read', 'write', 'edit', 'bash', 'grep', 'webfetch'],
  'llm-call': ['claude', 'gpt'],
  'file-io': ['fs.read'],
} as const;
const ERRORS = ['TypeError', 'ENOENT', 'AbortError', 'EACCES'];

/**
 * `n` calls one after another (each starts after the previous one ended), as one agent makes
 * them: mixed operation types and tools, heavy-tailed durations, ~10% failures.
 */
function sequentialCalls(n: number, seed: number): CallRecord[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const calls: CallRecord[] = [];
  let t = T0;
  for (let i = 0; i < n; i++) {
    const operationType = random() < 0.8 ? 'tool-execution' : pick(['llm-call', 'file-io'] as const);
    const durationMs = Math.exp(2 + 1.5 * (random() + random() + random() - 1.5) * 2) + random();
    calls.push(
      call({
        operationType,
        toolName: pick(TOOLS[operationType]),
        callId: `call_${i}`,
        startTimeMs: t,
        durationMs,
        errorType: random() < 0.1 ? pick(ERRORS) : undefined,
        traceId: random() < 0.5 ? `trace${i}` : undefined,
        spanId: random() < 0.5 ? `span${i}` : undefined,
      }),
    );
    t += Math.ceil(durationMs) + Math.floor(random() * 50);
  }
  return calls;
}

function aggregateOf(calls: readonly CallRecord[], maxRecent = 50): SessionAggregate {
  const aggregate = new SessionAggregate(SESSION, maxRecent);
  for (const c of calls) aggregate.add(c);
  return aggregate;
}

/** What another process reads back from the store. */
function throughJson(stored: StoredSessionReport): StoredSessionReport {
  return JSON.parse(JSON.stringify(stored)) as StoredSessionReport;
}

/**
 * Counts, errors, extremes and percentiles must be identical; sums, means and standard deviations
 * are float sums in another order, so they may differ by one rounding unit (1 µs).
 */
function expectSameStats(actual: DurationStats, expected: DurationStats, where: string): void {
  const { totalMs, meanMs, stddevMs, ...exact } = expected;
  const { totalMs: aTotal, meanMs: aMean, stddevMs: aStddev, ...aExact } = actual;
  expect(aExact, where).toEqual(exact);
  for (const [name, a, e] of [['totalMs', aTotal, totalMs], ['meanMs', aMean, meanMs], ['stddevMs', aStddev, stddevMs]] as const) {
    expect(Math.abs(a - e), `${where}.${name}: ${a} vs ${e}`).toBeLessThanOrEqual(0.001 + 1e-9 * Math.abs(e));
  }
}

function expectSameReport(actual: SessionReport, expected: SessionReport): void {
  const { operations, ...rest } = expected;
  const { operations: aOperations, ...aRest } = actual;
  expect(aRest).toEqual(rest); // schemaVersion, sessionId, startedAt, updatedAt, endedAt, recent
  expect(Object.keys(aOperations).sort()).toEqual(Object.keys(operations).sort());
  for (const [type, op] of Object.entries(operations)) {
    const { tools, ...all } = op;
    const { tools: aTools, ...aAll } = aOperations[type]!;
    expectSameStats(aAll, all, type);
    expect(Object.keys(aTools).sort(), type).toEqual(Object.keys(tools).sort());
    for (const [name, stats] of Object.entries(tools)) expectSameStats(aTools[name]!, stats, `${type}/${name}`);
  }
}

function expectValidStored(stored: unknown): void {
  const checked = checkStoredReport(stored);
  expect(isStoredReportProblem(checked) ? checked.message : 'ok').toBe('ok');
}

describe('SessionAggregate statistics', () => {
  it('keeps statistics per operation type and per tool', () => {
    const aggregate = aggregateOf([
      call({ toolName: 'read', durationMs: 10 }),
      call({ toolName: 'read', durationMs: 30, errorType: 'ENOENT' }),
      call({ toolName: 'bash', durationMs: 100 }),
      call({ operationType: 'llm-call', toolName: 'claude', durationMs: 2000 }),
      call({ operationType: 'llm-call', toolName: 'claude', durationMs: 1000, errorType: 'AbortError' }),
    ]);
    const report = aggregate.toReport();

    expect(Object.keys(report.operations).sort()).toEqual(['llm-call', 'tool-execution']);
    const tools = report.operations['tool-execution']!;
    expect(tools).toMatchObject({ count: 3, errors: 1, totalMs: 140, minMs: 10, maxMs: 100, errorTypes: { ENOENT: 1 } });
    expect(Object.keys(tools.tools).sort()).toEqual(['bash', 'read']);
    expect(tools.tools.read).toMatchObject({ count: 2, errors: 1, meanMs: 20, minMs: 10, maxMs: 30, errorTypes: { ENOENT: 1 }, successRate: 0.5 });
    expect(tools.tools.bash).toMatchObject({ count: 1, errors: 0, meanMs: 100, errorTypes: {}, successRate: 1 });

    const llm = report.operations['llm-call']!;
    expect(llm).toMatchObject({ count: 2, errors: 1, meanMs: 1500, errorTypes: { AbortError: 1 } });
    expect(Object.keys(llm.tools)).toEqual(['claude']);

    expect(aggregate.calls).toBe(5);
    expect(aggregate.summary()).toMatchObject({ sessionId: SESSION, calls: 5, errors: 2 });
  });

  it('bounds the tools and operation types of a session: past the caps, new names count under _OTHER', () => {
    const agg = new SessionAggregate(SESSION, 10);
    for (let i = 0; i < MAX_TOOLS_PER_OPERATION + 50; i++) agg.add(call({ toolName: `tool_${i}` }));
    agg.add(call({ toolName: 'tool_0' })); // a name kept before the cap stays its own
    for (let i = 0; i < MAX_OPERATION_TYPES + 5; i++) agg.add(call({ operationType: `op_${i}`, toolName: 'x' }));
    const report = agg.toReport();
    const tools = report.operations['tool-execution']?.tools ?? {};
    expect(Object.keys(tools)).toHaveLength(MAX_TOOLS_PER_OPERATION + 1);
    expect(tools._OTHER?.count).toBe(50);
    expect(tools.tool_0?.count).toBe(2);
    expect(report.operations['tool-execution']?.count).toBe(MAX_TOOLS_PER_OPERATION + 51);
    expect(Object.keys(report.operations)).toHaveLength(MAX_OPERATION_TYPES + 1);
    expect(report.operations._OTHER?.count).toBe(6);
  });

  it('keeps same-named tools of different operation types apart', () => {
    const report = aggregateOf([
      call({ operationType: 'tool-execution', toolName: 'read', durationMs: 5 }),
      call({ operationType: 'file-io', toolName: 'read', durationMs: 500 }),
    ]).toReport();
    expect(report.operations['tool-execution']!.tools.read!.maxMs).toBe(5);
    expect(report.operations['file-io']!.tools.read!.maxMs).toBe(500);
  });

  it('reports an empty session with no operations and no recent calls', () => {
    const aggregate = new SessionAggregate(SESSION, 10);
    const report = aggregate.toReport();
    expect(report).toMatchObject({ schemaVersion: 2, sessionId: SESSION, operations: {}, recent: [] });
    expect(report.startedAt).toBe(report.updatedAt);
    expect(report.endedAt).toBeUndefined();
    expect(aggregate.summary()).toMatchObject({ calls: 0, errors: 0 });
  });

  it('starts at the earliest call start and is updated at the latest call end', () => {
    const report = aggregateOf([
      call({ startTimeMs: T0 + 1000, durationMs: 50 }),
      call({ startTimeMs: T0, durationMs: 5000 }), // arrives late, started first, ended last
      call({ startTimeMs: T0 + 2000, durationMs: 10 }),
    ]).toReport();
    expect(report.startedAt).toBe(new Date(T0).toISOString());
    expect(report.updatedAt).toBe(new Date(T0 + 5000).toISOString());
  });
});

describe('SessionAggregate recent calls', () => {
  const numbered = (n: number): CallRecord[] =>
    Array.from({ length: n }, (_, i) => call({ callId: `c${i}`, startTimeMs: T0 + i * 1000 }));

  it('keeps the last maxRecent calls, oldest first', () => {
    const report = aggregateOf(numbered(7), 3).toReport();
    expect(report.recent.map((r) => r.callId)).toEqual(['c4', 'c5', 'c6']);
  });

  it('keeps the order right over several laps of the ring', () => {
    const aggregate = new SessionAggregate(SESSION, 4);
    const calls = numbered(23);
    calls.forEach((c, i) => {
      aggregate.add(c);
      const expected = calls.slice(Math.max(0, i - 3), i + 1).map((x) => x.callId);
      expect(aggregate.toReport().recent.map((r) => r.callId), `after ${i + 1} calls`).toEqual(expected);
    });
  });

  it('keeps every call below maxRecent', () => {
    expect(aggregateOf(numbered(2), 5).toReport().recent.map((r) => r.callId)).toEqual(['c0', 'c1']);
  });

  it('keeps none with maxRecent 0, while statistics still cover every call', () => {
    const aggregate = aggregateOf(numbered(5), 0);
    expect(aggregate.toReport().recent).toEqual([]);
    expect(aggregate.toReport().operations['tool-execution']!.count).toBe(5);
    expect(aggregate.toStored().recent).toEqual([]);
  });

  it('records each recent call with its fields, leaving out the unset ones', () => {
    const report = aggregateOf([
      call({ toolName: 'bash', callId: 'c1', startTimeMs: T0, durationMs: 12.3456789, traceId: 't', spanId: 's' }),
      call({ toolName: 'read', startTimeMs: T0 + 1, durationMs: 1, errorType: 'ENOENT' }),
    ]).toReport();
    expect(report.recent[0]).toEqual({
      operationType: 'tool-execution',
      toolName: 'bash',
      callId: 'c1',
      startedAt: new Date(T0).toISOString(),
      durationMs: 12.346,
      ok: true,
      traceId: 't',
      spanId: 's',
    });
    expect(report.recent[1]).toEqual({
      operationType: 'tool-execution',
      toolName: 'read',
      startedAt: new Date(T0 + 1).toISOString(),
      durationMs: 1,
      ok: false,
      errorType: 'ENOENT',
    });
    expect(Object.keys(report.recent[1]!)).not.toContain('callId');
  });
});

describe('SessionAggregate end', () => {
  it('sets endedAt, and a later call clears it', () => {
    const aggregate = aggregateOf([call({ startTimeMs: T0, durationMs: 100 })]);
    aggregate.end(T0 + 5000);
    const ended = aggregate.toReport();
    expect(ended.endedAt).toBe(new Date(T0 + 5000).toISOString());
    expect(ended.updatedAt).toBe(new Date(T0 + 5000).toISOString());
    expect(aggregate.summary().endedAt).toBe(ended.endedAt);

    aggregate.add(call({ startTimeMs: T0 + 6000, durationMs: 10 }));
    const reopened = aggregate.toReport();
    expect(reopened.endedAt).toBeUndefined();
    expect('endedAt' in reopened).toBe(false);
    expect(reopened.updatedAt).toBe(new Date(T0 + 6010).toISOString());
  });

  it('does not move updatedAt back when ended before the last call ended', () => {
    const aggregate = aggregateOf([call({ startTimeMs: T0, durationMs: 10_000 })]);
    aggregate.end(T0 + 100);
    expect(aggregate.toReport().updatedAt).toBe(new Date(T0 + 10_000).toISOString());
  });

  it('builds a report, a summary and a stored report whatever times got in, never throwing', () => {
    // Every entrance refuses such times (call-record.ts); building a report must not depend on it.
    for (const bad of [1e300, -1e300, 8.64e15 + 1, Number.NaN, Infinity]) {
      const aggregate = new SessionAggregate(SESSION, 10);
      aggregate.add(call({ startTimeMs: bad }));
      aggregate.add(call({ startTimeMs: T0 }));
      aggregate.end(bad);
      expect(() => aggregate.summary()).not.toThrow();
      const report = aggregate.toReport();
      for (const iso of [report.startedAt, report.updatedAt, report.endedAt, ...report.recent.map((r) => r.startedAt)]) {
        expect(Number.isFinite(Date.parse(iso!)), `${String(bad)}: ${iso}`).toBe(true);
      }
      expectValidStored(aggregate.toStored());
    }
  });

  it('dates an empty ended session at its end', () => {
    const aggregate = new SessionAggregate(SESSION, 10);
    aggregate.end(T0);
    const iso = new Date(T0).toISOString();
    expect(aggregate.toReport()).toMatchObject({ startedAt: iso, updatedAt: iso, endedAt: iso });
  });
});

describe('SessionAggregate toStored', () => {
  it('passes the stored-report schema: empty, with errors, ended, after JSON', () => {
    const empty = new SessionAggregate(SESSION, 10);
    expectValidStored(empty.toStored());

    const busy = aggregateOf(sequentialCalls(500, 1), 20);
    expectValidStored(busy.toStored());
    busy.end(T0 + 1e9);
    expectValidStored(busy.toStored());
    expectValidStored(throughJson(busy.toStored()));
  });

  it('holds the public report plus the merge state of every operation and tool', () => {
    const aggregate = aggregateOf(sequentialCalls(300, 2));
    const stored = aggregate.toStored();
    const { aggregates, ...report } = stored;
    expect(report).toEqual(aggregate.toReport());
    expect(Object.keys(aggregates).sort()).toEqual(Object.keys(report.operations).sort());
    for (const [type, state] of Object.entries(aggregates)) {
      expect(state.all.count).toBe(report.operations[type]!.count);
      expect(Object.keys(state.tools).sort()).toEqual(Object.keys(report.operations[type]!.tools).sort());
    }
  });

  it('is rejected by the schema when its session id is unsafe', () => {
    const stored = new SessionAggregate('../escape', 10).toStored();
    expect(isStoredReportProblem(checkStoredReport(stored))).toBe(true);
  });
});

describe('SessionAggregate mergeStored: a session resumed across two processes', () => {
  const N = 3000;
  const ALL = sequentialCalls(N, 20250101);

  it.each([
    // [first process calls, second process calls before its load finished, maxRecent]
    [1500, 0, 50],
    [2990, 0, 50], // the second process has fewer calls than maxRecent
    [10, 0, 50], // the first process had fewer calls than maxRecent
    [1000, 213, 50], // calls arrived in the second process before the stored report was loaded (ring lapped)
    [2000, 5, 100],
    [1234, 0, 0],
  ])('first %i calls stored, then %i before and the rest after the load (maxRecent %i): same report as one aggregate', (split, beforeLoad, maxRecent) => {
    const first = aggregateOf(ALL.slice(0, split), maxRecent);
    const stored = throughJson(first.toStored());

    const second = aggregateOf(ALL.slice(split, split + beforeLoad), maxRecent);
    second.mergeStored(stored);
    // Right after the load: the same as one aggregate fed the calls so far.
    expectSameReport(second.toReport(), aggregateOf(ALL.slice(0, split + beforeLoad), maxRecent).toReport());
    for (const c of ALL.slice(split + beforeLoad)) second.add(c);

    const single = aggregateOf(ALL, maxRecent);
    expect(second.calls).toBe(N);
    expectSameReport(second.toReport(), single.toReport());
    expect(second.summary()).toEqual(single.summary());
    expectValidStored(second.toStored());
  });

  it('resumes over three processes as well', () => {
    const p1 = aggregateOf(ALL.slice(0, 1000));
    const p2 = new SessionAggregate(SESSION, 50);
    p2.mergeStored(throughJson(p1.toStored()));
    for (const c of ALL.slice(1000, 2000)) p2.add(c);
    const p3 = new SessionAggregate(SESSION, 50);
    p3.mergeStored(throughJson(p2.toStored()));
    for (const c of ALL.slice(2000)) p3.add(c);
    expectSameReport(p3.toReport(), aggregateOf(ALL).toReport());
  });

  it('a stored report reloaded without new calls gives the same report', () => {
    const original = aggregateOf(ALL.slice(0, 800));
    const reloaded = new SessionAggregate(SESSION, 50);
    reloaded.mergeStored(throughJson(original.toStored()));
    expectSameReport(reloaded.toReport(), original.toReport());
  });

  it('keeps endedAt of a stored ended session when it is only reloaded', () => {
    const original = aggregateOf(ALL.slice(0, 100));
    original.end(T0 + 1e9);
    const reloaded = new SessionAggregate(SESSION, 50);
    reloaded.mergeStored(throughJson(original.toStored()));
    expect(reloaded.toReport().endedAt).toBe(new Date(T0 + 1e9).toISOString());
    expect(reloaded.toReport().updatedAt).toBe(new Date(T0 + 1e9).toISOString());
  });

  it('reopens a stored ended session that got new calls, before or after the load', () => {
    const original = aggregateOf(ALL.slice(0, 100));
    original.end(ALL[99]!.startTimeMs + 1e5);
    const stored = throughJson(original.toStored());

    const before = aggregateOf(ALL.slice(100, 110));
    before.mergeStored(stored);
    expect(before.toReport().endedAt).toBeUndefined();

    const after = new SessionAggregate(SESSION, 50);
    after.mergeStored(stored);
    after.add(ALL[100]!);
    expect(after.toReport().endedAt).toBeUndefined();
  });

  it('can end a stored session by loading it and ending it, keeping its statistics', () => {
    const original = aggregateOf(ALL.slice(0, 300));
    const ending = new SessionAggregate(SESSION, 50);
    ending.mergeStored(throughJson(original.toStored()));
    ending.end(T0 + 2e9);
    const report = ending.toReport();
    expect(report.endedAt).toBe(new Date(T0 + 2e9).toISOString());
    expectSameReport({ ...report, endedAt: undefined, updatedAt: original.toReport().updatedAt }, { ...original.toReport(), endedAt: undefined });
  });

  it('keeps the recent calls ordered the same with overlapping calls, resumed or not', () => {
    // Concurrent calls: each starts 10 ms after the previous one but runs 0-200 ms, so calls
    // finish (and reach the aggregate, as spans do) in another order than they started.
    const random = prng(7);
    const calls = Array.from({ length: 60 }, (_, i) =>
      call({ callId: `c${i}`, startTimeMs: T0 + i * 10, durationMs: Math.floor(random() * 200) }),
    ).sort((a, b) => a.startTimeMs + a.durationMs - (b.startTimeMs + b.durationMs));
    const arrivalOrder = calls.map((c) => c.callId);
    expect(arrivalOrder).not.toEqual([...arrivalOrder].sort((a, b) => Number(a!.slice(1)) - Number(b!.slice(1))));

    const single = aggregateOf(calls, 20);
    const first = aggregateOf(calls.slice(0, 55), 20);
    const resumed = new SessionAggregate(SESSION, 20);
    resumed.mergeStored(throughJson(first.toStored()));
    for (const c of calls.slice(55)) resumed.add(c);

    expect(resumed.toReport().recent.map((r) => r.callId)).toEqual(single.toReport().recent.map((r) => r.callId));
  });
});

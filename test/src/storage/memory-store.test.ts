import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../src/reports/call-record.js';
import { InMemoryReportStore } from '../../../src/storage/memory-store.js';
import type { StoredSessionReport } from '../../../src/document/report.js';
import { SessionAggregate } from '../../../src/reports/session-aggregate.js';
import { reportStoreContract } from './report-store-contract.js';

const T0 = Date.UTC(2025, 0, 1);

function reportOf(sessionId: string, calls = 1, errors = 0): StoredSessionReport {
  const aggregate = new SessionAggregate(sessionId, 10);
  for (let i = 0; i < calls; i++) {
    const call: CallRecord = {
      sessionId,
      operationType: 'tool-execution',
      toolName: 'read',
      callId: `c${i}`,
      startTimeMs: T0 + i * 100,
      durationMs: 10 + i,
      errorType: i < errors ? 'ENOENT' : undefined,
      traceId: undefined,
      spanId: undefined,
    };
    aggregate.add(call);
  }
  return aggregate.toStored();
}

async function ids(store: InMemoryReportStore): Promise<string[]> {
  return (await store.list()).map((s) => s.sessionId).sort();
}

describe('InMemoryReportStore', () => {
  it('returns what was put, and summaries of every report', async () => {
    const store = new InMemoryReportStore();
    const a = reportOf('a', 3, 1);
    await store.put(a);
    await store.put(reportOf('b', 2));
    expect(await store.get('a')).toEqual(a);
    expect(store.getSync('a')).toEqual(a);
    expect(await store.get('missing')).toBeUndefined();
    const summaries = await store.list();
    expect(summaries.find((s) => s.sessionId === 'a')).toMatchObject({ calls: 3, errors: 1 });
    expect(summaries.find((s) => s.sessionId === 'b')).toMatchObject({ calls: 2, errors: 0 });
  });

  it('replaces the report of a session on a second put', async () => {
    const store = new InMemoryReportStore();
    await store.put(reportOf('a', 1));
    store.putSync(reportOf('a', 5));
    expect(await ids(store)).toEqual(['a']);
    expect((await store.list())[0]?.calls).toBe(5);
  });

  it('delete returns true when there was a report and false otherwise', async () => {
    const store = new InMemoryReportStore();
    await store.put(reportOf('a'));
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await store.get('a')).toBeUndefined();
  });

  it('holds at most maxSessions, dropping the least recently written', async () => {
    const store = new InMemoryReportStore(3);
    await store.put(reportOf('a'));
    await store.put(reportOf('b'));
    await store.put(reportOf('c'));
    expect(await ids(store)).toEqual(['a', 'b', 'c']);

    await store.put(reportOf('a', 2)); // a is now the most recently written
    await store.put(reportOf('d'));
    expect(await ids(store)).toEqual(['a', 'c', 'd']);
    expect(await store.get('b')).toBeUndefined();

    store.putSync(reportOf('e'));
    expect(await ids(store)).toEqual(['a', 'd', 'e']);
  });

  it('does not count reads as use when choosing what to drop', async () => {
    const store = new InMemoryReportStore(2);
    await store.put(reportOf('a'));
    await store.put(reportOf('b'));
    await store.get('a');
    await store.put(reportOf('c'));
    expect(await ids(store)).toEqual(['b', 'c']);
  });

  it('keeps 1000 sessions by default', async () => {
    const store = new InMemoryReportStore();
    const one = reportOf('s');
    for (let i = 0; i < 1001; i++) store.putSync({ ...one, sessionId: `s${i}` });
    const listed = await store.list();
    expect(listed).toHaveLength(1000);
    expect(store.getSync('s0')).toBeUndefined();
    expect(store.getSync('s1')?.sessionId).toBe('s1');
  });
});

describe('InMemoryReportStore: the store contract', () => {
  reportStoreContract(() => ({ store: new InMemoryReportStore(), other: () => new InMemoryReportStore() }), false);
});

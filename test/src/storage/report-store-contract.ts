import { expect, it } from 'vitest';
import type { StoredSessionReport } from '../../../src/document/report.js';
import type { CallRecord } from '../../../src/reports/call-record.js';
import { SessionAggregate } from '../../../src/reports/session-aggregate.js';
import { foldIntoStored } from '../../../src/reports/stored-fold.js';
import type { ReportMerge, ReportStore } from '../../../src/storage/report-store.js';
import type { SessionDigest } from '../../../src/storage/session-digest.js';

const T0 = Date.UTC(2025, 0, 1);

/** One shared builder: a session's stored report of `calls` calls (read, bash, edit in turn; every 4th an LLM call). */
export function reportOf(sessionId: string, calls = 3, errors = 0, startMs = T0): StoredSessionReport {
  const aggregate = new SessionAggregate(sessionId, 10);
  for (let i = 0; i < calls; i++) aggregate.add(callOf(sessionId, ['read', 'bash', 'edit'][i % 3] as string, startMs + i * 1000, i < errors, i % 4 === 3 ? 'llm-call' : 'tool-execution'));
  return aggregate.toStored();
}

export function callOf(sessionId: string, toolName: string, startTimeMs = T0, failed = false, operationType = 'tool-execution'): CallRecord {
  return { sessionId, operationType, toolName, callId: undefined, startTimeMs, durationMs: 5 + (startTimeMs % 7), errorType: failed ? 'ENOENT' : undefined, traceId: undefined, spanId: undefined };
}

/** A merge that adds one call of `tool` (what a writer's delta of one call does). */
export function oneMore(sessionId: string, tool: string, startTimeMs = T0): ReportMerge {
  return (stored) => {
    const delta = new SessionAggregate(sessionId, 10);
    delta.add(callOf(sessionId, tool, startTimeMs));
    return foldIntoStored(stored, delta);
  };
}

export const toolCount = (report: StoredSessionReport | undefined, tool: string): number | undefined => report?.operations['tool-execution']?.tools[tool]?.count;

/** What a contract test gets: a fresh, empty store, and a second store over the same storage (another process's view). */
export interface ContractStores {
  readonly store: ReportStore;
  readonly other: () => ReportStore;
}

/**
 * The behaviour every `ReportStore` shares (memory, files, PostgreSQL), as unstorage's driver
 * tests do: call inside a `describe` whose `fresh()` gives an empty store for each test.
 * `shared`: the engine has storage that another store can open (files, a database).
 */
export function reportStoreContract(fresh: () => ContractStores, shared: boolean): void {
  it('returns what was put, and undefined for a session never stored', async () => {
    const { store } = fresh();
    const a = reportOf('a', 5, 2);
    await store.put(a);
    expect(await store.get('a')).toEqual(a);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('replaces the report of a session on a second put', async () => {
    const { store } = fresh();
    await store.put(reportOf('a', 1));
    await store.put(reportOf('a', 6));
    expect((await store.list()).map((s) => [s.sessionId, s.calls])).toEqual([['a', 6]]);
  });

  it('lists the summary of every report, and digests with per-tool figures', async () => {
    const { store } = fresh();
    await store.put(reportOf('a', 3, 1));
    await store.put(reportOf('b', 8));
    const summaries = (await store.list()).sort((x, y) => (x.sessionId < y.sessionId ? -1 : 1));
    expect(summaries.map((s) => [s.sessionId, s.calls, s.errors])).toEqual([['a', 3, 1], ['b', 8, 0]]);
    if (store.listDigests === undefined) return;
    const digests = await store.listDigests();
    const b = digests.find((d) => d.summary.sessionId === 'b');
    expect(b?.tools.find((t) => t.toolName === 'read')).toMatchObject({ operationType: 'tool-execution', calls: 2 });
    expect(b?.tools.find((t) => t.operationType === 'llm-call' && t.toolName === 'read')).toMatchObject({ calls: 1 });
  });

  it('hands out the same digest while a report is unchanged, and a new one once it changed', async () => {
    const { store } = fresh();
    if (store.listDigests === undefined) return;
    await store.put(reportOf('a', 2));
    await store.put(reportOf('b', 2));
    const first = await store.listDigests();
    const again = await store.listDigests();
    const byId = (list: readonly SessionDigest[], id: string) => list.find((d) => d.summary.sessionId === id);
    expect(byId(again, 'a')).toBe(byId(first, 'a'));
    await store.update('b', oneMore('b', 'grep'));
    const changed = await store.listDigests();
    expect(byId(changed, 'a')).toBe(byId(first, 'a'));
    expect(byId(changed, 'b')).not.toBe(byId(first, 'b'));
    expect(byId(changed, 'b')?.summary.calls).toBe(3);
    await store.delete('a');
    expect((await store.listDigests()).map((d) => d.summary.sessionId)).toEqual(['b']);
  });

  it('delete returns true when there was a report and false otherwise', async () => {
    const { store } = fresh();
    await store.put(reportOf('a'));
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.list()).toEqual([]);
  });

  it('deleteIf deletes only when the test holds for the stored summary', async () => {
    const { store } = fresh();
    if (store.deleteIf === undefined) return;
    await store.put(reportOf('a', 4));
    expect(await store.deleteIf('a', (s) => s.calls > 4)).toBe(false);
    expect(await store.get('a')).toBeDefined();
    expect(await store.deleteIf('a', (s) => s.calls === 4)).toBe(true);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.deleteIf('never', () => true)).toBe(false);
  });

  it('update merges into the stored report, and writes nothing when the merge returns undefined', async () => {
    const { store } = fresh();
    const first = await store.update('ses', oneMore('ses', 'read'));
    expect(toolCount(first, 'read')).toBe(1);
    const second = await store.update('ses', oneMore('ses', 'read'), first);
    expect(toolCount(second, 'read')).toBe(2);
    expect(toolCount(await store.update('ses', () => undefined), 'read')).toBe(2);
    expect(await store.update('none', () => undefined)).toBeUndefined();
    expect(toolCount(await store.get('ses'), 'read')).toBe(2);
  });

  it('40 concurrent updates of one session from each of two stores: none is lost', async () => {
    const { store, other } = fresh();
    const second = shared ? other() : store;
    await Promise.all(Array.from({ length: 40 }, () => [store.update('ses', oneMore('ses', 'a')), second.update('ses', oneMore('ses', 'b'))]).flat());
    const stored = await store.get('ses');
    expect(stored?.operations['tool-execution']?.tools).toMatchObject({ a: { count: 40 }, b: { count: 40 } });
  });

  it('a report handed back as known is merged into, and a stale known one is not trusted', async () => {
    const { store, other } = fresh();
    const second = shared ? other() : store;
    const first = await store.update('ses', oneMore('ses', 'a'));
    await second.update('ses', oneMore('ses', 'b'));
    // `first` is stale now: the store must merge into what is stored, not into it.
    const third = await store.update('ses', oneMore('ses', 'a'), first);
    expect(toolCount(third, 'a')).toBe(2);
    expect(toolCount(third, 'b')).toBe(1);
  });

  it('names the same identity from every store over the same storage', async () => {
    const { store, other } = fresh();
    if (!shared || store.identity === undefined) return;
    const second = other();
    // A store may learn its identity when it first reaches its storage.
    await Promise.all([store.get('none'), second.get('none')]);
    expect(store.identity()).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(store.identity()).toBe(second.identity?.());
  });

  it('sessionsWithTool: the most recently started sessions with calls of the tool, newest first', async () => {
    const { store } = fresh();
    if (store.sessionsWithTool === undefined) return;
    for (let i = 0; i < 6; i++) await store.put(reportOf(`s${i}`, i === 2 ? 1 : 3, 0, T0 + i * 60_000));
    // s2 made one call (read): no bash.
    expect(await store.sessionsWithTool('tool-execution', 'bash', 3)).toEqual(['s5', 's4', 's3']);
    expect(await store.sessionsWithTool('tool-execution', 'bash', 10, 's4')).toEqual(['s5', 's3', 's1', 's0']);
    expect(await store.sessionsWithTool('llm-call', 'bash', 10)).toEqual([]);
  });
}

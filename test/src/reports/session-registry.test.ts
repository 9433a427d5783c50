import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallRecord } from '../../../src/reports/call-record.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileReportStore } from '../../../src/storage/file-store.js';
import { InMemoryReportStore } from '../../../src/storage/memory-store.js';
import type { StoredSessionReport } from '../../../src/document/report.js';
import type { ReportMerge } from '../../../src/storage/report-store.js';
import { SessionListing } from '../../../src/reports/session-listing.js';
import { SessionRegistry, type SessionRegistryOptions } from '../../../src/reports/session-registry.js';
import { recordingLogger } from '../../helpers/tracking.js';

/** An in-memory store whose writes (`update`) and reads can be made to fail or wait, and that counts the writes. */
class ControlledStore extends InMemoryReportStore {
  puts = 0;
  failPuts = 0;
  failGets = 0;
  putGate: Promise<void> | undefined;
  /** Held after a write is stored, before it is acknowledged. */
  ackGate: Promise<void> | undefined;
  /** Held before a read. */
  getGate: Promise<void> | undefined;
  override async update(id: string, merge: ReportMerge): Promise<StoredSessionReport | undefined> {
    this.puts++;
    await this.putGate;
    if (this.failPuts > 0) {
      this.failPuts--;
      throw new Error('disk full');
    }
    // A store that cannot read the stored report writes nothing.
    this.failRead();
    const stored = await super.update(id, merge);
    await this.ackGate;
    return stored;
  }
  override async get(id: string): Promise<StoredSessionReport | undefined> {
    await this.getGate;
    this.failRead();
    return super.get(id);
  }
  private failRead(): void {
    if (this.failGets > 0) {
      this.failGets--;
      throw new Error('EACCES');
    }
  }
}

let clock = Date.parse('2026-01-01T00:00:00Z');
const call = (sessionId: string, toolName = 'read', durationMs = 10, errorType?: string): CallRecord => ({
  sessionId,
  operationType: 'tool-execution',
  toolName,
  callId: undefined,
  startTimeMs: (clock += 100),
  durationMs,
  errorType,
  traceId: undefined,
  spanId: undefined,
});

function registry(store: InMemoryReportStore, extra: Partial<SessionRegistryOptions> = {}) {
  const logger = recordingLogger();
  const r = new SessionRegistry({ store, maxRecent: 5, writeIntervalMs: 1000, idleTimeoutMs: 60_000, logger, now: () => clock, ...extra });
  // The session list as the reports build it: the store's sessions with the live ones' in their place.
  const listing = new SessionListing(extra.store ?? store, () => r.liveSummaries());
  return { registry: Object.assign(r, { listSessions: () => listing.list() }), logger };
}

/** A stored report of one call. */
async function storedOf(sessionId: string): Promise<StoredSessionReport> {
  const store = new InMemoryReportStore();
  const r = new SessionRegistry({ store, maxRecent: 5, writeIntervalMs: 1000, idleTimeoutMs: 60_000, logger: { warn: () => {} }, now: () => clock });
  r.record(call(sessionId));
  await r.shutdown();
  return store.getSync(sessionId)!;
}

const countOf = (report: { operations: Record<string, { count: number }> } | undefined) => report?.operations['tool-execution']?.count;

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] }));
afterEach(() => vi.useRealTimers());

describe('SessionRegistry', () => {
  it('writes a busy session once per interval, not once per call', async () => {
    const store = new ControlledStore();
    const { registry: r } = registry(store);
    for (let i = 0; i < 100; i++) r.record(call('ses_1'));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.puts).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.puts).toBe(1);
    expect(countOf(await store.get('ses_1'))).toBe(100);
    await vi.advanceTimersByTimeAsync(5000);
    expect(store.puts).toBe(1);
    await r.shutdown();
  });

  it('logs a failing store once per streak, keeps the calls, and writes them when it recovers', async () => {
    const store = new ControlledStore();
    store.failPuts = 3;
    const { registry: r, logger } = registry(store);
    r.record(call('ses_1'));
    for (let i = 0; i < 3; i++) {
      r.record(call('ses_1'));
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/could not write the report of session ses_1.*disk full/);
    await vi.advanceTimersByTimeAsync(1000);
    expect(countOf(await store.get('ses_1'))).toBe(4);
    await r.shutdown();
  });

  it('never overwrites a stored report it could not read', async () => {
    const store = new ControlledStore();
    const earlier = registry(store).registry;
    for (let i = 0; i < 7; i++) earlier.record(call('ses_1'));
    await earlier.shutdown();
    store.failGets = 1;
    const { registry: r, logger } = registry(store);
    r.record(call('ses_1'));
    await r.flush();
    expect(countOf(await store.get('ses_1'))).toBe(7);
    expect(logger.lines.join('\n')).toMatch(/could not write the report of session ses_1; will retry.*EACCES/);
    await r.flush(); // the read works now: the two are merged
    expect(countOf(await store.get('ses_1'))).toBe(8);
    await r.shutdown();
  });

  it('logs an unreadable session once, however many healthy sessions are read and written beside it', async () => {
    const store = new ControlledStore();
    await store.put({ ...(await storedOf('ses_bad')) });
    const get = store.get.bind(store);
    store.get = async (id) => {
      if (id === 'ses_bad') throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      return get(id);
    };
    const { registry: r, logger } = registry(store);
    for (let step = 0; step < 100; step++) {
      // As `serve` fed over OTLP, with a dashboard open: a new session now and then, every list.
      r.record(call('ses_bad'));
      r.record(call(`ses_ok${step}`));
      await r.listSessions();
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/could not read the stored report of session ses_bad.*EACCES/);
    // Never overwritten: a write merges into what the store holds (its one call), under its lock.
    expect(countOf(store.getSync('ses_bad'))).toBe(101);
    await r.shutdown();
    expect(logger.lines).toHaveLength(1);
  });

  it('continues a session stored by an earlier process', async () => {
    const store = new ControlledStore();
    const first = registry(store).registry;
    first.record(call('ses_1', 'read', 10));
    first.record(call('ses_1', 'grep', 30, 'TimeoutError'));
    await first.shutdown();

    const { registry: second } = registry(store);
    second.record(call('ses_1', 'read', 20));
    const live = await second.getReport('ses_1');
    expect(live?.operations['tool-execution']).toMatchObject({ count: 3, errors: 1, minMs: 10, maxMs: 30, meanMs: 20 });
    expect(live?.recent.map((c) => c.toolName)).toEqual(['read', 'grep', 'read']);
    await second.shutdown();
    expect(await store.get('ses_1')).toMatchObject({ operations: { 'tool-execution': { count: 3 } } });
  });

  it('ends a session: final report with endedAt, memory freed; a later call reopens it', async () => {
    const store = new ControlledStore();
    const { registry: r } = registry(store);
    r.record(call('ses_1'));
    await r.endSession('ses_1');
    const stored = await store.get('ses_1');
    expect(stored?.endedAt).toBe(new Date(clock).toISOString());
    await store.delete('ses_1');
    expect(await r.getReport('ses_1')).toBeUndefined(); // not held in memory any more

    await store.put(stored!);
    r.record(call('ses_1'));
    const reopened = await r.getReport('ses_1');
    expect(reopened?.endedAt).toBeUndefined();
    expect(countOf(reopened)).toBe(2);
    await r.shutdown();
  });

  it('marks a session that is only stored as ended', async () => {
    const store = new ControlledStore();
    const first = registry(store).registry;
    first.record(call('ses_1'));
    await first.shutdown();
    const { registry: r } = registry(store);
    await r.endSession('ses_1');
    expect((await store.get('ses_1'))?.endedAt).toBeDefined();
    await r.endSession('ses_unknown'); // nothing to end: no error, no file
    expect(await store.get('ses_unknown')).toBeUndefined();
    await r.shutdown();
  });

  it('does not bring a cleared session back through a write that was under way', async () => {
    const store = new ControlledStore();
    const { registry: r } = registry(store);
    r.record(call('ses_1'));
    let open!: () => void;
    store.putGate = new Promise((resolve) => (open = resolve));
    const flushing = r.flush();
    await vi.advanceTimersByTimeAsync(0);
    const clearing = r.clear('ses_1');
    open();
    await Promise.all([flushing, clearing]);
    expect(await store.get('ses_1')).toBeUndefined();
    expect(await r.listSessions()).toEqual([]);
    await r.shutdown();
  });

  it('drops idle sessions from memory after writing them', async () => {
    const store = new ControlledStore();
    const { registry: r } = registry(store, { idleTimeoutMs: 10_000 });
    r.record(call('ses_1'));
    await vi.advanceTimersByTimeAsync(1000);
    clock += 20_000;
    await vi.advanceTimersByTimeAsync(10_000);
    await store.delete('ses_1');
    expect(await r.getReport('ses_1')).toBeUndefined();
    await r.shutdown();
  });

  it('loses no session waiting for its turn in a debounced write: not to idle eviction, not at exit', async () => {
    const store = new ControlledStore();
    const { registry: r } = registry(store, { idleTimeoutMs: 10_000 });
    const ids = Array.from({ length: 10 }, (_, i) => `ses_w${i}`);
    for (const id of ids) r.record(call(id));
    let open!: () => void;
    store.putGate = new Promise((resolve) => (open = resolve));
    clock += 60_000; // every session is idle by now
    await vi.advanceTimersByTimeAsync(1000); // the debounced write starts, its first writes wait on the store
    await vi.advanceTimersByTimeAsync(10_000); // the idle sweep runs meanwhile
    r.flushSync(); // and the process exits: the sessions not yet being written are written now
    expect(ids.filter((id) => store.getSync(id) !== undefined).length).toBeGreaterThanOrEqual(6);
    open();
    await r.flush();
    expect(ids.filter((id) => countOf(store.getSync(id)) !== 1)).toEqual([]);
    await r.shutdown();
  });

  it('holds 4 writes in flight at most, however short the interval and slow the store', async () => {
    const store = new ControlledStore();
    let inFlight = 0;
    let maxInFlight = 0;
    const update = store.update.bind(store);
    store.update = async (id: string, merge: ReportMerge) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        await new Promise((resolve) => setTimeout(resolve, 50)); // each write takes 5 intervals
        return await update(id, merge);
      } finally {
        inFlight--;
      }
    };
    const { registry: r } = registry(store, { writeIntervalMs: 10 });
    const ids = Array.from({ length: 40 }, (_, i) => `ses_c${i}`);
    for (let step = 0; step < 100; step++) {
      for (const id of ids) r.record(call(id));
      await vi.advanceTimersByTimeAsync(10);
      await new Promise((resolve) => setImmediate(resolve)); // the writers' yields between writes
    }
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    // Shutdown writes the rest more at once (up to 64), still bounded.
    let done = false;
    const shutdown = r.shutdown().then(() => (done = true));
    while (!done) {
      await vi.advanceTimersByTimeAsync(50);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await shutdown;
    expect(maxInFlight).toBe(40);
    expect(ids.map((id) => countOf(store.getSync(id)))).toEqual(ids.map(() => 100));
  });

  it('saveReports false: a write cycle over 1,000 sessions lets the event loop turn between writes', async () => {
    const store = new InMemoryReportStore(2000);
    const { registry: r } = registry(store);
    for (let i = 0; i < 1000; i++) r.record(call(`ses_m${i}`));
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    await vi.advanceTimersByTimeAsync(1000); // the debounced write cycle starts
    while (store.getSync('ses_m999') === undefined) await new Promise((resolve) => setImmediate(resolve));
    expect(turns).toBeGreaterThanOrEqual(200); // 1,000 writes, 4 at a time, a turn after each
    for (let i = 0; i < 1000; i++) r.record(call(`ses_m${i}`));
    turns = 0;
    await r.flush(); // 64 at a time
    ticking = false;
    expect(turns).toBeGreaterThanOrEqual(1000 / 64);
    expect(countOf(store.getSync('ses_m999'))).toBe(2);
    await r.shutdown();
  });

  it('writes synchronously at exit, merged with what was stored', async () => {
    const store = new ControlledStore();
    const first = registry(store).registry;
    first.record(call('ses_1'));
    await first.shutdown();
    const { registry: r } = registry(store);
    r.record(call('ses_1'));
    r.record(call('ses_2'));
    expect(r.hasUnwritten()).toBe(true);
    r.flushSync();
    expect(r.hasUnwritten()).toBe(false);
    expect(countOf(store.getSync('ses_1'))).toBe(2);
    expect(countOf(store.getSync('ses_2'))).toBe(1);
    await r.shutdown();
  });

  it('two writers on one store (two processes): each write adds its calls since the last, so none is lost or doubled', async () => {
    const store = new ControlledStore();
    const a = registry(store).registry;
    const b = registry(store).registry;
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3; i++) a.record(call('ses_1', 'a'));
      b.record(call('ses_1', 'b', 10, 'Error'));
      await vi.advanceTimersByTimeAsync(1000);
    }
    a.record(call('ses_1', 'a'));
    a.flushSync(); // one of them at exit
    await b.shutdown();
    await a.shutdown();
    const stored = (await store.get('ses_1'))?.operations['tool-execution'];
    expect(stored).toMatchObject({ count: 21, errors: 5, tools: { a: { count: 16 }, b: { count: 5 } } });
    // Each one's live view holds the other's calls as of its own last write, its own exactly.
    expect(countOf(await b.getReport('ses_1'))).toBeGreaterThanOrEqual(20);
  });

  it('a read of a live session overlapped by a write counts the written calls once', async () => {
    const store = new ControlledStore();
    const { registry: r } = registry(store);
    for (let i = 0; i < 3; i++) r.record(call('ses_1'));
    let openGet!: () => void;
    let ack!: () => void;
    store.getGate = new Promise((resolve) => (openGet = resolve));
    store.ackGate = new Promise((resolve) => (ack = resolve));
    const reading = r.getReport('ses_1'); // reads the store, held
    const flushing = r.flush(); // the write is stored, not yet acknowledged
    await vi.advanceTimersByTimeAsync(0);
    openGet(); // the read sees the write's calls while the write is still under way
    await vi.advanceTimersByTimeAsync(0);
    ack();
    expect(countOf(await reading)).toBe(3);
    await flushing;
    expect(countOf(await r.getReport('ses_1'))).toBe(3);
    await r.shutdown();
  });

  it('at exit, a write under way is added if it did not land, and not again if it did', async () => {
    for (const landed of [true, false]) {
      const store = new ControlledStore();
      const { registry: r } = registry(store);
      r.record(call('ses_1'));
      let open!: () => void;
      const gate = new Promise<void>((resolve) => (open = resolve));
      if (landed) store.ackGate = gate;
      else store.putGate = gate;
      void r.flush();
      await vi.advanceTimersByTimeAsync(0);
      r.record(call('ses_1'));
      r.flushSync();
      expect(countOf(store.getSync('ses_1'))).toBe(2);
      open(); // were the process to go on, the old write's answer changes nothing
      await r.flush();
      expect(countOf(store.getSync('ses_1'))).toBe(2);
      expect(countOf(await r.getReport('ses_1'))).toBe(2);
      await r.shutdown();
    }
  });

  it('merges live sessions into the stored order, and sees a stored change (a file store keeps its sorted list)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'toolperf-registry-list-'));
    try {
      const at = (sessionId: string, minute: number): CallRecord => ({ ...call(sessionId), startTimeMs: Date.parse('2026-02-01T00:00:00Z') + minute * 60_000 });
      const writer = registry(new InMemoryReportStore(), { store: new FileReportStore(dir) }).registry;
      for (const [id, minute] of [['ses_1', 1], ['ses_3', 3], ['ses_5', 5], ['ses_both', 7]] as const) writer.record(at(id, minute));
      await writer.shutdown();

      const { registry: r } = registry(new InMemoryReportStore(), { store: new FileReportStore(dir) });
      const order = async () => (await r.listSessions()).map((s) => s.sessionId);
      expect(await order()).toEqual(['ses_both', 'ses_5', 'ses_3', 'ses_1']);
      r.record(at('ses_2', 2));
      r.record(at('ses_4', 4));
      r.record(at('ses_both', 0)); // live, and older than its stored update: the stored one still ends later
      expect(await order()).toEqual(['ses_both', 'ses_5', 'ses_4', 'ses_3', 'ses_2', 'ses_1']);
      expect((await r.listSessions()).find((s) => s.sessionId === 'ses_both')?.calls).toBe(2);
      (await r.listSessions()).reverse(); // a caller's own array: the next listing is unaffected
      expect(await order()).toEqual(['ses_both', 'ses_5', 'ses_4', 'ses_3', 'ses_2', 'ses_1']);

      // Another process moves ses_1 to the front.
      const other = registry(new InMemoryReportStore(), { store: new FileReportStore(dir) }).registry;
      other.record(at('ses_1', 9));
      await other.shutdown();
      expect((await order())[0]).toBe('ses_1');
      await r.shutdown();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists live and stored sessions together, newest first, without duplicates', async () => {
    const store = new ControlledStore();
    const first = registry(store).registry;
    first.record(call('ses_old'));
    first.record(call('ses_both'));
    await first.shutdown();
    const { registry: r } = registry(store);
    r.record(call('ses_new', 'read', 10, 'Error'));
    r.record(call('ses_both'));
    const list = await r.listSessions();
    expect(list.map((s) => [s.sessionId, s.calls, s.errors])).toEqual([
      ['ses_both', 2, 0],
      ['ses_new', 1, 1],
      ['ses_old', 1, 0],
    ]);
    expect(await r.clearAll()).toBe(3);
    expect(await r.listSessions()).toEqual([]);
    await r.shutdown();
  });

  it('a stored report whose sketch does not merge is a failed read: no rejection, logged once, not overwritten', async () => {
    const store = new ControlledStore();
    const earlier = registry(store).registry;
    for (let i = 0; i < 3; i++) earlier.record(call('ses_1'));
    await earlier.shutdown();
    // A store that does not check sketches (the file store does): the merge is where it fails.
    const stored = (await store.get('ses_1'))!;
    const op = stored.aggregates['tool-execution']!;
    store.putSync({ ...stored, aggregates: { 'tool-execution': { ...op, tools: { read: { ...op.tools.read!, sketch: { keys: [9, 3], counts: [1, 1] } } } } } });
    const { registry: r, logger } = registry(store);
    r.record(call('ses_1'));
    await expect(r.getReport('ses_1')).resolves.toBeDefined();
    await expect(r.flush()).resolves.toBeUndefined();
    await expect(r.liveSummaries()).resolves.toHaveLength(1);
    // Said once each: the read, and the write (a merge into that report fails too, and is retried).
    expect(logger.lines[0]).toMatch(/could not read the stored report of session ses_1; it will not be overwritten/);
    expect(logger.lines.slice(1)).toEqual(logger.lines.length > 1 ? [expect.stringMatching(/could not write the report of session ses_1; will retry/)] : []);
    expect(countOf(await store.get('ses_1'))).toBe(3);
    await expect(r.shutdown()).rejects.toThrow(/could not write the reports of 1 session/);
  });

  it('shutdown rejects while sessions could not be written, after trying once more; resolves once they are', async () => {
    const store = new ControlledStore();
    store.failPuts = 2;
    const { registry: r } = registry(store);
    r.record(call('ses_1'));
    r.record(call('ses_2'));
    store.failPuts = 100;
    await expect(r.shutdown()).rejects.toThrow('could not write the reports of 2 session(s), e.g. ses_1; see the log');

    const healthy = new ControlledStore();
    healthy.failPuts = 1; // the first try fails, the one more succeeds
    const { registry: r2 } = registry(healthy);
    r2.record(call('ses_3'));
    await expect(r2.shutdown()).resolves.toBeUndefined();
    expect(countOf(await healthy.get('ses_3'))).toBe(1);
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WriteScheduler } from '../../../src/reports/write-scheduler.js';

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => vi.useRealTimers());

/** Lets started writes reach the test: pending promises, and the scheduler's yields between writes (real `setImmediate`). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await vi.advanceTimersByTimeAsync(0);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** A scheduler whose writes the test finishes by hand. */
function scheduler(concurrency = 2, flushConcurrency?: number) {
  const started: string[] = [];
  const finishers: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const writes = new WriteScheduler({
    intervalMs: 1000,
    concurrency,
    ...(flushConcurrency === undefined ? {} : { flushConcurrency }),
    write: (id) => {
      started.push(id);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      return new Promise<void>((resolve) => finishers.push(() => {
        inFlight--;
        resolve();
      }));
    },
  });
  const finishAll = async () => {
    do {
      for (const finish of finishers.splice(0)) finish();
      await settle();
    } while (finishers.length > 0);
  };
  return { writes, started, finishAll, maxInFlight: () => maxInFlight };
}

describe('WriteScheduler', () => {
  it('writes a dirty session once per interval, however often it is marked', async () => {
    const { writes, started, finishAll } = scheduler();
    for (let i = 0; i < 100; i++) writes.markDirty('ses_1');
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(999);
    expect(started).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(started).toEqual(['ses_1']);
    expect(writes.hasDirty()).toBe(false);
    await finishAll();
  });

  it('writes at most `concurrency` sessions at once, each dirty until its turn', async () => {
    const { writes, started, finishAll, maxInFlight } = scheduler(2);
    for (const id of ['a', 'b', 'c', 'd', 'e']) writes.markDirty(id);
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toEqual(['a', 'b']);
    expect(writes.isDirty('e')).toBe(true);
    await finishAll();
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(maxInFlight()).toBe(2);
  });

  it('passes over a session forgotten before its turn, and flush writes the rest now and waits for them', async () => {
    const { writes, started, finishAll } = scheduler(1);
    writes.markDirty('a');
    writes.markDirty('b');
    expect(writes.forget('b')).toBe(true);
    let flushed = false;
    const flushing = writes.flush().then(() => (flushed = true));
    await settle();
    expect(started).toEqual(['a']);
    expect(flushed).toBe(false);
    await finishAll();
    await flushing;
    expect(started).toEqual(['a']);
  });

  it('holds the concurrency bound across cycles: a cycle due while the last one still runs waits for it', async () => {
    const { writes, started, finishAll, maxInFlight } = scheduler(2);
    for (let round = 0; round < 10; round++) {
      for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) writes.markDirty(id);
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(maxInFlight()).toBe(2);
    await finishAll();
    expect(maxInFlight()).toBe(2);
    // The first cycle wrote each session once; the one queued behind it, only the two marked again
    // after their write had started (the others were still waiting for their turn, dirty).
    expect(started).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'a', 'b']);
  });

  it('flush writes a few at a time too, and yields to the event loop between writes', async () => {
    const written: string[] = [];
    let turns = 0;
    let ticking = true;
    const tick = (): void => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    const writes = new WriteScheduler({
      intervalMs: 1000,
      concurrency: 4,
      // A synchronous store (the in-memory one): each write resolves at once.
      write: async (id) => void written.push(id),
    });
    for (let i = 0; i < 1000; i++) writes.markDirty(`ses_${i}`);
    setImmediate(tick);
    await writes.flush();
    ticking = false;
    expect(written).toHaveLength(1000);
    // 1000 writes, 4 at a time, a turn of the event loop after each: other work ran in between.
    expect(turns).toBeGreaterThanOrEqual(200);
  });

  it('a cycle that a flush waits for writes `flushConcurrency` at a time', async () => {
    const { writes, started, finishAll, maxInFlight } = scheduler(1, 3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) writes.markDirty(id);
    const flushing = writes.flush();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    await finishAll();
    await flushing;
    expect(maxInFlight()).toBe(3);
  });

  it('after close, marks are kept for flush but never scheduled', async () => {
    const { writes, started, finishAll } = scheduler();
    writes.close();
    writes.markDirty('a');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(started).toEqual([]);
    expect(writes.takeAll()).toEqual(['a']);
    await finishAll();
  });
});

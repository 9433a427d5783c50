import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WriteScheduler } from '../../../src/reports/write-scheduler.js';

beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
afterEach(() => vi.useRealTimers());

/** A scheduler whose writes the test finishes by hand. */
function scheduler(concurrency = 2) {
  const started: string[] = [];
  const finishers: Array<() => void> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const writes = new WriteScheduler({
    intervalMs: 1000,
    concurrency,
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
    while (finishers.length > 0) {
      for (const finish of finishers.splice(0)) finish();
      await vi.advanceTimersByTimeAsync(0);
    }
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
    expect(started).toEqual(['a']);
    await vi.advanceTimersByTimeAsync(0);
    expect(flushed).toBe(false);
    await finishAll();
    await flushing;
    expect(started).toEqual(['a']);
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

import type { Attributes, Histogram } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFERRED_RECORD_DELAY_MS, DEFERRED_RECORD_LIMIT, DeferredHistogram } from '../../src/deferred-histogram.js';

function fakeHistogram() {
  const records: Array<[number, Attributes | undefined]> = [];
  const histogram = { record: (value: number, attributes?: Attributes) => void records.push([value, attributes]) } as Histogram;
  return { histogram, records };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('DeferredHistogram', () => {
  it('hands records to the SDK after a short delay, in order, with their attributes', () => {
    const { histogram, records } = fakeHistogram();
    const deferred = new DeferredHistogram(histogram, () => {});
    deferred.record(0.1, { tool: 'a' });
    deferred.record(0.2, { tool: 'b' });
    expect(records).toEqual([]);
    vi.advanceTimersByTime(DEFERRED_RECORD_DELAY_MS);
    expect(records).toEqual([[0.1, { tool: 'a' }], [0.2, { tool: 'b' }]]);
  });

  it('flush() hands over everything at once; nothing is recorded twice', () => {
    const { histogram, records } = fakeHistogram();
    const deferred = new DeferredHistogram(histogram, () => {});
    deferred.record(1, {});
    deferred.flush();
    expect(records).toHaveLength(1);
    vi.advanceTimersByTime(DEFERRED_RECORD_DELAY_MS * 4);
    deferred.flush();
    expect(records).toHaveLength(1);
  });

  it('bounds what waits: at the limit, records are handed over inline', () => {
    const { histogram, records } = fakeHistogram();
    const deferred = new DeferredHistogram(histogram, () => {});
    for (let i = 0; i < DEFERRED_RECORD_LIMIT + 10; i++) deferred.record(i, {});
    expect(records).toHaveLength(DEFERRED_RECORD_LIMIT);
    vi.advanceTimersByTime(DEFERRED_RECORD_DELAY_MS);
    expect(records).toHaveLength(DEFERRED_RECORD_LIMIT + 10);
  });

  it('reports a failing SDK histogram without throwing', () => {
    const errors: unknown[] = [];
    const deferred = new DeferredHistogram({ record: () => { throw new Error('meter down'); } } as unknown as Histogram, (e) => errors.push(e));
    deferred.record(1, {});
    expect(() => deferred.flush()).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});

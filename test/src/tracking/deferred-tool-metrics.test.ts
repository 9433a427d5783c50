import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFERRED_RECORD_DELAY_MS, DEFERRED_RECORD_LIMIT, DeferredToolMetrics } from '../../../src/tracking/deferred-tool-metrics.js';

/** Stand-ins for the SDK instruments that keep what they are given. */
function recordingInstruments() {
  const records: Array<[number, Attributes | undefined]> = [];
  const counts: Array<[number, Attributes | undefined]> = [];
  const histogram = { record: (value: number, attributes?: Attributes) => void records.push([value, attributes]) } as Histogram;
  const counter = { add: (value: number, attributes?: Attributes) => void counts.push([value, attributes]) } as Counter;
  return { records, counts, deferred: new DeferredToolMetrics(histogram, counter, () => {}) };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('DeferredToolMetrics', () => {
  it('hands records to the SDK after a short delay, in order, with their attributes; each counts one call', () => {
    const { records, counts, deferred } = recordingInstruments();
    deferred.record(0.1, { tool: 'a' });
    deferred.record(0.2, { tool: 'b' });
    expect(records).toEqual([]);
    expect(counts).toEqual([]);
    vi.advanceTimersByTime(DEFERRED_RECORD_DELAY_MS);
    expect(records).toEqual([[0.1, { tool: 'a' }], [0.2, { tool: 'b' }]]);
    expect(counts).toEqual([[1, { tool: 'a' }], [1, { tool: 'b' }]]);
  });

  it('records every duration but counts the calls once per label set and flush', () => {
    const { records, counts, deferred } = recordingInstruments();
    for (let i = 0; i < 5; i++) deferred.record(i, { tool: 'a', status: 'ok' });
    deferred.record(9, { tool: 'a', status: 'error' });
    deferred.record(7, { tool: 'a', status: 'ok' });
    deferred.flush();
    expect(records.map(([value]) => value)).toEqual([0, 1, 2, 3, 4, 9, 7]);
    expect(counts).toEqual([[6, { tool: 'a', status: 'ok' }], [1, { tool: 'a', status: 'error' }]]);
  });

  it('flush() hands over everything at once; nothing is recorded twice', () => {
    const { records, deferred } = recordingInstruments();
    deferred.record(1, {});
    deferred.flush();
    expect(records).toHaveLength(1);
    vi.advanceTimersByTime(DEFERRED_RECORD_DELAY_MS * 4);
    deferred.flush();
    expect(records).toHaveLength(1);
  });

  it('bounds what waits: at the limit, records are handed over inline', () => {
    const { records, deferred } = recordingInstruments();
    for (let i = 0; i < DEFERRED_RECORD_LIMIT + 10; i++) deferred.record(i, {});
    expect(records).toHaveLength(DEFERRED_RECORD_LIMIT);
    vi.advanceTimersByTime(DEFERRED_RECORD_DELAY_MS);
    expect(records).toHaveLength(DEFERRED_RECORD_LIMIT + 10);
  });

  it('reports a failing SDK histogram without throwing', () => {
    const errors: unknown[] = [];
    const failing = { record: () => { throw new Error('meter down'); } } as unknown as Histogram;
    const deferred = new DeferredToolMetrics(failing, { add: () => {} } as unknown as Counter, (e) => errors.push(e));
    deferred.record(1, {});
    expect(() => deferred.flush()).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { cutText, isPlausibleTime, MAX_TIME_FROM_NOW_MS } from '../../../src/util/input-limits.js';

describe('cutText', () => {
  it('keeps text within the limit as it is, and cuts longer text to exactly the limit, marked', () => {
    expect(cutText('read', 4)).toBe('read');
    expect(cutText('reader', 4)).toBe('rea…');
    expect(cutText('x'.repeat(4_000_000), 1024)).toHaveLength(1024);
    expect(cutText(undefined, 4)).toBeUndefined();
  });

  it('never splits a surrogate pair', () => {
    // The emoji is two code units, at indexes 2 and 3: cutting after index 2 would keep half of it.
    expect(cutText('ab😀cd', 4)).toBe('ab…');
    expect(cutText('ab😀cd', 5)).toBe('ab😀…');
  });
});

describe('isPlausibleTime', () => {
  const now = Date.UTC(2026, 0, 1);

  it('takes epoch milliseconds within 100 years of now, either way', () => {
    expect(MAX_TIME_FROM_NOW_MS).toBe(100 * 365.25 * 86_400_000);
    expect(isPlausibleTime(now, now)).toBe(true);
    expect(isPlausibleTime(0, now)).toBe(true); // 1970: 56 years ago
    expect(isPlausibleTime(now + MAX_TIME_FROM_NOW_MS, now)).toBe(true);
    expect(isPlausibleTime(now - MAX_TIME_FROM_NOW_MS, now)).toBe(true);
  });

  it('refuses nanoseconds, microseconds, times a Date cannot hold, and what is not a number', () => {
    expect(isPlausibleTime(now * 1e6, now)).toBe(false);
    expect(isPlausibleTime(now * 1e3, now)).toBe(false);
    expect(isPlausibleTime(now + MAX_TIME_FROM_NOW_MS + 1, now)).toBe(false);
    expect(isPlausibleTime(-8.64e15 - 1, now)).toBe(false);
    for (const value of [1e300, Number.NaN, Infinity, -Infinity, '1767225600000', undefined, null]) expect(isPlausibleTime(value, now)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/util/duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['45m', 45 * 60_000],
    ['12h', 12 * 3_600_000],
    ['30d', 30 * 86_400_000],
    ['2w', 14 * 86_400_000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '30', 'd', '30 d', ' 30d', '30D', '30days', '1.5h', '-1d', '0d', '0s', '1e3s', '0x10s', '36600000d'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

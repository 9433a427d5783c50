import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../../src/util/format-duration.js';
import { parseDuration } from '../../../src/util/duration.js';

describe('formatDuration', () => {
  it.each([
    [300_000, '5m'],
    [90_000, '90s'],
    [1_800_000, '30m'],
    [7_200_000, '2h'],
    [1_209_600_000, '2w'],
    [1500, '1500ms'],
    [0, '0ms'],
  ])('%i ms reads %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('reads back as the same duration, for whole seconds', () => {
    for (const ms of [1000, 90_000, 300_000, 1_800_000, 86_400_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});

import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/util/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    [' 10m ', 600_000],
  ])('%j is %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'm', '5 m', '-5m', '5x', '5mm', 'five minutes', '1e3s', `${'9'.repeat(70)}s`])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [300_000, '5m'],
    [90_000, '90s'],
    [1_800_000, '30m'],
    [7_200_000, '2h'],
    [1500, '1500ms'],
    [0, '0ms'],
  ])('%i ms reads %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

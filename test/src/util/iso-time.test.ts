import { describe, expect, it } from 'vitest';
import { isoString } from '../../../src/util/iso-time.js';
import { prng } from '../../helpers/prng.js';

describe('isoString', () => {
  it('equals Date#toISOString over the years 0000–9999, fractions and day boundaries included', () => {
    const rnd = prng(17);
    const min = -62_167_219_200_000;
    const max = 253_402_300_799_999;
    const times = [min, max, 0, -1, -0.5, 0.999, 86_399_999, 86_400_000, -86_400_000, -86_400_001, 1_767_225_599_999.9, 1_767_225_600_000];
    for (let i = 0; i < 20_000; i++) times.push(min + rnd() * (max - min));
    // Runs of one day, as the report writes format them.
    for (let i = 0; i < 2_000; i++) times.push(1_767_225_600_000 + rnd() * 86_400_000 * 2 - 86_400_000);
    for (const ms of times) expect(isoString(ms), String(ms)).toBe(new Date(ms).toISOString());
  });
});

import { describe, expect, it } from 'vitest';
import { HEAVY_TAIL_MIN_CALLS } from '../../../../src/reports/recommendations/heavy-tail.js';
import { SessionCalls } from '../../../helpers/session-calls.js';

describe('heavy-tail', () => {
  it('names a tool whose p99 is many times its median, with both and a floor of the saving', async () => {
    // 99 calls of 20 ms and 1 of 3000 ms: p99 (nearest rank, 100 calls) is 20 ms; 2 slow ones make it the slow one.
    const session = new SessionCalls().repeat(100, 'webfetch', (i) => (i % 50 === 49 ? 3000 : 20));
    const [found] = await session.recommendations('heavy-tail');
    expect(found?.tool).toBe('webfetch');
    expect(found?.evidence.p50Ms).toBeCloseTo(20, 0);
    expect(found?.evidence.p99Ms).toBeCloseTo(3000, -2);
    expect(found?.severity).toBe('critical');
    expect(found?.estimatedSavingMs).toBeGreaterThan(2900);
  });

  it('is not given for a steady tool, a tail of microseconds, or too few calls', async () => {
    expect(await new SessionCalls().repeat(100, 'read', (i) => 20 + (i % 10)).recommendations('heavy-tail')).toEqual([]);
    expect(await new SessionCalls().repeat(100, 'read', (i) => (i % 50 === 49 ? 5 : 0.1)).recommendations('heavy-tail')).toEqual([]);
    expect(await new SessionCalls().repeat(HEAVY_TAIL_MIN_CALLS - 1, 'read', (i) => (i === 0 ? 3000 : 20)).recommendations('heavy-tail')).toEqual([]);
  });
});

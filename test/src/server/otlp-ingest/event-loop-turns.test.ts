import { describe, expect, it } from 'vitest';
import { EventLoopTurns } from '../../../../src/server/otlp-ingest/event-loop-turns.js';

describe('EventLoopTurns', () => {
  it('runs one slice per turn of the event loop, however many workers take turns, alternating between them', async () => {
    // A counter that moves once per turn of the loop, in the same phase as the turns.
    let loop = 0;
    let counting = true;
    const tick = (): void => {
      loop++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);

    const turns = new EventLoopTurns();
    const slices: { worker: string; loop: number }[] = [];
    const worker = async (name: string): Promise<void> => {
      for (let i = 0; i < 5; i++) {
        await turns.take();
        slices.push({ worker: name, loop });
      }
    };
    await Promise.all([worker('a'), worker('b'), worker('c')]);
    counting = false;

    expect(slices).toHaveLength(15);
    expect(new Set(slices.map((s) => s.loop)).size).toBe(15);
    expect(slices.slice(0, 6).map((s) => s.worker).join('')).toBe('abcabc');
  });
});

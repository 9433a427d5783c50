import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BoundedSpanProcessor, QUEUE_LINE_INTERVAL_MS } from '../../../../src/telemetry/otlp/bounded-span-processor.js';
import { recordingLogger } from '../../../helpers/tracking.js';

beforeEach(() => vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] }));
afterEach(() => vi.useRealTimers());

const sampled = { spanContext: () => ({ traceFlags: 1 }) } as unknown as ReadableSpan;

function gate(maxQueued: number) {
  const passed: ReadableSpan[] = [];
  const inner: SpanProcessor = { onStart: () => {}, onEnd: (span) => void passed.push(span), forceFlush: async () => {}, shutdown: async () => {} };
  const logger = recordingLogger();
  return { processor: new BoundedSpanProcessor(inner, maxQueued, logger), passed, logger };
}

/** The spans each line says were dropped. */
const droppedIn = (lines: string[]): number => lines.reduce((sum, line) => sum + Number(/(\d+) spans were dropped/.exec(line)?.[1] ?? 0), 0);

describe('BoundedSpanProcessor', () => {
  it('lets `maxQueued` spans wait, drops and counts the rest, and tells when dropping starts and how many when it drains', async () => {
    const { processor, passed, logger } = gate(10);
    for (let i = 0; i < 25; i++) processor.onEnd(sampled);
    expect(passed).toHaveLength(10);
    expect(logger.lines).toEqual(['OTLP span queue full (10 spans waiting for the collector): dropping new spans until it drains']);
    processor.settled(10);
    processor.onEnd(sampled);
    expect(passed).toHaveLength(11);
    expect(logger.lines[1]).toBe('OTLP span queue drains again: 15 spans were dropped while it was full');
    await processor.shutdown();
    expect(logger.lines).toHaveLength(2);
  });

  it('a collector that stays down: the full/drains pair at most once a minute, every drop counted', async () => {
    const { processor, logger } = gate(10);
    const cycles = (12 * QUEUE_LINE_INTERVAL_MS) / 5000;
    for (let cycle = 0; cycle < cycles; cycle++) {
      // Each export cycle: the queue fills, 5 more spans are dropped, the failed export frees it.
      for (let i = 0; i < 15; i++) processor.onEnd(sampled);
      processor.settled(10);
      await vi.advanceTimersByTimeAsync(5000);
    }
    // Every cycle logged both lines before: 288 lines in 12 minutes.
    expect(logger.lines.length).toBeLessThanOrEqual(2 + 12);
    await processor.shutdown();
    expect(droppedIn(logger.lines)).toBe(cycles * 5);
  });
});

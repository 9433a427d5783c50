import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../../src/reports/call-record.js';
import { CallMatcher, MATCH_KEY_TTL_MS } from '../../../../src/server/otlp-ingest/call-matcher.js';

function call(callId: string, errorType?: string): CallRecord {
  return { sessionId: 'ses_m', operationType: 'tool-execution', toolName: 'read', callId, startTimeMs: 0, durationMs: 1, errorType, traceId: undefined, spanId: undefined };
}

/** A matcher whose timers run when `tick()` is called. */
function matcher(now = () => 0) {
  const folded: CallRecord[] = [];
  const timers: (() => void)[] = [];
  const m = new CallMatcher(
    (c) => folded.push(c),
    (_ms, fn) => {
      timers.push(fn);
      return () => timers.splice(timers.indexOf(fn), 1);
    },
    now,
  );
  return { m, folded, tick: () => timers.splice(0).forEach((fn) => fn()), timers };
}

describe('CallMatcher', () => {
  it('folds calls without a match key as they come', () => {
    const { m, folded } = matcher();
    m.offer({ call: call('a') }, 'span');
    m.offer({ call: call('a') }, 'span');
    expect(folded).toHaveLength(2);
  });

  it('counts a call sent as a log and as a span once, whichever comes first', () => {
    for (const [first, second] of [['log', 'span'], ['span', 'log']] as const) {
      const { m, folded } = matcher();
      m.offer({ call: call('x'), matchKey: 'k' }, first);
      m.offer({ call: call('x'), matchKey: 'k' }, second);
      expect(folded).toHaveLength(1);
      expect(m.duplicates).toBe(1);
    }
  });

  it('pairs reused call IDs in order: three calls on each signal count three', () => {
    const { m, folded } = matcher();
    for (let i = 0; i < 3; i++) m.offer({ call: call('call_0'), matchKey: 'k' }, 'log');
    for (let i = 0; i < 3; i++) m.offer({ call: call('call_0'), matchKey: 'k' }, 'span');
    expect(folded).toHaveLength(3);
    m.offer({ call: call('call_0'), matchKey: 'k' }, 'span');
    expect(folded).toHaveLength(4);
  });

  it('holds a call for the copy that tells its outcome better, and folds one call: that outcome, the held timing and IDs', () => {
    const { m, folded, timers } = matcher();
    m.offer({ call: { ...call('g'), startTimeMs: 100, durationMs: 27, spanId: 'span-1' }, matchKey: 'k', holdMs: 5000 }, 'span');
    expect(folded).toEqual([]);
    m.offer({ call: { ...call('g', 'file_not_found'), callId: undefined, startTimeMs: 90, durationMs: 40, errorClass: 'FileNotFound', agent: { name: 'x' } }, matchKey: 'k' }, 'log');
    expect(folded).toEqual([{ ...call('g', 'file_not_found'), startTimeMs: 100, durationMs: 27, spanId: 'span-1', errorClass: 'FileNotFound', agent: { name: 'x' } }]);
    expect(timers).toEqual([]);
  });

  it('folds a held call whose copy never comes, once its time is up, and not again when a late copy comes', () => {
    const { m, folded, tick } = matcher();
    m.offer({ call: call('g'), matchKey: 'k', holdMs: 5000 }, 'span');
    tick();
    expect(folded).toHaveLength(1);
    m.offer({ call: call('g', 'x'), matchKey: 'k' }, 'log');
    expect(folded).toHaveLength(1);
  });

  it('does not pair a held call with one of its own signal', () => {
    const { m, folded, tick } = matcher();
    m.offer({ call: call('g'), matchKey: 'k', holdMs: 5000 }, 'span');
    m.offer({ call: call('g'), matchKey: 'k', holdMs: 5000 }, 'span');
    tick();
    expect(folded).toHaveLength(2);
  });

  it('forgets keys untouched for longer than the TTL: a copy that late counts again', () => {
    let now = 0;
    const { m, folded } = matcher(() => now);
    m.offer({ call: call('a'), matchKey: 'old' }, 'log');
    now = MATCH_KEY_TTL_MS + 1;
    m.offer({ call: call('b'), matchKey: 'new' }, 'log');
    m.offer({ call: call('a'), matchKey: 'old' }, 'span');
    expect(folded).toHaveLength(3);
  });
});

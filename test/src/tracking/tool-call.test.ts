import { SpanStatusCode } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import type { HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPerformance, InvalidSessionIdError, withSession } from '../../../src/index.js';
import { tracked, type Tracked } from '../../helpers/tracking.js';

let t: Tracked;
afterEach(async () => {
  await t?.perf.shutdown();
});

describe('startCall', () => {
  it('records a call the host ends itself, with the span and report a wrapped tool would give', async () => {
    t = tracked();
    const call = t.perf.startCall('read', { sessionId: 'ses_a', callId: 'call_1' });
    expect(call.ended).toBe(false);
    call.succeed('content');
    expect(call.ended).toBe(true);

    const [span] = t.spans.getFinishedSpans();
    expect(span?.name).toBe('execute_tool read');
    expect(span?.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'read',
      'gen_ai.tool.call.id': 'call_1',
      'session.id': 'ses_a',
    });
    expect(span?.status.code).not.toBe(SpanStatusCode.ERROR);
    const report = await t.perf.api.getReport({ sessionId: 'ses_a' });
    expect(report?.operations['tool-execution']?.tools.read).toMatchObject({ count: 1, errors: 0 });
    expect(report?.recent[0]).toMatchObject({ toolName: 'read', callId: 'call_1', ok: true });
  });

  it('takes the host\'s own start and end times (epoch ms) and never ends before it started', async () => {
    t = tracked();
    const start = Date.now() - 5000;
    t.perf.startCall('bash', { sessionId: 'ses_t', startTime: start }).succeed(undefined, { endTime: start + 1234.5 });
    t.perf.startCall('bash', { sessionId: 'ses_t', startTime: start }).succeed(undefined, { endTime: start - 10 });
    const [first, second] = t.spans.getFinishedSpans();
    // performance.timeOrigin + now() drifts from Date.now() by a few ms in a long process.
    expect(Math.abs(hrTimeToMilliseconds(first!.startTime) - start)).toBeLessThan(50);
    expect(hrTimeToMilliseconds(first!.duration)).toBeCloseTo(1234.5, 1);
    expect(hrTimeToMilliseconds(second!.duration)).toBe(0);

    await t.perf.flush();
    const metrics = await t.metrics.read();
    const histogram = metrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'gen_ai.execute_tool.duration') as HistogramMetricData;
    expect(histogram.dataPoints[0]?.value.count).toBe(2);
    expect(histogram.dataPoints[0]?.value.sum).toBeCloseTo(1.2345, 4);
  });

  it('reads a host end time against the wall clock now, so a machine\'s sleep (wall clock ahead of the monotonic one) does not inflate the call', () => {
    t = tracked();
    const call = t.perf.startCall('bash', { sessionId: 'ses_sleep' });
    const slept = Date.now() + 3_600_000; // an hour asleep: performance.now() did not move, Date.now() did
    const dateNow = vi.spyOn(Date, 'now').mockReturnValue(slept);
    try {
      call.fail(new Error('exit 1'), { endTime: slept - 20 }); // OpenCode: failed 20 ms ago, by its wall clock
    } finally {
      dateNow.mockRestore();
    }
    const [span] = t.spans.getFinishedSpans();
    expect(hrTimeToMilliseconds(span!.duration)).toBeLessThan(1000);
  });

  it('fails with the error type it is given, else the error\'s own, and only the first end counts', async () => {
    t = tracked();
    const denied = t.perf.startCall('edit', { sessionId: 'ses_f' });
    denied.fail(new Error('The user rejected permission'), { errorType: 'permission_denied' });
    denied.succeed();
    const missing = t.perf.startCall('read', { sessionId: 'ses_f' });
    missing.fail(Object.assign(new Error('no such file'), { code: 'ENOENT' }));

    const spans = t.spans.getFinishedSpans();
    expect(spans).toHaveLength(2);
    expect(spans[0]?.attributes['error.type']).toBe('permission_denied');
    expect(spans[0]?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'The user rejected permission' });
    const stats = await t.perf.api.getOperationStats({ sessionId: 'ses_f', operationType: 'tool-execution' });
    expect(stats).toMatchObject({ count: 2, errors: 2, errorTypes: { permission_denied: 1, ENOENT: 1 } });
  });

  it('takes the session from withSession and any operation type', async () => {
    t = tracked();
    withSession('ses_ctx', () => t.perf.startCall('summarize', { operationType: 'llm-call' }).succeed());
    const report = await t.perf.api.getReport({ sessionId: 'ses_ctx' });
    expect(report?.operations['llm-call']?.tools.summarize?.count).toBe(1);
  });

  it('records the input and result only with captureContent', () => {
    t = tracked({ captureContent: true });
    t.perf.startCall('grep', { sessionId: 'ses_c', input: { pattern: 'x' } }).succeed(['a.ts:1']);
    const [span] = t.spans.getFinishedSpans();
    expect(span?.attributes['gen_ai.tool.call.arguments']).toBe('{"pattern":"x"}');
    expect(span?.attributes['gen_ai.tool.call.result']).toBe('["a.ts:1"]');
  });

  it('rejects bad input with a clear error', () => {
    t = tracked();
    expect(() => t.perf.startCall('', { sessionId: 'ses_x' })).toThrow(/name must be a non-empty string/);
    expect(() => t.perf.startCall('read', { sessionId: '../etc' })).toThrow(InvalidSessionIdError);
    expect(() => t.perf.startCall('read', { startTime: Number.NaN })).toThrow(/startTime must be epoch milliseconds/);
  });

  it('ends a call given a bad end time now rather than leaving it open, and says so once', async () => {
    t = tracked();
    const call = t.perf.startCall('read', { sessionId: 'ses_bad_end' });
    expect(() => call.fail(new Error('x'), { endTime: -1 })).not.toThrow();
    t.perf.startCall('read', { sessionId: 'ses_bad_end' }).succeed(undefined, { endTime: Number.NaN });
    expect(call.ended).toBe(true);
    expect(await t.perf.api.getOperationStats({ sessionId: 'ses_bad_end', operationType: 'tool-execution' })).toMatchObject({ count: 2, errors: 1 });
    expect(t.logger.lines.filter((l) => /endTime must be epoch milliseconds/.test(l))).toHaveLength(1);
  });

  it('takes an end time given in nanoseconds as "not a time": the call ends now, and the session stays readable', async () => {
    t = tracked();
    const now = Date.now();
    t.perf.startCall('read', { sessionId: 'ses_ns' }).succeed(undefined, { endTime: now * 1e6 });
    t.perf.startCall('read', { sessionId: 'ses_ns', startTime: now - 10 }).succeed(undefined, { endTime: now * 1e3 }); // microseconds
    const stats = await t.perf.api.getOperationStats({ sessionId: 'ses_ns', operationType: 'tool-execution' });
    expect(stats?.count).toBe(2);
    expect(stats?.maxMs).toBeLessThan(60_000);
    expect((await t.perf.api.listSessions()).map((s) => s.sessionId)).toEqual(['ses_ns']);
    expect(t.logger.lines.filter((l) => /endTime must be epoch milliseconds/.test(l))).toHaveLength(1);
  });

  it('refuses a start time that is not epoch milliseconds within 100 years of now', () => {
    t = tracked();
    const now = Date.now();
    expect(() => t.perf.startCall('read', { sessionId: 'ses_x', startTime: now * 1e6 })).toThrow(/startTime must be epoch milliseconds/);
    expect(() => t.perf.startCall('read', { sessionId: 'ses_x', startTime: now * 1e3 })).toThrow(/startTime must be epoch milliseconds/);
    expect(() => t.perf.startCall('read', { sessionId: 'ses_x', startTime: 1e300 })).toThrow(/startTime must be epoch milliseconds/);
    expect(t.spans.getFinishedSpans()).toEqual([]);
  });

  it('cuts names, ids and error types to their limits, in the span and in the report', async () => {
    t = tracked();
    const huge = (c: string) => c.repeat(1_000_000);
    t.perf.startCall(huge('n'), { sessionId: 'ses_long', operationType: huge('o') }).fail(new Error('x'), { errorType: huge('E') });
    t.perf.startCall(huge('m'), { sessionId: 'ses_long', callId: huge('c'), toolType: huge('f') }).fail(new Error('x'), { errorType: huge('E') });
    const [op, tool] = t.spans.getFinishedSpans();
    expect(op?.attributes['toolperf.operation.type']).toHaveLength(256);
    expect(op?.attributes['toolperf.operation.name']).toHaveLength(256);
    expect(op?.name.length).toBeLessThanOrEqual(513);
    expect(tool?.attributes['gen_ai.tool.name']).toHaveLength(256);
    expect(tool?.attributes['gen_ai.tool.type']).toHaveLength(256);
    expect(tool?.attributes['error.type']).toHaveLength(128);
    const report = await t.perf.api.getReport({ sessionId: 'ses_long' });
    expect(tool?.attributes['gen_ai.tool.call.id']).toHaveLength(1024);
    expect(report?.recent[1]?.callId).toHaveLength(1024);
    expect(JSON.stringify(report).length).toBeLessThan(20_000);
  });

  it('disabled, hands out a call that records nothing', () => {
    const perf = createPerformance({ enabled: false, handleProcessExit: false, env: {} });
    const call = perf.startCall('read', { sessionId: 'ses_d' });
    expect(() => call.succeed()).not.toThrow();
    expect(call.ended).toBe(true);
  });
});

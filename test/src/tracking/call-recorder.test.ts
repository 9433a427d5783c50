import { SpanKind, SpanStatusCode, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { createCallRecorder } from '../../../src/tracking/call-recorder.js';
import { specFor } from '../../../src/tracking/tool-spec.js';
import type { WrapToolOptions } from '../../../src/tracking/tool-types.js';
import type { TrackingRuntime } from '../../../src/tracking/tracking-runtime.js';
import { FailureLog } from '../../../src/util/logger.js';
import { ArgumentFingerprinter } from '../../../src/util/argument-fingerprint.js';
import { ATTR_TOOLPERF_ARGUMENTS_FINGERPRINT } from '../../../src/telemetry/semconv.js';
import { recordingLogger } from '../../helpers/tracking.js';

interface Setup {
  readonly runtime: TrackingRuntime;
  readonly spans: InMemorySpanExporter;
  readonly records: { seconds: number; attributes: Attributes }[];
  readonly lines: string[];
}

/** A runtime on a real tracer with spans kept in memory, and a metrics sink that keeps what it is given. */
function setup(options: Partial<Pick<TrackingRuntime, 'captureContent' | 'maxContentLength' | 'includeSessionIdInMetrics' | 'tracer' | 'storeId' | 'fingerprinter'>> = {}): Setup {
  const spans = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
  const records: Setup['records'] = [];
  const logger = recordingLogger();
  const runtime: TrackingRuntime = {
    tracer: options.tracer ?? provider.getTracer('test'),
    metrics: { record: (seconds, attributes) => void records.push({ seconds, attributes }) },
    includeSessionIdInMetrics: options.includeSessionIdInMetrics ?? true,
    captureContent: options.captureContent ?? false,
    maxContentLength: options.maxContentLength ?? 1000,
    failures: new FailureLog(logger),
    storeId: options.storeId,
    fingerprinter: options.fingerprinter,
  };
  return { runtime, spans, records, lines: logger.lines };
}

function recorderFor(s: Setup, name: string, options: WrapToolOptions = {}) {
  return createCallRecorder(specFor(name, options), s.runtime);
}

/** A start and end in the past on the performance.now() clock (the SDK reads later numbers as epoch ms). */
function pastTimes(durationMs: number): { start: number; end: number } {
  const start = performance.now() - 1000;
  return { start, end: start + durationMs };
}

describe('start', () => {
  it('opens an execute_tool span at the given time with the GenAI attributes, and records no content by default', () => {
    const s = setup();
    const recorder = recorderFor(s, 'read');
    const { start } = pastTimes(0);
    const span = recorder.start(start, 'ses_1', 'call_1', true, { secret: 'hunter2' });
    expect(span).toBeDefined();
    span?.end();
    const [finished] = s.spans.getFinishedSpans();
    expect(finished?.name).toBe('execute_tool read');
    expect(finished?.kind).toBe(SpanKind.INTERNAL);
    // A second ago, not now: the SDK maps performance.now() onto the wall clock to the millisecond.
    expect(Date.now() - hrTimeToMilliseconds(finished!.startTime)).toBeGreaterThan(990);
    expect(Date.now() - hrTimeToMilliseconds(finished!.startTime)).toBeLessThan(1100);
    expect(finished?.attributes).toEqual({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'read',
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.call.id': 'call_1',
      'session.id': 'ses_1',
      'gen_ai.conversation.id': 'ses_1',
    });
  });

  it('names another operation type by its own attributes, and adds the extra ones', () => {
    const s = setup();
    const recorder = recorderFor(s, 'readFile', { operationType: 'file-io', attributes: { 'app.team': 'search' } });
    recorder.start(pastTimes(0).start, 'ses_1', 'ignored', false, undefined)?.end();
    const [finished] = s.spans.getFinishedSpans();
    expect(finished?.name).toBe('file-io readFile');
    expect(finished?.attributes).toEqual({
      'toolperf.operation.type': 'file-io',
      'toolperf.operation.name': 'readFile',
      'session.id': 'ses_1',
      'gen_ai.conversation.id': 'ses_1',
      'app.team': 'search',
    });
  });

  it('with captureContent, records the input when there is one, cut to maxContentLength', () => {
    const s = setup({ captureContent: true, maxContentLength: 16 });
    const recorder = recorderFor(s, 'grep');
    recorder.start(pastTimes(0).start, undefined, undefined, true, { pattern: 'a long pattern' })?.end();
    recorder.start(pastTimes(0).start, undefined, undefined, true, 'plain')?.end();
    recorder.start(pastTimes(0).start, undefined, undefined, false, undefined)?.end();
    const circular: { self?: unknown } = {};
    circular.self = circular;
    recorder.start(pastTimes(0).start, undefined, undefined, true, circular)?.end();
    expect(s.spans.getFinishedSpans().map((span) => span.attributes['gen_ai.tool.call.arguments'])).toEqual([
      '{"pattern":"a lo…[12 more]',
      'plain',
      undefined,
      '[unserializable]',
    ]);
  });

  it('gives undefined when the tracer throws, and logs once for the streak, start failures before it included', () => {
    const broken = { startSpan: () => { throw new Error('tracer down'); } } as unknown as Tracer;
    const s = setup({ tracer: broken });
    const recorder = recorderFor(s, 'double');
    expect(recorder.start(1, 'ses_1', undefined, false, undefined)).toBeUndefined();
    expect(recorder.start(2, 'ses_1', undefined, false, undefined)).toBeUndefined();
    recorder.startFailed(new Error('resolver threw'));
    expect(s.lines).toEqual(['could not start a span for double; the call runs untracked: Error: tracer down']);
  });
});

describe('end', () => {
  it('ends the span at the given time and records the duration in seconds, with the same frozen attributes each time', () => {
    const s = setup({ includeSessionIdInMetrics: false });
    const recorder = recorderFor(s, 'read');
    for (let i = 0; i < 2; i++) {
      const { start, end } = pastTimes(12.5);
      const span = recorder.start(start, 'ses_1', undefined, false, undefined) as Span;
      recorder.end(span, start, end, 'ses_1', 'result', false, undefined);
    }
    const [finished] = s.spans.getFinishedSpans();
    expect(hrTimeToMilliseconds(finished!.duration)).toBeCloseTo(12.5, 3);
    expect(finished?.status.code).toBe(SpanStatusCode.UNSET);
    expect(finished?.attributes['gen_ai.tool.call.result']).toBeUndefined();
    expect(finished?.attributes['session.id']).toBe('ses_1'); // the span keeps it; only the metric leaves it off
    expect(s.records).toHaveLength(2);
    expect(s.records[0]?.seconds).toBeCloseTo(0.0125, 9);
    expect(s.records[0]?.attributes).toEqual({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read', 'toolperf.status': 'ok' });
    expect(s.records[0]?.attributes).toBe(recorder.spec.metricAttributes);
    expect(s.records[1]?.attributes).toBe(recorder.spec.metricAttributes);
  });

  it('labels the metric with the session when asked, and the shared attributes when the call has none', () => {
    const s = setup({ includeSessionIdInMetrics: true });
    const recorder = recorderFor(s, 'read');
    const { start, end } = pastTimes(1);
    recorder.end(recorder.start(start, 'ses_1', undefined, false, undefined) as Span, start, end, 'ses_1', 1, false, undefined);
    recorder.end(recorder.start(start, undefined, undefined, false, undefined) as Span, start, end, undefined, 1, false, undefined);
    expect(s.records[0]?.attributes).toEqual({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read', 'toolperf.status': 'ok', 'session.id': 'ses_1' });
    expect(s.records[1]?.attributes).toBe(recorder.spec.metricAttributes);
  });

  it('with captureContent, records the result of a success, cut to maxContentLength', () => {
    const s = setup({ captureContent: true, maxContentLength: 10 });
    const recorder = recorderFor(s, 'grep');
    const { start, end } = pastTimes(1);
    recorder.end(recorder.start(start, undefined, undefined, false, undefined) as Span, start, end, undefined, 'found x in many files', false, undefined);
    expect(s.spans.getFinishedSpans()[0]?.attributes['gen_ai.tool.call.result']).toBe('found x in…[11 more]');
  });

  it('marks a failure with status ERROR and error.type, from the error or as declared, on the span and the metric', () => {
    const s = setup();
    const recorder = recorderFor(s, 'read');
    const { start, end } = pastTimes(1);
    const missing = Object.assign(new Error('no such file'), { code: 'ENOENT' });
    recorder.end(recorder.start(start, 'ses_1', undefined, false, undefined) as Span, start, end, 'ses_1', missing, true, undefined);
    recorder.end(recorder.start(start, undefined, undefined, false, undefined) as Span, start, end, undefined, new Error('rejected'), true, 'permission_denied');
    const [first, second] = s.spans.getFinishedSpans();
    expect(first?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no such file' });
    expect(first?.attributes['error.type']).toBe('ENOENT');
    expect(first?.attributes['gen_ai.tool.call.result']).toBeUndefined();
    expect(second?.attributes['error.type']).toBe('permission_denied');
    expect(s.records.map((r) => r.attributes)).toEqual([
      { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read', 'toolperf.status': 'error', 'error.type': 'ENOENT', 'session.id': 'ses_1' },
      { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read', 'toolperf.status': 'error', 'error.type': 'permission_denied' },
    ]);
  });

  it('records no duration for another operation type: the histogram is for tool calls', () => {
    const s = setup();
    const recorder = recorderFor(s, 'readFile', { operationType: 'file-io' });
    const { start, end } = pastTimes(1);
    recorder.end(recorder.start(start, 'ses_1', undefined, false, undefined) as Span, start, end, 'ses_1', 'x', false, undefined);
    expect(s.spans.getFinishedSpans()).toHaveLength(1);
    expect(s.records).toHaveLength(0);
  });

  it('never throws when ending the span fails: logged once, nothing recorded', () => {
    const s = setup();
    const recorder = recorderFor(s, 'x');
    const span = { setAttribute: () => span, setStatus: () => span, end: () => { throw new Error('end failed'); } } as unknown as Span;
    expect(() => recorder.end(span, 1, 2, undefined, 'r', false, undefined)).not.toThrow();
    expect(() => recorder.end(span, 1, 2, undefined, new Error('e'), true, undefined)).not.toThrow();
    expect(s.lines).toEqual(['could not end the span of x: Error: end failed']);
    expect(s.records).toHaveLength(0);
  });
});

describe('argument fingerprints', () => {
  const keyed = (): ArgumentFingerprinter => {
    const fingerprinter = new ArgumentFingerprinter();
    fingerprinter.setKey(new Uint8Array(32).fill(7));
    return fingerprinter;
  };

  it('put the input\'s fingerprint on the span, and nothing of the input itself', () => {
    const fingerprinter = keyed();
    const s = setup({ fingerprinter });
    const { start } = pastTimes(0);
    recorderFor(s, 'read').start(start, 'ses_1', 'call_1', true, { path: '/etc/shadow', limit: 5 })?.end();
    const [finished] = s.spans.getFinishedSpans();
    expect(finished?.attributes[ATTR_TOOLPERF_ARGUMENTS_FINGERPRINT]).toBe(fingerprinter.ofValue({ limit: 5, path: '/etc/shadow' }));
    expect(JSON.stringify(finished?.attributes)).not.toContain('shadow');
  });

  it('fingerprint a call without input as one of no arguments, and leave the span alone without a key', () => {
    const fingerprinter = keyed();
    const s = setup({ fingerprinter });
    const { start } = pastTimes(0);
    recorderFor(s, 'status').start(start, 'ses_1', undefined, false, undefined)?.end();
    const unkeyed = setup({ fingerprinter: new ArgumentFingerprinter() });
    recorderFor(unkeyed, 'status').start(start, 'ses_1', undefined, true, { a: 1 })?.end();
    expect(s.spans.getFinishedSpans()[0]?.attributes[ATTR_TOOLPERF_ARGUMENTS_FINGERPRINT]).toBe(fingerprinter.ofValue(undefined));
    expect(unkeyed.spans.getFinishedSpans()[0]?.attributes).not.toHaveProperty([ATTR_TOOLPERF_ARGUMENTS_FINGERPRINT]);
    expect(unkeyed.lines).toEqual([]);
  });
});

import { SpanStatusCode, TraceFlags, type Attributes } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { SessionReportExporter } from '../../../src/reports/session-report-exporter.js';
import { createReports, InMemoryReportStore } from '../../../src/index.js';
import { recordingLogger } from '../../helpers/tracking.js';

/** Real spans, made by a real SDK provider. */
function makeSpans(specs: Array<{ name: string; attributes: Attributes; error?: boolean }>): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [{ onStart() {}, onEnd: (s) => memory.export([s], () => {}), forceFlush: async () => {}, shutdown: async () => {} }] });
  const tracer = provider.getTracer('test');
  for (const spec of specs) {
    const span = tracer.startSpan(spec.name, { attributes: spec.attributes });
    if (spec.error) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  }
  return memory.getFinishedSpans();
}

function exporter() {
  const store = new InMemoryReportStore();
  const logger = recordingLogger();
  const reports = createReports({ store, logger, writeIntervalMs: 60_000 });
  return { store, logger, reports, exporter: reports.exporter };
}

function exportAll(e: SessionReportExporter, spans: ReadableSpan[]): ExportResult[] {
  const results: ExportResult[] = [];
  e.export(spans, (r) => results.push(r));
  return results;
}

const tool = (name: string, session: string, extra: Attributes = {}) => ({
  name: `execute_tool ${name}`,
  attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': name, 'session.id': session, ...extra },
});

describe('SessionReportExporter as a SpanExporter', () => {
  it('folds spans and calls back exactly once with SUCCESS', async () => {
    const { exporter: e, reports } = exporter();
    const results = exportAll(e, makeSpans([tool('read', 'ses_1'), tool('read', 'ses_1'), tool('grep', 'ses_2')]));
    expect(results).toEqual([{ code: ExportResultCode.SUCCESS }]);
    const report = await reports.getReport({ sessionId: 'ses_1' });
    expect(report?.operations['tool-execution']?.tools.read?.count).toBe(2);
    expect((await reports.getReport({ sessionId: 'ses_2' }))?.operations['tool-execution']?.count).toBe(1);
    await e.shutdown();
  });

  it('answers FAILED after shutdown, folds nothing, and shutdown is idempotent', async () => {
    const { exporter: e, store } = exporter();
    exportAll(e, makeSpans([tool('read', 'ses_1')]));
    const first = e.shutdown();
    expect(e.shutdown()).toBe(first);
    await first;
    expect((await store.get('ses_1'))?.operations['tool-execution']?.count).toBe(1);
    const results = exportAll(e, makeSpans([tool('read', 'ses_1')]));
    expect(results).toHaveLength(1);
    expect(results[0]?.code).toBe(ExportResultCode.FAILED);
    expect((await store.get('ses_1'))?.operations['tool-execution']?.count).toBe(1);
  });

  it('never throws on a span it cannot read; logs once', async () => {
    const { exporter: e, logger } = exporter();
    const broken = { get attributes(): Attributes { throw new Error('boom'); } } as unknown as ReadableSpan;
    expect(exportAll(e, [broken, broken])).toEqual([{ code: ExportResultCode.SUCCESS }]);
    expect(logger.lines).toHaveLength(1);
    await e.shutdown();
  });

  it('reads OpenCode’s native Tool.execute spans and other SDKs’ execute_tool spans', async () => {
    const { exporter: e, reports } = exporter();
    exportAll(
      e,
      makeSpans([
        { name: 'Tool.execute', attributes: { 'tool.name': 'bash', 'tool.call_id': 'c1', 'session.id': 'ses_oc' } },
        { name: 'Tool.execute', attributes: { 'tool.name': 'bash', 'tool.call_id': 'c2', 'session.id': 'ses_oc' }, error: true },
        { name: 'execute_tool search', attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'gen_ai.conversation.id': 'conv_1', 'error.type': 'TimeoutError' } },
        { name: 'chat gpt', attributes: { 'gen_ai.operation.name': 'chat', 'session.id': 'ses_oc' } },
        { name: 'execute_tool orphan', attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'orphan' } },
      ]),
    );
    const oc = await reports.getReport({ sessionId: 'ses_oc' });
    expect(oc?.operations['tool-execution']?.tools.bash).toMatchObject({ count: 2, errors: 1, errorTypes: { _OTHER: 1 } });
    expect(oc?.recent.map((r) => r.callId)).toEqual(['c1', 'c2']);
    expect(Object.keys(oc?.operations ?? {})).toEqual(['tool-execution']);
    const conv = await reports.getReport({ sessionId: 'conv_1' });
    expect(conv?.operations['tool-execution']?.tools.search).toMatchObject({ count: 1, errors: 1, errorTypes: { TimeoutError: 1 } });
    expect(await reports.listSessions()).toHaveLength(2);
    await e.shutdown();
  });

  it('ignores spans whose session id could not name a file, and says so once', async () => {
    const { exporter: e, logger, store } = exporter();
    exportAll(e, makeSpans([tool('read', '../../etc/passwd'), tool('read', '../../etc/passwd')]));
    await e.shutdown();
    expect(await store.list()).toEqual([]);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toContain('invalid session id');
  });
});

/** A span as another SDK (or an OTLP body) might hand it over, with any times at all. */
function foreignSpan(session: string, startTime: [number, number], duration: [number, number], extra: Attributes = {}): ReadableSpan {
  const context = { traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', traceFlags: TraceFlags.SAMPLED };
  return {
    name: 'execute_tool read',
    kind: 0,
    spanContext: () => context,
    startTime,
    endTime: startTime,
    duration,
    status: { code: SpanStatusCode.UNSET },
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read', 'session.id': session, ...extra },
  } as unknown as ReadableSpan;
}

describe('SessionReportExporter given hostile spans', () => {
  const now: [number, number] = [Math.floor(Date.now() / 1000), 0];

  it('leaves out a span whose time is not a time, says so once, and every session stays readable', async () => {
    const { exporter: e, reports, logger } = exporter();
    exportAll(e, [
      foreignSpan('ses_ok', now, [0, 5_000_000]),
      foreignSpan('ses_bad', [1e297, 0], [0, 0]), // 1e300 ms
      foreignSpan('ses_bad', now, [1e15, 0]), // ends in the year 31 million
      foreignSpan('ses_bad', [now[0] * 1e6, 0], [0, 0]), // epoch nanoseconds read as seconds
    ]);
    expect((await reports.listSessions()).map((s) => s.sessionId)).toEqual(['ses_ok']);
    expect(await reports.getReport({ sessionId: 'ses_bad' })).toBeUndefined();
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0]).toMatch(/within 100 years of now/);
    await e.shutdown();
  });

  it('cuts the names and ids of a span to their limits', async () => {
    const { exporter: e, reports } = exporter();
    const huge = (c: string) => c.repeat(1_000_000);
    exportAll(e, [foreignSpan('ses_big', now, [0, 1_000_000], { 'gen_ai.tool.name': huge('t'), 'gen_ai.tool.call.id': huge('c'), 'error.type': huge('E') })]);
    const report = await reports.getReport({ sessionId: 'ses_big' });
    const operation = report?.operations['tool-execution'];
    expect(Object.keys(operation?.tools ?? {}).map((name) => name.length)).toEqual([256]);
    expect(Object.keys(operation?.errorTypes ?? {}).map((type) => type.length)).toEqual([128]);
    expect(report?.recent[0]?.callId).toHaveLength(1024);
    await e.shutdown();
  });
});

describe('SessionReportExporter as a SpanProcessor', () => {
  it('folds sampled spans as they end and skips unsampled ones', async () => {
    const { exporter: e, reports } = exporter();
    const [span] = makeSpans([tool('read', 'ses_1')]);
    e.onEnd(span!);
    const unsampled = { ...span!, spanContext: () => ({ ...span!.spanContext(), traceFlags: TraceFlags.NONE }) } as ReadableSpan;
    e.onEnd(unsampled);
    expect((await reports.getReport({ sessionId: 'ses_1' }))?.operations['tool-execution']?.count).toBe(1);
    await e.shutdown();
  });

  it('works behind a host’s BatchSpanProcessor; forceFlush writes the report', async () => {
    const { exporter: e, store } = exporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(e, { scheduledDelayMillis: 60_000 })] });
    const span = provider.getTracer('host').startSpan('execute_tool read', { attributes: tool('read', 'ses_b').attributes });
    span.end();
    expect(await store.get('ses_b')).toBeUndefined();
    await provider.forceFlush();
    await e.forceFlush();
    expect((await store.get('ses_b'))?.operations['tool-execution']?.count).toBe(1);
    await provider.shutdown();
  });
});

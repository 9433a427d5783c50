import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { HistogramMetricData, SumMetricData } from '@opentelemetry/sdk-metrics';
import { afterEach, describe, expect, it } from 'vitest';
import { createPerformance, InvalidSessionIdError, withSession } from '../../../src/index.js';
import { tracked, type Tracked } from '../../helpers/tracking.js';

let t: Tracked;
afterEach(async () => {
  await t?.perf.shutdown();
});

async function metricData(tr: Tracked, name: string) {
  await tr.perf.flush(); // records reach the SDK off the caller's path
  const metrics = await tr.metrics.read();
  return metrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
}

async function histogramPoints(tr: Tracked) {
  const metric = (await metricData(tr, 'gen_ai.execute_tool.duration')) as HistogramMetricData | undefined;
  return metric?.dataPoints ?? [];
}

async function callCounts(tr: Tracked) {
  const metric = (await metricData(tr, 'toolperf.tool.calls')) as SumMetricData | undefined;
  return metric?.dataPoints ?? [];
}

describe('disabled', () => {
  it('returns the very same tool, object and tool set', () => {
    const perf = createPerformance({ enabled: false, handleProcessExit: false, env: {} });
    const fn = (x: number) => x;
    const obj = { description: 'd', execute: async () => 1 };
    const tools = { fn, obj };
    expect(perf.enabled).toBe(false);
    expect(perf.wrapTool(fn)).toBe(fn);
    expect(perf.wrapTool(obj)).toBe(obj);
    expect(perf.wrapTools(tools)).toBe(tools);
  });

  it('is disabled by OTEL_SDK_DISABLED=true even when enabled in config', () => {
    const perf = createPerformance({ enabled: true, handleProcessExit: false, env: { OTEL_SDK_DISABLED: 'true' } });
    const fn = () => 1;
    expect(perf.enabled).toBe(false);
    expect(perf.wrapTool(fn)).toBe(fn);
  });

  it('still rejects something that is not a tool', () => {
    const perf = createPerformance({ enabled: false, handleProcessExit: false, env: {} });
    expect(() => perf.wrapTool(42 as never)).toThrow(/expected a function or an object with an execute method/);
  });
});

describe('enabled: the tool is untouched', () => {
  it('keeps this, every argument and the return value of a sync function; sync stays sync', () => {
    t = tracked();
    let seen: { self: unknown; args: unknown[] } | undefined;
    function tool(this: unknown, ...args: unknown[]) {
      seen = { self: this, args };
      return { result: args.length };
    }
    const wrapped = t.perf.wrapTool(tool, { sessionId: 'ses_a' });
    const self = { me: true };
    const ret = wrapped.call(self, 1, 'two', undefined);
    expect(wrapped).not.toBe(tool);
    expect(ret).toEqual({ result: 3 });
    expect(ret).not.toBeInstanceOf(Promise);
    expect(seen?.self).toBe(self);
    expect(seen?.args).toEqual([1, 'two', undefined]);
    expect(wrapped.name).toBe('tool');
    expect(wrapped.length).toBe(tool.length);
  });

  it('rethrows the very same error object, sync and async', async () => {
    t = tracked();
    const error = new TypeError('bad');
    const syncTool = t.perf.wrapTool(() => {
      throw error;
    }, { name: 's', sessionId: 'ses_a' });
    const asyncTool = t.perf.wrapTool(async () => {
      throw error;
    }, { name: 'a', sessionId: 'ses_a' });
    let caught: unknown;
    try {
      syncTool();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBe(error);
    await expect(asyncTool()).rejects.toBe(error);
    const thrownString = t.perf.wrapTool(() => {
      throw 'plain string';
    }, { name: 'p', sessionId: 'ses_a' });
    expect(() => thrownString()).toThrow('plain string');
  });

  it('returns the tool’s own promise object, resolved with its own value', async () => {
    t = tracked();
    const value = { big: 'result' };
    const promise = Promise.resolve(value);
    const wrapped = t.perf.wrapTool(() => promise, { name: 'p', sessionId: 'ses_a' });
    const returned = wrapped();
    expect(returned).toBe(promise);
    expect(await returned).toBe(value);
  });

  it('subscribes once to a thenable that is not a promise', async () => {
    t = tracked();
    let thenCalls = 0;
    const lazy = {
      then(resolve: (v: number) => void) {
        thenCalls++;
        resolve(7);
      },
    };
    const wrapped = t.perf.wrapTool(() => lazy, { name: 'lazy', sessionId: 'ses_a' });
    expect(await wrapped()).toBe(7);
    expect(thenCalls).toBe(1);
    expect(t.spans.getFinishedSpans()).toHaveLength(1);
  });

  it('wraps an object tool: other fields kept, prototype kept, execute sees the original tool as this', async () => {
    t = tracked();
    class Grep {
      readonly description = 'search files';
      #calls = 0;
      async execute(input: { pattern: string }) {
        this.#calls++;
        return `${input.pattern}:${this.#calls}`;
      }
    }
    const original = new Grep();
    const wrapped = t.perf.wrapTool(original, { name: 'grep', sessionId: 'ses_a' });
    expect(wrapped).not.toBe(original);
    expect(wrapped).toBeInstanceOf(Grep);
    expect(wrapped.description).toBe('search files');
    expect(await wrapped.execute({ pattern: 'x' })).toBe('x:1');
    expect(await original.execute({ pattern: 'y' })).toBe('y:2');

    const plain = { description: 'read', inputSchema: { type: 'object' }, execute: async (i: { path: string }) => i.path };
    const wrappedPlain = t.perf.wrapTool(plain, { name: 'read', sessionId: 'ses_a' });
    expect(Object.keys(wrappedPlain)).toEqual(Object.keys(plain));
    expect({ ...wrappedPlain, execute: undefined }).toEqual({ ...plain, execute: undefined });
    expect(await wrappedPlain.execute({ path: 'a' })).toBe('a');
  });

  it('does not wrap a wrapper again', () => {
    t = tracked();
    const once = t.perf.wrapTool(() => 1, { name: 'one', sessionId: 'ses_a' });
    expect(t.perf.wrapTool(once)).toBe(once);
    once();
    expect(t.spans.getFinishedSpans()).toHaveLength(1);
  });

  it('checks its options when wrapping, not when the tool is first called (cases in tool-spec.test.ts)', () => {
    t = tracked();
    expect(() => t.perf.wrapTool({ execute: () => 1 })).toThrow(/no name/);
    expect(() => t.perf.wrapTool(() => 1, { name: 'x', sessionId: '../etc' })).toThrow(InvalidSessionIdError);
  });
});

describe('enabled: what each call records', () => {
  it('emits one execute_tool span with the GenAI attributes and the session', async () => {
    t = tracked();
    const tools = t.perf.wrapTools(
      { read: async (_input: { path: string }, _opts: { toolCallId: string }) => 'text' },
      { sessionId: 'ses_1' },
    );
    await tools.read({ path: 'a' }, { toolCallId: 'call_9' });
    const [span] = t.spans.getFinishedSpans();
    expect(span?.name).toBe('execute_tool read');
    expect(span?.kind).toBe(SpanKind.INTERNAL);
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.attributes).toEqual({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'read',
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.call.id': 'call_9',
      'session.id': 'ses_1',
      'gen_ai.conversation.id': 'ses_1',
    });
  });

  it('takes the session from the arguments (OpenCode ctx) or from withSession, across awaits', async () => {
    t = tracked();
    const opencodeTool = t.perf.wrapTool(
      { id: 'bash', execute: async (_args: { command: string }, _ctx: { sessionID: string; callID: string }) => 'ok' },
      { sessionId: (_args, ctx) => ctx.sessionID },
    );
    await opencodeTool.execute({ command: 'ls' }, { sessionID: 'ses_oc', callID: 'c1' });
    const ambient = t.perf.wrapTool(async () => 1, { name: 'ambient' });
    await withSession('ses_als', async () => {
      await new Promise((r) => setTimeout(r, 1));
      await ambient();
    });
    await ambient(); // outside any session: a span without session.id
    const spans = t.spans.getFinishedSpans();
    expect(spans.map((s) => [s.name, s.attributes['session.id'], s.attributes['gen_ai.tool.call.id']])).toEqual([
      ['execute_tool bash', 'ses_oc', 'c1'],
      ['execute_tool ambient', 'ses_als', undefined],
      ['execute_tool ambient', undefined, undefined],
    ]);
  });

  it('is the parent of spans started inside the tool and the child of the caller’s span', async () => {
    t = tracked();
    const own = t.provider.getTracer('agent');
    const tool = t.perf.wrapTool(
      async () => {
        await new Promise((r) => setTimeout(r, 1));
        own.startSpan('inside').end();
      },
      { name: 'nested', sessionId: 'ses_1' },
    );
    const parent = own.startSpan('agent step');
    await context.with(trace.setSpan(context.active(), parent), () => tool());
    parent.end();
    const spans = t.spans.getFinishedSpans();
    const byName = Object.fromEntries(spans.map((s) => [s.name, s]));
    expect(byName['execute_tool nested']?.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(byName['inside']?.parentSpanContext?.spanId).toBe(byName['execute_tool nested']?.spanContext().spanId);
  });

  it('ends the span when an async tool settles, not when it returns', async () => {
    t = tracked();
    const slow = t.perf.wrapTool(() => new Promise((r) => setTimeout(r, 30)), { name: 'slow', sessionId: 'ses_1' });
    const pending = slow();
    expect(t.spans.getFinishedSpans()).toHaveLength(0);
    await pending;
    const [span] = t.spans.getFinishedSpans();
    const ms = span!.duration[0] * 1000 + span!.duration[1] / 1e6;
    expect(ms).toBeGreaterThanOrEqual(25);
  });

  it('records tool arguments and results only when asked, cut to maxContentLength', async () => {
    t = tracked();
    const plain = t.perf.wrapTool(async (input: { secret: string }) => input.secret, { name: 'p', sessionId: 'ses_1' });
    await plain({ secret: 'hunter2' });
    expect(JSON.stringify(t.spans.getFinishedSpans()[0]?.attributes)).not.toContain('hunter2');
    await t.perf.shutdown();

    t = tracked({ captureContent: true, maxContentLength: 10 });
    const capturing = t.perf.wrapTool(async (input: { q: string }) => `found ${input.q} in many files`, { name: 'c', sessionId: 'ses_1' });
    await capturing({ q: 'x' });
    const attributes = t.spans.getFinishedSpans()[0]?.attributes ?? {};
    expect(attributes['gen_ai.tool.call.arguments']).toBe('{"q":"x"}');
    expect(attributes['gen_ai.tool.call.result']).toBe('found x in…[11 more]');
  });

  it('records the duration histogram in seconds, with tool, error type and session', async () => {
    t = tracked();
    const tools = t.perf.wrapTools(
      {
        ok: async () => new Promise((r) => setTimeout(r, 20)),
        bad: () => {
          throw new RangeError('x');
        },
      },
      { sessionId: 'ses_h' },
    );
    await tools.ok();
    await tools.ok();
    expect(() => tools.bad()).toThrow(RangeError);
    const points = await histogramPoints(t);
    const ok = points.find((p) => p.attributes['gen_ai.tool.name'] === 'ok');
    const bad = points.find((p) => p.attributes['gen_ai.tool.name'] === 'bad');
    expect(ok?.attributes).toEqual({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'ok', 'toolperf.status': 'ok', 'session.id': 'ses_h' });
    expect(ok?.value.count).toBe(2);
    expect(ok?.value.sum).toBeGreaterThan(0.03);
    expect(ok?.value.sum).toBeLessThan(5);
    expect(bad?.attributes).toEqual({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'bad',
      'toolperf.status': 'error',
      'error.type': 'RangeError',
      'session.id': 'ses_h',
    });
    expect(ok?.value.buckets.boundaries).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300]);
  });

  it('counts calls by tool and status with the same attributes', async () => {
    t = tracked();
    const tools = t.perf.wrapTools({ ok: () => 1, bad: () => Promise.reject(new TypeError('no')) }, { sessionId: 'ses_c' });
    tools.ok();
    tools.ok();
    tools.ok();
    await expect(tools.bad()).rejects.toThrow(TypeError);
    const counts = await callCounts(t);
    const byStatus = Object.fromEntries(counts.map((p) => [`${String(p.attributes['gen_ai.tool.name'])}/${String(p.attributes['toolperf.status'])}`, p.value]));
    expect(byStatus).toEqual({ 'ok/ok': 3, 'bad/error': 1 });
    expect(counts.find((p) => p.attributes['toolperf.status'] === 'error')?.attributes['error.type']).toBe('TypeError');
  });

  it('leaves session.id off the histogram when metrics.includeSessionId is false', async () => {
    t = tracked({ metrics: { includeSessionId: false } });
    const tool = t.perf.wrapTool(() => 1, { name: 'x', sessionId: 'ses_1' });
    tool();
    const [point] = await histogramPoints(t);
    expect(point?.attributes).toEqual({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'x', 'toolperf.status': 'ok' });
    // ...while the span still carries it
    expect(t.spans.getFinishedSpans()[0]?.attributes['session.id']).toBe('ses_1');
  });

  it('reports other operation types apart, without the tool histogram', async () => {
    t = tracked();
    const readFile = t.perf.wrapTool(async () => 'x', { name: 'readFile', operationType: 'file-io', sessionId: 'ses_1' });
    await readFile();
    const [span] = t.spans.getFinishedSpans();
    expect(span?.name).toBe('file-io readFile');
    expect(span?.attributes['toolperf.operation.type']).toBe('file-io');
    expect(await histogramPoints(t)).toHaveLength(0);
    const stats = await t.perf.api.getOperationStats({ sessionId: 'ses_1', operationType: 'file-io', toolName: 'readFile' });
    expect(stats?.count).toBe(1);
  });
});

describe("a failure's message", () => {
  it('is kept with the failed call only, cut to 300 characters; recordErrorMessages: false keeps it out', async () => {
    for (const recordErrorMessages of [true, false]) {
      t = tracked({ recordErrorMessages });
      const read = t.perf.wrapTool(
        async (path: string) => {
          if (path.startsWith('/missing')) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
          return 'contents';
        },
        { name: 'read', sessionId: 'ses_messages' },
      );
      await read('/ok');
      await expect(read('/missing')).rejects.toThrow('ENOENT');
      await expect(read(`/missing/${'x'.repeat(1000)}`)).rejects.toThrow('ENOENT');
      const recent = (await t.perf.api.getReport({ sessionId: 'ses_messages' }))?.recent ?? [];
      expect(recent.map((r) => [r.ok, r.errorType])).toEqual([[true, undefined], [false, 'ENOENT'], [false, 'ENOENT']]);
      expect(recent.map((r) => r.errorMessage)).toEqual(
        recordErrorMessages
          ? [undefined, "ENOENT: no such file or directory, open '/missing'", `${"ENOENT: no such file or directory, open '/missing/".padEnd(1100, 'x').slice(0, 299)}…`]
          : [undefined, undefined, undefined],
      );
      await t.perf.shutdown();
    }
  });
});

describe('strings from the host', () => {
  it('cuts a long name, call id and error code to their limits, in the span, the metrics and the report', async () => {
    t = tracked();
    const huge = (c: string) => c.repeat(1_000_000);
    const tool = t.perf.wrapTool(
      async () => {
        throw Object.assign(new Error('x'), { code: `E${huge('X')}` });
      },
      { name: huge('n'), sessionId: 'ses_long', callId: () => huge('c'), toolType: huge('f') },
    );
    await expect(tool()).rejects.toThrow('x');
    const [span] = t.spans.getFinishedSpans();
    expect(span?.attributes['gen_ai.tool.name']).toHaveLength(256);
    expect(span?.attributes['gen_ai.tool.type']).toHaveLength(256);
    expect(span?.attributes['gen_ai.tool.call.id']).toHaveLength(1024);
    expect(span?.attributes['error.type']).toHaveLength(128);
    expect(span?.name.length).toBeLessThanOrEqual(256 + 'execute_tool '.length);
    const [point] = await histogramPoints(t);
    expect(point?.attributes['gen_ai.tool.name']).toHaveLength(256);
    expect(point?.attributes['error.type']).toHaveLength(128);
    const report = await t.perf.api.getReport({ sessionId: 'ses_long' });
    expect(JSON.stringify(report).length).toBeLessThan(20_000);
  });
});

describe('telemetry never breaks the tool', () => {
  it('runs the tool untracked and logs once when the tracer throws', async () => {
    const broken = { getTracer: () => ({ startSpan: () => { throw new Error('tracer down'); } }) };
    t = tracked({ tracerProvider: broken as never });
    const tool = t.perf.wrapTool(async (x: number) => x * 2, { name: 'double', sessionId: 'ses_1' });
    expect(await tool(2)).toBe(4);
    expect(await tool(3)).toBe(6);
    expect(t.logger.lines).toHaveLength(1);
    expect(t.logger.lines[0]).toMatch(/could not start a span for double.*tracer down/);
  });

  it('runs the tool untracked and logs once when the host\'s sessionId or callId function throws', async () => {
    t = tracked();
    const tool = t.perf.wrapTool(
      { name: 'bash', execute: async (_args: { command: string }, ctx?: { sessionID: string }) => ctx?.sessionID ?? 'no ctx' },
      { sessionId: (_args, ctx) => ctx!.sessionID }, // a host that forgot the ctx makes this throw
    );
    const byCallId = t.perf.wrapTool((x: number) => x, { name: 'id', sessionId: 'ses_1', callId: () => { throw new Error('no call id'); } });
    expect(await tool.execute({ command: 'ls' })).toBe('no ctx');
    expect(byCallId(5)).toBe(5);
    expect(await tool.execute({ command: 'ls' }, { sessionID: 'ses_ok' })).toBe('ses_ok');
    expect(t.spans.getFinishedSpans().map((s) => s.attributes['session.id'])).toEqual(['ses_ok']);
    expect(t.logger.lines).toHaveLength(1);
    expect(t.logger.lines[0]).toMatch(/could not start a span for bash.*TypeError/);
  });

  it('passes the result through when ending the span fails', () => {
    const span = { setAttribute: () => span, setStatus: () => span, end: () => { throw new Error('end failed'); }, spanContext: () => ({}) };
    const provider = { getTracer: () => ({ startSpan: () => span }) };
    t = tracked({ tracerProvider: provider as never });
    const tool = t.perf.wrapTool(() => 'result', { name: 'x', sessionId: 'ses_1' });
    expect(tool()).toBe('result');
    expect(tool()).toBe('result');
    expect(t.logger.lines).toHaveLength(1);
  });
});

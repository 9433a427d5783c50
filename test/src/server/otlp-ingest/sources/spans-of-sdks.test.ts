import type { LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startReportServer } from '../../../../../src/server/start.js';
import { memoryReports } from '../../fixtures.js';
import { ArgumentFingerprinter } from '../../../../../src/util/argument-fingerprint.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startServer(fingerprintArguments = false) {
  const { reports, logger, store } = memoryReports();
  const server = await startReportServer({ reports, port: 0, logger, dashboard: false, fingerprintArguments });
  cleanups.push(() => reports.shutdown(), () => server.close());
  return { server, reports, store };
}

function tracerProvider(url: string, resource: Record<string, string>): BasicTracerProvider {
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes(resource), spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${url}/v1/traces` }))] });
  cleanups.push(() => provider.shutdown());
  return provider;
}

const usage: LanguageModelV3GenerateResult['usage'] = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

describe("the AI SDK's ai.toolCall spans, from the real `ai` package", () => {
  it('become calls of the session in the telemetry metadata, failures typed by their message, arguments and results left out', async () => {
    const { server, reports } = await startServer();
    const provider = tracerProvider(server.url, { 'service.name': 'my-agent', 'service.version': '4.2.0' });
    const steps: LanguageModelV3GenerateResult[] = [
      {
        content: [
          { type: 'tool-call', toolCallId: 'call_1', toolName: 'readFile', input: JSON.stringify({ path: '/secret/a' }) },
          { type: 'tool-call', toolCallId: 'call_2', toolName: 'readFile', input: JSON.stringify({ path: '/missing' }) },
        ],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage,
        warnings: [],
      },
      { content: [{ type: 'text', text: 'Done.' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] },
    ];
    let step = 0;
    await generateText({
      model: new MockLanguageModelV3({ doGenerate: async () => steps[step++] as LanguageModelV3GenerateResult }),
      prompt: 'read them',
      stopWhen: stepCountIs(3),
      tools: {
        readFile: tool({
          inputSchema: z.object({ path: z.string() }),
          execute: async ({ path }): Promise<string> => {
            if (path === '/missing') throw new Error(`ENOENT: no such file or directory, open '${path}'`);
            return 'contents of a';
          },
        }),
      },
      experimental_telemetry: { isEnabled: true, tracer: provider.getTracer('ai'), metadata: { sessionId: 'ses_aisdk' } },
    });
    await provider.forceFlush();

    const report = await reports.getReport({ sessionId: 'ses_aisdk' });
    expect(report?.agent).toEqual({ name: 'my-agent', version: '4.2.0' });
    expect(report?.operations['tool-execution']?.tools.readFile).toMatchObject({ count: 2, errors: 1, errorTypes: { file_not_found: 1 } });
    expect(report?.recent.map((r) => r.callId).sort()).toEqual(['call_1', 'call_2']);
    // The class the AI SDK records in the span's exception event.
    expect(report?.recent.find((r) => !r.ok)?.errorClass).toBe('Error');
    expect(report?.recent.find((r) => r.callId === 'call_2')?.errorMessage).toBe("ENOENT: no such file or directory, open '/missing'");
    expect(report?.recent.find((r) => r.callId === 'call_1')?.errorMessage).toBeUndefined();
    expect(JSON.stringify(report)).not.toContain('secret');
    expect(JSON.stringify(report)).not.toContain('contents of a');
  });
});

describe("a failed span's status message", () => {
  it.each([
    ['genai', 'any-sdk', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read', 'error.type': 'FileNotFound' }],
    ['toolperf', 'toolperf', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read', 'toolperf.operation.type': 'tool-execution' }],
  ] as const)('is the error message of a %s span, cut to 300 characters; an OK span has none', async (_source, scope, attributes) => {
    const { server, reports } = await startServer();
    const provider = tracerProvider(server.url, { 'service.name': 'my-agent' });
    const tracer = provider.getTracer(scope);
    const failed = tracer.startSpan('execute_tool read', { attributes: { ...attributes, 'session.id': 'ses_status', 'gen_ai.tool.call.id': 'c1' } });
    failed.setStatus({ code: 2, message: `no such file: /work/${'x'.repeat(400)}` });
    failed.end();
    const fine = tracer.startSpan('execute_tool read', { attributes: { ...attributes, 'session.id': 'ses_status', 'gen_ai.tool.call.id': 'c2', 'error.type': undefined } });
    fine.setStatus({ code: 1, message: 'not an error' });
    fine.end();
    await provider.forceFlush();
    const recent = (await reports.getReport({ sessionId: 'ses_status' }))?.recent ?? [];
    const byId = new Map(recent.map((r) => [r.callId, r]));
    expect(byId.get('c1')?.errorMessage).toBe(`no such file: /work/${'x'.repeat(400)}`.slice(0, 299) + '…');
    expect(byId.get('c2')?.ok).toBe(true);
    expect(byId.get('c2')?.errorMessage).toBeUndefined();
  });
});

describe('the agent a session came from', () => {
  it('is on the report and the session list, and the list filters by it', async () => {
    const { server } = await startServer();
    for (const [agent, session] of [['agent-a', 'ses_a'], ['agent-b', 'ses_b']] as const) {
      const provider = tracerProvider(server.url, { 'service.name': agent });
      const span = provider.getTracer('any').startSpan('execute_tool read', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read', 'session.id': session } });
      span.end();
      await provider.forceFlush();
    }
    const list = async (query: string) => ((await (await fetch(`${server.url}/api/v1/sessions${query}`)).json()) as { sessions: { sessionId: string; agent?: { name: string } }[] }).sessions;
    expect((await list('')).map((s) => [s.sessionId, s.agent?.name]).sort()).toEqual([['ses_a', 'agent-a'], ['ses_b', 'agent-b']]);
    expect((await list('?agent=agent-b')).map((s) => s.sessionId)).toEqual(['ses_b']);
    expect(await list('?agent=nobody')).toEqual([]);
  });
});

describe('arguments on spans, with fingerprintArguments', () => {
  it('are fingerprinted with the store\'s secret whatever their key order, then dropped; a toolperf span\'s own fingerprint is kept', async () => {
    const { server, reports, store } = await startServer(true);
    const provider = tracerProvider(server.url, { 'service.name': 'my-agent' });
    const send = (scope: string, callId: string, attributes: Record<string, string>): void => {
      provider
        .getTracer(scope)
        .startSpan('execute_tool read', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read', 'session.id': 'ses_args', 'gen_ai.tool.call.id': callId, ...attributes } })
        .end();
    };
    send('any-sdk', 'c1', { 'gen_ai.tool.call.arguments': '{"path":"/private/a.txt","limit":10}' });
    send('any-sdk', 'c2', { 'gen_ai.tool.call.arguments': '{ "limit": 10, "path": "/private/a.txt" }' });
    send('any-sdk', 'c3', { 'gen_ai.tool.call.arguments': '{"path":"/private/b.txt","limit":10}' });
    send('toolperf', 'c4', { 'toolperf.tool.call.arguments.fingerprint': 'AAAAAAAAAAAAAAAAAAAAAA', 'gen_ai.tool.call.arguments': '{"path":"/private/c.txt"}' });
    await provider.forceFlush();
    const report = await reports.getReport({ sessionId: 'ses_args' });
    const byId = new Map(report?.recent.map((r) => [r.callId, r.argumentsFingerprint]));
    const fingerprinter = new ArgumentFingerprinter();
    fingerprinter.setKey(store.secretSync());
    expect(byId.get('c1')).toBe(fingerprinter.ofValue({ path: '/private/a.txt', limit: 10 }));
    expect(byId.get('c2')).toBe(byId.get('c1'));
    expect(byId.get('c3')).toBe(fingerprinter.ofValue({ path: '/private/b.txt', limit: 10 }));
    expect(byId.get('c3')).not.toBe(byId.get('c1'));
    expect(byId.get('c4')).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(JSON.stringify(report)).not.toContain('private');
  });

  it('leave no fingerprint when it is off', async () => {
    const { server, reports } = await startServer();
    const provider = tracerProvider(server.url, { 'service.name': 'my-agent' });
    provider.getTracer('any').startSpan('execute_tool read', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'read', 'session.id': 'ses_off', 'gen_ai.tool.call.arguments': '{"path":"/a"}' } }).end();
    await provider.forceFlush();
    expect((await reports.getReport({ sessionId: 'ses_off' }))?.recent[0]?.argumentsFingerprint).toBeUndefined();
  });
});

describe("the AI SDK's ai.toolCall spans, with fingerprintArguments", () => {
  it('give equal inputs one fingerprint and others another, and leave the inputs out', async () => {
    const { server, reports } = await startServer(true);
    const provider = tracerProvider(server.url, { 'service.name': 'my-agent' });
    const call = (toolCallId: string, path: string) => ({ type: 'tool-call' as const, toolCallId, toolName: 'readFile', input: JSON.stringify({ path }) });
    const steps: LanguageModelV3GenerateResult[] = [
      { content: [call('call_1', '/private/a'), call('call_2', '/private/a'), call('call_3', '/private/b')], finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage, warnings: [] },
      { content: [{ type: 'text', text: 'Done.' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] },
    ];
    let step = 0;
    await generateText({
      model: new MockLanguageModelV3({ doGenerate: async () => steps[step++] as LanguageModelV3GenerateResult }),
      prompt: 'read them',
      stopWhen: stepCountIs(3),
      tools: { readFile: tool({ inputSchema: z.object({ path: z.string() }), execute: async ({ path }): Promise<number> => path.length }) },
      experimental_telemetry: { isEnabled: true, tracer: provider.getTracer('ai'), metadata: { sessionId: 'ses_aisdk_fp' } },
    });
    await provider.forceFlush();
    const report = await reports.getReport({ sessionId: 'ses_aisdk_fp' });
    const byId = new Map(report?.recent.map((r) => [r.callId, r.argumentsFingerprint]));
    expect(byId.get('call_1')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(byId.get('call_2')).toBe(byId.get('call_1'));
    expect(byId.get('call_3')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(byId.get('call_3')).not.toBe(byId.get('call_1'));
    expect(JSON.stringify(report)).not.toContain('private');
  });
});

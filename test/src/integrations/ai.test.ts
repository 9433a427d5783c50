import type { LanguageModelV3GenerateResult } from '@ai-sdk/provider';
import { generateText, stepCountIs, tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createPerformance } from '../../../src/index.js';
import { wrapAiTools } from '../../../src/integrations/ai.js';
import { tracked, type Tracked } from '../../helpers/tracking.js';

let t: Tracked;
afterEach(async () => {
  await t?.perf.shutdown();
});

const usage: LanguageModelV3GenerateResult['usage'] = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

function toolCalls(calls: { id: string; name: string; input: object }[]): LanguageModelV3GenerateResult {
  return {
    content: calls.map((c) => ({ type: 'tool-call', toolCallId: c.id, toolName: c.name, input: JSON.stringify(c.input) })),
    finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
    usage,
    warnings: [],
  };
}

/** A model (no network) that asks for tools over three steps, then answers. */
function scriptedModel() {
  const steps: LanguageModelV3GenerateResult[] = [
    toolCalls([{ id: 'call_w1', name: 'weather', input: { city: 'Paris' } }]),
    toolCalls([
      { id: 'call_w2', name: 'weather', input: { city: 'Oslo' } },
      { id: 'call_r1', name: 'readFile', input: { path: '/missing' } },
    ]),
    toolCalls([{ id: 'call_w3', name: 'weather', input: { city: 'Lima' } }]),
    { content: [{ type: 'text', text: 'Done.' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] },
  ];
  let step = 0;
  return new MockLanguageModelV3({ doGenerate: async () => steps[step++] as LanguageModelV3GenerateResult });
}

function makeTools(seen: string[]) {
  return {
    weather: tool({
      description: 'Weather in a city',
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }, { toolCallId }) => {
        seen.push(toolCallId);
        return { city, celsius: city.length };
      },
    }),
    readFile: tool({
      description: 'Read a file',
      inputSchema: z.object({ path: z.string() }),
      execute: async ({ path }): Promise<string> => {
        throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
      },
    }),
    // Answered by the client, not executed here: kept as is.
    confirm: tool({ description: 'Ask the user', inputSchema: z.object({ question: z.string() }) }),
  };
}

describe('wrapAiTools with generateText', () => {
  it('tracks every call over several steps; execute keeps its input and toolCallId, which lands on the span', async () => {
    t = tracked();
    const seen: string[] = [];
    const original = makeTools(seen);
    const tools = wrapAiTools(t.perf, original, { sessionId: 'ses_ai' });
    expect(tools.confirm).toBe(original.confirm);
    expect(tools.weather.inputSchema).toBe(original.weather.inputSchema);

    const result = await generateText({ model: scriptedModel(), tools, prompt: 'Weather?', stopWhen: stepCountIs(5) });
    expect(result.text).toBe('Done.');
    expect(result.steps).toHaveLength(4);
    expect(seen).toEqual(['call_w1', 'call_w2', 'call_w3']);
    const toolResults = result.steps.flatMap((s) => s.toolResults).map((r) => [r.toolCallId, r.output]);
    expect(toolResults).toContainEqual(['call_w2', { city: 'Oslo', celsius: 4 }]);
    const toolErrors = result.steps.flatMap((s) => s.content).filter((p) => p.type === 'tool-error');
    expect(toolErrors.map((e) => e.toolCallId)).toEqual(['call_r1']);

    const report = await t.perf.api.getReport({ sessionId: 'ses_ai' });
    const ops = report?.operations['tool-execution'];
    expect(ops).toMatchObject({ count: 4, errors: 1, errorTypes: { ENOENT: 1 } });
    expect(ops?.tools.weather).toMatchObject({ count: 3, errors: 0 });
    expect(ops?.tools.readFile).toMatchObject({ count: 1, errors: 1 });
    expect(report?.recent.map((c) => c.callId).sort()).toEqual(['call_r1', 'call_w1', 'call_w2', 'call_w3']);
    const spanCallIds = t.spans.getFinishedSpans().map((s) => s.attributes['gen_ai.tool.call.id']).sort();
    expect(spanCallIds).toEqual(['call_r1', 'call_w1', 'call_w2', 'call_w3']);
  });

  it('times a streaming tool (async function*) over its whole stream and fails it when the stream throws', async () => {
    t = tracked();
    const progress = tool({
      description: 'Long job with progress',
      inputSchema: z.object({ steps: z.number() }),
      async *execute({ steps }) {
        for (let i = 1; i < steps; i++) {
          await new Promise((resolve) => setTimeout(resolve, 15));
          yield { status: 'running' as const, done: i };
        }
        if (steps > 3) throw new RangeError('too many steps');
        yield { status: 'done' as const, done: steps };
      },
    });
    const tools = wrapAiTools(t.perf, { progress }, { sessionId: 'ses_stream' });
    const steps: LanguageModelV3GenerateResult[] = [
      toolCalls([{ id: 'call_s1', name: 'progress', input: { steps: 3 } }]),
      toolCalls([{ id: 'call_s2', name: 'progress', input: { steps: 4 } }]),
      { content: [{ type: 'text', text: 'ok' }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] },
    ];
    let step = 0;
    const model = new MockLanguageModelV3({ doGenerate: async () => steps[step++] as LanguageModelV3GenerateResult });
    const result = await generateText({ model, tools, prompt: 'go', stopWhen: stepCountIs(4) });
    const outputs = result.steps.flatMap((s) => s.toolResults).filter((r) => !r.preliminary).map((r) => [r.toolCallId, r.output]);
    expect(outputs).toContainEqual(['call_s1', { status: 'done', done: 3 }]);

    const stats = await t.perf.api.getOperationStats({ sessionId: 'ses_stream', operationType: 'tool-execution', toolName: 'progress' });
    expect(stats).toMatchObject({ count: 2, errors: 1, errorTypes: { RangeError: 1 } });
    // Two waits of 15 ms before the first call's last value: timed to the end of the stream, not to its first value.
    expect(stats?.minMs).toBeGreaterThanOrEqual(29);
  });

  it('disabled, returns the tool set itself', () => {
    const perf = createPerformance({ enabled: false, handleProcessExit: false, env: {} });
    const tools = makeTools([]);
    expect(wrapAiTools(perf, tools, { sessionId: 'ses_x' })).toBe(tools);
  });

  it('rejects an invalid session ID when wrapping, not at the first call', () => {
    t = tracked();
    expect(() => wrapAiTools(t.perf, makeTools([]), { sessionId: '../x' })).toThrow(/session/i);
  });
});

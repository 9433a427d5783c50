/**
 * A FAKE model server speaking OpenAI chat completions (`POST /v1/chat/completions`, SSE streaming),
 * for running real agent CLIs (OpenCode through `@ai-sdk/openai-compatible`) on loopback with no
 * model at all. It plays a script: each request that offers tools takes the next turn, which
 * either calls tools (several in one response for parallel calls) or answers with text. Requests
 * without tools (OpenCode's title generation) get a short text and take no turn. Nothing here
 * thinks; the script decides everything.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, readBody } from '../helpers/loopback.js';

/** One tool call in a scripted response. `arguments` is sent as JSON, or as is when a string (malformed on purpose). */
export interface ScriptedToolCall {
  /** The call ID the fake provider gives it, e.g. `call_0` (providers that number per response reuse these). */
  readonly id: string;
  readonly name: string;
  readonly arguments: Readonly<Record<string, unknown>> | string;
}

/**
 * One model response: tool calls (all in one message: parallel), or a final text. `delayMs` holds
 * the response back that long, as a model takes its time (agents that send telemetry in batches
 * and not at exit lose what the last moments of a run produced when the model answers at once).
 */
export type ScriptTurn = ({ readonly toolCalls: readonly ScriptedToolCall[] } | { readonly text: string }) & { readonly delayMs?: number };

/** What the fake saw of one chat request: enough to follow a run, never the prompt itself. */
export interface SeenRequest {
  readonly turn: number | undefined;
  readonly model: string;
  readonly stream: boolean;
  readonly tools: number;
  readonly messages: number;
  /** Tool results the agent sent back in this request (`tool_call_id`s, in order). */
  readonly toolResults: readonly string[];
}

export interface FakeChatModel {
  /** `http://127.0.0.1:<port>/v1`: the provider's `baseURL`. */
  readonly baseUrl: string;
  readonly requests: readonly SeenRequest[];
  /** Requests the fake does not know (method and path): whatever the CLI tried beside chat completions. */
  readonly unknown: readonly string[];
  /** Turns played so far. */
  played(): number;
  /** Resolves once `count` turns have been played. */
  waitForTurns(count: number, timeoutMs?: number): Promise<void>;
  /** Adds turns to the end of the script (for a second `opencode run`). */
  append(...turns: ScriptTurn[]): void;
  close(): Promise<void>;
}

export const FAKE_MODEL_ID = 'fake-model';

/** Starts the fake on 127.0.0.1, port 0. When the script runs out it answers `done.` to every request. */
export async function startFakeChatModel(script: readonly ScriptTurn[]): Promise<FakeChatModel> {
  const turns = [...script];
  const requests: SeenRequest[] = [];
  const unknown: string[] = [];
  let next = 0;
  let waiters: { count: number; resolve: () => void }[] = [];

  const server = createServer((request, response) => {
    void readBody(request).then(
      (body) => answer(request, body.toString('utf8'), response),
      () => response.destroy(),
    );
  });

  function answer(request: IncomingMessage, body: string, response: ServerResponse): void {
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (request.method === 'GET' && path.endsWith('/models')) {
      json(response, 200, { object: 'list', data: [{ id: FAKE_MODEL_ID, object: 'model', created: 0, owned_by: 'fake' }] });
      return;
    }
    if (request.method !== 'POST' || !path.endsWith('/chat/completions')) {
      unknown.push(`${request.method ?? '?'} ${path}`);
      json(response, 404, { error: { message: `the fake model server does not serve ${path}` } });
      return;
    }
    const chat = JSON.parse(body) as ChatRequest;
    const offersTools = (chat.tools?.length ?? 0) > 0;
    let turn: ScriptTurn = { text: offersTools ? 'done.' : 'Fake title' };
    let index: number | undefined;
    if (offersTools && next < turns.length) {
      index = next++;
      turn = turns[index] as ScriptTurn;
      for (const waiter of waiters.filter((w) => next >= w.count)) waiter.resolve();
      waiters = waiters.filter((w) => next < w.count);
    }
    requests.push({
      turn: index,
      model: chat.model,
      stream: chat.stream === true,
      tools: chat.tools?.length ?? 0,
      messages: chat.messages.length,
      toolResults: chat.messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id ?? ''),
    });
    const send = (): void => {
      if (chat.stream === true) stream(response, chat.model, turn);
      else json(response, 200, completion(chat.model, turn));
    };
    if (turn.delayMs === undefined) send();
    else setTimeout(send, turn.delayMs);
  }

  const listening = await listenOnLoopback(server);
  return {
    baseUrl: `${listening.origin}/v1`,
    requests,
    unknown,
    played: () => next,
    waitForTurns: (count, timeoutMs = 60_000) =>
      next >= count
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`the fake model played ${next} of ${count} turns in ${timeoutMs} ms`)), timeoutMs);
            waiters.push({
              count,
              resolve: () => {
                clearTimeout(timer);
                resolve();
              },
            });
          }),
    append: (...more) => void turns.push(...more),
    close: () => listening.close(),
  };
}

interface ChatRequest {
  readonly model: string;
  readonly stream?: boolean;
  readonly tools?: readonly unknown[];
  readonly messages: readonly { readonly role: string; readonly tool_call_id?: string }[];
}

let responses = 0;

function stream(response: ServerResponse, model: string, turn: ScriptTurn): void {
  const id = `chatcmpl-fake-${++responses}`;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model, choices, ...extra })}\n\n`;
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  if ('text' in turn) {
    response.write(chunk([{ index: 0, delta: { role: 'assistant', content: turn.text }, finish_reason: null }]));
    response.write(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]));
  } else {
    response.write(chunk([{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }]));
    turn.toolCalls.forEach((call, index) => {
      const delta = { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: argumentsText(call) } }] };
      response.write(chunk([{ index: 0, delta, finish_reason: null }]));
    });
    response.write(chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]));
  }
  response.write(chunk([], { usage: USAGE }));
  response.end('data: [DONE]\n\n');
}

function completion(model: string, turn: ScriptTurn): unknown {
  const message =
    'text' in turn
      ? { role: 'assistant', content: turn.text }
      : { role: 'assistant', content: null, tool_calls: turn.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: argumentsText(call) } })) };
  return {
    id: `chatcmpl-fake-${++responses}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, finish_reason: 'text' in turn ? 'stop' : 'tool_calls' }],
    usage: USAGE,
  };
}

const USAGE = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

function argumentsText(call: ScriptedToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}


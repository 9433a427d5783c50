/**
 * A FAKE model server speaking the OpenAI Responses API (`POST /v1/responses`, SSE streaming), for
 * running real agent CLIs (Codex) in tests without a model. It does not think: it plays a script,
 * one turn per request — "call these tools" (several calls in one response are parallel calls) or
 * "answer with this text" — and answers the text "done." once the script has run out.
 *
 * It binds 127.0.0.1 on port 0, answers the model-listing endpoint minimally, and keeps every
 * request it did not expect in `unexpected` so a test can see what else the CLI asked for.
 */
import { createServer, type ServerResponse } from 'node:http';
import { listenOnLoopback, readBody } from '../helpers/loopback.js';

/** One function call the fake model asks for; `callId` defaults to `call_<index in its turn>`, as providers that number per response do. */
export interface ScriptedCall {
  readonly name: string;
  /** Sent as the call's `arguments`: a value is JSON-encoded, a string is sent as it is (so malformed JSON can be scripted). */
  readonly arguments: unknown;
  readonly callId?: string;
}

export type ScriptedTurn = { readonly calls: readonly ScriptedCall[] } | { readonly text: string };

/** What the CLI sent to `/v1/responses`, kept to what a test checks (the full body stays with the test's own debugging). */
export interface ModelRequest {
  readonly model: string | undefined;
  /** Names of the tools the CLI offered the model. */
  readonly tools: readonly string[];
  /** `function_call_output` items in the request's input, by call id (the tool's results as the model sees them). */
  readonly toolOutputs: readonly { readonly callId: string; readonly output: string }[];
}

export interface FakeResponsesModel {
  /** `http://127.0.0.1:<port>/v1`: the provider's base URL. */
  readonly baseUrl: string;
  readonly requests: ModelRequest[];
  /** Requests to paths this fake does not serve (method and path), answered 404. */
  readonly unexpected: string[];
  close(): Promise<void>;
}

const MODEL_ID = 'fake-model';

export async function startFakeResponsesModel(script: readonly ScriptedTurn[]): Promise<FakeResponsesModel> {
  const requests: ModelRequest[] = [];
  const unexpected: string[] = [];
  let turn = 0;
  let responseCount = 0;

  const server = createServer((request, response) => {
    void readBody(request).then((raw) => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      if (request.method === 'POST' && path.endsWith('/responses')) {
        const body = parseJson(raw);
        requests.push(summarize(body));
        const next = script[turn] ?? { text: 'done.' };
        turn += 1;
        responseCount += 1;
        streamTurn(response, `resp_${responseCount}`, next);
        return;
      }
      if (request.method === 'POST' && path.endsWith('/analytics/codex/turn-costs')) {
        // Codex asks its provider what each turn cost (whatever its analytics setting): none known here.
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ turns: [] }));
        return;
      }
      if (request.method === 'GET' && path.endsWith('/models')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ object: 'list', data: [{ id: MODEL_ID, object: 'model', created: 0, owned_by: 'toolperf-tests' }] }));
        return;
      }
      unexpected.push(`${request.method ?? '?'} ${request.url ?? ''}`);
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: `the fake model does not serve ${path}` } }));
    });
  });
  const listening = await listenOnLoopback(server);
  return {
    baseUrl: `${listening.origin}/v1`,
    requests,
    unexpected,
    close: () => listening.close(),
  };
}

/** The SSE events of one response: created, each output item added and done, completed. */
function streamTurn(response: ServerResponse, id: string, turn: ScriptedTurn): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (type: string, data: Record<string, unknown>): void => {
    response.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  };
  const base = { id, object: 'response', created_at: Math.floor(Date.now() / 1000), model: MODEL_ID };
  send('response.created', { response: { ...base, status: 'in_progress', output: [] } });

  const items =
    'calls' in turn
      ? turn.calls.map((call, index) => ({
          type: 'function_call',
          id: `fc_${id}_${index}`,
          call_id: call.callId ?? `call_${index}`,
          name: call.name,
          arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
          status: 'completed',
        }))
      : [
          {
            type: 'message',
            id: `msg_${id}`,
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text: turn.text, annotations: [] }],
          },
        ];
  items.forEach((item, index) => {
    send('response.output_item.added', { output_index: index, item });
    if (item.type === 'message') send('response.output_text.delta', { output_index: index, item_id: item.id, content_index: 0, delta: 'text' in turn ? turn.text : '' });
    send('response.output_item.done', { output_index: index, item });
  });
  const usage = { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 15 };
  send('response.completed', { response: { ...base, status: 'completed', output: items, usage } });
  response.end();
}

function summarize(body: unknown): ModelRequest {
  const record = isRecord(body) ? body : {};
  const tools = Array.isArray(record.tools) ? record.tools.map(toolName).filter((name): name is string => name !== undefined) : [];
  const input = Array.isArray(record.input) ? record.input : [];
  const toolOutputs = input.filter(isRecord).flatMap((item) =>
    item.type === 'function_call_output' || item.type === 'custom_tool_call_output'
      ? [{ callId: String(item.call_id), output: typeof item.output === 'string' ? item.output : JSON.stringify(item.output) }]
      : [],
  );
  return { model: typeof record.model === 'string' ? record.model : undefined, tools, toolOutputs };
}

function toolName(tool: unknown): string | undefined {
  if (!isRecord(tool)) return undefined;
  if (typeof tool.name === 'string') return tool.name;
  return typeof tool.type === 'string' ? tool.type : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}


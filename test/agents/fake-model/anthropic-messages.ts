// A FAKE model server speaking the Anthropic Messages API (POST /v1/messages, SSE streaming), for
// running the real Claude Code CLI headless in tests. It is not a model: it plays a fixed script of
// turns (call these tools / answer this text), chosen by how many assistant messages the request
// already holds, so a retried request gets the same turn again. Loopback only.
import { createServer, type ServerResponse } from 'node:http';
import { listenOnLoopback, readJson, sendJson } from '../helpers/loopback.js';

/** One tool call the fake model asks for. `id` defaults to `toolu_fake_<turn>_<index>`. */
export interface ScriptedToolCall {
  readonly name: string;
  readonly input: unknown;
  readonly id?: string;
}

/** A turn of the script: call these tools (several = parallel calls in one response), or answer with text. */
export type ScriptedTurn = { readonly tools: readonly ScriptedToolCall[] } | { readonly text: string };

/** A request the fake model saw (body parsed when JSON). */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export interface FakeAnthropicModel {
  /** `http://127.0.0.1:<port>`: what ANTHROPIC_BASE_URL is set to. */
  readonly url: string;
  readonly requests: SeenRequest[];
  /** `METHOD path` of requests it has no answer for (answered 404): look here when a CLI changes. */
  readonly unknown: string[];
  close(): Promise<void>;
}

interface MessagesBody {
  readonly model?: string;
  readonly stream?: boolean;
  readonly tools?: readonly unknown[];
  readonly messages?: readonly { readonly role?: string }[];
}

/**
 * Starts the fake model. Requests that offer tools (the agent's main loop) play `script[k]` where
 * k is the number of assistant messages in the conversation so far; past the script's end, and
 * for requests without tools (side queries: titles, summaries), it answers a short text.
 */
export async function startFakeAnthropicModel(script: readonly ScriptedTurn[]): Promise<FakeAnthropicModel> {
  const requests: SeenRequest[] = [];
  const unknown: string[] = [];
  const server = createServer((request, response) => {
    void readJson(request).then((body) => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      requests.push({ method: request.method ?? '', path, body });
      if (request.method === 'POST' && path === '/v1/messages') return answerMessages(body as MessagesBody, script, response);
      if (request.method === 'POST' && path === '/v1/messages/count_tokens') return sendJson(response, 200, { input_tokens: 100 });
      if (request.method === 'GET' && path === '/v1/models') {
        return sendJson(response, 200, { data: [{ type: 'model', id: 'claude-fake', display_name: 'Fake model', created_at: '2025-01-01T00:00:00Z' }], has_more: false, first_id: 'claude-fake', last_id: 'claude-fake' });
      }
      if (request.method === 'HEAD' || (request.method === 'GET' && path === '/')) return sendJson(response, 200, {});
      unknown.push(`${request.method ?? ''} ${request.url ?? ''}`);
      return sendJson(response, 404, { type: 'error', error: { type: 'not_found_error', message: 'fake model: no such endpoint' } });
    });
  });
  const listening = await listenOnLoopback(server);
  return {
    url: `${listening.origin}`,
    requests,
    unknown,
    close: () => listening.close(),
  };
}

type ContentBlock = { type: 'text'; text: string } | { type: 'tool_use'; id: string; name: string; input: unknown };

function answerMessages(body: MessagesBody, script: readonly ScriptedTurn[], response: ServerResponse): void {
  const offersTools = (body.tools?.length ?? 0) > 0;
  const turnIndex = (body.messages ?? []).filter((m) => m.role === 'assistant').length;
  const turn: ScriptedTurn = offersTools ? (script[turnIndex] ?? { text: 'Done.' }) : { text: 'Fake title' };
  const content: ContentBlock[] =
    'tools' in turn
      ? turn.tools.map((tool, i) => ({ type: 'tool_use', id: tool.id ?? `toolu_fake_${turnIndex}_${i}`, name: tool.name, input: tool.input }))
      : [{ type: 'text', text: turn.text }];
  const message = {
    id: `msg_fake_${turnIndex}`,
    type: 'message',
    role: 'assistant',
    model: body.model ?? 'claude-fake',
    content,
    stop_reason: 'tools' in turn ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 100, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
  if (body.stream !== true) return sendJson(response, 200, message);
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const event = (type: string, data: object): void => void response.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event('message_start', { message: { ...message, content: [], stop_reason: null, usage: { ...message.usage, output_tokens: 1 } } });
  content.forEach((block, index) => {
    if (block.type === 'text') {
      event('content_block_start', { index, content_block: { type: 'text', text: '' } });
      event('content_block_delta', { index, delta: { type: 'text_delta', text: block.text } });
    } else {
      event('content_block_start', { index, content_block: { ...block, input: {} } });
      event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
    }
    event('content_block_stop', { index });
  });
  event('message_delta', { delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: 10 } });
  event('message_stop', {});
  response.end();
}



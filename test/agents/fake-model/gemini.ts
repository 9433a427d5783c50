// A FAKE model server speaking the Gemini API (`POST /v1beta/models/<model>:streamGenerateContent?alt=sse`,
// and the plain `:generateContent` and `:countTokens`), for running the real Gemini CLI headless in
// tests. It is not a model: it plays a fixed script of turns (call these tools / answer this text),
// chosen by how many model turns the conversation already holds, so a retried request gets the same
// turn again. Loopback only.
import { createServer, type ServerResponse } from 'node:http';
import { listenOnLoopback, readJson, sendJson } from '../helpers/loopback.js';

/** One function call the fake model asks for. `id` is sent as `functionCall.id` when set (Gemini CLI then names the call `<name>__<id>`). */
export interface ScriptedFunctionCall {
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly id?: string;
}

/** A turn of the script: call these functions (several = parallel calls in one response), or answer with text. */
export type ScriptedTurn = { readonly calls: readonly ScriptedFunctionCall[] } | { readonly text: string };

/** A request the fake model saw (body parsed when JSON). */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

export interface FakeGeminiModel {
  /** `http://127.0.0.1:<port>`: what GOOGLE_GEMINI_BASE_URL is set to. */
  readonly url: string;
  readonly requests: SeenRequest[];
  /** `METHOD url` of requests it has no answer for (answered 404): look here when the CLI changes. */
  readonly unknown: string[];
  close(): Promise<void>;
}

interface GenerateBody {
  readonly contents?: readonly { readonly role?: string }[];
  readonly tools?: readonly { readonly functionDeclarations?: readonly unknown[] }[];
}

const USAGE = { promptTokenCount: 100, candidatesTokenCount: 10, totalTokenCount: 110 };

/**
 * Starts the fake model. Requests that declare functions (the agent's main loop) play `script[k]`
 * where k is the number of model turns in `contents`; past the script's end, and for requests
 * without functions (side queries: routing, next-speaker checks, summaries), it answers a short text.
 */
export async function startFakeGeminiModel(script: readonly ScriptedTurn[]): Promise<FakeGeminiModel> {
  const requests: SeenRequest[] = [];
  const unknown: string[] = [];
  const server = createServer((request, response) => {
    void readJson(request).then((body) => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      requests.push({ method: request.method ?? '', path, body });
      const method = /^\/v1(?:beta|alpha)?\/models\/[^/:]+:(\w+)$/.exec(path)?.[1];
      if (request.method === 'POST' && (method === 'streamGenerateContent' || method === 'generateContent')) {
        return answerGenerate(turnFor(body as GenerateBody, script), method === 'streamGenerateContent', response);
      }
      if (request.method === 'POST' && method === 'countTokens') return sendJson(response, 200, { totalTokens: 100 });
      if (request.method === 'GET' && /^\/v1(?:beta|alpha)?\/models$/.test(path)) {
        return sendJson(response, 200, { models: [{ name: 'models/gemini-fake', displayName: 'Fake model', supportedGenerationMethods: ['generateContent', 'countTokens'] }] });
      }
      unknown.push(`${request.method ?? ''} ${request.url ?? ''}`);
      return sendJson(response, 404, { error: { code: 404, message: 'fake model: no such endpoint', status: 'NOT_FOUND' } });
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

function turnFor(body: GenerateBody, script: readonly ScriptedTurn[]): ScriptedTurn {
  const declaresFunctions = (body.tools ?? []).some((tool) => (tool.functionDeclarations?.length ?? 0) > 0);
  if (!declaresFunctions) return { text: 'Fake side answer.' };
  const modelTurns = (body.contents ?? []).filter((content) => content.role === 'model').length;
  return script[modelTurns] ?? { text: 'Done.' };
}

/** One candidate with the turn's parts: all function calls of a turn in one response, as Gemini sends parallel calls. */
function answerGenerate(turn: ScriptedTurn, stream: boolean, response: ServerResponse): void {
  const parts =
    'calls' in turn
      ? turn.calls.map((call) => ({ functionCall: { name: call.name, args: call.args, ...(call.id === undefined ? {} : { id: call.id }) } }))
      : [{ text: turn.text }];
  const chunk = { candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }], usageMetadata: USAGE, modelVersion: 'gemini-fake' };
  if (!stream) return sendJson(response, 200, chunk);
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  response.end(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
}



import type { Hooks, Plugin, PluginInput, PluginOptions } from '@opencode-ai/plugin';
import { createOpencodeClient, type Event, type ToolPart, type ToolState } from '@opencode-ai/sdk';

export type { Event };

/**
 * The plugin loaded as OpenCode's loader does: the module's exports are each called as a plugin
 * (older loaders), so a plugin module must export nothing but plugins.
 */
export async function loadPluginModule(mod: Record<string, unknown>, input: PluginInput, options?: PluginOptions): Promise<Hooks[]> {
  const seen = new Set<unknown>();
  const hooks: Hooks[] = [];
  for (const [name, fn] of Object.entries(mod)) {
    if (seen.has(fn)) continue;
    seen.add(fn);
    if (typeof fn !== 'function') throw new TypeError(`plugin module export ${name} is not a plugin function`);
    hooks.push(await (fn as Plugin)(input, options));
  }
  return hooks;
}

/** A `POST /log` body as the plugin sends it (OpenCode 1.x writes `extra` as the line's fields). */
export interface LogRequest {
  readonly service?: string;
  readonly level: string;
  readonly message: string;
  readonly extra?: Record<string, unknown>;
}

/**
 * A `PluginInput` with the real SDK client, whose requests are answered here (no OpenCode server
 * runs in tests) and recorded. `$` (Bun's shell) cannot exist under Node: a stand-in that throws.
 * The real host is exercised by test/agents/opencode.test.ts.
 */
export function pluginInput(directory: string): { input: PluginInput; logLines: string[]; logRequests: LogRequest[] } {
  const logLines: string[] = [];
  const logRequests: LogRequest[] = [];
  const client = createOpencodeClient({
    baseUrl: 'http://opencode.invalid',
    fetch: async (request: Request) => {
      if (new URL(request.url).pathname === '/log') {
        const body = JSON.parse(await request.text()) as LogRequest;
        logRequests.push(body);
        logLines.push(body.message);
      }
      return new Response('true', { headers: { 'content-type': 'application/json' } });
    },
  });
  const bunShellUnavailableInNode = new Proxy(() => {}, {
    get: () => {
      throw new Error('Bun shell is not available under Node');
    },
  }) as unknown as PluginInput['$'];
  const input: PluginInput = {
    client,
    project: { id: 'proj_test', worktree: directory, time: { created: Date.now() } },
    directory,
    worktree: directory,
    experimental_workspace: { register: () => {} },
    serverUrl: new URL('http://127.0.0.1:4096'),
    $: bunShellUnavailableInNode,
  };
  return { input, logLines, logRequests };
}

/** The `message.part.updated` event OpenCode publishes as a tool part changes state. */
export function toolPartEvent(sessionID: string, callID: string, tool: string, state: ToolState): Event {
  const part: ToolPart = { id: `prt_${callID}`, sessionID, messageID: `msg_${sessionID}`, type: 'tool', callID, tool, state };
  return { type: 'message.part.updated', properties: { part } };
}

/**
 * `toolperf/mcp`: tracks the tool calls of a Model Context Protocol client.
 *
 * @example
 * const client = trackMcpClient(perf, new Client({ name: 'agent', version: '1.0.0' }), { sessionId });
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { consoleLogger, describeError, type Logger } from '../util/logger.js';
import type { Performance } from '../performance.js';
import { assertValidSessionId } from '../util/session-id.js';
import type { ToolCall } from '../tracking/tool-call.js';

export interface TrackMcpClientOptions {
  /** The session of every call; default: the session set by `withSession`. */
  readonly sessionId?: string;
  /** Where a failure of the tracking itself is said, once. Default: stderr. */
  readonly logger?: Logger;
}

/** `error.type` of a tool result with `isError: true`, as the MCP semantic conventions name it. */
export const ERROR_TYPE_MCP_TOOL_ERROR = 'tool_error';

const ATTR_MCP_METHOD_NAME = 'mcp.method.name';
const tracked = new WeakSet<object>();

/** Stands for a tool result with `isError: true` on the span; its message is the result's text. */
export class McpToolResultError extends Error {
  override readonly name = 'McpToolResultError';
}

/**
 * Tracks `client.callTool` per tool name: a result with `isError: true` counts as a failure of type
 * `tool_error`, a thrown error (protocol, transport, timeout) as a failure of its own type. Returns
 * the same client; its results and errors pass through unchanged. Disabled, the client is untouched.
 */
export function trackMcpClient<C extends Pick<Client, 'callTool'>>(perf: Performance, client: C, options: TrackMcpClientOptions = {}): C {
  if (!perf.enabled || tracked.has(client)) return client;
  const callTool = client.callTool;
  const { sessionId, logger = consoleLogger } = options;
  if (sessionId !== undefined) assertValidSessionId(sessionId);
  const attributes = { [ATTR_MCP_METHOD_NAME]: 'tools/call' };
  let warned = false;
  // Telemetry never breaks the client: a call that cannot be tracked runs untracked.
  const start = (params: { name?: unknown; arguments?: unknown }): ToolCall | undefined => {
    try {
      return perf.startCall(params.name as string, { sessionId, toolType: 'extension', attributes, input: params.arguments });
    } catch (error) {
      if (!warned) logger.warn(`toolperf: an MCP tool call runs untracked: ${describeError(error)} (said once per client)`);
      warned = true;
      return undefined;
    }
  };
  const trackedCallTool = function (this: unknown, ...args: Parameters<Client['callTool']>): ReturnType<Client['callTool']> {
    const call = start(args[0]);
    let result: ReturnType<Client['callTool']>;
    try {
      result = Reflect.apply(callTool, this, args) as ReturnType<Client['callTool']>;
    } catch (error) {
      call?.fail(error);
      throw error;
    }
    if (call === undefined) return result;
    result.then(
      (value) => {
        if (value.isError === true) call.fail(new McpToolResultError(resultText(value)), { errorType: ERROR_TYPE_MCP_TOOL_ERROR });
        else call.succeed(value);
      },
      (error: unknown) => call.fail(error),
    );
    return result;
  };
  Object.defineProperty(client, 'callTool', { value: trackedCallTool, writable: true, configurable: true, enumerable: false });
  tracked.add(client);
  return client;
}

function resultText(result: object): string {
  const content = 'content' in result && Array.isArray(result.content) ? (result.content as { type?: unknown; text?: unknown }[]) : [];
  const text = content.filter((c) => c.type === 'text' && typeof c.text === 'string').map((c) => c.text as string).join('\n');
  return text.length > 0 ? text.slice(0, 512) : 'the tool returned isError: true';
}

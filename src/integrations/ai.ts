/**
 * `toolperf/ai`: tracks the tools of a Vercel AI SDK `ToolSet`.
 *
 * @example
 * const result = await generateText({ model, tools: wrapAiTools(perf, { weather }, { sessionId }), prompt });
 */
import type { ToolSet } from 'ai';
import type { Performance } from '../performance.js';

export interface WrapAiToolsOptions {
  /** The session of every call; default: the session set by `withSession`. */
  readonly sessionId?: string;
}

/**
 * A copy of `tools` whose `execute` functions are tracked, each under its key in the set; the call's
 * `toolCallId` goes on its span. Tools without `execute` (provider-executed, or answered by the
 * client) are kept as they are. Disabled, returns `tools` itself.
 */
export function wrapAiTools<T extends ToolSet>(perf: Performance, tools: T, options: WrapAiToolsOptions = {}): T {
  if (!perf.enabled) return tools;
  const wrapped: Record<string, unknown> = {};
  for (const [name, tool] of Object.entries(tools)) {
    wrapped[name] = typeof tool.execute === 'function' ? perf.wrapTool(tool as { execute: (...args: never[]) => unknown }, { name, sessionId: options.sessionId }) : tool;
  }
  return wrapped as T;
}

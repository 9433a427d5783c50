/**
 * `toolperf/ai`: tracks the tools of a Vercel AI SDK `ToolSet`.
 *
 * @example
 * const result = await generateText({ model, tools: wrapAiTools(perf, { weather }, { sessionId }), prompt });
 */
import type { ToolSet } from 'ai';
import type { Performance } from '../performance.js';
import { assertValidSessionId } from '../util/session-id.js';

export interface WrapAiToolsOptions {
  /** The session of every call; default: the session set by `withSession`. */
  readonly sessionId?: string;
}

type Execute = (this: unknown, ...args: unknown[]) => unknown;

/**
 * A copy of `tools` whose `execute` functions are tracked, each under its key in the set; the call's
 * `toolCallId` goes on its span. A streaming tool (`execute` is an `async function*`) is timed until
 * its last value, and fails if its iteration throws. Tools without `execute` (provider-executed, or
 * answered by the client) are kept as they are. Disabled, returns `tools` itself.
 */
export function wrapAiTools<T extends ToolSet>(perf: Performance, tools: T, options: WrapAiToolsOptions = {}): T {
  if (!perf.enabled) return tools;
  if (options.sessionId !== undefined) assertValidSessionId(options.sessionId);
  const wrapped: Record<string, unknown> = {};
  for (const [name, tool] of Object.entries(tools)) {
    const execute = tool.execute as Execute | undefined;
    if (typeof execute !== 'function') wrapped[name] = tool;
    else if (isAsyncGeneratorFunction(execute)) wrapped[name] = trackedStreamingTool(perf, name, tool, execute, options.sessionId);
    else wrapped[name] = perf.wrapTool(tool as { execute: (...args: never[]) => unknown }, { name, sessionId: options.sessionId });
  }
  return wrapped as T;
}

/**
 * A copy of `tool` (same prototype and properties) whose `execute` is timed over the whole stream:
 * the AI SDK iterates a streaming tool to its end (the last value is the result). Called on the
 * copy, the original `execute` sees the original tool as `this`.
 */
function trackedStreamingTool(perf: Performance, name: string, tool: object, execute: Execute, sessionId: string | undefined): object {
  const copy = Object.create(Object.getPrototypeOf(tool) as object, Object.getOwnPropertyDescriptors(tool)) as object;
  const trackedStream = async function* (this: unknown, input: unknown, callOptions?: { toolCallId?: string }) {
    const call = perf.startCall(name, { sessionId, callId: callOptions?.toolCallId, input });
    try {
      const result: unknown = yield* Reflect.apply(execute, this === copy ? tool : this, [input, callOptions]) as AsyncGenerator<unknown, unknown, unknown>;
      call.succeed();
      return result;
    } catch (error) {
      call.fail(error);
      throw error;
    } finally {
      // The consumer stopped early (`return()`): the tool did not fail, it was not asked for more.
      call.succeed();
    }
  };
  Object.defineProperty(copy, 'execute', { value: trackedStream, writable: true, configurable: true, enumerable: true });
  return copy;
}

function isAsyncGeneratorFunction(fn: Execute): boolean {
  return Object.prototype.toString.call(fn) === '[object AsyncGeneratorFunction]';
}

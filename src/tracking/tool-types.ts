import type { Attributes } from '@opentelemetry/api';

/** A tool as a plain function. */
export type ToolFunction = (...args: never[]) => unknown;

/** A tool as an object with `execute`: the shape the AI SDK, MCP and OpenCode use. */
export interface ExecutableTool {
  execute: (...args: never[]) => unknown;
}

export type Tool = ToolFunction | ExecutableTool;

/** The arguments a tool is called with. */
export type ToolArgs<T> = T extends (...args: infer A) => unknown
  ? A
  : T extends { execute: (...args: infer A) => unknown }
    ? A
    : unknown[];

export interface WrapToolOptions<A extends readonly unknown[] = unknown[]> {
  /** The tool's name in spans and reports. Default: the key in `wrapTools`, else the tool's `name`, `id` or function name. */
  readonly name?: string;
  /**
   * The session of each call: a fixed ID, or read from the call's arguments (OpenCode:
   * `(_args, ctx) => ctx.sessionID`). Default: the session set by `withSession`.
   */
  readonly sessionId?: string | ((...args: A) => string | undefined);
  /** The tool call's ID. Default: `toolCallId` (AI SDK) or `callID` (OpenCode) of the second argument. */
  readonly callId?: (...args: A) => string | undefined;
  /** Default `tool-execution`; any other type (`llm-call`, `file-io`) is reported apart and gets no histogram. */
  readonly operationType?: string;
  /** `gen_ai.tool.type`: `function` (default), `extension` or `datastore`. */
  readonly toolType?: string;
  /** Extra span attributes, the same on every call. */
  readonly attributes?: Attributes;
}

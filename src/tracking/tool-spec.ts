import type { Attributes } from '@opentelemetry/api';
import * as semconv from '../telemetry/semconv.js';
import { currentSessionId } from './session-context.js';
import { cutText, MAX_NAME_LENGTH } from '../util/input-limits.js';
import { assertValidSessionId } from '../util/session-id.js';
import type { Tool, WrapToolOptions } from './tool-types.js';

/** Everything about a tracked tool that does not change between calls, computed once at wrap time. */
export interface ToolSpec {
  readonly name: string;
  readonly spanName: string;
  readonly operationType: string;
  readonly isToolCall: boolean;
  readonly toolType: string;
  readonly sessionOf: (args: IArguments) => string | undefined;
  readonly callIdOf: (args: IArguments) => string | undefined;
  readonly extraAttributes: Attributes | undefined;
  /** For a successful call without a session label: the same object every time. */
  readonly metricAttributes: Attributes;
}

type AnyFunction = (...args: unknown[]) => unknown;

/** The spec of a tool to wrap, named by `options.name`, else by the tool's `name`, `id` or function name. */
export function specOfTool(tool: Tool, options: WrapToolOptions): ToolSpec {
  return specFor(options.name ?? nameOf(tool), options);
}

/**
 * The spec of a tool named `name`; throws on an empty name or an invalid fixed session ID. The name,
 * operation type and tool type are cut to `MAX_NAME_LENGTH`: they are labels on every span and metric.
 */
export function specFor(rawName: string | undefined, options: WrapToolOptions): ToolSpec {
  if (rawName === undefined || rawName === '') {
    throw new TypeError('wrapTool: the tool has no name; pass { name } (wrapTools uses the object keys)');
  }
  const name = cutText(rawName, MAX_NAME_LENGTH);
  const operationType = cutText(options.operationType ?? semconv.OPERATION_TOOL_EXECUTION, MAX_NAME_LENGTH);
  const isToolCall = operationType === semconv.OPERATION_TOOL_EXECUTION;
  return {
    name,
    spanName: isToolCall ? `${semconv.GEN_AI_OPERATION_EXECUTE_TOOL} ${name}` : `${operationType} ${name}`,
    operationType,
    isToolCall,
    toolType: cutText(options.toolType ?? 'function', MAX_NAME_LENGTH),
    sessionOf: sessionResolver(options.sessionId),
    callIdOf: options.callId ? (args) => Reflect.apply(options.callId as AnyFunction, undefined, args) as string | undefined : defaultCallId,
    extraAttributes: options.attributes && Object.keys(options.attributes).length > 0 ? { ...options.attributes } : undefined,
    metricAttributes: Object.freeze({
      [semconv.ATTR_GEN_AI_OPERATION_NAME]: semconv.GEN_AI_OPERATION_EXECUTE_TOOL,
      [semconv.ATTR_GEN_AI_TOOL_NAME]: name,
      [semconv.ATTR_TOOLPERF_STATUS]: semconv.STATUS_OK,
    }),
  };
}

function sessionResolver(option: WrapToolOptions['sessionId']): ToolSpec['sessionOf'] {
  if (typeof option === 'string') {
    assertValidSessionId(option);
    return () => option;
  }
  if (typeof option === 'function') {
    return (args) => (Reflect.apply(option as AnyFunction, undefined, args) as string | undefined) ?? currentSessionId();
  }
  return currentSessionId;
}

/** AI SDK passes `{ toolCallId }` and OpenCode `{ callID }` as the second argument of `execute`. */
function defaultCallId(args: IArguments): string | undefined {
  const options: unknown = args[1];
  if (typeof options !== 'object' || options === null) return undefined;
  const { toolCallId, callID } = options as { toolCallId?: unknown; callID?: unknown };
  if (typeof toolCallId === 'string') return toolCallId;
  return typeof callID === 'string' ? callID : undefined;
}

function nameOf(tool: Tool): string | undefined {
  if (typeof tool === 'function') return tool.name || undefined;
  const { name, id } = tool as { name?: unknown; id?: unknown };
  if (typeof name === 'string') return name;
  return typeof id === 'string' ? id : undefined;
}

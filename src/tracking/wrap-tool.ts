import { context, trace, type Span } from '@opentelemetry/api';
import { createCallRecorder, type CallRecorder } from './call-recorder.js';
import { specOfTool } from './tool-spec.js';
import type { Tool, ToolArgs, WrapToolOptions } from './tool-types.js';
import type { TrackingRuntime } from './tracking-runtime.js';

type AnyFunction = (...args: unknown[]) => unknown;

/** Every wrapper made, so that wrapping twice returns the first wrapper instead of timing each call twice. */
const wrappers = new WeakSet<object>();

/** Wraps one tool; see `Performance.wrapTool`. */
export function instrumentTool<T extends Tool>(tool: T, options: WrapToolOptions<ToolArgs<T>>, runtime: TrackingRuntime): T {
  if (wrappers.has(tool)) return tool;
  const recorder = createCallRecorder(specOfTool(tool, options as WrapToolOptions), runtime);
  if (typeof tool === 'function') {
    const wrapped = track(tool as AnyFunction, recorder, undefined);
    Object.defineProperty(wrapped, 'name', { value: tool.name, configurable: true });
    Object.defineProperty(wrapped, 'length', { value: tool.length, configurable: true });
    wrappers.add(wrapped);
    return wrapped as unknown as T;
  }
  // A copy with the same prototype and own properties (descriptors included), so `instanceof`,
  // spreading and schema fields keep working; only `execute` differs.
  const wrapper = Object.create(Object.getPrototypeOf(tool) as object, Object.getOwnPropertyDescriptors(tool)) as T;
  const own = Object.getOwnPropertyDescriptor(tool, 'execute');
  Object.defineProperty(wrapper, 'execute', {
    value: track(tool.execute as AnyFunction, recorder, { wrapper, target: tool }),
    writable: true,
    configurable: true,
    enumerable: own?.enumerable ?? false,
  });
  wrappers.add(wrapper);
  return wrapper;
}

/** Called as `wrapper.execute(...)`, the original `execute` sees the original tool as `this`. */
interface SelfBinding {
  readonly wrapper: object;
  readonly target: object;
}

function track(original: AnyFunction, recorder: CallRecorder, self: SelfBinding | undefined): AnyFunction {
  const { spec } = recorder;
  return function tracked(this: unknown): unknown {
    // eslint-disable-next-line prefer-rest-params -- `arguments` passes the call through without copying it
    const args = arguments;
    const receiver = self !== undefined && this === self.wrapper ? self.target : this;
    let span: Span | undefined;
    let start = 0;
    let sessionId: string | undefined;
    try {
      // The host's resolvers run in here: one that throws leaves the call untracked, as a failing tracer does.
      sessionId = spec.sessionOf(args);
      start = performance.now();
      span = recorder.start(start, sessionId, spec.callIdOf(args), args.length > 0, args[0]);
    } catch (error) {
      recorder.startFailed(error);
    }
    if (span === undefined) return Reflect.apply(original, receiver, args);
    let result: unknown;
    try {
      result = context.with(trace.setSpan(context.active(), span), Reflect.apply, undefined, original, receiver, args);
    } catch (error) {
      recorder.end(span, start, performance.now(), sessionId, error, true, undefined);
      throw error;
    }
    if (result instanceof Promise) {
      // The caller gets the tool's own promise; we only watch it settle.
      result.then(
        (value: unknown) => recorder.end(span, start, performance.now(), sessionId, value, false, undefined),
        (error: unknown) => recorder.end(span, start, performance.now(), sessionId, error, true, undefined),
      );
      return result;
    }
    if (isThenable(result)) return settleThenable(result, recorder, span, start, sessionId);
    recorder.end(span, start, performance.now(), sessionId, result, false, undefined);
    return result;
  };
}

/**
 * A thenable that is not a native promise may run again on each `then` (query builders do), so it is
 * subscribed to once and mirrored by a native promise.
 */
function settleThenable(
  result: PromiseLike<unknown>,
  recorder: CallRecorder,
  span: Span,
  start: number,
  sessionId: string | undefined,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    result.then(
      (value) => {
        recorder.end(span, start, performance.now(), sessionId, value, false, undefined);
        resolve(value);
      },
      (error: unknown) => {
        recorder.end(span, start, performance.now(), sessionId, error, true, undefined);
        reject(error as Error);
      },
    );
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** Throws unless `tool` is a function or an object with `execute`. */
export function assertTool(tool: unknown, what: string): asserts tool is Tool {
  const ok =
    typeof tool === 'function' ||
    (typeof tool === 'object' && tool !== null && typeof (tool as { execute?: unknown }).execute === 'function');
  if (!ok) throw new TypeError(`${what}: expected a function or an object with an execute method, got ${tool === null ? 'null' : typeof tool}`);
}

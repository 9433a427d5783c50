import { context, createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { contextAsyncHooks } from './sdk.js';

const PROBE = createContextKey('toolperf.context-probe');

/**
 * Spans of work inside a tool become its children only if the OpenTelemetry context follows
 * async calls. If the host registered a context manager, that one is used; if not, an
 * AsyncLocalStorage one is registered, as an OpenTelemetry SDK's `register()` would.
 */
export function ensureContextManager(): void {
  const propagates = context.with(ROOT_CONTEXT.setValue(PROBE, true), () => context.active().getValue(PROBE) === true);
  if (!propagates) context.setGlobalContextManager(new (contextAsyncHooks().AsyncLocalStorageContextManager)().enable());
}

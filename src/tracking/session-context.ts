import { AsyncLocalStorage } from 'node:async_hooks';
import { assertValidSessionId } from '../util/session-id.js';

/** Our own store rather than the OpenTelemetry context: it works whatever context manager the host has. */
const sessionStorage = new AsyncLocalStorage<string>();

/**
 * Runs `fn` with `sessionId` as the session of every tracked call inside it, across `await`s,
 * unless a tool was wrapped with its own `sessionId` option.
 *
 * @example
 * await withSession('ses_1', () => agent.run(prompt));
 */
export function withSession<R>(sessionId: string, fn: () => R): R {
  assertValidSessionId(sessionId);
  return sessionStorage.run(sessionId, fn);
}

/** The session of the current async context, if any. */
export function currentSessionId(): string | undefined {
  return sessionStorage.getStore();
}

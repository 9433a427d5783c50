import { constants } from 'node:os';
import type { Hooks } from '@opencode-ai/plugin';
import type { Logger } from '../util/logger.js';
import { describeError } from '../util/logger.js';
import type { Performance } from '../performance.js';
import { ERROR_TYPE_OTHER } from '../telemetry/semconv.js';
import type { ToolCall } from '../tracking/tool-call.js';

type OpenCodeEvent = Parameters<NonNullable<Hooks['event']>>[0]['event'];
type BeforeInput = Parameters<NonNullable<Hooks['tool.execute.before']>>[0];
type AfterInput = Parameters<NonNullable<Hooks['tool.execute.after']>>[0];
type AfterOutput = Parameters<NonNullable<Hooks['tool.execute.after']>>[1];

/** `error.type` of a call still open when its session went idle or was deleted: it never finished. */
export const ERROR_TYPE_INCOMPLETE = 'incomplete';

/** Ended call IDs remembered per session, so a repeated part update is not counted twice. */
const MAX_ENDED_REMEMBERED = 4096;

interface OpenCall {
  readonly call: ToolCall;
  readonly sessionId: string;
  readonly callId: string;
}

function callKey(sessionId: string, callId: string): string {
  return `${sessionId}\u0000${callId}`;
}

/**
 * Turns OpenCode's hooks into tracked calls. `tool.execute.before` opens a call and
 * `tool.execute.after` ends it (after fires only on success); a tool part that reaches the `error`
 * state ends it as a failure; calls still open when the session goes idle or is deleted end as
 * failures of type `incomplete`, and the session's report is written.
 */
export class OpenCodeToolTracker {
  /** Open calls by session and call ID: call IDs are the provider's, unique only within a session. */
  private readonly open = new Map<string, OpenCall>();
  /** Per session, the call IDs already ended, oldest first. */
  private readonly ended = new Map<string, Set<string>>();
  /** Sessions with calls since their last end. */
  private readonly active = new Set<string>();
  private warned = false;

  constructor(
    private readonly perf: Performance,
    private readonly logger: Logger,
  ) {}

  before(input: BeforeInput, args: unknown): void {
    this.guard(() => {
      const key = callKey(input.sessionID, input.callID);
      if (this.open.has(key) || this.endedBefore(input.sessionID, input.callID)) return;
      const call = this.perf.startCall(input.tool, { sessionId: input.sessionID, callId: input.callID, input: args });
      this.open.set(key, { call, sessionId: input.sessionID, callId: input.callID });
      this.active.add(input.sessionID);
    });
  }

  after(input: AfterInput, output: AfterOutput | undefined): void {
    this.guard(() => {
      const open = this.take(input.sessionID, input.callID);
      open?.call.succeed(output?.output);
    });
  }

  /** Resolves once a session ended by this event has its report written. */
  async event(event: OpenCodeEvent): Promise<void> {
    let ending: string | undefined;
    this.guard(() => {
      switch (event.type) {
        case 'message.part.updated': {
          const { part } = event.properties;
          if (part.type === 'tool') this.toolPartUpdated(part);
          return;
        }
        case 'session.idle':
          ending = event.properties.sessionID;
          return;
        case 'session.status':
          if (event.properties.status.type === 'idle') ending = event.properties.sessionID;
          return;
        case 'session.deleted':
          ending = event.properties.info.id;
          return;
      }
    });
    if (ending !== undefined) await this.endSession(ending);
  }

  /** Ends every open call as incomplete and writes every session. */
  async dispose(): Promise<void> {
    const sessions = new Set(this.active);
    for (const open of this.open.values()) sessions.add(open.sessionId);
    await Promise.all([...sessions].map((id) => this.endSession(id)));
  }

  private toolPartUpdated(part: Extract<Extract<OpenCodeEvent, { type: 'message.part.updated' }>['properties']['part'], { type: 'tool' }>): void {
    const { state, callID, sessionID } = part;
    if (state.status === 'error') {
      const options = { errorType: openCodeErrorType(state.error), endTime: state.time.end };
      const open = this.take(sessionID, callID);
      if (open !== undefined) {
        open.call.fail(new OpenCodeToolError(state.error), options);
        return;
      }
      // Failed before `tool.execute.before` (bad arguments, a denied permission): a failed call all the same.
      if (this.endedBefore(sessionID, callID)) return;
      this.remember(sessionID, callID);
      this.active.add(sessionID);
      this.perf
        .startCall(part.tool, { sessionId: sessionID, callId: callID, startTime: state.time.start })
        .fail(new OpenCodeToolError(state.error), options);
    } else if (state.status === 'completed') {
      // Normally `tool.execute.after` ended it already; this covers a hook that did not run.
      this.take(sessionID, callID)?.call.succeed(undefined, { endTime: state.time.end });
    }
  }

  private async endSession(sessionId: string): Promise<void> {
    for (const open of [...this.open.values()]) {
      if (open.sessionId !== sessionId) continue;
      this.take(sessionId, open.callId)?.call.fail(new OpenCodeToolError('the session ended before the call did'), { errorType: ERROR_TYPE_INCOMPLETE });
    }
    this.ended.delete(sessionId);
    if (!this.active.delete(sessionId)) return;
    try {
      await this.perf.endSession(sessionId);
    } catch (error) {
      this.warnOnce(error);
    }
  }

  private take(sessionId: string, callId: string): OpenCall | undefined {
    const key = callKey(sessionId, callId);
    const open = this.open.get(key);
    if (open === undefined) return undefined;
    this.open.delete(key);
    this.remember(sessionId, callId);
    return open;
  }

  private remember(sessionId: string, callId: string): void {
    let ids = this.ended.get(sessionId);
    if (ids === undefined) this.ended.set(sessionId, (ids = new Set()));
    ids.add(callId);
    if (ids.size > MAX_ENDED_REMEMBERED) ids.delete(ids.values().next().value as string);
  }

  private endedBefore(sessionId: string, callId: string): boolean {
    return this.ended.get(sessionId)?.has(callId) ?? false;
  }

  /** Telemetry never breaks OpenCode: a failure here is logged once and the hook returns normally. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.warnOnce(error);
    }
  }

  private warnOnce(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.warn(`toolperf opencode plugin: ${describeError(error)} (further failures are not logged)`);
  }
}

/** OpenCode reports a failed tool as text (`String(error)`); this stands for it on the span. */
export class OpenCodeToolError extends Error {
  override readonly name = 'OpenCodeToolError';
}

/**
 * A low-cardinality `error.type` from OpenCode's error text: a system error code (`ENOENT`), else
 * the error class it names (`RejectedError: …`), else `AbortError` for an aborted call, else `_OTHER`.
 */
export function openCodeErrorType(text: string): string {
  for (const [, code] of text.matchAll(/\b(E[A-Z0-9]{2,})\b/g)) if (code !== undefined && code in constants.errno) return code;
  const name = /^((?:[A-Za-z_$][\w$]*)?(?:Error|Exception))\b/.exec(text)?.[1];
  if (name !== undefined && name.length <= 64) return name;
  if (/\babort(ed)?\b/i.test(text)) return 'AbortError';
  return ERROR_TYPE_OTHER;
}

import type { Hooks } from '@opencode-ai/plugin';
import type { Logger } from '../util/logger.js';
import { describeError } from '../util/logger.js';
import type { Performance } from '../performance.js';
import type { ToolCall } from '../tracking/tool-call.js';
import { ERROR_KINDS, errorKindOfText, type ErrorKind } from '../util/error-vocabulary.js';

type OpenCodeEvent = Parameters<NonNullable<Hooks['event']>>[0]['event'];
type BeforeInput = Parameters<NonNullable<Hooks['tool.execute.before']>>[0];
type AfterInput = Parameters<NonNullable<Hooks['tool.execute.after']>>[0];
type AfterOutput = Parameters<NonNullable<Hooks['tool.execute.after']>>[1];
type ToolPart = Extract<Extract<OpenCodeEvent, { type: 'message.part.updated' }>['properties']['part'], { type: 'tool' }>;

/** The tool OpenCode runs in place of a call it cannot run (an unknown tool name): its input names the tool the model asked for. */
const INVALID_TOOL = 'invalid';
/** Finished calls remembered (by session and call ID), so that a late or repeated part update of one is not a second call. */
const MAX_ENDED_KEYS = 4096;
const MAX_ENDED_PER_KEY = 8;

interface OpenCall {
  readonly call: ToolCall;
  readonly key: string;
  readonly sessionId: string;
  /** On OpenCode's clock (this process's `Date.now()`), to tell apart calls that reuse a call ID. */
  readonly startedAt: number;
  /** Set for OpenCode's `invalid` tool: the kind its input's error text says (`unknown_tool` unless it says otherwise). */
  readonly replaced: ErrorKind | undefined;
}

/** How a finished call ended: undefined for a success. */
interface Failure {
  readonly kind: ErrorKind;
  readonly message: string;
}

function callKey(sessionId: string, callId: string): string {
  return `${sessionId}\u0000${callId}`;
}

/**
 * Turns OpenCode's hooks into tracked calls. `tool.execute.before` opens a call and
 * `tool.execute.after` ends it (after fires only when the tool returned: a shell command that
 * exited non-zero, timed out or was aborted still fails, read from its metadata); a tool part that
 * reaches the `error` state ends it as a failure typed from OpenCode's error text; calls still open
 * when the session goes idle or is deleted, or when the process is interrupted, end as `aborted`.
 *
 * Call IDs are the provider's: some number them per response (`call_0` in every response), so one
 * session sees the same ID again and again. Calls are keyed by session and call ID, and among the
 * calls of one key a part update belongs to the oldest one open that started before the part ended.
 */
export class OpenCodeToolTracker {
  /** Open calls by session and call ID, oldest first. */
  private readonly open = new Map<string, OpenCall[]>();
  /** Time windows of ended calls by session and call ID, oldest key first (bounded). */
  private readonly ended = new Map<string, { start: number; end: number }[]>();
  /** Sessions with calls since their last end. */
  private readonly active = new Set<string>();
  private warned = false;

  constructor(
    private readonly perf: Performance,
    private readonly logger: Logger,
  ) {}

  before(input: BeforeInput, args: unknown): void {
    this.guard(() => {
      const replaced = input.tool === INVALID_TOOL ? replacementKind(args) : undefined;
      const name = (replaced !== undefined ? requestedTool(args) : undefined) ?? input.tool;
      const startedAt = Date.now();
      const call = this.perf.startCall(name, { sessionId: input.sessionID, callId: input.callID, input: args });
      const key = callKey(input.sessionID, input.callID);
      const calls = this.open.get(key);
      const open: OpenCall = { call, key, sessionId: input.sessionID, startedAt, replaced };
      if (calls === undefined) this.open.set(key, [open]);
      else calls.push(open);
      this.active.add(input.sessionID);
    });
  }

  after(input: AfterInput, output: AfterOutput | undefined): void {
    this.guard(() => {
      // The call that just returned: the newest of its key (an older one still open is waiting for its error update).
      const open = this.take(callKey(input.sessionID, input.callID), (calls) => calls.length - 1);
      if (open === undefined) return;
      this.end(open, open.replaced !== undefined ? replacedFailure(open.replaced) : failureOfOutput(output), output?.output);
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

  /**
   * Ends every open call as `aborted`, synchronously: OpenCode is going down (a signal, the process
   * exiting) and they will never end. Returns how many it ended.
   */
  abortOpenCalls(): number {
    let count = 0;
    this.guard(() => (count = this.abortWhere(() => true)));
    return count;
  }

  /** Ends every open call as aborted and writes every session. */
  async dispose(): Promise<void> {
    const sessions = new Set(this.active);
    for (const calls of this.open.values()) for (const open of calls) sessions.add(open.sessionId);
    await Promise.all([...sessions].map((id) => this.endSession(id)));
  }

  private toolPartUpdated(part: ToolPart): void {
    const { state, callID, sessionID } = part;
    if (state.status !== 'error' && state.status !== 'completed') return;
    const { start, end } = state.time;
    const key = callKey(sessionID, callID);
    // The oldest open call of this key that had started when the part ended: a newer one is a later call reusing the ID.
    const open = this.take(key, (calls) => calls.findIndex((c) => c.startedAt <= end));
    if (open !== undefined) {
      // Normally `tool.execute.after` ended a completed one already; this covers a hook that did not run.
      const failure = state.status === 'error' ? failureOfText(state.error) : failureOfOutput(state);
      this.end(open, open.replaced !== undefined && failure === undefined ? replacedFailure(open.replaced) : failure, undefined, end);
      return;
    }
    // No open call: counted already (an update repeated, or one that came after the call was ended), or one
    // that failed before `tool.execute.before` (aborted before it ran): a failed call all the same.
    if (state.status !== 'error' || this.endedDuring(key, start, end)) return;
    this.remember(key, start, end);
    this.active.add(sessionID);
    const failure = failureOfText(state.error);
    this.perf.startCall(part.tool, { sessionId: sessionID, callId: callID, startTime: start }).fail(new OpenCodeToolError(failure.message), { errorType: failure.kind, endTime: end });
  }

  private end(open: OpenCall, failure: Failure | undefined, result?: unknown, endTime?: number): void {
    const options = endTime === undefined ? {} : { endTime };
    if (failure === undefined) open.call.succeed(result, options);
    else open.call.fail(new OpenCodeToolError(failure.message), { ...options, errorType: failure.kind });
    this.remember(open.key, open.startedAt, endTime ?? Date.now());
  }

  private async endSession(sessionId: string): Promise<void> {
    // The turn ended (aborted, or OpenCode stopped waiting) before these calls did.
    this.guard(() => this.abortWhere((open) => open.sessionId === sessionId));
    if (!this.active.delete(sessionId)) return;
    try {
      await this.perf.endSession(sessionId);
    } catch (error) {
      this.warnOnce(error);
    }
  }

  /** Ends the open calls `which` picks as aborted; returns how many. */
  private abortWhere(which: (open: OpenCall) => boolean): number {
    let count = 0;
    for (const calls of [...this.open.values()]) {
      for (const open of calls.filter(which)) {
        this.take(open.key, (all) => all.indexOf(open));
        this.end(open, ABORTED);
        count++;
      }
    }
    return count;
  }

  /** Removes and returns the open call of `key` at the index `pick` chooses (-1: none). */
  private take(key: string, pick: (calls: OpenCall[]) => number): OpenCall | undefined {
    const calls = this.open.get(key);
    if (calls === undefined) return undefined;
    const index = pick(calls);
    if (index < 0) return undefined;
    const [open] = calls.splice(index, 1);
    if (calls.length === 0) this.open.delete(key);
    return open;
  }

  private remember(key: string, start: number, end: number): void {
    let windows = this.ended.get(key);
    if (windows === undefined) {
      this.ended.set(key, (windows = []));
      if (this.ended.size > MAX_ENDED_KEYS) this.ended.delete(this.ended.keys().next().value as string);
    }
    windows.push({ start, end });
    if (windows.length > MAX_ENDED_PER_KEY) windows.shift();
  }

  /** Whether a call of `key` already ended overlaps [start, end]: the same call (calls that reuse an ID run one after another). */
  private endedDuring(key: string, start: number, end: number): boolean {
    return this.ended.get(key)?.some((w) => w.start <= end && w.end >= start) ?? false;
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

function replacedFailure(kind: ErrorKind): Failure {
  return { kind, message: 'OpenCode could not run the tool the model asked for' };
}

const ABORTED: Failure = { kind: ERROR_KINDS.aborted, message: 'the call was still running when its turn ended' };

/** OpenCode reports a failed tool as text; this stands for it on the span. */
export class OpenCodeToolError extends Error {
  override readonly name = 'OpenCodeToolError';
}

/**
 * The failure OpenCode's error text says, in the normalized vocabulary: "File not found: …" →
 * `file_not_found`, "The user rejected permission…" → `permission_denied`, "Tool execution aborted"
 * → `aborted`, …; a text that says none of them → `tool_error`.
 */
export function failureOfText(text: string): Failure {
  return { kind: errorKindOfText(text) ?? ERROR_KINDS.toolError, message: text };
}

/**
 * Whether a tool that returned failed all the same. Its metadata says for a shell command: `exit`
 * is its exit code (a failure when not 0), or null when OpenCode killed it, on a timeout or an
 * abort, which its output then says. Only these fields are read; nothing is kept.
 */
export function failureOfOutput(output: { readonly output?: unknown; readonly metadata?: unknown } | undefined): Failure | undefined {
  const metadata = output?.metadata;
  if (typeof metadata !== 'object' || metadata === null || !('exit' in metadata)) return undefined;
  const exit = (metadata as { exit?: unknown }).exit;
  if (typeof exit === 'number') return exit === 0 ? undefined : { kind: ERROR_KINDS.nonzeroExit, message: `exit code ${exit}` };
  if (exit !== null) return undefined;
  const text = typeof output?.output === 'string' ? output.output : '';
  if (/exceeding timeout/i.test(text)) return { kind: ERROR_KINDS.timeout, message: 'the command timed out' };
  if (/user aborted/i.test(text)) return { kind: ERROR_KINDS.aborted, message: 'the command was aborted' };
  return { kind: ERROR_KINDS.toolError, message: 'the command was killed' };
}

/** The tool name the model asked for, from the `invalid` tool's input (`{ tool, error }`). */
function requestedTool(args: unknown): string | undefined {
  const tool = typeof args === 'object' && args !== null ? (args as { tool?: unknown }).tool : undefined;
  return typeof tool === 'string' && tool !== '' ? tool : undefined;
}

/** What OpenCode's `invalid` tool stands for: an unknown tool, unless its error text says otherwise (arguments it could not repair). */
function replacementKind(args: unknown): ErrorKind {
  const error = typeof args === 'object' && args !== null ? (args as { error?: unknown }).error : undefined;
  const kind = typeof error === 'string' ? errorKindOfText(error) : undefined;
  return kind === ERROR_KINDS.invalidArguments ? kind : ERROR_KINDS.unknownTool;
}

/** Where toolperf reports its own trouble (storage, exporter). Never a tool's errors. */
export interface Logger {
  warn(message: string): void;
}

export const consoleLogger: Logger = {
  warn: (message) => console.warn(`[toolperf] ${message}`),
};

interface Streak {
  cause: string;
  failures: number;
}

interface KeyState {
  /** The subjects failing now (a session, or `''` for a key without subjects), with their streaks. */
  readonly subjects: Map<string, Streak>;
  /** How many of them fail for each cause. */
  readonly causes: Map<string, number>;
}

/**
 * Failing subjects remembered per key. A subject that never recovers (a session cleared while
 * unreadable) would otherwise stay for the life of the process; past this the oldest is forgotten,
 * and at worst logged once more.
 */
const MAX_SUBJECTS_PER_KEY = 10_000;

/**
 * Logs the first failure of a streak and stays quiet until it ends, so a failing disk or collector
 * writes one line, not one per call. A streak is kept per key and subject (a session), so that a
 * healthy session's success does not end an unreadable one's streak (one unreadable session beside
 * healthy ones logged 173 lines in 10 s when successes ended it); and a subject's first failure is
 * not logged when other subjects of the key are failing for the same cause (error code or class):
 * 4,000 sessions on a read-only disk make one line. A new cause gets its own line.
 */
export class FailureLog {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly logger: Logger) {}

  fail(key: string, message: string, error?: unknown, subject = ''): void {
    let state = this.keys.get(key);
    if (state === undefined) this.keys.set(key, (state = { subjects: new Map(), causes: new Map() }));
    const cause = causeOf(error);
    const streak = state.subjects.get(subject);
    if (streak !== undefined) {
      // The subject's streak goes on, whatever this failure's cause.
      streak.failures++;
      this.count(state, streak.cause, -1);
      this.count(state, (streak.cause = cause), +1);
      return;
    }
    state.subjects.set(subject, { cause, failures: 1 });
    if (state.subjects.size > MAX_SUBJECTS_PER_KEY) this.forgetOldest(key, state);
    const known = this.count(state, cause, +1) > 1;
    if (!known) this.logger.warn(error === undefined ? message : `${message}: ${describeError(error)}`);
  }

  /** Ends the streak of `subject` under `key` (of the key itself when there is no subject). */
  recover(key: string, subject = ''): void {
    const state = this.keys.get(key);
    const streak = state?.subjects.get(subject);
    if (state === undefined || streak === undefined) return;
    state.subjects.delete(subject);
    this.count(state, streak.cause, -1);
    if (state.subjects.size === 0) this.keys.delete(key);
  }

  /** Failures under `key` since its subjects' streaks began (0 when healthy). */
  failures(key: string): number {
    let failures = 0;
    for (const streak of this.keys.get(key)?.subjects.values() ?? []) failures += streak.failures;
    return failures;
  }

  private count(state: KeyState, cause: string, delta: number): number {
    const count = (state.causes.get(cause) ?? 0) + delta;
    if (count > 0) state.causes.set(cause, count);
    else state.causes.delete(cause);
    return count;
  }

  private forgetOldest(key: string, state: KeyState): void {
    const oldest = state.subjects.keys().next().value;
    if (oldest !== undefined) this.recover(key, oldest);
  }
}

/** What makes two failures the same: the error's code (`EACCES`), else its class. */
function causeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (typeof code === 'string' || typeof code === 'number') return String(code);
  if (error instanceof Error) return error.name;
  return error === undefined ? '' : typeof error;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * An error whose cause was logged already (once per streak, where it happened): whoever catches it
 * says nothing more, so that one fault stays one line.
 */
export class LoggedError extends Error {
  override readonly name = 'LoggedError';
}

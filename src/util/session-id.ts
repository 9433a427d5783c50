/** Letters, digits, `_`, `-` and `.`, starting with a letter, digit or `_`: safe as a file name everywhere. */
const SESSION_ID_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
export const MAX_SESSION_ID_LENGTH = 128;

/** Thrown when a session ID could not safely name a report (path traversal, length, characters). */
export class InvalidSessionIdError extends Error {
  override readonly name = 'InvalidSessionIdError';
  constructor(readonly sessionId: unknown) {
    super(
      `invalid session id ${describe(sessionId)}: expected 1-${MAX_SESSION_ID_LENGTH} characters ` +
        'of letters, digits, "_", "-" or ".", starting with a letter, digit or "_"',
    );
  }
}

export function isValidSessionId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= MAX_SESSION_ID_LENGTH &&
    SESSION_ID_PATTERN.test(value)
  );
}

export function assertValidSessionId(value: unknown): asserts value is string {
  if (!isValidSessionId(value)) throw new InvalidSessionIdError(value);
}

function describe(value: unknown): string {
  if (typeof value !== 'string') return `of type ${typeof value}`;
  const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
  return `${JSON.stringify(shown)} (length ${value.length})`;
}

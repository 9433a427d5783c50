/** A failure the user can act on: the CLI prints its message as one line on stderr and exits non-zero. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The same words wherever a command is given a session that has no report. */
export function unknownSessionError(sessionId: string, dataDir: string): CliError {
  return new CliError(`unknown session ${JSON.stringify(sessionId)}: no report in ${dataDir}`);
}

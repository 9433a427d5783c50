/**
 * Error types that compare across agents: each source maps its agent's own fields and texts onto
 * these (keeping the agent's class beside, as `errorClass`), so that "file_not_found in 12% of
 * read calls" means the same under Claude Code, Codex, Gemini CLI and OpenCode.
 */
export const ERROR_KINDS = {
  /** A path that does not exist (the model guessed it). */
  fileNotFound: 'file_not_found',
  /** The user, a sandbox or the file system refused. */
  permissionDenied: 'permission_denied',
  /** Arguments the tool could not take (schema, missing or malformed fields, an edit whose text is not there). */
  invalidArguments: 'invalid_arguments',
  /** A tool the agent does not have. */
  unknownTool: 'unknown_tool',
  /** The call ran out of time. */
  timeout: 'timeout',
  /** Cancelled: by the user, an interrupt, or the turn ending. */
  aborted: 'aborted',
  /** A shell command that ran and exited non-zero (toolperf's policy: a failure, wherever the exit code is visible). */
  nonzeroExit: 'nonzero_exit',
  /** The tool failed for a reason of its own the agent does not classify. */
  toolError: 'tool_error',
  /** A failure nothing tells more of (OpenTelemetry's fallback `error.type`). */
  other: '_OTHER',
} as const;

export type ErrorKind = (typeof ERROR_KINDS)[keyof typeof ERROR_KINDS];

const KIND_VALUES: ReadonlySet<string> = new Set(Object.values(ERROR_KINDS));

export function isErrorKind(value: string): value is ErrorKind {
  return KIND_VALUES.has(value);
}

/** Texts that say the kind, in the words agents and Node use; first match wins. */
const TEXT_PATTERNS: readonly (readonly [RegExp, ErrorKind])[] = [
  [/\b(ENOENT|no such file|file not found|does not exist|not found: \/|path not found|cannot find (the )?(file|path))/i, ERROR_KINDS.fileNotFound],
  [/\b(unknown tool|tool not found|no such tool|invalid tool|unavailable tool|tool .* (is )?not (found|available|registered))/i, ERROR_KINDS.unknownTool],
  [/\b(EACCES|EPERM|EROFS|permission denied|permission to use|rejected permission|not permitted|denied|sandbox|rule which prevents you)/i, ERROR_KINDS.permissionDenied],
  [/\b(ETIMEDOUT|timed? ?out|timeout|deadline exceeded)/i, ERROR_KINDS.timeout],
  [/\b(abort(ed)?|cancel+ed|interrupted|AbortError)\b/i, ERROR_KINDS.aborted],
  [/\b(exit(ed)? (with )?code [1-9]\d*|exit status [1-9]\d*|non-?zero exit)/i, ERROR_KINDS.nonzeroExit],
  // EISDIR: a path that names a directory given to a tool that reads or writes files (Claude Code's `Error:EISDIR`).
  // oldString: OpenCode's edit tool ("Could not find oldString in the file").
  [/\b(invalid (argument|input|param)|validation|schema|required (property|parameter|field)|must (be|have)|expected .* (got|received)|ZodError|could not find .* to replace|old_?string|EISDIR)/i, ERROR_KINDS.invalidArguments],
];

/** The kind a message or class name says, or undefined when none of the known patterns match. */
export function errorKindOfText(text: string | undefined): ErrorKind | undefined {
  if (text === undefined || text === '') return undefined;
  for (const [pattern, kind] of TEXT_PATTERNS) if (pattern.test(text)) return kind;
  return undefined;
}

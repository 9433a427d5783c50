import { ERROR_KINDS, errorKindOfText, isErrorKind, type ErrorKind } from '../../util/error-vocabulary.js';

/** What a kind of failure usually means, and what to do about it: the second half of an `error-hotspot`'s advice. */
const ADVICE: Readonly<Record<ErrorKind, string>> = {
  [ERROR_KINDS.fileNotFound]: 'the model guesses paths: let it list or search before it reads, or put the project layout in its context',
  [ERROR_KINDS.permissionDenied]: 'the calls are refused: allow the tool what it needs in the agent\'s permission rules or sandbox, or tell the model what is off limits',
  [ERROR_KINDS.invalidArguments]: 'the model sends arguments the tool refuses: make the tool\'s description and schema say what it takes, with an example',
  [ERROR_KINDS.unknownTool]: 'the model calls a tool the agent does not have: give the tool under the name the model expects, or say which tools there are',
  [ERROR_KINDS.timeout]: 'the calls run out of time: raise the limit where the work is legitimately long, or make the tool return partial results sooner',
  [ERROR_KINDS.aborted]: 'the calls are cancelled (an interrupt, or the turn ending): check what stops them, or make the tool quicker to finish',
  [ERROR_KINDS.nonzeroExit]: 'the commands the model runs fail: give it the project\'s real commands (build, test, paths) in its context, or check the environment they run in',
  [ERROR_KINDS.toolError]: 'the tool fails on its own: its error messages in the recent calls say why',
  [ERROR_KINDS.other]: 'nothing says more of these failures: record their messages (recordErrorMessages) to see why',
};

/**
 * The error type as the vocabulary names it (`ENOENT` is `file_not_found`), and what it usually
 * means. A type the vocabulary does not know gets the general advice.
 */
export function adviceForErrorType(errorType: string): { kind: ErrorKind | undefined; advice: string } {
  const kind = isErrorKind(errorType) ? errorType : errorKindOfText(errorType);
  return { kind, advice: kind === undefined ? 'its error messages in the recent calls say why' : ADVICE[kind] };
}

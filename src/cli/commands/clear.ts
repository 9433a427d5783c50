import type { Command } from 'commander';
import { CliError, unknownSessionError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { withReports } from '../with-reports.js';
import { parseSessionId } from '../option-parsers.js';
import { addStoreOptions, type StoreOptions } from '../store-options.js';

interface ClearOptions extends StoreOptions {
  readonly all?: boolean;
}

export function addClearCommand(program: Command, io: CliIo): void {
  addStoreOptions(program.command('clear').summary('delete stored sessions').description('Delete one session\'s report, or every report with --all.'))
    .argument('[sessionId]', 'the session to delete', parseSessionId)
    .option('--all', 'delete every stored session')
    .addHelpText('after', '\nExamples:\n  toolperf clear ses_1\n  toolperf clear --all')
    .action(async (sessionId: string | undefined, options: ClearOptions) => {
      if (sessionId === undefined && !options.all) throw new CliError('clear: give a session id, or --all to delete every session');
      if (sessionId !== undefined && options.all) throw new CliError('clear: give a session id or --all, not both');
      await withReports(options, io, async ({ reports, location }) => {
        const removed = await reports.clear(sessionId === undefined ? undefined : { sessionId });
        // Like DELETE /api/v1/sessions/:id answering 404: a named session that is not there is a mistake worth a non-zero exit.
        if (sessionId !== undefined && removed === 0) throw unknownSessionError(sessionId, location);
        io.stdout(`Removed ${removed} ${removed === 1 ? 'session' : 'sessions'} from ${location}\n`);
      }, 'write');
    });
}

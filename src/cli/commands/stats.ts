import type { Command } from 'commander';
import { OPERATION_TOOL_EXECUTION } from '../../telemetry/semconv.js';
import { CliError, unknownSessionError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { formatOperation, formatTool } from '../format-report.js';
import { withReports } from '../with-reports.js';
import { parseSessionId } from '../option-parsers.js';
import { addStoreOptions, type StoreOptions } from '../store-options.js';
import { ownEntry } from '../../util/own-record.js';

interface StatsOptions extends StoreOptions {
  readonly operation: string;
  readonly tool?: string;
  readonly json?: boolean;
}

export function addStatsCommand(program: Command, io: CliIo): void {
  addStoreOptions(program.command('stats').summary('print the statistics of an operation type or a tool').description('Print the statistics of one operation type of a session, or of one tool in it.'))
    .argument('<sessionId>', 'the session', parseSessionId)
    .option('--operation <type>', 'the operation type', OPERATION_TOOL_EXECUTION)
    .option('--tool <name>', 'one tool\'s statistics instead of the whole operation type\'s')
    .option('--json', 'print the statistics as JSON, as GET /api/v1/sessions/:id/operations/:type does')
    .addHelpText('after', '\nExamples:\n  toolperf stats ses_1\n  toolperf stats ses_1 --tool read --json')
    .action((sessionId: string, options: StatsOptions) =>
      withReports(options, io, async ({ reports, location }) => {
        // The whole report rather than getOperationStats: an unknown operation or tool can then say what exists.
        const report = await reports.getReport({ sessionId });
        if (report === undefined) throw unknownSessionError(sessionId, location);
        const { operation: type, tool } = options;
        const operation = ownEntry(report.operations, type);
        if (operation === undefined) {
          throw new CliError(`session ${JSON.stringify(sessionId)} has no operation type ${JSON.stringify(type)}; it has: ${listed(Object.keys(report.operations))}`);
        }
        const stats = tool === undefined ? operation : ownEntry(operation.tools, tool);
        if (stats === undefined) {
          throw new CliError(`session ${JSON.stringify(sessionId)} has no tool ${JSON.stringify(tool)} in ${type}; it has: ${listed(Object.keys(operation.tools))}`);
        }
        if (options.json) io.stdout(`${JSON.stringify(stats, null, 2)}\n`);
        else io.stdout(`${(tool === undefined ? formatOperation(type, operation) : formatTool(type, tool, stats)).join('\n')}\n`);
      }),
    );
}

function listed(names: string[]): string {
  return names.length === 0 ? '(none)' : names.sort().join(', ');
}

import type { Command } from 'commander';
import { unknownSessionError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { formatReport } from '../format-report.js';
import { withReports } from '../with-reports.js';
import { parseSessionId } from '../option-parsers.js';
import { addStoreOptions, type StoreOptions } from '../store-options.js';

interface ReportOptions extends StoreOptions {
  readonly json?: boolean;
}

export function addReportCommand(program: Command, io: CliIo): void {
  addStoreOptions(program.command('report').summary('print a session\'s report').description('Print one session\'s report: statistics per operation type and per tool, what to change (recommendations), and its recent calls.'))
    .argument('<sessionId>', 'the session', parseSessionId)
    .option('--json', 'print the report document (with its status) as JSON, as GET /api/v1/sessions/:id/report does')
    .addHelpText('after', '\nExamples:\n  toolperf report ses_1\n  toolperf report ses_1 --json')
    .action((sessionId: string, options: ReportOptions) =>
      withReports(options, io, async ({ reports, location }) => {
        const report = await reports.getReport({ sessionId });
        if (report === undefined) throw unknownSessionError(sessionId, location);
        // With its status now, as the API's report is.
        const shown = { ...report, status: reports.statusOf(report) };
        io.stdout(options.json ? `${JSON.stringify(shown, null, 2)}\n` : formatReport(shown));
      }),
    );
}

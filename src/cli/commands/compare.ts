import type { Command } from 'commander';
import { unknownSessionError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { formatComparison } from '../format-comparison.js';
import { withReports } from '../with-reports.js';
import { parseSessionId } from '../option-parsers.js';
import { addStoreOptions, type StoreOptions } from '../store-options.js';

interface CompareOptions extends StoreOptions {
  readonly json?: boolean;
}

export function addCompareCommand(program: Command, io: CliIo): void {
  addStoreOptions(
    program
      .command('compare')
      .summary('compare two sessions per tool, flagging changes beyond noise')
      .description(
        'Compare session b with session a (the baseline), per operation type and per tool: calls, p50/p95/p99 and error rates on both sides, and whether the durations changed beyond noise (a rank test on the two sessions\' sketches, Holm-adjusted p < 0.01, and p50s at least 1.2× apart).',
      ),
  )
    .argument('<a>', 'the baseline session', parseSessionId)
    .argument('<b>', 'the session compared with it', parseSessionId)
    .option('--json', 'print the comparison as JSON, as GET /api/v1/compare?a=&b= does')
    .addHelpText('after', '\nExamples:\n  toolperf compare ses_yesterday ses_today\n  toolperf compare ses_yesterday ses_today --json')
    .action((a: string, b: string, options: CompareOptions) =>
      withReports(options, io, async ({ reports, location }) => {
        const comparison = await reports.compareSessions({ a, b });
        if (comparison === undefined) throw unknownSessionError((await reports.getReport({ sessionId: a })) === undefined ? a : b, location);
        io.stdout(options.json ? `${JSON.stringify(comparison, null, 2)}\n` : formatComparison(comparison));
      }),
    );
}

import { InvalidArgumentError, type Command } from 'commander';
import type { PruneResult } from '../../reports/retention.js';
import { DURATION_FORMAT, parseDuration } from '../../util/duration.js';
import type { CliIo } from '../cli-io.js';
import { withReports } from '../with-reports.js';
import { addStoreOptions, type StoreOptions } from '../store-options.js';

interface PruneOptions extends StoreOptions {
  readonly olderThan: number;
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

export function addPruneCommand(program: Command, io: CliIo): void {
  addStoreOptions(
    program
      .command('prune')
      .summary('delete the sessions not updated for a while')
      .description('Delete the stored sessions whose last call is older than --older-than (retention). A session another process writes meanwhile is kept.'),
  )
    .requiredOption('--older-than <duration>', `age of the last call past which a session goes: ${DURATION_FORMAT}`, parseOlderThan)
    .option('--dry-run', 'only list what would be deleted')
    .option('--json', 'print {"before": ..., "removed": [...]} as JSON, as DELETE /api/v1/sessions?olderThan= answers')
    .addHelpText('after', '\nExamples:\n  toolperf prune --older-than 30d\n  toolperf prune --older-than 12h --dry-run')
    .action((options: PruneOptions) =>
      withReports(
        options,
        io,
        async ({ reports, location }) => {
          const result = await reports.prune({ olderThanMs: options.olderThan, dryRun: options.dryRun ?? false });
          io.stdout(options.json ? `${JSON.stringify(result, null, 2)}\n` : described(result, location, options.dryRun ?? false));
        },
        'write',
      ),
    );
}

function parseOlderThan(raw: string): number {
  const ms = parseDuration(raw);
  if (ms === undefined) throw new InvalidArgumentError(`expected ${DURATION_FORMAT}.`);
  return ms;
}

function described({ before, removed }: PruneResult, dataDir: string, dryRun: boolean): string {
  const count = `${removed.length} ${removed.length === 1 ? 'session' : 'sessions'}`;
  const head = `${dryRun ? 'Would remove' : 'Removed'} ${count} last updated before ${before} from ${dataDir}`;
  return `${[removed.length === 0 ? head : `${head}:`, ...removed.map((s) => `  ${s.sessionId}  updated ${s.updatedAt}`)].join('\n')}\n`;
}

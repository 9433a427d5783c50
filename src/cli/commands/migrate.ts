import { InvalidArgumentError, type Command } from 'commander';
import type { CliIo } from '../cli-io.js';

interface MigrateOptions {
  readonly from: string;
  readonly to: string;
  readonly concurrency?: number;
  readonly json?: boolean;
}

const MAX_CONCURRENCY = 256;

export function addMigrateCommand(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .summary('copy every session report from one store to another (files, PostgreSQL)')
    .description(
      [
        'Copy every session report from one store to another: a data directory or a postgres:// URL on either side.',
        'Run again, it writes only what is missing or changed, so an interrupted migration finishes where it stopped.',
        'A session the target holds with other content is replaced by the source\'s, unless the target\'s was updated later (kept, and listed).',
        'Reports the source cannot read are set aside: listed with the reason, left where they are, and the exit code is 1.',
      ].join(' '),
    )
    .requiredOption('--from <dir|url>', 'the store to copy from: a data directory, or postgres://user:pass@host:port/db (only read)')
    .requiredOption('--to <url|dir>', 'the store to copy into: a postgres:// URL, or a data directory')
    .option('--concurrency <n>', `sessions copied at once, 1-${MAX_CONCURRENCY} (default: 16)`, parseConcurrency)
    .option('--json', 'print the account as JSON')
    .addHelpText('after', '\nExamples:\n  toolperf migrate --from ~/.local/share/toolperf --to postgres://toolperf:secret@db:5432/toolperf\n  toolperf migrate --from postgres://toolperf:secret@db:5432/toolperf --to ./local-copy')
    .action(async (options: MigrateOptions) => {
      const { runMigration } = await import('../migration-run.js');
      await runMigration(options, io);
    });
}

function parseConcurrency(raw: string): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > MAX_CONCURRENCY) throw new InvalidArgumentError(`expected an integer from 1 to ${MAX_CONCURRENCY}.`);
  return value;
}

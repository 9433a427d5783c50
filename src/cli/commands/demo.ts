import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { cliLogger, type CliIo } from '../cli-io.js';
import { formatReport } from '../format-report.js';
import { addStoreOptions, type StoreOptions } from '../store-options.js';

export function addDemoCommand(program: Command, io: CliIo): void {
  addStoreOptions(
    program
      .command('demo')
      .summary('run a scripted agent session and print its report')
      .description('Run a scripted agent session on real tools over a small project it writes to a temporary directory (two calls fail on purpose), store its report, print it, and say how to see it in the dashboard.'),
  )
    .addHelpText('after', '\nExample:\n  toolperf demo --data-dir ./.toolperf && toolperf sessions --data-dir ./.toolperf')
    .action(async (options: StoreOptions) => {
      const { loadCliConfig } = await import('../open-reports.js');
      // The demo's session and the dashboard hint it prints are about files: a store URL is not used.
      if (options.store !== undefined) throw new CliError('demo: writes its session to the files under --data-dir; --store is not used here');
      const { config, dataDir } = await loadCliConfig(options, io);
      // Loaded when the command runs: it brings the tracker, which no other command needs.
      const { runDemo, demoEpilogue } = await import('../../../demo/demo.js');
      const result = await runDemo({ ...config, store: undefined, dataDir, handleProcessExit: false, env: io.env, logger: cliLogger(io) });
      io.stdout(formatReport(result.report));
      const { host, port } = config.server;
      io.stdout(demoEpilogue(result, 'npx toolperf serve', `http://${host.includes(':') ? `[${host}]` : host}:${port}`));
    });
}

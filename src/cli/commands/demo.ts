import type { Command } from 'commander';
import type { demoRoot, runDemo } from '../../../demo/demo.js';
import { CliError } from '../cli-error.js';
import { cliLogger, type CliIo } from '../cli-io.js';
import { formatReport } from '../format-report.js';
import { addStoreOptions, type StoreOptions } from '../store-options.js';

export function addDemoCommand(program: Command, io: CliIo): void {
  addStoreOptions(program.command('demo').summary('run a scripted agent session and print its report').description('Run a scripted agent session on real tools (two calls fail on purpose), store its report and print it.'))
    .addHelpText('after', '\nExample:\n  toolperf demo --data-dir ./.toolperf && toolperf sessions --data-dir ./.toolperf')
    .action(async (options: StoreOptions) => {
      const { loadCliConfig } = await import('../open-reports.js');
      const { config, dataDir } = await loadCliConfig(options, io);
      const { runDemo } = await importDemo();
      const { report, reportPath } = await runDemo({ ...config, enabled: true, dataDir, handleProcessExit: false, env: io.env, logger: cliLogger(io) });
      io.stdout(formatReport(report));
      io.stdout(reportPath ? `\nReport written to ${reportPath}\n` : '\nReports are kept in memory (saveReports: false).\n');
    });
}

// Loaded on demand: the demo's tools read this repository's sources, so it runs in a checkout only
// (its module ships inside the bundled bin, but not the sources); every other command works without it.
async function importDemo(): Promise<{ runDemo: typeof runDemo }> {
  let demo: { runDemo: typeof runDemo; demoRoot: typeof demoRoot };
  try {
    demo = await import('../../../demo/demo.js');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw unavailable();
  }
  if (demo.demoRoot() === undefined) throw unavailable();
  return demo;
}

function unavailable(): CliError {
  return new CliError('demo: only available in a checkout of the toolperf repository (its tools read the repository\'s sources)');
}

import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/errors.js';
import { VERSION } from '../util/version.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './cli-io.js';
import { addAlertsCommand } from './commands/alerts.js';
import { addClearCommand } from './commands/clear.js';
import { addCompareCommand } from './commands/compare.js';
import { addDemoCommand } from './commands/demo.js';
import { addMigrateCommand } from './commands/migrate.js';
import { addPruneCommand } from './commands/prune.js';
import { addReportCommand } from './commands/report.js';
import { addServeCommand } from './commands/serve.js';
import { addSessionsCommand } from './commands/sessions.js';
import { addSetupCommand } from './commands/setup.js';
import { addStatsCommand } from './commands/stats.js';

/**
 * The `toolperf` program, writing to `io` and throwing instead of exiting (commander's
 * `exitOverride`), so that it can run in-process.
 */
export function createProgram(io: CliIo): Command {
  const program = new Command('toolperf')
    .description('Per-session performance reports of AI-agent tool calls, on OpenTelemetry.')
    .version(VERSION)
    // Inherited by every command made with program.command() below.
    .exitOverride()
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      // Commander puts "(Did you mean ...?)" on a second line; errors here are one line each.
      outputError: (text, write) => write(`${text.trimEnd().replace(/\s*\n\s*/g, ' ')}\n`),
    });
  addServeCommand(program, io);
  addSessionsCommand(program, io);
  addReportCommand(program, io);
  addStatsCommand(program, io);
  addCompareCommand(program, io);
  addAlertsCommand(program, io);
  addClearCommand(program, io);
  addPruneCommand(program, io);
  addMigrateCommand(program, io);
  addDemoCommand(program, io);
  addSetupCommand(program, io);
  return program;
}

/**
 * Runs `toolperf` with `argv` (without node and the script) and returns the exit code. Usage
 * errors are printed by commander; every other failure as one `error: ...` line on stderr.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), io);
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    io.stderr(`error: ${reason(error)}\n`);
    return error instanceof CliError ? error.exitCode : 1;
  }
}

function reason(error: unknown): string {
  // ConfigError lists one problem per line; the CLI's contract is one line.
  if (error instanceof ConfigError) {
    const [head, ...problems] = error.message.split('\n');
    return `${head} ${problems.map((p) => p.trim()).join('; ')}`;
  }
  // The message alone: a class name (`UnreadableReportError:`) tells a user nothing.
  const message = error instanceof Error ? error.message || error.name : String(error);
  return message.replace(/\s*\n\s*/g, ' ');
}

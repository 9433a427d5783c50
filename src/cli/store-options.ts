import type { Command } from 'commander';
import { parsePath } from './option-parsers.js';

/** The options every command takes. */
export interface StoreOptions {
  readonly dataDir?: string;
  readonly store?: string;
  readonly config?: string;
}

export function addStoreOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'where reports are stored (default: the config\'s dataDir, $TOOLPERF_DATA_DIR, else the platform\'s data directory)', parsePath)
    .option('--store <url>', 'a PostgreSQL database holding the reports instead of the files, postgres://user:password@host:5432/db (default: the config\'s store, $TOOLPERF_STORE, else the files under the data directory)')
    .option('--config <file>', 'a JSON config file with a "performance" block (default: $TOOLPERF_CONFIG, else ./toolperf.json if present)', parsePath);
}

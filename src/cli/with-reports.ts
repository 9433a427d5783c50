import type { CliIo } from './cli-io.js';
import type { OpenReports, ReportsMode } from './open-reports.js';
import type { StoreOptions } from './store-options.js';

/**
 * Runs `fn` over the stored reports and closes them afterwards, whatever happens. The reports'
 * modules load here, when a command runs, so that `--help` and usage errors load none of them.
 * Read-only unless the command says it writes (`mode: 'write'`).
 */
export async function withReports<T>(options: StoreOptions, io: CliIo, fn: (opened: OpenReports) => Promise<T>, mode: ReportsMode = 'read'): Promise<T> {
  const { loadCliConfig, openReports } = await import('./open-reports.js');
  const opened = openReports(await loadCliConfig(options, io), io, mode);
  try {
    return await fn(opened);
  } finally {
    await opened.close();
  }
}

import type { Logger } from '../util/logger.js';

/** What the CLI reads and writes, so that a test can run it in-process and see everything. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** For `TOOLPERF_*`, `OTEL_*` and `TOOLPERF_API_TOKEN`. */
  readonly env: NodeJS.ProcessEnv;
  /** Where a relative `--config` or `--data-dir` is resolved, and `toolperf.json` looked for. */
  readonly cwd: string;
  /** Resolves when a long-running command (`serve`) should stop: SIGINT or SIGTERM in the real bin. */
  readonly untilStopped: () => Promise<void>;
}

/** toolperf's own warnings (a corrupt report set aside, ...) go to the CLI's stderr. */
export function cliLogger(io: CliIo): Logger {
  return { warn: (message) => io.stderr(`[toolperf] ${message}\n`) };
}

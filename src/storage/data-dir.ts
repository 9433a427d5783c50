import envPaths from 'env-paths';

/**
 * The platform's place for application data: `$XDG_DATA_HOME/toolperf` (else
 * `~/.local/share/toolperf`) on Linux, `~/Library/Application Support/toolperf` on macOS,
 * `%LOCALAPPDATA%\toolperf\Data` on Windows.
 */
export function defaultDataDir(): string {
  return envPaths('toolperf', { suffix: '' }).data;
}

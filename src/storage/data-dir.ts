import { homedir } from 'node:os';
import { join } from 'node:path';

const NAME = 'toolperf';

/**
 * The platform's place for application data: `$XDG_DATA_HOME/toolperf` (else
 * `~/.local/share/toolperf`) on Linux and other Unixes, `~/Library/Application Support/toolperf`
 * on macOS, `%LOCALAPPDATA%\toolperf\Data` on Windows (the places env-paths gives, without the
 * ~9 ms its package resolution costs every CLI command at startup).
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', NAME);
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(homedir(), 'AppData', 'Local'), NAME, 'Data');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), NAME);
}

import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Program } from '../../helpers/real-component.js';

const agentsDir = fileURLToPath(new URL('..', import.meta.url));

export type AgentId = 'claude-code' | 'codex' | 'gemini-cli' | 'opencode';

interface PinnedAgent {
  readonly package: string;
  readonly version: string;
  readonly bin: string;
}

/** The pinned package, version and bin name of an agent CLI (test/agents/versions.json). */
export function pinnedAgent(id: AgentId): PinnedAgent {
  const versions = JSON.parse(readFileSync(join(agentsDir, 'versions.json'), 'utf8')) as Record<string, PinnedAgent>;
  const pinned = versions[id];
  if (pinned === undefined) throw new Error(`no agent ${id} in test/agents/versions.json`);
  return pinned;
}

/**
 * The agent's CLI as installed by `npm run agents:install` (test/agents/.cli/<id>), as a `Program`
 * for `programOrSkip`: missing, it says the line that installs it (a failure in CI, a skip elsewhere).
 */
export function agentCli(id: AgentId): Program {
  const pinned = pinnedAgent(id);
  const prefix = join(agentsDir, '.cli', id);
  const path = join(prefix, 'node_modules', '.bin', pinned.bin);
  try {
    accessSync(path, constants.X_OK);
    const manifest = JSON.parse(readFileSync(join(prefix, 'node_modules', ...pinned.package.split('/'), 'package.json'), 'utf8')) as { version: string };
    if (manifest.version !== pinned.version) throw new Error(`${manifest.version} installed`);
    return { path };
  } catch {
    return { missing: `${pinned.package}@${pinned.version} is not installed: run 'npm run agents:install -- ${id}'` };
  }
}

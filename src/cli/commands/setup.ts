import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_SERVER_PORT } from '../../config/schema.js';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { SetupMergeError, type AgentSetup, type SetupPlan } from '../setup/agent-setup.js';

/**
 * The agents `setup` knows, for its help; their modules (and the TOML and JSONC editors they use)
 * load only when `setup` runs. `setup.test.ts` checks this list against `AGENT_SETUPS`.
 */
export const SETUP_AGENT_IDS = ['claude-code', 'codex', 'gemini-cli', 'opencode'] as const;

const loadAgentSetups = async (): Promise<readonly AgentSetup[]> => (await import('../setup/agents.js')).AGENT_SETUPS;

interface SetupOptions {
  readonly endpoint: string;
  readonly write?: boolean;
}

export function addSetupCommand(program: Command, io: CliIo, agents?: readonly AgentSetup[]): void {
  const ids = (agents?.map((agent) => agent.id) ?? SETUP_AGENT_IDS).join('|');
  program
    .command('setup')
    .summary("send a coding agent's telemetry to toolperf serve")
    .description(
      `Print what sends an agent's tool calls to a running \`toolperf serve\` (environment and config), with prompts, arguments and outputs kept out. With --write, merge it into the agent's own config files, keeping what is there.`,
    )
    .argument(`<agent>`, ids || 'an agent')
    .option('--endpoint <url>', "the report server's URL", `http://127.0.0.1:${DEFAULT_SERVER_PORT}`)
    .option('--write', "merge the settings into the agent's config files")
    .addHelpText('after', `\nExamples:\n  toolperf setup claude-code\n  toolperf setup codex --write\n  toolperf setup opencode --endpoint http://127.0.0.1:7318`)
    .action(async (id: string, options: SetupOptions) => {
      const known = agents ?? (await loadAgentSetups());
      const agent = known.find((each) => each.id === id);
      if (agent === undefined) throw new CliError(`setup: no agent ${JSON.stringify(id)}; choose one of ${known.map((a) => a.id).join(', ')}`);
      const endpoint = parseEndpoint(options.endpoint);
      const plan = agent.plan({ endpoint, home: io.env.HOME || homedir(), project: io.cwd, env: io.env });
      if (options.write) await writePlan(plan, io);
      else printPlan(agent, plan, io);
    });
}

function parseEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`setup: --endpoint must be a URL like http://127.0.0.1:${DEFAULT_SERVER_PORT}, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`setup: --endpoint must be http or https, got ${JSON.stringify(value)}`);
  return url.origin;
}

function printPlan(agent: AgentSetup, plan: SetupPlan, io: CliIo): void {
  const lines: string[] = [`# ${agent.title} → toolperf`];
  const env = Object.entries(plan.env);
  if (env.length > 0) {
    lines.push('', '# In the environment the agent runs in:');
    for (const [key, value] of env) lines.push(`export ${key}=${shellQuote(value)}`);
  }
  for (const file of plan.files) lines.push('', `# In ${file.path} (toolperf setup ${agent.id} --write merges it in):`, file.snippet.trimEnd());
  if (plan.notes.length > 0) lines.push('', ...plan.notes.map((note) => `# ${note}`));
  io.stdout(`${lines.join('\n')}\n`);
}

/** Every file merged first, then written (temp + rename): a file that cannot be merged leaves all of them as they were. */
async function writePlan(plan: SetupPlan, io: CliIo): Promise<void> {
  const merged: { path: string; text: string; changed: boolean }[] = [];
  for (const file of plan.files) {
    const existing = await readFile(file.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw new CliError(`setup: cannot read ${file.path}: ${error.message}`);
    });
    try {
      const text = file.merge(existing);
      merged.push({ path: file.path, text, changed: text !== existing });
    } catch (error) {
      if (error instanceof SetupMergeError) throw new CliError(`setup: ${file.path} left as it is: ${error.message}`);
      throw error;
    }
  }
  for (const { path, text, changed } of merged) {
    if (!changed) {
      io.stdout(`${path}: already set\n`);
      continue;
    }
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.toolperf-${process.pid}.tmp`;
    await writeFile(temp, text);
    await rename(temp, path);
    io.stdout(`${path}: written\n`);
  }
  const env = Object.entries(plan.env);
  if (env.length > 0) io.stdout(`Also set in the agent's environment:\n${env.map(([k, v]) => `  export ${k}=${shellQuote(v)}`).join('\n')}\n`);
  for (const note of plan.notes) io.stdout(`${note}\n`);
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

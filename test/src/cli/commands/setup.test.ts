import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../../../../src/cli/cli-io.js';
import { addSetupCommand, SETUP_AGENT_IDS } from '../../../../src/cli/commands/setup.js';
import { AGENT_SETUPS } from '../../../../src/cli/setup/agents.js';
import { SetupMergeError, type AgentSetup } from '../../../../src/cli/setup/agent-setup.js';
import { runToolperf } from '../../../helpers/cli.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** An agent configured by one JSON file and one env var: the command's frame, not any real agent's merge. */
const jsonAgent: AgentSetup = {
  id: 'json-agent',
  title: 'JSON Agent',
  plan: ({ endpoint, home }) => ({
    env: { AGENT_TELEMETRY: '1' },
    files: [
      {
        path: join(home, '.agent', 'settings.json'),
        snippet: JSON.stringify({ telemetry: { endpoint } }, null, 2),
        merge: (existing) => {
          let settings: Record<string, unknown> = {};
          try {
            if (existing !== undefined) settings = JSON.parse(existing) as Record<string, unknown>;
          } catch {
            throw new SetupMergeError('not JSON');
          }
          return `${JSON.stringify({ ...settings, telemetry: { endpoint } }, null, 2)}\n`;
        },
      },
    ],
    notes: ['prompts stay out'],
  }),
};

async function run(args: string[], home: string) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: { HOME: home }, cwd: home, untilStopped: async () => {} };
  const program = new Command('toolperf').exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  addSetupCommand(program, io, [jsonAgent]);
  let error: unknown;
  await program.parseAsync(args, { from: 'user' }).catch((e: unknown) => (error = e));
  return { stdout, stderr, error };
}

async function home(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'toolperf-setup-'));
  dirs.push(dir);
  return dir;
}

describe('toolperf setup', () => {
  it('names in its help exactly the agents it has a module for', () => {
    expect(AGENT_SETUPS.map((agent) => agent.id).sort()).toEqual([...SETUP_AGENT_IDS].sort());
  });

  it('prints the environment and the settings, and writes nothing', async () => {
    const dir = await home();
    const { stdout } = await run(['setup', 'json-agent', '--endpoint', 'http://127.0.0.1:9999/'], dir);
    expect(stdout).toContain('export AGENT_TELEMETRY=1');
    expect(stdout).toContain('"endpoint": "http://127.0.0.1:9999"');
    expect(stdout).toContain(join(dir, '.agent', 'settings.json'));
    await expect(readFile(join(dir, '.agent', 'settings.json'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('--write merges into the existing file, keeping what is there, and a second run changes nothing', async () => {
    const dir = await home();
    const path = join(dir, '.agent', 'settings.json');
    await run(['setup', 'json-agent', '--write'], dir);
    await writeFile(path, JSON.stringify({ theme: 'dark', telemetry: { endpoint: 'old' } }));
    const first = await run(['setup', 'json-agent', '--write'], dir);
    expect(first.stdout).toContain(`${path}: written`);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ theme: 'dark', telemetry: { endpoint: 'http://127.0.0.1:7318' } });
    const second = await run(['setup', 'json-agent', '--write'], dir);
    expect(second.stdout).toContain(`${path}: already set`);
  });

  it('leaves a file it cannot merge as it is, and says why', async () => {
    const dir = await home();
    const path = join(dir, '.agent', 'settings.json');
    await run(['setup', 'json-agent', '--write'], dir);
    await writeFile(path, '{ not json');
    const { error } = await run(['setup', 'json-agent', '--write'], dir);
    expect(String((error as Error).message)).toMatch(/left as it is: not JSON/);
    expect(await readFile(path, 'utf8')).toBe('{ not json');
  });

  it('refuses an unknown agent and an endpoint that is not a URL, in one line each', async () => {
    const unknown = await runToolperf(['setup', 'nope']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/^error: setup: no agent "nope"; choose one of/);
    const dir = await home();
    const { error } = await run(['setup', 'json-agent', '--endpoint', 'nowhere'], dir);
    expect(String((error as Error).message)).toMatch(/--endpoint must be a URL/);
  });
});

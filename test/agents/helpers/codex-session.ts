/**
 * Runs the real Codex CLI headless (`codex exec --json`) against the fake Responses model, with its
 * telemetry set by `codexSetup` exactly as `toolperf setup codex --write` writes it, and reads back
 * what Codex itself recorded of the session (its rollout file): the truth the reports are checked
 * against. Shared by test/agents/codex.test.ts and the fixture capture (test/fixtures/agents/codex/capture.ts).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { codexSetup } from '../../../src/cli/setup/codex.js';
import { setTomlTables, type TomlValue } from '../../../src/cli/setup/toml-tables.js';
import type { ScriptedTurn } from '../fake-model/openai-responses.js';

/**
 * Succeeding and failing calls: three in parallel in one response (two commands that succeed and an
 * image that is not there), a file that is not there read by a shell command (exit 1), a command
 * that exits 3, a tool Codex does not have, and arguments Codex cannot parse (twice). Every
 * response numbers its calls from `call_0`, so `call_0` comes back in each turn.
 */
export const CODEX_SCENARIO: readonly ScriptedTurn[] = [
  {
    calls: [
      { name: 'exec_command', arguments: { cmd: 'cat notes.txt' } },
      { name: 'exec_command', arguments: { cmd: 'ls -1' } },
      { name: 'view_image', arguments: { path: 'missing.png' } },
    ],
  },
  { calls: [{ name: 'exec_command', arguments: { cmd: 'cat missing.txt' } }] },
  { calls: [{ name: 'exec_command', arguments: { cmd: 'ls no-such-dir; exit 3' } }] },
  { calls: [{ name: 'read_file', arguments: { path: 'notes.txt' } }] },
  { calls: [{ name: 'exec_command', arguments: '{not json' }] },
  { calls: [{ name: 'exec_command', arguments: { command: ['ls'] } }] },
  { text: 'Done: read notes.txt, the rest failed as planned.' },
];

export const CODEX_PROMPT = 'Look around this project and read notes.txt.';

/**
 * What the test needs of Codex besides telemetry: the fake provider, no approvals (Codex 0.171
 * refuses to run tools headless without them), the workspace sandbox (it works as root here), and
 * its other traffic off (update check, plugins — whose sync otherwise looks up a host — apps).
 */
export function codexBaseConfig(modelBaseUrl: string): string {
  return [
    '# Written by toolperf test/agents: a fake model on loopback.',
    'model = "fake-model"',
    'model_provider = "fake"',
    'approval_policy = "never"',
    'sandbox_mode = "workspace-write"',
    'check_for_update_on_startup = false',
    '',
    '[model_providers.fake]',
    'name = "fake model (toolperf tests)"',
    `base_url = "${modelBaseUrl}"`,
    'wire_api = "responses"',
    'env_key = "FAKE_MODEL_API_KEY"',
    '',
    '[features]',
    'plugins = false',
    'remote_plugin = false',
    'apps = false',
    'in_app_updates = false',
    '',
  ].join('\n');
}

/**
 * Creates `home` (CODEX_HOME) with config.toml = the base config merged by `codexSetup` — and then,
 * for tests that send more than setup does, `otel` keys set over it — and a project dir.
 */
export function prepareCodex(options: { root: string; modelBaseUrl: string; endpoint: string; otel?: Readonly<Record<string, TomlValue>> }): { home: string; project: string } {
  const home = join(options.root, 'codex-home');
  const project = join(options.root, 'project');
  mkdirSync(home, { recursive: true });
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'notes.txt'), 'toolperf fixture notes\n');
  writeFileSync(join(project, 'README.md'), '# a small project\n');
  const [config] = codexSetup.plan({ endpoint: options.endpoint, home: options.root, project, env: { CODEX_HOME: home } }).files;
  if (config === undefined) throw new Error('codexSetup wrote no file');
  const text = config.merge(codexBaseConfig(options.modelBaseUrl));
  writeFileSync(config.path, options.otel === undefined ? text : setTomlTables(text, [{ table: 'otel', values: options.otel }]));
  return { home, project };
}

export interface CodexRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `codex exec --json` in `project`, HOME and CODEX_HOME in the temp dirs, nothing inherited but PATH. */
export function runCodexExec(bin: string, options: { root: string; home: string; project: string; timeoutMs: number }): Promise<CodexRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['exec', '--json', '--skip-git-repo-check', CODEX_PROMPT], {
      cwd: options.project,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.root, CODEX_HOME: options.home, FAKE_MODEL_API_KEY: 'not-a-real-key' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

/** One tool call as Codex's rollout records it. */
export interface RolloutCall {
  readonly toolName: string;
  readonly callId: string;
  /** A command's exit code (Codex's `CommandExecution` item), undefined for other tools. */
  readonly exitCode: number | undefined;
  /** How Codex says the call went: a command's exit code, else its own failure message. */
  readonly failure: 'nonzero_exit' | 'file_not_found' | 'unknown_tool' | 'invalid_arguments' | undefined;
}

export interface RolloutTruth {
  readonly sessionId: string;
  readonly cliVersion: string;
  readonly calls: readonly RolloutCall[];
}

/**
 * Codex's own record of the (one) session under `home`: its rollout file (sessions/YYYY/MM/DD/
 * rollout-*.jsonl), with each `function_call` paired with its `function_call_output` and, for a
 * command, its `CommandExecution` item, in order (Codex reuses call ids across responses). Codex
 * keeps no success flag in the rollout: a command failed when its exit code is not 0, another
 * tool when its output is one of Codex's own messages for a call it could not make.
 */
export function readRollout(home: string): RolloutTruth {
  const files = listFiles(join(home, 'sessions')).filter((path) => /rollout-.*\.jsonl$/.test(path));
  if (files.length !== 1) throw new Error(`expected one rollout file under ${home}, found ${files.length}`);
  let sessionId = '';
  let cliVersion = '';
  const calls: { toolName: string; callId: string; exitCode?: number; output?: string }[] = [];
  const open = (callId: string, missing: 'exitCode' | 'output') => calls.find((call) => call.callId === callId && call[missing] === undefined);
  for (const line of readFileSync(files[0] as string, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const entry = JSON.parse(line) as { type: string; payload: Record<string, unknown> };
    const payload = entry.payload;
    if (entry.type === 'session_meta') {
      sessionId = String(payload.id);
      cliVersion = String(payload.cli_version);
    } else if (entry.type === 'response_item' && (payload.type === 'function_call' || payload.type === 'custom_tool_call')) {
      calls.push({ toolName: String(payload.name), callId: String(payload.call_id) });
    } else if (entry.type === 'response_item' && (payload.type === 'function_call_output' || payload.type === 'custom_tool_call_output')) {
      const call = open(String(payload.call_id), 'output');
      if (call !== undefined) call.output = typeof payload.output === 'string' ? payload.output : JSON.stringify(payload.output);
    } else if (entry.type === 'event_msg' && payload.type === 'item_completed') {
      const item = payload.item as Record<string, unknown>;
      if (item.type !== 'CommandExecution' || typeof item.exit_code !== 'number') continue;
      const call = open(String(item.id), 'exitCode');
      if (call !== undefined) call.exitCode = item.exit_code;
    }
  }
  return {
    sessionId,
    cliVersion,
    calls: calls.map(({ toolName, callId, exitCode, output = '' }) => ({ toolName, callId, exitCode, failure: failureOf(exitCode, output) })),
  };
}

function failureOf(exitCode: number | undefined, output: string): RolloutCall['failure'] {
  if (exitCode !== undefined) return exitCode === 0 ? undefined : 'nonzero_exit';
  // Codex's own words (0.171) for a call it could not make.
  if (output.startsWith('unsupported call: ')) return 'unknown_tool';
  if (output.startsWith('failed to parse function arguments')) return 'invalid_arguments';
  if (output.startsWith('unable to locate image at ')) return 'file_not_found';
  return undefined;
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : [],
  );
}

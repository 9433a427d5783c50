// Runs the real Gemini CLI headless against the fake model (test/agents/fake-model/gemini.ts), in a
// temp HOME and project directory, and reads what the CLI itself recorded of the session's tool
// calls: the `stats.tools` of its `--output-format json` answer and its chat file under
// ~/.gemini/tmp/<project>/chats. Shared by the end-to-end test and the fixture capture script.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { geminiCliSetup } from '../../../src/cli/setup/gemini-cli.js';
import type { ScriptedTurn } from '../fake-model/gemini.js';

/**
 * The session both the fixtures and the end-to-end test play: 8 calls, 3 of them failures in
 * Gemini's own record. A file read that works and one that does not (the same `call_0` id in two
 * turns), two shell commands in parallel (`exit 3` is a success to Gemini), an unknown tool and
 * invalid arguments in parallel, then two different tools in parallel.
 */
export const MIXED_SCRIPT: readonly ScriptedTurn[] = [
  { calls: [{ name: 'read_file', args: { file_path: 'notes.txt' }, id: 'call_0' }] },
  { calls: [{ name: 'read_file', args: { file_path: 'missing.txt' }, id: 'call_0' }] },
  {
    calls: [
      { name: 'run_shell_command', args: { command: 'echo ok', description: 'prints ok' } },
      { name: 'run_shell_command', args: { command: 'exit 3', description: 'exits 3' } },
    ],
  },
  { calls: [{ name: 'no_such_tool', args: {} }, { name: 'read_file', args: { wrong: 1 } }] },
  { calls: [{ name: 'read_file', args: { file_path: 'other.txt' } }, { name: 'list_directory', args: { dir_path: '.' } }] },
  { text: 'All done.' },
];

/** The project directory's files for `MIXED_SCRIPT`. */
export const MIXED_PROJECT: Readonly<Record<string, string>> = { 'notes.txt': 'hello from notes\n', 'other.txt': 'other file\n' };

/** The settings file a run starts from, before `toolperf setup` merges into it: the fake model's auth type, and a comment the merge must keep. */
export const AUTH_SETTINGS = '{\n  // The fake model takes any API key.\n  "security": { "auth": { "selectedType": "gemini-api-key" } }\n}\n';

/**
 * The settings.json a run uses: `AUTH_SETTINGS` with what `toolperf setup gemini-cli --write`
 * merges in for `endpoint` (the home and project given to the plan do not change the text).
 */
export function setupSettings(endpoint: string): string {
  const [file] = geminiCliSetup.plan({ endpoint, home: tmpdir(), project: tmpdir(), env: {} }).files;
  if (file === undefined) throw new Error('gemini-cli setup plans no settings file');
  return file.merge(AUTH_SETTINGS);
}

/** A model name the CLI takes as given: with none it first asks a router model for one (`generateContent` wanting JSON). */
export const FAKE_MODEL_NAME = 'gemini-2.5-flash';

export interface GeminiHeadlessOptions {
  /** The `gemini` bin (agentCli('gemini-cli')). */
  readonly bin: string;
  /** The fake model's URL, as GOOGLE_GEMINI_BASE_URL. */
  readonly modelUrl: string;
  /** The text of ~/.gemini/settings.json. */
  readonly settings: string;
  readonly projectFiles: Readonly<Record<string, string>>;
  readonly prompt?: string;
  readonly timeoutMs?: number;
}

export interface GeminiHeadlessRun {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The parsed `--output-format json` answer, undefined when stdout is not JSON. */
  readonly output: GeminiJsonOutput | undefined;
  /** The temp directory holding `home` and `project`. */
  readonly root: string;
  readonly home: string;
  readonly project: string;
}

/** What `--output-format json` answers (the fields read here). */
export interface GeminiJsonOutput {
  readonly session_id?: string;
  readonly stats?: {
    readonly tools?: {
      readonly totalCalls: number;
      readonly totalFail: number;
      readonly byName: Readonly<Record<string, { readonly count: number; readonly fail: number }>>;
    };
  };
}

/** Tool calls as the CLI recorded them: how many, how many failed, per tool. */
export interface GeminiToolTruth {
  readonly sessionId: string;
  readonly calls: number;
  readonly failed: number;
  readonly byTool: Readonly<Record<string, { readonly calls: number; readonly failed: number }>>;
}

/**
 * Runs `gemini -p` headless (`--output-format json`, `--approval-mode yolo`, `--skip-trust`) in a
 * fresh temp HOME and project, with an environment of its own: nothing inherited beyond PATH, so no
 * OTEL_* or GEMINI_* variable of the caller's overrides the settings file.
 */
export async function runGeminiHeadless(options: GeminiHeadlessOptions): Promise<GeminiHeadlessRun> {
  const root = mkdtempSync(join(tmpdir(), 'toolperf-gemini-'));
  const home = join(root, 'home');
  const project = join(root, 'project');
  mkdirSync(join(home, '.gemini'), { recursive: true });
  mkdirSync(project);
  writeFileSync(join(home, '.gemini', 'settings.json'), options.settings);
  for (const [name, text] of Object.entries(options.projectFiles)) writeFileSync(join(project, name), text);
  const args = [options.bin, '-p', options.prompt ?? 'Follow the script.', '--output-format', 'json', '--approval-mode', 'yolo', '--skip-trust', '-m', FAKE_MODEL_NAME];
  const child = spawn(process.execPath, args, {
    cwd: project,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, GEMINI_API_KEY: 'fake-key-for-a-fake-model', GOOGLE_GEMINI_BASE_URL: options.modelUrl, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: the CLI relaunches itself as a child, and a timeout must end both.
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, options.timeoutMs ?? 90_000);
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  return { exitCode, stdout, stderr, output: parseJson(stdout) as GeminiJsonOutput | undefined, root, home, project };
}

/** The CLI's own count from `stats.tools` of its JSON answer. */
export function truthFromOutput(output: GeminiJsonOutput | undefined): GeminiToolTruth {
  const tools = output?.stats?.tools;
  if (output?.session_id === undefined || tools === undefined) throw new Error('no session_id or stats.tools in the CLI output');
  const byTool = Object.fromEntries(Object.entries(tools.byName).map(([name, each]) => [name, { calls: each.count, failed: each.fail }]));
  return { sessionId: output.session_id, calls: tools.totalCalls, failed: tools.totalFail, byTool };
}

interface ChatMessage {
  readonly id?: string;
  readonly type?: string;
  readonly toolCalls?: readonly { readonly name?: string; readonly status?: string }[];
}

/**
 * The CLI's own count from its chat file (`~/.gemini/tmp/<project>/chats/session-*.jsonl`): a
 * header line with the session ID, then messages (a message written again replaces the one with
 * its id) and `$set` updates. A tool call failed when its status is not `success`.
 */
export function truthFromChat(home: string, sessionId: string): GeminiToolTruth {
  const lines = readChatLines(home, sessionId);
  const messages = new Map<string, ChatMessage>();
  for (const line of lines.slice(1)) {
    const record = line as { $set?: { messages?: readonly ChatMessage[] } } & ChatMessage;
    if (record.$set?.messages !== undefined) {
      messages.clear();
      for (const message of record.$set.messages) messages.set(message.id ?? String(messages.size), message);
    } else if (record.$set === undefined && record.id !== undefined) {
      messages.set(record.id, record);
    }
  }
  const byTool: Record<string, { calls: number; failed: number }> = {};
  for (const message of messages.values()) {
    for (const call of message.type === 'gemini' ? (message.toolCalls ?? []) : []) {
      const each = (byTool[call.name ?? '?'] ??= { calls: 0, failed: 0 });
      each.calls += 1;
      if (call.status !== 'success') each.failed += 1;
    }
  }
  const all = Object.values(byTool);
  return { sessionId, calls: all.reduce((sum, each) => sum + each.calls, 0), failed: all.reduce((sum, each) => sum + each.failed, 0), byTool };
}

function readChatLines(home: string, sessionId: string): unknown[] {
  const tmp = join(home, '.gemini', 'tmp');
  for (const project of existsSync(tmp) ? readdirSync(tmp) : []) {
    const chats = join(tmp, project, 'chats');
    for (const file of existsSync(chats) ? readdirSync(chats).filter((name) => name.endsWith('.jsonl')) : []) {
      const lines = readFileSync(join(chats, file), 'utf8').split('\n').filter(Boolean).map(parseJson);
      if ((lines[0] as { sessionId?: string } | undefined)?.sessionId === sessionId) return lines;
    }
  }
  throw new Error(`no chat file for session ${sessionId} under ${tmp}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

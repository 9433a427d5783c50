import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAKE_MODEL_ID, type ScriptTurn } from '../fake-model/openai-chat.js';

/**
 * OpenCode run headless on this machine: a sandbox of its own (a temp HOME with its XDG
 * directories, a project directory), the fake model as its only provider, and its other traffic
 * off. What remains: OpenCode fetches its plugin SDK's package metadata from the npm registry into
 * a config directory's node_modules (the npm cache is shared, under test/agents/.cli).
 */

/** npm's cache for what OpenCode installs at run time (its plugin SDK into `.opencode/`): warm after the first run. */
export const OPENCODE_NPM_CACHE = fileURLToPath(new URL('../.cli/opencode-npm-cache', import.meta.url));

export interface OpenCodeRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The session the run worked in, from its `--format json` events. */
  readonly sessionId: string | undefined;
}

export interface RunOptions {
  /** Added to the sandbox's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Called with the child once spawned (to signal it mid-call). */
  readonly started?: (child: ChildProcess) => void;
  readonly timeoutMs?: number;
}

/** A tool part of OpenCode's own record of a session (`opencode export`). */
export interface RecordedToolPart {
  readonly tool: string;
  readonly callID: string;
  readonly state: {
    readonly status: 'pending' | 'running' | 'completed' | 'error';
    readonly input?: Record<string, unknown>;
    readonly error?: string;
    readonly output?: string;
    readonly metadata?: Record<string, unknown>;
    readonly time?: { readonly start: number; readonly end?: number };
  };
}

export interface OpenCodeSandbox {
  readonly root: string;
  readonly home: string;
  readonly project: string;
  /** The environment OpenCode runs with: the sandbox's directories, its other traffic off, and `extra`. */
  env(extra?: Readonly<Record<string, string>>): NodeJS.ProcessEnv;
  /** `opencode <args>` in the project directory, to its end (killed after `timeoutMs`). */
  run(args: readonly string[], options?: RunOptions): Promise<OpenCodeRun>;
  /** OpenCode's own record of a session's tool calls (`opencode export`), in order. */
  toolParts(sessionId: string): Promise<RecordedToolPart[]>;
  remove(): Promise<void>;
}

export interface SandboxOptions {
  /** The fake model's base URL (`…/v1`). */
  readonly baseUrl: string;
  /** Files of the project, by path relative to it. */
  readonly files?: Readonly<Record<string, string>>;
  /** Merged into the project's opencode.json. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** Makes the sandbox: the project with `files` and an opencode.json whose only provider is the fake model. */
export async function openCodeSandbox(bin: string, options: SandboxOptions): Promise<OpenCodeSandbox> {
  const root = await mkdtemp(join(tmpdir(), 'toolperf-opencode-'));
  const home = join(root, 'home');
  const project = join(root, 'project');
  await mkdir(home, { recursive: true });
  await mkdir(project, { recursive: true });
  for (const [path, text] of Object.entries(options.files ?? {})) {
    await mkdir(dirname(join(project, path)), { recursive: true });
    await writeFile(join(project, path), text);
  }
  await writeFile(join(project, 'opencode.json'), `${JSON.stringify(openCodeConfig(options.baseUrl, options.config), null, 2)}\n`);

  const env = (extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => ({
    PATH: process.env.PATH,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    OPENCODE_DISABLE_MODELS_FETCH: '1',
    OPENCODE_DISABLE_AUTOUPDATE: '1',
    OPENCODE_DISABLE_LSP_DOWNLOAD: '1',
    OPENCODE_DISABLE_SHARE: '1',
    npm_config_cache: OPENCODE_NPM_CACHE,
    npm_config_update_notifier: 'false',
    ...extra,
  });

  const run = (args: readonly string[], runOptions: RunOptions = {}): Promise<OpenCodeRun> =>
    new Promise((resolve, reject) => {
      const child = spawn(bin, [...args], { cwd: project, env: env(runOptions.env), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), runOptions.timeoutMs ?? 90_000);
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr, sessionId: sessionIdOf(stdout) });
      });
      runOptions.started?.(child);
    });

  return {
    root,
    home,
    project,
    env,
    run,
    async toolParts(sessionId) {
      const exported = await run(['export', sessionId], { timeoutMs: 60_000 });
      if (exported.code !== 0) throw new Error(`opencode export ${sessionId} exited ${exported.code ?? exported.signal}: ${exported.stderr}`);
      const session = JSON.parse(exported.stdout) as { messages: { parts: ({ type: string } & RecordedToolPart)[] }[] };
      return session.messages.flatMap((message) => message.parts.filter((part) => part.type === 'tool'));
    },
    remove: () => rm(root, { recursive: true, force: true }),
  };
}

/** The project's opencode.json: the fake model through `@ai-sdk/openai-compatible` (bundled in OpenCode), for the title too. */
export function openCodeConfig(baseUrl: string, extra: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return {
    $schema: 'https://opencode.ai/config.json',
    provider: {
      fake: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Fake model (test)',
        options: { baseURL: baseUrl, apiKey: 'not-a-key' },
        models: { [FAKE_MODEL_ID]: { name: 'Fake model', tool_call: true } },
      },
    },
    model: `fake/${FAKE_MODEL_ID}`,
    small_model: `fake/${FAKE_MODEL_ID}`,
    autoupdate: false,
    share: 'disabled',
    ...extra,
  };
}

function sessionIdOf(stdout: string): string | undefined {
  for (const line of stdout.split('\n')) {
    const match = /"sessionID":"(ses_[A-Za-z0-9]+)"/.exec(line);
    if (match) return match[1];
  }
  return undefined;
}

/** The project files the scenarios work on. */
export const PROJECT_FILES: Readonly<Record<string, string>> = {
  'notes.txt': 'hello\nworld\n',
  'src/app.ts': "export const greeting = 'hello';\n",
};

/** opencode.json settings of the scenarios: `rm …` denied by a rule, every other command allowed. */
export const PROJECT_CONFIG: Readonly<Record<string, unknown>> = { permission: { bash: { '*': 'allow', 'rm *': 'deny' } } };

/**
 * Four responses of one turn that mix succeeding and failing calls, in parallel and with the call
 * IDs a provider that numbers per response sends (`call_0` in each): a file read, a missing file, a
 * command that succeeds, one that exits 3, an unknown tool, arguments the tool refuses, a command a
 * rule denies, one that times out, a glob. End the turn with `REJECTED_READ` or a text.
 */
export function mixedTurn(project: string): ScriptTurn[] {
  return [
    { toolCalls: [{ id: 'call_0', name: 'read', arguments: { filePath: join(project, 'notes.txt') } }] },
    {
      toolCalls: [
        { id: 'call_0', name: 'read', arguments: { filePath: join(project, 'missing.txt') } },
        { id: 'call_1', name: 'bash', arguments: { command: 'echo hi', description: 'Say hi' } },
      ],
    },
    {
      toolCalls: [
        { id: 'call_0', name: 'bash', arguments: { command: 'exit 3', description: 'Fail on purpose' } },
        { id: 'call_1', name: 'no_such_tool', arguments: { x: 1 } },
        { id: 'call_2', name: 'read', arguments: { nope: true } },
      ],
    },
    {
      toolCalls: [
        { id: 'call_0', name: 'bash', arguments: { command: 'rm -rf build', description: 'Clean' } },
        { id: 'call_1', name: 'bash', arguments: { command: 'sleep 2', description: 'Wait', timeout: 200 } },
        { id: 'call_2', name: 'glob', arguments: { pattern: '**/*.ts' } },
      ],
    },
  ];
}

/** A read outside the project, whose permission `opencode run` rejects: the turn ends there, without another model request. */
export const REJECTED_READ: ScriptTurn = { toolCalls: [{ id: 'call_0', name: 'read', arguments: { filePath: '/etc/hostname' } }] };

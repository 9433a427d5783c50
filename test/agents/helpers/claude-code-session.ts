import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeAnthropicModel, type ScriptedTurn, type SeenRequest } from '../fake-model/anthropic-messages.js';

/**
 * The scripted session test/agents runs Claude Code through (and the fixtures under
 * test/fixtures/agents/claude-code were captured with): succeeding and failing calls, two in
 * parallel, an unknown tool, arguments that fail the tool's schema, a tool the permission rules
 * refuse, one call id (`toolu_reused`) in two turns, and two calls of an MCP server's tools.
 */
export function claudeCodeScript(project: string): ScriptedTurn[] {
  return [
    { tools: [{ name: 'Read', input: { file_path: join(project, 'notes.txt') } }] },
    {
      tools: [
        { name: 'Read', input: { file_path: join(project, 'missing.txt') } },
        { name: 'Bash', input: { command: 'echo hello', description: 'Say hello' } },
      ],
    },
    { tools: [{ name: 'Bash', input: { command: 'exit 3', description: 'Fail on purpose' }, id: 'toolu_reused' }] },
    { tools: [{ name: 'NoSuchTool', input: { x: 1 } }] },
    { tools: [{ name: 'Read', input: { path: 42 } }] },
    // Not in --allowedTools: refused by the permission rules (print mode asks no one).
    { tools: [{ name: 'Write', input: { file_path: join(project, 'new.txt'), content: 'x' } }] },
    { tools: [{ name: 'Bash', input: { command: 'ls', description: 'List files' }, id: 'toolu_reused' }] },
    { tools: [{ name: 'Read', input: { file_path: project } }] },
    // An MCP server's tools (its logs name them all `mcp_tool`; its spans by name).
    { tools: [{ name: 'mcp__fs__list_directory', input: { path: project } }] },
    { tools: [{ name: 'mcp__fs__read_text_file', input: { path: join(project, 'missing.txt') } }] },
    { text: 'All done.' },
  ];
}

/** The tools the session may run without asking (`--allowedTools`): `mcp__fs` is every tool of the MCP server `fs`. */
export const ALLOWED_TOOLS = ['Read', 'Bash', 'mcp__fs'];

/** The MCP server the session has (`--mcp-config`): the filesystem server of the project's dev dependencies, on this Node. */
function mcpConfig(project: string): string {
  const server = fileURLToPath(new URL('../../../node_modules/@modelcontextprotocol/server-filesystem/dist/index.js', import.meta.url));
  return JSON.stringify({ mcpServers: { fs: { command: process.execPath, args: [server, project] } } });
}

/** One tool call as Claude Code's own transcript records it. */
export interface TranscriptCall {
  readonly id: string;
  readonly name: string;
  readonly isError: boolean;
  /**
   * The call reached Claude Code's permission check (its result entry has a `permissionDecision`).
   * Calls refused before it (an unknown tool, arguments the tool's schema or checks refuse) are in
   * the transcript only: Claude Code's telemetry has no record of them.
   */
  readonly reachedPermission: boolean;
}

export interface ClaudeCodeRun {
  readonly sessionId: string;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Claude Code's own record of the session's calls, in order. */
  readonly calls: TranscriptCall[];
  /** What the fake model was asked, and what it had no answer for. */
  readonly modelRequests: SeenRequest[];
  readonly unknownModelRequests: string[];
}

export interface ClaudeCodeRunOptions {
  readonly bin: string;
  /** A fresh directory: `home/` (HOME: put settings in `home/.claude/` first) and `project/` (cwd) are made in it. */
  readonly root: string;
  /** Added to the process environment (telemetry variables for capturing fixtures). */
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

/**
 * Runs the real Claude Code headless (`-p`, stream-json) in a temp HOME against the fake model
 * playing `claudeCodeScript`, with its other traffic off, and reads back its transcript.
 */
export async function runClaudeCodeSession(options: ClaudeCodeRunOptions): Promise<ClaudeCodeRun> {
  const home = join(options.root, 'home');
  const project = join(options.root, 'project');
  mkdirSync(join(home, '.claude'), { recursive: true });
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'notes.txt'), 'hello from notes\n');
  const model = await startFakeAnthropicModel(claudeCodeScript(project));
  try {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: home,
      TMPDIR: options.root,
      ANTHROPIC_BASE_URL: model.url,
      ANTHROPIC_API_KEY: 'sk-ant-fake-key-for-a-fake-model',
      // No update checks, error reports or Anthropic's own telemetry: loopback only.
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
      ...options.env,
    };
    const args = ['-p', 'Run the scripted task.', '--output-format', 'stream-json', '--verbose', '--model', 'claude-sonnet-4-5', '--mcp-config', mcpConfig(project), '--allowedTools', ...ALLOWED_TOOLS];
    const { exitCode, stdout, stderr } = await run(options.bin, args, project, env, options.timeoutMs ?? 90_000);
    const sessionId = sessionIdOf(stdout);
    return { sessionId, exitCode, stdout, stderr, calls: transcriptCalls(home, sessionId), modelRequests: model.requests, unknownModelRequests: model.unknown };
  } finally {
    await model.close();
  }
}

function run(bin: string, args: string[], cwd: string, env: Record<string, string>, timeoutMs: number): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ exitCode, stdout, stderr });
    });
  });
}

function sessionIdOf(streamJson: string): string {
  for (const line of streamJson.split('\n')) {
    if (!line.startsWith('{')) continue;
    const event = JSON.parse(line) as { type?: string; session_id?: string };
    if (event.type === 'system' && typeof event.session_id === 'string') return event.session_id;
  }
  throw new Error(`no session id in Claude Code's output:\n${streamJson.slice(0, 2000)}`);
}

interface TranscriptLine {
  readonly type?: string;
  readonly permissionDecision?: unknown;
  readonly message?: { readonly content?: unknown };
}

interface ContentBlock {
  readonly type?: string;
  readonly id?: string;
  readonly name?: string;
  readonly tool_use_id?: string;
  readonly is_error?: boolean;
}

/** The session's calls from `~/.claude/projects/<project>/<session>.jsonl`: tool_use blocks and their tool_result. */
export function transcriptCalls(home: string, sessionId: string): TranscriptCall[] {
  const projects = join(home, '.claude', 'projects');
  const file = readdirSync(projects)
    .map((dir) => join(projects, dir, `${sessionId}.jsonl`))
    .find((path) => {
      try {
        readFileSync(path);
        return true;
      } catch {
        return false;
      }
    });
  if (file === undefined) throw new Error(`no transcript for session ${sessionId} under ${projects}`);
  const uses: { id: string; name: string }[] = [];
  const results: { id: string; isError: boolean; reachedPermission: boolean }[] = [];
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    if (text === '') continue;
    const line = JSON.parse(text) as TranscriptLine;
    const blocks = Array.isArray(line.message?.content) ? (line.message.content as ContentBlock[]) : [];
    // Only the conversation's own lines: `api-request-blob` lines repeat the blocks sent to the model.
    if (line.type === 'assistant') {
      for (const block of blocks) if (block.type === 'tool_use' && block.id && block.name) uses.push({ id: block.id, name: block.name });
    } else if (line.type === 'user') {
      for (const block of blocks) {
        if (block.type === 'tool_result' && block.tool_use_id) {
          results.push({ id: block.tool_use_id, isError: block.is_error === true, reachedPermission: line.permissionDecision !== undefined });
        }
      }
    }
  }
  // Pair in order: a reused call id (`toolu_reused`) is two calls.
  return uses.map((use) => {
    const index = results.findIndex((result) => result.id === use.id);
    const [result] = index === -1 ? [undefined] : results.splice(index, 1);
    return { id: use.id, name: use.name, isError: result?.isError ?? false, reachedPermission: result?.reachedPermission ?? false };
  });
}

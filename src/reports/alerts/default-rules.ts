import type { AlertRule } from './alert-rules.js';

/**
 * A regression's p50 must also have grown by this much: a tool of microseconds doubles with the
 * machine's load (a real two-server test saw 3 µs against 17 µs fire), which is no one's problem.
 */
export const DEFAULT_MIN_DELTA_MS = 5;

/**
 * Local file tools, by the names the agents give them (Claude Code, Codex, Gemini CLI, OpenCode)
 * and the usual ones of hand-written agents. They read or write the local disk and finish in
 * milliseconds; one still running after a minute is stuck, not busy.
 */
export const FILE_TOOLS = [
  'read', 'write', 'edit', 'multiedit', 'glob', 'grep', 'ls', 'list', 'patch', 'apply_patch',
  'notebookedit', 'notebookread', 'read_file', 'write_file', 'replace', 'list_directory',
  'read_many_files', 'search_file_content', 'view_image', 'todowrite', 'todoread',
];
/**
 * Shell tools: they run builds, test suites and installs, which take minutes when all is well;
 * only a shell call past ten minutes is worth waking someone for.
 */
export const SHELL_TOOLS = ['bash', 'shell', 'local_shell', 'exec_command', 'run_shell_command', 'terminal', 'bashoutput', 'killshell', 'container.exec'];
/**
 * Tools that wait on another process or the network: MCP servers (Claude Code and Codex name their
 * tools `mcp__<server>__<tool>`, others `<server>__<tool>`), web fetch and search, sub-agents.
 * Slower and more variable than the disk, quicker than a build.
 */
export const REMOTE_TOOLS = ['mcp__*', 'mcp_*', '*__*', 'webfetch', 'websearch', 'web_fetch', 'google_web_search', 'web_search', 'task', 'agent'];

const MINUTE = 60_000;
const TOOL_EXECUTION = 'tool-execution';

/**
 * The rules that ship on: a call still running past its kind's limit, and a large regression of a
 * tool against its own baseline. Each can be replaced (a rule of the same name) or turned off
 * (`{ "name": ..., "kind": ..., "enabled": false }`), and all of them with `defaultRules: false`.
 * For each kind the first matching rule applies, so the order is the specific before `*`.
 */
export const DEFAULT_ALERT_RULES: readonly AlertRule[] = [
  { name: 'hung-file-tool', kind: 'hung-call', tools: FILE_TOOLS, operationType: TOOL_EXECUTION, thresholdMs: MINUTE },
  { name: 'hung-shell-tool', kind: 'hung-call', tools: SHELL_TOOLS, operationType: TOOL_EXECUTION, thresholdMs: 10 * MINUTE },
  { name: 'hung-remote-tool', kind: 'hung-call', tools: REMOTE_TOOLS, operationType: TOOL_EXECUTION, thresholdMs: 3 * MINUTE },
  { name: 'hung-tool', kind: 'hung-call', tools: ['*'], operationType: TOOL_EXECUTION, thresholdMs: 5 * MINUTE },
  {
    name: 'large-regression',
    kind: 'regression',
    tools: ['*'],
    operationType: TOOL_EXECUTION,
    baselineSessions: 10,
    minBaselineSessions: 3,
    minCalls: 30,
    minRatio: 2,
    maxPValue: 0.01,
    minDeltaMs: DEFAULT_MIN_DELTA_MS,
  },
];

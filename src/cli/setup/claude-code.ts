import { join } from 'node:path';
import { SetupMergeError, type AgentSetup, type SetupOptions, type SetupPlan } from './agent-setup.js';

export interface ClaudeCodePlanOptions extends Pick<SetupOptions, 'endpoint' | 'home' | 'env'> {
  /** Also send Claude Code's beta traces (`CLAUDE_CODE_ENHANCED_TELEMETRY_BETA`); its logs alone give every call. */
  readonly traces?: boolean;
}

/**
 * Content Claude Code can put in its telemetry, each kept off ('0'): prompts, responses, tool
 * arguments (commands, paths) and outputs, raw API bodies. toolperf reads none of them.
 */
const CONTENT_OFF = {
  OTEL_LOG_USER_PROMPTS: '0',
  OTEL_LOG_ASSISTANT_RESPONSES: '0',
  OTEL_LOG_TOOL_DETAILS: '0',
  OTEL_LOG_TOOL_CONTENT: '0',
  OTEL_LOG_RAW_API_BODIES: '0',
} as const;

/**
 * `toolperf setup claude-code`: the `env` block of Claude Code's user settings
 * (`~/.claude/settings.json`, or `$CLAUDE_CONFIG_DIR/settings.json`) that sends its tool calls to
 * `toolperf serve` as OTLP logs, with every content variable off. User settings, because Claude
 * Code ignores telemetry variables in a project's `.claude/settings.json` (a project may only turn
 * telemetry off). The file does it all: nothing to export.
 */
export const claudeCodeSetup: AgentSetup = {
  id: 'claude-code',
  title: 'Claude Code',
  plan: (options) => claudeCodePlan(options),
};

/**
 * The plan, and with `traces` the one that also sends Claude Code's beta traces (what the note
 * tells the user to add; the end-to-end test runs both).
 *
 * @example
 * const { files } = claudeCodePlan({ endpoint: 'http://127.0.0.1:7318', home: os.homedir(), env: process.env });
 * writeFileSync(files[0].path, files[0].merge(readIfExists(files[0].path)));
 */
export function claudeCodePlan(options: ClaudeCodePlanOptions): SetupPlan {
  const settingsEnv: Record<string, string> = {
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    OTEL_LOGS_EXPORTER: 'otlp',
    ...(options.traces === true ? { CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1', OTEL_TRACES_EXPORTER: 'otlp' } : {}),
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_ENDPOINT: options.endpoint,
    ...CONTENT_OFF,
  };
  const path = join(options.env.CLAUDE_CONFIG_DIR || join(options.home, '.claude'), 'settings.json');
  const notes = [
    'Claude Code reads these from your user settings or the environment it starts in; a project\'s .claude/settings.json cannot turn telemetry on.',
    'Start a new Claude Code session for them to apply; its tool calls then show under its own session id (toolperf sessions).',
    'Variables for one signal (OTEL_EXPORTER_OTLP_LOGS_ENDPOINT, OTEL_EXPORTER_OTLP_LOGS_PROTOCOL, ...) set in your shell or managed settings take precedence over these.',
    'Not in Claude Code\'s telemetry, so not in the report: calls it refuses before running them (an unknown tool, arguments its checks refuse). A Bash command that exits non-zero is a failure (nonzero_exit); the exit code itself is not sent.',
  ];
  notes.push(
    options.traces === true
      ? 'The traces are a beta of Claude Code\'s; its logs alone give the same calls, and a call sent both ways counts once.'
      : 'Its beta traces too (trace ids on the calls): add CLAUDE_CODE_ENHANCED_TELEMETRY_BETA=1 and OTEL_TRACES_EXPORTER=otlp; a call sent both ways counts once.',
  );
  const snippet = `${JSON.stringify({ env: settingsEnv }, null, 2)}\n`;
  return { env: {}, files: [{ path, snippet, merge: (existing) => mergeSettings(existing, settingsEnv) }], notes };
}

/** `existing` settings with `env` set in their `env` block, every other key kept (re-indented with two spaces). */
function mergeSettings(existing: string | undefined, env: Readonly<Record<string, string>>): string {
  let settings: Record<string, unknown> = {};
  if (existing !== undefined && existing.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing);
    } catch (error) {
      throw new SetupMergeError(`not valid JSON (${(error as Error).message}): fix it, or add the env block by hand`);
    }
    if (!isObject(parsed)) throw new SetupMergeError('not a JSON object: fix it, or add the env block by hand');
    settings = parsed;
  }
  const current = settings.env ?? {};
  if (!isObject(current)) throw new SetupMergeError('its "env" is not an object: fix it, or add the env block by hand');
  return `${JSON.stringify({ ...settings, env: { ...current, ...env } }, null, 2)}\n`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

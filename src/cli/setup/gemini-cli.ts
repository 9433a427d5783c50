import { join } from 'node:path';
import { SetupMergeError, type AgentSetup, type SetupOptions, type SetupPlan } from './agent-setup.js';
import { JsoncError, parseJsonc, removeJsoncValue, setJsoncValue } from './jsonc-edit.js';

/**
 * The settings this setup writes, each at its path in Gemini CLI's settings.json (0.61's schema):
 * telemetry over OTLP/HTTP (the default is gRPC, which `toolperf serve` does not speak) to the
 * server, without prompts (`logPrompts` is on by default) and without the large trace attributes;
 * and its other traffic off (usage statistics to Google, the update check).
 */
function ownedSettings(endpoint: string): readonly (readonly [readonly string[], unknown])[] {
  return [
    [['telemetry', 'enabled'], true],
    [['telemetry', 'target'], 'local'],
    [['telemetry', 'otlpEndpoint'], endpoint],
    [['telemetry', 'otlpProtocol'], 'http'],
    [['telemetry', 'logPrompts'], false],
    [['telemetry', 'traces'], false],
    [['privacy', 'usageStatisticsEnabled'], false],
    [['general', 'enableAutoUpdate'], false],
    [['general', 'enableAutoUpdateNotification'], false],
  ];
}

/** `telemetry.outfile` wins over `otlpEndpoint` in Gemini CLI: left in place, nothing would reach the server. */
const OUTFILE = ['telemetry', 'outfile'] as const;

/** Variables Gemini CLI reads before its settings file: set to something else, they undo the setup. */
const OVERRIDING_ENV = [
  'GEMINI_TELEMETRY_ENABLED',
  'GEMINI_TELEMETRY_TARGET',
  'GEMINI_TELEMETRY_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'GEMINI_TELEMETRY_OTLP_PROTOCOL',
  'GEMINI_TELEMETRY_LOG_PROMPTS',
  'GEMINI_TELEMETRY_TRACES_ENABLED',
  'GEMINI_TELEMETRY_OUTFILE',
];

/**
 * The settings merged into `existing` (a settings.json, JSON with comments), everything else kept
 * byte for byte; idempotent. Throws `SetupMergeError` for a file that is not a JSON object.
 */
function mergeSettings(existing: string | undefined, endpoint: string): string {
  try {
    let text = existing ?? '';
    // Read first, so that a file we cannot read is refused before anything is edited.
    parseJsonc(text);
    for (const [keys, value] of ownedSettings(endpoint)) text = setJsoncValue(text, keys, value);
    return removeJsoncValue(text, OUTFILE);
  } catch (error) {
    if (error instanceof JsoncError) throw new SetupMergeError(`not JSON with comments: ${error.message}`);
    throw error;
  }
}

function plan(options: SetupOptions): SetupPlan {
  // Gemini CLI's home for its config is $GEMINI_CLI_HOME when set, else the user's.
  const path = join(options.env.GEMINI_CLI_HOME || options.home, '.gemini', 'settings.json');
  const set = OVERRIDING_ENV.filter((name) => options.env[name] !== undefined);
  return {
    env: {},
    files: [{ path, merge: (existing) => mergeSettings(existing, options.endpoint), snippet: mergeSettings(undefined, options.endpoint) }],
    notes: [
      'Sent per tool call: a gemini_cli.tool_call log record (session, tool, duration, success, error type) and a tool_call span; prompts, arguments and outputs stay out (logPrompts and traces off).',
      'A shell command that exits non-zero counts as a success, as Gemini CLI counts it: its exit code is sent only with logPrompts on.',
      "Gemini CLI sends no version of its own (its service.version is Node's): reports name the agent without one.",
      'A project .gemini/settings.json (in a trusted folder) overrides these keys; telemetry.outfile is removed, since it would win over the endpoint.',
      ...(set.length > 0 ? [`Set in this environment, and read before the file: ${set.join(', ')}. Unset them, or give them these values, where Gemini CLI runs.`] : []),
    ],
  };
}

/**
 * `toolperf setup gemini-cli`: Gemini CLI sends its telemetry (a `gemini_cli.tool_call` log record
 * per call, `tool_call` spans, metrics) to a running `toolperf serve`, set in its user settings
 * file (`~/.gemini/settings.json`); no environment needed.
 *
 * @example
 * const { files } = geminiCliSetup.plan({ endpoint: 'http://127.0.0.1:7318', home, project, env: process.env });
 */
export const geminiCliSetup: AgentSetup = { id: 'gemini-cli', title: 'Gemini CLI', plan };

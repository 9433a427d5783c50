import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseJsonc, removeJsoncValue, setJsoncValue } from './jsonc-edit.js';

/** What `toolperf setup <agent>` prints, and with `--write` merges: config files, environment, notes. */
export interface AgentSetup {
  readonly files: readonly SetupFile[];
  /** Environment variables the agent needs beside the files (none for Gemini CLI). */
  readonly env: Readonly<Record<string, string>>;
  readonly notes: readonly string[];
}

export interface SetupFile {
  readonly path: string;
  /** What to print: the settings this setup owns, as they will read in the file. */
  readonly excerpt: string;
  /** The file's text with these settings merged in, everything else kept (comments too); idempotent. Throws on a file that is not JSON with comments. */
  merge(existing: string | undefined): string;
}

export interface GeminiCliSetupOptions {
  /** `toolperf serve`'s base URL, e.g. `http://127.0.0.1:7318`. */
  readonly endpoint: string;
  /** `user` (default): ~/.gemini/settings.json; `project`: <cwd>/.gemini/settings.json (read only in a trusted folder). */
  readonly scope?: 'user' | 'project';
  readonly home?: string;
  readonly cwd?: string;
}

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

/**
 * `toolperf setup gemini-cli`: Gemini CLI sends its telemetry (a `gemini_cli.tool_call` log record
 * per call, `tool_call` spans, metrics) to a running `toolperf serve`.
 *
 * @example
 * const setup = setupGeminiCli({ endpoint: 'http://127.0.0.1:7318' });
 * writeFileSync(setup.files[0].path, setup.files[0].merge(existingText));
 */
export function setupGeminiCli(options: GeminiCliSetupOptions): AgentSetup {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const settings = ownedSettings(endpoint);
  const path =
    options.scope === 'project'
      ? join(options.cwd ?? process.cwd(), '.gemini', 'settings.json')
      : join(options.home ?? homedir(), '.gemini', 'settings.json');
  const merge = (existing: string | undefined): string => {
    let text = existing ?? '';
    // Checked first, so that a file we cannot read is an error naming it, never overwritten.
    parseJsonc(text);
    for (const [keys, value] of settings) text = setJsoncValue(text, keys, value);
    return removeJsoncValue(text, OUTFILE);
  };
  return {
    files: [{ path, excerpt: merge(undefined).trimEnd(), merge }],
    env: {},
    notes: [
      `Gemini CLI reads ${path}${options.scope === 'project' ? ' only when the folder is trusted' : ''}; a workspace .gemini/settings.json overrides it key by key.`,
      'Environment variables win over the file: unset GEMINI_TELEMETRY_* and OTEL_EXPORTER_OTLP_ENDPOINT, or point them at the same server.',
      'telemetry.outfile is removed: Gemini CLI writes to that file instead of the endpoint when it is set.',
      'Recorded per tool call: the gemini_cli.tool_call log record (session, tool, duration, success, error type). Arguments and outputs stay out (logPrompts false), so a shell command exiting non-zero counts as a success, as Gemini CLI itself counts it.',
      "Gemini CLI does not send its own version over OTLP (its service.version is Node's): reports name the agent without a version.",
    ],
  };
}

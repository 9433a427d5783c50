import { homedir } from 'node:os';
import { join } from 'node:path';
import { CliError } from '../cli-error.js';
import { formatTomlKey, formatTomlValue, setTomlTables, TomlMergeError, type TomlTableSettings } from './toml-tables.js';

/** The `toolperf serve` a setup points an agent at when no endpoint is given. */
export const DEFAULT_SETUP_ENDPOINT = 'http://127.0.0.1:7318';

/** A file a setup writes with `--write`: `merge` takes what is there (undefined: no file) and gives the new content. */
export interface SetupFile {
  readonly path: string;
  /** What the setup adds, as the user would write it by hand (printed without `--write`). */
  readonly text: string;
  /** Throws `CliError` when it cannot merge safely (the file is then left as it is). */
  merge(existing: string | undefined): string;
}

/** What `toolperf setup <agent>` prints, and writes with `--write`. */
export interface AgentSetup {
  readonly agent: string;
  readonly files: readonly SetupFile[];
  /** Environment variables the agent needs besides the files (none for Codex). */
  readonly env: Readonly<Record<string, string>>;
  readonly notes: readonly string[];
}

export interface CodexSetupOptions {
  /** The running `toolperf serve`, e.g. `http://127.0.0.1:7318` (its `/v1/logs` gets Codex's log records). */
  readonly endpoint?: string;
  /** Codex's home; default `$CODEX_HOME`, else `~/.codex`. */
  readonly codexHome?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly homeDir?: string;
}

/**
 * `toolperf setup codex`: the `[otel]` and `[analytics]` settings of Codex's `config.toml` that send
 * its `codex.tool_result` log records (one per tool call) to `toolperf serve` as OTLP/HTTP JSON,
 * keep prompts and agent responses out of them, and send nothing else anywhere: no metrics (they
 * carry no session; set explicitly, as Codex's built-in default is an exporter of its own), analytics off.
 * Traces are left as the user has them: Codex's spans carry no failure, and toolperf ignores them.
 *
 * @example
 * const setup = setupCodex({ endpoint: 'http://127.0.0.1:7318' });
 * for (const file of setup.files) writeFileSync(file.path, file.merge(readIfThere(file.path)));
 */
export function setupCodex(options: CodexSetupOptions = {}): AgentSetup {
  const endpoint = endpointBase(options.endpoint ?? DEFAULT_SETUP_ENDPOINT);
  const env = options.env ?? process.env;
  const codexHome = options.codexHome ?? nonEmpty(env.CODEX_HOME) ?? join(options.homeDir ?? homedir(), '.codex');
  const path = join(codexHome, 'config.toml');
  const settings = codexSettings(endpoint);
  return {
    agent: 'codex',
    files: [
      {
        path,
        text: settingsText(settings),
        merge(existing) {
          try {
            return setTomlTables(existing ?? '', settings);
          } catch (error) {
            if (error instanceof TomlMergeError) throw new CliError(`setup codex: ${path}: ${error.message}; it is left as it is: add the settings printed by 'toolperf setup codex' by hand`);
            throw error;
          }
        },
      },
    ],
    env: {},
    notes: [
      `Codex sends one log record per tool call (codex.tool_result) to ${endpoint}/v1/logs; sessions are Codex's conversation ids.`,
      "Codex puts each tool's arguments and output in that record and has no setting to leave them out: toolperf reads the output only to find the exit code and error type, and stores neither.",
      'A shell command that exits non-zero is a success to Codex and a failure (nonzero_exit) in toolperf.',
      'Codex reads config.toml when it starts: start a new Codex session after writing it.',
    ],
  };
}

/** The settings `setupCodex` writes, for a toolperf at `endpoint` (no trailing slash). */
export function codexSettings(endpoint: string): TomlTableSettings[] {
  return [
    {
      table: 'otel',
      values: {
        exporter: { 'otlp-http': { endpoint: `${endpoint}/v1/logs`, protocol: 'json' } },
        metrics_exporter: 'none',
        log_user_prompt: false,
        log_agent_responses: false,
      },
    },
    { table: 'analytics', values: { enabled: false } },
  ];
}

function settingsText(settings: readonly TomlTableSettings[]): string {
  return settings
    .map(({ table, values }) => [`[${formatTomlKey(table)}]`, ...Object.entries(values).map(([key, value]) => `${formatTomlKey(key)} = ${formatTomlValue(value)}`)].join('\n'))
    .join('\n\n')
    .concat('\n');
}

/** `http://127.0.0.1:7318` from `http://127.0.0.1:7318/`; a URL that is not http(s) is a usage error. */
function endpointBase(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new CliError(`setup codex: the endpoint must be an http(s) URL such as ${DEFAULT_SETUP_ENDPOINT}, got ${JSON.stringify(endpoint.slice(0, 200))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`setup codex: the endpoint must be an http(s) URL such as ${DEFAULT_SETUP_ENDPOINT}, got ${JSON.stringify(endpoint.slice(0, 200))}`);
  }
  return url.href.replace(/\/+$/, '');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

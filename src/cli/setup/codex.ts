import { join } from 'node:path';
import { SetupMergeError, type AgentSetup, type SetupOptions, type SetupPlan } from './agent-setup.js';
import { formatTomlKey, formatTomlValue, setTomlTables, TomlMergeError, type TomlTableSettings } from './toml-tables.js';

/**
 * `toolperf setup codex`: the `[otel]` and `[analytics]` settings of Codex's `config.toml`
 * (`$CODEX_HOME/config.toml`, default `~/.codex/config.toml`) that send its `codex.tool_result` log
 * records (one per tool call) to `toolperf serve` as OTLP/HTTP JSON, keep prompts and agent
 * responses out of them, and send nothing else anywhere: no metrics (they carry no session; set
 * explicitly, as Codex's built-in default is an exporter of its own), analytics off. Traces are
 * left as the user has them: Codex's spans carry no outcome, and toolperf ignores them.
 *
 * @example
 * const plan = codexSetup.plan({ endpoint: 'http://127.0.0.1:7318', home: homedir(), project: process.cwd(), env: process.env });
 */
export const codexSetup: AgentSetup = {
  id: 'codex',
  title: 'Codex',
  plan(options: SetupOptions): SetupPlan {
    const endpoint = options.endpoint.replace(/\/+$/, '');
    const codexHome = options.env.CODEX_HOME || join(options.home, '.codex');
    const settings = codexSettings(endpoint);
    return {
      env: {},
      files: [
        {
          path: join(codexHome, 'config.toml'),
          snippet: settingsText(settings),
          merge(existing) {
            try {
              return setTomlTables(existing ?? '', settings);
            } catch (error) {
              if (error instanceof TomlMergeError) throw new SetupMergeError(`${error.message}; add the settings 'toolperf setup codex' prints by hand`);
              throw error;
            }
          },
        },
      ],
      notes: [
        `Codex sends one log record per tool call (codex.tool_result) to ${endpoint}/v1/logs; sessions are Codex's conversation ids.`,
        "Codex puts each tool's arguments and output in that record and has no setting to leave them out: toolperf reads the output only to find the exit code and error type, and stores neither.",
        'A shell command that exits non-zero is a success to Codex and a failure (nonzero_exit) in toolperf.',
        'Codex reads config.toml when it starts: sessions started after the change are reported.',
      ],
    };
  },
};

/** The settings `codexSetup` writes, for a toolperf at `endpoint` (no trailing slash). */
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

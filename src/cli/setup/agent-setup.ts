/**
 * What `toolperf setup <agent>` does for one agent: the environment and the config files that send
 * its telemetry to a running `toolperf serve`, with the settings that keep prompts, arguments and
 * outputs out. One module per agent implements it; `agents.ts` lists them.
 */
export interface AgentSetup {
  /** The id on the command line and on reports: `claude-code`, `codex`, `gemini-cli`, `opencode`. */
  readonly id: string;
  /** As the agent calls itself: `Claude Code`. */
  readonly title: string;
  /** What to set and write, for `options`. */
  plan(options: SetupOptions): SetupPlan;
}

export interface SetupOptions {
  /** The report server's base URL (no path): `http://127.0.0.1:7318`. */
  readonly endpoint: string;
  /** The user's home directory (user-level config files live under it). */
  readonly home: string;
  /** The project directory (project-level config files live under it). */
  readonly project: string;
  /** The environment, for agents whose config location an env var moves (`CODEX_HOME`). */
  readonly env: NodeJS.ProcessEnv;
}

export interface SetupPlan {
  /** Environment variables to set where the agent runs (printed as `export K=V`); empty when the files do it all. */
  readonly env: Readonly<Record<string, string>>;
  /** Config files to merge these settings into. */
  readonly files: readonly SetupFile[];
  /** Short lines for the user: what is sent, what is kept out, what to check. */
  readonly notes: readonly string[];
}

export interface SetupFile {
  /** Absolute path. */
  readonly path: string;
  /**
   * The file's new text: `existing` (undefined when there is no file) with toolperf's settings
   * merged in and everything else kept. Idempotent: merging into its own output changes nothing.
   * Throws `SetupMergeError` for an existing file it cannot read safely (never writes over it).
   */
  merge(existing: string | undefined): string;
  /** The settings alone, as the user would add them by hand: what `setup` prints. */
  readonly snippet: string;
}

/** An existing config file that `setup --write` will not rewrite: it says why, and nothing is written. */
export class SetupMergeError extends Error {
  override readonly name = 'SetupMergeError';
}

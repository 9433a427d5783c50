import { join } from 'node:path';
import { SetupMergeError, type AgentSetup, type SetupPlan } from './agent-setup.js';

/** What OpenCode loads the plugin from: a file in the project's `.opencode/plugins/` re-exporting it. */
const PLUGIN_SPECIFIER = 'toolperf/opencode';
export const OPENCODE_PLUGIN_FILE = `// toolperf: OpenCode's tool calls in per-session reports (written by \`toolperf setup opencode\`).
export { default } from '${PLUGIN_SPECIFIER}';
`;

/**
 * OpenCode's own telemetry sent to `endpoint`, the other way: `OTEL_EXPORTER_OTLP_ENDPOINT` alone
 * turns it on (traces and logs, OTLP/HTTP JSON; no prompts, arguments or outputs in them).
 * OpenCode sends spans in batches, every 5 s by default, and not the last batch when it exits: 200
 * ms leaves only the last moment of a run unsent.
 */
export function openCodeTelemetryEnv(endpoint: string): Record<string, string> {
  return { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' };
}

/**
 * `toolperf setup opencode`: the toolperf plugin, as a file in the project's `.opencode/plugins/`
 * (a bare package name in opencode.json makes OpenCode install that name from the registry into its
 * own cache; a file there imports the project's `node_modules`). The plugin sees what OpenCode's
 * own spans do not: exit codes, the tool an unknown name stood for, calls cut by an interrupt.
 */
export const opencodeSetup: AgentSetup = {
  id: 'opencode',
  title: 'OpenCode',
  plan({ endpoint, project }): SetupPlan {
    const telemetry = Object.entries(openCodeTelemetryEnv(endpoint))
      .map(([key, value]) => `${key}=${value}`)
      .join(' ');
    return {
      env: {},
      files: [{ path: join(project, '.opencode', 'plugins', 'toolperf.ts'), snippet: OPENCODE_PLUGIN_FILE, merge: mergePluginFile }],
      notes: [
        'The plugin imports toolperf from the project: install it there first (npm install --save-dev <a toolperf checkout, or the tarball `npm pack` makes of it>).',
        'Reports go to toolperf\'s data directory, the one `toolperf serve` reads by default (another: "dataDir" in toolperf.json, or TOOLPERF_DATA_DIR). Tool names, call IDs, times and error types only: no prompts, arguments or outputs.',
        `Or, with nothing installed in the project, OpenCode's own spans: export ${telemetry} (exit codes, unknown tool names and calls cut by an interrupt are not in them). Not both: each call would count twice.`,
      ],
    };
  },
};

/** The file is toolperf's alone: written when missing, left as it is when it already loads the plugin, never written over otherwise. */
function mergePluginFile(existing: string | undefined): string {
  if (existing === undefined || existing.trim() === '') return OPENCODE_PLUGIN_FILE;
  if (existing.includes(`'${PLUGIN_SPECIFIER}'`) || existing.includes(`"${PLUGIN_SPECIFIER}"`)) return existing;
  throw new SetupMergeError(`it does not load ${PLUGIN_SPECIFIER}; move it aside or add: export { default } from '${PLUGIN_SPECIFIER}';`);
}

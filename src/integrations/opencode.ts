/**
 * `toolperf/opencode`: the OpenCode plugin. Its only export is the default one, because OpenCode's
 * loader calls every export of a plugin module as a plugin.
 *
 * @example
 * // opencode.json
 * { "plugin": [["toolperf", { "dataDir": ".toolperf" }]] }
 */
import type { Hooks, Plugin, PluginInput, PluginOptions } from '@opencode-ai/plugin';
import { loadConfig } from '../config/load.js';
import { consoleLogger, describeError, type Logger } from '../util/logger.js';
import { createPerformance, type Performance } from '../performance.js';
import { OpenCodeToolTracker } from './opencode-tool-tracker.js';

/**
 * Tracks every tool call of every OpenCode session. Settings, lowest first: loading the plugin turns
 * tracking on; `toolperf.json` in the project; the plugin's options (the keys of the `performance`
 * block); `TOOLPERF_*` variables. Invalid settings turn tracking off with an error in OpenCode's log
 * naming them: telemetry never keeps OpenCode from starting.
 */
const toolperfPlugin: Plugin = async (input: PluginInput, options?: PluginOptions): Promise<Hooks> => {
  const logger = openCodeLogger(input.client);
  let perf: Performance;
  try {
    const config = await loadConfig({
      cwd: input.directory,
      defaults: { enabled: true },
      overrides: options ?? {},
      overridesSource: 'the toolperf plugin options in opencode.json',
      logger,
    });
    perf = createPerformance({ ...config, logger });
  } catch (error) {
    logger.error(`toolperf is off: ${describeError(error)}`);
    return {};
  }
  if (!perf.enabled) return {};
  const tracker = new OpenCodeToolTracker(perf, logger);
  return {
    'tool.execute.before': async (hookInput, output) => tracker.before(hookInput, output.args),
    'tool.execute.after': async (hookInput, output) => tracker.after(hookInput, output),
    event: ({ event }) => tracker.event(event),
    dispose: async () => {
      await tracker.dispose();
      await perf.shutdown();
    },
  };
};

export default toolperfPlugin;

/** Lines go to OpenCode's own log (the terminal belongs to its UI); to stderr if that fails. */
function openCodeLogger(client: PluginInput['client']): Logger & { error(message: string): void } {
  const log = (level: 'warn' | 'error', message: string): void => {
    Promise.resolve()
      .then(() => client.app.log({ body: { service: 'toolperf', level, message }, throwOnError: true }))
      .catch(() => consoleLogger.warn(message));
  };
  return { warn: (message) => log('warn', message), error: (message) => log('error', message) };
}

/**
 * `toolperf/opencode`: the OpenCode plugin. Its only export is the default one, because OpenCode's
 * loader calls every export of a plugin module as a plugin.
 *
 * @example
 * // .opencode/plugins/toolperf.ts (what `toolperf setup opencode --write` writes)
 * export { default } from 'toolperf/opencode';
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
  // The tracker is built on the performance, whose process hooks end the tracker's open calls.
  const late: { tracker?: OpenCodeToolTracker } = {};
  try {
    const config = await loadConfig({
      cwd: input.directory,
      defaults: { enabled: true },
      overrides: options ?? {},
      overridesSource: 'the toolperf plugin options in opencode.json',
      logger,
    });
    // OpenCode goes down on SIGINT/SIGTERM without ending the turn it is in (no `session.idle`, no
    // `dispose`): the process hooks end the calls still running, as aborted, before writing.
    perf = createPerformance({ ...config, logger, endOpenCalls: () => late.tracker?.abortOpenCalls() ?? 0 });
  } catch (error) {
    logger.error(`toolperf is off: ${describeError(error)}`);
    return {};
  }
  if (!perf.enabled) return {};
  const tracker = (late.tracker = new OpenCodeToolTracker(perf, logger));
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

/**
 * Lines go to OpenCode's own log (the terminal belongs to its UI); to stderr if that fails. OpenCode
 * 1.x writes a log request's `extra` as the line's fields and drops its `service`: both are sent, so
 * that the line says `service=toolperf` either way.
 */
function openCodeLogger(client: PluginInput['client']): Logger & { error(message: string): void } {
  const log = (level: 'warn' | 'error', message: string): void => {
    Promise.resolve()
      .then(() => client.app.log({ body: { service: 'toolperf', level, message, extra: { service: 'toolperf' } }, throwOnError: true }))
      .catch(() => consoleLogger.warn(message));
  };
  return { warn: (message) => log('warn', message), error: (message) => log('error', message) };
}

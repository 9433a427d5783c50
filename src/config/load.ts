import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { envVariablesKept, overlay, parseConfig, type PerformanceConfig } from './schema.js';
import { ConfigError } from './errors.js';
import { readEnvOverrides } from './env.js';
import { consoleLogger, type Logger } from '../util/logger.js';

/** The file looked for in the working directory when none is named. */
export const DEFAULT_CONFIG_FILE = 'toolperf.json';

export interface LoadConfigOptions {
  /** A JSON file with a `performance` block; default `$TOOLPERF_CONFIG`, else `./toolperf.json` if present. */
  readonly file?: string;
  /** Directory for the default file; `process.cwd()` by default. */
  readonly cwd?: string;
  /** Environment for overrides; `process.env` by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** Values beneath the file's, in place of the schema's defaults (a plugin turns `enabled` on). */
  readonly defaults?: Readonly<Record<string, unknown>>;
  /**
   * A `performance` block over the file's and beneath the environment (a plugin's options),
   * validated like the file; a relative `dataDir` in it is taken relative to `cwd`.
   */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** How `overrides` is named in errors. Default `options`. */
  readonly overridesSource?: string;
  /** Where a warning goes (a config file without a `performance` block). Default: the console. */
  readonly logger?: Logger;
}

/**
 * Reads the `performance` block of a JSON config file, applies `TOOLPERF_*` environment overrides
 * and validates the result. A file without a `performance` block gives the defaults, with a
 * one-line warning (settings at the top level are a likely slip); a relative `dataDir` is taken
 * relative to the file.
 *
 * @example
 * const perf = createPerformance(await loadConfig());              // ./toolperf.json + env
 * const perf2 = createPerformance(await loadConfig({ file: 'opencode.json' }));
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<PerformanceConfig> {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const named = options.file ?? (env.TOOLPERF_CONFIG || undefined);
  const file = named !== undefined ? resolve(cwd, named) : findDefault(cwd);
  const block = file === undefined ? {} : await readBlock(file, named !== undefined, options.logger ?? consoleLogger);
  const overrides = withAbsoluteDataDir(options.overrides ?? {}, cwd);
  const layers = [file, options.overrides && (options.overridesSource ?? 'options')].filter(Boolean);
  const source = `${layers.length === 0 ? 'defaults' : layers.join(', ')} and environment`;
  const fromEnv = readEnvOverrides(env);
  const merged = overlay(overlay(overlay(options.defaults ?? {}, block), overrides), fromEnv);
  return parseConfig(merged, source, envVariablesKept(fromEnv, {}));
}

function withAbsoluteDataDir(block: Readonly<Record<string, unknown>>, base: string): Record<string, unknown> {
  const out = { ...block };
  if (typeof out.dataDir === 'string' && out.dataDir !== '') out.dataDir = resolve(base, out.dataDir);
  return out;
}

function findDefault(cwd: string): string | undefined {
  const candidate = resolve(cwd, DEFAULT_CONFIG_FILE);
  return existsSync(candidate) ? candidate : undefined;
}

async function readBlock(file: string, named: boolean, logger: Logger): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : String(error);
    throw new ConfigError(file, [{ key: named ? 'config file' : DEFAULT_CONFIG_FILE, value: file, message: reason }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, [{ key: '(file)', value: undefined, message: `not valid JSON: ${(error as Error).message}` }]);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigError(file, [{ key: '(file)', value: json, message: 'expected a JSON object' }]);
  }
  const block = (json as Record<string, unknown>).performance;
  if (block === undefined) {
    logger.warn(`${file} has no "performance" block: using the defaults (settings go inside it, e.g. {"performance": {"enabled": true}})`);
    return {};
  }
  if (typeof block !== 'object' || block === null || Array.isArray(block)) {
    throw new ConfigError(file, [{ key: 'performance', value: block, message: 'expected an object' }]);
  }
  return withAbsoluteDataDir(block as Record<string, unknown>, dirname(file));
}

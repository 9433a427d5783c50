import type { PerformanceConfig } from '../config.js';
import { CliError } from './cli-error.js';
import { isLoopbackHost } from './loopback.js';

/** Used until the config has a `performance.server` block (it comes with the report server). */
export const DEFAULT_SERVER_HOST = '127.0.0.1';
export const DEFAULT_SERVER_PORT = 7318;

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  /** `TOOLPERF_API_TOKEN`; required when `host` is not loopback. */
  readonly token?: string;
}

/**
 * Where `serve` listens: the flag, else the config's `server.host` / `server.port`, else the
 * defaults. Refuses (CliError) a host reachable from the network unless a token guards the API.
 */
export function resolveServerAddress(
  flags: { readonly host?: string; readonly port?: number },
  config: PerformanceConfig,
  env: NodeJS.ProcessEnv,
): ServerAddress {
  // Read loosely so that this compiles both before and after the server branch adds the block.
  const server = (config as { server?: { host?: string; port?: number } }).server;
  const host = flags.host ?? server?.host ?? DEFAULT_SERVER_HOST;
  const port = flags.port ?? server?.port ?? DEFAULT_SERVER_PORT;
  const token = env.TOOLPERF_API_TOKEN || undefined;
  if (token === undefined && !isLoopbackHost(host)) {
    throw new CliError(
      `serve: refusing to listen on ${host} without a token: set TOOLPERF_API_TOKEN (clients then send "Authorization: Bearer <token>"), or use a loopback host such as ${DEFAULT_SERVER_HOST}`,
    );
  }
  return token === undefined ? { host, port } : { host, port, token };
}

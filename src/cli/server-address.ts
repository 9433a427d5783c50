import { DEFAULT_SERVER_HOST, type PerformanceConfig } from '../config/schema.js';
import { CliError } from './cli-error.js';
import { isLoopbackHost } from '../server/loopback.js';

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
  const host = flags.host ?? config.server.host;
  const port = flags.port ?? config.server.port;
  const token = env.TOOLPERF_API_TOKEN || undefined;
  if (token === undefined && !isLoopbackHost(host)) {
    throw new CliError(
      `serve: refusing to listen on ${host} without a token: set TOOLPERF_API_TOKEN (clients then send "Authorization: Bearer <token>"), or use a loopback host such as ${DEFAULT_SERVER_HOST}`,
    );
  }
  return token === undefined ? { host, port } : { host, port, token };
}

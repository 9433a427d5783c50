import { describe, expect, it } from 'vitest';
import { CliError } from '../../../src/cli/cli-error.js';
import { resolveServerAddress } from '../../../src/cli/server-address.js';
import { DEFAULT_SERVER_HOST, DEFAULT_SERVER_PORT } from '../../../src/config/schema.js';
import { resolveConfig } from '../../../src/index.js';

const config = resolveConfig({}, { env: {} });
const withServer = (server: { host?: string; port?: number }) => resolveConfig({ server: { ...config.server, ...server } }, { env: {} });

describe('resolveServerAddress', () => {
  it('defaults to 127.0.0.1:7318 without a token', () => {
    expect(resolveServerAddress({}, config, {})).toEqual({ host: DEFAULT_SERVER_HOST, port: DEFAULT_SERVER_PORT });
    expect([DEFAULT_SERVER_HOST, DEFAULT_SERVER_PORT]).toEqual(['127.0.0.1', 7318]);
  });

  it('takes the config\'s server.host and server.port over the defaults, and the flags over both', () => {
    expect(resolveServerAddress({}, withServer({ host: '::1', port: 9000 }), {})).toEqual({ host: '::1', port: 9000 });
    expect(resolveServerAddress({ host: 'localhost', port: 0 }, withServer({ host: '::1', port: 9000 }), {})).toEqual({ host: 'localhost', port: 0 });
  });

  it('refuses a non-loopback host without a token, from the flag or from the config', () => {
    expect(() => resolveServerAddress({ host: '0.0.0.0' }, config, {})).toThrow(CliError);
    expect(() => resolveServerAddress({}, withServer({ host: '10.0.0.1' }), {})).toThrow('refusing to listen on 10.0.0.1 without a token');
  });

  it('allows a non-loopback host with TOOLPERF_API_TOKEN and hands the token on', () => {
    expect(resolveServerAddress({ host: '0.0.0.0', port: 8080 }, config, { TOOLPERF_API_TOKEN: 's3cret' })).toEqual({ host: '0.0.0.0', port: 8080, token: 's3cret' });
  });

  it('hands the token on for loopback too, so the API stays guarded when one is set', () => {
    expect(resolveServerAddress({}, config, { TOOLPERF_API_TOKEN: 's3cret' }).token).toBe('s3cret');
  });
});

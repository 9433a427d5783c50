import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from '../../../src/server/loopback.js';

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.10.20.30', 'localhost', 'LOCALHOST', 'api.localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '[::]', '10.0.0.1', '192.168.1.1', '128.0.0.1', '::ffff:10.0.0.1', 'fe80::1', 'example.com', 'localhost.example.com', '127.0.0.1.nip.io'])('%s is not', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

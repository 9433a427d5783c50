import { isIP } from 'node:net';

/**
 * True for a host that only this machine can reach: `localhost`, 127.0.0.0/8, `::1` (in any
 * spelling, brackets allowed) and IPv4-mapped 127.x. Anything else, `0.0.0.0` and `::` included,
 * is reachable from the network.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) !== 6) return false;
  // The URL parser writes an IPv6 address in its one canonical form (`::ffff:127.0.0.1` becomes `::ffff:7f00:1`).
  const canonical = new URL(`http://[${name}]/`).hostname;
  return canonical === '[::1]' || canonical.startsWith('[::ffff:7f');
}

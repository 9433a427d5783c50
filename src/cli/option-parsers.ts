import { InvalidArgumentError } from 'commander';
import { InvalidSessionIdError, isValidSessionId } from '../util/session-id.js';

/** `--port`: a TCP port; 0 asks the system for a free one. */
export function parsePort(raw: string): number {
  return parseInteger(raw, 0, 65_535, 'a port: an integer from 0 to 65535');
}

/** `--limit`: how many rows at most. */
export function parseLimit(raw: string): number {
  return parseInteger(raw, 1, Number.MAX_SAFE_INTEGER, 'a positive integer');
}

/** `--host`: a name or address to bind; checked for loopback later, once the token is known. */
export function parseHost(raw: string): string {
  const host = raw.trim();
  if (host === '' || /\s/.test(host)) throw new InvalidArgumentError('expected a host name or IP address.');
  return host;
}

// Digits only: Number() would also take "1e3", "0x10" and " 8 ".
function parseInteger(raw: string, min: number, max: number, expected: string): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new InvalidArgumentError(`expected ${expected}.`);
  return value;
}

/** `--data-dir`, `--config`: a non-empty path (an empty one would quietly mean the working directory). */
export function parsePath(raw: string): string {
  if (raw.trim() === '') throw new InvalidArgumentError('expected a path.');
  return raw;
}

/** A session ID argument, checked before any file is opened. */
export function parseSessionId(raw: string): string {
  if (!isValidSessionId(raw)) throw new InvalidArgumentError(new InvalidSessionIdError(raw).message);
  return raw;
}

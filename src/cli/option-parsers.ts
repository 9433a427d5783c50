import { InvalidArgumentError } from 'commander';
import { InvalidSessionIdError, isValidSessionId } from '../util/session-id.js';
import { DURATION_FORMAT, parseDuration } from '../util/duration.js';

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

/** `--idle-after`: a duration such as `5m`, `90s`, `2h`. */
export function parseDurationOption(raw: string): number {
  const ms = parseDuration(raw);
  if (ms === undefined) throw new InvalidArgumentError(`expected ${DURATION_FORMAT}.`);
  return ms;
}

/** `--end-idle-after`: a duration, or `never` (also `0`). */
export function parseDurationOrNever(raw: string): number {
  return raw === 'never' || raw === '0' ? 0 : parseDurationOption(raw);
}

/** `--since`, `--until`: an ISO 8601 date-time, or a duration back from now (`2h`: two hours ago). Epoch ms. */
export function parseTimeOption(raw: string): number {
  const ago = parseDuration(raw);
  if (ago !== undefined) return Date.now() - ago;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(raw.trim()) ? Date.parse(raw.trim()) : Number.NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`expected an ISO 8601 date-time (2026-01-31T12:00:00Z) or a duration back from now: ${DURATION_FORMAT}.`);
  return ms;
}

/** `--has-errors [bool]`: `true` when given alone. */
export function parseBooleanOption(raw: string): boolean {
  const value = raw.trim().toLowerCase();
  if (['true', 'yes', '1'].includes(value)) return true;
  if (['false', 'no', '0'].includes(value)) return false;
  throw new InvalidArgumentError('expected true or false.');
}
